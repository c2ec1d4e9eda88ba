/// The deduplicate stage (FORMAT.md §2: a respondent counts once per set and period): every
/// response that passed the rules before it is registered here under its respondent id, and a
/// second one with the same id is a `duplicate-respondent`.
///
/// Ids are kept in memory (``RespondentIndex`` per set and period, with where each was read when
/// a part of a file read at once may have to take one back), or, in a large run, written to
/// temporary files and the duplicates found afterwards (``IDsOnDisk``): a response is then a
/// duplicate when it is one of the `knownDuplicates` (by file and offset).
struct RespondentRegistry {
    struct SlicedKey: Hashable {
        var set: String
        var period: String
    }

    /// Whether the in-memory indexes keep where each id was read (a part of a file read at once).
    let tracksPositions: Bool
    /// The duplicates already known (a large run): when set, ids are not kept in memory; those
    /// registered are written to `idSpill`, if given, as from `idPart`.
    var knownDuplicates: KnownDuplicates?
    var idSpill: IDsOnDisk.IDSpill?
    var idPart = IDsOnDisk.wholeFile
    /// The current file's place in the run (counted by `begin`; a part is told its file's).
    var fileNumber = -1

    /// Kept in an array reached through `slots` (and the last slice used), so checking an id
    /// does not copy an index out of a dictionary (a retain and release of each of its arrays per
    /// response).
    private var indexes: [RespondentIndex] = []
    private var slots: [SlicedKey: Int] = [:]
    private var lastSlot: (key: SlicedKey, slot: Int)?
    /// For rows whose fields are bytes, per file: the slot of the last period's bytes.
    private var rawPeriodSlot: (period: [UInt8], slot: Int)?

    init(tracksPositions: Bool) {
        self.tracksPositions = tracksPositions
    }

    /// The ids seen, per set and period.
    var seen: [SlicedKey: RespondentIndex] { slots.mapValues { indexes[$0] } }

    /// The ids seen in one set and period, if any.
    func seen(in slice: SlicedKey) -> RespondentIndex? { slots[slice].map { indexes[$0] } }

    mutating func beginFile() {
        fileNumber += 1
        rawPeriodSlot = nil
    }

    /// The position of `slice`'s index in `indexes`, made when new.
    private mutating func slot(_ slice: SlicedKey) -> Int {
        if let last = lastSlot, last.key == slice { return last.slot }
        let slot =
            slots[slice]
            ?? {
                indexes.append(RespondentIndex(tracksPositions: tracksPositions))
                slots[slice] = indexes.count - 1
                return indexes.count - 1
            }()
        lastSlot = (slice, slot)
        return slot
    }

    /// Registers a response given as text; true when it is a duplicate (then not registered).
    mutating func registerIsDuplicate(
        set: String, period: String, respondent: String, offset: Int?, line: Int
    )
        throws(KvalitetError) -> Bool
    {
        if let knownDuplicates {
            let duplicate = knownDuplicates.contains(file: fileNumber, offset: offset ?? -1)
            if !duplicate, let idSpill {
                try idSpill.add(
                    set: set, period: period, respondent: respondent,
                    source: IDsOnDisk.source(file: fileNumber, part: idPart), offset: offset ?? -1)
            }
            return duplicate
        }
        let slot = slot(SlicedKey(set: set, period: period))
        return !indexes[slot].insert(respondent, position: RespondentIndex.Position(offset: offset ?? -1, line: line))
    }

    /// Registers a response whose fields are the bytes of `cells` (the respondent and period at
    /// `respondent` and `period`, cell `periodCell` being the period's); true when a duplicate.
    mutating func registerIsDuplicate(
        set: String, cells: RawCells, respondent: Range<Int>, period: Range<Int>,
        periodCell: Int, offset: Int?, line: Int
    ) throws(KvalitetError) -> Bool {
        if let knownDuplicates {
            let duplicate = knownDuplicates.contains(file: fileNumber, offset: offset ?? -1)
            if !duplicate, let idSpill {
                let (source, offset) = (IDsOnDisk.source(file: fileNumber, part: idPart), offset ?? -1)
                try cells.withUTF8(period) { period throws(KvalitetError) in
                    try cells.withUTF8(respondent) { id throws(KvalitetError) in
                        try idSpill.add(set: set, period: period, respondent: id, source: source, offset: offset)
                    }
                }
            }
            return duplicate
        }
        let slot: Int
        if let last = rawPeriodSlot, last.period.elementsEqual(cells.bytes[period]) {
            slot = last.slot
        } else {
            slot = self.slot(SlicedKey(set: set, period: cells.trimmedText(periodCell)))
            rawPeriodSlot = (Array(cells.bytes[period]), slot)
        }
        let position = RespondentIndex.Position(offset: offset ?? -1, line: line)
        return !cells.withUTF8(respondent) { indexes[slot].insert(bytes: $0, position: position) }
    }

    /// Adds the ids a later part of the same file registered.
    mutating func absorb(_ part: RespondentRegistry) {
        for (slice, partSlot) in part.slots {
            indexes[slot(slice)].formUnion(part.indexes[partSlot])
        }
    }
}
