/// What a conformance kit found wrong: one line per failed requirement, naming it.
public struct ConformanceFailure: Error, CustomStringConvertible, Sendable {
    /// The plug-in checked (its `name`).
    public var subject: String
    public var failures: [String]

    public var description: String {
        "\(subject) fails \(failures.count) requirement(s):\n" + failures.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// Collects failed checks and throws them together.
struct Checks {
    let subject: String
    var failures: [String] = []

    mutating func expect(_ condition: Bool, _ requirement: @autoclosure () -> String) {
        if !condition { failures.append(requirement()) }
    }

    func finish() throws(ConformanceFailure) {
        if !failures.isEmpty { throw ConformanceFailure(subject: subject, failures: failures) }
    }
}
