import Foundation
@testable import SilvasonicController
import Testing

@Suite("The last segment of each workspace, read for status at most every 10 s")
struct LastSegmentCacheTests {
    @Test("The newest file's time; an empty or missing workspace has none; a fresh reading is not read again")
    func newest() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("segments-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let full = root + "/full", empty = root + "/empty"
        try FileManager.default.createDirectory(atPath: full + "/2026-12-01", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        for (name, time) in [("a.wav", 1_800_000_000.0), ("2026-12-01/b.wav", 1_800_000_100.0)] {
            #expect(FileManager.default.createFile(atPath: full + "/" + name, contents: Data([1])))
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: time)], ofItemAtPath: full + "/" + name)
        }
        let cache = LastSegmentCache()
        let now = ContinuousClock.now
        #expect(await cache.newest(in: [full, empty, root + "/missing"], now: now) == [full: 1_800_000_100])
        // Within 10 s the reading is kept: a newer file is not seen yet; after, it is.
        #expect(FileManager.default.createFile(atPath: full + "/c.wav", contents: Data([1])))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_800_000_200)], ofItemAtPath: full + "/c.wav")
        #expect(await cache.newest(in: [full], now: now + .seconds(5)) == [full: 1_800_000_100])
        #expect(await cache.newest(in: [full], now: now + .seconds(11)) == [full: 1_800_000_200])
    }
}
