/// A counted response as the analyses see it: its set, period and finest group, and what it
/// answered per item (``Tally``'s cells: a code's index, or don't know / unanswered).
struct CountedResponse {
    let set: CompiledSet
    let period: String
    /// The position of its group in ``GroupTallies``.
    let group: Int
    /// Per item of `set`, the answer's cell.
    let cells: [Int]
}

/// Something computed over the counted responses of one read, beside the tallies every score is
/// built from: the validation's covariances today, the series SPC charts next. A job composes
/// the analyses it needs (``ScorePipeline``'s `analyses`), and the collector hands each counted
/// response to every one of them, and a response taken back (a duplicate found across parts)
/// with `sign` −1, so the result is that of one sequential read.
///
/// ## Implementation requirements
/// - `add` with sign −1 undoes exactly an `add` with sign 1 of the same response.
/// - `absorb` adds what another instance (a later part of the same file) accumulated, as if its
///   responses had been added here after this one's.
/// - Keep memory bounded by the groups or slices, not by the responses.
protocol ResponseAnalysis {
    mutating func add(_ response: CountedResponse, sign: Int)
    /// Adds `other`'s results; `other` is an analysis of the same kind.
    mutating func absorb(_ other: any ResponseAnalysis)
}
