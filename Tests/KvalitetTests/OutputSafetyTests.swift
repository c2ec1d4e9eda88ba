import Foundation
import Testing

@testable import Kvalitet

/// Issue #14, part 1: an output never replaces what the run reads, another output, or a special
/// file, and leaves no respondent data behind. Each test runs the built tool as a process.
@Suite struct OutputSafetyTests {
    /// A folder with the SFO sample as `in.csv` and the register as `reg.yaml`.
    static func folder() throws -> URL {
        let folder = Support.temporaryFolder()
        let samples = Support.repository.appendingPathComponent("Samples")
        try FileManager.default.copyItem(
            at: samples.appendingPathComponent("sfo-foresatte-eksempelvik.csv"),
            to: folder.appendingPathComponent("in.csv"))
        try FileManager.default.copyItem(
            at: samples.appendingPathComponent("register-eksempelvik.yaml"),
            to: folder.appendingPathComponent("reg.yaml"))
        return folder
    }

    /// Runs `script` in `folder` with `$K` the tool; exit status and standard error.
    static func run(_ script: String, in folder: URL) throws -> (status: Int32, errors: String) {
        try FaultTests.run("cd '\(folder.path)' && K='\(FaultTests.tool.path)' && \(script)")
    }

    static func bytes(_ folder: URL, _ name: String) -> Data? {
        FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
    }

