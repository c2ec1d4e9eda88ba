/// Rounding for people: the figure the scores CSV writes (the shortest text that reads back as
/// the same double), rounded half away from zero. Working on that text rather than on the binary
/// value means "4.45" in the CSV is "4,5" in the table and the report, as a reader checking one
/// against the other expects (binary 4.45 is slightly below 4.45, and `value * 10` can round
/// either way).
enum DecimalText {
    /// `value` × 10^`shift`, rounded half away from zero to `places` decimals, with `separator`
    /// as the decimal mark. Empty for NaN and infinity.
    static func rounded(_ value: Double, shift: Int = 0, places: Int, separator: String = ".") -> String {
        guard value.isFinite else { return "" }
        // value = ±digits × 10^exponent, from the shortest round-trip text ("4.45", "1.5e-05").
        let text = fullPrecision(value.magnitude)
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits = Array(mantissa.filter(\.isNumber))
        if let dot = mantissa.firstIndex(of: ".") {
            exponent -= mantissa.distance(from: mantissa.index(after: dot), to: mantissa.endIndex)
        }
        exponent += shift + places  // now |value| × 10^places = digits × 10^exponent
        if exponent >= 0 {
            digits += Array(repeating: "0", count: exponent)
        } else {
            let dropped = min(-exponent, digits.count)
            let roundUp = -exponent <= digits.count && digits[digits.count - dropped] >= "5"
            digits.removeLast(dropped)
            if roundUp { increment(&digits) }
        }
        while digits.count > 1 && digits.first == "0" { digits.removeFirst() }
        if digits.isEmpty { digits = ["0"] }
        if digits.count <= places { digits = Array(repeating: "0", count: places + 1 - digits.count) + digits }
        let isZero = digits.allSatisfy { $0 == "0" }
        let whole = String(digits[..<(digits.count - places)])
        let fraction = String(digits[(digits.count - places)...])
        return (value < 0 && !isZero ? "-" : "") + whole + (places > 0 ? separator + fraction : "")
    }

    /// Adds one to a decimal digit string ("199" → "200", "9" → "10", "" → "1").
    private static func increment(_ digits: inout [Character]) {
        var index = digits.count - 1
        while index >= 0 {
            if digits[index] == "9" {
                digits[index] = "0"
                index -= 1
            } else {
                digits[index] = Character(String(digits[index].wholeNumberValue! + 1))
                return
            }
        }
        digits.insert("1", at: 0)
    }
}
