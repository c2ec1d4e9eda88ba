import CLibXML2
import Foundation

/// Reads responses from Excel workbooks (`.xlsx`, `.xlsm`): the first sheet, or the one named
/// `sheet` (`--sheet`), with the columns and rules of a CSV file (FORMAT.md §2): a header row
/// (title rows above it left out and reported, as in a CSV), one row per respondent; a row's
/// line is its row number in Excel.
///
/// Cells are read as Excel stores them, into the text a CSV export of the sheet would hold: a
/// number typed as 2024 or 5 is "2024" or "5" (a whole number has no decimals, whatever the cell
/// shows: 5 formatted `0.0` is still the answer 5), 4.5 is "4.5", a date "2024-03-01"; shared and
/// inline strings as their text; TRUE/FALSE; an error value as Excel writes it (`#N/A`); a
/// formula's last computed value. The rows then go through the CSV reader's own checks
/// (blank rows, rows longer than the header, missing cells empty).
///
/// Streamed: the sheet's XML is inflated and parsed chunk by chunk (libxml2's push parser), so a
/// sheet of a million rows is never held whole; the shared strings are held (each text once).
/// Hostile workbooks are refused (``ZipArchive``: sizes, ratios, overlapping entries;
/// ``XMLStream``: no DTD, no entities; external references refused).
public struct XLSXResponseReader: ResponseReader {
    public var name: String { "xlsx" }
    public var fileExtensions: Set<String> { ["xlsx", "xlsm"] }
    /// The sheet to read (`--sheet`); nil: the first.
    public var sheet: String?
    /// Most columns (cells) a row may hold, as `--max-columns` for CSV.
    public var maxColumns: Int
    /// Longest text of a cell.
    public var maxFieldBytes: Int

    public init(sheet: String? = nil, maxColumns: Int = 10_000, maxFieldBytes: Int = 1 << 20) {
        self.sheet = sheet
        self.maxColumns = maxColumns
        self.maxFieldBytes = maxFieldBytes
    }

    public func read<Sink: ResponseSink>(_ file: InputFile, into sink: inout Sink) throws {
        var status = stat()
        if stat(file.url.path, &status) == 0 && status.st_size == 0 { throw KvalitetError.emptyFile(file) }
        try Self.refuseOtherFormats(file)
        let rows = XLSXRows(file: file)
        let name = try XLSXSheetParser.parse(file, sheet: sheet, maxColumns: maxColumns, maxFieldBytes: maxFieldBytes) { parser in
            try rows.deliver(parser, into: &sink)
        }
        try rows.finish(sheet: name)
    }

    /// An old binary workbook (.xls) or an encrypted one (both OLE compound files) says so.
    static func refuseOtherFormats(_ file: InputFile) throws(KvalitetError) {
        guard let handle = FileHandle(forReadingAtPath: file.url.path),
            let head = try? handle.read(upToCount: 8).map(Array.init)
        else { return }
        try? handle.close()
        if head == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] {
            throw KvalitetError(
                .inputRefused,
                "an old Excel workbook (.xls) or one protected by a password: save it as .xlsx without a password",
                nb: "en gammel Excel-arbeidsbok (.xls) eller en beskyttet med passord: lagre den som .xlsx uten passord",
                at: SourceLocation(file: file.name))
        }
    }
}

/// A sheet's cells as they are parsed, collected per row (``pending``, taken by the caller after
/// each chunk): each cell's text as a CSV export of the sheet would hold it.
final class XLSXSheetParser: XMLStreamHandler {
    private let book: XLSXBook
    private let file: InputFile
    private let maxColumns: Int
    private let maxFieldBytes: Int

    // The cell being read.
    private var rowNumber = 0
    private var column = -1
    private var cellType: CellType = .number
    private var cellStyle = 0
    private var capture = false
    private var inInline = false
    private var phonetic = 0
    private var text: [UInt8] = []
    private var cells: [(column: Int, text: String)] = []
    private(set) var failure: KvalitetError?

    /// Rows parsed and not yet taken: the row's number and its cells (column index, text).
    var pending: [(line: Int, cells: [(column: Int, text: String)])] = []

    private enum CellType { case number, shared, inline, formulaText, boolean, error, date }

    init(book: XLSXBook, file: InputFile, maxColumns: Int, maxFieldBytes: Int) {
        self.book = book
        self.file = file
        self.maxColumns = maxColumns
        self.maxFieldBytes = maxFieldBytes
    }

    func attach(to stream: XMLStream) {
        stream.handler = self
    }

