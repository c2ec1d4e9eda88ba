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

    func level(_ key: GroupKey, names: GroupNames = GroupNames()) -> String {
        switch key.level {
        case .all: return pick("Alle svar", "All responses")
        case .municipality:
            if !key.breakdown.isEmpty {
                let value = key.breakdownValue.isEmpty ? pick("(ikke oppgitt)", "(not given)") : key.breakdownValue
                return pick("Kommune", "Municipality") + " \(key.municipality), \(key.breakdown) = \(value)"
            }
            return pick("Kommune", "Municipality") + " \(key.municipality)"
        case .service: return pick("Tjeneste", "Service") + " \(key.service) (\(key.municipality))"
        case .unit:
            let name = names.unit(municipality: key.municipality, id: key.unit).map { "\($0) [\(key.unit)]" } ?? key.unit
            return pick("Enhet", "Unit") + " \(name), \(key.service) (\(key.municipality))"
        case .subproject:
            let name = names.subproject(municipality: key.municipality, id: key.subproject).map { "\($0) [\(key.subproject)]" }
                ?? key.subproject
            return pick("Delprosjekt", "Sub-project") + " \(name) (\(key.municipality))"
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
    func summary(_ s: RunSummary) -> String {
        func count(_ n: Int, _ nbOne: String, _ nbMany: String, _ enOne: String, _ enMany: String) -> String {
            "\(n) " + (n == 1 ? pick(nbOne, enOne) : pick(nbMany, enMany))
        }
        return "kvalitet: " + [
            count(s.files, "fil", "filer", "file", "files"),
            count(s.read, "svar lest", "svar lest", "response read", "responses read"),
            count(s.counted, "telt", "telt", "counted", "counted"),
            count(s.rejected, "ikke telt", "ikke telt", "not counted", "not counted"),
            count(s.invalidCells, "ugyldig celle", "ugyldige celler", "invalid cell", "invalid cells"),
            count(s.warnings, "advarsel", "advarsler", "warning", "warnings"),
        ].joined(separator: ", ")
    }

    func notCounted(_ kind: String, _ count: Int) -> String {
        pick("  ikke telt, \(kind): \(count)", "  not counted, \(kind): \(count)")
    }
}
