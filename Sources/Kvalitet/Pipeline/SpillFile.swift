#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

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

    init() throws(KvalitetError) {
        let folder = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(folder)/kvalitet-spill-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw KvalitetError(.output, "cannot create a temporary file in \(folder): \(String(cString: strerror(errno))) (set TMPDIR to a folder with room)")
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
                throw KvalitetError(.output, "cannot write a temporary file: \(String(cString: strerror(errno))) (set TMPDIR to a folder with room)")
            }
            written += result
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Everything written, from the start.
    func contents() throws(KvalitetError) -> [UInt8] {
        try flush()
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let result = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, size - done, off_t(done)) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                throw KvalitetError(.output, "cannot read back a temporary file: \(String(cString: strerror(errno)))")
            }
            done += result
        }
        return bytes
    }
}
