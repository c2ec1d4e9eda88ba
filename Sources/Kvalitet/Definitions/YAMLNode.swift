import Yams

/// A YAML node with the file and key path it came from, so every refusal can name
/// `file:line:column` and the key (`dimensions[2].items[0].id`).
struct YAMLNode {
    let node: Node
    let file: String
    let path: String

    /// Plain scalars are told apart as null and true/false only: the definitions read numbers
    /// from the text (`Int`, `Double`), so the default resolver's other rules (int, float,
    /// timestamp, merge, value: a regular expression each, tried on every scalar) only cost
    /// time — a third of a small run's start.
    static let resolver = Resolver.basic.appending(.bool).appending(.null)

    /// Parses `text` (a whole definition file; these are small) into its root node.
    static func parse(_ text: String, file: String) throws(KvalitetError) -> YAMLNode {
        if let line = complexKeyLine(text) {
            throw KvalitetError(
                .inputRefused,
                "not a definition: a mapping key must be a plain name (no \"? \" keys, no lists or mappings as keys)",
                at: SourceLocation(file: file, line: line))
        }
        do {
            guard let root = try Yams.compose(yaml: text, Self.resolver) else {
                throw KvalitetError(.inputRefused, "the file is empty", nb: "filen er tom", at: SourceLocation(file: file))
            }
            return YAMLNode(node: root, file: file, path: "")
        } catch let error as KvalitetError {
            throw error
        } catch let error as YamlError {
            throw KvalitetError(
                .inputRefused, "not valid YAML: \(Self.describe(error))", nb: "ikke gyldig YAML: \(Self.describe(error))",
                at: Self.location(of: error, file: file))
        } catch {
            throw KvalitetError(
                .inputRefused, "not valid YAML: \(error)", nb: "ikke gyldig YAML: \(error)", at: SourceLocation(file: file))
        }
    }

    /// The first line with a key that is not a scalar: an explicit key (`? `) or a flow list or
    /// mapping used as a key (`]:`, `}:`), outside quotes, comments and block scalars. Neither
    /// format needs one, and Yams compares such keys for duplicates recursively, which a fuzzer
    /// turned into minutes on a 1 KB file (Fuzz/Crashes/register/timeout-2775f…).
    static func complexKeyLine(_ text: String) -> Int? {
        let space: UInt8 = 0x20
        let tab: UInt8 = 0x09
        let newline: UInt8 = 0x0A
        let cr: UInt8 = 0x0D
        func blank(_ byte: UInt8) -> Bool { byte == space || byte == tab || byte == newline || byte == cr }
        var bytes = Array(text.utf8)
        bytes.append(newline)
        var line = 1
        var index = 0
        var quote: UInt8?  // ' or " while inside a quoted scalar
        var nodeStart = true  // where a node may begin: line start, after "- ", ": ", "[", "{", "," in flow
        var flowDepth = 0
        var lineIndent = 0
        var atIndent = true
        var lastSignificant: UInt8 = 0  // last character on the line outside quotes and comments
        var blockIndent: Int?  // inside a block scalar: lines indented more than this are its text
        while index < bytes.count {
            let byte = bytes[index]
            let following = index + 1 < bytes.count ? bytes[index + 1] : newline
            if byte == newline && quote == nil {
                if lastSignificant == UInt8(ascii: "|") || lastSignificant == UInt8(ascii: ">") { blockIndent = lineIndent }
                line += 1
                index += 1
                (lineIndent, atIndent, lastSignificant, nodeStart) = (0, true, 0, true)
                if let indent = blockIndent, index < bytes.count {
                    var spaces = 0
                    while index + spaces < bytes.count && bytes[index + spaces] == space { spaces += 1 }
                    let next = index + spaces < bytes.count ? bytes[index + spaces] : newline
                    if spaces > indent || next == newline || next == cr {
                        while index < bytes.count && bytes[index] != newline { index += 1 }
                        continue
                    }
                    blockIndent = nil
                }
                continue
            }
            if byte == newline { line += 1 }  // a line break inside quotes
            if atIndent && byte == space {
                lineIndent += 1
                index += 1
                continue
            }
            atIndent = false
            if let open = quote {
                if byte == open {
                    if open == 0x27 && following == 0x27 {
                        index += 2  // '' inside single quotes
                        continue
                    }
                    quote = nil
                    lastSignificant = byte
                    nodeStart = false
                } else if open == 0x22 && byte == 0x5C {
                    index += 1  // an escape inside double quotes
                }
                index += 1
                continue
            }
            switch byte {
            case 0x23 where index == 0 || blank(bytes[index - 1]):  // a comment
                while bytes[index] != newline { index += 1 }
                continue
            case 0x27 where nodeStart, 0x22 where nodeStart:
                quote = byte
            case 0x3F where nodeStart && blank(following):  // "? ": an explicit key
                return line
            case 0x3A
            where (lastSignificant == 0x5D || lastSignificant == 0x7D) && bytes[index - 1] != space
                && (blank(following) || following == 0x2C):  // "]:" or "}:": a list or mapping as key
                return line
            case 0x2D where nodeStart && blank(following):  // "- ": a sequence entry
                lastSignificant = byte
                index += 1
                continue
            case 0x5B, 0x7B:
                flowDepth += 1
                lastSignificant = byte
                nodeStart = true
                index += 1
                continue
            case 0x5D, 0x7D:
                flowDepth = max(0, flowDepth - 1)
            case 0x2C where flowDepth > 0:
                lastSignificant = byte
                nodeStart = true
                index += 1
                continue
            case 0x3A where blank(following):  // ": " starts a value
                lastSignificant = byte
                nodeStart = true
                index += 1
                continue
            default:
                break
            }
            if !blank(byte) {
                lastSignificant = byte
                nodeStart = false
            }
            index += 1
        }
        return nil
    }

