#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// Finds every duplicate respondent of a run of CSV files before it is scored, in memory that
/// does not grow with the number of responses (issue #6: under 200 MB at any size).
///
/// Duplicate detection is exact (FORMAT.md §5: the first response of a respondent id in a set and
/// period counts, later ones are `duplicate-respondent`), so every registered id must be compared
/// with every other. Kept in memory that costs about 30 bytes per response (``RespondentIndex``):
/// 300 MB at 10 million. This scan instead reads the files once ahead, applying the same checks
/// as the collector up to the point where an id is registered (``ResponseCollector/admission``),
/// and writes each registered id with where it was read to one of 64 temporary files chosen by
/// the id's hash. Each temporary file is then sorted on its own (a 64th of the ids at a time):
/// within a run of equal (set, period, id), every response after the first is a duplicate.
/// Scoring then asks ``KnownDuplicates`` instead of keeping ids, and since the answer is the same
/// the whole result is: scores, rejects report, its order, `--strict`'s first problem.
///
/// A file is scanned in parts on the cores like scoring reads it (same split points, same
/// fallback when a part runs over its end: the parts after it are ignored). A file whose set
/// cannot be decided, or that cannot be read, ends the scan: scoring will stop at that file with
/// its error, so nothing after it is ever asked about.
struct DuplicateScan {
    let reader: CSVResponseReader
    let catalog: IndicatorSetCatalog
    let defaultSet: String?
    let parts: Int
    let minimumPartBytes: Int

    static let partitionCount = 64

    /// One worker's temporary files, one per hash partition.
    final class Partitions: @unchecked Sendable {
        // @unchecked: used by one worker at a time (its part index), read after all have finished.
        let files: [SpillFile]
        init() throws(KvalitetError) {
            var files: [SpillFile] = []
            for _ in 0..<DuplicateScan.partitionCount { files.append(try SpillFile()) }
            self.files = files
        }
    }

    /// Receives a part's responses and writes the registered ones: per entry the key's length
    /// (4 bytes), the key (set, period and id, separated by U+001F), the file index and part
    /// (8 bytes: file × 256 + part) and the offset (8 bytes).
    struct Registration: ResponseSink {
        let set: String
        let source: UInt64
        let partitions: Partitions
        var key: [UInt8] = []

        mutating func receive(_ record: ResponseRecord, from file: InputFile) throws {
            guard case .registered(let respondent, let period) = ResponseCollector.admission(of: record, set: set) else { return }
            key.removeAll(keepingCapacity: true)
            key.append(contentsOf: set.utf8)
            key.append(0x1F)
            key.append(contentsOf: period.utf8)
            key.append(0x1F)
            key.append(contentsOf: respondent.utf8)
            let hash = key.withUnsafeBufferPointer { RespondentIndex.hash($0) }
            let spill = partitions.files[Int(UInt(bitPattern: hash) % UInt(DuplicateScan.partitionCount))]
            try spill.append(UInt64(key.count))
            try key.withUnsafeBufferPointer { buffer throws(KvalitetError) in try spill.append(buffer) }
            try spill.append(source)
            try spill.append(UInt64(record.offset ?? 0))
        }

        mutating func report(_ problem: Problem) throws {}
    }

    /// The set of `file`, decided by its first response as the collector decides it; nil when
    /// the file has none or it cannot be decided (scoring then reports that).
    private func setOfFirstResponse(_ file: InputFile, layout: CSVResponseReader.Layout) -> String? {
        struct First: ResponseSink {
            var set: String?
            struct Found: Error {}
            mutating func receive(_ record: ResponseRecord, from file: InputFile) throws {
                set = record.set?.trimmingSpaces ?? ""
                throw Found()
            }
            mutating func report(_ problem: Problem) throws {}
        }
        var first = First()
        do {
            _ = try reader.read(file, layout: layout, from: (layout.dataOffset, layout.dataLine), until: nil, into: &first)
        } catch is First.Found {} catch { return nil }
        guard let named = first.set else { return nil }
        let id = named.isEmpty ? defaultSet : named
        return id.flatMap { catalog[$0] == nil ? nil : $0 }
    }

