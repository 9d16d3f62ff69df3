import ArgumentParser
import Foundation
import Logging
import SilvasonicController
import Simulation

/// `silvasonic-controller simulate`: the real tree against thousands of simulated microphones.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Drive the controller's tree with simulated microphones and an in-memory engine; print figures.",
        discussion: """
            The device tree (inventory, reconciler, device supervisor and DeviceActors) runs unchanged on an \
            in-memory container engine (configurable latency and failure rate), an in-memory \
            desired-state store and simulated USB microphones. Every scenario first plugs all \
            microphones at once and waits until every recorder runs.

            With --backends real the same tree runs on the PostgreSQL, Redis and Podman that the \
            SILVASONIC_* settings of `run` name, starting the recorder image they name; the \
            engine's own create and start are timed apart from the controller's share. Use a \
            scratch stack (Benchmarks/real-backends.sh makes one): the run removes its own \
            device rows (serials SIM…) and recorders before and after.

            Examples:
              silvasonic-controller simulate --devices 10000
              silvasonic-controller simulate --devices 1000 --scenario crash-storm
              silvasonic-controller simulate --devices 1000 --scenario events --events 200
              silvasonic-controller simulate --devices 100 --scenario steady --engine-latency-ms 5 --json
              silvasonic-controller simulate --backends real --devices 10 --scenario events --events 10
            """
    )

    @Option(help: "How many microphones.")
    var devices = 100

    @Option(help: "plug, steady, crash-storm, flapping, nudge-storm, outage or events.")
    var scenario = "plug"

    @Option(help: "in-memory, or real: the PostgreSQL, Redis and Podman the SILVASONIC_* settings name.")
    var backends = "in-memory"

    @Option(help: "Plugs and crashes measured one at a time by the events scenario.")
    var events = 200

    @Flag(inversion: .prefixedNo, help: "Each recorder's heartbeat watch and log follower, on an in-memory Redis.")
    var companions = true

    @Option(help: "Milliseconds each container create and start takes in the engine.")
    var engineLatencyMs: Double = 0

    @Option(help: "Share of creates and starts that fail (0...1).")
    var failureRate: Double = 0

    @Option(help: "Seconds of idle measured by the steady scenario.")
    var steadySeconds: Double = 5

    @Flag(help: "Print the figures as JSON (for docs/performance.md) instead of a table.")
    var json = false

    func run() async throws {
        guard let kind = SimulationOptions.Scenario(rawValue: scenario) else {
            throw ValidationError("--scenario: one of \(SimulationOptions.Scenario.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard devices > 0 else { throw ValidationError("--devices: at least 1") }
        guard events > 0 else { throw ValidationError("--events: at least 1") }
        var options = SimulationOptions(devices: devices, scenario: kind)
        options.events = events
        options.companions = companions
        options.engineLatency = .microseconds(Int64(engineLatencyMs * 1000))
        options.failureRate = failureRate
        options.steadySeconds = steadySeconds
        let makeBackends: (@Sendable (String) -> any SimulationBackends)?
        switch backends {
        case "in-memory":
            makeBackends = nil
        case "real":
            let settings = try ControllerSettings(environment: ProcessInfo.processInfo.environment)
            options.engineParallelism = settings.podman.maximumConnections
            var logger = Logger(label: "simulate")
            logger.logLevel = .warning
            makeBackends = { [logger] _ in RealSimulationBackends(settings: settings, logger: logger) }
        default:
            throw ValidationError("--backends: in-memory or real")
        }
        let quiet = json
        let figures = try await SimulationRun(options: options, progress: { line in
            if !quiet { FileHandle.standardError.write(Data("… \(line)\n".utf8)) }
        }, backends: makeBackends).run()
        print(json ? SimulationReport.json(figures) : SimulationReport.table(figures))
    }
}
