import Logging
import Supervision
import SupervisionTesting

/// Tests read events, not logs; this keeps crash reports out of the test output.
let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// A supervisor under test on a manual clock, with its controls and an event watcher.
struct Harness {
    let clock = ManualClock()
    let supervisor: Supervisor<ManualClock>
    var events: EventWatcher
    let runTask: Task<Void, any Error>

    init(name: String = "sup", options: SupervisorOptions, children: [ChildSpec],
         random: FixedRandom = FixedRandom(unit: 0.5), events: SupervisionEvents = SupervisionEvents()) throws {
        let supervisor = try Supervisor(name: name, options: options, children: children, clock: clock,
                                        random: random, events: events, logger: quietLogger)
        self.supervisor = supervisor
        self.events = EventWatcher(events)
        self.runTask = Task { try await supervisor.run() }
    }

    /// Waits until each of `ids` has started (in any order).
    mutating func waitForStarts(_ ids: [ChildID]) async {
        var remaining = Set(ids)
        await events.until { event in
            if event.kind == .started, let child = event.child { remaining.remove(child) }
            return remaining.isEmpty
        }
    }

    /// How often each of `ids` was started, by the events read so far.
    func starts(_ ids: [ChildID]) -> [Int] { ids.map { events.starts[$0] ?? 0 } }

    /// Cancels run() and returns how it ended.
    func stop() async -> Result<Void, any Error> {
        runTask.cancel()
        return await runTask.result
    }
}
