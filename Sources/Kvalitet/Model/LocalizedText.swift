/// The language of what users read: Norwegian bokmål by default, English on request.
public enum Language: String, Sendable, CaseIterable {
    case nb
    case en
}

/// A text in Norwegian bokmål and English, as indicator sets and registers carry them.
public struct LocalizedText: Sendable, Hashable {
    /// Norwegian bokmål.
    public var nb: String
    /// English.
    public var en: String

    public init(nb: String, en: String) {
        self.nb = nb
        self.en = en
    }

    /// The same text in both languages (ids, names that are not translated).
    public init(_ both: String) {
        self.init(nb: both, en: both)
    }

    /// The text in `language`, falling back to the other language when one is empty.
    public func text(_ language: Language) -> String {
        switch language {
        case .nb: return nb.isEmpty ? en : nb
        case .en: return en.isEmpty ? nb : en
        }
    }
}