    private static func location(of error: YamlError, file: String) -> SourceLocation {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return SourceLocation(file: file, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(_, let context):
            return SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
        default:
            return SourceLocation(file: file)
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
            .composer(let context, let problem, _, _):
            return [context.map { $0.text }, problem].compactMap { $0 }.joined(separator: " ")
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate keys \(duplicates.joined(separator: ", "))"
        default:
            return "\(error)"
        }
    }

    var location: SourceLocation {
        SourceLocation(
            file: file, line: node.mark?.line, column: node.mark?.column,
            field: path.isEmpty ? nil : path)
    }

    func refuse(_ reason: String) -> KvalitetError {
        let subject = path.isEmpty ? "" : "\(path): "
        return KvalitetError(.inputRefused, subject + reason, at: location)
    }

    private func child(_ node: Node, _ component: String) -> YAMLNode {
        let childPath: String
        if component.hasPrefix("[") {
            childPath = path + component
        } else {
            childPath = path.isEmpty ? component : "\(path).\(component)"
        }
        return YAMLNode(node: node, file: file, path: childPath)
    }

    // MARK: Mappings

    /// The keys of a mapping, refusing anything else.
    func mapping() throws(KvalitetError) -> [(key: String, value: YAMLNode)] {
        guard case .mapping(let mapping) = node else { throw refuse("expected a mapping (key: value)") }
        var pairs: [(String, YAMLNode)] = []
        for (key, value) in mapping {
            guard let name = key.string else { throw refuse("a key is not text") }
            pairs.append((name, child(value, name)))
        }
        return pairs
    }

    /// The value of `key`, or nil when absent (or `null`).
    func optional(_ key: String) throws(KvalitetError) -> YAMLNode? {
        guard case .mapping(let mapping) = node else { throw refuse("expected a mapping (key: value)") }
        guard let value = mapping[key] else { return nil }
        if case .scalar(let scalar) = value, scalar.tag.description.hasSuffix(":null") || value.null != nil {
            return nil
        }
        return child(value, key)
    }

    func required(_ key: String) throws(KvalitetError) -> YAMLNode {
        guard let value = try optional(key) else {
            let subject = path.isEmpty ? key : "\(path).\(key)"
            throw KvalitetError(
                .inputRefused, "\(subject): required key is missing", nb: "\(subject): en påkrevd nøkkel mangler", at: location)
        }
        return value
    }

    /// Refuses keys that are not in `known` (a typo like `min-n` must not be ignored silently).
    func onlyKeys(_ known: Set<String>) throws(KvalitetError) {
        for (key, value) in try mapping() where !known.contains(key) {
            throw value.refuse("unknown key (expected one of \(known.sorted().joined(separator: ", ")))")
        }
    }

    // MARK: Sequences and scalars

    func sequence() throws(KvalitetError) -> [YAMLNode] {
        guard case .sequence(let sequence) = node else { throw refuse("expected a list") }
        return sequence.enumerated().map { child($0.element, "[\($0.offset)]") }
    }

    func string() throws(KvalitetError) -> String {
        guard case .scalar(let scalar) = node else { throw refuse("expected a text value") }
        return scalar.string
    }

    func int() throws(KvalitetError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string.trimmingSpaces) else {
            throw refuse("expected a whole number")
        }
        return value
    }

    func double() throws(KvalitetError) -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string.trimmingSpaces),
            value.isFinite
        else {
            throw refuse("expected a number")
        }
        return value
    }

    func bool() throws(KvalitetError) -> Bool {
        guard case .scalar = node, let value = node.bool else { throw refuse("expected true or false") }
        return value
    }

    /// `{nb: …, en: …}`, or a plain text used for both languages.
    func localizedText() throws(KvalitetError) -> LocalizedText {
        if case .scalar(let scalar) = node { return LocalizedText(scalar.string) }
        try onlyKeys(["nb", "en"])
        let nb = try optional("nb")?.string() ?? ""
        let en = try optional("en")?.string() ?? ""
        if nb.isEmpty && en.isEmpty { throw refuse("needs a text in nb or en") }
        return LocalizedText(nb: nb, en: en)
    }
}

extension String {
    /// The string without leading and trailing white space (Unicode's, so a no-break space from
    /// Excel goes too). Hot: called for every cell, so plain ASCII ends are decided from the bytes.
    public var trimmingSpaces: String {
        @inline(__always) func isPlain(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x80 }
        // The bytes straight (a small string's are copied to the stack, a native one's borrowed).
        var copy = self
        if copy.withUTF8({ $0.isEmpty || (isPlain($0[0]) && isPlain($0[$0.count - 1])) }) { return self }
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
