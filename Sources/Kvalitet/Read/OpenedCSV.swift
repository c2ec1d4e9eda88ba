/// The opening of any CSV file kvalitet reads (responses, absence, SPC series): refuses files of
/// other formats, detects the encoding (UTF-8 with or without BOM, else Windows-1252), reads
/// Excel's `sep=;` hint or detects the delimiter, and reads the header row. What follows the
/// header is read with the returned tokenizer.
struct OpenedCSV {
    var tokenizer: CSVTokenizer
    /// The header's cells, without the empty cells at its end (a spreadsheet's empty columns).
    var header: [String]
    /// How many empty cells were dropped from the end of the header.
    var trailingEmptyColumns: Int
    /// The header's line (2 after a `sep=` line, later after title lines).
    var headerLine: Int
    /// Lines above the header that are no header (a report's title and date over an export),
    /// left out: their count.
    var titleLines = 0
    var encoding: TextEncoding { tokenizer.encoding }
    var delimiter: UInt8 { tokenizer.delimiter }

    /// How many lines may stand above the header as its title.
    static let maxTitleLines = 5

    /// Opens `file`; nil when it holds no header (only a BOM or a `sep=` line). With `isHeader`,
    /// a first line that is no header (a title) is passed over, and so on for up to
    /// ``maxTitleLines`` lines, when a later one is; else the first line is the header, as without.
    static func open(
        _ file: InputFile, maxFieldBytes: Int = 1 << 20, maxRecordBytes: Int = 8 << 20, maxFields: Int = 10_000,
        isHeader: (([String]) -> Bool)? = nil
    ) throws(KvalitetError) -> OpenedCSV? {
        let source = try ByteSource(file)
        guard try source.refill() else { throw .emptyFile(file) }
        try CSVResponseReader.refuseOtherFormats(Array(source.chunk[0..<min(source.count, 8)]), file: file)
        try source.rewind()
        let (encoding, bomLength) = try CSVResponseReader.detectEncoding(source)
        try source.rewind()
        guard try source.refill() else { return nil }
        // Excel's hint "sep=;" on the first line names the delimiter; the header follows it.
        var start = bomLength
        var firstLine = 1
        let delimiter: UInt8
        let head = source.chunk[bomLength..<source.count]
        if let hinted = CSVResponseReader.separatorHint(Array(head.prefix(8))[...]) {
            delimiter = hinted.delimiter
            start += hinted.length
            firstLine = 2
        } else {
            delimiter = CSVResponseReader.detectDelimiter(head)
        }
        var tokenizer = CSVTokenizer(
            source: source, delimiter: delimiter, encoding: encoding, startOffset: start, line: firstLine,
            maxFieldBytes: maxFieldBytes, maxRecordBytes: maxRecordBytes, maxFields: maxFields)
        var header: [String] = []
        guard var headerLine = try tokenizer.nextRecord(into: &header) else { return nil }
        var titleLines = 0
        if let isHeader, !isHeader(header) {
            var candidate: [String] = []
            while titleLines < maxTitleLines, let line = try tokenizer.nextRecord(into: &candidate) {
                titleLines += 1
                if isHeader(candidate) {
                    header = candidate
                    headerLine = line
                    break
                }
            }
            // No header below either: the first line is the header, and its message says why not.
            if header != candidate || !isHeader(header) {
                return try open(file, maxFieldBytes: maxFieldBytes, maxRecordBytes: maxRecordBytes, maxFields: maxFields)
            }
        }
        var trailingEmpty = 0
        while let last = header.last, last.trimmingSpaces.isEmpty, header.count > 1 {
            header.removeLast()
            trailingEmpty += 1
        }
        var table = OpenedCSV(tokenizer: tokenizer, header: header, trailingEmptyColumns: trailingEmpty, headerLine: headerLine)
        table.titleLines = titleLines
        return table
    }
}
