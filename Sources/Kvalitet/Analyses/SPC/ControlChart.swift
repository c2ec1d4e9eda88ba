import Foundation

/// The kinds of chart FORMAT.md §9 names, by their `--chart` word.
public enum SPCChartKind: String, CaseIterable, Sendable, Codable {
    case run, i, mr, c, p, pp, u, up

    /// Whether the values are counts over a denominator (`y`/`n`), so `--n` is required.
    public var needsDenominator: Bool { self == .p || self == .pp || self == .u || self == .up }
    /// Whether the chart has control limits (every chart but the run chart).
    public var hasLimits: Bool { self != .run }
}

/// One point to chart: the label on the x axis and the summed `y` (and `n`) of its rows.
public struct SPCObservation: Sendable, Hashable {
    public var x: String
    public var y: Double
    public var n: Double?
    public init(x: String, y: Double, n: Double? = nil) {
        self.x = x
        self.y = y
        self.n = n
    }
}

/// How a series is charted: `--freeze`, `--part`, `--exclude`, `--no-screen-mr`, `--multiply`.
/// Indexes count from 1, as FORMAT.md §9 and qicharts2 count them.
public struct SPCOptions: Sendable, Hashable {
    /// The centre line and limits come from points 1…freeze only (ignored when there are parts).
    public var freeze: Int?
    /// A new part starts after each of these points.
    public var parts: [Int] = []
    /// Points left out of the centre line, the limits and the rules (still drawn and tested).
    public var exclude: Set<Int> = []
    /// Moving ranges ≥ 3.267 × their mean are left out of σ (I, P′ and U′ charts).
    public var screenMovingRanges = true
    /// Values, centre lines and limits are multiplied by this (per cent: 100; per 10,000 days).
    public var multiply = 1.0
    public init(
        freeze: Int? = nil, parts: [Int] = [], exclude: Set<Int> = [], screenMovingRanges: Bool = true, multiply: Double = 1
    ) {
        self.freeze = freeze
        self.parts = parts
        self.exclude = exclude
        self.screenMovingRanges = screenMovingRanges
        self.multiply = multiply
    }
}

/// One charted point: FORMAT.md §9's points CSV row.
public struct SPCPoint: Sendable, Hashable {
    public var part: Int
    /// From 1, over the whole series.
    public var index: Int
    public var x: String
    public var y: Double
    public var n: Double?
    /// What is charted (nil: the first moving range of a part, which does not exist).
    public var value: Double?
    public var centre: Double?
    public var lower: Double?
    public var upper: Double?
    public var lower95: Double?
    public var upper95: Double?
    public var included: Bool
    /// Outside the 3σ limits.
    public var sigmaSignal: Bool
}

/// The figures of one part (phase): FORMAT.md §9's summary CSV row.
public struct SPCPartSummary: Sendable, Hashable {
    public var part: Int
    /// The included points.
    public var observations: Int
    public var rules: AnhoejRules
    /// Anhøj's rules signal a shift (never on an MR chart, whose runs are given for reference).
    public var runsSignal: Bool
    /// Points of the part outside the 3σ limits, excluded ones too.
    public var sigmaSignals: Int
    /// Fewer than 10 useful points: too few for the rules to say much (said, not hidden).
    public var tooFewForRules: Bool { rules.useful < SPCChart.minimumUsefulPoints }
}

/// A series charted: its points and its parts' figures. The one engine of issue #10, used by
/// `kvalitet spc`, the report's sick-leave charts and the survey series alike; the semantics are
/// qicharts2's (Anhøj), which the published cases in the tests pin to 1e-6.
public struct SPCChart: Sendable, Hashable {
    public var kind: SPCChartKind
    public var options: SPCOptions
    public var points: [SPCPoint]
    public var parts: [SPCPartSummary]

    /// Below this many useful points the runs rules are reported as too few (FORMAT.md §9).
    public static let minimumUsefulPoints = 10

    /// Whether any part signals, by the runs or by a point outside the limits.
    public var hasSignal: Bool { parts.contains { $0.runsSignal || $0.sigmaSignals > 0 } }

