import Foundation

/// The figures of a run as a table for people or JSON for the report.
public enum SimulationReport {
    public static func table(_ figures: SimulationRun.Figures) -> String {
        var rows: [(String, String)] = [
            ("devices", "\(figures.devices)"),
            ("scenario", figures.scenario),
            ("plug → start latency p50 / p99 / max", String(format: "%.3f / %.3f / %.3f ms", figures.latencyP50,
                                                            figures.latencyP99, figures.latencyMax)),
            ("plug → all running", String(format: "%.3f s", figures.allRunning)),
            ("RSS, whole process", String(format: "%.1f MB (%.2f KB per device)", figures.rssMB, figures.rssPerDeviceKB)),
        ]
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

    public static func json(_ figures: SimulationRun.Figures) -> String {
        var object: [String: Any] = [
            "devices": figures.devices, "scenario": figures.scenario, "latency_p50_ms": figures.latencyP50,
            "latency_p99_ms": figures.latencyP99, "latency_max_ms": figures.latencyMax, "all_running_s": figures.allRunning,
            "rss_mb": figures.rssMB, "rss_per_device_kb": figures.rssPerDeviceKB, "notes": figures.notes,
        ]
        if let value = figures.cpuSecondsPerDeviceHour { object["cpu_s_per_device_hour"] = value }
        if let value = figures.idleCorePercent { object["idle_core_percent"] = value }
        if let value = figures.restartsIssued { object["restarts_issued"] = value }
        if let value = figures.restartsExpected { object["restarts_expected"] = value }
        if let value = figures.healthyRestarted { object["healthy_restarted"] = value }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
