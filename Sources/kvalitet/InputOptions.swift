import ArgumentParser
import Foundation
import Kvalitet

/// The options `score` and `validate` share.
struct InputOptions: ParsableArguments {
    @Option(name: .customLong("sets"), help: "A folder of extra indicator set definitions (*.yaml).")
    var setDirectories: [String] = []
    @Option(help: "The set of files that name none.")
    var set: String?
    @Option(help: "table, csv or json.")
    var format = "table"
    @Option(help: "Write to this file (default: standard output).")
    var output: String?
    @Option(help: "Language of labels: nb or en.")
    var lang: Language = .nb
    @Argument(help: "Response files, or folders of *.csv and *.xml files.")
    var inputs: [String] = []
}

/// The jobs that take the shared options.
protocol InputJob {
    var setDirectories: [String] { get set }
    var defaultSet: String? { get set }
    var format: String { get set }
    var output: String? { get set }
    var language: Language { get set }
    var inputs: [String] { get set }
    var parts: Int? { get set }
}

extension ScoreJob: InputJob {}
extension ValidateJob: InputJob {}

extension InputOptions {
    /// Sets the shared options on a job.
    func configure(_ job: inout some InputJob) {
        job.setDirectories = setDirectories
        job.defaultSet = set
        job.format = format
        job.output = output
        job.language = lang
        job.inputs = inputs
        // KVALITET_THREADS=N reads large CSV files in N parts at once (1: sequentially).
        if let threads = ProcessInfo.processInfo.environment["KVALITET_THREADS"].flatMap(Int.init) {
            job.parts = threads
        }
    }
}
