/// The numbers of an absence file (FORMAT.md §8): `.` or `,` as the decimal mark.
extension AbsenceReader {
    /// A number with `.` or `,` as decimal mark (not both, at most one), no thousands separators,
    /// an optional leading minus; nil for anything else.
    static func decimal(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { decimal($0) }
    }

    /// The same, from a cell's bytes. Up to 15 significant digits and 22 decimals the value is
    /// mantissa / 10^decimals in one correctly rounded division (both exact in binary), the
    /// same double `strtod` gives; beyond that `strtod`'s own reading (through `Double(_:)`).
    static func decimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index = 1 }
        var digits = 0
        var significant = 0
        var marks = 0
        var decimals = 0
        var mantissa: UInt64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x30 && byte <= 0x39 {
                digits += 1
                if marks > 0 { decimals += 1 }
                if significant > 0 || byte != 0x30 { significant += 1 }
                if significant <= 19 { mantissa = mantissa &* 10 &+ UInt64(byte - 0x30) }
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: ",") {
                marks += 1
            } else {
                return nil
            }
            index += 1
        }
        guard digits > 0, marks <= 1 else { return nil }
        if significant <= 15 && decimals <= 22 {
            let value = Double(mantissa) / powersOfTen[decimals]
            return negative ? -value : value
        }
        let text = String(decoding: bytes.map { $0 == UInt8(ascii: ",") ? UInt8(ascii: ".") : $0 }, as: UTF8.self)
        return Double(text)
    }

    /// 10^0 … 10^22, each exact in binary.
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}
