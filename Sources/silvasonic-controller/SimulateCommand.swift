import ArgumentParser
import Foundation
import Simulation

/// `silvasonic-controller simulate`: the real tree against thousands of simulated microphones.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Drive the controller's tree with simulated microphones and an in-memory engine; print figures.",
        discussion: """
            The device inventory, reconciler, registry and recorder actors run unchanged on an \
            in-memory container engine (configurable latency and failure rate), an in-memory \
            desired-state store and simulated USB microphones. Every scenario first plugs all \
            microphones at once and waits until every recorder runs.

            Examples:
              silvasonic-controller simulate --devices 10000
              silvasonic-controller simulate --devices 1000 --scenario crash-storm
              silvasonic-controller simulate --devices 100 --scenario steady --engine-latency-ms 5 --json
            """
    )

    @Option(help: "How many microphones.")
    var devices = 100

    @Option(help: "plug, steady, crash-storm, flapping, nudge-storm or outage.")
    var scenario = "plug"

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
        var options = SimulationOptions(devices: devices, scenario: kind)
        options.engineLatency = .microseconds(Int64(engineLatencyMs * 1000))
        options.failureRate = failureRate
        options.steadySeconds = steadySeconds
        let quiet = json
        let figures = try await SimulationRun(options: options) { line in
            if !quiet { FileHandle.standardError.write(Data("… \(line)\n".utf8)) }
        }.run()
        print(json ? SimulationReport.json(figures) : SimulationReport.table(figures))
    }
}
