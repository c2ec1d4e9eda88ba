import Foundation

/// What a reader's producer hands to the consuming thread, in file order.
enum ReaderEvent: Sendable {
    case record(ResponseRecord)
    case problem(Problem)
}

/// Runs a reader's parsing on a second thread and hands its events to the calling thread in
/// batches, so reading and scoring use both cores while everything stays in file order: the
/// rules (duplicates, `--strict`, the rejects report) see exactly what a sequential read gives.
///
/// The producer gets an `emit` function; it returns false when the consumer has stopped (an
/// error or `--strict`), and the producer should then return. An error the producer throws
/// reaches the consumer after every event emitted before it.
final class RecordPipe: @unchecked Sendable {
    // @unchecked: every stored property is guarded by `condition`.
    private let condition = NSCondition()
    private var batches: [[ReaderEvent]] = []
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    private let capacity: Int

    static let batchSize = 512

    private init(capacity: Int) {
        self.capacity = capacity
    }

    /// Runs `produce` on another thread and delivers its events to `consume` on this one.
    static func run(
        capacity: Int = 8,
        produce: @escaping @Sendable (_ emit: (ReaderEvent) -> Bool) throws -> Void,
        consume: (ReaderEvent) throws -> Void
    ) throws {
        let pipe = RecordPipe(capacity: capacity)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var batch: [ReaderEvent] = []
            batch.reserveCapacity(batchSize)
            do {
                try produce { event in
                    batch.append(event)
                    guard batch.count >= batchSize else { return true }
                    defer { batch.removeAll(keepingCapacity: true) }
                    return pipe.put(batch)
                }
                if !batch.isEmpty { _ = pipe.put(batch) }
                pipe.finish(nil)
            } catch {
                if !batch.isEmpty { _ = pipe.put(batch) }
                pipe.finish(error)
            }
            done.signal()
        }
        thread.stackSize = 1 << 22
        thread.start()
        defer {
            pipe.cancel()
            done.wait()
        }
        while let batch = try pipe.take() {
            for event in batch { try consume(event) }
        }
    }

    private func put(_ batch: [ReaderEvent]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        batches.append(batch)
        condition.broadcast()
        return true
    }

    private func finish(_ error: (any Error)?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, nil at the end; rethrows the producer's error after its earlier batches.
    private func take() throws -> [ReaderEvent]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !finished { condition.wait() }
        if !batches.isEmpty {
            let batch = batches.removeFirst()
            condition.broadcast()
            return batch
        }
        if let failure { throw failure }
        return nil
    }

    private func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
