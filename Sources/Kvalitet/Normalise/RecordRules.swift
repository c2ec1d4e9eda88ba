#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The normalise stage's rules for a response's fields (FORMAT.md §2, §7), in one place: which
/// set it names, the required fields, the interview status, and the problems they give. Each rule
/// is written once for text; rows whose fields are bytes (CSV, for the pipeline's own sink) take
/// ``usualFields(_:columns:setID:)``, which recognises only the usual row — the file's set or
/// none, every required field there, status `complete` or none — from its bytes, and leaves every
/// other row to the text rules (so no rule is decided twice in two ways).
enum RecordRules {
    /// A response's key fields, trimmed (once per response: they are used several times).
    struct Fields: Equatable {
        var respondent: String
        var municipality: String
        var service: String
        var unit: String
        var period: String

        init(_ record: ResponseRecord) {
            respondent = record.respondent?.trimmingSpaces ?? ""
            municipality = record.municipality?.trimmingSpaces ?? ""
            service = record.service?.trimmingSpaces ?? ""
            unit = record.unit?.trimmingSpaces ?? ""
            period = record.period?.trimmingSpaces ?? ""
        }
    }

    /// What the rules before duplicate detection make of a response of a file of set `set`.
    enum Admission: Equatable {
        /// The row names another set (known or not).
        case otherSet(String)
        /// A required field is empty (the first such, in FORMAT.md's order).
        case missing(String)
        case aborted
        case invalidStatus
        /// Registered under its (trimmed) respondent id and period: checked for duplicates.
        case registered
    }

    /// The checks every response passes before its id is registered, in order; `fields` are
    /// `record`'s.
    static func admission(of record: ResponseRecord, fields: Fields, set: String) -> Admission {
        let named = record.set?.trimmingSpaces ?? ""
        if !named.isEmpty && named != set { return .otherSet(named) }
        // Checked one by one, in this order (no array of pairs built per response).
        if fields.respondent.isEmpty { return .missing("respondent") }
        if fields.municipality.isEmpty { return .missing("municipality") }
        if fields.service.isEmpty { return .missing("service") }
        if fields.unit.isEmpty { return .missing("unit") }
        if fields.period.isEmpty { return .missing("period") }
        var status = record.status?.trimmingSpaces ?? ""
        if status != "complete" { status = status.lowercased() }
        if status == "aborted" { return .aborted }
        if !status.isEmpty && status != "complete" { return .invalidStatus }
        return .registered
    }

    /// Where a byte row's trimmed key fields lie in its cells.
    struct RawFields {
        var respondent: Range<Int>
        var municipality: Range<Int>
        var service: Range<Int>
        var unit: Range<Int>
        var period: Range<Int>
    }

    /// The key fields of a row whose fields are bytes when ``admission(of:fields:set:)`` would
    /// register it without a second look (the set `setID` or none named, every required field
    /// there, status exactly `complete` or none); nil for any other row, which the text rules
    /// then decide.
    static func usualFields(_ cells: RawCells, columns: KeyColumns, setID: [UInt8]) -> RawFields? {
        let fields = RawFields(
            respondent: cells.trimmedRange(columns.respondent),
            municipality: cells.trimmedRange(columns.municipality), service: cells.trimmedRange(columns.service),
            unit: cells.trimmedRange(columns.unit), period: cells.trimmedRange(columns.period))
        guard !fields.respondent.isEmpty, !fields.municipality.isEmpty, !fields.service.isEmpty, !fields.unit.isEmpty,
            !fields.period.isEmpty
        else { return nil }
        let usual = cells.bytes.withUnsafeBufferPointer { bytes in
            if columns.set >= 0 {
                let named = cells.trimmedRange(columns.set)
                if !named.isEmpty && !Self.bytes(bytes, named, equal: setID) { return false }
            }
            if columns.status >= 0 {
                let status = cells.trimmedRange(columns.status)
                if !status.isEmpty && !Self.bytes(bytes, status, equal: complete) { return false }
            }
            return true
        }
        return usual ? fields : nil
    }

    private static let complete = Array("complete".utf8)

    /// Whether `bytes[range]` are `expected`.
    @inline(__always)
    private static func bytes(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, equal expected: [UInt8]) -> Bool {
        range.count == expected.count
            && expected.withUnsafeBufferPointer {
                memcmp($0.baseAddress!, bytes.baseAddress! + range.lowerBound, range.count) == 0
            }
    }

