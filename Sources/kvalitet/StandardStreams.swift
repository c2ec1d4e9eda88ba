import Foundation
import Kvalitet

/// Standard output as a ``TextOutput``.
struct StandardOutput: TextOutput {
    mutating func write(_ text: String) throws(KvalitetError) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    mutating func write(bytes: UnsafeRawBufferPointer) throws(KvalitetError) {
        FileHandle.standardOutput.write(Data(bytes))
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

/// A workbook is bytes: refused on a terminal (standard output without `--output`), before
/// anything is read.
func refuseWorkbookOnTerminal(format: String, output: String?) throws(KvalitetError) {
    guard format == "xlsx", output == nil || output == "-", isatty(STDOUT_FILENO) != 0 else { return }
    throw KvalitetError(
        .usage, "--format xlsx writes a workbook, not text for a terminal: give --output FILE.xlsx",
        nb: "--format xlsx skriver en arbeidsbok, ikke tekst til en terminal: oppgi --output FIL.xlsx")
}
