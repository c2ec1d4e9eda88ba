import Foundation
import Testing

@testable import Kvalitet

/// The samples' report in a real browser: headless Chromium (Debian's `chromium`, installed by
/// `.ci/run`) loads it with no console message and no network request, renders a page that is
/// not blank, and shows the expected figures. Runs when Chromium is found; `.ci/run` sets
/// KVALITET_REQUIRE_BROWSER=1 so that in CI a missing browser fails instead of skipping.
@Suite struct BrowserTests {
    static let chromium: String? = {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [
            environment["KVALITET_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
        ].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    static let required = ProcessInfo.processInfo.environment["KVALITET_REQUIRE_BROWSER"] == "1"

    struct Load {
        var consoleMessages: [String]
        var pageRequests: [String]
        var screenshotBytes: Int
    }

    /// Loads `page` once: its screenshot, what it logged to the console and which requests it made.
    static func load(_ page: URL, in folder: URL, name: String, width: Int = 1200) throws -> Load {
        let screenshot = folder.appendingPathComponent("\(name).png")
        let netLog = folder.appendingPathComponent("\(name)-net.json")
        let (_, errors) = try run(
            [
                "--window-size=\(width),1800", "--screenshot=\(screenshot.path)", "--enable-logging=stderr", "--v=0",
                "--log-net-log=\(netLog.path)", page.absoluteString,
            ], profile: folder.appendingPathComponent("\(name)-profile"))
        let console = errors.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return Load(
            consoleMessages: console, pageRequests: try pageRequests(netLog),
            screenshotBytes: (try? Data(contentsOf: screenshot).count) ?? 0)
    }

    /// Requests the page made (the browser's own background requests are "not an origin").
    static func pageRequests(_ netLog: URL) throws -> [String] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: netLog)) as! [String: Any]
        let types = (json["constants"] as! [String: Any])["logEventTypes"] as! [String: Int]
        let start = types["URL_REQUEST_START_JOB"]!
        var urls: [String] = []
        for event in json["events"] as? [[String: Any]] ?? [] {
            let type = event["type"] as? Int
            let params = event["params"] as? [String: Any] ?? [:]
            guard let url = params["url"] as? String else { continue }
            // The page's own requests have its origin as initiator ("null" for a file).
            if type == start, let initiator = params["initiator"] as? String, initiator != "not an origin" {
                urls.append(url)
            }
        }
        return urls
    }

    /// Runs headless Chromium with a fresh profile and no background services; stdout, stderr.
    static func run(_ arguments: [String], profile: URL) throws -> (String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments =
            [
                "120", chromium!, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage",
                "--user-data-dir=\(profile.path)",
            ] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes while it runs, so a full pipe cannot block it.
        nonisolated(unsafe) var errorData = Data()
        let reader = Thread { errorData = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(10_000) }
        #expect(process.terminationStatus == 0, "chromium exited with \(process.terminationStatus)")
        return (String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    @Test(.enabled(if: chromium != nil || required, "needs Chromium (apt-get install chromium)"))
    func samplesReportLoadsCleanlyInChromium() throws {
        guard Self.chromium != nil else {
            Issue.record("KVALITET_REQUIRE_BROWSER=1 but no Chromium: install Debian's chromium package")
            return
        }
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = folder.appendingPathComponent("report.html")
        try Data(ReportTests.samplesReport().utf8).write(to: report)

        // A control page that logs to the console and requests an image: the checks must see both,
        // or they could not fail.
        let control = folder.appendingPathComponent("control.html")
        try Data(
            #"<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>k</title></head><body><p>kontroll</p><img src="http://127.0.0.1:9/x.png" alt=""><script>console.error("kontroll")</script></body></html>"#
                .utf8
        )
        .write(to: control)
        let controlLoad = try Self.load(control, in: folder, name: "control")
        #expect(!controlLoad.consoleMessages.isEmpty, "the console check sees nothing")
        #expect(controlLoad.pageRequests.contains("http://127.0.0.1:9/x.png"), "the request check sees nothing")

        let load = try Self.load(report, in: folder, name: "report")
        #expect(load.consoleMessages.isEmpty, "console: \(load.consoleMessages)")
        #expect(load.pageRequests.isEmpty, "requests: \(load.pageRequests)")
        // A nearly empty page compresses to a few kilobytes; the report's charts and tables do not.
        #expect(
            load.screenshotBytes > 10 * max(controlLoad.screenshotBytes, 1_000),
            "screenshot \(load.screenshotBytes) bytes, control \(controlLoad.screenshotBytes)")
        // Narrow as a phone: still loads cleanly.
        let phone = try Self.load(report, in: folder, name: "phone", width: 390)
        #expect(phone.consoleMessages.isEmpty && phone.pageRequests.isEmpty)

        // The text the browser built holds the expected figures.
        let (dom, _) = try Self.run(["--dump-dom", report.absoluteString], profile: folder.appendingPathComponent("dom-profile"))
        let expected = try JSONDecoder().decode(
            ReportTests.Expected.self,
            from: Data(contentsOf: Support.resource("report/samples-expected.json")))
        #expect(dom.contains(expected.municipality))
        for section in expected.sections {
            if let rate = section.responseRate { #expect(dom.contains(rate), "\(rate)") }
            for goal in section.goals { #expect(dom.contains(goal.status) && dom.contains(goal.current)) }
            for dimension in section.dimensions where dimension.hidden == nil {
                #expect(dom.contains(">\(dimension.mean)<") && dom.contains(">\(dimension.interval)<"))
            }
        }
    }

    /// `kvalitet spc --output page.html` and the report's sick-leave charts: load cleanly, are not
    /// blank, and the browser's table holds the points CSV's figures.
    @Test(.enabled(if: chromium != nil || required, "needs Chromium (apt-get install chromium)"))
    func spcPageAndReportChartsLoadCleanlyInChromium() throws {
        guard Self.chromium != nil else {
            Issue.record("KVALITET_REQUIRE_BROWSER=1 but no Chromium: install Debian's chromium package")
            return
        }
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var job = SPCJobTests.job(Support.resource("spc/in_cdi.csv").path, .u, x: "month", y: "n", n: "days")
        job.options = SPCOptions(parts: [24], multiply: 10000)
        job.output = folder.appendingPathComponent("spc.html").path
        _ = try SPCJobTests.run(job)
        let page = URL(fileURLWithPath: job.output!)
        let blank = folder.appendingPathComponent("blank.html")
        try Data(
            #"<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>k</title></head><body><p>k</p></body></html>"#
                .utf8
        )
        .write(to: blank)
        let control = try Self.load(blank, in: folder, name: "blank")
        let load = try Self.load(page, in: folder, name: "spc")
        #expect(load.consoleMessages.isEmpty && load.pageRequests.isEmpty, "\(load.consoleMessages) \(load.pageRequests)")
        #expect(load.screenshotBytes > 5 * max(control.screenshotBytes, 1_000), "\(load.screenshotBytes) bytes")
        let (dom, _) = try Self.run(["--dump-dom", page.absoluteString], profile: folder.appendingPathComponent("dom"))
        var csv = job
        csv.output = nil
        csv.format = "csv"
        for row in Support.parseCSV(try SPCJobTests.run(csv).output).dropFirst() {
            let value = String(format: "%.1f", Double(row[5])!).replacingOccurrences(of: ".", with: ",")
            #expect(dom.contains("<th scope=\"row\">\(row[2])</th><td class=\"num\">\(value)</td>"), "\(row[2]) \(value)")
        }
        // The report with the samples' sick leave: its P′ charts render as well.
        let report = folder.appendingPathComponent("report.html")
        try Data(
            ReportTests.samplesReport { $0.absenceInputs = [Support.repository.appendingPathComponent("Samples/fravaer").path] }
                .utf8
        ).write(to: report)
        let reportLoad = try Self.load(report, in: folder, name: "report-absence")
        #expect(reportLoad.consoleMessages.isEmpty && reportLoad.pageRequests.isEmpty)
        let (reportDOM, _) = try Self.run(["--dump-dom", report.absoluteString], profile: folder.appendingPathComponent("dom2"))
        #expect(reportDOM.components(separatedBy: "class=\"spcchart\"").count - 1 == 6)
        #expect(reportDOM.contains("Delprosjekt Trygg hverdag på sykehjem (tiltak fra 2024-09)"))
    }
}
