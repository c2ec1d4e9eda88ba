import Foundation

/// Reads responses from Triple-S files (the market-research interchange standard; LimeSurvey and
/// others export it): a metadata file (`.sss`, XML 1.1–3.0) and the data file it claims (fixed
/// width or CSV), with the columns and rules of a CSV file (FORMAT.md §2).
///
/// - A variable is a column by its `<name>` (ignoring case, `_` standing for `-`, as for SPSS), or
///   as the mapping file (``mapping``, `--sss-map`) says; the mapping may also give a column one
///   value for the whole file. The `use="serial"` variable is the respondent unless one is named.
/// - `single`: its code ("5"; a key's label when its values have one; a code labelled with a
///   don't-know word that word); `quantity`: the number
///   (001 is 1; the serial keeps its text, an id); `character`, `logical`: the text, trimmed; `multiple`: its codes, ascending, joined by `;` (a bitstring's
///   positions, or a spread's subfields); `date` and `time`: ISO text (2005-05-04, 11:20:00).
///   What no column of a set takes (a weight, a multiple) is reported once as an unknown column.
/// - Messages name the metadata file (the input given) and the line in the data file. The data
///   is read line by line (UTF-8 when a line is valid UTF-8, else Windows-1252), never held whole.
/// - A hierarchy file (several linked surveys) is refused with what it is.
public struct TripleSResponseReader: DontKnowAware {
    public var name: String { "triple-s" }
    public var fileExtensions: Set<String> { ["sss"] }
    public var mapping: TripleSMapping?
    /// The don't-know words of the sets the run knows, trimmed and lowercased: a `single`'s code
    /// labelled with one of them is that word (the pipeline gives them, as for SPSS).
    public var dontKnowWords: Set<String>
    /// Longest data line accepted (a damaged file cannot fill memory).
    public var maxLineBytes: Int

    public init(mapping: TripleSMapping? = nil, dontKnowWords: Set<String> = [], maxLineBytes: Int = 8 << 20) {
        self.mapping = mapping
        self.dontKnowWords = dontKnowWords
        self.maxLineBytes = maxLineBytes
    }

    /// The data files beside `x.sss` with its name (`x.asc`, `x.dat`, `x.csv`, `x.txt`): read with
    /// it, never as files of their own.
    public func companions(of name: String, in names: Set<String>) -> [String]? {
        guard (name as NSString).pathExtension.lowercased() == "sss" else { return nil }
        let stem = (name as NSString).deletingPathExtension.lowercased()
        return names.filter { other in
            let ext = (other as NSString).pathExtension.lowercased()
            return ["asc", "dat", "csv", "txt"].contains(ext) && (other as NSString).deletingPathExtension.lowercased() == stem
        }.sorted()
    }

    public func read<Sink: ResponseSink>(_ file: InputFile, into sink: inout Sink) throws {
        let metadata = try TripleSMetadata.parse(file)
        let data = try metadata.dataFile(of: file)
        let variables = metadata.variables
        let mapping = mapping ?? TripleSMapping()
        // Each variable's column name.
        var names: [String] = variables.map { variable in
            if let column = mapping.variables.first(where: { $0.value == variable.name.lowercased() })?.key { return column }
            if case .other = CSVResponseReader.Column(header: variable.name) {
                return variable.name.replacingOccurrences(of: "_", with: "-")
            }
            return variable.name
        }
        let hasRespondent = names.contains { CSVResponseReader.Column(header: $0) == .respondent }
        if !hasRespondent, let serial = variables.firstIndex(where: { $0.use == "serial" }) { names[serial] = "respondent" }
        let header = names + mapping.constants.map(\.column)
        let isKey = header.map { name -> Bool in
            if case .other = CSVResponseReader.Column(header: name) { return false } else { return true }
        }
        // Records and problems name the file given (the metadata); their lines are the data's.
        var table = try TableRecords(
            file: file, header: header, line: metadata.format == "csv" && metadata.skip > 0 ? metadata.skip : nil)
        let constants = mapping.constants.map(\.value)
        var lines = TextLines(try ByteSource(data, chunkSize: 1 << 16), maxLineBytes: maxLineBytes)
        var lineNumber = 0
        while let (line, count) = try lines.next(joiningQuoted: metadata.format == "csv") {
            lineNumber += count
            if lineNumber <= metadata.skip { continue }
            let values: [String]
            if metadata.format == "csv" {
                let fields = Self.csvFields(line)
                values = variables.enumerated().map { index, variable in
                    let field = variable.start <= fields.count ? Array(fields[variable.start - 1].unicodeScalars) : []
                    return text(of: variable, field[...], isKey: isKey[index])
                }
            } else {
                let scalars = Array(line.unicodeScalars)
                values = variables.enumerated().map { index, variable in
                    let start = min(variable.start - 1, scalars.count)
                    let end = min(variable.finish, scalars.count)
                    return text(of: variable, scalars[start..<end], isKey: isKey[index])
                }
            }
            if line.trimmingSpaces.isEmpty { continue }  // a blank line is no record
            try table.receive(values + constants, line: lineNumber - count + 1, into: &sink)
        }
    }

