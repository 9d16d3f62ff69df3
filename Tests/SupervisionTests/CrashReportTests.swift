import Logging
import Supervision
import SupervisionTesting
import Synchronization
import Testing

/// Keeps every record logged through it, for assertions.
final class CapturingLogHandler: LogHandler, Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    let records = Mutex<[Record]>([])
    private let storedMetadata = Mutex<Logger.Metadata>([:])

    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }

    var metadata: Logger.Metadata {
        get { storedMetadata.withLock { $0 } }
        set { storedMetadata.withLock { $0 = newValue } }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { storedMetadata.withLock { $0[key] } }
        set { storedMetadata.withLock { $0[key] = newValue } }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        records.withLock {
            $0.append(Record(level: event.level, message: "\(event.message)",
                             metadata: merged.mapValues { "\($0)" }))
        }
    }
}

@Suite("Crash reports in swift-log")
struct CrashReportTests {
    @Test("A failure is logged at error with the supervisor, the child and the error as metadata")
    func crashReport() async throws {
        let handler = CapturingLogHandler()
        let logger = Logger(label: "test", factory: { _ in handler })
        let child = ChildControl("recorder")
        let clock = ManualClock()
        let supervisor = try Supervisor(
            name: "devices", parentPath: "station",
            options: .init(intensity: RestartIntensity(maxRestarts: 0, within: .seconds(1))),
            children: [child.spec()], clock: clock, logger: logger)
        var events = EventWatcher(supervisor.events)
        let run = Task { try await supervisor.run() }
        await events.until(.started, "recorder")
        child.fail("device vanished")
        _ = await run.result

        let records = handler.records.withLock { $0 }
        let failure = try #require(records.first { $0.message == "child failed" })
        #expect(failure.level == .error)
        #expect(failure.metadata == ["supervisor": "station/devices", "child": "recorder", "error": "device vanished"])
        let gaveUp = try #require(records.first { $0.message == "restart intensity exceeded; giving up" })
        #expect(gaveUp.level == .error)
        #expect(gaveUp.metadata["maxRestarts"] == "0")
    }
}
