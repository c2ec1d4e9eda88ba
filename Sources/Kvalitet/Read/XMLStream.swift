import CLibXML2
import Foundation

/// A streaming XML parse (libxml2's SAX2 push parser) fed chunk by chunk, for the parts of a
/// workbook: the callbacks get each element's local name, its attributes and its text. With the
/// response XML reader's safety: no network, no DTD, no entity substitution; a `<!DOCTYPE>` or
/// an entity reference refuses the part (OOXML has no use for either).
final class XMLStream {
    /// When set, gets the callbacks instead of the closures below: a workbook's sheet has tens
    /// of millions of them, and calling a stored closure retains and releases its context each
    /// time. Not retained: its owner keeps it alive while it feeds the stream.
    unowned(unsafe) var handler: (any XMLStreamHandler)?
    /// The element's local name (NUL-terminated) and attributes.
    var onStart: (UnsafePointer<xmlChar>, XMLAttributes) -> Void = { _, _ in }
    var onEnd: (UnsafePointer<xmlChar>) -> Void = { _ in }
    var onText: (UnsafeBufferPointer<UInt8>) -> Void = { _ in }

    private let name: String
    private let file: InputFile
    /// Whether a `<!DOCTYPE>` naming an outside DTD is allowed (Triple-S metadata has one): the
    /// DTD is never loaded, and an entity declaration still refuses the part.
    var allowsDoctype = false
    private var parser: xmlParserCtxtPtr?
    private var failure: String?

    /// A parse of the part `name` of `file` (for messages).
    init(part name: String, of file: InputFile) {
        self.name = name
        self.file = file
    }

    deinit { if let parser { xmlFreeParserCtxt(parser) } }

    /// Stops with `message` as the reason the part is refused.
    func stop(_ message: String) {
        if failure == nil { failure = message }
        if let parser { xmlStopParser(parser) }
    }

    var line: Int { parser.map { Int(xmlSAX2GetLineNumber(UnsafeMutableRawPointer($0))) } ?? 0 }

    func feed(_ chunk: UnsafeBufferPointer<UInt8>) throws(KvalitetError) {
        if parser == nil { try start() }
        let status = chunk.withMemoryRebound(to: CChar.self) { xmlParseChunk(parser, $0.baseAddress, Int32($0.count), 0) }
        try check(status)
    }

    func finish() throws(KvalitetError) {
        if parser == nil { try start() }
        try check(xmlParseChunk(parser, nil, 0, 1))
    }

    private func check(_ status: Int32) throws(KvalitetError) {
        guard failure != nil || status != 0 else { return }
        let reason = failure ?? "not well-formed XML"
        throw KvalitetError(
            .inputRefused, "\(name): \(reason); nothing of the file is counted",
            nb: "\(name): \(reason); ingenting i filen telles", at: SourceLocation(file: file.name, line: line))
    }

    private func start() throws(KvalitetError) {
        var handler = xmlSAXHandler()
        handler.initialized = XML_SAX2_MAGIC
        handler.internalSubset = { context, _, _, _ in
            XMLStream.with(context) {
                if !$0.allowsDoctype { $0.stop("a <!DOCTYPE> is not allowed (entities and DTDs are refused for safety)") }
            }
        }
        handler.entityDecl = { context, _, _, _, _, _ in
            XMLStream.with(context) { $0.stop("entity declarations are not allowed (refused for safety)") }
        }
        handler.reference = { context, _ in
            XMLStream.with(context) { $0.stop("entity references are not allowed") }
        }
        handler.serror = { context, error in
            guard let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            let message = error.pointee.message.map { String(cString: $0).trimmingSpaces } ?? "malformed XML"
            XMLStream.with(context) { $0.stop("not well-formed XML: \(message)") }
        }
        handler.startElementNs = { context, local, _, _, _, _, count, _, attributes in
            guard let local else { return }
            XMLStream.with(context) { stream in
                let attributes = XMLAttributes(count: count, values: attributes)
                if let handler = stream.handler {
                    handler.start(local, attributes, in: stream)
                } else {
                    stream.onStart(local, attributes)
                }
            }
        }
        handler.endElementNs = { context, local, _, _ in
            guard let local else { return }
            XMLStream.with(context) { stream in
                if let handler = stream.handler { handler.end(local, in: stream) } else { stream.onEnd(local) }
            }
        }
        handler.characters = { context, bytes, count in
            guard let bytes, count > 0 else { return }
            XMLStream.with(context) { stream in
                let text = UnsafeBufferPointer(start: bytes, count: Int(count))
                if let handler = stream.handler { handler.text(text, in: stream) } else { stream.onText(text) }
            }
        }
        handler.cdataBlock = handler.characters
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let parser = xmlCreatePushParserCtxt(&handler, context, nil, 0, name) else {
            throw KvalitetError(
                .inputRefused, "\(name): cannot be parsed as XML", nb: "\(name): kan ikke leses som XML",
                at: SourceLocation(file: file.name))
        }
        xmlCtxtUseOptions(parser, XMLResponseReader.options)
        self.parser = parser
    }

    private static func with(_ context: UnsafeMutableRawPointer?, _ body: (XMLStream) -> Void) {
        guard let context else { return }
        Unmanaged<XMLStream>.fromOpaque(context)._withUnsafeGuaranteedRef(body)
    }

    /// Whether the C string `name` is `literal`.
    static func `is`(_ name: UnsafePointer<xmlChar>, _ literal: StaticString) -> Bool {
        strcmp(
            UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self),
            UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }
}

/// What an ``XMLStream`` hands a handler: each element's start (local name, NUL-terminated, and
/// attributes), end, and text.
protocol XMLStreamHandler: AnyObject {
    func start(_ name: UnsafePointer<xmlChar>, _ attributes: XMLAttributes, in stream: XMLStream)
    func end(_ name: UnsafePointer<xmlChar>, in stream: XMLStream)
    func text(_ bytes: UnsafeBufferPointer<UInt8>, in stream: XMLStream)
}

/// An element's attributes as libxml2's SAX2 hands them over.
struct XMLAttributes {
    let count: Int32
    let values: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?

    /// The value of the attribute whose local name is `name`.
    subscript(_ name: StaticString) -> String? {
        guard let (start, length) = XMLResponseReader.attributeBytes(name, count, values) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: start, count: length), as: UTF8.self)
    }

    /// The value's bytes, not copied (valid during the callback).
    func bytes(_ name: StaticString) -> UnsafeBufferPointer<UInt8>? {
        guard let (start, length) = XMLResponseReader.attributeBytes(name, count, values) else { return nil }
        return UnsafeBufferPointer(start: start, count: length)
    }
}
