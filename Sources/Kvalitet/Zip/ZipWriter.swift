import CZlib

/// Writes a zip archive (PKWARE's APPNOTE 6.3) as a stream: each entry is deflated as it is
/// written, its CRC-32 and sizes follow it in a data descriptor, and the central directory
/// comes at the end. Nothing is sought back to and no temporary file is made, so a workbook
/// goes straight into the run's output (a file written atomically, or standard output).
///
/// No ZIP64: an entry or archive of 4 GiB or more is refused (a workbook's sheet is at most
/// 1,048,576 rows; kvalitet's widest, 24 columns, stays far below it). Entries carry a fixed
/// date (1980-01-01), so the same rows give the same bytes.
struct ZipWriter {
    private struct Entry {
        var name: [UInt8]
        var crc: UInt32
        var compressedSize: UInt32
        var size: UInt32
        var offset: UInt32
    }

    private var entries: [Entry] = []
    /// Bytes written so far: the next entry's offset.
    private var offset: UInt64 = 0
    private var current: (entry: Entry, deflater: Deflater, size: UInt64)?

    /// Starts an entry (ends the one before).
    mutating func begin(_ name: String, to output: inout some TextOutput) throws(KvalitetError) {
        if current != nil { try end(to: &output) }
        let nameBytes = Array(name.utf8)
        var header = ByteWriter()
        header.u32(0x0403_4B50)
        header.u16(20)  // version needed: deflate
        header.u16(Self.flags)
        header.u16(8)  // deflate
        header.u16(0)  // time 00:00
        header.u16(Self.date)
        header.u32(0)  // CRC-32 and sizes: in the data descriptor
        header.u32(0)
        header.u32(0)
        header.u16(UInt16(nameBytes.count))
        header.u16(0)
        header.bytes += nameBytes
        let start = try checked(offset)
        try emit(header.bytes, to: &output)
        current = (Entry(name: nameBytes, crc: 0, compressedSize: 0, size: 0, offset: start), try Deflater(), 0)
    }

    /// Adds bytes to the current entry.
    mutating func write(_ bytes: [UInt8], to output: inout some TextOutput) throws(KvalitetError) {
        guard var entry = current else { return }
        entry.entry.crc = bytes.withUnsafeBufferPointer {
            UInt32(crc32(uLong(entry.entry.crc), $0.baseAddress, uInt($0.count)))
        }
        entry.size += UInt64(bytes.count)
        current = entry
        let compressed = try entry.deflater.deflate(bytes, finish: false)
        try emit(compressed, to: &output)
    }

    /// Ends the current entry: the rest of its compressed bytes and its data descriptor.
    mutating func end(to output: inout some TextOutput) throws(KvalitetError) {
        guard case (var entry, let deflater, let size)? = current else { return }
        current = nil
        try emit(try deflater.deflate([], finish: true), to: &output)
        entry.size = try checked(size)
        entry.compressedSize = try checked(deflater.written)
        var descriptor = ByteWriter()
        descriptor.u32(0x0807_4B50)
        descriptor.u32(entry.crc)
        descriptor.u32(entry.compressedSize)
        descriptor.u32(entry.size)
        try emit(descriptor.bytes, to: &output)
        entries.append(entry)
    }

    /// Ends the last entry and writes the central directory.
    mutating func finish(to output: inout some TextOutput) throws(KvalitetError) {
        try end(to: &output)
        let start = try checked(offset)
        var directory = ByteWriter()
        for entry in entries {
            directory.u32(0x0201_4B50)
            directory.u16(20)  // made by: MS-DOS attributes, version 2.0
            directory.u16(20)
            directory.u16(Self.flags)
            directory.u16(8)
            directory.u16(0)
            directory.u16(Self.date)
            directory.u32(entry.crc)
            directory.u32(entry.compressedSize)
            directory.u32(entry.size)
            directory.u16(UInt16(entry.name.count))
            directory.u16(0)  // extra field
            directory.u16(0)  // comment
            directory.u16(0)  // disk
            directory.u16(0)  // internal attributes
            directory.u32(0)  // external attributes
            directory.u32(entry.offset)
            directory.bytes += entry.name
        }
        let size = try checked(UInt64(directory.bytes.count))
        directory.u32(0x0605_4B50)
        directory.u16(0)
        directory.u16(0)
        directory.u16(UInt16(entries.count))
        directory.u16(UInt16(entries.count))
        directory.u32(size)
        directory.u32(start)
        directory.u16(0)
        try emit(directory.bytes, to: &output)
    }

    /// Data descriptor follows (bit 3); the name is UTF-8 (bit 11).
    private static let flags: UInt16 = 0x0808
    /// 1980-01-01 in MS-DOS date format.
    private static let date: UInt16 = (0 << 9) | (1 << 5) | 1

    private mutating func emit(_ bytes: [UInt8], to output: inout some TextOutput) throws(KvalitetError) {
        guard !bytes.isEmpty else { return }
        offset += UInt64(bytes.count)
        try output.write(contentsOf: bytes)
    }

    private func checked(_ value: UInt64) throws(KvalitetError) -> UInt32 {
        guard value < UInt64(UInt32.max) else {
            throw KvalitetError(
                .output, "the workbook would be 4 GiB or more, which this writer does not make: use --format csv",
                nb: "arbeidsboken ville blitt 4 GiB eller mer, som denne skriveren ikke lager: bruk --format csv")
        }
        return UInt32(value)
    }
}

/// Little-endian fields of zip headers.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u16(_ value: UInt16) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8)] }
    mutating func u32(_ value: UInt32) {
        bytes += [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
    }
}

/// One raw deflate stream (zlib's `z_stream` must stay at one address: it is allocated here).
final class Deflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    /// Compressed bytes made so far.
    private(set) var written: UInt64 = 0

    init() throws(KvalitetError) {
        stream.initialize(to: z_stream())
        // Level 6 (zlib's default): a national run's sheet of 800,000 rows deflates ~10× at
        // about the speed the rows are made.
        guard kvalitet_deflate_init(stream, Z_DEFAULT_COMPRESSION) == Z_OK else {
            stream.deallocate()
            throw KvalitetError(
                .output, "cannot start compressing the workbook", nb: "kan ikke begynne å komprimere arbeidsboken")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// The compressed bytes `input` gives (all that is left with `finish`).
    func deflate(_ input: [UInt8], finish: Bool) throws(KvalitetError) -> [UInt8] {
        var result: [UInt8] = []
        var status = Z_OK
        input.withUnsafeBufferPointer { source in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.pointee.avail_in = uInt(source.count)
            repeat {
                buffer.withUnsafeMutableBufferPointer { target in
                    stream.pointee.next_out = target.baseAddress
                    stream.pointee.avail_out = uInt(target.count)
                    status = CZlib.deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
                    let made = target.count - Int(stream.pointee.avail_out)
                    result.append(contentsOf: target[..<made])
                }
            } while status == Z_OK && (finish || stream.pointee.avail_out == 0)
            stream.pointee.next_in = nil
        }
        guard status == Z_OK || status == Z_BUF_ERROR || status == Z_STREAM_END else {
            throw KvalitetError(
                .output, "cannot compress the workbook (zlib \(status))", nb: "kan ikke komprimere arbeidsboken (zlib \(status))")
        }
        written += UInt64(result.count)
        return result
    }
}
