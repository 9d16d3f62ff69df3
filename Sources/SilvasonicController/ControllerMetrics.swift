import ControllerCore
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
/// `silvasonic_stream_interruptions_total{stream}`, `silvasonic_build_info{version}` (1).
///
/// ``declare()`` makes every counter whose labels are known at start (and each device's, when
/// its actor is made) present at 0, so that `rate()` and alerts see the first increment;
/// ``help`` holds each metric's `# HELP` text, which ``withHelp(_:)`` adds to an exposition
/// (swift-metrics has no help text of its own).
public struct ControllerMetrics: Sendable {
    public let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// Each metric's `# HELP` text, by name.
    package static let help: [String: String] = [
        "silvasonic_build_info": "The controller's version (always 1).",
        "silvasonic_devices": "Devices and workers by their recorder's state.",
        "silvasonic_containers_total": "Tier 2 containers adopted, created, started, died and removed, by service.",
        "silvasonic_restarts_total": "Restarts of a crashed container, by service and device.",
        "silvasonic_crash_loops_total": "Times a device's container went past the restart intensity (crash-looping, retried at the cap).",
        "silvasonic_recoveries_total": "Crash-looping containers that ran stably again.",
        "silvasonic_engine_errors_total": "Podman calls that failed, by service.",
        "silvasonic_reconcile_runs_total": "Reconciles, by whether the desired state could be read.",
        "silvasonic_reconcile_duration_seconds": "How long a reconcile took.",
        "silvasonic_nudges_total": "Messages on silvasonic:nudge: reconcile requests and ignored payloads.",
        "silvasonic_log_lines_total": "Container log lines forwarded to silvasonic:logs, and dropped.",
        "silvasonic_backend_connects_total": "Connections made to PostgreSQL and Redis.",
        "silvasonic_backend_connect_failures_total": "Failed connection attempts to PostgreSQL and Redis.",
        "silvasonic_stream_interruptions_total": "Interruptions of Podman's event stream and the nudge subscription.",
    ]

    /// Makes every counter with labels known at start present at 0, and the build info gauge.
    package func declare() {
        Gauge(label: "silvasonic_build_info", dimensions: [("version", ControllerVersion.current)], factory: factory).record(1)
        for service in ["recorder", "birdnet"] {
            for event in ["adopted", "created", "started", "died", "removed"] {
                declareCounter("silvasonic_containers_total", [("service", service), ("event", event)])
            }
            declareCounter("silvasonic_engine_errors_total", [("service", service)])
        }
        for result in ["ok", "database_unreadable"] { declareCounter("silvasonic_reconcile_runs_total", [("result", result)]) }
        for kind in ["reconcile", "ignored"] { declareCounter("silvasonic_nudges_total", [("kind", kind)]) }
        for outcome in ["forwarded", "dropped"] { declareCounter("silvasonic_log_lines_total", [("outcome", outcome)]) }
        for backend in ["postgres", "redis"] {
            declareCounter("silvasonic_backend_connects_total", [("backend", backend)])
            declareCounter("silvasonic_backend_connect_failures_total", [("backend", backend)])
        }
        for stream in ["podman_events", "nudges"] { declareCounter("silvasonic_stream_interruptions_total", [("stream", stream)]) }
        devices(byState: [:])
    }

    /// Makes a device's own counters present at 0.
    func declare(service: String, device: String) {
        for label in ["silvasonic_restarts_total", "silvasonic_crash_loops_total", "silvasonic_recoveries_total"] {
            declareCounter(label, [("service", service), ("device", device)])
        }
    }

    private func declareCounter(_ label: String, _ dimensions: [(String, String)]) {
        _ = Counter(label: label, dimensions: dimensions, factory: factory)
    }

    /// `exposition` (Prometheus text) with a `# HELP` line before each `# TYPE` line of a metric
    /// in ``help`` that has none.
    package static func withHelp(_ exposition: String) -> String {
        var out = ""
        out.reserveCapacity(exposition.utf8.count + help.count * 80)
        var described: Set<Substring> = []
        for line in exposition.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# HELP ") { described.insert(line.dropFirst(7).prefix { $0 != " " }) }
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst(7).prefix { $0 != " " }
                if !described.contains(name), let text = help[String(name)] {
                    out += "# HELP \(name) \(text)\n"
                    described.insert(name)
                }
            }
            out += line
            out += "\n"
        }
        out.removeLast()   // the newline after the last piece, which the exposition has not
        return out
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
