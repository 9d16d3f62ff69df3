import Benchmark
import Foundation
import SilvasonicPodman
import SilvasonicPostgres
import SilvasonicRedis

// Per-call cost of each client against its real server on loopback. The servers are those of
// the dev stack: run this suite through Benchmarks/run.sh, which starts them and exports their
// settings, and which also measures the servers' own tools for the ratio (docs/backends.md).

/// The environment of the dev stack, or a stop with instructions.
func stack(_ name: String) -> String {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
        fatalError("\(name) is not set: run the backend benchmarks with Benchmarks/run.sh, which starts the dev stack")
    }
    return value
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.mallocCountTotal, .wallClock, .syscalls],
        maxDuration: .seconds(3),
        maxIterations: 100,
        // Allocations per 1,000 calls vary by a handful between runs (the servers' answers
        // differ in length): allow 5 % above the recorded p90.
        thresholds: [.mallocCountTotal: .init(relative: [.p90: 5])]
    )
    let kilo = Benchmark.Configuration(scalingFactor: .kilo)

    Benchmark("redis-set-ex", configuration: kilo) { benchmark in
        let redis = RedisClient(configuration: try RedisConfiguration(url: stack("SILVASONIC_REDIS_URL")))
        _ = try await redis.ping()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try await redis.set("silvasonic:bench", "{\"status\":\"ok\"}", expiresInSeconds: 30)
        }
        benchmark.stopMeasurement()
    }

    Benchmark("redis-get", configuration: kilo) { benchmark in
        let redis = RedisClient(configuration: try RedisConfiguration(url: stack("SILVASONIC_REDIS_URL")))
        try await redis.set("silvasonic:bench", "{\"status\":\"ok\"}", expiresInSeconds: 30)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await redis.get("silvasonic:bench"))
        }
        benchmark.stopMeasurement()
    }

    Benchmark("postgres-select-one", configuration: kilo) { benchmark in
        _ = stack("SILVASONIC_DB_PORT")
        let db = PostgresClient(configuration: PostgresConfiguration(environment: ProcessInfo.processInfo.environment))
        try await db.query("SELECT 1")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await db.query("SELECT 1"))
        }
        benchmark.stopMeasurement()
    }

    Benchmark("postgres-parameterised-row", configuration: kilo) { benchmark in
        _ = stack("SILVASONIC_DB_PORT")
        let db = PostgresClient(configuration: PostgresConfiguration(environment: ProcessInfo.processInfo.environment))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let rows = try await db.query("SELECT $1::text AS name, $2::bool AS enabled, now() AS at", ["mic-1", true])
            blackHole(try rows.first?.decode("at", as: Date.self))
        }
        benchmark.stopMeasurement()
    }

    Benchmark("podman-ping", configuration: .init(scalingFactor: .one)) { benchmark in
        let podman = PodmanClient(configuration: PodmanConfiguration(socketPath: stack("SILVASONIC_CONTAINER_SOCKET")))
        _ = try await podman.ping()
        benchmark.startMeasurement()
        for _ in 0..<100 {
            blackHole(try await podman.ping())
        }
        benchmark.stopMeasurement()
    }
}
