#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file in fixed-size chunks with plain `read(2)`, so memory stays constant whatever
/// the file's size. The chunk is one buffer allocated once (a `let`, so readers scanning it pay
/// no reference counting or exclusivity checks per byte).
final class ByteSource {
    let file: InputFile
    private let descriptor: Int32
    let chunk: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0
    private(set) var isAtEnd = false
    /// The file offset of `chunk[0]`.
    private(set) var chunkOffset = 0
    /// The file offset after the last byte read.
    private var readOffset = 0

    init(_ file: InputFile, chunkSize: Int = 1 << 20) throws(KvalitetError) {
        self.file = file
        self.chunk = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: chunkSize)
        let fd = open(file.url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            chunk.deallocate()
            throw KvalitetError(
                .inputRefused, "cannot open the file: \(String(cString: strerror(errno)))",
                nb: "kan ikke åpne filen: \(String(cString: strerror(errno)))",
                at: SourceLocation(file: file.name))
        }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            chunk.deallocate()
            throw KvalitetError(
                .inputRefused, "is a folder, not a file", nb: "er en mappe, ikke en fil", at: SourceLocation(file: file.name))
        }
        descriptor = fd
        if (info.st_mode & S_IFMT) == S_IFREG { sizeWhenOpened = Int(info.st_size) }
    }

    /// A regular file's size when it was opened: a file that is read to its end at another size
    /// was changed (truncated, replaced, appended to) while it was read, and is refused.
    private var sizeWhenOpened: Int?
    /// The file's size when it was opened (nil for what is not a regular file).
    var fileSize: Int? { sizeWhenOpened }

    deinit {
        close(descriptor)
        chunk.deallocate()
    }

    /// Reads the next chunk into `chunk[0..<count]`; returns false at the end of the file.
    func refill() throws(KvalitetError) -> Bool {
        if isAtEnd { return false }
        try Interruption.check(file.name)
        while true {
            let got = read(descriptor, chunk.baseAddress, chunk.count)
            if got < 0 {
                if errno == EINTR { continue }
                throw KvalitetError(
                    .inputRefused, "reading failed: \(String(cString: strerror(errno)))",
                    nb: "lesingen feilet: \(String(cString: strerror(errno)))",
                    at: SourceLocation(file: file.name))
            }
            chunkOffset = readOffset
            readOffset += got
            count = got
            if got == 0 {
                isAtEnd = true
                if let sizeWhenOpened, readOffset != sizeWhenOpened {
                    throw KvalitetError(
                        .inputRefused,
                        "the file changed while it was read (\(sizeWhenOpened) bytes when opened, \(readOffset) at its end); run again on a file nobody is writing",
                        nb:
                            "filen ble endret mens den ble lest (\(sizeWhenOpened) byte da den ble åpnet, \(readOffset) ved slutten); kjør igjen på en fil ingen skriver til",
                        at: SourceLocation(file: file.name))
                }
            }
            return got > 0
        }
    }

    /// Starts again from the beginning of the file.
    func rewind() throws(KvalitetError) {
        try seek(to: 0)
    }

    /// Continues reading at `offset`; the next `refill` reads from there.
    func seek(to offset: Int) throws(KvalitetError) {
        guard lseek(descriptor, off_t(offset), SEEK_SET) == off_t(offset) else {
            throw KvalitetError(
                .inputRefused, "cannot read the file again: \(String(cString: strerror(errno)))",
                nb: "kan ikke lese filen på nytt: \(String(cString: strerror(errno)))",
                at: SourceLocation(file: file.name))
        }
        isAtEnd = false
        count = 0
        chunkOffset = offset
        readOffset = offset
    }

    /// The file's size in bytes.
    /// Whether this is a regular file of 0 bytes.
    var isEmptyRegularFile: Bool {
        var info = stat()
        return fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && info.st_size == 0
    }

    func size() -> Int {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? Int(info.st_size) : 0
    }
}

/// A size for messages: "1 MiB", "512 KiB" or "100 bytes".
func describeBytes(_ bytes: Int) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
    if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
    return "\(bytes) bytes"
}

extension KvalitetError {
    /// An empty (0-byte) input: no export of responses (FORMAT.md §7), refused by every reader.
    static func emptyFile(_ file: InputFile) -> KvalitetError {
        KvalitetError(
            .inputRefused, "the file is empty (0 bytes): not an export of responses",
            nb: "filen er tom (0 byte): ingen eksport av svar",
            at: SourceLocation(file: file.name, line: 1))
    }
}
