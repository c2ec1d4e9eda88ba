import CLibXML2

/// Reads responses from XML files (FORMAT.md §3) as a stream with libxml2's `xmlTextReader`.
///
/// Hostile files: network access is off, external entities and DTDs are never loaded, entities
/// are never substituted, and a document with a `<!DOCTYPE>` is refused outright (the format
/// needs none), which rules out "billion laughs" and external-entity file reads.
public struct XMLResponseReader: ResponseReader {
    public var name: String { "xml" }
    public var fileExtensions: Set<String> { ["xml"] }

    public init() {}

    /// Parser options: no network, no DTD loading or validation, no entity substitution, no
    /// libxml2 diagnostics on standard error (we collect them), and no "huge" relaxations.
    static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

    /// Collects libxml2's first error with its position.
    final class ErrorCollector {
        var message: String?
        var line: Int?
        var column: Int?
    }

    /// Element state while a response is open.
    private struct Pending {
        var record: ResponseRecord
        var textTarget: TextTarget = .none
        var text = ""
    }

    private enum TextTarget {
        case none
        case answer(String)
        case background(String)
    }

    public func read<Sink: ResponseSink>(_ file: InputFile, into sink: inout Sink) throws {
        // Open through ByteSource first for the same "cannot open" messages as CSV.
        _ = try ByteSource(file, chunkSize: 1)
        guard let reader = xmlReaderForFile(file.url.path, nil, Self.options) else {
            throw KvalitetError(.inputRefused, "cannot open the file as XML", at: SourceLocation(file: file.name))
        }
        defer { xmlFreeTextReader(reader) }
        let collector = ErrorCollector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        xmlTextReaderSetStructuredErrorHandler(reader, { userData, error in
            guard let userData, let error else { return }
            let collector = Unmanaged<ErrorCollector>.fromOpaque(userData).takeUnretainedValue()
            guard collector.message == nil, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            collector.message = error.pointee.message.map { String(cString: $0).trimmingSpaces } ?? "malformed XML"
            collector.line = Int(error.pointee.line)
            collector.column = Int(error.pointee.int2)
        }, context)

        // Responses are handed on as they close, so memory stays constant. A malformed file is
        // still refused whole (FORMAT.md §3): the refusal stops the run and nothing is written.
        var survey: (set: String?, municipality: String?, period: String?) = (nil, nil, nil)
        var unit: (id: String?, service: String?, subproject: String?, invited: String?, name: String?)?
        var pending: Pending?
        var warnedElements: Set<String> = []
        var sawSurvey = false
        func notWellFormed() -> KvalitetError {
            var message = collector.message ?? "parse error"
            // libxml2's reader reports a document that ends with elements still open as "Extra
            // content at the end of the document"; say what it means for an export file.
            if message.hasPrefix("Extra content at the end") && sawSurvey {
                message = "the file ends before its elements are closed (cut off?)"
            }
            return refuse("not well-formed XML: \(message); nothing of the file is counted",
                line: collector.line, column: collector.column)
        }

        func refuse(_ message: String, line: Int? = nil, column: Int? = nil) -> KvalitetError {
            KvalitetError(.inputRefused, message, at: SourceLocation(file: file.name, line: line, column: column))
        }
        func attribute(_ name: String) -> String? {
            guard let value = xmlTextReaderGetAttribute(reader, name) else { return nil }
            defer { kvalitet_xml_free(value) }
            return String(cString: value)
        }

        while true {
            let status = xmlTextReaderRead(reader)
            if status == 0 { break }
            if status < 0 || collector.message != nil { throw notWellFormed() }
            // The node's own line: the parser's position runs ahead of the node being reported.
            let node = xmlTextReaderCurrentNode(reader)
            let nodeLine = node.map { Int(xmlGetLineNo($0)) } ?? -1
            let line = nodeLine > 0 ? nodeLine : Int(xmlTextReaderGetParserLineNumber(reader))
            let type = xmlTextReaderNodeType(reader)
            switch type {
            case Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue):
                throw refuse("a <!DOCTYPE> is not allowed in response files (entities and DTDs are refused for safety)", line: line)
            case Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue):
                throw refuse("entity references are not allowed in response files", line: line)
            case Int32(XML_READER_TYPE_ELEMENT.rawValue):
                let name = xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
                let isEmpty = xmlTextReaderIsEmptyElement(reader) == 1
                let depth = xmlTextReaderDepth(reader)
                switch (name, depth) {
                case ("survey", 0):
                    sawSurvey = true
                    survey = (attribute("set"), attribute("municipality"), attribute("period"))
                case ("unit", 1):
                    unit = (attribute("id"), attribute("service"), attribute("subproject"), attribute("invited"), attribute("name"))
                    if isEmpty { unit = nil }
                case ("response", 2) where unit != nil:
                    var record = ResponseRecord(line: line)
                    record.respondent = attribute("id")
                    record.status = attribute("status")
                    record.set = survey.set
                    record.municipality = survey.municipality
                    record.period = survey.period
                    record.unit = unit?.id
                    record.service = unit?.service
                    record.subproject = unit?.subproject
                    record.invited = unit?.invited
                    record.unitName = unit?.name
                    pending = Pending(record: record)
                    if isEmpty {
                        try sink.receive(record, from: file)
                        pending = nil
                    }
                case ("answer", 3) where pending != nil:
                    let item = attribute("item") ?? ""
                    pending!.textTarget = .answer(item)
                    pending!.text = ""
                    if isEmpty {
                        pending!.record.appendAnswer(name: item, value: "")
                        pending!.textTarget = .none
                    }
                case ("background", 3) where pending != nil:
                    let variable = attribute("name") ?? ""
                    pending!.textTarget = .background(variable)
                    pending!.text = ""
                    if isEmpty {
                        pending!.record.background.append(.init(name: variable, value: ""))
                        pending!.textTarget = .none
                    }
                case ("comment", 3) where pending != nil:
                    break  // free text is kept by the export, never scored
                default:
                    if depth == 0 {
                        throw refuse("the root element must be <survey>, not <\(name)>", line: line)
                    }
                    if warnedElements.insert("\(name)@\(depth)").inserted {
                        try sink.report(Problem(.unknownElement, file: file.name, line: line, column: name,
                            message: "element <\(name)> is not part of the format here and is ignored"
                                + (name == "response" ? " (a <response> must be inside a <unit>); the response is not counted" : "")))
                    }
                    if name == "response" {
                        try sink.report(Problem(.missingField, file: file.name, line: line,
                            respondent: attribute("id") ?? "", column: "unit",
                            message: "a <response> outside a <unit> has no unit; it is not counted"))
                    }
                }
            case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
                Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue), Int32(XML_READER_TYPE_WHITESPACE.rawValue):
                if pending != nil, case .none = pending!.textTarget {} else if pending != nil {
                    pending!.text += xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? ""
                }
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                let name = xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
                let depth = xmlTextReaderDepth(reader)
                switch (name, depth) {
                case ("answer", 3), ("background", 3):
                    guard pending != nil else { break }
                    switch pending!.textTarget {
                    case .answer(let item): pending!.record.appendAnswer(name: item, value: pending!.text)
                    case .background(let variable): pending!.record.background.append(.init(name: variable, value: pending!.text))
                    case .none: break
                    }
                    pending!.textTarget = .none
                case ("response", 2):
                    if let done = pending?.record { try sink.receive(done, from: file) }
                    pending = nil
                case ("unit", 1):
                    unit = nil
                default: break
                }
            default:
                break
            }
        }
        if collector.message != nil { throw notWellFormed() }
        if !sawSurvey { throw refuse("the file has no <survey> element") }
    }
}
