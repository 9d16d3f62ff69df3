import Prometheus
import SilvasonicController
import Testing

@Suite("/metrics: every counter present from the start, each metric with its help text")
struct MetricsExpositionTests {
    @Test("Declared at start: the build info and every counter of known labels at 0, each with a # HELP line")
    func declaredWithHelp() {
        let registry = PrometheusCollectorRegistry()
        ControllerMetrics(factory: PrometheusMetricsFactory(registry: registry)).declare()
        let text = ControllerMetrics.withHelp(String(decoding: registry.emitToBuffer(), as: UTF8.self))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains(#"silvasonic_build_info{version="\#(ControllerVersion.current)"} 1.0"#)
                || lines.contains(#"silvasonic_build_info{version="\#(ControllerVersion.current)"} 1"#))
        #expect(lines.contains(#"silvasonic_nudges_total{kind="ignored"} 0"#))
        #expect(lines.contains(#"silvasonic_containers_total{service="recorder",event="died"} 0"#))
        #expect(lines.contains(#"silvasonic_reconcile_runs_total{result="database_unreadable"} 0"#))
        #expect(lines.contains(#"silvasonic_stream_interruptions_total{stream="podman_events"} 0"#))
        // Each metric's TYPE line comes right after its HELP line, and every one has help.
        let types = lines.indices.filter { lines[$0].hasPrefix("# TYPE ") }
        #expect(types.count >= 10)
        for index in types {
            let name = lines[index].split(separator: " ")[2]
            #expect(index > 0 && lines[index - 1].hasPrefix("# HELP \(name) "), "no help before \(lines[index])")
        }
    }

    @Test("Help is added once per metric, never twice, and the rest of the text is kept byte for byte")
    func helpOnce() {
        let exposition = "# TYPE silvasonic_nudges_total counter\nsilvasonic_nudges_total{kind=\"reconcile\"} 3\n"
            + "# HELP other_total Someone's own.\n# TYPE other_total counter\nother_total 1\n# TYPE unknown gauge\nunknown 2\n"
        let text = ControllerMetrics.withHelp(exposition)
        #expect(text == "# HELP silvasonic_nudges_total \(ControllerMetrics.help["silvasonic_nudges_total"]!)\n" + exposition)
        #expect(ControllerMetrics.withHelp(text) == text)
        #expect(ControllerMetrics.withHelp("") == "")
    }
}
