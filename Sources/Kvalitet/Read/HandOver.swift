import Foundation

/// Batches handed from a producing thread (a C library's parser calling back) to the reading
/// one, in order; at most `capacity` wait, so memory stays bounded whatever the file's size.
/// The producer gets false from ``put(_:)`` once the reader has stopped (the sink gave up).
/// Used by the XML and SPSS readers and by the store's import (reading beside writing).
public final class HandOver<Batch>: @unchecked Sendable {
    // @unchecked: every stored property is guarded by `condition`.
    private let condition = NSCondition()
    private var batches: [Batch] = []
    private var done = false
    private var stopped = false
    private var failure: (any Error)?
    private let capacity: Int

    public init(capacity: Int = 4) { self.capacity = capacity }

    /// Hands a batch over (waits while `capacity` wait); false when the reader has stopped. An
    /// empty batch (`isEmpty`) only asks whether to go on.
    public func put(_ batch: Batch, isEmpty: Bool = false) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity && !stopped && !isEmpty { condition.wait() }
        if stopped { return false }
        if isEmpty { return true }
        batches.append(batch)
        condition.broadcast()
        return true
    }

    /// The producer is done, with `error` if it failed.
    public func end(_ error: (any Error)?) {
        condition.lock()
        failure = error
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch; nil once the producer is done and all are taken (then rethrows its error).
    public func next() throws -> Batch? {
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

    /// The reader stops: the producer's next ``put(_:)`` returns false, what waits is dropped;
    /// waits until the producer is done.
    public func stop() {
        condition.lock()
        stopped = true
        batches.removeAll()
        condition.broadcast()
        while !done { condition.wait() }
        condition.unlock()
    }
}
