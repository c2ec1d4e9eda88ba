import Foundation
import Kvalitet

// The write path of `import`: the file read on a thread of its own (`ImportSink`), what it hands
// over (`StoreWrites`), and the transaction's thread writing it (`StoreWriter`).

extension ResultsStore {
    /// Reads `file` on a thread of its own while this one writes what it hands over (``StoreWrites``):
    /// reading, checking and encoding the responses is about half of an import, the database's
    /// own work the other half, so both cores work. The session is only ever used on this
    /// thread (the one its transaction belongs to). A reader's error (`--strict`, a refused file,
    /// Ctrl-C) or the database's stops both, and is thrown here; the transaction then rolls back.
    static func read(
        _ file: InputFile, importID: Int, pipeline: ScorePipeline, problems: ProblemLog, session: any StoreSession,
        databaseName: String
    ) throws -> ImportSink {
        let writes = StoreWrites()
        let reading = ReadingThread(
            sink: ImportSink(importID: importID, writes: writes, feed: pipeline.makeFeed(problems: problems)))
        let thread = Thread {
            do {
                try pipeline.read(file, into: &reading.sink)
                try reading.sink.flush(end: true)
                writes.close(error: nil)
            } catch {
                writes.close(error: error)
            }
        }
        thread.stackSize = 1 << 23
        thread.start()
        var writer = StoreWriter(session: session)
        do {
            while let write = try writes.next() { try writer.apply(write) }
            try writer.finish()
        } catch let error as StoreWrites.ReaderError {
            throw error.error
        } catch {
            writes.fail()
            if let error = error as? KvalitetError { throw error }
            throw KvalitetError.store("cannot write to the store: \(error)", database: databaseName)
        }
        return reading.sink
    }

    /// The reading thread's sink, handed back when the thread is done (``StoreWrites`` orders
    /// the two: the sink is read here only after the thread's last hand-over).
    final class ReadingThread: @unchecked Sendable {
        var sink: ImportSink
        init(sink: ImportSink) { self.sink = sink }
    }
}

/// Collects what one file's reader finds, checks it with the pipeline's rules (for the counts in
/// the log and `--strict`) and hands it in batches to the thread that writes it (``StoreWrites``).
struct ImportSink: ResponseSink {
    let importID: Int
    let writes: StoreWrites
    var feed: ResponseFeed
    var sequence = 0
    var stored = 0
    private var layouts: [[String]: Int] = [:]
    private var lastLayout: (names: [String], number: Int)?
    private var rows: [[SQLValue]] = []
    private var newLayouts: [[SQLValue]] = []
    private var problemRows: [[SQLValue]] = []
    private var encoded: [UInt8] = []

    init(importID: Int, writes: StoreWrites, feed: ResponseFeed) {
        self.importID = importID
        self.writes = writes
        self.feed = feed
    }

    mutating func receive(_ record: ResponseRecord, from file: InputFile) throws {
        try feed.receive(record, from: file)
        guard let set = feed.currentSet?.id else { return }
        sequence += 1
        stored += 1
        let layout: Int
        if let last = lastLayout, last.names == record.answerNames {
            layout = last.number
        } else if let known = layouts[record.answerNames] {
            layout = known
            lastLayout = (record.answerNames, known)
        } else {
            layout = layouts.count + 1
            layouts[record.answerNames] = layout
            lastLayout = (record.answerNames, layout)
            newLayouts.append([SQLValue(importID), SQLValue(layout), .blob(RecordCoding.encodeNames(record.answerNames))])
        }
        RecordCoding.encode(record, into: &encoded)
        func key(_ text: String?) -> SQLValue {
            guard let text = text?.trimmingSpaces, !text.isEmpty else { return .null }
            return .text(text)
        }
        rows.append([
            SQLValue(importID), SQLValue(sequence), .text(set), key(record.municipality), key(record.period),
            key(record.unit), SQLValue(layout), .blob(encoded),
        ])
        if rows.count >= 1000 { try flush() }
    }

    mutating func report(_ problem: Problem) throws {
        try feed.report(problem)
        sequence += 1
        problemRows.append([
            SQLValue(importID), SQLValue(sequence), .text(problem.kind.rawValue),
            problem.line.map { SQLValue($0) } ?? .null, .text(problem.respondent), .text(problem.column),
            .text(problem.value), .text(problem.message), problem.norwegian.map(SQLValue.text) ?? .null,
        ])
        if problemRows.count >= 1000 { try flush() }
    }

    /// Hands over what is waiting: responses as they come, layouts and problems (whose
    /// statements end the responses' load) when 1000 wait or at the end.
    mutating func flush(end: Bool = false) throws {
        if !rows.isEmpty {
            try writes.put(.responses(rows))
            rows.removeAll(keepingCapacity: true)
        }
        guard end || newLayouts.count >= 1000 || problemRows.count >= 1000 else { return }
        if !newLayouts.isEmpty {
            try writes.put(.rows(table: "layouts", columns: ["import_id", "layout", "names"], newLayouts))
            newLayouts.removeAll()
        }
        if !problemRows.isEmpty {
            try writes.put(
                .rows(
                    table: "import_problems",
                    columns: [
                        "import_id", "seq", "kind", "line", "respondent", "column_name", "value", "message", "message_nb",
                    ],
                    problemRows))
            problemRows.removeAll(keepingCapacity: true)
        }
    }
}

/// What an import's reading thread hands to the thread that writes, in order, at most a few
/// batches waiting (memory stays bounded whatever the file's size).
final class StoreWrites: Sendable {
    enum Write {
        /// Responses, into the import's one load of them.
        case responses([[SQLValue]])
        /// Rows of another table (the responses' load is ended first).
        case rows(table: String, columns: [String], [[SQLValue]])
    }

    /// The reader's error, passed on as it was.
    struct ReaderError: Error {
        var error: any Error
    }

    /// Thrown to the reader when the writer has stopped.
    struct Stopped: Error {}

    private let handOver = HandOver<Write>()

    /// From the reader: one more batch (waits while the writer is behind).
    func put(_ write: Write) throws {
        guard handOver.put(write) else { throw Stopped() }
    }

    /// From the reader: nothing more (`error`: it failed).
    func close(error: (any Error)?) {
        handOver.end(error.map { ReaderError(error: $0) })
    }

    /// For the writer: the next batch; nil when the reader is done; the reader's error.
    func next() throws -> Write? {
        try handOver.next()
    }

    /// From the writer, when writing failed: stops the reader and waits for it to end.
    func fail() {
        handOver.stop()
    }
}

/// Applies an import's ``StoreWrites/Write``s to its session: responses into one bulk load,
/// ended before any other table's rows.
struct StoreWriter {
    let session: any StoreSession
    private var responses: (any BulkInsert)?

    init(session: any StoreSession) { self.session = session }

    mutating func apply(_ write: StoreWrites.Write) throws {
        switch write {
        case .responses(let rows):
            if responses == nil {
                responses = try session.bulkInsert(
                    into: "responses",
                    columns: ["import_id", "seq", "set_id", "municipality", "period", "unit", "layout", "record"])
            }
            try responses!.add(rows)
        case .rows(let table, let columns, let rows):
            try finish()
            try session.insert(into: table, columns: columns, rows: rows)
        }
    }

    /// Ends the responses' load (its errors are thrown here at the latest).
    mutating func finish() throws {
        guard let load = responses else { return }
        responses = nil
        try load.finish()
    }
}