    /// Charts `observations` (in order) as `kind`. Throws a usage error when an option names a
    /// point that does not exist or a denominator is missing or not positive.
    public init(
        _ kind: SPCChartKind, _ observations: [SPCObservation], options: SPCOptions = SPCOptions()
    )
        throws(KvalitetError)
    {
        self.kind = kind
        self.options = options
        let count = observations.count
        try Self.check(options, count: count)
        if kind.needsDenominator, let bad = observations.firstIndex(where: { ($0.n ?? 0) <= 0 || !($0.n ?? 0).isFinite }) {
            throw KvalitetError(
                .inputRefused, "point \(bad + 1) (\(observations[bad].x)): a \(kind.rawValue) chart needs n > 0",
                nb: "punkt \(bad + 1) (\(observations[bad].x)): et \(kind.rawValue)-diagram trenger n > 0")
        }
        // Parts as ranges of 0-based indexes.
        var bounds = [0]
        for end in options.parts.sorted() where end < count && end > bounds.last! { bounds.append(end) }
        bounds.append(count)
        let freeze = options.parts.isEmpty ? options.freeze : nil
        points = []
        parts = []
        for part in 0..<(bounds.count - 1) {
            let range = bounds[part]..<bounds[part + 1]
            let computed = Self.part(
                kind, observations, range: range, partNumber: part + 1, freeze: freeze, options: options)
            points += computed.points
            parts.append(computed.summary)
        }
    }

    private static func check(_ options: SPCOptions, count: Int) throws(KvalitetError) {
        guard count > 0 else {
            throw KvalitetError(.inputRefused, "no points to chart", nb: "ingen punkter å tegne")
        }
        if let freeze = options.freeze, freeze < 2 || freeze > count {
            throw KvalitetError(
                .usage, "--freeze \(freeze): give a point from 2 to \(count)",
                nb: "--freeze \(freeze): oppgi et punkt fra 2 til \(count)")
        }
        for part in options.parts where part < 1 || part >= count {
            throw KvalitetError(
                .usage, "--part \(part): give a point from 1 to \(count - 1)",
                nb: "--part \(part): oppgi et punkt fra 1 til \(count - 1)")
        }
        for index in options.exclude.sorted() where index < 1 || index > count {
            throw KvalitetError(
                .usage, "--exclude \(index): the series has points 1 to \(count)",
                nb: "--exclude \(index): serien har punktene 1 til \(count)")
        }
        guard options.multiply.isFinite && options.multiply > 0 else {
            throw KvalitetError(.usage, "--multiply must be a number above 0", nb: "--multiply må være et tall over 0")
        }
    }

    /// One part: values, the centre and limits from its baseline (frozen or whole), the rules.
    private static func part(
        _ kind: SPCChartKind, _ all: [SPCObservation], range: Range<Int>, partNumber: Int, freeze: Int?,
        options: SPCOptions
    ) -> (points: [SPCPoint], summary: SPCPartSummary) {
        let included = range.map { !options.exclude.contains($0 + 1) }
        let baseline = range.map { index in !options.exclude.contains(index + 1) && (freeze.map { index < $0 } ?? true) }
        // The values, before --multiply.
        var values: [Double?] = range.map { index in
            let point = all[index]
            return kind.needsDenominator ? point.y / point.n! : point.y
        }
        if kind == .mr {
            values = (0..<range.count).map { offset in
                offset == 0 ? nil : abs(all[range.lowerBound + offset].y - all[range.lowerBound + offset - 1].y)
            }
        }
        let base = (0..<range.count).filter { baseline[$0] }
        let limits = Self.limits(kind, all, range: range, values: values, base: base, screen: options.screenMovingRanges)
        let scale = options.multiply
        var points: [SPCPoint] = []
        var signals = 0
        for offset in (0..<range.count) {
            let observation = all[range.lowerBound + offset]
            let value = values[offset].map { $0 * scale }
            let line = limits[offset]
            let upper = line.upper.map { $0 * scale }
            let lower = line.lower.map { $0 * scale }
            let signal =
                value.map { value in (upper.map { value > $0 } ?? false) || (lower.map { value < $0 } ?? false) } ?? false
            if signal { signals += 1 }
            points.append(
                SPCPoint(
                    part: partNumber, index: range.lowerBound + offset + 1, x: observation.x, y: observation.y, n: observation.n,
                    value: value, centre: line.centre.map { $0 * scale }, lower: lower, upper: upper,
                    lower95: line.lower95.map { $0 * scale }, upper95: line.upper95.map { $0 * scale },
                    included: included[offset],
                    sigmaSignal: signal))
        }
        // The rules look at every included point with a value, around its centre line.
        let ruled = points.filter { $0.included }
        let centre = ruled.first?.centre ?? points.first?.centre ?? 0
        let rules = AnhoejRules(ruled.compactMap(\.value), centre: centre)
        let summary = SPCPartSummary(
            part: partNumber, observations: ruled.count, rules: rules, runsSignal: kind != .mr && rules.signal,
            sigmaSignals: signals)
        return (points, summary)
    }