    /// What a scan found: the duplicates, and the layout of each file it read (by place in the
    /// run), so that scoring need not work it out again.
    struct Outcome {
        let duplicates: KnownDuplicates
        let layouts: [Int: CSVResponseReader.Layout]
    }

    /// The duplicates among the responses of `files` (in this order).
    func run(_ files: [InputFile]) throws(KvalitetError) -> Outcome {
        var layouts: [Int: CSVResponseReader.Layout] = [:]
        var workers: [Partitions] = []
        /// (file index × 256 + part) of the parts whose entries do not count.
        var ignored: Set<UInt64> = []
        files: for (fileIndex, file) in files.enumerated() {
            try Interruption.check(file.name)
            guard let layout = try? reader.layout(of: file) else { break }
            layouts[fileIndex] = layout
            guard let set = setOfFirstResponse(file, layout: layout) else { break }
            let points = (try? reader.splitPoints(of: file, layout: layout, parts: parts, minimumPartBytes: minimumPartBytes))
                ?? [(layout.dataOffset, layout.dataLine)]
            while workers.count < points.count { workers.append(try Partitions()) }
            final class Outcomes: @unchecked Sendable {
                // @unchecked: each slot is written by one worker, read after all have finished.
                var crossed: [Bool]
                var failed: [Bool]
                init(_ count: Int) { (crossed, failed) = (Array(repeating: false, count: count), Array(repeating: false, count: count)) }
            }
            let outcomes = Outcomes(points.count)
            let (reader, workerList) = (self.reader, workers)
            DispatchQueue.concurrentPerform(iterations: points.count) { index in
                var sink = Registration(set: set, source: UInt64(fileIndex) << 8 | UInt64(index), partitions: workerList[index])
                let end = index + 1 < points.count ? points[index + 1] : nil
                do {
                    outcomes.crossed[index] = try reader.read(file, layout: layout.unshared(), from: points[index], until: end,
                        onlyFields: true, into: &sink)
                } catch {
                    outcomes.failed[index] = true
                }
            }
            for index in points.indices {
                if outcomes.failed[index] { break files }
                if outcomes.crossed[index] {
                    for later in (index + 1)..<max(index + 1, points.count) { ignored.insert(UInt64(fileIndex) << 8 | UInt64(later)) }
                    break
                }
            }
        }
        var duplicates: [Int: [Int]] = [:]
        for partition in 0..<Self.partitionCount {
            try Interruption.check(files.last?.name ?? "")
            var entries = Entries()
            for worker in workers { entries.add(try worker.files[partition].contents(), ignoring: ignored) }
            for (fileIndex, offset) in entries.laterOccurrences() { duplicates[fileIndex, default: []].append(offset) }
        }
        return Outcome(duplicates: KnownDuplicates(duplicates.mapValues { $0.sorted() }), layouts: layouts)
    }

    /// The entries of one partition, to be sorted.
    struct Entries {
        var bytes: [UInt8] = []
        var keyStarts: [Int] = []
        var keyLengths: [Int] = []
        /// File index and offset, ordered as the run reads them.
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
        /// the same response read twice (by two overlapping parts) is one.
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
                        memcmp(arena.baseAddress! + keyStarts[entry], arena.baseAddress! + keyStarts[previous], keyLengths[entry]) == 0,
                        (files[entry], offsets[entry]) != (files[previous], offsets[previous])
                    else { continue }
                    later.append((files[entry], offsets[entry]))
                }
            }
            return later
        }
    }
}

/// The responses a ``DuplicateScan`` found to be duplicates: the file's place in the run (a file
/// given twice is two files) → their offsets, sorted.
final class KnownDuplicates: Sendable {
    let offsets: [Int: [Int]]

    init(_ offsets: [Int: [Int]]) { self.offsets = offsets }

    var count: Int { offsets.values.reduce(0) { $0 + $1.count } }

    func contains(file: Int, offset: Int) -> Bool {
        guard let sorted = offsets[file] else { return false }
        var (low, high) = (0, sorted.count)
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < offset { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == offset
    }
}
