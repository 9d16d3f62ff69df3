/// What a simulation run does.
public struct SimulationOptions: Sendable {
    /// What is measured after all microphones were plugged and their recorders run.
    public enum Scenario: String, Sendable, CaseIterable {
        /// N microphones plugged at once: time until all record, plug → start latency.
        case plug
        /// Idle with the periodic reconcile running: CPU and memory per device.
        case steady
        /// A share of the recorders die at once, several times: restarts against what the rules allow.
        case crashStorm = "crash-storm"
        /// Microphones pulled and put back within the grace (nothing may stop) and outside it.
        case flapping
        /// Thousands of reconcile requests at once: coalesced runs.
        case nudgeStorm = "nudge-storm"
        /// The database and the engine unreachable for a while: nothing stops.
        case outage
        /// Events one at a time under the load of N running recorders: a microphone plugged →
        /// its recorder started, a recorder crashed → restarted; each latency with the engine's
        /// share separated.
        case events
        /// All N unplugged at once after they run: time until every container is removed; and
        /// the engine's own time for N create + start and N stop + remove at the controller's
        /// parallelism, in the same run, to compare with.
        case plugUnplug = "plug-unplug"
    }

    public var devices: Int
    public var scenario: Scenario
    package var engineLatency: Duration = .zero
    package var failureRate = 0.0
    public var seed: UInt64 = 1
    package var backoffInitial: Duration = .milliseconds(100)
    public var maxRestarts = 5
    public var reconcileInterval: Duration = .seconds(1)
    package var offlineGrace: Duration = .seconds(1)
    var crashFraction = 0.1
    package var rounds = 3
    package var steadySeconds = 5.0
    /// Plugs, and crashes, measured one at a time by the events scenario.
    public var events = 200
    /// Whether each recorder gets its heartbeat watch and log follower (on an in-memory Redis),
    /// as on a station. Runs are shorter than the start-up grace, so no recorder is judged lost.
    public var companions = true
    /// How many engine calls the plug-unplug scenario's baseline runs at once: the Podman
    /// client's connections (`SILVASONIC_PODMAN_CONNECTIONS`).
    package var engineParallelism = 8

    public init(devices: Int, scenario: Scenario) {
        self.devices = devices
        self.scenario = scenario
    }
}
