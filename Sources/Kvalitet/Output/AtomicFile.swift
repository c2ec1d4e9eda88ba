import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output file that appears whole or not at all: text goes to a temporary file beside the
/// target, which is renamed over the target by ``commit()``. Until then the target is untouched;
/// a failed or abandoned run removes the temporary file.
public final class AtomicFile {
    public let path: String
    private let temporaryPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var finished = false

    public init(path: String) throws(KvalitetError) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var template = Array("\(directory)/.\(url.lastPathComponent).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw KvalitetError(.output, "cannot write the output: \(String(cString: strerror(errno)))",
                at: SourceLocation(file: path))
        }
        descriptor = fd
        temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        fchmod(fd, 0o644)
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        if !finished { discard() }
    }

    /// Appends text (buffered).
    public func write(_ text: String) throws(KvalitetError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws(KvalitetError) {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                discard()
                throw KvalitetError(.output, "cannot write the output: \(reason)", at: SourceLocation(file: path))
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Drops everything written so far: the file starts again empty.
    func restart() throws(KvalitetError) {
        buffer.removeAll(keepingCapacity: true)
        if ftruncate(descriptor, 0) != 0 || lseek(descriptor, 0, SEEK_SET) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw KvalitetError(.output, "cannot write the output: \(reason)", at: SourceLocation(file: path))
        }
    }

    /// Writes what is left, syncs, and renames the temporary file to the target.
    public func commit() throws(KvalitetError) {
        try flush()
        if fsync(descriptor) != 0 || close(descriptor) != 0 {
            let reason = String(cString: strerror(errno))
            finished = true
            unlink(temporaryPath)
            throw KvalitetError(.output, "cannot write the output: \(reason)", at: SourceLocation(file: path))
        }
        finished = true
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw KvalitetError(.output, "cannot write the output: \(reason)", at: SourceLocation(file: path))
        }
    }

    /// Removes the temporary file; the target stays as it was.
    public func discard() {
        guard !finished else { return }
        finished = true
        close(descriptor)
        unlink(temporaryPath)
    }
}
