/// The two text encodings a CSV export may have (FORMAT.md §2).
enum TextEncoding: Sendable, Equatable {
    case utf8
    /// What Norwegian Excel writes when it saves "CSV (semikolondelt)".
    case windows1252

    /// Unicode scalars of Windows-1252's bytes 0x80–0x9F (the rest equal Latin-1). The five
    /// bytes the code page leaves undefined are mapped to the C1 controls of the same number,
    /// as Windows' own converter does, so no byte is ever lost.
    static let windows1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ]

    /// Every one-byte ASCII string, by its byte.
    private static let asciiCharacters: [String] = (0..<128).map { String(UnicodeScalar(UInt8($0))) }

    /// The text of `bytes` in this encoding.
    func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Most cells are one ASCII character (an answer code): taken from a table, as creating a
        // String validates and copies its bytes (both encodings agree on ASCII).
        if bytes.count == 1, bytes[0] < 0x80 { return Self.asciiCharacters[Int(bytes[0])] }
        switch self {
        case .utf8:
            return String(decoding: bytes, as: UTF8.self)
        case .windows1252:
            if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
            var scalars = String.UnicodeScalarView()
            for byte in bytes {
                let value = (0x80...0x9F).contains(byte) ? Self.windows1252High[Int(byte - 0x80)] : UInt32(byte)
                scalars.append(Unicode.Scalar(value)!)
            }
            return String(scalars)
        }
    }
}

/// Checks UTF-8 validity chunk by chunk (a sequence may be split between chunks).
struct UTF8Validator {
    private var pending = 0  // continuation bytes still expected
    private var lowerBound: UInt8 = 0x80  // allowed range of the next continuation byte
    private var upperBound: UInt8 = 0xBF
    private(set) var isValid = true

    mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard isValid, let base = bytes.baseAddress else { return }
        var index = 0
        let count = bytes.count
        while index < count {
            // Plain ASCII eight bytes at a time (most of a file), outside a sequence.
            if pending == 0 {
                while index + 8 <= count,
                    UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0
                {
                    index += 8
                }
                if index == count { break }
            }
            let byte = bytes[index]
            index += 1
            if pending > 0 {
                guard byte >= lowerBound && byte <= upperBound else {
                    isValid = false
                    return
                }
                pending -= 1
                lowerBound = 0x80
                upperBound = 0xBF
                continue
            }
            switch byte {
            case 0x00...0x7F: continue
            case 0xC2...0xDF: pending = 1
            case 0xE0:
                pending = 2
                lowerBound = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: pending = 2
            case 0xED:
                pending = 2
                upperBound = 0x9F
            case 0xF0:
                pending = 3
                lowerBound = 0x90
            case 0xF1...0xF3: pending = 3
            case 0xF4:
                pending = 3
                upperBound = 0x8F
            default:
                isValid = false
                return
            }
        }
    }

    /// Whether the whole input was valid (no sequence left unfinished).
    var isCompleteAndValid: Bool { isValid && pending == 0 }
}
