@testable import Kvalitet

/// Collects what a reader emits.
struct CollectingSink: ResponseSink {
    var records: [ResponseRecord] = []
    var problems: [Problem] = []

    mutating func receive(_ record: ResponseRecord, from file: InputFile) throws { records.append(record) }
    mutating func report(_ problem: Problem) throws { problems.append(problem) }
}

extension ResponseReader {
    /// Reads a file into a ``CollectingSink``.
    func collect(_ path: String) throws -> CollectingSink {
        var sink = CollectingSink()
        try read(InputFile(url: .init(fileURLWithPath: path), name: path), into: &sink)
        return sink
    }
}
