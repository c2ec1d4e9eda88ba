import Crypto
import Foundation
import Kvalitet

/// SHA-256 of a file's bytes, read in chunks (memory does not grow with the file): what tells
/// an import of the same file again from a new one.
enum ContentHash {
    static func of(file: InputFile) throws(KvalitetError) -> String {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: file.url)
        } catch {
            throw KvalitetError(.inputRefused, "cannot read the file", at: SourceLocation(file: file.name))
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            try Interruption.check(file.name)
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 1 << 20)
            } catch {
                throw KvalitetError(.inputRefused, "cannot read the file", at: SourceLocation(file: file.name))
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
        }
        return hex(hasher.finalize())
    }

    static func of(text: String) -> String {
        hex(SHA256.hash(data: Data(text.utf8)))
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