    /// A point's centre line and limits, before --multiply.
    struct Lines {
        var centre: Double?
        var lower: Double?
        var upper: Double?
        var lower95: Double?
        var upper95: Double?
    }

    /// The lines of every point of a part (offsets into `range`), from the baseline `base`.
    private static func limits(
        _ kind: SPCChartKind, _ all: [SPCObservation], range: Range<Int>, values: [Double?], base: [Int], screen: Bool
    ) -> [Lines] {
        let baseValues = base.compactMap { values[$0] }
        let count = range.count
        func constant(_ centre: Double?, sigma: Double?, floor: Double? = nil, ceiling: Double? = nil) -> [Lines] {
            let line = Lines(centre: centre, sigma: sigma, floor: floor, ceiling: ceiling)
            return Array(repeating: line, count: count)
        }
        switch kind {
        case .run:
            return constant(AnhoejRules.median(baseValues), sigma: nil)
        case .i:
            guard let centre = mean(baseValues) else { return constant(nil, sigma: nil) }
            return constant(centre, sigma: movingRangeSigma(baseValues, screen: screen))
        case .mr:
            guard let centre = mean(baseValues) else { return constant(nil, sigma: nil) }
            let line = Lines(centre: centre, lower: 0, upper: 3.267 * centre, lower95: 0, upper95: 2.178 * centre)
            return Array(repeating: line, count: count)
        case .c:
            guard let centre = mean(baseValues) else { return constant(nil, sigma: nil) }
            return constant(centre, sigma: centre.squareRoot(), floor: 0)
        case .p, .pp, .u, .up:
            let ySum = base.reduce(0.0) { $0 + all[range.lowerBound + $1].y }
            let nSum = base.reduce(0.0) { $0 + all[range.lowerBound + $1].n! }
            guard nSum > 0 else { return constant(nil, sigma: nil) }
            let centre = ySum / nSum
            let proportion = kind == .p || kind == .pp
            let sigmas = range.map { index in
                (proportion ? centre * (1 - centre) : centre).squareRoot() / all[index].n!.squareRoot()
            }
            var factor = 1.0
            if kind == .pp || kind == .up {
                // Laney: σ of the z-scores from their moving ranges, as the I chart's σ.
                let scores = base.compactMap { offset in values[offset].map { ($0 - centre) / sigmas[offset] } }
                factor = movingRangeSigma(scores, screen: screen) ?? .nan
            }
            return sigmas.map { sigma in
                Lines(centre: centre, sigma: sigma * factor, floor: 0, ceiling: proportion ? 1 : nil)
            }
        }
    }

    /// σ from the mean moving range of `values` in order, / 1.128; with `screen`, moving ranges
    /// ≥ 3.267 × their mean are left out and the mean taken once more (Nelson). Nil for fewer
    /// than two values.
    static func movingRangeSigma(_ values: [Double], screen: Bool) -> Double? {
        guard values.count >= 2 else { return nil }
        var ranges = zip(values.dropFirst(), values).map { abs($0 - $1) }
        if screen, let average = mean(ranges) {
            ranges = ranges.filter { $0 < 3.267 * average }
        }
        return mean(ranges).map { $0 / 1.128 }
    }

    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}

extension SPCChart.Lines {
    /// Centre ± 3σ and ± 2σ, the lower limits at least `floor`, the upper at most `ceiling`.
    init(centre: Double?, sigma: Double?, floor: Double? = nil, ceiling: Double? = nil) {
        self.centre = centre
        guard let centre, let sigma, sigma.isFinite else { return }
        func low(_ value: Double) -> Double { floor.map { max($0, value) } ?? value }
        func high(_ value: Double) -> Double { ceiling.map { min($0, value) } ?? value }
        lower = low(centre - 3 * sigma)
        upper = high(centre + 3 * sigma)
        lower95 = low(centre - 2 * sigma)
        upper95 = high(centre + 2 * sigma)
    }
}
