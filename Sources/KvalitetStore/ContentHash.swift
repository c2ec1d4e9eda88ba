import CLibCrypto
import Foundation
import Kvalitet

/// SHA-256 of a file's bytes, read in chunks (memory does not grow with the file): what tells
/// an import of the same file again from a new one. The digest is OpenSSL's libcrypto (EVP),
/// the library libpq already links: no package to build for it.
enum ContentHash {
    static func of(file: InputFile) throws(KvalitetError) -> String {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: file.url)
        } catch {
            throw KvalitetError(.inputRefused, "cannot read the file", at: SourceLocation(file: file.name))
        }
        defer { try? handle.close() }
        let digest = Digest()
        while true {
            try Interruption.check(file.name)
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 1 << 20)
            } catch {
                throw KvalitetError(.inputRefused, "cannot read the file", at: SourceLocation(file: file.name))
            }
            guard let chunk, !chunk.isEmpty else { break }
            digest.update(chunk)
        }
        return digest.hex()
    }

    static func of(text: String) -> String {
        let digest = Digest()
        digest.update(Data(text.utf8))
        return digest.hex()
    }

    /// One SHA-256 computation through EVP.
    final class Digest {
        private let context: OpaquePointer

        init() {
            // Allocation or initialisation fails only when out of memory.
            context = EVP_MD_CTX_new()!
            precondition(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "SHA-256 is not available")
        }

        deinit { EVP_MD_CTX_free(context) }

        func update(_ data: Data) {
            data.withUnsafeBytes { bytes in
                precondition(EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1)
            }
        }

        func hex() -> String {
            var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
            var length: UInt32 = 0
            precondition(EVP_DigestFinal_ex(context, &digest, &length) == 1)
            return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
        }
    }
}
