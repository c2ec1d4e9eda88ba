/// Rows of cell texts (a workbook's sheet, an SPSS file's cases) made into records with the CSV
/// reader's layout and row checks, so every tabular format follows FORMAT.md §2 the same way:
/// the header's columns and aliases, blank rows, rows longer than the header, missing cells.
struct TableRecords {
    let file: InputFile
    let layout: CSVResponseReader.Layout
    private var record: ResponseRecord

    /// The layout of `header` (refused as a CSV header would be), whose line is `line` (nil:
    /// the names are no line of the file).
    init(file: InputFile, header: [String], line: Int?) throws(KvalitetError) {
        self.file = file
        let columns = try CSVResponseReader.mapColumns(header, file: file, line: line)
        let answerNames = columns.compactMap { column -> String? in
            if case .other(let name) = column { return name } else { return nil }
        }
        layout = CSVResponseReader.Layout(
            encoding: .utf8, delimiter: 0, columns: columns, answerNames: answerNames, dataOffset: 0, dataLine: (line ?? 0) + 1)
        record = CSVResponseReader.rawRecord(layout)
        record.namesLine = line
        record.namesAreColumns = true
    }

    /// Hands the row on `line` to `sink`: `texts` are its cells under the header's columns (fewer
    /// are empty), `beyond` any cells right of them (a row longer than the header is reported).
    mutating func receive<Sink: ResponseSink>(
        _ texts: [String], beyond: [String] = [], line: Int, into sink: inout Sink
    ) throws {
        record.rawKeys.cells.removeAll()
        record.rawAnswers!.removeAll()
        for (index, text) in texts.prefix(layout.columns.count).enumerated() {
            var text = text  // its own UTF-8, borrowed: no array per cell
            text.withUTF8 { bytes in
                if layout.answerColumns[index] {
                    record.rawAnswers!.append(bytes)
                } else {
                    record.rawKeys.cells.append(bytes)
                }
            }
        }
        // Cells right of the header's columns come after the keys, as a CSV row's extra fields do.
        for text in beyond {
            var text = text
            text.withUTF8 { record.rawKeys.cells.append($0) }
        }
        record.line = line
        guard try CSVResponseReader.isResponse(&record, layout: layout, file: file, sink: &sink) else { return }
        if sink.takesRawCells {
            try sink.receive(record, from: file)
        } else {
            try sink.receive(record.decoded(answers: true), from: file)
        }
    }
}
