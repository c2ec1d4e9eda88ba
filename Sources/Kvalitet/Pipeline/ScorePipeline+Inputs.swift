import Foundation

/// Finding the input files: folders listed, kvalitet's own outputs in them left out, formats no
/// reader takes yet named.
extension ScorePipeline {
    /// The files behind `paths`: a file as given, a folder as every file in it (not below it)
    /// that a reader takes, by name.
    public func inputFiles(_ paths: [String]) throws(KvalitetError) -> [InputFile] {
        try Self.listInputs(paths, readers: readers).files
    }

    /// The files behind `paths`, as ``inputFiles(_:)`` finds them, and the files of a folder
    /// left out because they are kvalitet's own outputs (a scores, validation or rejects CSV
    /// written into the folder by an earlier run, which would otherwise be read as responses).
    /// With `skippingSickLeave` (survey commands), a sick-leave export in a folder is left out
    /// the same way, and said so (a folder often holds both kinds of export).
    public static func listInputs(
        _ paths: [String], readers: [any ResponseReader], skippingSickLeave: Bool = true
    ) throws(KvalitetError) -> InputListing {
        var files: [InputFile] = []
        var folders: [String] = []
        var ownOutputs: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw KvalitetError(
                    .inputRefused, "no such file or folder", nb: "ingen slik fil eller mappe", at: SourceLocation(file: path))
            }
            if isDirectory.boolValue {
                folders.append(path)
                let names: [String]
                do {
                    names = try FileManager.default.contentsOfDirectory(atPath: path).sorted {
                        $0.utf8.lexicographicallyPrecedes($1.utf8)
                    }
                } catch {
                    throw KvalitetError(
                        .inputRefused, "cannot list the folder: \(describeFileError(error))",
                        nb: "kan ikke liste mappen: \(describeFileError(error))",
                        at: SourceLocation(file: path))
                }
                // Each file a reader takes, with the companions it claims (read with it, not alone).
                let visible = names.filter { !$0.hasPrefix(".") }
                let all = Set(visible)
                let claims = visible.map { name in readers.lazy.compactMap { $0.companions(of: name, in: all) }.first }
                let companions = Set(claims.compactMap { $0 }.joined())
                for (name, claim) in zip(visible, claims) where !companions.contains(name) {
                    guard let claim else { continue }
                    let full = (path as NSString).appendingPathComponent(name)
                    if isOwnOutput(full) || (skippingSickLeave && isSickLeaveExport(full)) {
                        ownOutputs.append(full)
                    } else {
                        let others = claim.map { other in
                            let otherPath = (path as NSString).appendingPathComponent(other)
                            return InputFile(url: URL(fileURLWithPath: otherPath), name: otherPath)
                        }
                        files.append(InputFile(url: URL(fileURLWithPath: full), name: full, companions: others))
                    }
                }
            } else {
                let ext = (path as NSString).pathExtension.lowercased()
                if let what = Self.formatsToCome[ext], reader(for: path, in: readers) == nil {
                    throw KvalitetError(
                        .inputRefused,
                        "this is \(what): kvalitet reads CSV, XML, Excel workbooks (.xlsx) and SPSS data files (.sav); save it as one of them",
                        nb:
                            "dette er \(what): kvalitet leser CSV, XML, Excel-arbeidsbøker (.xlsx) og SPSS-datafiler (.sav); lagre den som en av dem",
                        at: SourceLocation(file: path))
                }
                guard reader(for: path, in: readers) != nil else {
                    let known = readers.flatMap(\.fileExtensions).sorted().map { ".\($0)" }.joined(separator: ", ")
                    throw KvalitetError(
                        .usage, "no reader for this kind of file (known: \(known))",
                        nb: "ingen leser for denne filtypen (kjente: \(known))",
                        at: SourceLocation(file: path))
                }
                files.append(InputFile(url: URL(fileURLWithPath: path), name: path))
            }
        }
        return InputListing(files: files, folders: folders, ownOutputs: ownOutputs)
    }

    /// What ``listInputs(_:readers:)`` found.
    public struct InputListing: Sendable {
        public var files: [InputFile] = []
        /// The folders among the inputs.
        public var folders: [String] = []
        /// Files of those folders left out as kvalitet's own outputs.
        public var ownOutputs: [String] = []
    }

    /// Formats users have that no reader takes yet, by extension: refused as input (exit 2), by name.
    static let formatsToCome = [
        "xls": "an old Excel workbook",
        "ods": "a LibreOffice spreadsheet", "por": "an SPSS portable file",
    ]

    /// The headers of kvalitet's own CSV outputs (scores, validation, rejects, sick leave with
    /// and without the cost columns), in each CSV style (without the style's byte order mark).
    static let ownHeaders: [[UInt8]] = CSVStyle.Dialect.allCases.flatMap { (dialect) -> [[UInt8]] in
        let style = CSVStyle(dialect)
        func joined(_ names: [String]) -> [UInt8] {
            Array(names.joined(separator: String(UnicodeScalar(style.separator))).utf8)
        }
        let whole: [[String]] = [ScoreRow.columnNames, ValidationRow.columnNames, ProblemLog.columnNames, AbsenceRow.columnNames]
        return whole.map { joined($0) + style.lineEnd } + [joined(AbsenceRow.columnNames) + [style.separator]]
    }

    /// Whether the file begins with one of kvalitet's own CSV headers (after a BOM), or is a
    /// workbook kvalitet wrote (its `docProps/app.xml` names kvalitet as the application).
    static func isOwnOutput(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard var head = try? handle.read(upToCount: 1024).map(Array.init) else { return false }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            guard let archive = try? ZipArchive(InputFile(url: URL(fileURLWithPath: path))),
                let app = archive.entry("docProps/app.xml"), app.size < 4096,
                let bytes = try? archive.data(app, maxBytes: 4096)
            else { return false }
            return String(decoding: bytes, as: UTF8.self).contains(XLSXWorkbook.application)
        }
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head.removeFirst(3) }
        return ownHeaders.contains { head.starts(with: $0) }
    }

    /// Whether the file's header (its first line, after a BOM and a `sep=` line) is a sick-leave
    /// export's (FORMAT.md §8): it has the possible days and no respondent column.
    static func isSickLeaveExport(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard var head = try? handle.read(upToCount: 4096).map(Array.init) else { return false }
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head.removeFirst(3) }
        if head.starts(with: Array("sep=".utf8)), let end = head.firstIndex(of: 0x0A) { head.removeFirst(end + 1) }
        let line = head.prefix { $0 != 0x0A && $0 != 0x0D }
        let delimiter = CSVResponseReader.detectDelimiter(line)
        let names = line.split(separator: delimiter, omittingEmptySubsequences: false).map {
            String(decoding: $0.filter { $0 != 0x22 }, as: UTF8.self)
        }
        return names.contains { AbsenceReader.Field(header: $0) == .possibleDays }
            && !names.contains { CSVResponseReader.Column(header: $0) == .respondent }
    }

    /// Why a file of an input folder was left out, for people.
    static func skipReason(_ path: String, language: Language) -> String {
        isSickLeaveExport(path)
            ? (language == .nb
                ? "en fraværsfil (sykefravær per enhet og måned), ikke svar; les den med kvalitet absence"
                : "a sick-leave export (absence per unit and month), not responses; read it with kvalitet absence")
            : (language == .nb
                ? "et resultat fra kvalitet (poeng, validering eller avvik), ikke svar"
                : "an output of kvalitet (scores, validation or rejects), not responses")
    }

    /// The first reader that takes a file of this name, asked about it alone (no folder listed).
    static func reader(for name: String, in readers: [any ResponseReader]) -> (any ResponseReader)? {
        let own = (name as NSString).lastPathComponent
        return readers.first { $0.companions(of: own, in: [own]) != nil }
    }

    /// The reader for a file name, by its extension.
    public func reader(for name: String) -> (any ResponseReader)? {
        Self.reader(for: name, in: readers)
    }
}
