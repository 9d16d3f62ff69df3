// The getting-started example of the Supervision library: a program that embeds a supervisor
// of a few services and runs it in a ServiceGroup, so SIGTERM or Ctrl-C shuts it down cleanly.
//
//   swift run --package-path Examples/EmbeddedSupervisor supervision-example          runs until Ctrl-C
//   swift run --package-path Examples/EmbeddedSupervisor supervision-example --demo   a few seconds of crashes and restarts
import Logging
import ServiceLifecycle
import Supervision
import SupervisionServiceLifecycle

/// A worker that does its job every `interval` and fails on the `failEvery`-th tick.
struct Ticker: Sendable {
    var name: String
    var interval: Duration
    var failEvery: Int?

    struct Crash: Error, CustomStringConvertible {
        var tick: Int
        var description: String { "crashed on tick \(tick)" }
    }

    func run() async throws {
        var tick = 0
        while true {
            try await Task.sleep(for: interval)   // cancellation ends the child here
            tick += 1
            if let failEvery, tick % failEvery == 0 { throw Crash(tick: tick) }
        }
    }
}

@main
struct EmbeddedSupervisorExample {
    static func main() async throws {
        let demo = CommandLine.arguments.contains("--demo")
        let logger = Logger(label: "example")

        // Restart a crashing child after 50 ms, then 100 ms, ... at most 1 s; give up after more
        // than 5 restarts within 10 s.
        let options = SupervisorOptions(
            strategy: .oneForOne,
            intensity: RestartIntensity(maxRestarts: 5, within: .seconds(10)),
            backoff: BackoffPolicy(initial: .milliseconds(50), maximum: .seconds(1), jitter: 0.1)
        )
        let supervisor = try Supervisor(name: "example", options: options, children: [
            ChildSpec(id: "steady") { try await Ticker(name: "steady", interval: .milliseconds(200)).run() },
            ChildSpec(id: "flaky", restart: .transient) {
                try await Ticker(name: "flaky", interval: .milliseconds(100), failEvery: 3).run()
            },
        ], logger: logger)

        // Print the tree's events as they happen.
        let events = supervisor.events.subscribe()
        let printer = Task {
            for await event in events {
                print("\(event.supervisor)/\(event.child ?? "-"): \(event.kind)")
            }
        }

        let group = ServiceGroup(configuration: .init(
            services: [.init(service: SupervisorService(supervisor), successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        if demo {
            let stopper = Task {
                try await Task.sleep(for: .seconds(2))
                await supervisor.shutdown()
            }
            try await group.run()
            stopper.cancel()
        } else {
            try await group.run()
        }
        for child in await supervisor.whichChildren() {
            print("\(child.id): \(child.state), \(child.restarts) restarts, last failure: \(child.lastFailure ?? "none")")
        }
        printer.cancel()
    }
}