    func start(_ name: UnsafePointer<xmlChar>, _ attributes: XMLAttributes, in stream: XMLStream) {
        if XMLStream.is(name, "c") {
            column = attributes.bytes("r").flatMap(Self.column(ofReference:)) ?? column + 1
            cellStyle = attributes.bytes("s").flatMap(Self.smallNumber) ?? 0
            cellType = attributes.bytes("t").map(Self.cellType) ?? .number
            text.removeAll(keepingCapacity: true)
            if column >= maxColumns {
                fail(stream, "row \(rowNumber) has a cell in column \(column + 1) (at most \(maxColumns) columns are read)")
            }
        } else if XMLStream.is(name, "v") {
            capture = true
        } else if XMLStream.is(name, "is") {
            inInline = true
        } else if XMLStream.is(name, "t") {
            capture = inInline && phonetic == 0
        } else if XMLStream.is(name, "rPh") {
            phonetic += 1
        } else if XMLStream.is(name, "row") {
            rowNumber = attributes["r"].flatMap(Int.init) ?? rowNumber + 1
            column = -1
            cells.removeAll(keepingCapacity: true)
        }
    }

    func end(_ name: UnsafePointer<xmlChar>, in stream: XMLStream) {
        if XMLStream.is(name, "c") {
            if let value = cellText(stream) { cells.append((column, value)) }
        } else if XMLStream.is(name, "v") || XMLStream.is(name, "t") {
            capture = false
        } else if XMLStream.is(name, "is") {
            inInline = false
        } else if XMLStream.is(name, "rPh") {
            phonetic -= 1
        } else if XMLStream.is(name, "row") {
            pending.append((rowNumber, cells))
        }
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>, in stream: XMLStream) {
        guard capture else { return }
        text.append(contentsOf: bytes)
        if text.count > maxFieldBytes {
            capture = false
            fail(stream, "row \(rowNumber), column \(column + 1): a cell longer than \(maxFieldBytes >> 20) MiB")
        }
    }

    private func fail(_ stream: XMLStream, _ message: String) {
        if failure == nil {
            failure = KvalitetError(
                .inputRefused, "\(message); nothing of the file is counted",
                at: SourceLocation(file: file.name, line: rowNumber))
        }
        stream.stop(message)
    }

    /// The finished cell's text, nil for no value.
    private func cellText(_ stream: XMLStream) -> String? {
        if text.isEmpty && cellType != .inline { return nil }
        switch cellType {
        case .shared:
            guard let index = Int(String(decoding: text, as: UTF8.self)), book.sharedStrings.indices.contains(index) else {
                fail(stream, "row \(rowNumber), column \(column + 1) refers to a shared string that does not exist")
                return nil
            }
            return book.sharedStrings[index]
        case .inline, .formulaText, .error, .date: return XLSXText.unescaped(text)
        case .boolean: return text == [0x31] ? "TRUE" : "FALSE"
        case .number:
            let isDate = book.dateStyles.indices.contains(cellStyle) && book.dateStyles[cellStyle]
            // Most cells are answers and ids stored as whole numbers ("5"): their text is what
            // XLSXText.number would make of them, without a Double.
            if !isDate, Self.isPlainWholeNumber(text) { return String(decoding: text, as: UTF8.self) }
            return XLSXText.number(String(decoding: text, as: UTF8.self), isDate: isDate, date1904: book.date1904)
        }
    }