    /// A variable's text from its field (fixed: its positions; CSV: its field).
    func text(of variable: TripleSMetadata.Variable, _ field: ArraySlice<Unicode.Scalar>, isKey: Bool) -> String {
        let raw = String(String.UnicodeScalarView(field))
        let trimmed = raw.trimmingSpaces
        switch variable.type {
        case "single":
            if isKey { return variable.labels[trimmed] ?? trimmed }
            if let label = variable.labels[trimmed], dontKnowWords.contains(label.trimmingSpaces.lowercased()) { return label }
            return trimmed
        case "multiple":
            var codes: [String] = []
            if variable.subfields > 0 {
                let width = variable.width > 0 ? variable.width : max(1, field.count / variable.subfields)
                var index = field.startIndex
                while index < field.endIndex {
                    let end = min(index + width, field.endIndex)
                    let code = String(String.UnicodeScalarView(field[index..<end])).trimmingSpaces
                    // An unused subfield holds zeros, unless 0 is one of the variable's codes.
                    let padding = !code.isEmpty && code.allSatisfy { $0 == "0" } && variable.labels["0"] == nil
                    if !code.isEmpty && !padding { codes.append(code) }
                    index = end
                }
            } else {
                for (offset, scalar) in field.enumerated() where scalar == "1" { codes.append(String(offset + 1)) }
            }
            let unique = Array(Set(codes)).sorted { (Int($0) ?? .max, $0) < (Int($1) ?? .max, $1) }
            return unique.joined(separator: ";")
        case "date":
            let digits = Array(trimmed)
            guard digits.count == 8, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return trimmed }
            return "\(String(digits[0..<4]))-\(String(digits[4..<6]))-\(String(digits[6..<8]))"
        case "time":
            let digits = Array(trimmed)
            guard digits.count == 6 || digits.count == 4, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else {
                return trimmed
            }
            return stride(from: 0, to: digits.count, by: 2).map { String(digits[$0..<($0 + 2)]) }.joined(separator: ":")
        case "quantity" where variable.use != "serial":
            // A number, written as numbers are (001 is 1, 1.1310 is 1.131); a serial keeps its text.
            guard let value = Double(trimmed), value.isFinite else { return trimmed }
            if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }
            return value.description
        default:
            return trimmed
        }
    }

    /// The fields of one CSV record (RFC 4180 quoting; `,` between fields).
    static func csvFields(_ line: String) -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var iterator = line.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar?
        while let scalar = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    let next = iterator.next()
                    if next == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        quoted = false
                        pending = next
                        if next == nil { break }
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
            } else if scalar == "\"" && field.isEmpty {
                quoted = true
            } else if scalar == "," {
                fields.append(field)
                field = ""
            } else {
                field.unicodeScalars.append(scalar)
            }
        }
        fields.append(field)
        return fields
    }
}

/// A text file's lines from a ``ByteSource``: LF, CRLF or a lone CR end a line; each line is
/// UTF-8 when it is valid UTF-8, else Windows-1252.
struct TextLines {
    private let source: ByteSource
    private let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false

    init(_ source: ByteSource, maxLineBytes: Int) {
        self.source = source
        self.maxLineBytes = maxLineBytes
    }

    /// The next line (with `joiningQuoted`, lines joined while a quote is open: a CSV record) and
    /// how many lines it took; nil at the end.
    mutating func next(joiningQuoted: Bool) throws -> (String, Int)? {
        var record: [UInt8] = []
        var count = 0
        var quotes = 0
        repeat {
            guard let line = try nextLine() else {
                return count == 0 ? nil : (Self.decode(record), count)
            }
            if count > 0 { record.append(0x0A) }
            record += line
            count += 1
            quotes += line.reduce(0) { $0 + ($1 == 0x22 ? 1 : 0) }
        } while joiningQuoted && quotes % 2 == 1
        return (Self.decode(record), count)
    }

    private mutating func nextLine() throws -> [UInt8]? {
        var line: [UInt8] = []
        while true {
            if position >= buffer.count {
                let refilled = atEnd ? false : try source.refill()
                if !refilled {
                    atEnd = true
                    return line.isEmpty ? nil : line
                }
                buffer = Array(source.chunk[0..<source.count])
                position = 0
            }
            let byte = buffer[position]
            position += 1
            if byte == 0x0A { return line }
            if byte == 0x0D {
                if position >= buffer.count, !atEnd, try source.refill() {
                    buffer = Array(source.chunk[0..<source.count])
                    position = 0
                }
                if position < buffer.count && buffer[position] == 0x0A { position += 1 }
                return line
            }
            line.append(byte)
            if line.count > maxLineBytes {
                throw KvalitetError(
                    .inputRefused, "a line longer than \(maxLineBytes >> 20) MiB",
                    nb: "en linje lengre enn \(maxLineBytes >> 20) MiB", at: SourceLocation(file: source.file.name))
            }
        }
    }

    static func decode(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return bytes.withUnsafeBufferPointer { TextEncoding.windows1252.decode($0) }
    }
}
