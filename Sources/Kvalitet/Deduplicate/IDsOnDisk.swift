#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Duplicate detection for large runs in memory that does not grow with the number of responses
/// (issue #6: under 200 MB at any size).
///
/// Duplicate detection is exact (FORMAT.md §5: the first response of a respondent id in a set
/// and period counts, later ones are `duplicate-respondent`), so every registered id must be
/// compared with every other. Kept in memory (``RespondentIndex``) that costs about 30 bytes per
/// response: 300 MB at 10 million. A large run instead reads its files assuming no duplicates,
/// and every collector writes each id it registers, with where it was read, to one of 64
/// temporary files chosen by the id's hash (``IDSpill``). Each temporary file is then sorted on
/// its own, a 64th of the ids at a time: within a run of equal (set, period, id), every response
/// after the first is a duplicate (``laterOccurrences``). None, as in almost every export: the
/// result stands. Some: the run is read again knowing them (``KnownDuplicates``), so the result,
/// the rejects report, its order and `--strict`'s first problem are exactly those of one read
/// with an index in memory; only time is spent twice.
enum IDsOnDisk {
    static let partitionCount = 64

    /// The temporary files one collector at a time writes registered ids to.
    final class IDSpill: @unchecked Sendable {
        // @unchecked: used by one collector at a time (the run's, or one part's), read after
        // all have finished.
        let files: [SpillFile]
        /// Where an entry is put together (see `add`).
        private var entry = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 256)

        init() throws(KvalitetError) {
            var files: [SpillFile] = []
            for _ in 0..<IDsOnDisk.partitionCount { files.append(try SpillFile()) }
            self.files = files
        }

        /// Writes one registered id: the key's length (8 bytes), the key (set, period and id,
        /// separated by U+001F), where it was read (file number × 256 + part, 8 bytes) and its
        /// offset in the file (8 bytes).
        func add(set: String, period: String, respondent: String, source: UInt64, offset: Int) throws(KvalitetError) {
            // The texts' own bytes (no copy); `withUTF8` only rethrows what `add` throws.
            var (period, respondent) = (period, respondent)
            var failure: KvalitetError?
            period.withUTF8 { period in
                respondent.withUTF8 { respondent in
                    do throws(KvalitetError) {
                        try add(set: set, period: period, respondent: respondent, source: source, offset: offset)
                    } catch {
                        failure = error
                    }
                }
            }
            if let failure { throw failure }
        }

        /// The same, with the period and the respondent id as UTF-8.
        func add(
            set: String, period: UnsafeBufferPointer<UInt8>, respondent: UnsafeBufferPointer<UInt8>, source: UInt64,
            offset: Int
        ) throws(KvalitetError) {
            // The whole entry is put together here and written in one go.
            let setBytes = set.utf8.count
            let length = setBytes + period.count + respondent.count + 2
            if entry.count < length + 24 {
                entry.deallocate()
                entry = .allocate(capacity: max(length + 24, 2 * entry.count))
            }
            let base = UnsafeMutableRawPointer(entry.baseAddress!)
            base.storeBytes(of: UInt64(length).littleEndian, toByteOffset: 0, as: UInt64.self)
            var position = 8
            for byte in set.utf8 {
                entry[position] = byte
                position += 1
            }
            entry[position] = 0x1F
            if !period.isEmpty { (entry.baseAddress! + position + 1).update(from: period.baseAddress!, count: period.count) }
            position += 1 + period.count
            entry[position] = 0x1F
            if !respondent.isEmpty {
                (entry.baseAddress! + position + 1).update(from: respondent.baseAddress!, count: respondent.count)
            }
            position += 1 + respondent.count
            base.storeBytes(of: source.littleEndian, toByteOffset: position, as: UInt64.self)
            base.storeBytes(of: UInt64(bitPattern: Int64(offset)).littleEndian, toByteOffset: position + 8, as: UInt64.self)
            let hash = RespondentIndex.hash(UnsafeBufferPointer(start: entry.baseAddress! + 8, count: length))
            let spill = files[Int(UInt(bitPattern: hash) % UInt(IDsOnDisk.partitionCount))]
            try spill.append(UnsafeBufferPointer(start: entry.baseAddress!, count: position + 16))
        }

