/// Texts people read, in Norwegian bokmål or English.
struct Labels {
    let language: Language

    private func pick(_ nb: String, _ en: String) -> String { language == .nb ? nb : en }

    func fewerThan(_ n: Int) -> String { pick("færre enn \(n) svar", "fewer than \(n) responses") }
    var protectsSmallGroup: String {
        pick("skjult for å verne en mindre gruppe", "hidden to protect a smaller group")
    }
    var dimension: String { pick("Dimensjon / spørsmål", "Dimension / item") }
    var mean: String { pick("Snitt", "Mean") }
    var interval: String { pick("95 % KI", "95% CI") }
    var positive: String { pick("Positive", "Positive") }
    var total: String { pick("Snitt av dimensjonene", "Mean of dimensions") }
    var responses: String { pick("Svar", "Responses") }
    var of: String { pick("av", "of") }

    /// Why a suppressed row has no figures.
    func hiddenNote(_ row: ScoreRow, minN: Int) -> String {
        row.hiddenToProtect ? protectsSmallGroup : fewerThan(minN)
    }

    /// The level's name: "Kommune", "Enhet", …
    func levelName(_ level: ScoreLevel) -> String {
        switch level {
        case .all: return pick("Alle svar", "All responses")
        case .municipality: return pick("Kommune", "Municipality")
        case .service: return pick("Tjeneste", "Service")
        case .unit: return pick("Enhet", "Unit")
        case .subproject: return pick("Delprosjekt", "Sub-project")
        }
    }

    /// The workbook's sheet for people (`--format xlsx`) and its columns.
    var overviewSheet: String { pick("Oversikt", "Overview") }
    var overviewColumns: [String] {
        language == .nb
            ? [
                "Nivå", "Gruppe", "Periode", "Indikatorsett", "Dimensjon", "Spørsmål", "Svar", "Utsendt", "Svarprosent", "n",
                "Snitt", "95 % KI fra", "95 % KI til", "Andel positive", "Vet ikke", "Ubesvart", "Merknad",
            ]
            : [
                "Level", "Group", "Period", "Indicator set", "Dimension", "Item", "Responses", "Invited", "Response rate",
                "n", "Mean", "95% CI from", "95% CI to", "Positive share", "Don't know", "Unanswered", "Note",
            ]
    }

    /// The absence workbook's sheet for people: its columns (with `--costs` the costs before the note).
    func absenceOverviewColumns(costs: Bool) -> [String] {
        let figures =
            language == .nb
            ? [
                "Nivå", "Gruppe", "Periode", "Ansatte", "Mulige dagsverk", "Egenmeldte dagsverk", "Legemeldte dagsverk",
                "Fraværsdagsverk", "Sykefravær %", "Egenmeldt %", "Legemeldt %", "Nærvær %", "Arbeidsgiverperiode dagsverk",
                "Sykt barn dagsverk", "Samme periode i fjor %", "Endring (prosentpoeng)",
            ]
            : [
                "Level", "Group", "Period", "Employees", "Possible days", "Self-certified days", "Doctor-certified days",
                "Absence days", "Sick leave %", "Self-certified %", "Doctor-certified %", "Presence %",
                "Employer-period days", "Sick-child days", "A year earlier %", "Change (percentage points)",
            ]
        let money =
            language == .nb
            ? ["Kostnad (kr)", "Arbeidsgivers del (kr)", "Verdi av 0,1 prosentpoeng (kr)", "Nullpunkt (prosentpoeng)"]
            : ["Cost (NOK)", "Employer's part (NOK)", "Worth of 0.1 percentage points (NOK)", "Break-even (percentage points)"]
        return figures + (costs ? money : []) + [pick("Merknad", "Note")]
    }

    func level(_ key: GroupKey, names: GroupNames = GroupNames()) -> String {
        let word = levelName(key.level)
        switch key.level {
        case .all: return word
        case .municipality:
            if !key.breakdown.isEmpty {
                let value = key.breakdownValue.isEmpty ? pick("(ikke oppgitt)", "(not given)") : key.breakdownValue
                return word + " \(key.municipality), \(key.breakdown) = \(value)"
            }
            return word + " \(key.municipality)"
        case .service: return word + " \(key.service) (\(key.municipality))"
        case .unit:
            let name = names.unit(municipality: key.municipality, id: key.unit).map { "\($0) [\(key.unit)]" } ?? key.unit
            return word + " \(name), \(key.service) (\(key.municipality))"
        case .subproject:
            let name =
                names.subproject(municipality: key.municipality, id: key.subproject).map { "\($0) [\(key.subproject)]" }
                ?? key.subproject
            return word + " \(name) (\(key.municipality))"
        }
    }

    /// One decimal, rounded half away from zero from the CSV's figure, with the decimal comma in
    /// Norwegian.
    func decimal(_ value: Double) -> String {
        DecimalText.rounded(value, places: 1, separator: language == .nb ? "," : ".")
    }

    /// A share as a whole percentage, rounded the same way.
    func percent(_ share: Double) -> String {
        DecimalText.rounded(share, shift: 2, places: 0) + " %"
    }

    // Closing summary.
    /// "1 fil", "3 filer": a count with its word in the language, singular or plural.
    func count(_ n: Int, _ nbOne: String, _ nbMany: String, _ enOne: String, _ enMany: String) -> String {
        "\(n) " + (n == 1 ? pick(nbOne, enOne) : pick(nbMany, enMany))
    }

