import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output file that appears whole or not at all.
///
/// - A regular file (or a new one) is written to a temporary file beside it, which
///   ``commit()`` renames over it. Until then the target is untouched; a failed or abandoned run
///   removes the temporary file. The temporary file is created 0600 (it may hold respondent
///   ids) and named `.NAME.kvalitet-PID-XXXXXX`, so a later run writing the same target removes
///   those of processes that no longer exist (a run killed with SIGKILL cannot clean up). The
///   target keeps the mode it had; a new file gets 0666 less the umask.
///   A symbolic link is written through: the file it points to is replaced, the link stays.
/// - A target that exists and is not a regular file (a terminal, a pipe, a FIFO, `/dev/null`),
///   or one reached through a link into `/proc/` (`/dev/stdout` redirected to a file), and `-`
///   (standard output) are never replaced: what is written waits in an unlinked temporary file
///   in `TMPDIR` and is copied to the target by ``commit()``, so a failed run writes nothing
///   there either.
public final class AtomicFile {
    public let path: String
    private enum Target {
        /// Rename `temporary` over `final` (the resolved target), then give it `mode`.
        case replace(final: String, temporary: String, mode: mode_t)
        /// Copy to this path (or standard output when nil) opened for writing, without replacing it.
        case direct(String?)
    }
    private let target: Target
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var finished = false

    public init(path: String) throws(KvalitetError) {
        self.path = path
        let kind = Self.kind(of: path)
        switch kind {
        case .direct(let device):
            let folder = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
            var template = Array("\(folder)/kvalitet-output-XXXXXX".utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw Self.error("cannot create a temporary file in \(folder)", path) }
            _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
            descriptor = fd
            target = .direct(device)
        case .replace(let final, let mode):
            let url = URL(fileURLWithPath: final)
            let directory = url.deletingLastPathComponent().path
            let prefix = ".\(url.lastPathComponent).kvalitet-"
            Self.removeStale(in: directory, prefix: prefix)
            var template = Array("\(directory)/\(prefix)\(getpid())-XXXXXX".utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw Self.error("cannot write the output", path) }
            descriptor = fd
            let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
            target = .replace(final: final, temporary: temporary, mode: mode)
        }
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        if !finished { discard() }
    }

    private enum Kind {
        case replace(final: String, mode: mode_t)
        case direct(String?)
    }

    /// How `path` is written: replaced by a rename, or written into as it is.
    private static func kind(of path: String) -> Kind {
        if path == "-" { return .direct(nil) }
        var status = stat()
        let exists = stat(path, &status) == 0
        if exists && (status.st_mode & S_IFMT) != S_IFREG { return .direct(path) }
        if exists && Self.linksIntoProc(path) { return .direct(path) }
        var link = stat()
        let isLink = lstat(path, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK
        if exists && isLink, let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return .replace(final: String(cString: resolved), mode: status.st_mode & 0o7777)
        }
        return .replace(final: path, mode: exists ? status.st_mode & 0o7777 : 0o666 & ~currentUmask())
    }

    /// Whether a link on the way from `path` leads into `/proc` (`/dev/stdout` is a link to
    /// `/proc/self/fd/1`): the file behind it is another process's open file, to write into.
    private static func linksIntoProc(_ path: String) -> Bool {
        var current = path
        for _ in 0..<40 {
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &target, target.count - 1)
            guard count > 0 else { return false }
            let next = String(decoding: target[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if next.hasPrefix("/proc/") { return true }
            current = next.hasPrefix("/") ? next : (current as NSString).deletingLastPathComponent + "/" + next
        }
        return false
    }

    /// The process's umask, read without changing it (`umask(2)` sets it, which would race with
    /// other threads creating files).
    private static func currentUmask() -> mode_t {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }),
            let value = mode_t(line.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8)
        {
            return value
        }
        return 0o022
    }

    /// Removes `prefix`PID-* files in `directory` left by processes that no longer run.
    private static func removeStale(in directory: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory) else {
            return
        }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink("\(directory)/\(name)")
            }
        }
    }

    private static func error(_ what: String, _ path: String) -> KvalitetError {
        KvalitetError(.output, "\(what): \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
    }

    /// Appends text (buffered).
    public func write(_ text: String) throws(KvalitetError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Appends bytes as they are (buffered).
    public func write(bytes: UnsafeRawBufferPointer) throws(KvalitetError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws(KvalitetError) {
        let written = buffer.withUnsafeBytes { Self.writeAll($0, to: descriptor) }
        guard written else {
            let failure = Self.error("cannot write the output", path)
            discard()
            throw failure
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes all of `bytes`; false (with `errno` set) when it cannot.
    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// Drops everything written so far: the file starts again empty.
    func restart() throws(KvalitetError) {
        buffer.removeAll(keepingCapacity: true)
        if ftruncate(descriptor, 0) != 0 || lseek(descriptor, 0, SEEK_SET) != 0 {
            let failure = Self.error("cannot write the output", path)
            discard()
            throw failure
        }
    }

    /// Writes what is left and puts the file in place: renamed over the target, or copied into it.
    public func commit() throws(KvalitetError) {
        try flush()
        finished = true
        switch target {
        case .replace(let final, let temporary, let mode):
            if fchmod(descriptor, mode) != 0 || fsync(descriptor) != 0 || close(descriptor) != 0 {
                let failure = Self.error("cannot write the output", path)
                unlink(temporary)
                throw failure
            }
            if rename(temporary, final) != 0 {
                let failure = Self.error("cannot write the output", path)
                unlink(temporary)
                throw failure
            }
        case .direct(let device):
            defer { close(descriptor) }
            let out = device.map { open($0, O_WRONLY | O_APPEND | O_CLOEXEC) } ?? dup(1)
            guard out >= 0 else { throw Self.error("cannot write the output", path) }
            defer { close(out) }
            guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw Self.error("cannot write the output", path) }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count < 0 { throw Self.error("cannot write the output", path) }
                if count == 0 { break }
                guard chunk.withUnsafeBytes({ Self.writeAll(UnsafeRawBufferPointer(rebasing: $0[..<count]), to: out) }) else {
                    throw Self.error("cannot write the output", path)
                }
            }
        }
    }

    /// Removes the temporary file; the target stays as it was.
    public func discard() {
        guard !finished else { return }
        finished = true
        close(descriptor)
        if case .replace(_, let temporary, _) = target { unlink(temporary) }
    }
}
