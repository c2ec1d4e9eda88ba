import Foundation
import Kvalitet

/// Standard output as a ``TextOutput``.
struct StandardOutput: TextOutput {
    mutating func write(_ text: String) throws(KvalitetError) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// Prints a line on standard error, control characters from files shown, not obeyed.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((TerminalText.escaped(line) + "\n").utf8))
}

/// Ends the process with the error's documented exit code and its message in `language`
/// (bokmål unless the command was given `--lang en`).
func fail(with error: KvalitetError, language: Language = .nb) -> Never {
    printError("kvalitet: \(error.text(language))")
    exit(error.code.exitCode)
}
