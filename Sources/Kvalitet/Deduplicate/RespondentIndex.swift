#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The respondent ids seen in one set and period (duplicate detection), optionally with where
/// each was read (the parts of a file read at once need that to take a response back). Any
/// byte strings can be kept so: ``GroupTallies`` finds a row's group by its key bytes here.
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

    /// Eight bytes at a time (a group key is some 60 bytes), each word multiplied in, then
    /// MurmurHash3's finaliser, so low bits (the bucket) and high bits (the tag) both depend on
    /// every byte. Deterministic across runs; lookups compare bytes, so a collision costs a probe,
    /// never a wrong answer.
    static func hash(_ id: UnsafeBufferPointer<UInt8>) -> Int {
        let raw = UnsafeRawBufferPointer(id)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(raw.count)
        var offset = 0
        while offset + 8 <= raw.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 32
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < raw.count {
            tail |= UInt64(raw[offset]) << shift
            shift += 8
            offset += 1
        }
        h = (h ^ tail) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h &*= 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }

    /// The hash bits kept in a bucket (its high half).
    @inline(__always)
    private static func tag(_ hash: Int) -> UInt64 { UInt64(UInt(bitPattern: hash)) & 0xFFFF_FFFF_0000_0000 }

    /// The bucket holding `id` and its entry, or the empty bucket where it would go (entry −1).
    private func find(_ id: UnsafeBufferPointer<UInt8>) -> (found: Bool, bucket: Int, tag: UInt64, entry: Int) {
        let hash = Self.hash(id)
        let tag = Self.tag(hash)
        let mask = buckets.count - 1
        return bytes.withUnsafeBufferPointer { arena in
            ends.withUnsafeBufferPointer { ends in
                buckets.withUnsafeBufferPointer { buckets in
                    var bucket = hash & mask
                    while true {
                        let word = buckets[bucket]
                        if word == 0 { return (false, bucket, tag, -1) }
                        if word & 0xFFFF_FFFF_0000_0000 == tag {
                            let slot = Int(truncatingIfNeeded: word & 0xFFFF_FFFF)
                            let end = Int(ends[slot - 1])
                            let start = slot == 1 ? 0 : Int(ends[slot - 2])
                            if end - start == id.count
                                && (id.isEmpty || memcmp(arena.baseAddress! + start, id.baseAddress!, id.count) == 0)
                            {
                                return (true, bucket, tag, slot - 1)
                            }
                        }
                        bucket = (bucket + 1) & mask
                    }
                }
            }
        }
    }

    mutating func insert(bytes id: UnsafeBufferPointer<UInt8>, position: Position?) -> Bool {
        entry(for: id, position: position).inserted
    }

    /// The entry of `id` (its place in insertion order), added with `position` when absent.
    mutating func entry(for id: UnsafeBufferPointer<UInt8>, position: Position? = nil) -> (index: Int, inserted: Bool) {
        let (found, bucket, tag, entry) = find(id)
        if found { return (entry, false) }
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
        return (count - 1, true)
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
