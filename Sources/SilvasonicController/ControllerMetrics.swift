public import ControllerCore
public import CoreMetrics
import SilvasonicIO

/// The controller's metrics through swift-metrics, made by the factory it is given (the
/// `run` command gives it swift-prometheus's; the default is the process's bootstrapped one),
/// so several controllers in one process (tests, an embedding program) never share counters.
///
/// Names (Prometheus): `silvasonic_devices{state}` (gauge), `silvasonic_containers_total{service,event}`
/// (`created`, `started`, `adopted`, `died`, `removed`), `silvasonic_restarts_total{service,device}`,
/// `silvasonic_crash_loops_total{service,device}`, `silvasonic_recoveries_total{service,device}`,
/// `silvasonic_engine_errors_total{service}`,
/// `silvasonic_reconcile_runs_total{result}`, `silvasonic_reconcile_duration_seconds` (histogram),
/// `silvasonic_nudges_total{kind}`, `silvasonic_log_lines_total{outcome}` (`forwarded`, `dropped`),
/// `silvasonic_backend_connects_total{backend}`, `silvasonic_backend_connect_failures_total{backend}`,
/// `silvasonic_stream_interruptions_total{stream}`.
public struct ControllerMetrics: Sendable {
    public let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    func count(_ label: String, _ dimensions: [(String, String)] = [], by amount: Int = 1) {
        guard amount > 0 else { return }
        Counter(label: label, dimensions: dimensions, factory: factory).increment(by: amount)
    }

    /// A lifecycle report of one service's actor.
    func record(_ report: RecorderReport, service: String, device: String) {
        switch report {
        case .adopted: count("silvasonic_containers_total", [("service", service), ("event", "adopted")])
        case .created: count("silvasonic_containers_total", [("service", service), ("event", "created")])
        case .started: count("silvasonic_containers_total", [("service", service), ("event", "started")])
        case .restarting: count("silvasonic_restarts_total", [("service", service), ("device", device)])
        case .crashLooping: count("silvasonic_crash_loops_total", [("service", service), ("device", device)])
        case .recovered: count("silvasonic_recoveries_total", [("service", service), ("device", device)])
        case .stopping: break   // counted by Podman's own `remove` events
        case .engineError: count("silvasonic_engine_errors_total", [("service", service)])
        }
    }

    /// A container of this owner died or was removed (Podman's events).
    func containerEvent(_ event: String, service: String) {
        count("silvasonic_containers_total", [("service", service), ("event", event)])
    }

    func reconciled(readDatabase: Bool, duration: Duration) {
        count("silvasonic_reconcile_runs_total", [("result", readDatabase ? "ok" : "database_unreadable")])
        Timer(label: "silvasonic_reconcile_duration_seconds", dimensions: [], factory: factory)
            .recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    func nudge(ignored: Bool) {
        count("silvasonic_nudges_total", [("kind", ignored ? "ignored" : "reconcile")])
    }

    func streamInterrupted(_ stream: String) {
        count("silvasonic_stream_interruptions_total", [("stream", stream)])
    }

    /// Sets the device gauge for every state name (0 for the states no device is in).
    func devices(byState counts: [String: Int]) {
        for state in RecorderState.names {
            Gauge(label: "silvasonic_devices", dimensions: [("state", state)], factory: factory).record(counts[state] ?? 0)
        }
    }

    /// Running totals sampled on each tick, turned into counter increments.
    struct Totals: Sendable {
        var forwarded = 0, dropped = 0
        var connects: [String: Int] = [:], failures: [String: Int] = [:]
    }

    func advance(_ totals: inout Totals, forwarded: Int, dropped: Int, backends: [String: ConnectionStatistics]) {
        count("silvasonic_log_lines_total", [("outcome", "forwarded")], by: forwarded - totals.forwarded)
        count("silvasonic_log_lines_total", [("outcome", "dropped")], by: dropped - totals.dropped)
        totals.forwarded = forwarded
        totals.dropped = dropped
        for (backend, statistics) in backends {
            count("silvasonic_backend_connects_total", [("backend", backend)], by: statistics.connects - totals.connects[backend, default: 0])
            count("silvasonic_backend_connect_failures_total", [("backend", backend)],
                  by: statistics.failedAttempts - totals.failures[backend, default: 0])
            totals.connects[backend] = statistics.connects
            totals.failures[backend] = statistics.failedAttempts
        }
    }
}