    func summary(_ s: RunSummary) -> String {
        return "kvalitet: "
            + [
                count(s.files, "fil", "filer", "file", "files"),
                count(s.read, "svar lest", "svar lest", "response read", "responses read"),
                count(s.counted, "telt", "telt", "counted", "counted"),
                count(s.rejected, "ikke telt", "ikke telt", "not counted", "not counted"),
                count(s.invalidCells, "ugyldig celle", "ugyldige celler", "invalid cell", "invalid cells"),
                count(s.warnings, "advarsel", "advarsler", "warning", "warnings"),
            ].joined(separator: ", ")
    }

    /// "  ikke telt, samme respondent to ganger (duplicate-respondent): 1": the reason in words,
    /// and the code the rejects file writes in its `problem` column.
    func notCounted(_ kind: String, _ count: Int) -> String {
        let words = Self.notCountedWords[kind].map { pick($0.nb, $0.en) + " (\(kind))" } ?? kind
        return pick("  ikke telt, \(words): \(count)", "  not counted, \(words): \(count)")
    }

    /// Why responses (or rows) are not counted, per problem kind that leaves one out.
    private static let notCountedWords: [String: (nb: String, en: String)] = [
        Problem.Kind.missingField.rawValue: ("et påkrevd felt mangler", "a required field is missing"),
        Problem.Kind.duplicateRespondent.rawValue: ("samme respondent to ganger", "the same respondent twice"),
        Problem.Kind.unknownSet.rawValue: ("ukjent indikatorsett", "unknown set"),
        Problem.Kind.setMismatch.rawValue: ("et annet sett enn filens", "another set than the file's"),
        Problem.Kind.aborted.rawValue: ("avbrutt utfylling", "aborted interview"),
        Problem.Kind.invalidStatus.rawValue: ("ugyldig status", "invalid status"),
        Problem.Kind.noValidAnswers.rawValue: ("ingen gyldige svar", "no valid answers"),
        Problem.Kind.fieldCount.rawValue: ("for mange felt i raden", "too many fields in the row"),
        Problem.Kind.invalidAbsence.rawValue: ("ugyldig fraværsrad", "invalid absence row"),
        Problem.Kind.duplicateUnitMonth.rawValue: ("samme enhet og måned to ganger", "the same unit and month twice"),
        Problem.Kind.invalidValue.rawValue: ("ugyldig verdi", "invalid value"),
    ]

    /// The run notes for standard error: one line each, except that a file with more than three
    /// items without a column gets one line for them.
    func notes(_ notes: [Problem]) -> [String] {
        var lines: [String] = []
        var missing: [String: [Problem]] = [:]
        var order: [String] = []
        for note in notes {
            guard note.kind == .missingItem else {
                lines.append(self.note(note))
                continue
            }
            if missing[note.file] == nil { order.append(note.file) }
            missing[note.file, default: []].append(note)
        }
        var itemLines: [String] = []
        for file in order {
            let items = missing[file]!
            guard items.count > 3 else {
                itemLines += items.map(note)
                continue
            }
            let names = items.prefix(5).map(\.column).joined(separator: ", ") + (items.count > 5 ? ", …" : "")
            let near = items.filter { !$0.value.isEmpty }.map { "\($0.column) ← «\($0.value)»" }.joined(separator: ", ")
            itemLines.append(
                "  \(file): "
                    + pick(
                        "\(items.count) spørsmål har ingen kolonne (\(names))", "\(items.count) items have no column (\(names))")
                    + (near.isEmpty ? "" : pick("; mente du: \(near)?", "; did you mean: \(near)?")))
        }
        return itemLines + lines
    }

    /// A run note (``Problem/Kind/isRunNote``) for standard error.
    func note(_ problem: Problem) -> String {
        let where_ = problem.file.isEmpty ? "" : "\(problem.file)\(problem.line.map { ":\($0)" } ?? ""): "
        switch problem.kind {
        case .missingItem:
            let near =
                problem.value.isEmpty ? "" : pick(" (mente du «\(problem.value)»?)", " (did you mean \"\(problem.value)\"?)")
            return "  " + where_
                + pick(
                    "spørsmålet \(problem.column) har ingen kolonne\(near); dimensjonen regnes på de andre",
                    "item \(problem.column) has no column\(near); its dimension is computed on the others")
        case .registerUnmatched:
            return "  "
                + pick(
                    "registeret for «\(problem.value)» passer ikke til noen kommune i svarene",
                    "the register for \"\(problem.value)\" matches no municipality of the responses")
                + (problem.details.first.map { " (" + pick("de har: ", "they name: ") + $0 + ")" } ?? "")
        case .breakdownAbsent:
            return "  "
                + pick(
                    "ingen svar har en verdi for bakgrunnsvariabelen «\(problem.column.dropFirst(3))»",
                    "no response has a value for the background variable \"\(problem.column.dropFirst(3))\"")
                + (problem.value.isEmpty ? "" : pick(" (det finnes: \(problem.value))", " (there are: \(problem.value))"))
        case .overInvited where problem.details.count == 6:
            let d = problem.details
            return "  "
                + pick(
                    "enhet \(d[0]) (\(d[1])) har \(d[4]) svar på \(d[2]) i \(d[3]), men bare \(d[5]) utsendte skjema",
                    "unit \(d[0]) (\(d[1])) has \(d[4]) respondents for \(d[2]) in \(d[3]) but only \(d[5]) invited")
        case .caseOnlyIDs:
            return "  "
                + pick(
                    "id-er som bare skiller seg i store/små bokstaver, holdes adskilt: \(problem.value)",
                    "ids that differ only in case are kept apart: \(problem.value)")
        default:
            return "  " + where_ + problem.text(language)
        }
    }
}
