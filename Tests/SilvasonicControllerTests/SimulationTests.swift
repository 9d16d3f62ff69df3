import Foundation
import Logging
import SilvasonicController
import SilvasonicPodman
import Simulation
import TestSupport
import Testing

/// The benchmark harness itself: each scenario measures what it promises, in memory and on the
/// real backends. Short timings (a reconcile every 100 ms, a grace of 200 ms), as the harness is
/// a measurement in real time.
@Suite("The simulation harness", .timeLimit(.minutes(3)))
struct SimulationTests {
    func options(_ scenario: SimulationOptions.Scenario, devices: Int = 20) -> SimulationOptions {
        var options = SimulationOptions(devices: devices, scenario: scenario)
        options.reconcileInterval = .milliseconds(100)
        options.offlineGrace = .milliseconds(200)
        options.backoffInitial = .milliseconds(20)
        options.steadySeconds = 0.3
        options.rounds = 2
        options.events = 20
        return options
    }

    @Test("Plug, steady, crash storm, flapping, nudge storm, outage, plug-unplug: every recorder runs, and the counts are the rules'")
    func scenarios() async throws {
        let plug = try await SimulationRun(options: options(.plug)).run()
        #expect(plug.plugLatency.count == 20)
        #expect(plug.plugEngineTime.p50 <= plug.plugLatency.p50)
        #expect(plug.rssMB > 1)

        let steady = try await SimulationRun(options: options(.steady)).run()
        #expect(steady.idleCorePercent != nil)

        let storm = try await SimulationRun(options: options(.crashStorm)).run()
        #expect(storm.restartsIssued == storm.restartsExpected)
        #expect(storm.restartsExpected == 4, "two rounds of two crashes (10% of 20)")
        #expect(storm.healthyRestarted == 0)

        let flapping = try await SimulationRun(options: options(.flapping)).run()
        #expect(flapping.healthyRestarted == 0, "back within the grace: nothing restarted")
        #expect(flapping.restartsIssued == flapping.restartsExpected)

        let nudges = try await SimulationRun(options: options(.nudgeStorm)).run()
        // A thousand requests at once: those made while a run is under way become one rerun.
        // (Exactly one run and one rerun with a gated store: ReconcilerCoalescingTests.)
        #expect((1...500).contains(try #require(nudges.reconcileRuns)))

        let outage = try await SimulationRun(options: options(.outage)).run()
        #expect(outage.healthyRestarted == 0)

        let unplug = try await SimulationRun(options: options(.plugUnplug)).run()
        #expect(try #require(unplug.allRemoved) >= 0.2, "not before the offline grace of 200 ms")
        #expect(try #require(unplug.engineAllRunning) > 0 && (unplug.engineAllRemoved ?? 0) > 0)
        #expect(outage.notes.contains { $0.contains("20 of 20 running") })
    }

    @Test("Events one at a time: every plug and crash measured, the engine's share apart from the controller's")
    func events() async throws {
        let figures = try await SimulationRun(options: options(.events)).run()
        let plug = try #require(figures.eventPlug), plugController = try #require(figures.eventPlugController)
        let crash = try #require(figures.eventCrash), crashController = try #require(figures.eventCrashController)
        #expect(plug.count == 20 && plugController.count == 20 && crash.count == 20 && crashController.count == 20)
        #expect(plugController.p50 <= plug.p50)
        #expect(crashController.p50 <= crash.p50)
        #expect(plug.p50 > 0)
    }
}

/// The harness on the real backends runs in the controller process's serialized suite: its
/// recorders' names come from the simulated serials (…-0000, …-0001), as those of
/// `simulate --backends real` run by `documentedCommandLines` do, and one Podman holds one
/// container of a name.
extension ControllerProcessTests {
    @Test("On the real PostgreSQL, Redis and Podman: two microphones, then two plugs and two crashes; Podman's share measured, nothing left behind")
    func realBackends() async throws {
        let image = try TestServices.require("SILVASONIC_SIM_RECORDER_IMAGE")
        let database = try await ScratchDatabase.create()
        let podman = PodmanClient(configuration: PodmanConfiguration(environment: TestServices.environment))
        let network = TestServices.uniqueName("silvasonic-net")
        try await podman.createNetwork(network)
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent(TestServices.uniqueName("ws")).path
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        try Data("managed_services:\n  birdnet: false\n".utf8).write(to: URL(fileURLWithPath: workspace + "/overrides.yml"))
        let owner = TestServices.uniqueName("owner")
        let settings = try ControllerSettings(environment: TestServices.environment.merging([
            "SILVASONIC_DB_HOST": database.configuration.host,
            "SILVASONIC_DB_PORT": String(database.configuration.port),
            "POSTGRES_DB": database.configuration.database,
            "SILVASONIC_NETWORK": network,
            "SILVASONIC_CONTROLLER_OWNER": owner,
            "SILVASONIC_RECORDER_IMAGE": image,
            "SILVASONIC_RECORDER_OOM_SCORE_ADJ": "0",
            "SILVASONIC_RECORDER_SOUND_DEVICE": "/dev/null",
            "SILVASONIC_WORKSPACE_PATH": workspace,
            "SILVASONIC_PROFILES_DIR": ScratchServer.repositoryRoot + "/profiles",
            "SILVASONIC_DEFAULTS_FILE": ScratchServer.repositoryRoot + "/deploy/config/defaults.yml",
            "SILVASONIC_OVERRIDES_FILE": workspace + "/overrides.yml",
        ]) { $1 })
        var options = SimulationTests().options(.events, devices: 2)
        options.events = 2
        let figures = try await SimulationRun(options: options, backends: { _ in
            RealSimulationBackends(settings: settings, logger: Logger(label: "test"))
        }).run()
        let plug = try #require(figures.eventPlug), plugController = try #require(figures.eventPlugController)
        #expect(plug.count == 2)
        #expect(plug.p50 - plugController.p50 > 1, "Podman's create and start take more than a millisecond")
        #expect(try #require(figures.eventCrash).count == 2)
        #expect(figures.backends.contains("Podman"))
        // Its recorders and rows are gone again.
        #expect(try await podman.list(labels: ["io.silvasonic.owner": owner], statuses: []).isEmpty)
        #expect(try await database.client.query("SELECT name FROM devices").count == 0)
        try await podman.removeNetwork(network)
        try await database.drop()
    }
}
