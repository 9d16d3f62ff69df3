import Foundation

/// The figures of a run as a table for people or JSON for the report.
package enum SimulationReport {
    package static func table(_ figures: SimulationRun.Figures) -> String {
        func latencies(_ value: Latencies) -> String {
            String(format: "%.3f / %.3f / %.3f ms (%d)", value.p50, value.p99, value.max, value.count)
        }
        var rows: [(String, String)] = [
            ("devices", "\(figures.devices)"),
            ("scenario", figures.scenario),
            ("backends", figures.backends),
            ("plug → start p50 / p99 / max (n)", latencies(figures.plugLatency)),
            ("  the engine's create + start", latencies(figures.plugEngineTime)),
            ("plug → all running", String(format: "%.3f s", figures.allRunning)),
        ] + [
            ("unplug → all removed", figures.allRemoved),
            ("the engine alone: all running", figures.engineAllRunning), ("the engine alone: all removed", figures.engineAllRemoved),
        ].compactMap { name, value in value.map { (name, String(format: "%.3f s", $0)) } } + [
            ("RSS, whole process", String(format: "%.1f MB (%.2f KB per device)", figures.rssMB, figures.rssPerDeviceKB)),
            ("  after malloc_trim", String(format: "%.1f MB", figures.rssTrimmedMB)),
        ]
        let events: [(String, Latencies?)] = [
            ("one plug → start", figures.eventPlug), ("  the controller's share", figures.eventPlugController),
            ("one crash → restart (at once)", figures.eventCrash), ("  the controller's share", figures.eventCrashController),
        ]
        for (name, value) in events { if let value { rows.append((name, latencies(value))) } }
        if let cpu = figures.cpuSecondsPerDeviceHour, let core = figures.idleCorePercent {
            rows.append(("idle CPU", String(format: "%.3f%% of a core; %.4f CPU s per device-hour", core, cpu)))
        }
        if let issued = figures.restartsIssued, let expected = figures.restartsExpected {
            rows.append(("restarts issued / expected", "\(issued) / \(expected)"))
        }
        if let healthy = figures.healthyRestarted { rows.append(("restarts of healthy recorders", "\(healthy)")) }
        for note in figures.notes { rows.append(("note", note)) }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }

    package static func json(_ figures: SimulationRun.Figures) -> String {
        var object: [String: Any] = [
            "devices": figures.devices, "scenario": figures.scenario, "backends": figures.backends,
            "all_running_s": figures.allRunning, "rss_mb": figures.rssMB, "rss_per_device_kb": figures.rssPerDeviceKB, "rss_trimmed_mb": figures.rssTrimmedMB,
            "notes": figures.notes,
        ]
        func put(_ prefix: String, _ value: Latencies?) {
            guard let value else { return }
            object[prefix + "_p50_ms"] = value.p50
            object[prefix + "_p99_ms"] = value.p99
            object[prefix + "_max_ms"] = value.max
            object[prefix + "_count"] = value.count
        }
        put("plug", figures.plugLatency)
        put("plug_engine", figures.plugEngineTime)
        put("event_plug", figures.eventPlug)
        put("event_plug_controller", figures.eventPlugController)
        put("event_crash", figures.eventCrash)
        put("event_crash_controller", figures.eventCrashController)
        if let value = figures.cpuSecondsPerDeviceHour { object["cpu_s_per_device_hour"] = value }
        if let value = figures.idleCorePercent { object["idle_core_percent"] = value }
        if let value = figures.restartsIssued { object["restarts_issued"] = value }
        if let value = figures.restartsExpected { object["restarts_expected"] = value }
        if let value = figures.healthyRestarted { object["healthy_restarted"] = value }
        if let value = figures.reconcileRuns { object["reconcile_runs"] = value }
        if let value = figures.allRemoved { object["all_removed_s"] = value }
        if let value = figures.engineAllRunning { object["engine_all_running_s"] = value }
        if let value = figures.engineAllRemoved { object["engine_all_removed_s"] = value }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
