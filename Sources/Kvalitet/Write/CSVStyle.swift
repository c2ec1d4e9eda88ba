/// How a run writes its CSV outputs (scores, validation, absence, SPC points, rejects, history).
///
/// - ``Dialect/standard``: FORMAT.md's CSV: UTF-8 without a byte order mark, `,` between
///   fields, `.` as the decimal point, LF line ends. What programs read.
/// - ``Dialect/excelNB`` (`--csv-style excel-nb`): what Norwegian Excel writes and expects on a
///   double-click: `;` between fields, decimal commas, a UTF-8 byte order mark (without it Excel
///   decodes UTF-8 as Windows-1252: "BÃ¦rum") and CRLF. Numbers keep full precision ("4,45").
///   Excel still turns some texts into dates or numbers on its own (a breakdown value `1-2`
///   becomes 1 February); a workbook (`--format xlsx`) is the output that never does.
///
/// `excelSafe` (`--excel-safe`) is independent of the dialect: texts a spreadsheet would run as
/// a formula get a leading `'`.
public struct CSVStyle: Sendable, Equatable {
    public enum Dialect: String, Sendable, CaseIterable {
        case standard
        case excelNB = "excel-nb"
    }

    public var dialect: Dialect
    public var excelSafe: Bool

    public init(_ dialect: Dialect = .standard, excelSafe: Bool = false) {
        self.dialect = dialect
        self.excelSafe = excelSafe
    }

    public static let standard = CSVStyle()

    /// The byte between fields.
    var separator: UInt8 { dialect == .excelNB ? 0x3B : 0x2C }
    /// The decimal mark of numbers.
    var decimalMark: UInt8 { dialect == .excelNB ? 0x2C : 0x2E }
    /// The bytes that end a record (shared arrays: appended to every row, never made per row).
    var lineEnd: [UInt8] { dialect == .excelNB ? Self.crlf : Self.lf }
    private static let crlf: [UInt8] = [0x0D, 0x0A]
    private static let lf: [UInt8] = [0x0A]
    /// What the file starts with, before the header.
    var start: String { dialect == .excelNB ? "\u{FEFF}" : "" }

    /// A header row of `names`, with the line end.
    public func header(_ names: [String]) -> String {
        start + names.joined(separator: String(UnicodeScalar(separator))) + String(decoding: lineEnd, as: UTF8.self)
    }

    /// The same style without the formula guard (for cells that can only hold numbers).
    var numbersOnly: CSVStyle { CSVStyle(dialect) }
}
