/// How a valid answer code becomes the value that is averaged, and when it counts as positive.
///
/// ## Implementing a scoring rule
/// - `value(of:reversed:scale:)` is called only with codes in `scale.codes`. It must return an
///   integer: the pipeline accumulates integer sums exactly, so results do not depend on the
///   order of responses or on how the input is split, and are correct to the last digit.
/// - `isPositive(_:scale:)` receives a value returned by `value(of:reversed:scale:)`.
/// - Both must be pure: the pipeline evaluates them once per code when a set is compiled.
/// - `name` is what a YAML definition writes after `scoring:`.
public protocol ScoringRule: Sendable {
    /// The rule's name in definitions and diagnostics, for example `mean`.
    var name: String { get }
    /// The value of a valid answer `code` of an item (`reversed` for negatively worded items).
    func value(of code: Int, reversed: Bool, scale: Scale) -> Int
    /// Whether a value counts as positive (the "top box" share).
    func isPositive(_ value: Int, scale: Scale) -> Bool
    /// The `positive` setting as the definition gives it (for `sets show` and checks).
    var positive: Int { get }
}
