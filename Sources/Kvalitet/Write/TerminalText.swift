/// Text from users' files made safe to print on a terminal: a unit name holding an escape
/// sequence (ESC [ …) could otherwise move the cursor, recolour or retitle the terminal, or hide
/// what is printed. Control characters (C0 but line feed and tab, DEL, C1), and the bidirectional
/// overrides that can reorder what a reader sees, are shown as `\u{1B}`. CSV and JSON outputs are
/// for programs and keep every character.
public enum TerminalText {
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
