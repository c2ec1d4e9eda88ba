import Testing

@testable import Kvalitet

/// The compact respondent index against Swift's `Set` as the oracle.
@Suite struct RespondentIndexTests {
    @Test func behavesLikeASetOfStrings() {
        var index = RespondentIndex()
        var oracle: Set<String> = []
        var random = SplitMix64(seed: 99)
        let alphabet = Array("ab0æ-é 9\"")
        for _ in 0..<60_000 {
            let length = Int.random(in: 0...9, using: &random)
            let id = String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
            let added = index.insert(id)
            #expect(added == oracle.insert(id).inserted, "\(id)")
        }
        #expect(index.count == oracle.count)
        for id in oracle { #expect(index.contains(id)) }
        for probe in ["zz", "aaaaaaaaaa", "ab0æ-é 9\"x"] { #expect(index.contains(probe) == oracle.contains(probe)) }
        // Composed and decomposed "é" are different bytes, and different ids (as in a Dictionary
        // keyed by bytes, not by Swift's Unicode equality; the readers keep the bytes they read).
        var accents = RespondentIndex()
        let composedAdded = accents.insert("e\u{301}")
        let decomposedAdded = accents.insert("\u{E9}")
        #expect(composedAdded && decomposedAdded && accents.count == 2)
    }

    @Test func unionAndCommonKeepOrderAndPositions() {
        var earlier = RespondentIndex()
        for id in ["r1", "r2", "r3"] { earlier.insert(id) }
        var part = RespondentIndex(tracksPositions: true)
        for (index, id) in ["r9", "r2", "r8", "r1"].enumerated() {
            part.insert(id, position: .init(offset: 100 * index, line: index + 2))
        }
        let again = part.insert("r2", position: .init(offset: 999, line: 99))
        #expect(!again)  // the first position stays
        #expect(part.common(with: earlier) == [.init(offset: 100, line: 3), .init(offset: 300, line: 5)])
        earlier.formUnion(part)
        #expect(earlier.count == 5 && earlier.contains("r9") && earlier.contains("r8"))
    }
}
