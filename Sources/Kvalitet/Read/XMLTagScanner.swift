#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Looks at the start tags of an XML stream before libxml2 does, to hold them to limits libxml2
/// 2.9 has none for: the number of attributes of one element (its duplicate check is quadratic:
/// one element with 200,000 attributes took 32 s) and the length of one attribute value
/// (`--max-field-mib`, as for texts).
///
/// Cheap on ordinary files: it jumps from `<` to `<` with `memchr`, and a tag followed by the
/// next `<` within a few hundred bytes cannot break a limit. Only a tag followed by a long stretch
/// is looked at byte by byte, tracking quotes (a `>` inside a quoted value does not end a tag);
/// comments, processing instructions and declarations (`<!`, `<?`) are skipped to their `>`.
struct XMLTagScanner {
    /// At most this many attributes on one element (the format needs at most five).
    static let maxAttributes = 64

    let maxValueBytes: Int
    private var inTag = false
    private var skipping = false  // in `<!…>` or `<?…>`: up to the next `>`
    private var quote: UInt8 = 0
    private var attributes = 0
    private var valueBytes = 0
    private var atTagStart = false

    init(maxValueBytes: Int) {
        self.maxValueBytes = maxValueBytes
    }

    /// A tag with more than `maxAttributes` attributes, or a value of `maxValueBytes`, is longer
    /// than this; `<` cannot occur inside a tag (nor in an attribute value), so a `<` that comes
    /// sooner after the last one proves the tag between them harmless without looking at it.
    static let shortGap = 4 * (maxAttributes + 1)

    /// Why the stream is refused, and at which byte of `bytes`, or nil.
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> (reason: String, index: Int)? {
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        let less = Int32(UInt8(ascii: "<"))
        var index = 0
        if inTag, let failure = careful(base, &index, count) { return failure }
        guard index < count, let first = memchr(base + index, less, count - index) else { return nil }
        var start = base.distance(to: first.assumingMemoryBound(to: UInt8.self))
        while true {
            // A tag starts at `start`. One memchr per tag finds the next `<`.
            let window = min(Self.shortGap, count - start - 1)
            if window > 0, let next = memchr(base + start + 1, less, window) {
                start = base.distance(to: next.assumingMemoryBound(to: UInt8.self))  // this tag is short
                continue
            }
            // A long stretch (or the chunk's end) follows: look at the tag byte by byte.
            inTag = true
            atTagStart = true
            skipping = false
            quote = 0
            attributes = 0
            index = start + 1
            if let failure = careful(base, &index, count) { return failure }
            guard index < count, let found = memchr(base + index, less, count - index) else { return nil }
            start = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Follows the tag that is open from `index` to its `>` (or the end of the bytes).
    private mutating func careful(_ base: UnsafePointer<UInt8>, _ index: inout Int, _ count: Int) -> (reason: String, index: Int)?
    {
        while index < count && inTag {
            let byte = base[index]
            if atTagStart {
                atTagStart = false
                if byte == UInt8(ascii: "!") || byte == UInt8(ascii: "?") { skipping = true }
            }
            if skipping {
                if byte == UInt8(ascii: ">") { inTag = false }
            } else if quote != 0 {
                if byte == quote {
                    quote = 0
                } else {
                    valueBytes += 1
                    if valueBytes > maxValueBytes {
                        return (
                            "an attribute value is longer than \(describeBytes(maxValueBytes)) (limit: --max-field-mib)", index
                        )
                    }
                }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
                valueBytes = 0
            } else if byte == UInt8(ascii: "=") {
                attributes += 1
                if attributes > Self.maxAttributes {
                    return ("an element has more than \(Self.maxAttributes) attributes (the format needs at most 5)", index)
                }
            } else if byte == UInt8(ascii: ">") {
                inTag = false
            }
            index += 1
        }
        return nil
    }

    /// The line and column (1-based, in bytes) of byte `offset` of `file`, for a refusal found
    /// before the parser saw the bytes: the file is read again up to there.
    static func position(ofByte offset: Int, in file: InputFile) throws(KvalitetError) -> (line: Int, column: Int) {
        let source = try ByteSource(file)
        var line = 1
        var lineStart = 0
        var position = 0
        while position < offset, try source.refill() {
            for byte in UnsafeBufferPointer(rebasing: source.chunk[0..<min(source.count, offset - position)]) {
                position += 1
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    lineStart = position
                }
            }
        }
        return (line, offset - lineStart + 1)
    }
}
