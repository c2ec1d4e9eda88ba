import Foundation
import Kvalitet

/// `kvalitet import`: reads files with the same readers and rules as `score` and keeps them in a
/// results store, one transaction per file (registers first, then the response files in the
/// order `score` would read them). A file that fails stops the run; the files before it stay
/// imported, so running the same command again after a fix imports the rest.
public struct ImportJob: Sendable {
    /// A store file path or a `postgres://` URL.
    public var store = "kvalitet.sqlite"
    public var setDirectories: [String] = []
    public var defaultSet: String?
    public var registerFiles: [String] = []
    public var strict = false
    public var language = Language.nb
    public var inputs: [String] = []
    public var readers: [any ResponseReader] = ScorePipeline.standardReaders
    /// Sick-leave files or folders (`--absence`, FORMAT.md §8), imported after the responses.
    public var absenceInputs: [String] = []
    public var absenceReader = AbsenceReader()
    /// Where the read says how far it has come (the command line's progress bar), if anywhere.
    public var progress: ReadProgress?

    public init() {}

    @discardableResult
    public func run(standardError: (String) -> Void) throws(KvalitetError) -> [ResultsStore.ImportReport] {
        if inputs.isEmpty && registerFiles.isEmpty && absenceInputs.isEmpty {
            throw KvalitetError(
                .usage, "give response files or folders, --absence FILE or --register FILE, to import",
                nb: "oppgi svarfiler eller mapper, --absence FIL eller --register FIL, som skal importeres")
        }
        let catalog = try ScoreJob.catalog(setDirectories)
        if let defaultSet, catalog[defaultSet] == nil {
            throw KvalitetError(
                .inputRefused,
                "unknown set \"\(defaultSet)\" (known: \(catalog.sets.keys.sorted().joined(separator: ", ")))",
                nb: "ukjent skjema «\(defaultSet)» (kjente: \(catalog.sets.keys.sorted().joined(separator: ", ")))")
        }
        var registers: [Register] = []
        for file in registerFiles { registers.append(try Register.load(file: URL(fileURLWithPath: file))) }
        var options = ScorePipeline.Options(defaultSet: defaultSet)
        options.parts = 1
        options.progress = progress
        let pipeline = ScorePipeline(
            readers: readers, catalog: catalog, registers: try RegisterIndex(registers), options: options)
        let files = inputs.isEmpty ? [] : try pipeline.inputFiles(inputs)
        let absenceFiles =
            absenceInputs.isEmpty
            ? [] : try ScorePipeline.listInputs(absenceInputs, readers: [CSVResponseReader()], skippingSickLeave: false).files

        let store = try ResultsStore.open(self.store)
        defer {
            store.database.settle()
            store.close()
        }
        let nb = language == .nb
        var reports: [ResultsStore.ImportReport] = []
        for path in registerFiles {
            let report = try store.importRegister(path: path)
            standardError(describe(report))
            reports.append(report)
        }
        progress?.begin(files)
        for file in files {
            let problems = try ProblemLog(rejects: nil, strict: strict)
            let report = try store.importResponses(file, pipeline: pipeline, problems: problems)
            progress?.finish(file, responses: report.summary.read)
            standardError(describe(report))
            reports.append(report)
        }
        for file in absenceFiles {
            let report = try store.importAbsence(file, reader: absenceReader, strict: strict, language: language)
            standardError(describe(report))
            reports.append(report)
        }
        let imported = reports.filter { if case .imported = $0.outcome { true } else { false } }.count
        standardError(
            nb
                ? "kvalitet: \(imported) \(imported == 1 ? "fil" : "filer") importert, \(reports.count - imported) uendret, i \(store.database.displayName)"
                : "kvalitet: \(imported) \(imported == 1 ? "file" : "files") imported, \(reports.count - imported) unchanged, in \(store.database.displayName)"
        )
        return reports
    }

