import Foundation

/// What a CSV file is, worked out from its first bytes before it is read: its encoding, its
/// delimiter, Excel's `sep=` hint, and files that are no CSV text at all.
extension CSVResponseReader {
    /// `sep=X` (Excel's delimiter hint) at the start of `bytes`: X and the line's length with its end.
    static func separatorHint(_ bytes: ArraySlice<UInt8>) -> (delimiter: UInt8, length: Int)? {
        let prefix = Array("sep=".utf8)
        guard bytes.count >= 5, Array(bytes.prefix(4)).map({ $0 | 0x20 }) == prefix else { return nil }
        let delimiter = bytes[bytes.startIndex + 4]
        var length = 5
        var index = bytes.startIndex + 5
        if index < bytes.endIndex && bytes[index] == UInt8(ascii: "\r") {
            index += 1
            length += 1
        }
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\n") else { return nil }
        return (delimiter, length + 1)
    }

    /// Refuses, by their first bytes, files that are not text: a workbook or an SPSS file saved
    /// under a .csv name says what it is; a workbook is read when its name ends in .xlsx.
    static func refuseOtherFormats(_ head: [UInt8], file: InputFile) throws(KvalitetError) {
        let what: String?
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            what = "an Excel workbook (.xlsx) or another zip file"
        } else if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            what = "an old Excel workbook (.xls)"
        } else if head.starts(with: Array("$FL2".utf8)) || head.starts(with: Array("$FL3".utf8)) {
            what = "an SPSS data file (.sav)"
        } else {
            what = nil
        }
        if let what, what.hasPrefix("an Excel workbook (.xlsx)") {
            throw KvalitetError(
                .inputRefused,
                "this is \(what), not CSV text: kvalitet reads a workbook named *.xlsx (rename it), or save it from Excel as \"CSV UTF-8\"",
                nb:
                    "dette er \(what), ikke CSV-tekst: kvalitet leser en arbeidsbok med navn *.xlsx (gi den nytt navn), eller lagre den fra Excel som «CSV UTF-8»",
                at: SourceLocation(file: file.name, line: 1))
        }
        if let what {
            throw KvalitetError(
                .inputRefused,
                "this is \(what), not CSV text: save it from Excel as \"CSV UTF-8\" or \"CSV (semikolondelt)\"",
                nb: "dette er \(what), ikke CSV-tekst: lagre den fra Excel som «CSV UTF-8» eller «CSV (semikolondelt)»",
                at: SourceLocation(file: file.name, line: 1))
        }
    }

    /// UTF-8 (BOM or not) when the whole file is valid UTF-8, else Windows-1252; UTF-16 is refused.
    static func detectEncoding(_ source: ByteSource) throws(KvalitetError) -> (TextEncoding, bomLength: Int) {
        guard try source.refill() else { return (.utf8, 0) }
        let head = Array(source.chunk[0..<min(source.count, 3)])
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            throw KvalitetError(
                .inputRefused,
                "the file is UTF-16 (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" or \"CSV (semikolondelt)\"",
                nb: "filen er UTF-16 (Excels «Unicode-tekst»); lagre den som «CSV UTF-8» eller «CSV (semikolondelt)»",
                at: SourceLocation(file: source.file.name, line: 1))
        }
        let bomLength = head == [0xEF, 0xBB, 0xBF] ? 3 : 0
        let valid: Bool
        if let size = source.fileSize, size >= parallelCheckBytes, ProcessInfo.processInfo.activeProcessorCount > 1 {
            valid = try isUTF8InHalves(source.file, size: size)
        } else {
            var validator = UTF8Validator()
            repeat {
                validator.consume(UnsafeBufferPointer(rebasing: source.chunk[0..<source.count]))
                if !validator.isValid { break }
            } while try source.refill()
            valid = validator.isCompleteAndValid
        }
        if valid { return (.utf8, bomLength) }
        try refuseMixedEncoding(source)
        return (.windows1252, bomLength)
    }

    /// From this size a file's encoding is checked on two cores, a half each.
    static let parallelCheckBytes = 16 << 20

    /// Whether `file` (of `size` bytes) is valid UTF-8, its halves checked at once: the check
    /// reads the whole file before its parts are read, so on one core it was a tenth of a large
    /// run. The halves meet where a character starts (past any continuation bytes at the
    /// middle), so a valid file is valid in both halves and an invalid one in at least one.
    static func isUTF8InHalves(_ file: InputFile, size: Int) throws(KvalitetError) -> Bool {
        let middle = try ByteSource(file, chunkSize: 4)
        try middle.seek(to: size / 2)
        var split = size / 2
        if try middle.refill() {
            var index = 0
            while index < middle.count && middle.chunk[index] & 0xC0 == 0x80 {
                index += 1
                split += 1
            }
        }
        let ranges = [0..<split, split..<size]
        let results = PartResults<Result<Bool, KvalitetError>>(2)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            results.parts[part] = Result { () throws(KvalitetError) -> Bool in
                let range = ranges[part]
                let source = try ByteSource(file)
                try source.seek(to: range.lowerBound)
                var validator = UTF8Validator()
                var left = range.count
                while left > 0, try source.refill() {
                    let count = min(left, source.count)
                    validator.consume(UnsafeBufferPointer(rebasing: source.chunk[0..<count]))
                    if !validator.isValid { return false }
                    left -= count
                }
                return validator.isCompleteAndValid
            }
        }
        for result in results.parts { if case .failure(let error) = result! { throw error } }
        return results.parts.allSatisfy { (try? $0!.get()) == true }
    }

    /// The first byte of `bytes` that breaks UTF-8's pattern (a lead byte and its continuation
    /// bytes), for a message; the shortest-form rules are left to the validator.
    static func firstInvalidByte(_ bytes: [UInt8]) -> UInt8 {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            switch byte {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return byte
            }
            for next in 1..<length {
                guard index + next < bytes.count, (0x80...0xBF).contains(bytes[index + next]) else { return byte }
            }
            index += length
        }
        return bytes.last ?? 0
    }

    /// A file that is not UTF-8 is read as Windows-1252, unless it is UTF-8 but for some lines (a
    /// UTF-8 export with a line pasted from elsewhere): read whole as Windows-1252 its UTF-8
    /// letters would turn into "Ã¦", so it is refused, naming the lines and bytes that are not
    /// UTF-8. Decided line by line: some line holds a valid UTF-8 letter beyond ASCII, some
    /// line is not UTF-8.
    static func refuseMixedEncoding(_ source: ByteSource) throws(KvalitetError) {
        try source.rewind()
        var line = 1
        var current: [UInt8] = []
        var hasUTF8Letters = false
        var bad: [(line: Int, byte: UInt8)] = []
        var badCount = 0
        func finish() {
            guard current.contains(where: { $0 >= 0x80 }) else { return }
            if String(validating: current, as: UTF8.self) != nil {
                hasUTF8Letters = true
            } else {
                badCount += 1
                if bad.count < 5 { bad.append((line, firstInvalidByte(current))) }
            }
        }
        while try source.refill() {
            for byte in UnsafeBufferPointer(rebasing: source.chunk[0..<source.count]) {
                if byte == UInt8(ascii: "\n") {
                    finish()
                    current.removeAll(keepingCapacity: true)
                    line += 1
                } else {
                    current.append(byte)
                }
            }
        }
        finish()
        guard hasUTF8Letters && badCount > 0 else { return }
        let examples = bad.map { "line \($0.line): byte 0x" + String($0.byte, radix: 16, uppercase: true) }.joined(
            separator: ", ")
        throw KvalitetError(
            .inputRefused,
            "the file is UTF-8 but for \(badCount) line(s) that are not (\(examples)\(badCount > bad.count ? ", …" : "")); "
                + "read as Windows-1252 its letters would be garbled: save it again as \"CSV UTF-8\" or fix those lines",
            at: SourceLocation(file: source.file.name, line: bad.first?.line ?? 1))
    }

    /// The delimiter that occurs most often outside quotes in the header line (`,` when none does).
    static func detectDelimiter(_ bytes: some Sequence<UInt8>) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "\t")]
        var counts = [0, 0, 0]
        var quoted = false
        for byte in bytes {
            if byte == UInt8(ascii: "\"") {
                quoted.toggle()
                continue
            }
            if quoted { continue }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            if let index = candidates.firstIndex(of: byte) { counts[index] += 1 }
        }
        guard let best = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[best] > 0 else {
            return UInt8(ascii: ",")
        }
        return candidates[best]
    }
}