        deinit { entry.deallocate() }
    }

    /// Where a collector's ids come from: a part of a file (0, 1, …) or a whole file.
    static let wholeFile: UInt64 = 0xFF

    static func source(file: Int, part: UInt64) -> UInt64 { UInt64(file) << 8 | part }

    /// The duplicates among the ids `spills` hold, leaving out those of the `ignored` sources
    /// (parts that were read again another way).
    static func duplicates(in spills: [IDSpill], ignoring ignored: Set<UInt64>) throws(KvalitetError) -> KnownDuplicates {
        var duplicates: [Int: [Int]] = [:]
        for partition in 0..<partitionCount {
            var entries = Entries()
            for spill in spills { entries.add(try spill.files[partition].contents(), ignoring: ignored) }
            for (file, offset) in entries.laterOccurrences() { duplicates[file, default: []].append(offset) }
        }
        return KnownDuplicates(duplicates.mapValues { $0.sorted() })
    }

    /// The entries of one partition, to be sorted.
    struct Entries {
        var bytes: [UInt8] = []
        var keyStarts: [Int] = []
        var keyLengths: [Int] = []
        /// File number and offset: the order the run reads them in.
        var files: [Int] = []
        var offsets: [Int] = []

        mutating func add(_ data: [UInt8], ignoring ignored: Set<UInt64>) {
            var position = 0
            func number() -> UInt64 {
                var value: UInt64 = 0
                for index in 0..<8 { value |= UInt64(data[position + index]) << (8 * UInt64(index)) }
                position += 8
                return value
            }
            while position < data.count {
                let length = Int(number())
                let keyStart = position
                position += length
                let source = number()
                let offset = Int(number())
                if ignored.contains(source) { continue }
                keyStarts.append(bytes.count)
                keyLengths.append(length)
                bytes.append(contentsOf: data[keyStart..<(keyStart + length)])
                files.append(Int(source >> 8))
                offsets.append(offset)
            }
        }

        /// Every entry after the first of its key (by file, then offset), as (file, offset);
        /// the same response written twice is one.
        func laterOccurrences() -> [(Int, Int)] {
            let order = bytes.withUnsafeBufferPointer { arena in
                keyStarts.indices.sorted { a, b in
                    let (la, lb) = (keyLengths[a], keyLengths[b])
                    let compared = memcmp(arena.baseAddress! + keyStarts[a], arena.baseAddress! + keyStarts[b], min(la, lb))
                    if compared != 0 { return compared < 0 }
                    if la != lb { return la < lb }
                    return (files[a], offsets[a]) < (files[b], offsets[b])
                }
            }
            var later: [(Int, Int)] = []
            bytes.withUnsafeBufferPointer { arena in
                for (rank, entry) in order.enumerated() where rank > 0 {
                    let previous = order[rank - 1]
                    guard keyLengths[entry] == keyLengths[previous],
                        memcmp(arena.baseAddress! + keyStarts[entry], arena.baseAddress! + keyStarts[previous], keyLengths[entry])
                            == 0,
                        (files[entry], offsets[entry]) != (files[previous], offsets[previous])
                    else { continue }
                    later.append((files[entry], offsets[entry]))
                }
            }
            return later
        }
    }
}

/// The responses found to be duplicates: the file's place in the run (a file given twice is two
/// files) → their offsets, sorted. Empty on a run's first read, which assumes none.
final class KnownDuplicates: Sendable {
    let offsets: [Int: [Int]]

    init(_ offsets: [Int: [Int]] = [:]) { self.offsets = offsets }

    /// A copy with storage of its own, for a thread reading a part: an object both cores retain
    /// and release for every response has its reference count bounce between their caches
    /// (that made a run with ids on disk a fifth slower).
    func unshared() -> KnownDuplicates {
        var copy: [Int: [Int]] = [:]
        for (file, list) in offsets { copy[file] = list.map { $0 } }
        return KnownDuplicates(copy)
    }

    var isEmpty: Bool { offsets.isEmpty }

    func contains(file: Int, offset: Int) -> Bool {
        guard !offsets.isEmpty, let sorted = offsets[file] else { return false }
        var (low, high) = (0, sorted.count)
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < offset { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == offset
    }
}