    /// Digits only, at most 15, no leading zero (but "0"): the shortest text of a whole double.
    static func isPlainWholeNumber(_ text: [UInt8]) -> Bool {
        guard !text.isEmpty, text.count <= 15, text[0] != 0x30 || text.count == 1 else { return false }
        return text.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// A cell's `t` attribute.
    private static func cellType(_ value: UnsafeBufferPointer<UInt8>) -> CellType {
        switch value.count {
        case 1:
            switch value[0] {
            case 0x73: return .shared  // s
            case 0x62: return .boolean  // b
            case 0x65: return .error  // e
            case 0x64: return .date  // d
            default: return .number
            }
        case 3 where value.elementsEqual("str".utf8): return .formulaText
        case 9 where value.elementsEqual("inlineStr".utf8): return .inline
        default: return .number
        }
    }

    /// A style index: digits only, at most 6 (a workbook has at most 64,000 styles), else nil.
    private static func smallNumber(_ value: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !value.isEmpty, value.count <= 6 else { return nil }
        var result = 0
        for byte in value {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            result = result * 10 + Int(byte - 0x30)
        }
        return result
    }

    /// The column index of a cell reference ("B7" → 1).
    static func column(ofReference reference: UnsafeBufferPointer<UInt8>) -> Int? {
        var value = 0
        var letters = 0
        for byte in reference {
            let upper = byte & 0xDF
            guard upper >= 0x41 && upper <= 0x5A else { break }
            value = value * 26 + Int(upper - 0x40)
            letters += 1
            if letters > 3 { return nil }
        }
        return letters == 0 ? nil : value - 1
    }

    /// Opens `file`'s sheet (`sheet` by name, else the first) and hands `body` the parser after
    /// each chunk of the sheet's XML, and once at the end; returns the sheet's name.
    static func parse(
        _ file: InputFile, sheet: String?, maxColumns: Int, maxFieldBytes: Int, _ body: (XLSXSheetParser) throws -> Void
    ) throws -> String {
        let archive = try ZipArchive(file)
        let book = try XLSXBook(archive)
        guard
            let chosen = sheet.map({ name in book.sheets.first { $0.name.lowercased() == name.lowercased() } })
                ?? book.sheets.first
        else {
            let names = book.sheets.map { "«\($0.name)»" }.joined(separator: ", ")
            throw archive.refused(
                sheet.map { "the workbook has no sheet «\($0)» (it has \(names))" } ?? "the workbook has no sheet",
                sheet.map { "arbeidsboken har ikke noe ark «\($0)» (den har \(names))" } ?? "arbeidsboken har ikke noe ark")
        }
        guard let part = archive.entry(chosen.part) else {
            throw archive.refused("the sheet's part \(chosen.part) is missing", "arkets del \(chosen.part) mangler")
        }
        let parser = XLSXSheetParser(book: book, file: file, maxColumns: maxColumns, maxFieldBytes: maxFieldBytes)
        let stream = XMLStream(part: chosen.part, of: file)
        parser.attach(to: stream)
        try archive.read(part, maxBytes: XLSXBook.maxSheetBytes) { chunk in
            try stream.feed(chunk)
            if let failure = parser.failure { throw failure }
            try body(parser)
            return true
        }
        try stream.finish()
        if let failure = parser.failure { throw failure }
        try body(parser)
        return chosen.name
    }
}

/// A workbook's cells as texts, for checks and tools that want what a person sees in a sheet
/// (the writer conformance kit reads what `--format xlsx` wrote with it).
public enum XLSXCells {
    /// The rows of `sheet` (the first when nil), each a list of cell texts ("" for no cell).
    public static func rows(ofWorkbookAt url: URL, sheet: String? = nil) throws -> [[String]] {
        var rows: [[String]] = []
        _ = try XLSXSheetParser.parse(InputFile(url: url), sheet: sheet, maxColumns: 16_384, maxFieldBytes: 1 << 20) { parser in
            for row in parser.pending {
                var texts = [String](repeating: "", count: (row.cells.map(\.column).max() ?? -1) + 1)
                for cell in row.cells { texts[cell.column] = cell.text }
                rows.append(texts)
            }
            parser.pending.removeAll()
        }
        return rows
    }
}

/// The sheet's rows turned into records: the header found (title rows above it), then each row
/// through ``TableRecords``.
final class XLSXRows {
    private let file: InputFile
    private var table: TableRecords?
    private var titleRows = 0
    private var firstRow: (line: Int, texts: [String])?

    init(file: InputFile) {
        self.file = file
    }

    /// Turns the rows parsed so far into records for `sink`.
    func deliver<Sink: ResponseSink>(_ parser: XLSXSheetParser, into sink: inout Sink) throws {
        let rows = parser.pending
        parser.pending.removeAll(keepingCapacity: true)
        for row in rows {
            guard let count = table?.layout.columns.count else {
                try findHeader(row, sink: &sink)
                continue
            }
            var texts = [String](repeating: "", count: count)
            var beyond: [String] = []
            for cell in row.cells {
                if cell.column < count {
                    texts[cell.column] = cell.text
                } else {
                    beyond += Array(repeating: "", count: max(0, cell.column - count - beyond.count))
                    beyond.append(cell.text)
                }
            }
            try table!.receive(texts, beyond: beyond, line: row.line, into: &sink)  // in place: no copy of its record
        }
    }

    /// The header is the first row (of the first ten that are not blank) that names the required
    /// columns; rows above it are its title.
    private func findHeader<Sink: ResponseSink>(_ row: (line: Int, cells: [(column: Int, text: String)]), sink: inout Sink) throws
    {
        guard row.cells.contains(where: { !$0.text.trimmingSpaces.isEmpty }) else { return }
        var texts = [String](repeating: "", count: (row.cells.map(\.column).max() ?? -1) + 1)
        for cell in row.cells { texts[cell.column] = cell.text }
        while texts.last?.trimmingSpaces.isEmpty == true { texts.removeLast() }
        if firstRow == nil { firstRow = (row.line, texts) }
        let columns = texts.map(CSVResponseReader.Column.init(header:))
        let isHeader = CSVResponseReader.Column.required.allSatisfy { columns.contains($0.0) }
        guard isHeader || titleRows >= 9 else {
            titleRows += 1
            return
        }
        guard isHeader else { return try refuseHeader() }
        table = try TableRecords(file: file, header: texts, line: row.line)
        if titleRows > 0 { try sink.report(Problem.titleLines(titleRows, file: file, headerLine: row.line)) }
    }

    private func refuseHeader() throws {
        // The message of the first row read as a header: which required column it lacks.
        let (line, texts) = firstRow ?? (1, [])
        _ = try CSVResponseReader.mapColumns(texts, file: file, line: line)
    }

    /// After the last row: a sheet without a header row is refused.
    func finish(sheet: String) throws {
        guard table == nil else { return }
        if firstRow == nil {
            throw KvalitetError(
                .inputRefused, "the sheet «\(sheet)» is empty: no header row, no responses",
                nb: "arket «\(sheet)» er tomt: ingen overskriftsrad, ingen svar", at: SourceLocation(file: file.name))
        }
        try refuseHeader()
    }
}
