import CReadStat
import Foundation

/// Reads responses from SPSS data files (`.sav`, and `.zsav` compressed) through ReadStat, with
/// the columns and rules of a CSV file (FORMAT.md §2); a case's line is the line it would have
/// in a CSV export of the file (the variable names are line 1, case 1 is line 2).
///
/// - A variable is a column by its name, ignoring case, `_` standing for `-` (SPSS names cannot
///   hold `-`: `trivsel_1` is item `trivsel-1`); `bg_alder` is background variable `alder`, as
///   `bg.alder` is.
/// - Numeric values are their codes ("5"; a whole number without decimals); a date variable (an
///   SPSS date format) its ISO date. A key variable with value labels (units coded 1, 2, 3)
///   gives the label.
/// - A user-missing value is "vet ikke" when its label or code is one of the indicator sets'
///   don't-know words (``dontKnowWords``; the pipeline gives them), else unanswered, as a
///   system-missing value is. String variables are their text.
///
/// ReadStat parses on a thread of its own; the cases come over in batches (``HandOver``), so
/// memory stays bounded whatever the file's size.
public struct SPSSResponseReader: DontKnowAware {
    public var name: String { "sav" }
    public var fileExtensions: Set<String> { ["sav", "zsav"] }
    /// The don't-know words of the sets the run knows, trimmed and lowercased.
    public var dontKnowWords: Set<String>
    /// Most variables a file may have, as `--max-columns` for CSV.
    public var maxColumns: Int

    public init(dontKnowWords: Set<String> = [], maxColumns: Int = 10_000) {
        self.dontKnowWords = dontKnowWords
        self.maxColumns = maxColumns
    }

    enum Item {
        case header([String])
        case cases([[String]])
    }

    public func read<Sink: ResponseSink>(_ file: InputFile, into sink: inout Sink) throws {
        var status = stat()
        guard stat(file.url.path, &status) == 0 else {
            throw KvalitetError(
                .inputRefused, "cannot open the file: \(String(cString: strerror(errno)))",
                nb: "kan ikke åpne filen: \(String(cString: strerror(errno)))", at: SourceLocation(file: file.name))
        }
        if status.st_size == 0 { throw KvalitetError.emptyFile(file) }
        let parse = SPSSParse(file: file, dontKnowWords: dontKnowWords, maxColumns: maxColumns)
        let thread = Thread { parse.run() }
        thread.stackSize = 1 << 22
        thread.start()
        defer { parse.handOver.stop() }
        var table: TableRecords?
        var line = 1
        while let item = try parse.handOver.next() {
            switch item {
            case .header(let names): table = try TableRecords(file: file, header: names, line: 1)
            case .cases(let cases):
                for values in cases {
                    line += 1
                    try table!.receive(values, line: line, into: &sink)
                }
            }
        }
    }
}

/// One ReadStat parse of a file: its variables, value labels and the case being read.
final class SPSSParse: @unchecked Sendable {
    // @unchecked: used by the parsing thread only, but for `handOver`, which is thread-safe.
    struct Variable {
        var isKey: Bool
        var labels: String?
        var isDate: Bool
        var isDateTime: Bool
    }

    let file: InputFile
    let dontKnowWords: Set<String>
    let maxColumns: Int
    let handOver = HandOver<SPSSResponseReader.Item>()
    private var names: [String] = []
    private var variables: [Variable] = []
    private var labels: [String: [String: String]] = [:]
    private var current: [String] = []
    private var batch: [[String]] = []
    private var sentHeader = false
    /// Complete cases read: a failure lies in the next one's line (or the variables', line 1).
    private var cases = 0
    private var failure: KvalitetError?
    private var errorMessage: String?

    init(file: InputFile, dontKnowWords: Set<String>, maxColumns: Int) {
        self.file = file
        self.dontKnowWords = dontKnowWords
        self.maxColumns = maxColumns
    }

