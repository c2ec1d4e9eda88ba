import ArgumentParser
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
