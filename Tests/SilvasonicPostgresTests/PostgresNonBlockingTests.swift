import SilvasonicPostgres
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
        let finished = SharedCounter()
        let slow = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for connection in connections {
                    group.addTask {
                        try await connection.query("SELECT pg_sleep(3)")
                        finished.increment()
                    }
                }
                try await group.waitForAll()
            }
        }
        // Had the queries held the pool's threads, no tick could complete until one finished.
        let ticks = try await StreamHelpers.ticks(while: { finished.value == 0 })
        #expect(ticks >= 5, "only \(ticks) ticks while the slow queries ran")
        try await slow.value
        #expect(finished.value == slowCount)
    }
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
