/// An Excel workbook (Office Open XML, ECMA-376) written a row at a time into an output, for
/// `--format xlsx`.
///
/// Why not libxlsxwriter (Debian's `libxlsxwriter-dev`, a fine library): it writes every number
/// with `%.16G`, 16 significant digits, and a double needs 17 to read back as itself
/// (0.30000000000000004 would come back as 0.3), so the workbook would disagree with the CSV in
/// the last bit; and it writes to a path of its own plus temporary files, where kvalitet's
/// outputs go through one atomic writer (the output guard, standard output, 0600 temporaries).
/// What a workbook needs is small: five XML parts in a zip. Numbers are written as the CSV writes
/// them (the shortest text that reads back as the same double), texts as inline strings (never a
/// formula, so `--excel-safe` has nothing to do here), one style for headers, one showing a
/// decimal (`0.0`), one for whole numbers. LibreOffice and openpyxl read the result in the tests.
///
/// Sheets are written one after another: ``beginSheet(_:header:widths:to:)``, rows with
/// ``add(_:to:)``, and ``finish(to:)`` once all are written.
struct XLSXWorkbook {
    /// The most rows a worksheet holds (Excel's limit, the header row included).
    static let excelMaxRows = 1_048_576
    /// The most rows this workbook's sheets take (Excel's limit; lower in tests).
    let maxRows: Int
    /// The most characters a cell holds.
    static let maxCellCharacters = 32_767

    private var zip = ZipWriter()
    private var sheets: [(name: String, rows: Int, columns: Int)] = []
    private var buffer: [UInt8] = []
    private var row = 0
    private var columns = 0
    private var columnLetters: [[UInt8]] = []
    /// Per column of the current sheet, whether its numbers are shares, shown as percentages
    /// (an array: it is read for every number written).
    private var percentColumns: [Bool] = []

    /// Style indexes (`cellXfs` in styles.xml).
    private enum Style: Int {
        case plain = 0
        case header, decimal, whole, percent
    }

    init(maxRows: Int = XLSXWorkbook.excelMaxRows) {
        self.maxRows = maxRows
        buffer.reserveCapacity(1 << 17)
    }

    /// Starts a sheet named `name` (at most 31 characters, no `[]:*?/\`) with a header row of
    /// `header`, frozen and filtered, columns `widths` characters wide; the numbers of the
    /// `percent` columns (shares) shown as whole percentages.
    mutating func beginSheet(
        _ name: String, header: [String], widths: [Int], percent: Set<Int> = [], to output: inout some TextOutput
    ) throws(KvalitetError) {
        if !sheets.isEmpty { try endSheet(to: &output) }
        sheets.append((name, 0, header.count))
        columns = header.count
        percentColumns = (0..<header.count).map(percent.contains)
        columnLetters = (0..<columns).map { Array(Self.columnName($0).utf8) }
        row = 0
        try zip.begin("xl/worksheets/sheet\(sheets.count).xml", to: &output)
        var head =
            #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
            + #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
            + #"<sheetViews><sheetView workbookViewId="0">"#
            + #"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            + #"<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>"#
            + #"<sheetFormatPr defaultRowHeight="15"/><cols>"#
        for (index, width) in widths.prefix(columns).enumerated() {
            head += #"<col min="\#(index + 1)" max="\#(index + 1)" width="\#(width)" customWidth="1"/>"#
        }
        head += "</cols><sheetData>"
        buffer.append(contentsOf: head.utf8)
        try addRow(header.map(ColumnValue.text), style: .header, to: &output)
    }

    /// Adds a row of the current sheet.
    mutating func add(_ values: [ColumnValue], to output: inout some TextOutput) throws(KvalitetError) {
        try addRow(values, style: nil, to: &output)
    }

