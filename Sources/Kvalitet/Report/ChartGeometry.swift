/// The geometry of the report's charts, apart from any markup so it can be tested on its own.
/// Coordinates are SVG user units; every chart is drawn in a fixed view box and scaled by CSS.

/// A horizontal value axis: `lower...upper` drawn from `x0` over `width` units.
struct ValueAxis: Equatable {
    var lower: Double
    var upper: Double
    var x0: Double
    var width: Double

    /// The x of a value; values outside the axis are drawn at its ends.
    func x(_ value: Double) -> Double {
        let clamped = min(max(value, lower), upper)
        return x0 + (clamped - lower) / (upper - lower) * width
    }

    /// Gridlines: every whole value from `lower` to `upper` (the codes of a 1–6 scale), or
    /// tenths for a share axis.
    var ticks: [Double] {
        let step = upper - lower > 2 ? 1.0 : 0.25
        return stride(from: lower, through: upper + 1e-9, by: step).map { $0 }
    }
}

/// A mean drawn as a bar from the axis' start, with its 95% interval as a whisker.
struct MeanBar: Equatable {
    var barWidth: Double
    /// Whisker ends (nil without an interval).
    var whiskerLow: Double?
    var whiskerHigh: Double?

    init(mean: Double, ciLow: Double?, ciHigh: Double?, axis: ValueAxis) {
        barWidth = axis.x(mean) - axis.x0
        if let ciLow, let ciHigh {
            whiskerLow = axis.x(ciLow)
            whiskerHigh = axis.x(ciHigh)
        }
    }
}

/// One category of a diverging stacked bar.
struct BarSegment: Equatable {
    var x: Double
    var width: Double
    /// Index of the category (0 = the lowest code) for its colour.
    var category: Int
}

/// The distribution of one item's answers as a diverging stacked bar: the low half of the scale
/// to the left of the centre, the high half to the right (a middle category on an odd scale is
/// split across the centre), "vet ikke" apart at the right end.
///
/// Shares are of everyone who gave the item a valid answer or "vet ikke", so the categories and
/// "vet ikke" add up to 100%. The centre is at `x0 + halfWidth`; a share of 1 spans `halfWidth`.
struct DivergingBar: Equatable {
    var segments: [BarSegment]
    /// The "vet ikke" bar, starting at `dontKnowX0`.
    var dontKnow: BarSegment?

    init(counts: [Int], dontKnow dontKnowCount: Int, x0: Double, halfWidth: Double, dontKnowX0: Double, dontKnowWidth: Double) {
        let total = counts.reduce(0, +) + dontKnowCount
        let share: (Int) -> Double = { total > 0 ? Double($0) / Double(total) : 0 }
        let centre = x0 + halfWidth
        let k = counts.count
        // The lower half: categories below the middle, plus half a middle category.
        let lowCount = k / 2
        let middle = k % 2 == 1 ? lowCount : nil
        var segments: [BarSegment] = []
        // Left side: from the centre outwards, so the lowest code sits at the far left.
        var left = centre - (middle.map { share(counts[$0]) / 2 * halfWidth } ?? 0)
        var leftSegments: [BarSegment] = []
        for category in stride(from: lowCount - 1, through: 0, by: -1) {
            let width = share(counts[category]) * halfWidth
            left -= width
            leftSegments.append(BarSegment(x: left, width: width, category: category))
        }
        segments.append(contentsOf: leftSegments.reversed())
        var right = centre
        if let middle {
            let width = share(counts[middle]) * halfWidth
            segments.append(BarSegment(x: centre - width / 2, width: width, category: middle))
            right = centre + width / 2
        }
        for category in (lowCount + (middle == nil ? 0 : 1))..<k {
            let width = share(counts[category]) * halfWidth
            segments.append(BarSegment(x: right, width: width, category: category))
            right += width
        }
        self.segments = segments
        self.dontKnow = BarSegment(x: dontKnowX0, width: share(dontKnowCount) * dontKnowWidth, category: k)
    }
}

/// Colours of a scale's categories, lowest code first: a diverging orange–blue ramp (readable
/// for the common colour-vision deficiencies) through a light grey middle. Colours say "low" and
/// "high", not "bad" and "good": a reversed item's high answers are its bad ones.
enum CategoryColours {
    static let low = (r: 179.0, g: 88.0, b: 6.0)
    static let middle = (r: 224.0, g: 224.0, b: 224.0)
    static let high = (r: 33.0, g: 102.0, b: 172.0)
    static let dontKnow = "#9e9e9e"

    static func colours(count: Int) -> [String] {
        guard count > 1 else { return [hex(high)] }
        return (0..<count).map { index in
            let t = Double(index) / Double(count - 1)
            let (from, to, u) = t < 0.5 ? (low, middle, t * 2) : (middle, high, (t - 0.5) * 2)
            return hex((from.r + (to.r - from.r) * u, from.g + (to.g - from.g) * u, from.b + (to.b - from.b) * u))
        }
    }

    private static func hex(_ c: (r: Double, g: Double, b: Double)) -> String {
        func byte(_ v: Double) -> String {
            let text = String(Int(v.rounded()), radix: 16)
            return text.count == 1 ? "0" + text : text
        }
        return "#" + byte(c.r) + byte(c.g) + byte(c.b)
    }
}

/// SVG numbers: two decimals at most, no trailing zeros, "." as decimal point in every locale.
func svgNumber(_ value: Double) -> String {
    var text = DecimalText.rounded(value, places: 2)
    while text.last == "0" { text.removeLast() }
    if text.last == "." { text.removeLast() }
    return text
}