    /// One line (and one per replaced import) about a file's import.
    func describe(_ report: ResultsStore.ImportReport) -> String {
        let nb = language == .nb
        switch report.outcome {
        case .unchanged(let id, let fileName, let at):
            let same = fileName == report.file ? "" : " (\(fileName))"
            return nb
                ? "uendret:   \(report.file) — samme innhold som import \(id)\(same), \(at); ingenting endret"
                : "unchanged: \(report.file) — same content as import \(id)\(same), \(at); nothing changed"
        case .imported(let id, let replaced) where report.isRegister:
            var lines = [
                nb ? "importert: \(report.file) — import \(id): register" : "imported:  \(report.file) — import \(id): register"
            ]
            for replacement in replaced {
                lines.append(
                    nb
                        ? "  erstatter registeret fra import \(replacement.importID) (\(replacement.fileName))"
                        : "  replaces the register of import \(replacement.importID) (\(replacement.fileName))")
            }
            return lines.joined(separator: "\n")
        case .imported(let id, let replaced) where report.isAbsence:
            let s = report.summary
            var lines = [
                nb
                    ? "importert: \(report.file) — import \(id): sykefravær, \(s.read) rader lest, \(s.counted) telt, \(s.rejected) ikke telt"
                    : "imported:  \(report.file) — import \(id): sick leave, \(s.read) rows read, \(s.counted) counted, \(s.rejected) not counted"
            ]
            for replacement in replaced {
                lines.append(
                    nb
                        ? "  erstatter \(replacement.responses) måneder fra import \(replacement.importID) (\(replacement.fileName)) for de samme enhetene"
                        : "  replaces \(replacement.responses) months of import \(replacement.importID) (\(replacement.fileName)) for the same units"
                )
            }
            return lines.joined(separator: "\n")
        case .imported(let id, let replaced):
            let s = report.summary
            var lines = [
                nb
                    ? "importert: \(report.file) — import \(id): \(s.read) svar lest, \(s.counted) telt, \(s.rejected) ikke telt"
                    : "imported:  \(report.file) — import \(id): \(s.read) responses read, \(s.counted) counted, \(s.rejected) not counted"
            ]
            for replacement in replaced {
                lines.append(
                    nb
                        ? "  erstatter \(replacement.responses) svar fra import \(replacement.importID) (\(replacement.fileName)) for de samme enhetene"
                        : "  replaces \(replacement.responses) responses of import \(replacement.importID) (\(replacement.fileName)) for the same units"
                )
            }
            return lines.joined(separator: "\n")
        }
    }
}

/// `kvalitet history`: the import log as a table or CSV.
public enum HistoryWriter {
    public static func csv(_ entries: [ResultsStore.ImportEntry], style: CSVStyle = .standard) -> String {
        var text = style.header([
            "import", "imported_at", "kind", "file", "content_hash", "set", "municipalities", "periods", "read", "counted",
            "rejected", "stored", "current", "replaces", "replaced_by",
        ])
        for e in entries {
            let fields = [
                String(e.id), e.importedAt, e.kind, e.fileName, e.contentHash, e.set ?? "",
                (e.municipality.map { [$0] } ?? e.municipalities).joined(separator: "; "), e.periods.joined(separator: "; "),
                String(e.read), String(e.counted), String(e.rejected), String(e.stored), String(e.remaining),
                e.replaced.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: "; "),
                e.replacedBy.map(String.init).joined(separator: "; "),
            ]
            text += CSVText.row(fields, style: style)
        }
        return text
    }

    public static func table(_ entries: [ResultsStore.ImportEntry], language: Language) -> String {
        let nb = language == .nb
        if entries.isEmpty { return nb ? "Lageret er tomt: ingen import ennå.\n" : "The store is empty: no import yet.\n" }
        let header =
            nb
            ? ["import", "tid (UTC)", "type", "fil", "sett", "kommune", "periode", "lest", "telt", "ikke telt", "nå", "merknad"]
            : [
                "import", "time (UTC)", "kind", "file", "set", "municipality", "period", "read", "counted", "not counted",
                "current", "note",
            ]
        var rows = [header]
        for e in entries {
            var notes: [String] = []
            for (id, count) in e.replaced.sorted(by: { $0.key < $1.key }) {
                notes.append(
                    e.kind == "register"
                        ? (nb ? "erstatter register \(id)" : "replaces register \(id)")
                        : e.kind == "absence"
                            ? (nb ? "erstatter \(count) måneder fra \(id)" : "replaces \(count) months of \(id)")
                            : (nb ? "erstatter \(count) svar fra \(id)" : "replaces \(count) responses of \(id)"))
            }
            if !e.replacedBy.isEmpty {
                let by = e.replacedBy.map(String.init).joined(separator: ", ")
                notes.append(nb ? "erstattet av \(by)" : "replaced by \(by)")
            }
            let isRegister = e.kind == "register"
            rows.append([
                String(e.id), e.importedAt,
                isRegister ? "register" : e.kind == "absence" ? (nb ? "fravær" : "sick leave") : (nb ? "svar" : "responses"),
                e.fileName,
                e.set ?? "", (e.municipality.map { [$0] } ?? e.municipalities).joined(separator: ", "),
                e.periods.joined(separator: ", "), isRegister ? "" : String(e.read), isRegister ? "" : String(e.counted),
                isRegister ? "" : String(e.rejected), isRegister ? "" : String(e.remaining), notes.joined(separator: "; "),
            ])
        }
        var widths = Array(repeating: 0, count: header.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        let numeric: Set<Int> = [0, 7, 8, 9, 10]
        return rows.map { row in
            row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return numeric.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }
}