    /// The problem of a response that is not admitted, or nil when it is registered.
    static func problem(
        _ admission: Admission, record: ResponseRecord, respondent: String, set: String, file: String,
        catalog: IndicatorSetCatalog
    ) -> Problem? {
        func problem(
            _ kind: Problem.Kind, column: String = "", value: String = "", _ message: String, nb norwegian: String
        ) -> Problem {
            Problem(
                kind, file: file, line: record.line, respondent: respondent, column: column, value: value, message: message,
                nb: norwegian)
        }
        switch admission {
        case .otherSet(let named):
            if catalog[named] == nil {
                return problem(
                    .unknownSet, column: "set", value: named, "unknown set \"\(named)\"; the response is not counted",
                    nb: "ukjent indikatorsett «\(named)»; svaret telles ikke")
            }
            return problem(
                .setMismatch, column: "set", value: named,
                "the row names set \"\(named)\", the file \"\(set)\"; the response is not counted",
                nb: "raden oppgir settet «\(named)», filen «\(set)»; svaret telles ikke")
        case .missing(let name):
            return problem(
                .missingField, column: name, "\(name) is empty; the response is not counted",
                nb: "\(name) er tom; svaret telles ikke")
        case .aborted:
            return problem(
                .aborted, column: "status", value: record.status ?? "", "aborted interview; read, not counted",
                nb: "avbrutt utfylling; lest, ikke telt")
        case .invalidStatus:
            return problem(
                .invalidStatus, column: "status", value: record.status ?? "",
                "status must be complete or aborted; the response is not counted",
                nb: "status må være complete eller aborted; svaret telles ikke")
        case .registered:
            return nil
        }
    }

    static func duplicateProblem(file: String, line: Int, respondent: String, set: String, period: String) -> Problem {
        Problem(
            .duplicateRespondent, file: file, line: line, respondent: respondent, column: "respondent", value: respondent,
            message:
                "respondent \(respondent) appears more than once for set \(set) and period \(period); this one is not counted",
            nb: "respondenten \(respondent) finnes mer enn én gang for settet \(set) og perioden \(period); denne telles ikke")
    }

    static func noValidAnswers(file: String, line: Int, respondent: String) -> Problem {
        Problem(
            .noValidAnswers, file: file, line: line, respondent: respondent,
            message: "no valid answer in the response; it is not counted", nb: "ingen gyldige svar i besvarelsen; den telles ikke"
        )
    }

    static func invalidAnswer(
        file: String, line: Int, respondent: String, column: String, value: String, set: CompiledSet
    ) -> Problem {
        let scale = set.set.scale
        var message = "invalid answer \"\(value)\" for item \(column) (scale \(scale.min)–\(scale.max)); counted as unanswered"
        if isDecimalWholeNumber(value) {
            message +=
                "; \(value.trimmingSpaces) is not a whole number \(scale.min)–\(scale.max): save the answers as whole numbers"
        }
        // The bokmål sentence is made only when it is printed (``Problem/norwegian``): a national
        // file has hundreds of thousands of invalid cells, and most runs print none of them.
        var problem = Problem(
            .invalidAnswer, file: file, line: line, respondent: respondent, column: column, value: value, message: message)
        problem.scale = (scale.min, scale.max)
        return problem
    }

    /// The bokmål sentence of an invalid answer `value` for item `column` of a scale `min`–`max`.
    static func invalidAnswerNorwegian(value: String, column: String, scale: (min: Int, max: Int)) -> String {
        var norwegian = "ugyldig svar «\(value)» på spørsmålet \(column) (skala \(scale.min)–\(scale.max)); regnes som ubesvart"
        if isDecimalWholeNumber(value) {
            norwegian += "; \(value.trimmingSpaces) er ikke et heltall \(scale.min)–\(scale.max): lagre svarene som heltall"
        }
        return norwegian
    }

    /// "5,0" or "5.00": a whole number written with decimals, as a number cell with a decimal
    /// format in Excel saves it.
    static func isDecimalWholeNumber(_ value: String) -> Bool {
        let text = value.trimmingSpaces
        guard let separator = text.firstIndex(where: { $0 == "," || $0 == "." }) else { return false }
        let whole = text[..<separator]
        let decimals = text[text.index(after: separator)...]
        return !whole.isEmpty && whole.allSatisfy(\.isASCIIDigitLike) && !decimals.isEmpty && decimals.allSatisfy { $0 == "0" }
    }
}

extension Character {
    fileprivate var isASCIIDigitLike: Bool { ("0"..."9").contains(self) }
}
