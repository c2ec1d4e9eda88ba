import CLibXML2
import Foundation

/// What a workbook's reader needs besides the sheet's rows: which part holds the sheet, the
/// shared strings, which cell styles are dates, and the date system. Read from the zip's small
/// parts (workbook, relationships, styles; the shared strings are held too, each string once).
struct XLSXBook {
    let archive: ZipArchive
    /// The sheets in workbook order: name and part.
    var sheets: [(name: String, part: String)] = []
    var sharedStrings: [String] = []
    /// Per cell style (`s`), whether its number format is a date or time.
    var dateStyles: [Bool] = []
    /// `date1904`: serial 0 is 1904-01-01 instead of 1899-12-31.
    var date1904 = false

    /// The most a part held in memory may inflate to (the sheet itself is streamed).
    static let maxHeldPartBytes: UInt64 = 256 << 20
    /// The most the sheet may inflate to.
    static let maxSheetBytes: UInt64 = 8 << 30

    init(_ archive: ZipArchive) throws {
        self.archive = archive
        guard let workbook = archive.entry("xl/workbook.xml") else {
            throw archive.refused(
                "a zip archive without xl/workbook.xml: not an Excel workbook (.xlsx)",
                "et zip-arkiv uten xl/workbook.xml: ikke en Excel-arbeidsbok (.xlsx)")
        }
        // A workbook that refers to other workbooks takes figures from files that are not here.
        if archive.entries.contains(where: { $0.name.lowercased().hasPrefix("xl/externallinks/") }) {
            throw archive.refused(
                "the workbook refers to other files (external references); save a copy with values only",
                "arbeidsboken viser til andre filer (eksterne referanser); lagre en kopi med bare verdier")
        }
        var ids: [(name: String, id: String)] = []
        var date1904 = false
        try Self.parse(workbook, in: archive) { stream in
            stream.onStart = { name, attributes in
                if XMLStream.is(name, "sheet"), let sheet = attributes["name"], let id = attributes["id"] {
                    ids.append((sheet, id))
                } else if XMLStream.is(name, "workbookPr"), let value = attributes["date1904"] {
                    date1904 = value == "1" || value == "true"
                }
            }
        }
        self.date1904 = date1904
        var targets: [String: String] = [:]
        if let relations = archive.entry("xl/_rels/workbook.xml.rels") {
            try Self.parse(relations, in: archive) { stream in
                stream.onStart = { name, attributes in
                    if XMLStream.is(name, "Relationship"), let id = attributes["Id"], let target = attributes["Target"] {
                        targets[id] = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
                    }
                }
            }
        }
        sheets = ids.compactMap { sheet in targets[sheet.id].map { (sheet.name, $0) } }
        if let strings = archive.entry("xl/sharedStrings.xml") {
            sharedStrings = try Self.sharedStrings(strings, in: archive)
        }
        if let styles = archive.entry("xl/styles.xml") {
            dateStyles = try Self.dateStyles(styles, in: archive)
        }
    }

    /// Parses a part held in memory with `configure`'s callbacks.
    static func parse(_ entry: ZipArchive.Entry, in archive: ZipArchive, _ configure: (XMLStream) -> Void) throws {
        let stream = XMLStream(part: entry.name, of: archive.file)
        configure(stream)
        try archive.read(entry, maxBytes: maxHeldPartBytes) { chunk in
            try stream.feed(chunk)
            return true
        }
        try stream.finish()
    }

    /// The texts of `<si>` in order: their `<t>` runs joined, phonetic runs (`<rPh>`) left out.
    static func sharedStrings(_ entry: ZipArchive.Entry, in archive: ZipArchive) throws -> [String] {
        var strings: [String] = []
        var text: [UInt8] = []
        var inText = false
        var phonetic = 0
        try parse(entry, in: archive) { stream in
            stream.onStart = { name, _ in
                if XMLStream.is(name, "si") {
                    text.removeAll(keepingCapacity: true)
                } else if XMLStream.is(name, "t") {
                    inText = phonetic == 0
                } else if XMLStream.is(name, "rPh") {
                    phonetic += 1
                }
            }
            stream.onEnd = { name in
                if XMLStream.is(name, "si") {
                    strings.append(XLSXText.unescaped(text))
                } else if XMLStream.is(name, "t") {
                    inText = false
                } else if XMLStream.is(name, "rPh") {
                    phonetic -= 1
                }
            }
            stream.onText = { bytes in if inText { text.append(contentsOf: bytes) } }
        }
        return strings
    }

