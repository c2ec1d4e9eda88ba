import CZlib
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads a zip archive (PKWARE's APPNOTE 6.3, ZIP64 included): its central directory, and an
/// entry as a stream of inflated chunks, so a sheet of a million rows is never held whole.
///
/// Why not minizip (Debian's `libminizip-dev`): a workbook needs the directory and one inflate
/// loop, which zlib gives; the checks against hostile archives have to be ours anyway, and they
/// sit in that loop:
/// - at most ``Limits/maxEntries`` entries; no entry overlapping another ("overlapping" zip
///   bombs make one small file inflate many times over);
/// - an entry never inflates to more than its directory says, nor to more than the limit the
///   caller sets (a part held in memory gets a smaller one than a sheet that is streamed);
/// - at most 1,032 inflated bytes per compressed byte (deflate's own bound: more is a crafted
///   stream);
/// - stored or deflated entries only, not encrypted; the CRC-32 is checked at the end.
final class ZipArchive {
    struct Entry {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc: UInt32
        var compressedSize: UInt64
        var size: UInt64
        var localOffset: UInt64
    }

    struct Limits {
        var maxEntries = 10_000
    }

    let file: InputFile
    private let descriptor: Int32
    private let fileSize: UInt64
    private(set) var entries: [Entry] = []

    init(_ file: InputFile, limits: Limits = Limits()) throws(KvalitetError) {
        self.file = file
        descriptor = open(file.url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw KvalitetError(
                .inputRefused, "cannot open the file: \(String(cString: strerror(errno)))",
                nb: "kan ikke åpne filen: \(String(cString: strerror(errno)))", at: SourceLocation(file: file.name))
        }
        var status = stat()
        fstat(descriptor, &status)
        fileSize = UInt64(max(status.st_size, 0))
        do {
            try readDirectory(limits)
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit { close(descriptor) }

    func refused(_ english: String, _ norwegian: String) -> KvalitetError {
        KvalitetError(.inputRefused, english, nb: norwegian, at: SourceLocation(file: file.name))
    }

    private func damaged(_ what: String) -> KvalitetError {
        refused(
            "not a readable zip archive (\(what)); nothing of the file is counted",
            "ikke et lesbart zip-arkiv (\(what)); ingenting i filen telles")
    }

    /// `count` bytes at `offset`, or nil when the file is shorter.
    private func bytes(at offset: UInt64, count: Int) -> [UInt8]? {
        guard offset + UInt64(count) <= fileSize else { return nil }
        var result = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = result.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return nil }
            done += got
        }
        return result
    }

    private func readDirectory(_ limits: Limits) throws(KvalitetError) {
        // The end of central directory record: 22 bytes, within the last 64 KiB + 22 (its comment).
        let tailCount = Int(min(fileSize, 65_557))
        guard tailCount >= 22, let tail = bytes(at: fileSize - UInt64(tailCount), count: tailCount) else {
            throw damaged("too short")
        }
        guard let end = (0...(tailCount - 22)).reversed().first(where: { Self.u32(tail, $0) == 0x0605_4B50 }) else {
            throw damaged("no central directory")
        }
        var count = UInt64(Self.u16(tail, end + 10))
        var directorySize = UInt64(Self.u32(tail, end + 12))
        var directoryOffset = UInt64(Self.u32(tail, end + 16))
        // ZIP64: the locator just before the record points to the ZIP64 end record.
        let endOffset = fileSize - UInt64(tailCount) + UInt64(end)
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF, endOffset >= 20,
            let locator = bytes(at: endOffset - 20, count: 20), Self.u32(locator, 0) == 0x0706_4B50,
            let record = bytes(at: Self.u64(locator, 8), count: 56), Self.u32(record, 0) == 0x0606_4B50
        {
            count = Self.u64(record, 32)
            directorySize = Self.u64(record, 40)
            directoryOffset = Self.u64(record, 48)
        }
        guard count <= UInt64(limits.maxEntries) else {
            throw refused(
                "the archive has \(count) entries (at most \(limits.maxEntries) are read)",
                "arkivet har \(count) oppføringer (høyst \(limits.maxEntries) leses)")
        }
        guard directorySize <= 64 << 20, let directory = bytes(at: directoryOffset, count: Int(directorySize)) else {
            throw damaged("the central directory lies outside the file")
        }
        var position = 0
        for _ in 0..<count {
            guard position + 46 <= directory.count, Self.u32(directory, position) == 0x0201_4B50 else {
                throw damaged("a damaged central directory")
            }
            let nameLength = Int(Self.u16(directory, position + 28))
            let extraLength = Int(Self.u16(directory, position + 30))
            let commentLength = Int(Self.u16(directory, position + 32))
            guard position + 46 + nameLength + extraLength + commentLength <= directory.count else {
                throw damaged("a damaged central directory")
            }
            var entry = Entry(
                name: String(decoding: directory[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self),
                method: Self.u16(directory, position + 10), flags: Self.u16(directory, position + 8),
                crc: Self.u32(directory, position + 16), compressedSize: UInt64(Self.u32(directory, position + 20)),
                size: UInt64(Self.u32(directory, position + 24)), localOffset: UInt64(Self.u32(directory, position + 42)))
            // The ZIP64 extra field holds, in order, the fields that are 0xFFFFFFFF above.
            var extra = position + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = Self.u16(directory, extra)
                let length = Int(Self.u16(directory, extra + 2))
                if id == 0x0001 {
                    var field = extra + 4
                    for keyPath in [\Entry.size, \Entry.compressedSize, \Entry.localOffset]
                    where entry[keyPath: keyPath] == 0xFFFF_FFFF && field + 8 <= extra + 4 + length {
                        entry[keyPath: keyPath] = Self.u64(directory, field)
                        field += 8
                    }
                }
                extra += 4 + length
            }
            entries.append(entry)
            position += 46 + nameLength + extraLength + commentLength
        }
        // No two entries may share compressed bytes.
        let ranges = try entries.map { (entry) throws(KvalitetError) -> Range<UInt64> in
            let start = entry.localOffset
            guard start < fileSize, entry.compressedSize <= fileSize - start else {
                throw damaged("an entry lies outside the file")
            }
            return start..<(start + max(entry.compressedSize, 1))
        }.sorted { $0.lowerBound < $1.lowerBound }
        for index in ranges.indices.dropFirst() where ranges[index].lowerBound < ranges[index - 1].upperBound {
            throw refused(
                "entries of the archive overlap (a zip bomb?); nothing of the file is counted",
                "oppføringer i arkivet overlapper (en zip-bombe?); ingenting i filen telles")
        }
    }

    /// The entry named `name` (part names are compared ignoring case, as OOXML has it).
    func entry(_ name: String) -> Entry? {
        let wanted = name.lowercased()
        return entries.first { $0.name.lowercased() == wanted }
    }

    /// Inflates `entry` and hands its bytes to `body` a chunk at a time (`body` returns false to
    /// stop). At most `maxBytes` bytes are inflated.
    func read(
        _ entry: Entry, maxBytes: UInt64, _ body: (UnsafeBufferPointer<UInt8>) throws -> Bool
    ) throws {
        guard entry.flags & 1 == 0 else {
            throw refused("\(entry.name) is encrypted", "\(entry.name) er kryptert")
        }
        guard entry.method == 0 || entry.method == 8 else {
            throw refused(
                "\(entry.name) is compressed with method \(entry.method) (only stored and deflate are read)",
                "\(entry.name) er komprimert med metode \(entry.method) (bare lagret og deflate leses)")
        }
        guard entry.size <= maxBytes else { throw tooLarge(entry, maxBytes) }
        guard let local = bytes(at: entry.localOffset, count: 30), Self.u32(local, 0) == 0x0403_4B50 else {
            throw damaged("a damaged entry header")
        }
        let dataStart = entry.localOffset + 30 + UInt64(Self.u16(local, 26)) + UInt64(Self.u16(local, 28))
        guard dataStart <= fileSize, entry.compressedSize <= fileSize - dataStart else {
            throw damaged("an entry lies outside the file")
        }
        var crc: uLong = 0
        var produced: UInt64 = 0
        var consumed: UInt64 = 0
        func deliver(_ chunk: UnsafeBufferPointer<UInt8>) throws -> Bool {
            produced += UInt64(chunk.count)
            guard produced <= entry.size else {
                throw refused(
                    "\(entry.name) holds more than the archive's directory says (a zip bomb?)",
                    "\(entry.name) inneholder mer enn arkivets katalog sier (en zip-bombe?)")
            }
            guard produced <= 1 << 20 || produced <= 1032 * max(consumed, 1) else {
                throw refused(
                    "\(entry.name) inflates more than deflate can (a crafted zip bomb?)",
                    "\(entry.name) pakkes ut mer enn deflate kan (en laget zip-bombe?)")
            }
            crc = crc32(crc, chunk.baseAddress, uInt(chunk.count))
            return try body(chunk)
        }
        var input = [UInt8](repeating: 0, count: 1 << 16)
        var offset = dataStart
        let end = dataStart + entry.compressedSize
        func nextInput() -> Int {
            let count = Int(min(UInt64(input.count), end - offset))
            guard count > 0 else { return 0 }
            let got = input.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, count, off_t(offset)) }
            guard got > 0 else { return 0 }
            offset += UInt64(got)
            consumed += UInt64(got)
            return got
        }
        if entry.method == 0 {
            while offset < end {
                let count = nextInput()
                guard count > 0 else { throw damaged("cut off") }
                consumed = produced + UInt64(count)
                if try !input.withUnsafeBufferPointer({ try deliver(UnsafeBufferPointer(rebasing: $0[..<count])) }) { return }
            }
        } else {
            let inflater = try Inflater()
            var output = [UInt8](repeating: 0, count: 1 << 18)
            var finished = false
            while !finished {
                let count = nextInput()
                if count == 0 && offset < end { throw damaged("cut off") }
                var status = Z_OK
                let keepGoing = try input.withUnsafeMutableBufferPointer { source -> Bool in
                    inflater.stream.pointee.next_in = source.baseAddress
                    inflater.stream.pointee.avail_in = uInt(count)
                    repeat {
                        let made = output.withUnsafeMutableBufferPointer { target -> Int in
                            inflater.stream.pointee.next_out = target.baseAddress
                            inflater.stream.pointee.avail_out = uInt(target.count)
                            status = inflate(inflater.stream, Z_NO_FLUSH)
                            return target.count - Int(inflater.stream.pointee.avail_out)
                        }
                        guard status == Z_OK || status == Z_STREAM_END || (status == Z_BUF_ERROR && made == 0) else {
                            throw damaged("a damaged compressed stream in \(entry.name)")
                        }
                        if made > 0,
                            try !output.withUnsafeBufferPointer({ try deliver(UnsafeBufferPointer(rebasing: $0[..<made])) })
                        {
                            return false
                        }
                    } while status == Z_OK && (inflater.stream.pointee.avail_in > 0 || inflater.stream.pointee.avail_out == 0)
                    return true
                }
                if !keepGoing { return }
                if status == Z_STREAM_END { finished = true } else if count == 0 { throw damaged("cut off") }
            }
        }
        guard produced == entry.size, UInt32(truncatingIfNeeded: crc) == entry.crc else {
            throw damaged("\(entry.name) does not match its checksum")
        }
    }

    /// The whole of a small entry (at most `maxBytes`).
    func data(_ entry: Entry, maxBytes: UInt64) throws -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(Int(min(entry.size, maxBytes)))
        try read(entry, maxBytes: maxBytes) { chunk in
            result.append(contentsOf: chunk)
            return true
        }
        return result
    }

    private func tooLarge(_ entry: Entry, _ maxBytes: UInt64) -> KvalitetError {
        refused(
            "\(entry.name) would inflate to \(entry.size) bytes (at most \(maxBytes) are read)",
            "\(entry.name) ville blitt \(entry.size) byte utpakket (høyst \(maxBytes) leses)")
    }

    static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 { UInt32(u16(bytes, at)) | UInt32(u16(bytes, at + 2)) << 16 }
    static func u64(_ bytes: [UInt8], _ at: Int) -> UInt64 { UInt64(u32(bytes, at)) | UInt64(u32(bytes, at + 4)) << 32 }
}

/// One raw inflate stream (zlib's `z_stream` must stay at one address: it is allocated here).
final class Inflater {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)

    init() throws(KvalitetError) {
        stream.initialize(to: z_stream())
        guard kvalitet_inflate_init(stream) == Z_OK else {
            stream.deallocate()
            throw KvalitetError(.inputRefused, "cannot start inflating", nb: "kan ikke begynne å pakke ut")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }
}
