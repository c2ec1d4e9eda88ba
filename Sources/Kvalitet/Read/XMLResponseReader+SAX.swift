import CLibXML2
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The SAX2 callbacks of ``XMLResponseReader``: each builds the current response in the
/// parser's ``XMLResponseReader/State`` and hands complete ones over.
extension XMLResponseReader {
    // MARK: SAX callbacks

    /// Runs `body` with the state behind a callback's context, borrowed: no reference counting
    /// on the 90 or so callbacks of every response.
    static func withState(_ context: UnsafeMutableRawPointer?, _ body: (State) -> Void) {
        guard let context else { return }
        Unmanaged<State>.fromOpaque(context)._withUnsafeGuaranteedRef(body)
    }

    static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    /// The bytes of attribute `name`'s value (see `attribute`), not copied.
    static func attributeBytes(
        _ name: StaticString, _ count: Int32, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) -> (UnsafePointer<xmlChar>, Int)? {
        guard let attributes else { return nil }
        for index in 0..<Int(count) {
            let base = attributes + 5 * index
            guard let local = base[0],
                strcmp(
                    UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self),
                    UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) == 0,
                let start = base[3], let end = base[4]
            else { continue }
            return (start, end - start)
        }
        return nil
    }

    /// The value of attribute `name` in libxml2's SAX2 attribute array (5 pointers each: local
    /// name, prefix, URI, value start, value end; the value is not NUL-terminated).
    static func attribute(
        _ name: String, _ count: Int32, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) -> String? {
        guard let attributes else { return nil }
        for index in 0..<Int(count) {
            let base = attributes + 5 * index
            guard let local = base[0],
                strcmp(UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self), name) == 0,
                let start = base[3], let end = base[4]
            else { continue }
            let buffer = UnsafeBufferPointer(start: start, count: end - start)
            return String(decoding: buffer, as: UTF8.self)
        }
        return nil
    }

    static func handler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = XML_SAX2_MAGIC
        handler.internalSubset = { context, _, _, _ in
            Self.withState(context) {
                $0.stop(
                    "a <!DOCTYPE> is not allowed in response files (entities and DTDs are refused for safety)"
                )
            }
        }
        handler.reference = { context, _ in
            Self.withState(context) { $0.stop("entity references are not allowed in response files") }
        }
        handler.serror = { context, error in
            guard let context, let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else {
                return
            }
            let state = Unmanaged<State>.fromOpaque(context).takeUnretainedValue()
            guard state.failure == nil else { return }
            let message =
                error.pointee.message.map { String(cString: $0).trimmingSpaces } ?? "malformed XML"
            state.failure = (message, Int(error.pointee.line), Int(error.pointee.int2))
        }
        handler.startElementNs = { context, localName, _, _, _, _, attributeCount, _, attributes in
            Self.withState(context) { state in Self.start(state, localName, attributeCount, attributes) }
        }
        handler.endElementNs = { context, _, _, _ in
            Self.withState(context) { state in Self.end(state) }
        }
        let characters: charactersSAXFunc = { context, characters, length in
            Self.withState(context) { state in
                if case .none = state.target { return }
                guard let characters, length > 0 else { return }
                if state.text.utf8.count + Int(length) > state.maxTextBytes {
                    state.stop("a text is longer than \(describeBytes(state.maxTextBytes)) (limit: --max-field-mib)")
                    return
                }
                let piece = TextEncoding.utf8.decode(UnsafeBufferPointer(start: characters, count: Int(length)))
                if state.text.isEmpty { state.text = piece } else { state.text += piece }
            }
        }
        handler.characters = characters
        handler.ignorableWhitespace = characters
        handler.cdataBlock = characters
        return handler
    }

    static func start(
        _ state: State, _ localName: UnsafePointer<xmlChar>?, _ attributeCount: Int32,
        _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    ) {
        let depth = state.depth
        state.depth += 1
        if depth >= state.maxDepth {
            state.stop("elements are nested deeper than \(state.maxDepth) levels (limit: --max-xml-depth)")
            return
        }
        guard let localName else { return }
        let name = UnsafeRawPointer(localName).assumingMemoryBound(to: CChar.self)
        func named(_ expected: StaticString) -> Bool {
            strcmp(name, UnsafeRawPointer(expected.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
        }
        if state.stopAfter != nil || state.firstAfter != nil {
            // Reading a part: its first element and the one that ends it are its boundaries.
            let mark = state.mark
            let boundary = Boundary(
                mark: mark, line: state.line,
                context: depth == 2 && state.unit != nil && named("response") ? state.context : nil)
            if let stopAfter = state.stopAfter, mark > stopAfter {
                state.stop = boundary
                if let parser = state.parser { xmlStopParser(parser) }
                return
            }
            if let firstAfter = state.firstAfter, mark > firstAfter {
                state.first = boundary
                state.firstAfter = nil
            }
        }
        func attribute(_ key: String) -> String? { Self.attribute(key, attributeCount, attributes) }
        if depth == 3 && state.inResponse && named("answer") {
            var name: String?
            if let (start, count) = Self.attributeBytes("item", attributeCount, attributes) {
                let position = state.answerCount
                if !state.namesDiverged && position < state.sharedNames.count {
                    var shared = state.sharedNames[position]
                    if shared.withUTF8({ $0.count == count && (count == 0 || memcmp($0.baseAddress!, start, count) == 0) }) {
                        name = shared
                    }
                }
                if name == nil {
                    if !state.namesDiverged {
                        state.namesDiverged = true
                        state.record.answerNames = Array(state.sharedNames.prefix(position))
                    }
                    name = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
                }
            } else if !state.namesDiverged {
                state.namesDiverged = true
                state.record.answerNames = Array(state.sharedNames.prefix(state.answerCount))
            }
            state.target = .answer(name ?? "")
            state.text = ""
        } else if depth == 3 && state.inResponse && named("background") {
            state.target = .background(attribute("name") ?? "")
            state.text = ""
        } else if depth == 3 && state.inResponse && named("comment") {
            // Free text is kept by the export, never scored.
        } else if depth == 2 && state.unit != nil && named("response") {
            var record = ResponseRecord(line: state.line)
            record.offset = state.mark
            record.respondent = attribute("id")
            record.status = attribute("status")
            record.set = state.survey.set
            record.municipality = state.survey.municipality
            record.period = state.survey.period
            record.unit = state.unit?.id
            record.service = state.unit?.service
            record.subproject = state.unit?.subproject
            record.invited = state.unit?.invited
            record.unitName = state.unit?.name
            state.record = record
            state.answerCount = 0
            state.namesDiverged = false
            state.inResponse = true
        } else if depth == 1 && named("unit") {
            state.unit = (
                attribute("id"), attribute("service"), attribute("subproject"), attribute("invited"),
                attribute("name")
            )
        } else if depth == 0 && named("survey") {
            state.sawSurvey = true
            state.survey = (attribute("set"), attribute("municipality"), attribute("period"))
        } else {
            let elementName = String(cString: name)
            if depth == 0 {
                state.stop("the root element must be <survey>, not <\(elementName)>")
                return
            }
            let file = state.file.name
            if state.warnedElements.insert("\(elementName)@\(depth)").inserted {
                var warning = Problem(
                    .unknownElement, file: file, line: state.line, column: elementName,
                    message: "element <\(elementName)> is not part of the format here and is ignored"
                        + (elementName == "response"
                            ? " (a <response> must be inside a <unit>); the response is not counted" : ""),
                    nb: "elementet <\(elementName)> hører ikke til formatet her og ignoreres"
                        + (elementName == "response" ? " (en <response> må ligge i en <unit>); svaret telles ikke" : ""))
                // U+001F cannot occur in XML names or values, so no column's name is the same key.
                warning.onceKey = "\u{1F}element\u{1F}\(elementName)@\(depth)"
                state.events.append(.problem(warning))
            }
            if elementName == "response" {
                state.events.append(
                    .problem(
                        Problem(
                            .missingField, file: file, line: state.line,
                            respondent: attribute("id") ?? "", column: "unit",
                            message: "a <response> outside a <unit> has no unit; it is not counted",
                            nb: "en <response> utenfor en <unit> har ingen enhet; den telles ikke")))
            }
        }
    }

    static func end(_ state: State) {
        state.depth -= 1
        switch state.depth {
        case 3:
            switch state.target {
            case .answer(let item):
                if state.namesDiverged { state.record.answerNames.append(item) }
                state.record.answerValues.append(state.text)
                state.answerCount += 1
            case .background(let variable):
                state.record.background.append(.init(name: variable, value: state.text))
            case .none: break
            }
            state.target = .none
        case 2:
            if state.inResponse {
                state.inResponse = false
                if !state.namesDiverged {
                    state.record.answerNames =
                        state.answerCount == state.sharedNames.count
                        ? state.sharedNames : Array(state.sharedNames.prefix(state.answerCount))
                }
                state.sharedNames = state.record.answerNames
                state.events.append(.record(state.record))
            }
        case 1:
            state.unit = nil
        default:
            break
        }
    }
}