    /// Per cell style of `<cellXfs>`, whether its number format shows a date or a time.
    static func dateStyles(_ entry: ZipArchive.Entry, in archive: ZipArchive) throws -> [Bool] {
        var formats: [Int: String] = [:]
        var styles: [Int] = []
        var inCellXfs = false
        try parse(entry, in: archive) { stream in
            stream.onStart = { name, attributes in
                if XMLStream.is(name, "numFmt"), let id = attributes["numFmtId"].flatMap(Int.init),
                    let code = attributes["formatCode"]
                {
                    formats[id] = code
                } else if XMLStream.is(name, "cellXfs") {
                    inCellXfs = true
                } else if inCellXfs && XMLStream.is(name, "xf") {
                    styles.append(attributes["numFmtId"].flatMap(Int.init) ?? 0)
                }
            }
            stream.onEnd = { name in if XMLStream.is(name, "cellXfs") { inCellXfs = false } }
        }
        return styles.map { id in formats[id].map(isDateFormat) ?? builtInDateFormats.contains(id) }
    }

    /// Excel's built-in number formats that are dates or times (ECMA-376 §18.8.30).
    static let builtInDateFormats: Set<Int> = [14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]

    /// Whether a format code shows a date or time: it has y, m, d, h or s outside quotes,
    /// brackets (colours, conditions, `[h]` aside) and escapes.
    static func isDateFormat(_ code: String) -> Bool {
        var quoted = false
        var bracket = false
        var escaped = false
        for character in code.lowercased() {
            if escaped {
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "\"": quoted.toggle()
            case "[" where !quoted: bracket = true
            case "]" where !quoted: bracket = false
            case let letter where "ymdhs".contains(letter) && !quoted && !bracket: return true
            default: continue
            }
        }
        return false
    }
}

/// Turning cells' stored values into the text the CSV reader would have read.
enum XLSXText {
    /// `_xHHHH_` escapes (ECMA-376 ST_Xstring) replaced by their characters.
    static func unescaped(_ bytes: [UInt8]) -> String {
        guard bytes.contains(0x5F) else { return String(decoding: bytes, as: UTF8.self) }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x5F, index + 6 < bytes.count, bytes[index + 1] == 0x78, bytes[index + 6] == 0x5F,
                let value = UInt32(String(decoding: bytes[(index + 2)..<(index + 6)], as: UTF8.self), radix: 16),
                let scalar = Unicode.Scalar(value)
            {
                result.append(contentsOf: String(scalar).utf8)
                index += 7
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// A number cell's text: a whole number without a decimal point ("5", "2024"), others as
    /// the shortest text that reads back as the same double ("4.5"), dates as ISO 8601.
    static func number(_ stored: String, isDate: Bool, date1904: Bool) -> String {
        guard let value = Double(stored.trimmingSpaces), value.isFinite else { return stored }
        if isDate, let date = date(value, date1904: date1904) { return date }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }
        return value.description
    }

    /// The date (and time, when not midnight) of an Excel serial number.
    static func date(_ serial: Double, date1904: Bool) -> String? {
        guard serial >= 0, serial < 2_958_466 else { return nil }  // up to 9999-12-31
        var days = Int(serial.rounded(.down))
        let seconds = min(86_399, Int(((serial - Double(days)) * 86_400).rounded()))
        if date1904 {
            days += 1462  // 1904-01-01 is serial 1462 of the 1900 system
        }
        if days == 60 { return "1900-02-29" }  // Excel's Lotus 1-2-3 leap day, which never was
        if days > 60 { days -= 1 }
        return CivilDate.iso(daysSince1970: days - 25_568, seconds: seconds)
    }
}

/// Dates as ISO 8601 text, for formats that store them as numbers (Excel's serial days, SPSS's
/// seconds since 1582-10-14).
enum CivilDate {
    /// `yyyy-mm-dd`, and `Thh:mm:ss` when `seconds` (into the day) is not 0.
    static func iso(daysSince1970 days: Int, seconds: Int) -> String {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let text = "\(year)-\(two(month))-\(two(day))"
        guard seconds > 0 else { return text }
        return text + "T\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }
}
