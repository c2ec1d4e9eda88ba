#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The finest group a counted respondent belongs to: set, period, municipality, service, unit
/// and breakdown value. Every level's rows are built from these (the build stage, ``ScoreBuilder``).
struct CellKey: Hashable {
    var set: String
    var period: String
    var municipality: String
    var service: String
    var unit: String
    var breakdownValue: String
}

/// The accumulate stage: a ``Tally`` per finest group (``CellKey``), in the order the groups
/// were met. A group is found by its key, or, for rows whose fields are bytes, by those bytes
/// (text is made only for a group not met before in the file); consecutive responses mostly
/// share a group, so the previous one is tried first.
struct GroupTallies {
    private(set) var keys: [CellKey] = []
    private(set) var tallies: [Tally] = []
    private var index: [CellKey: Int] = [:]
    private var last: (key: CellKey, index: Int)?
    /// Per file: the group of each key's bytes, the last one, and reused buffers.
    private var rawGroups: [[UInt8]: Int] = [:]
    private var lastRawGroup: (key: [UInt8], index: Int)?
    private var groupKey: [UInt8] = []
    private var keyRanges: [Range<Int>] = []

    mutating func beginFile() {
        rawGroups.removeAll()
        lastRawGroup = nil
    }

    /// The position of group `key`'s tally, made when new.
    mutating func slot(_ key: CellKey, set: CompiledSet) -> Int {
        if let last, last.key == key { return last.index }
        let slot: Int
        if let existing = index[key] {
            slot = existing
        } else {
            slot = tallies.count
            index[key] = slot
            keys.append(key)
            tallies.append(Tally(set))
        }
        last = (key, slot)
        return slot
    }

    /// The position of the tally of the group whose period, municipality, service, unit and
    /// breakdown value are the bytes of `cells` at `period`…`breakdown`.
    mutating func slot(
        set: CompiledSet, cells: RawCells, period: Range<Int>, municipality: Range<Int>,
        service: Range<Int>, unit: Range<Int>, breakdown: Range<Int>
    ) -> Int {
        keyRanges.removeAll(keepingCapacity: true)
        keyRanges.append(period)
        keyRanges.append(municipality)
        keyRanges.append(service)
        keyRanges.append(unit)
        keyRanges.append(breakdown)
        if let last = lastRawGroup, Self.groupKey(last.key, holds: keyRanges, of: cells.bytes) { return last.index }
        groupKey.removeAll(keepingCapacity: true)
        cells.bytes.withUnsafeBufferPointer { bytes in
            for range in keyRanges {
                withUnsafeBytes(of: UInt32(range.count)) { groupKey.append(contentsOf: $0) }
                groupKey.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
            }
        }
        let found: Int
        if let known = rawGroups[groupKey] {
            found = known
        } else {
            func text(_ range: Range<Int>) -> String {
                cells.bytes.withUnsafeBufferPointer { cells.encoding.decode(UnsafeBufferPointer(rebasing: $0[range])) }
            }
            found = slot(
                CellKey(
                    set: set.id, period: text(period), municipality: text(municipality),
                    service: text(service), unit: text(unit), breakdownValue: text(breakdown)), set: set)
            rawGroups[groupKey] = found
        }
        lastRawGroup = (groupKey, found)
        return found
    }

    /// Adds (sign 1) or takes back (sign −1) one respondent's cells to the tally at `slot`.
    @inline(__always)
    mutating func add(_ slot: Int, cells: [Int], set: CompiledSet, sign: Int) {
        tallies[slot].add(cells: cells, set: set, sign: sign)
    }

    /// Adds what a later part of the same file accumulated.
    mutating func absorb(_ part: GroupTallies) {
        for (position, key) in part.keys.enumerated() {
            if let existing = index[key] {
                tallies[existing].merge(part.tallies[position])
            } else {
                index[key] = tallies.count
                keys.append(key)
                tallies.append(part.tallies[position])
            }
        }
        last = nil
    }

    /// Whether `key` (each field's length as 4 bytes, then its bytes) is of the fields at
    /// `ranges` of `bytes`: the previous row's group is checked without building a key.
    private static func groupKey(_ key: [UInt8], holds ranges: [Range<Int>], of bytes: [UInt8]) -> Bool {
        key.withUnsafeBytes { key in
            bytes.withUnsafeBytes { bytes in
                var offset = 0
                for range in ranges {
                    guard offset + 4 + range.count <= key.count,
                        key.loadUnaligned(fromByteOffset: offset, as: UInt32.self) == UInt32(range.count),
                        range.isEmpty
                            || memcmp(key.baseAddress! + offset + 4, bytes.baseAddress! + range.lowerBound, range.count) == 0
                    else { return false }
                    offset += 4 + range.count
                }
                return offset == key.count
            }
        }
    }
}
