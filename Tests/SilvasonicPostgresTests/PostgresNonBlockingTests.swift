import SilvasonicPostgres
import Synchronization
import TestSupport
import Testing

@Suite("Slow queries never hold the cooperative thread pool")
struct PostgresNonBlockingTests {
    /// More slow queries than the pool has threads: if any held a pool thread, the ticker
    /// (which needs one to run) would stall until they finished.
    @Test("A ticker keeps its pace while more pg_sleep queries than the pool has threads run")
    func tickerKeepsPace() async throws {
        let configuration = try testConfiguration()
        let slowCount = ProcessInfoCores.count * 2 + 2
        let connections = try await withThrowingTaskGroup(of: PostgresConnection.self) { group in
            for _ in 0..<slowCount { group.addTask { try await PostgresConnection.connect(configuration) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let finished = FinishedCount()
        let slow = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for connection in connections {
                    group.addTask {
                        try await connection.query("SELECT pg_sleep(3)")
                        finished.value.add(1, ordering: .relaxed)
                    }
                }
                try await group.waitForAll()
            }
        }
        let longestGap = try await StreamHelpers.longestTickGap()
        #expect(finished.value.load(ordering: .relaxed) == 0, "the ticks ran while the slow queries were still running")
        // Had the queries held the pool's threads, a tick would have waited for them (3 s).
        #expect(longestGap < .seconds(1), "a tick waited \(longestGap)")
        try await slow.value
        #expect(finished.value.load(ordering: .relaxed) == slowCount)
    }
}

/// A counter the slow tasks share with the test.
final class FinishedCount: Sendable {
    let value = Atomic<Int>(0)
}

/// The machine's active processor count, the size of Swift's cooperative pool.
enum ProcessInfoCores {
    static var count: Int {
        #if canImport(Glibc)
        Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        4
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#endif