    private mutating func addRow(_ values: [ColumnValue], style: Style?, to output: inout some TextOutput) throws(KvalitetError) {
        guard row < maxRows else {
            throw KvalitetError(
                .output,
                "a worksheet holds at most \(maxRows) rows, and this output has more: use --format csv",
                nb: "et regneark rommer høyst \(maxRows) rader, og dette resultatet har flere: bruk --format csv")
        }
        row += 1
        var rowText: [UInt8] = []
        ColumnValue.appendDecimal(row, to: &rowText)
        buffer.append(contentsOf: #"<row r=""#.utf8)
        buffer.append(contentsOf: rowText)
        buffer.append(contentsOf: #"">"#.utf8)
        for (index, value) in values.prefix(columns).enumerated() {
            try appendCell(value, column: index, rowText: rowText, style: style)
        }
        buffer.append(contentsOf: "</row>".utf8)
        sheets[sheets.count - 1].rows = row
        if buffer.count >= 1 << 16 { try flush(to: &output) }
    }

    private mutating func appendCell(_ value: ColumnValue, column: Int, rowText: [UInt8], style: Style?) throws(KvalitetError) {
        func open(_ style: Style, type: String?) {
            buffer.append(contentsOf: #"<c r=""#.utf8)
            buffer.append(contentsOf: columnLetters[column])
            buffer.append(contentsOf: rowText)
            buffer.append(0x22)
            if style != .plain { buffer.append(contentsOf: #" s="\#(style.rawValue)""#.utf8) }
            if let type { buffer.append(contentsOf: #" t="\#(type)""#.utf8) }
            buffer.append(0x3E)
        }
        switch value {
        case .text(let text), .raw(let text):
            guard !text.isEmpty else { return }
            let length = text.utf16.count  // Excel counts UTF-16 units
            guard length <= Self.maxCellCharacters else {
                throw KvalitetError(
                    .output,
                    "a cell holds at most \(Self.maxCellCharacters) characters; row \(row), column \(column + 1) has \(length): use --format csv",
                    nb:
                        "en celle rommer høyst \(Self.maxCellCharacters) tegn; rad \(row), kolonne \(column + 1) har \(length): bruk --format csv"
                )
            }
            open(style ?? .plain, type: "inlineStr")
            let preserve = text.first?.isWhitespace == true || text.last?.isWhitespace == true
            buffer.append(contentsOf: (preserve ? #"<is><t xml:space="preserve">"# : "<is><t>").utf8)
            Self.appendEscaped(text, to: &buffer)
            buffer.append(contentsOf: "</t></is></c>".utf8)
        case .integer(let integer):
            open(style ?? .whole, type: nil)
            buffer.append(contentsOf: "<v>".utf8)
            ColumnValue.appendDecimal(integer, to: &buffer)
            buffer.append(contentsOf: "</v></c>".utf8)
        case .number(let number):
            guard number.isFinite else { return }
            open(style ?? (percentColumns[column] ? .percent : .decimal), type: nil)
            buffer.append(contentsOf: "<v>".utf8)
            ColumnValue.number(number).appendCSV(to: &buffer, style: .standard)
            buffer.append(contentsOf: "</v></c>".utf8)
        case .boolean(let flag):
            open(style ?? .plain, type: "b")
            buffer.append(contentsOf: (flag ? "<v>1</v></c>" : "<v>0</v></c>").utf8)
        case .empty:
            return
        }
    }

    private mutating func endSheet(to output: inout some TextOutput) throws(KvalitetError) {
        let last = Self.columnName(max(columns - 1, 0)) + String(max(row, 1))
        buffer.append(contentsOf: #"</sheetData><autoFilter ref="A1:\#(last)"/>"#.utf8)
        buffer.append(
            contentsOf: #"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#.utf8)
        buffer.append(contentsOf: "</worksheet>".utf8)
        try flush(to: &output)
        try zip.end(to: &output)
    }

    private mutating func flush(to output: inout some TextOutput) throws(KvalitetError) {
        try zip.write(buffer, to: &output)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Ends the last sheet and writes the workbook's other parts and the zip's directory.
    mutating func finish(to output: inout some TextOutput) throws(KvalitetError) {
        if !sheets.isEmpty { try endSheet(to: &output) }
        let declaration = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        var overrides = ""
        var sheetList = ""
        var relations = ""
        var names = ""
        for (index, sheet) in sheets.enumerated() {
            let number = index + 1
            overrides +=
                #"<Override PartName="/xl/worksheets/sheet\#(number).xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
            sheetList += #"<sheet name="\#(Self.escaped(sheet.name))" sheetId="\#(number)" r:id="rId\#(number)"/>"#
            relations +=
                #"<Relationship Id="rId\#(number)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#(number).xml"/>"#
            let quoted = "'" + sheet.name.replacingOccurrences(of: "'", with: "''") + "'"
            let range = "$A$1:$\(Self.columnName(max(sheet.columns - 1, 0)))$\(max(sheet.rows, 1))"
            names += #"<definedName name="_xlnm._FilterDatabase" localSheetId="\#(index)" hidden="1">"#
            names += Self.escaped(quoted + "!" + range) + "</definedName>"
        }
        let styleCount = sheets.count + 2
        let parts: [(String, String)] = [
            (
                "[Content_Types].xml",
                declaration + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
                    + #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
                    + #"<Default Extension="xml" ContentType="application/xml"/>"#
                    + #"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
                    + #"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#
                    + #"<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>"#
                    + overrides + "</Types>"
            ),
            (
                "_rels/.rels",
                declaration + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
                    + #"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#
                    + #"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>"#
                    + "</Relationships>"
            ),
            (
                "docProps/app.xml",
                declaration
                    + #"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">"#
                    + Self.application + "</Properties>"
            ),
            (
                "xl/workbook.xml",
                declaration
                    + #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
                    + #"<bookViews><workbookView/></bookViews><sheets>"# + sheetList + "</sheets>"
                    + (names.isEmpty ? "" : "<definedNames>" + names + "</definedNames>") + "</workbook>"
            ),
            (
                "xl/_rels/workbook.xml.rels",
                declaration + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
                    + relations
                    + #"<Relationship Id="rId\#(styleCount)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#
                    + "</Relationships>"
            ),
            ("xl/styles.xml", declaration + Self.styles),
        ]
        for (name, text) in parts {
            try zip.begin(name, to: &output)
            try zip.write(Array(text.utf8), to: &output)
        }
        try zip.finish(to: &output)
    }

    /// What `docProps/app.xml` says made the workbook: how a run knows its own output in an
    /// input folder.
    static let application = "<Application>kvalitet</Application>"

    /// Fonts: regular and bold; number formats: `0.0` (164), the built-in `0` (1) and `0%` (9).
    private static let styles =
        #"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
        + #"<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0"/></numFmts>"#
        + #"<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#
        + #"<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>"#
        + #"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#
        + #"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#
        + #"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#
        + #"<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#
        + #"<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#
        + #"<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#
        + #"<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#
        + #"<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>"#
        + #"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#
        + "</styleSheet>"

    /// The column's letters: 0 → A, 25 → Z, 26 → AA.
    static func columnName(_ index: Int) -> String {
        var index = index
        var letters: [Character] = []
        repeat {
            letters.insert(Character(UnicodeScalar(UInt8(65 + index % 26))), at: 0)
            index = index / 26 - 1
        } while index >= 0
        return String(letters)
    }

    static func escaped(_ text: String) -> String {
        var bytes: [UInt8] = []
        appendEscaped(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// XML text with `&`, `<`, `>`, `"` escaped; characters XML 1.0 cannot hold (control
    /// characters, U+FFFE, U+FFFF) as the `_xHHHH_` escapes of ECMA-376 (ST_Xstring), which
    /// Excel shows as the characters; and a `_` that would start such an escape as `_x005F_`.
    static func appendEscaped(_ text: String, to bytes: inout [UInt8]) {
        // Most texts (ids, names, periods) need nothing escaped: their bytes as they are.
        if !text.utf8.contains(where: {
            $0 < 0x20 || $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x5F || $0 == 0xEF
        }) {
            bytes.append(contentsOf: text.utf8)
            return
        }
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar.value {
            case 0x26: bytes.append(contentsOf: "&amp;".utf8)
            case 0x3C: bytes.append(contentsOf: "&lt;".utf8)
            case 0x3E: bytes.append(contentsOf: "&gt;".utf8)
            case 0x22: bytes.append(contentsOf: "&quot;".utf8)
            case 0x09, 0x0A, 0x0D: bytes.append(UInt8(scalar.value))
            case 0..<0x20, 0xFFFE, 0xFFFF: bytes.append(contentsOf: Self.hexEscape(scalar.value))
            case 0x5F where Self.startsEscape(scalars, at: index): bytes.append(contentsOf: Self.hexEscape(0x5F))
            default: bytes.append(contentsOf: String(scalar).utf8)
            }
        }
    }

    private static func hexEscape(_ value: UInt32) -> [UInt8] {
        let hex = String(value, radix: 16, uppercase: true)
        return Array(("_x" + String(repeating: "0", count: 4 - hex.count) + hex + "_").utf8)
    }

    /// Whether `_xHHHH_` starts at `index`.
    private static func startsEscape(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + 6 < scalars.count, scalars[index + 1] == "x", scalars[index + 6] == "_" else { return false }
        return scalars[(index + 2)...(index + 5)].allSatisfy { $0.properties.isASCIIHexDigit }
    }
}
