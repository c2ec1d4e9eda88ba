/// An indicator set prepared for scoring: items in one flat list (dimension by dimension), and
/// each item's value and positive flag per code looked up in a table instead of calling the
/// scoring rule per answer.
final class CompiledSet: Sendable {
    let set: any IndicatorSet
    /// `set.id`, kept (reading it through the existential copies it for every response).
    let id: String
    let itemCount: Int
    /// Lowercased item id → flat item index.
    let itemLookup: [String: Int]
    /// Flat item range of each dimension.
    let dimensionItems: [Range<Int>]
    /// Where each dimension's buckets start in ``Tally``'s per-dimension arrays.
    let dimensionBucketOffsets: [Int]
    let bucketCount: Int
    /// Each dimension's place among a group's rows (0 is the total; then each dimension
    /// followed by its items when the set reports them).
    let dimensionKinds: [Int]
    /// Fewest valid answers that give a respondent a dimension score.
    let minAnsweredCount: [Int]
    let scaleMin: Int
    let codeCount: Int
    /// `values[item * codeCount + code − min]`.
    let values: [Int]
    let positive: [Bool]
    /// Lowercased, trimmed don't-know answers.
    let dontKnow: Set<String>
    /// The meaning of every one-byte ASCII cell (most cells: a code, `0` for don't know, a
    /// space, `x`), worked out once by `classify` itself.
    let asciiCells: [Cell]

    init(_ set: any IndicatorSet) {
        self.set = set
        id = set.id
        let items = set.items
        itemCount = items.count
        var lookup: [String: Int] = [:]
        for (index, item) in items.enumerated() { lookup[item.id.lowercased()] = index }
        itemLookup = lookup
        var ranges: [Range<Int>] = []
        var offsets: [Int] = []
        var start = 0
        var buckets = 0
        var minimum: [Int] = []
        for dimension in set.dimensions {
            let k = dimension.items.count
            ranges.append(start..<(start + k))
            offsets.append(buckets)
            buckets += k
            start += k
            // c/k ≥ min_answered, with a tolerance for shares such as 0.6 that binary cannot hold.
            minimum.append(Swift.max(1, Int((set.minAnswered * Double(k) - 1e-9).rounded(.up))))
        }
        dimensionItems = ranges
        dimensionBucketOffsets = offsets
        var kinds: [Int] = []
        var kind = 1
        for range in ranges {
            kinds.append(kind)
            kind += 1 + (set.reportItems ? range.count : 0)
        }
        dimensionKinds = kinds
        bucketCount = buckets
        minAnsweredCount = minimum
        scaleMin = set.scale.min
        codeCount = set.scale.count
        var values: [Int] = []
        var positive: [Bool] = []
        for item in items {
            for code in set.scale.codes {
                let value = set.scoring.value(of: code, reversed: item.reverse, scale: set.scale)
                values.append(value)
                positive.append(set.scoring.isPositive(value, scale: set.scale))
            }
        }
        self.values = values
        self.positive = positive
        let dontKnow = Set(set.scale.dontKnow.map { $0.trimmingSpaces.lowercased() })
        self.dontKnow = dontKnow
        asciiCells = (0..<128).map { byte in
            Self.classify(
                String(UnicodeScalar(UInt8(byte))), scaleMin: set.scale.min, codeCount: set.scale.count, dontKnow: dontKnow)
        }
    }

    /// A cell's meaning. Codes are returned as `code − min` (≥ 0).
    enum Cell: Equatable {
        case valid(Int)
        case dontKnow
        case unanswered
        case invalid

        /// How ``Tally`` keeps it: the code, or a sentinel.
        var tallyCell: Int {
            switch self {
            case .valid(let code): return code
            case .dontKnow: return Tally.dontKnowCell
            case .unanswered: return Tally.unansweredCell
            case .invalid: return Tally.invalidCell
            }
        }
    }

    /// A cell given as bytes in `encoding`: one or two ASCII digits, or empty, decided from the
    /// bytes; anything else as its text.
    func classify(bytes: UnsafeBufferPointer<UInt8>, encoding: TextEncoding) -> Cell {
        if bytes.isEmpty { return .unanswered }
        let first = bytes[0]
        if bytes.count == 1 && first < 0x80 { return asciiCells[Int(first)] }
        if first >= 0x30 && first <= 0x39 {
            var code = Int(first - 0x30)
            var simple = bytes.count == 1
            if bytes.count == 2, bytes[1] >= 0x30 && bytes[1] <= 0x39 {
                code = code * 10 + Int(bytes[1] - 0x30)
                simple = true
            }
            if simple {
                let offset = code - scaleMin
                if offset >= 0 && offset < codeCount { return .valid(offset) }
            }
        }
        return classify(encoding.decode(bytes))
    }

    func classify(_ raw: String) -> Cell {
        Self.classify(raw, scaleMin: scaleMin, codeCount: codeCount, dontKnow: dontKnow)
    }

    /// The meaning of cell text `raw` on a scale of `codeCount` codes from `scaleMin`.
    private static func classify(_ raw: String, scaleMin: Int, codeCount: Int, dontKnow: Set<String>) -> Cell {
        // Fast path, most cells: one or two ASCII digits.
        var utf8 = raw.utf8.makeIterator()
        if let first = utf8.next(), first >= 0x30 && first <= 0x39 {
            var code = Int(first - 0x30)
            var simple = true
            if let second = utf8.next() {
                if second >= 0x30 && second <= 0x39 && utf8.next() == nil {
                    code = code * 10 + Int(second - 0x30)
                } else {
                    simple = false
                }
            }
            if simple {
                let offset = code - scaleMin
                if offset >= 0 && offset < codeCount { return .valid(offset) }
            }
        } else if raw.isEmpty {
            return .unanswered
        }
        let text = raw.trimmingSpaces
        if text.isEmpty { return .unanswered }
        if let code = Int(text) {
            let offset = code - scaleMin
            if offset >= 0 && offset < codeCount { return .valid(offset) }
        }
        if dontKnow.contains(text.lowercased()) { return .dontKnow }
        return .invalid
    }
}
