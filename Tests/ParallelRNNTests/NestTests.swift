import Testing
@testable import ParallelRNN

@Suite struct NestTests {
    /// The expected order is what `tf.nest.flatten` (TF 2.21) printed for
    /// `{k: i for i, k in enumerate(keys)}`: `[3, 4, 2, 5, 1, 6, 0]` — Python sorts keys by code point, so
    /// "Å" (U+212B, ANGSTROM SIGN) comes after "Æ" and "é" although Swift's `<` (normalised text) orders them otherwise.
    @Test("dict leaves flatten in tf.nest's order: keys by Unicode code point, as Python sorts them")
    func dictKeysInPythonOrder() {
        let keys = ["\u{212B}", "\u{C6}", "b", "B", "a", "e\u{301}", "\u{E9}z"]
        let nest = Nest<Int>.dict(Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, .leaf($0)) }))
        #expect(nest.leaves == [3, 4, 2, 5, 1, 6, 0])
        #expect(nest.skeleton.rebuild(from: nest.leaves.map { $0 * 10 }).leaves == [30, 40, 20, 50, 10, 60, 0])
    }

    /// `map` calls its transform in flatten order, as `tf.nest.map_structure` does (not in hash order, which Swift
    /// seeds per process): side effects and the first error thrown are those of the first leaf in that order.
    @Test func mapVisitsLeavesInFlattenOrder() throws {
        struct Stop: Error, Equatable { let leaf: Int }
        let keys = (0..<40).map { "key\($0)" }
        let nest = Nest<Int>.dict(Dictionary(uniqueKeysWithValues: keys.enumerated().map {
            ($1, .list([.leaf(2 * $0), .dict(["x": .leaf(2 * $0 + 1)])]))
        }))
        var visited: [Int] = []
        let mapped = nest.map { leaf -> Int in visited.append(leaf); return leaf + 1 }
        #expect(visited == nest.leaves)
        #expect(mapped.leaves == nest.leaves.map { $0 + 1 })
        #expect(throws: Stop(leaf: nest.leaves[0])) { _ = try nest.map { leaf -> Int in throw Stop(leaf: leaf) } }
    }
}
