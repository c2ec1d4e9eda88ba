import Foundation
import Yams

/// A Triple-S metadata file (`.sss`; XML, versions 1.1 to 3.0, any encoding XML declares, UTF-16
/// with its BOM): its variables, where each lies in the data, and the data file it claims.
struct TripleSMetadata {
    struct Variable {
        var ident = ""
        var type = ""
        var use = ""
        var format = ""
        var name = ""
        var start = 0
        var finish = 0
        var subfields = 0
        var width = 0
        /// Labels by code (the value's own text, else its first `<text>`).
        var labels: [String: String] = [:]
    }

    var version = ""
    /// `fixed` (character positions) or `csv` (field numbers).
    var format = "fixed"
    var skip = 0
    var href: String?
    var variables: [Variable] = []

    static let maxBytes: UInt64 = 64 << 20

    static func parse(_ file: InputFile) throws -> TripleSMetadata {
        var metadata = TripleSMetadata()
        var records = 0
        var hierarchy: Int?  // the line of <hierarchy>
        var variable: Variable?
        var capture: [UInt8]?
        var inValues = false
        var valueCode: String?
        var valueText: [UInt8] = []
        var nestedText: [UInt8]?
        var firstNested: String?
        var depth = 0
        var valueDepth = 0
        let stream = XMLStream(part: (file.name as NSString).lastPathComponent, of: file)
        stream.allowsDoctype = true
        stream.onStart = { [unowned stream] name, attributes in
            depth += 1
            if XMLStream.is(name, "sss") {
                metadata.version = attributes["version"] ?? ""
            } else if XMLStream.is(name, "hierarchy") {
                hierarchy = hierarchy ?? stream.line
            } else if XMLStream.is(name, "record") {
                records += 1
                metadata.format = (attributes["format"] ?? "fixed").lowercased()
                metadata.skip = attributes["skip"].flatMap(Int.init) ?? 0
                metadata.href = attributes["href"]
            } else if XMLStream.is(name, "variable") {
                variable = Variable(
                    ident: attributes["ident"] ?? "", type: (attributes["type"] ?? "").lowercased(),
                    use: (attributes["use"] ?? "").lowercased(), format: (attributes["format"] ?? "").lowercased())
            } else if variable != nil && XMLStream.is(name, "name") && !inValues {
                capture = []
            } else if XMLStream.is(name, "position") {
                let start = attributes["start"].flatMap(Int.init) ?? 0
                variable?.start = start
                variable?.finish = attributes["finish"].flatMap(Int.init) ?? start
            } else if XMLStream.is(name, "spread") {
                variable?.subfields = attributes["subfields"].flatMap(Int.init) ?? 0
                variable?.width = attributes["width"].flatMap(Int.init) ?? 0
            } else if XMLStream.is(name, "values") {
                inValues = true
            } else if inValues && XMLStream.is(name, "value") {
                valueCode = attributes["code"]
                valueText = []
                firstNested = nil
                valueDepth = depth
            } else if valueCode != nil && XMLStream.is(name, "text") {
                nestedText = []
            }
        }
        stream.onEnd = { name in
            defer { depth -= 1 }
            if XMLStream.is(name, "variable"), let done = variable {
                metadata.variables.append(done)
                variable = nil
            } else if XMLStream.is(name, "name"), let text = capture {
                variable?.name = String(decoding: text, as: UTF8.self).trimmingSpaces
                capture = nil
            } else if XMLStream.is(name, "values") {
                inValues = false
            } else if XMLStream.is(name, "text"), let text = nestedText {
                if firstNested == nil { firstNested = String(decoding: text, as: UTF8.self).trimmingSpaces }
                nestedText = nil
            } else if XMLStream.is(name, "value"), let code = valueCode, depth == valueDepth {
                let own = String(decoding: valueText, as: UTF8.self).trimmingSpaces
                variable?.labels[code.trimmingSpaces] = own.isEmpty ? firstNested ?? "" : own
                valueCode = nil
            }
        }
        stream.onText = { bytes in
            if capture != nil { capture!.append(contentsOf: bytes) }
            if nestedText != nil {
                nestedText!.append(contentsOf: bytes)
            } else if valueCode != nil && depth == valueDepth {
                valueText.append(contentsOf: bytes)
            }
        }
        let source = try ByteSource(file, chunkSize: 1 << 16)
        var total: UInt64 = 0
        while try source.refill() {
            total += UInt64(source.count)
            guard total <= maxBytes else {
                throw KvalitetError(
                    .inputRefused, "the Triple-S metadata is larger than \(maxBytes >> 20) MiB",
                    nb: "Triple-S-metadataene er større enn \(maxBytes >> 20) MiB", at: SourceLocation(file: file.name))
            }
            try stream.feed(UnsafeBufferPointer(rebasing: source.chunk[0..<source.count]))
        }
        if total == 0 { throw KvalitetError.emptyFile(file) }
        try stream.finish()
        if let hierarchy {
            throw KvalitetError(
                .inputRefused,
                "a Triple-S hierarchy file (several linked surveys) is not read: give the survey's own .sss file with its data",
                nb:
                    "en Triple-S-hierarkifil (flere koblede undersøkelser) leses ikke: oppgi undersøkelsens egen .sss-fil med dataene",
                at: SourceLocation(file: file.name, line: hierarchy))
        }
        guard records == 1 else {
            throw KvalitetError(
                .inputRefused,
                records == 0 ? "the Triple-S file has no <record>" : "the Triple-S file has \(records) records (one is read)",
                nb: records == 0 ? "Triple-S-filen har ingen <record>" : "Triple-S-filen har \(records) records (én leses)",
                at: SourceLocation(file: file.name))
        }
        for variable in metadata.variables where variable.start < 1 || variable.finish < variable.start {
            throw KvalitetError(
                .inputRefused, "variable \(variable.name) has no valid <position>",
                nb: "variabelen \(variable.name) har ingen gyldig <position>",
                at: SourceLocation(file: file.name, field: variable.name))
        }
        return metadata
    }

