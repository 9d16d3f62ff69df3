import Supervision
import SupervisionTesting
import Synchronization
import Testing

/// A task-local value, as logger metadata or swift-service-lifecycle's graceful shutdown are.
enum Trace {
    @TaskLocal static var station: String?
}

@Suite("Children see the task-local values of the task that runs their supervisor")
struct TaskLocalTests {
    @Test("A child, its restart after a failure, and a child started later all see run()'s task-locals")
    func taskLocalsReachChildren() async throws {
        let (seen, sighting) = AsyncStream.makeStream(of: String?.self)
        let runs = Mutex(0)
        let supervisor = try Supervisor(
            name: "station", options: SupervisorOptions(intensity: RestartIntensity(maxRestarts: 5, within: .seconds(60))),
            children: [ChildSpec(id: "flaky") {
                sighting.yield(Trace.station)
                let first = runs.withLock { runs in
                    runs += 1
                    return runs == 1
                }
                if first { throw ChildFailure() }
                await suspendUntilCancelled()
            }],
            clock: ManualClock())
        let running = Task {
            try await Trace.$station.withValue("north-meadow") { try await supervisor.run() }
        }
        var sightings = seen.makeAsyncIterator()
        #expect(await sightings.next() == "north-meadow")
        #expect(await sightings.next() == "north-meadow", "the restarted run sees it too")
        try await supervisor.startChild(ChildSpec(id: "later") {
            sighting.yield(Trace.station)
            await suspendUntilCancelled()
        })
        #expect(await sightings.next() == "north-meadow", "a child started at run time sees it too")
        running.cancel()
        try await running.value
    }
}

private struct ChildFailure: Error {}

private func suspendUntilCancelled() async {
    let (stream, continuation) = AsyncStream.makeStream(of: Never.self)
    await withTaskCancellationHandler {
        for await _ in stream {}
    } onCancel: {
        continuation.finish()
    }
}
