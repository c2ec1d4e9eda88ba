import Foundation
import Testing

@testable import Kvalitet
@testable import KvalitetStore

/// The store's content hash is SHA-256 (through libcrypto): FIPS 180-2's test vectors, and a
/// file read in several chunks against coreutils' `sha256sum`.
@Suite struct ContentHashTests {
    @Test func knownVectors() {
        #expect(ContentHash.of(text: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ContentHash.of(text: "") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            ContentHash.of(text: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func aFileOfSeveralChunksIsSha256sums() throws {
        let folder = Support.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var bytes = [UInt8](repeating: 0, count: 3 << 20 | 12345)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13) }
        let url = folder.appendingPathComponent("data.bin")
        try Data(bytes).write(to: url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let expected = String(output.prefix(64))
        #expect(try ContentHash.of(file: InputFile(url: url)) == expected)
    }
}