    func run() {
        guard let parser = readstat_parser_init() else {
            handOver.end(refusal("ReadStat could not start"))
            return
        }
        defer { readstat_parser_free(parser) }
        readstat_set_error_handler(parser) { message, context in
            guard let message, let context else { return }
            Unmanaged<SPSSParse>.fromOpaque(context).takeUnretainedValue().errorMessage = String(cString: message)
        }
        readstat_set_variable_handler(parser) { index, variable, labels, context in
            Unmanaged<SPSSParse>.fromOpaque(context!).takeUnretainedValue().variable(Int(index), variable!, labels)
        }
        readstat_set_value_label_handler(parser) { set, value, label, context in
            Unmanaged<SPSSParse>.fromOpaque(context!).takeUnretainedValue().label(set, value, label)
        }
        readstat_set_value_handler(parser) { observation, variable, value, context in
            Unmanaged<SPSSParse>.fromOpaque(context!).takeUnretainedValue().value(variable!, value)
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        let status = readstat_parse_sav(parser, file.url.path, context)
        if status == READSTAT_OK || status == READSTAT_ERROR_USER_ABORT && failure == nil {
            if !sentHeader { _ = handOver.put(.header(names)) }
            if !batch.isEmpty { _ = handOver.put(.cases(batch)) }
            handOver.end(nil)
        } else {
            let reason = errorMessage ?? readstat_error_message(status).map { String(cString: $0) } ?? "error \(status.rawValue)"
            handOver.end(failure ?? refusal("not a readable SPSS data file (\(reason))"))
        }
    }

    private func refusal(_ message: String) -> KvalitetError {
        KvalitetError(
            .inputRefused, "\(message); nothing of the file is counted",
            at: SourceLocation(file: file.name, line: sentHeader ? cases + 2 : 1))
    }

    /// A variable: its column name as a CSV header would have it.
    private func variable(
        _ index: Int, _ variable: UnsafeMutablePointer<readstat_variable_t>, _ labelSet: UnsafePointer<CChar>?
    ) -> Int32 {
        guard index < maxColumns else {
            failure = refusal("the file has more than \(maxColumns) variables (--max-columns)")
            return Int32(READSTAT_HANDLER_ABORT)
        }
        // A damaged file can hold a variable without a name: ReadStat gives NULL.
        let name = readstat_variable_get_name(variable).map { String(cString: $0) } ?? ""
        var header = name
        let column = CSVResponseReader.Column(header: name)
        if case .other = column {
            let lower = name.lowercased()
            header =
                lower.hasPrefix("bg_") && name.count > 3
                ? "bg." + name.dropFirst(3) : name.replacingOccurrences(of: "_", with: "-")
        }
        let isKey: Bool
        if case .other = CSVResponseReader.Column(header: header) { isKey = false } else { isKey = true }
        let format = readstat_variable_get_format(variable).map { String(cString: $0).uppercased() } ?? ""
        let isDateTime = format.hasPrefix("DATETIME") || format.hasPrefix("YMDHMS")
        let isDate =
            !isDateTime && ["DATE", "ADATE", "EDATE", "SDATE", "JDATE"].contains { format.hasPrefix($0) }
            && readstat_variable_get_type_class(variable) == READSTAT_TYPE_CLASS_NUMERIC
        names.append(header)
        variables.append(
            Variable(isKey: isKey, labels: labelSet.map { String(cString: $0) }, isDate: isDate, isDateTime: isDateTime))
        return Int32(READSTAT_HANDLER_OK)
    }

    private func label(_ set: UnsafePointer<CChar>?, _ value: readstat_value_t, _ label: UnsafePointer<CChar>?) -> Int32 {
        guard let set, let label else { return Int32(READSTAT_HANDLER_OK) }
        labels[String(cString: set), default: [:]][Self.code(value)] = String(cString: label)
        return Int32(READSTAT_HANDLER_OK)
    }

    /// A value's code as text: a string as it is, a whole number without decimals.
    static func code(_ value: readstat_value_t) -> String {
        if readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING {
            return readstat_string_value(value).map { String(cString: $0) } ?? ""
        }
        let number = readstat_double_value(value)
        if number.isFinite && number == number.rounded() && abs(number) < 9_007_199_254_740_992 { return String(Int64(number)) }
        return number.isFinite ? number.description : ""
    }

    private func value(_ variable: UnsafeMutablePointer<readstat_variable_t>, _ value: readstat_value_t) -> Int32 {
        if !sentHeader {
            sentHeader = true
            guard handOver.put(.header(names)) else { return Int32(READSTAT_HANDLER_ABORT) }
            current.reserveCapacity(names.count)
        }
        let index = Int(readstat_variable_get_index(variable))
        let info = variables[index]
        let text: String
        if readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING {
            text = Self.code(value)
        } else if readstat_value_is_system_missing(value) != 0 || readstat_value_is_tagged_missing(value) != 0 {
            text = ""
        } else if readstat_value_is_defined_missing(value, variable) != 0 {
            // User-missing: "vet ikke" when its label or code says so, else unanswered.
            let code = Self.code(value)
            let label = info.labels.flatMap { labels[$0]?[code] }
            if let label, dontKnowWords.contains(label.trimmingSpaces.lowercased()) {
                text = label
            } else if dontKnowWords.contains(code) {
                text = code
            } else {
                text = ""
            }
        } else if info.isDate || info.isDateTime, case let seconds = readstat_double_value(value),
            seconds >= 0, seconds < 265_000_000_000  // 1582-10-14 to about 9979: else the number as it is
        {
            // SPSS counts seconds from 1582-10-14, which is 141,428 days before 1970-01-01.
            let days = Int((seconds / 86_400).rounded(.down))
            let rest = info.isDateTime ? min(86_399, Int((seconds - Double(days) * 86_400).rounded())) : 0
            text = CivilDate.iso(daysSince1970: days - 141_428, seconds: rest)
        } else {
            let code = Self.code(value)
            text = info.isKey ? info.labels.flatMap { labels[$0]?[code] } ?? code : code
        }
        current.append(text)
        if current.count == names.count {
            cases += 1
            batch.append(current)
            current.removeAll(keepingCapacity: true)
            if batch.count >= 512 {
                guard handOver.put(.cases(batch)) else { return Int32(READSTAT_HANDLER_ABORT) }
                batch.removeAll(keepingCapacity: true)
            }
        }
        return Int32(READSTAT_HANDLER_OK)
    }
}
