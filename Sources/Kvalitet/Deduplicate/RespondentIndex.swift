#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The respondent ids seen in one set and period (duplicate detection), optionally with where
/// each was read (the parts of a file read at once need that to take a response back).
///
/// Written here rather than a `[String: RecordPosition]`: at national scale (millions of ids) a
/// dictionary costs about 70–100 bytes per id at its peak (32-byte buckets at most 3/4 full, and
/// the old table alive while a new one is filled). This keeps the ids' bytes one after another in
/// one array, a 4-byte end per id and 8-byte buckets (index and hash bits), 3/8 to 3/4 of them
/// used: 20–30 bytes per id of typical length, 12 more with positions. Lookups compare bytes, so the answer is exact.
struct RespondentIndex {
    struct Position: Equatable {
        var offset: Int
        var line: Int
    }

    /// The ids' UTF-8 bytes, in insertion order.
    private var bytes: [UInt8] = []
    /// Where each id ends in `bytes` (it starts where the one before ends); 4 bytes each.
    private var ends: [UInt32] = []
    /// Where each id was read (when tracked): byte offset and line, apart (12 bytes, not 16).
    private var offsets: [Int] = []
    private var lines: [UInt32] = []
    let tracksPositions: Bool
    /// Open addressing, linear probing. Per bucket, the entry index + 1 (0: empty) in the low
    /// 32 bits and the high 32 bits of the id's hash in the high ones: a probe reads one word (one
    /// cache miss in a table of millions), and the buckets it passes are ruled out by their hash
    /// without comparing bytes.
    private var buckets: [UInt64] = Array(repeating: 0, count: 16)

    init(tracksPositions: Bool = false) {
        self.tracksPositions = tracksPositions
    }

    var count: Int { ends.count }

    /// Adds `id` unless present; true when it was added.
    @discardableResult
    mutating func insert(_ id: String, position: Position? = nil) -> Bool {
        var id = id
        return id.withUTF8 { insert(bytes: $0, position: position) }
    }

    func contains(_ id: String) -> Bool {
        var id = id
        return id.withUTF8 { find($0).found }
    }

    /// Adds every id of `other` that is not here yet (their positions when both track them).
    mutating func formUnion(_ other: RespondentIndex) {
        // Empty here: take other's storage as it is (shared, not copied; the caller then drops
        // other, so nothing is copied at all).
        if count == 0 && (!tracksPositions || other.tracksPositions) {
            bytes = other.bytes
            ends = other.ends
            buckets = other.buckets
            if tracksPositions {
                offsets = other.offsets
                lines = other.lines
            }
            return
        }
        for entry in 0..<other.count {
            other.withEntry(entry) { id in
                _ = insert(bytes: id, position: other.tracksPositions ? other.position(entry) : nil)
            }
        }
    }

    /// The ids here that `other` has too, in insertion order, with their positions here.
    func common(with other: RespondentIndex) -> [Position] {
        var found: [Position] = []
        for entry in 0..<count {
            withEntry(entry) { id in
                if other.find(id).found { found.append(tracksPositions ? position(entry) : Position(offset: -1, line: 0)) }
            }
        }
        return found
    }

    private func position(_ entry: Int) -> Position {
        Position(offset: offsets[entry], line: Int(lines[entry]))
    }

    // MARK: - Table

    private func withEntry<R>(_ entry: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let start = entry == 0 ? 0 : Int(ends[entry - 1])
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<Int(ends[entry])])) }
    }

    /// FNV-1a: deterministic across runs, and good enough for short ids with linear probing.
    static func hash(_ id: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// The hash bits kept in a bucket (its high half).
    @inline(__always)
    private static func tag(_ hash: Int) -> UInt64 { UInt64(UInt(bitPattern: hash)) & 0xFFFF_FFFF_0000_0000 }

    /// The bucket holding `id`, or the empty bucket where it would go.
    private func find(_ id: UnsafeBufferPointer<UInt8>) -> (found: Bool, bucket: Int, tag: UInt64) {
        let hash = Self.hash(id)
        let tag = Self.tag(hash)
        let mask = buckets.count - 1
        return bytes.withUnsafeBufferPointer { arena in
            ends.withUnsafeBufferPointer { ends in
                buckets.withUnsafeBufferPointer { buckets in
                    var bucket = hash & mask
                    while true {
                        let word = buckets[bucket]
                        if word == 0 { return (false, bucket, tag) }
                        if word & 0xFFFF_FFFF_0000_0000 == tag {
                            let slot = Int(truncatingIfNeeded: word & 0xFFFF_FFFF)
                            let end = Int(ends[slot - 1])
                            let start = slot == 1 ? 0 : Int(ends[slot - 2])
                            if end - start == id.count
                                && (id.isEmpty || memcmp(arena.baseAddress! + start, id.baseAddress!, id.count) == 0)
                            {
                                return (true, bucket, tag)
                            }
                        }
                        bucket = (bucket + 1) & mask
                    }
                }
            }
        }
    }

    mutating func insert(bytes id: UnsafeBufferPointer<UInt8>, position: Position?) -> Bool {
        let (found, bucket, tag) = find(id)
        if found { return false }
        precondition(
            count < Int(Int32.max) - 1 && bytes.count + id.count < Int(UInt32.max),
            "more respondents than one run can hold")
        bytes.append(contentsOf: id)
        ends.append(UInt32(bytes.count))
        if tracksPositions {
            let position = position ?? Position(offset: -1, line: 0)
            offsets.append(position.offset)
            lines.append(UInt32(clamping: position.line))
        }
        buckets[bucket] = tag | UInt64(count)
        if count * 4 > buckets.count * 3 { grow() }
        return true
    }

    private mutating func grow() {
        var larger = [UInt64](repeating: 0, count: buckets.count * 2)
        let mask = larger.count - 1
        larger.withUnsafeMutableBufferPointer { larger in
            for entry in 0..<count {
                let hash = withEntry(entry) { Self.hash($0) }
                var bucket = hash & mask
                while larger[bucket] != 0 { bucket = (bucket + 1) & mask }
                larger[bucket] = Self.tag(hash) | UInt64(entry + 1)
            }
        }
        buckets = larger
    }
}
