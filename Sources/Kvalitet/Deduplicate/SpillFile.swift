import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A temporary file for data too large to keep in memory (respondent ids of a national run),
/// written through a buffer and read back whole.
///
/// The file is removed from its folder as soon as it is opened, so it vanishes with the process
/// however that ends (Ctrl-C, a kill, a crash) and no other user can open it: respondent ids
/// never outlive the run on disk. It is created with mode 0600 in `TMPDIR` (or `/tmp`).
final class SpillFile {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private static let bufferBytes = 1 << 16
    /// Bytes written so far (buffered ones included).
    private(set) var size = 0

    /// A new file in `folder` (default: `TMPDIR`, else `/tmp`).
    init(in folder: String? = nil) throws(KvalitetError) {
        let folder = folder ?? ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(folder)/kvalitet-spill-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw KvalitetError(
                .output,
                "cannot create a temporary file in \(folder): \(String(cString: strerror(errno))) (set TMPDIR to a folder with room)",
                nb:
                    "kan ikke lage en midlertidig fil i \(folder): \(String(cString: strerror(errno))) (sett TMPDIR til en mappe med plass)"
            )
        }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        descriptor = fd
        buffer.reserveCapacity(Self.bufferBytes)
    }

    deinit { close(descriptor) }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) throws(KvalitetError) {
        buffer.append(contentsOf: bytes)
        size += bytes.count
        if buffer.count >= Self.bufferBytes { try flush() }
    }

    func append(_ value: UInt64) throws(KvalitetError) {
        var value = value.littleEndian
        try withUnsafeBytes(of: &value) { raw throws(KvalitetError) in try append(raw.assumingMemoryBound(to: UInt8.self)) }
    }

    private func flush() throws(KvalitetError) {
        var written = 0
        while written < buffer.count {
            let result = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                throw KvalitetError(
                    .output,
                    "cannot write a temporary file: \(String(cString: strerror(errno))) (set TMPDIR to a folder with room)",
                    nb:
                        "kan ikke skrive en midlertidig fil: \(String(cString: strerror(errno))) (sett TMPDIR til en mappe med plass)"
                )
            }
            written += result
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func append(_ text: String) throws(KvalitetError) {
        var text = text
        try append(UInt64(text.utf8.count))
        text.withUTF8 { buffer.append(contentsOf: $0) }
        size += text.utf8.count
        if buffer.count >= Self.bufferBytes { try flush() }
    }

    /// Reads what was written from the start, a buffer at a time (the file may be larger than
    /// memory should hold).
    struct Reader {
        let file: SpillFile
        private var buffer: [UInt8] = []
        private var position = 0
        private var fileOffset = 0

        init(_ file: SpillFile) { self.file = file }

        var isAtEnd: Bool { position == buffer.count && fileOffset == file.size }

        /// The next `count` bytes.
        mutating func bytes(_ count: Int) throws(KvalitetError) -> ArraySlice<UInt8> {
            if position + count > buffer.count {
                buffer.removeFirst(position)
                position = 0
                let wanted = max(count - buffer.count, SpillFile.bufferBytes * 16)
                let chunk = try file.read(at: fileOffset, count: min(wanted, file.size - fileOffset))
                fileOffset += chunk.count
                buffer.append(contentsOf: chunk)
                guard buffer.count >= count else {
                    throw KvalitetError(
                        .output, "a temporary file ended early (the disk may be full)",
                        nb: "en midlertidig fil sluttet for tidlig (disken kan være full)")
                }
            }
            defer { position += count }
            return buffer[position..<(position + count)]
        }

        mutating func number() throws(KvalitetError) -> UInt64 {
            var value: UInt64 = 0
            for (index, byte) in try bytes(8).enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
            return value
        }

        mutating func text() throws(KvalitetError) -> String {
            String(decoding: try bytes(Int(try number())), as: UTF8.self)
        }
    }

    /// `count` bytes from `offset`.
    private func read(at offset: Int, count: Int) throws(KvalitetError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = bytes.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset + done))
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                throw KvalitetError(
                    .output, "cannot read back a temporary file: \(String(cString: strerror(errno)))",
                    nb: "kan ikke lese tilbake en midlertidig fil: \(String(cString: strerror(errno)))")
            }
            done += result
        }
        return bytes
    }

    /// Everything written, from the start.
    func contents() throws(KvalitetError) -> [UInt8] {
        try flush()
        return try read(at: 0, count: size)
    }

    /// A reader from the start of what was written.
    func reader() throws(KvalitetError) -> Reader {
        try flush()
        return Reader(self)
    }
}
