import Foundation

/// Batches handed from a producing thread (a C library's parser calling back) to the reading
/// one, in order; at most `capacity` wait, so memory stays bounded whatever the file's size.
/// The producer gets false from ``put(_:)`` once the reader has stopped (the sink gave up).
final class HandOver<Batch>: @unchecked Sendable {
    // @unchecked: every stored property is guarded by `condition`.
    private let condition = NSCondition()
    private var batches: [Batch] = []
    private var done = false
    private var stopped = false
    private var failure: (any Error)?
    private let capacity: Int

    init(capacity: Int = 4) { self.capacity = capacity }

    /// Hands a batch over (waits while `capacity` wait); false when the reader has stopped.
    func put(_ batch: Batch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity && !stopped { condition.wait() }
        if stopped { return false }
        batches.append(batch)
        condition.broadcast()
        return true
    }

    /// The producer is done, with `error` if it failed.
    func end(_ error: (any Error)?) {
        condition.lock()
        failure = error
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch; nil once the producer is done and all are taken (then rethrows its error).
    func next() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !done { condition.wait() }
        if batches.isEmpty {
            if let failure { throw failure }
            return nil
        }
        condition.broadcast()
        return batches.removeFirst()
    }

    /// The reader stops: the producer's next ``put(_:)`` returns false; waits until it is done.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while !done { condition.wait() }
        condition.unlock()
    }
}
