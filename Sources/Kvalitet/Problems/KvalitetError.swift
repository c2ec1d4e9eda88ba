/// A fatal error: the run stops, nothing is written, and the tool exits with ``code``'s exit code.
///
/// Recoverable problems in responses are not errors but ``Problem``s (the rejects report).
public struct KvalitetError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is; decides the exit code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The documented exit code (FORMAT.md §7).
        public let exitCode: Int32
        let name: String

        /// Wrong options or arguments (exit 1).
        public static let usage = Code(exitCode: 1, name: "usage")
        /// Input refused: unreadable, malformed, unknown set, bad definition (exit 2).
        public static let inputRefused = Code(exitCode: 2, name: "input-refused")
        /// A problem found under `--strict` (exit 3).
        public static let strict = Code(exitCode: 3, name: "strict")
        /// Output could not be written (exit 2: the run could not complete on its input).
        public static let output = Code(exitCode: 2, name: "output")
        /// The results store could not be opened, read or written (exit 2, like unreadable input).
        public static let store = Code(exitCode: 2, name: "store")
        /// Stopped by Ctrl-C or SIGTERM (exit 130, as shells report a SIGINT); nothing written.
        public static let interrupted = Code(exitCode: 130, name: "interrupted")

        public var description: String { name }
    }

    public var code: Code
    /// The message in English (tests and logs read it).
    public var message: String
    /// The message in Norwegian bokmål, what the tool prints by default (`--lang nb`); nil where
    /// none is written yet (the English one is printed then).
    public var norwegian: String?
    public var location: SourceLocation?

    public init(_ code: Code, _ message: String, nb norwegian: String? = nil, at location: SourceLocation? = nil) {
        self.code = code
        self.message = message
        self.norwegian = norwegian
        self.location = location
    }

    /// `file:line:column: error: message (field)`.
    public var description: String {
        guard let location else { return "error: \(message)" }
        return "\(location): error: \(message)"
    }

    /// The error as the tool prints it in `language`: `file:line:column: feil: melding` in bokmål.
    public func text(_ language: Language) -> String {
        guard language == .nb, let norwegian else { return description }
        guard let location else { return "feil: \(norwegian)" }
        return "\(location): feil: \(norwegian)"
    }
}