    /// The data file: the companion the folder listing found, else `href` (as given, then its
    /// last component beside the metadata: exports carry absolute Windows paths), else the
    /// metadata's name with `.asc`, `.dat`, `.csv` or `.txt`.
    func dataFile(of file: InputFile) throws(KvalitetError) -> InputFile {
        if let companion = file.companions.first { return companion }
        let folder = file.url.deletingLastPathComponent()
        let displayFolder = (file.name as NSString).deletingLastPathComponent
        func named(_ name: String) -> InputFile {
            InputFile(url: folder.appendingPathComponent(name), name: (displayFolder as NSString).appendingPathComponent(name))
        }
        var candidates: [InputFile] = []
        if let href, !href.isEmpty {
            if !href.contains(":"), !href.hasPrefix("/") { candidates.append(named(href)) }
            if let last = href.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last { candidates.append(named(String(last))) }
        }
        let stem = file.url.deletingPathExtension().lastPathComponent
        for ext in format == "csv" ? ["csv", "asc", "dat", "txt"] : ["asc", "dat", "txt", "csv"] {
            candidates += [named("\(stem).\(ext)"), named("\(stem).\(ext.uppercased())")]
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.url.path) }) else {
            throw KvalitetError(
                .inputRefused,
                "the Triple-S data file is missing (looked for \(candidates.prefix(3).map(\.name).joined(separator: ", ")))",
                nb: "Triple-S-datafilen mangler (lette etter \(candidates.prefix(3).map(\.name).joined(separator: ", ")))",
                at: SourceLocation(file: file.name))
        }
        return found
    }
}

/// `--sss-map FILE`: which Triple-S variable is which kvalitet column, and columns with one value
/// for the whole file (an export from a survey tool holds no municipality):
///
/// ```yaml
/// respondent: RESPID
/// unit: Q_UNIT
/// trivsel-1: Q7
/// municipality: {value: "3024 Bærum"}
/// ```
public struct TripleSMapping: Sendable {
    /// Column name → variable name (lowercased).
    var variables: [String: String] = [:]
    /// Column name → the value every record gets.
    var constants: [(column: String, value: String)] = []

    public init() {}

    public static func load(_ path: String) throws(KvalitetError) -> TripleSMapping {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard data.count <= 1 << 20 else {
                throw KvalitetError(.inputRefused, "larger than 1 MiB", nb: "større enn 1 MiB", at: SourceLocation(file: path))
            }
            text = String(decoding: data, as: UTF8.self)
        } catch let error as KvalitetError {
            throw error
        } catch {
            throw KvalitetError(
                .inputRefused, "cannot read the mapping file", nb: "kan ikke lese tilordningsfilen",
                at: SourceLocation(file: path))
        }
        let root = try YAMLNode.parse(text, file: path)
        guard case .mapping(let mapping) = root.node else {
            throw KvalitetError(
                .inputRefused, "a mapping file is column: VARIABLE lines", nb: "en tilordningsfil er linjer kolonne: VARIABEL",
                at: SourceLocation(file: path))
        }
        var result = TripleSMapping()
        for (key, value) in mapping {
            guard let column = key.string else { continue }
            if let variable = value.string {
                result.variables[column] = variable.lowercased()
            } else if case .mapping(let inner) = value, let constant = inner["value"]?.string {
                result.constants.append((column, constant))
            } else {
                throw KvalitetError(
                    .inputRefused, "\(column): give a variable's name or {value: TEXT}",
                    nb: "\(column): oppgi et variabelnavn eller {value: TEKST}", at: SourceLocation(file: path, field: column))
            }
        }
        return result
    }
}
