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
/// hashed where they lie into a table of the file's keys (``RespondentIndex``: no text and no
/// allocation per row; text is made only for a group not met before in the file). Consecutive
/// responses mostly share a group in files sorted by unit, so the previous one is tried first.
struct GroupTallies {
    private(set) var keys: [CellKey] = []
    private(set) var tallies: [Tally] = []
    private var index: [CellKey: Int] = [:]
    private var last: (key: CellKey, index: Int)?
    /// Per file: the keys' bytes met (each field's length as 4 bytes, then its bytes), the tally
    /// of each, the last row's key and group, and the buffer a row's key is built in.
    private var rawKeys = RespondentIndex()
    private var rawGroups: [Int] = []
    private var lastRawKey: [UInt8] = []
    private var lastRawGroup = -1
    private var groupKey: [UInt8] = []

    mutating func beginFile() {
        rawKeys = RespondentIndex()
        rawGroups.removeAll()
        lastRawGroup = -1
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
        groupKey.removeAll(keepingCapacity: true)
        cells.bytes.withUnsafeBufferPointer { bytes in
            func append(_ range: Range<Int>) {
                withUnsafeBytes(of: UInt32(range.count)) { groupKey.append(contentsOf: $0) }
                groupKey.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
            }
            append(period)
            append(municipality)
            append(service)
            append(unit)
            append(breakdown)
        }
        if lastRawGroup >= 0 && groupKey == lastRawKey { return lastRawGroup }
        let (entry, inserted) = groupKey.withUnsafeBufferPointer { rawKeys.entry(for: $0) }
        if inserted {
            func text(_ range: Range<Int>) -> String {
                cells.bytes.withUnsafeBufferPointer { cells.encoding.decode(UnsafeBufferPointer(rebasing: $0[range])) }
            }
            rawGroups.append(
                slot(
                    CellKey(
                        set: set.id, period: text(period), municipality: text(municipality),
                        service: text(service), unit: text(unit), breakdownValue: text(breakdown)), set: set))
        }
        lastRawGroup = rawGroups[entry]
        swap(&groupKey, &lastRawKey)
        return lastRawGroup
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
}
