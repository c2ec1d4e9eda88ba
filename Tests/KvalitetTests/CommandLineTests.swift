import Foundation
import Testing

@testable import Kvalitet
@testable import KvalitetStore

/// Issue #14, part 3: the command line as people meet it — what reaches the terminal, the
/// language option, the version, examples in the help, stores that reading never makes.
@Suite struct CommandLineTests {
    /// Runs `script` with `$K` the tool; exit status, standard output and standard error.
    static func run(_ script: String) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "K='\(FaultTests.tool.path)' && \(script)"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test func controlCharactersFromFilesAreShownNotObeyed() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write(
            "respondent,municipality,service,unit,period,set,trivsel-1,trivsel-2\n"
                + "r1,M,SFO,\"a\u{1B}[2J\u{202E}b\",2024,sfo-foresatte,5,\"\u{1B}]0;title\u{7}\"\n", to: "esc.csv", in: folder)
        let table = try Self.run("$K score '\(path)' 2>/dev/null")
        #expect(!table.output.contains("\u{1B}") && !table.output.contains("\u{202E}"))
        #expect(table.output.contains("Enhet a\\u{1B}[2J\\u{202E}b, SFO (M)"))
        // Messages too (a --strict error names the invalid value: an escape retitling the terminal).
        let strict = try Self.run("$K score --strict '\(path)' > /dev/null")
        #expect(strict.status == 3)
        #expect(
            !strict.errors.contains("\u{1B}") && strict.errors.contains("ugyldig svar «\\u{1B}]0;title\\u{7}»"),
            "\(strict.errors)")
        // CSV for programs keeps every character.
        let csv = try Self.run("$K score --format csv '\(path)' 2>/dev/null")
        #expect(csv.output.contains("a\u{1B}[2J\u{202E}b"))
        #expect(TerminalText.escaped("Bærum\tø\n") == "Bærum\tø\n")
        #expect(TerminalText.escaped("\u{0}\u{7F}\u{85}") == "\\u{0}\\u{7F}\\u{85}")
    }

    /// A problem that stops `--strict` is said in bokmål by default and in English with
    /// `--lang en`, with its file, line and column (issue #14, part 5).
    @Test func strictProblemsInTheRunsLanguage() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = Support.write(
            "respondent;municipality;service;unit;period;set;trivsel-1;trivsel-2\r\n"
                + "r1;M;SFO;a;2024;sfo-foresatte;5,0;4\r\n", to: "in.csv", in: folder)
        let nb = try Self.run("cd '\(folder.path)' && $K score --strict in.csv")
        #expect(nb.status == 3)
        #expect(
            nb.errors
                == "kvalitet: in.csv:2: feil: ugyldig svar «5,0» på spørsmålet trivsel-1 (skala 1–6); regnes som ubesvart; 5,0 er ikke et heltall 1–6: lagre svarene som heltall [invalid-answer] (--strict)\n",
            "\(nb.errors)")
        let en = try Self.run("cd '\(folder.path)' && $K score --strict --lang en in.csv")
        #expect(en.status == 3)
        #expect(
            en.errors
                == "kvalitet: in.csv:2: error: invalid answer \"5,0\" for item trivsel-1 (scale 1–6); counted as unanswered; 5,0 is not a whole number 1–6: save the answers as whole numbers [invalid-answer] (--strict)\n",
            "\(en.errors)")
        // A response with a field left empty, and a duplicate.
        let more = Support.write(
            "respondent,municipality,service,unit,period,set,trivsel-1\nr1,M,SFO,,2024,sfo-foresatte,5\n", to: "tom.csv",
            in: folder)
        let empty = try Self.run("$K score --strict '\(more)'")
        #expect(empty.errors.contains("feil: unit er tom; svaret telles ikke [missing-field] (--strict)"), "\(empty.errors)")
    }

    @Test func norwegianAsNoAndTheVersionAndExamples() throws {
        let samples = Support.repository.appendingPathComponent("Samples/sfo-foresatte-eksempelvik.csv").path
        let nb = try Self.run("$K score --lang nb '\(samples)'")
        let no = try Self.run("$K score --lang no '\(samples)'")
        #expect(no.status == 0 && no.output == nb.output && no.errors == nb.errors)
        let version = try Self.run("$K --version")
        #expect(version.status == 0 && version.output == "0.7.0\n")
        for command in ["score", "validate", "absence", "report", "audit", "import", "history", "generate", "sets"] {
            let help = try Self.run("$K \(command) --help")
            #expect(help.output.contains("Example"), "\(command) --help")
        }
    }

    @Test func readingNeverTurnsAFileIntoAStore() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = Support.write("", to: "empty.sqlite", in: folder)
        let text = Support.write("not a database\n", to: "notes.sqlite", in: folder)
        let first = try Self.run("$K history --db '\(empty)'")
        #expect(first.status == 2)
        #expect(
            first.errors
                == "kvalitet: \(empty): error: the file is empty, not a results store (make one with kvalitet import --db \(empty) FILES)\n"
        )
        let second = try Self.run("$K score --db '\(text)'")
        #expect(second.status == 2)
        #expect(second.errors == "kvalitet: \(text): error: not a results store (an SQLite file made by kvalitet import)\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: empty)).isEmpty)
        #expect(try String(contentsOfFile: text, encoding: .utf8) == "not a database\n")
    }

    /// libpq's messages (which may name the user) in words; the user name never passed on.
    @Test func postgreSQLFailuresInWords() {
        #expect(
            PostgresDatabase.words(for: .connection)
                == "the connection was refused or lost (is the server running, on this host and port?)")
        #expect(
            PostgresDatabase.describeConnectionMessage(
                "connection to server at \"127.0.0.1\", port 9 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n",
                user: "kv_owner") == PostgresDatabase.words(for: .connection))
        #expect(
            PostgresDatabase.describeConnectionMessage("server does not support SSL, but SSL was required\n", user: nil)
                == "the server does not offer TLS (use ?sslmode=disable in the URL on a trusted network)")
        let refused = PostgresDatabase.describeConnectionMessage(
            "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  password authentication failed for user \"kv_owner\"\n",
            user: "kv_owner")
        #expect(refused.hasPrefix("authentication failed") && !refused.contains("kv_owner"))
        let other = PostgresDatabase.describeConnectionMessage(
            "FATAL:  database \"x\" does not exist for kv_owner\nmore\n", user: "kv_owner")
        #expect(other == "FATAL:  database \"x\" does not exist for …")
        #expect(
            PostgresDatabase.words(for: .passwordRequired)
                == "the server asks for a password (give it in the URL, PGPASSWORD or ~/.pgpass)")
    }
}