    @Test(arguments: [
        (
            "$K score --format csv --output in.csv in.csv",
            "--output in.csv is an input in.csv: the run would replace what it reads (write the output elsewhere)"
        ),
        (
            "$K score --rejects in.csv in.csv",
            "--rejects in.csv is an input in.csv: the run would replace what it reads (write the output elsewhere)"
        ),
        (
            "$K report --output in.csv in.csv",
            "--output in.csv is an input in.csv: the run would replace what it reads (write the output elsewhere)"
        ),
        (
            "$K score --register reg.yaml --output reg.yaml in.csv",
            "--output reg.yaml is the register reg.yaml: the run would replace what it reads (write the output elsewhere)"
        ),
        (
            "$K score --format csv --output ./sub/../in.csv in.csv",
            "--output ./sub/../in.csv is an input in.csv: the run would replace what it reads (write the output elsewhere)"
        ),
        (
            "ln in.csv hard.csv && $K score --format csv --output hard.csv in.csv",
            "--output hard.csv is an input in.csv: the run would replace what it reads (write the output elsewhere)"
        ),
        (
            "ln -s in.csv soft.csv && $K score --format csv --output soft.csv in.csv",
            "--output soft.csv is an input in.csv: the run would replace what it reads (write the output elsewhere)"
        ),
        (
            "$K score --format csv --output same.csv --rejects same.csv in.csv",
            "--rejects and --output name the same file same.csv: one would replace the other"
        ),
        (
            "$K score --format csv --output - --rejects - in.csv",
            "--rejects - and --output - would both write to standard output"
        ),
        (
            "mkdir data && cp in.csv data/ && $K score --format csv --output data/scores.csv data",
            "--output data/scores.csv lies in the input folder data: the next run would read it as responses (write it elsewhere)"
        ),
    ])
    func anOutputOverWhatTheRunReadsIsRefused(script: String, message: String) throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let input = Self.bytes(folder, "in.csv")
        let register = Self.bytes(folder, "reg.yaml")
        // The English messages (`--lang en`); bokmål, the default, is checked below.
        let english = script.replacingOccurrences(of: "$K score ", with: "$K score --lang en ")
            .replacingOccurrences(of: "$K report ", with: "$K report --lang en ")
        let (status, errors) = try Self.run(english, in: folder)
        #expect(status == 1)
        #expect(errors == "kvalitet: error: \(message)\n")
        #expect(Self.bytes(folder, "in.csv") == input)
        #expect(Self.bytes(folder, "reg.yaml") == register)
        #expect(Self.bytes(folder, "same.csv") == nil)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("data/scores.csv").path))
    }

    @Test func theRefusalIsInBokmålByDefault() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = Self.bytes(folder, "in.csv")
        let (status, errors) = try Self.run("$K score --format csv --output in.csv in.csv", in: folder)
        #expect(status == 1)
        #expect(
            errors == "kvalitet: feil: --output in.csv er en inndatafil in.csv: kjøringen ville erstatte det den leser"
                + " (skriv resultatet et annet sted)\n")
    }

    @Test func aReportBesideTheInputsIsFine() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Not a name the folder's listing takes: written, and the next run reads the same files.
        let (status, _) = try Self.run(
            "$K report --output rapport.html . && $K score --format csv --output ../x-$$.csv . ; rm -f ../x-$$.csv", in: folder)
        #expect(status == 0)
        #expect(Self.bytes(folder, "rapport.html") != nil)
    }

    @Test func kvalitetsOwnOutputsInAnInputFolderAreSkippedWithANote() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, errors) = try Self.run(
            """
            mkdir data out && cp in.csv data/ && $K score --format csv --output out/first.csv --rejects out/rejects.csv data \
            && cp out/first.csv out/rejects.csv data/ && $K score --format csv --output out/second.csv data
            """, in: folder)
        #expect(status == 0, "\(errors)")
        #expect(
            errors.contains("  hoppet over data/first.csv: et resultat fra kvalitet (poeng, validering eller avvik), ikke svar\n")
        )
        #expect(
            errors.contains(
                "  hoppet over data/rejects.csv: et resultat fra kvalitet (poeng, validering eller avvik), ikke svar\n"))
        #expect(Self.bytes(folder, "out/first.csv") == Self.bytes(folder, "out/second.csv"))
    }

    @Test func aDashIsStandardOutput() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, _) = try Self.run(
            "$K score --format csv --output - in.csv > piped.csv && $K score --format csv --output file.csv in.csv", in: folder)
        #expect(status == 0)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("-").path))
        #expect(Self.bytes(folder, "piped.csv") == Self.bytes(folder, "file.csv"))
    }

    @Test func aFIFOIsWrittenIntoNotReplaced() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, errors) = try Self.run(
            """
            mkfifo pipe && (cat pipe > got.csv &) && $K score --format csv --output pipe in.csv && sleep 0.2 \
            && test -p pipe && $K score --format csv --output file.csv in.csv
            """, in: folder)
        #expect(status == 0, "\(errors)")
        #expect(Self.bytes(folder, "got.csv") == Self.bytes(folder, "file.csv"))
    }

    /// As root, replacing /dev/null or /dev/stdout would turn the device into a regular file.
    @Test func devicesStayDevices() throws {
        guard getuid() == 0 else {
            print("OutputSafetyTests.devicesStayDevices: skipped, needs root (devices are writable only there)")
            return
        }
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, errors) = try Self.run(
            """
            $K score --format csv --output /dev/null --rejects /dev/null in.csv && test -c /dev/null \
            && $K score --format csv --output /dev/stdout in.csv > through-stdout.csv && test -L /dev/stdout \
            && $K score --format csv --output file.csv in.csv
            """, in: folder)
        #expect(status == 0, "\(errors)")
        #expect(Self.bytes(folder, "through-stdout.csv") == Self.bytes(folder, "file.csv"))
    }

    @Test func anOutputKeepsItsModeAndANewOneFollowsTheUmask() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, errors) = try Self.run(
            """
            touch kept.csv && chmod 600 kept.csv && umask 027 && $K score --format csv --output kept.csv --rejects new.csv in.csv
            """, in: folder)
        #expect(status == 0, "\(errors)")
        func mode(_ name: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.posixPermissions]
                as! NSNumber).intValue
        }
        #expect(try mode("kept.csv") == 0o600)
        #expect(try mode("new.csv") == 0o640)
    }

    /// A run killed with SIGKILL cannot remove its temporary file (it holds respondent ids): it is
    /// 0600, and the next run writing the same target removes it.
    @Test func aKilledRunsTemporaryFileIsPrivateAndRemovedNextTime() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, errors) = try Self.run(
            """
            $K generate --set sfo-foresatte --responses 400000 --output big.csv \
            && ($K score --format csv --output s.csv --rejects r.csv big.csv & pid=$!; sleep 1; kill -9 $pid; wait $pid; true)
            """, in: folder)
        #expect(status == 0, "\(errors)")
        let names = FaultTests.files(in: folder)
        let leftovers = names.filter { $0.hasPrefix(".r.csv.kvalitet-") }
        #expect(leftovers.count == 1, "\(names)")
        for name in leftovers {
            let mode =
                (try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.posixPermissions]
                as! NSNumber).intValue
            #expect(mode == 0o600)
        }
        // One of a process that still runs is left alone.
        let live = ".r.csv.kvalitet-\(getpid())-abcdef"
        Support.write("", to: live, in: folder)
        let again = try Self.run("$K score --format csv --output s.csv --rejects r.csv in.csv", in: folder)
        #expect(again.status == 0)
        #expect(FaultTests.files(in: folder).filter { $0.hasPrefix(".r.csv.kvalitet-") } == [live])
    }
}
