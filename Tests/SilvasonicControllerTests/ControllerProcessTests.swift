import Foundation
import ControllerCore
import HardwareFixtures
import SilvasonicHardware
import SilvasonicIO
import SilvasonicPodman
import SilvasonicPostgres
import SilvasonicRedis
import Supervision
import TestSupport
import Testing

/// The real `silvasonic-controller run` process against the real PostgreSQL, Redis and Podman,
/// with a fixture hardware tree: each test has its own database, network, owner label and
/// workspace, so runs never see each other's containers. Serialized: container names come from
/// the hardware (the contract's), and one Podman holds one container of a name.
@Suite("The controller process, end to end", .serialized, .timeLimit(.minutes(3)))
struct ControllerProcessTests {
    struct Stage {
        let database: ScratchDatabase
        let podman: PodmanClient
        let network: String
        let owner: String
        let fixture: HardwareFixture
        let workspace: String
        var podmanServer: [String: String]? = nil

        var environment: [String: String] {
            [
                "SILVASONIC_DB_HOST": database.configuration.host,
                "SILVASONIC_DB_PORT": String(database.configuration.port),
                "POSTGRES_DB": database.configuration.database,
                "SILVASONIC_NETWORK": network,
                "SILVASONIC_CONTROLLER_OWNER": owner,
                "SILVASONIC_RECORDER_IMAGE": (try? TestServices.require("SILVASONIC_SIM_RECORDER_IMAGE")) ?? "",
                "SILVASONIC_RECORDER_OOM_SCORE_ADJ": "0",
                "SILVASONIC_RECORDER_SOUND_DEVICE": "/dev/null",
                "SILVASONIC_WORKSPACE_PATH": workspace,
                "SILVASONIC_PROCFS_ROOT": fixture.roots.procfs,
                "SILVASONIC_SYSFS_ROOT": fixture.roots.sysfs,
                "SILVASONIC_SCAN_INTERVAL_S": "0.2",
                "SILVASONIC_RECONCILE_INTERVAL_S": "0.5",
                "SILVASONIC_DEVICE_OFFLINE_GRACE_PERIOD_S": "1",
                "SILVASONIC_PROFILES_DIR": ScratchServer.repositoryRoot + "/profiles",
                "SILVASONIC_DEFAULTS_FILE": ScratchServer.repositoryRoot + "/deploy/config/defaults.yml",
                "SILVASONIC_OVERRIDES_FILE": workspace + "/overrides.yml",
                // A port of the system's choosing: never one another program may hold (9100 is
                // node_exporter's); a test that talks HTTP reads it from the "HTTP listening" line.
                "SILVASONIC_CONTROLLER_PORT": "0",
            ].merging(podmanServer.map { ["SILVASONIC_CONTAINER_SOCKET": $0["SILVASONIC_CONTAINER_SOCKET"] ?? ""] } ?? [:]) { $1 }
        }

        /// - Parameter podmanServer: a Podman service of the test's own (its settings), instead of
        ///   the test run's; the controller started on the stage is pointed at it too.
        static func make(databaseServer: PostgresConfiguration? = nil, podmanServer: [String: String]? = nil) async throws -> Stage {
            _ = try TestServices.require("SILVASONIC_SIM_RECORDER_IMAGE")
            let database: ScratchDatabase
            if let databaseServer { database = try await ScratchDatabase.create(on: databaseServer) } else {
                database = try await ScratchDatabase.create()
            }
            try await database.client.query("""
                CREATE TABLE IF NOT EXISTS microphone_profiles (slug TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT,
                    match_pattern TEXT, config JSONB NOT NULL DEFAULT '{}', is_system BOOLEAN NOT NULL DEFAULT false)
                """)
            try await database.client.query("""
                INSERT INTO microphone_profiles (slug, name, config) VALUES ('ultramic_384_evo', 'UltraMic 384 EVO',
                '{"audio": {"sample_rate": 384000, "match": {"usb_vendor_id": "0869", "usb_product_id": "0389", "alsa_name_contains": "ultramic"}},
                  "processing": {"gain_db": 12.0, "chunk_size": 8192, "highpass_filter_hz": 1000.0},
                  "stream": {"live_stream_enabled": true, "segment_duration_s": 1}}')
                """)
            let podman = PodmanClient(configuration: PodmanConfiguration(environment: podmanServer ?? TestServices.environment))
            let network = TestServices.uniqueName("silvasonic-net")
            try await podman.createNetwork(network)
            let workspace = FileManager.default.temporaryDirectory.appendingPathComponent(TestServices.uniqueName("ws")).path
            try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
            // No BirdNET image here: the override file turns the seeded worker off.
            try Data("managed_services:\n  birdnet: false\n".utf8).write(to: URL(fileURLWithPath: workspace + "/overrides.yml"))
            return Stage(database: database, podman: podman, network: network, owner: TestServices.uniqueName("owner"),
                         fixture: try HardwareFixture(), workspace: workspace, podmanServer: podmanServer)
        }

        func plugUltramic() throws {
            try fixture.writeCardsFile([AsoundCard(index: 2, id: "UltraMic384K", driver: "USB-Audio", name: "UltraMic 384K")])
            try fixture.addUSBCard(index: 2, busPath: "1-3.2", vendorID: Array("0869".utf8), productID: Array("0389".utf8),
                                   serial: Array("ABC034F".utf8))
        }

        func unplugUltramic() throws {
            try fixture.removeUSBCard(index: 2, busPath: "1-3.2")
            try fixture.writeCardsFile([])
        }

        /// Starts `silvasonic-controller run` with the stage's settings and `overrides`.
        func start(_ overrides: [String: String] = [:]) throws -> RunningProcess {
            try RunningProcess(ScratchServer.repositoryRoot + "/.build/debug/silvasonic-controller", ["run"],
                               environment: environment.merging(overrides) { $1 })
        }

        func tearDown() async throws {
            for container in try await podman.list(labels: ["io.silvasonic.owner": owner], statuses: []) {
                try await podman.remove(container.id, force: true)
            }
            try await podman.removeNetwork(network)
            try? FileManager.default.removeItem(atPath: workspace)
            try await database.drop()
        }
    }

    /// A stage with the UltraMic plugged, and its owner's event stream, subscribed.
    static func plugged(databaseServer: PostgresConfiguration? = nil) async throws
        -> (Stage, AsyncStream<ContainerEventFollow>.Iterator) {
        let stage = try await Stage.make(databaseServer: databaseServer)
        var events = stage.podman.followEvents(labels: ["io.silvasonic.owner": stage.owner]).makeAsyncIterator()
        #expect(await events.next() == .subscribed)
        try stage.plugUltramic()
        return (stage, events)
    }

    /// Reads events until one with `action` (of container `id`, when given) arrives.
    static func next(_ action: ContainerEvent.Action, of id: String? = nil,
                     in events: inout AsyncStream<ContainerEventFollow>.Iterator) async -> ContainerEvent? {
        while let event = await events.next() {
            if case .element(let container) = event, container.action == action, id == nil || container.containerID == id {
                return container
            }
        }
        return nil
    }

    /// Reads 7 reconnect announcements (`retry.in=...`) from the controller's output and expects
    /// each wait within the 1 s cap: down that long, the old schedule (250 ms doubling to 30 s)
    /// would wait 2, 4, 8 s. The cap has ±20 % jitter, never above it: several waits are at it.
    /// Reads lines until `subject back` is said: about the outage, only `subject interrupted`
    /// before it (said once, each reconnect attempt at debug), and its end counts about one
    /// attempt a second of an outage of over 8 s (reconnects capped at a second).
    static func expectOutageSaidOnce(_ subject: String, in output: inout AsyncStream<String>.Iterator) async {
        var said: [String] = []
        while let line = await output.next() {
            if line.contains(subject) { said.append(line) }
            if line.contains("\(subject) back") { break }
        }
        #expect(said.count == 2 && said.first?.contains("\(subject) interrupted") == true, "\(said)")
        let attempts = said.last.flatMap { last in
            last.range(of: "attempts=").flatMap { Int(last[$0.upperBound...].prefix { $0.isNumber }) }
        } ?? 0
        #expect(attempts >= 6, "reconnects capped at a second: \(attempts) attempts in an outage of over 8 s")
    }

    /// Reads lines until one contains `text`; returns it.
    static func line(containing text: String, in lines: inout AsyncStream<String>.Iterator) async -> String? {
        while let line = await lines.next() {
            if line.contains(text) { return line }
        }
        return nil
    }

    @Test("Plug → a recorder with the contract's name, labels, env and mount; kill -9 → it keeps running and is adopted; unplug → stopped after the grace")
    func plugAdoptUnplug() async throws {
        var (stage, events) = try await Self.plugged()

        let first = try stage.start()
        let container = try #require(await Self.next(.start, in: &events))
        #expect(container.name == "silvasonic-recorder-ultramic-384-evo-034f")
        #expect(container.labels["io.silvasonic.device_id"] == "0869-0389-ABC034F")
        #expect(container.labels["io.silvasonic.profile"] == "ultramic_384_evo")
        #expect(container.labels["io.silvasonic.tier"] == "2")
        let inspection = try await stage.podman.inspect(container.containerID)
        #expect(inspection.running)
        #expect(inspection.host.binds.contains { $0.hasPrefix(stage.workspace + "/recorder/ultramic-384-evo-034f:/app/workspace") })
        #expect(FileManager.default.fileExists(atPath: stage.workspace + "/recorder/ultramic-384-evo-034f"))

        // kill -9: the recorder must not notice.
        first.send(SIGKILL)
        #expect(await first.waitForExit() == 128 + SIGKILL)
        #expect(try await stage.podman.inspect(container.containerID).running)

        let redis = RedisClient(configuration: try RedisConfiguration(environment: TestServices.environment))
        var logs = redis.subscribe(to: ["silvasonic:logs"]).makeAsyncIterator()
        #expect(await logs.next() == .subscribed)
        let second = try stage.start()
        var output = second.lines.makeAsyncIterator()
        let adopted = await Self.line(containing: "recorder adopted", in: &output)
        #expect(adopted?.contains(container.containerID) == true, "the same container, untouched")

        // The adopted recorder goes on recording, and its log lines reach silvasonic:logs.
        var forwarded: JSONValue?
        while let event = await logs.next() {
            guard case .element(let message) = event,
                  let json = try? JSONDecoder().decode(JSONValue.self, from: Data(message.payload)),
                  json["container_name"] == .string(container.name) else { continue }
            forwarded = json
            if json["message"] == .string("segment written") { break }
        }
        #expect(forwarded?["service"] == .string("recorder"))
        #expect(forwarded?["instance_id"] == .string("0869-0389-ABC034F"))
        #expect(forwarded?["level"] == .string("info"))

        // Unplug: after the grace period the device is offline and its recorder stopped.
        try stage.unplugUltramic()
        #expect(await Self.next(.remove, of: container.containerID, in: &events) != nil)
        let status = try await stage.database.client.query("SELECT status FROM devices").first?.decode("status", as: String.self)
        #expect(status == "offline")

        second.send(SIGTERM)
        #expect(await second.waitForExit() == 0)
        try await stage.tearDown()
    }

    @Test("SIGTERM stops the owned recorders (stop-tier2); detach leaves them running")
    func shutdownPolicies() async throws {
        var (stage, events) = try await Self.plugged()

        let detached = try stage.start(["SILVASONIC_SHUTDOWN_POLICY": "detach"])
        let containerID = try #require(await Self.next(.start, in: &events)).containerID
        detached.send(SIGTERM)
        #expect(await detached.waitForExit() == 0)
        #expect(try await stage.podman.inspect(containerID).running, "detach leaves the recorder running")

        let stopping = try stage.start()
        var output = stopping.lines.makeAsyncIterator()
        _ = await Self.line(containing: "recorder adopted", in: &output)
        stopping.send(SIGTERM)
        #expect(await stopping.waitForExit() == 0)
        #expect(try await stage.podman.inspect(containerID).running == false, "stop-tier2 stops it")
        try await stage.tearDown()
    }

    @Test("A recorder that keeps crashing backs off, is crash-looping past the limit and retried at the cap, and records again by itself once the fault is gone")
    func crashLoopRecovers() async throws {
        var (stage, events) = try await Self.plugged()
        let controller = try stage.start([
            "SILVASONIC_RECORDER_MAX_RESTARTS": "2", "SILVASONIC_RECORDER_BACKOFF_INITIAL_S": "0.2",
            "SILVASONIC_RECORDER_BACKOFF_MAX_S": "2", "SILVASONIC_RECORDER_BACKOFF_RESET_S": "4",
        ])
        var output = controller.lines.makeAsyncIterator()
        let containerID = try #require(await Self.next(.start, in: &events)).containerID
        // The recorder crashes at its next segment from now on.
        let crashFile = stage.workspace + "/recorder/ultramic-384-evo-034f/CRASH"
        #expect(FileManager.default.createFile(atPath: crashFile, contents: Data()))
        #expect(await Self.line(containing: "recorder crash-looping", in: &output) != nil)
        // Never given up: it is tried again at the cap, and crashes again, while the fault lasts.
        var retries = 0
        while retries < 2, let line = await Self.line(containing: "recorder down", in: &output) {
            if line.contains("2.0 seconds") { retries += 1 }
        }
        #expect(retries == 2)
        // The fault clears: the next retry runs, and after a stable run it has recovered.
        try FileManager.default.removeItem(atPath: crashFile)
        #expect(await Self.line(containing: "recorder recovered", in: &output) != nil)
        #expect(try await stage.podman.inspect(containerID).running)
        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        try await stage.tearDown()
    }

    @Test("A recorder ended by `podman kill` records again at once, without waiting a backoff")
    func killedRecorderRestartsAtOnce() async throws {
        var (stage, events) = try await Self.plugged()
        // A backoff, if one were waited, would outlast the test's time limit.
        let controller = try stage.start(["SILVASONIC_RECORDER_BACKOFF_INITIAL_S": "600"])
        var output = controller.lines.makeAsyncIterator()
        let containerID = try #require(await Self.next(.start, in: &events)).containerID
        #expect(await Self.line(containing: "recorder running", in: &output) != nil)
        try await stage.podman.kill(containerID)
        #expect(await Self.line(containing: "restarting at once", in: &output) != nil)
        #expect(await Self.next(.start, of: containerID, in: &events) != nil)
        #expect(try await stage.podman.inspect(containerID).running)
        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        try await stage.tearDown()
    }

    @Test("A row value the contract does not know leaves the running recorder untouched, said once with column and value; fixed, the device is acted on again")
    func unknownRowValueFailsStatic() async throws {
        var (stage, events) = try await Self.plugged()
        // Only nudges and hardware changes reconcile.
        let controller = try stage.start(["SILVASONIC_RECONCILE_INTERVAL_S": "3600"])
        var output = controller.lines.makeAsyncIterator()
        let containerID = try #require(await Self.next(.start, in: &events)).containerID
        let redis = RedisClient(configuration: try RedisConfiguration(environment: TestServices.environment))

        try await stage.database.client.query("UPDATE devices SET enrollment_status = 'bogus'")
        try await redis.publish("reconcile", to: "silvasonic:nudge")
        let held = await Self.line(containing: "device left as it is", in: &output)
        #expect(held?.contains("enrollment_status") == true && held?.contains("bogus") == true)
        #expect(try await stage.podman.inspect(containerID).running, "data capture first: a bad row stops nothing")

        try await stage.database.client.query("UPDATE devices SET enrollment_status = 'enrolled'")
        try await redis.publish("reconcile", to: "silvasonic:nudge")
        #expect(await Self.line(containing: "device acted on again", in: &output) != nil)
        let inspection = try await stage.podman.inspect(containerID)
        #expect(inspection.running && inspection.restartCount == 0, "the same container, never stopped")
        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        try await stage.tearDown()
    }

    @Test("Two microphones with one USB serial both get rows, ids and recorders; after a controller restart each keeps its own")
    func duplicateSerials() async throws {
        let stage = try await Stage.make()
        var events = stage.podman.followEvents(labels: ["io.silvasonic.owner": stage.owner]).makeAsyncIterator()
        #expect(await events.next() == .subscribed)
        // The same model with the same (constant) serial, in two ports; the one at 1-4 came first.
        try stage.fixture.writeCardsFile([AsoundCard(index: 3, id: "UltraMic384K", driver: "USB-Audio", name: "UltraMic 384K")])
        try stage.fixture.addUSBCard(index: 3, busPath: "1-4", vendorID: Array("0869".utf8), productID: Array("0389".utf8),
                                     serial: Array("ABC034F".utf8))
        let first = try stage.start()
        let known = try #require(await Self.next(.start, in: &events))
        #expect(known.labels["io.silvasonic.device_id"] == "0869-0389-ABC034F")
        // Its sysfs first, then the cards file: a scan between the two sees it whole or not at all.
        try stage.fixture.addUSBCard(index: 2, busPath: "1-3.2", vendorID: Array("0869".utf8), productID: Array("0389".utf8),
                                     serial: Array("ABC034F".utf8))
        try stage.fixture.writeCardsFile([
            AsoundCard(index: 2, id: "UltraMic384K_1", driver: "USB-Audio", name: "UltraMic 384K"),
            AsoundCard(index: 3, id: "UltraMic384K", driver: "USB-Audio", name: "UltraMic 384K"),
        ])
        let newcomer = try #require(await Self.next(.start, in: &events))
        #expect(newcomer.labels["io.silvasonic.device_id"] == "0869-0389-ABC034F-port1-3.2", "the newcomer told apart by its port")
        #expect(newcomer.name != known.name)
        let rows = try await stage.database.client.query("SELECT name, serial_number FROM devices ORDER BY name")
        #expect(try rows.map { try $0.decode("serial_number", as: String.self) } == ["ABC034F", "ABC034F-port1-3.2"])

        // A controller killed and started again: the known one (at 1-4, though 1-3.2 sorts first)
        // keeps its id, so both recorders are adopted untouched.
        first.send(SIGKILL)
        #expect(await first.waitForExit() == 128 + SIGKILL)
        let second = try stage.start()
        var output = second.lines.makeAsyncIterator()
        var adopted: Set<String> = []
        while adopted.count < 2, let line = await Self.line(containing: "recorder adopted", in: &output) {
            for id in [known.containerID, newcomer.containerID] where line.contains(id) { adopted.insert(id) }
        }
        #expect(adopted == [known.containerID, newcomer.containerID])
        second.send(SIGTERM)
        #expect(await second.waitForExit() == 0)
        try await stage.tearDown()
    }

    @Test("Two microphones with one USB serial: the plain id's one unplugged past the grace, the controller restarted, plugged back — each port keeps its row, name, workspace and container")
    func duplicateSerialsReplug() async throws {
        let stage = try await Stage.make()
        var events = stage.podman.followEvents(labels: ["io.silvasonic.owner": stage.owner]).makeAsyncIterator()
        #expect(await events.next() == .subscribed)
        let card2 = AsoundCard(index: 2, id: "UltraMic384K", driver: "USB-Audio", name: "UltraMic 384K")
        let card3 = AsoundCard(index: 3, id: "UltraMic384K_1", driver: "USB-Audio", name: "UltraMic 384K")
        func plugHolder() throws {
            try stage.fixture.addUSBCard(index: 2, busPath: "1-3.2", vendorID: Array("0869".utf8), productID: Array("0389".utf8),
                                         serial: Array("ABC034F".utf8))
        }
        // 1-3.2 first (it holds the plain id), then the same model with the same serial at 1-4.
        try plugHolder()
        try stage.fixture.writeCardsFile([card2])
        let first = try stage.start()
        let holder = try #require(await Self.next(.start, in: &events))
        #expect(holder.labels["io.silvasonic.device_id"] == "0869-0389-ABC034F")
        try stage.fixture.addUSBCard(index: 3, busPath: "1-4", vendorID: Array("0869".utf8), productID: Array("0389".utf8),
                                     serial: Array("ABC034F".utf8))
        try stage.fixture.writeCardsFile([card2, card3])
        let other = try #require(await Self.next(.start, in: &events))
        #expect(other.labels["io.silvasonic.device_id"] == "0869-0389-ABC034F-port1-4")
        let rowsBefore = try await Self.rows(stage)
        #expect(rowsBefore.count == 2)

        // The holder unplugged past the grace (1 s): its recorder goes; the other's stays as it is.
        try stage.fixture.writeCardsFile([card3])
        try stage.fixture.removeUSBCard(index: 2, busPath: "1-3.2")
        let gone = try #require(await Self.next(.remove, in: &events))
        #expect(gone.containerID == holder.containerID, "only the unplugged microphone's recorder stops")
        // A controller restart between: the stored bus paths hold the ids.
        first.send(SIGKILL)
        #expect(await first.waitForExit() == 128 + SIGKILL)
        let second = try stage.start()
        var output = second.lines.makeAsyncIterator()
        let adopted = await Self.line(containing: "recorder adopted", in: &output)
        #expect(adopted?.contains(other.containerID) == true, "the microphone at 1-4 keeps its own recorder: \(adopted ?? "")")

        // Plugged back (a new card index): its own id, container name and workspace again.
        try plugHolder()
        try stage.fixture.writeCardsFile([card2, card3])
        var back: ContainerEvent?
        while let started = await Self.next(.start, in: &events) {
            #expect(started.containerID != other.containerID, "the recorder at 1-4 is never restarted")
            if started.containerID != other.containerID { back = started; break }
        }
        #expect(back?.labels["io.silvasonic.device_id"] == "0869-0389-ABC034F")
        #expect(back?.name == holder.name)
        #expect(try await stage.podman.inspect(other.containerID).running)
        #expect(try await Self.rows(stage) == rowsBefore, "the same two rows, names, bus paths and workspaces")
        second.send(SIGTERM)
        #expect(await second.waitForExit() == 0)
        try await stage.tearDown()
    }

    /// Each device row's name, serial, stored bus path and workspace.
    static func rows(_ stage: Stage) async throws -> [[String]] {
        try await stage.database.client.query("""
            SELECT name, serial_number, config->>'usb_bus_path' AS bus, workspace_name FROM devices ORDER BY name
            """).map { row in
            try ["name", "serial_number", "bus", "workspace_name"].map { try row.decode($0, as: String?.self) ?? "-" }
        }
    }

    @Test("BirdNET enabled on a fresh station with no microphone: the controller makes the directories it mounts and the worker runs")
    func workerOnAFreshStation() async throws {
        let stage = try await Stage.make()
        // The worker's image is not built here: the test image (a shell that waits for TERM)
        // stands in under BirdNET's name, in the test run's own Podman storage, untagged after.
        let podmanCLI = try TestServices.require("SILVASONIC_DEV_PODMAN")
        let birdnetImage = "localhost/silvasonic_birdnet:latest"
        let existing = try await Subprocess.run(podmanCLI, ["image", "exists", birdnetImage])
        if existing.status != 0 {
            let tagged = try await Subprocess.run(podmanCLI, ["tag", try TestServices.require("SILVASONIC_TEST_IMAGE"), birdnetImage])
            #expect(tagged.status == 0, "\(tagged.output)")
        }
        var events = stage.podman.followEvents(labels: ["io.silvasonic.owner": stage.owner]).makeAsyncIterator()
        #expect(await events.next() == .subscribed)
        #expect(!FileManager.default.fileExists(atPath: stage.workspace + "/recorder"), "no recorder has run on this station")
        let controller = try stage.start()
        var output = controller.lines.makeAsyncIterator()
        #expect(await Self.line(containing: "healthy:", in: &output) != nil, "nudges are subscribed")
        try await stage.database.client.query("UPDATE managed_services SET enabled = true WHERE name = 'birdnet'")
        let redis = RedisClient(configuration: try RedisConfiguration(environment: TestServices.environment))
        try await redis.publish("reconcile", to: "silvasonic:nudge")
        let worker = try #require(await Self.next(.start, in: &events))
        #expect(worker.labels["io.silvasonic.service"] == "birdnet")
        #expect(try await stage.podman.inspect(worker.containerID).running)
        #expect(FileManager.default.fileExists(atPath: stage.workspace + "/recorder"), "the read-only mount's source, made by the controller")
        #expect(FileManager.default.fileExists(atPath: stage.workspace + "/birdnet"))
        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        try await stage.tearDown()
        if existing.status != 0 { _ = try await Subprocess.run(podmanCLI, ["rmi", birdnetImage]) }
    }

    @Test("Disable and enable through the database and a nudge; an ignored microphone gets no recorder")
    func disableEnableIgnore() async throws {
        var (stage, events) = try await Self.plugged()
        // Only nudges and hardware changes reconcile.
        let controller = try stage.start(["SILVASONIC_RECONCILE_INTERVAL_S": "3600"])
        var output = controller.lines.makeAsyncIterator()
        #expect(await Self.next(.start, in: &events) != nil)
        let redis = RedisClient(configuration: try RedisConfiguration(environment: TestServices.environment))

        try await stage.database.client.query("UPDATE devices SET enabled = false")
        #expect(try await redis.publish("hello", to: "silvasonic:nudge") >= 1, "garbage is ignored")
        try await redis.publish("reconcile", to: "silvasonic:nudge")
        #expect(await Self.next(.remove, in: &events) != nil, "disabled: stopped and removed")
        let disabledStop = await Self.line(containing: "stopping the container", in: &output)
        #expect(disabledStop?.contains("disabled") == true, "with its reason: \(disabledStop ?? "none")")

        try await stage.database.client.query("UPDATE devices SET enabled = true")
        try await redis.publish("reconcile", to: "silvasonic:nudge")
        #expect(await Self.next(.start, in: &events) != nil, "enabled again: running")

        try await stage.database.client.query("UPDATE devices SET enrollment_status = 'ignored'")
        try await redis.publish("reconcile", to: "silvasonic:nudge")
        #expect(await Self.next(.remove, in: &events) != nil, "ignored: stopped")
        #expect(await Self.line(containing: "stopping the container", in: &output)?.contains("ignored") == true, "with its reason")
        // Replugging does not undo the user's choice: matching runs on first discovery only.
        try stage.unplugUltramic()
        try stage.plugUltramic()
        try await redis.publish("reconcile", to: "silvasonic:nudge")
        let status = try await stage.database.client.query("SELECT enrollment_status FROM devices").first?
            .decode("enrollment_status", as: String.self)
        #expect(status == "ignored")
        #expect(try await stage.podman.list(labels: ["io.silvasonic.owner": stage.owner], statuses: ["running"]).isEmpty)

        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        try await stage.tearDown()
    }

    @Test("PostgreSQL stopped for a while: no recorder stops; reconnects stay a second apart; back, the controller acts on the database again")
    func databaseOutage() async throws {
        let server = try await ScratchServer(.postgres)
        var (stage, events) = try await Self.plugged(databaseServer: PostgresConfiguration(environment: server.environment))
        let redis = RedisClient(configuration: try RedisConfiguration(environment: TestServices.environment))
        var heartbeats = redis.subscribe(to: ["silvasonic:status"]).makeAsyncIterator()
        #expect(await heartbeats.next() == .subscribed)
        let controller = try stage.start(["SILVASONIC_HEARTBEAT_INTERVAL_S": "0.5"])
        var output = controller.lines.makeAsyncIterator()
        let port = try await Self.httpPort(in: &output)
        let containerID = try #require(await Self.next(.start, in: &events)).containerID

        try await server.run("stop-server")
        #expect(await Self.line(containing: "desired state unreadable; every recorder keeps running", in: &output) != nil)
        // Down until its reconnects have failed 7 times (read from /metrics at each of the
        // controller's heartbeats): the old schedule (250 ms doubling to 30 s) would now wait
        // 16 s before the next attempt, the capped one at most a second.
        var failures = 0
        while failures < 7, let beat = await heartbeats.next() {
            guard case .element(let message) = beat,
                  (try? JSONDecoder().decode(JSONValue.self, from: Data(message.payload)))?["instance_id"] == "controller"
            else { continue }
            let metrics = try await HTTPExchange.send("GET", port: port, "/metrics").body
            let line = metrics.split(separator: "\n").first { $0.hasPrefix("silvasonic_backend_connect_failures_total") && $0.contains("postgres") }
            failures = line.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) } ?? failures
        }
        #expect(failures >= 7)
        #expect(try await stage.podman.inspect(containerID).running, "the outage stopped nothing")
        try await server.run("start-server")
        let returned = ContinuousClock.now
        // Back: a change in the database is acted on again, before the old schedule's next
        // attempt (16 s) could have come.
        let db = PostgresClient(configuration: stage.database.configuration)
        try await db.query("UPDATE devices SET enabled = false")
        #expect(await Self.next(.remove, of: containerID, in: &events) != nil)
        #expect(returned.duration(to: .now) < .seconds(16), "acted on within the old schedule's wait")
        // Said once when it began (above), and once when it ended, with how long it lasted.
        let back = await Self.line(containing: "desired state readable again", in: &output)
        #expect(back?.contains("failed.reads=") == true && back?.contains("after=") == true)
        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        try await stage.tearDown()
        try await server.stop()
    }

    @Test("Podman's API stopped for a while: no recorder stops, reconnects come within a second; back, a change is acted on")
    func podmanOutage() async throws {
        let server = try await ScratchServer(.podman)
        // The recorder image in that Podman's own storage.
        let image = "localhost/silvasonic_recorder:outage"
        let built = try await Subprocess.run(ScratchServer.repositoryRoot + "/deploy/dev/build-recorder-image.sh", [server.directory, image])
        #expect(built.status == 0, "\(built.output)")
        let stage = try await Stage.make(podmanServer: server.environment)
        var events = stage.podman.followEvents(labels: ["io.silvasonic.owner": stage.owner]).makeAsyncIterator()
        #expect(await events.next() == .subscribed)
        try stage.plugUltramic()
        let controller = try stage.start(["SILVASONIC_RECORDER_IMAGE": image])
        var output = controller.lines.makeAsyncIterator()
        let containerID = try #require(await Self.next(.start, in: &events)).containerID

        try await server.run("stop-service")
        try await Task.sleep(for: .seconds(8))   // kept down for a while: the outage's length is what is tested
        try await server.run("start-service")
        await Self.expectOutageSaidOnce("Podman's event stream", in: &output)
        #expect(try await stage.podman.inspect(containerID).running, "the outage stopped nothing")
        // Back: a change in the database is acted on through the engine again.
        var back = stage.podman.followEvents(labels: ["io.silvasonic.owner": stage.owner]).makeAsyncIterator()
        #expect(await back.next() == .subscribed)
        try await stage.database.client.query("UPDATE devices SET enabled = false")
        #expect(await Self.next(.remove, of: containerID, in: &back) != nil)
        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        try await stage.tearDown()
        try await server.stop()
    }

    @Test("Redis stopped for a while: no recorder stops; when it returns, nudges reach the controller again")
    func redisOutage() async throws {
        let server = try await ScratchServer(.redis)
        let redisURL = try #require(server.environment["SILVASONIC_REDIS_URL"])
        var (stage, events) = try await Self.plugged()
        // Only nudges and hardware changes reconcile.
        let controller = try stage.start(["SILVASONIC_REDIS_URL": redisURL, "SILVASONIC_RECONCILE_INTERVAL_S": "3600",
                                          "SILVASONIC_TIER2_REDIS_URL": server.environment["SILVASONIC_TIER2_REDIS_URL"] ?? ""])
        var output = controller.lines.makeAsyncIterator()
        let containerID = try #require(await Self.next(.start, in: &events)).containerID

        try await server.run("stop-server")
        // Kept down for a while (the outage's length is what the test is about): said once when
        // it starts and once when it ends, each attempt at debug only; its reconnects capped at
        // a second, so about one attempt a second of the outage.
        try await Task.sleep(for: .seconds(8))
        #expect(try await stage.podman.inspect(containerID).running, "the outage stopped nothing")
        try await server.run("start-server")
        await Self.expectOutageSaidOnce("nudge channel", in: &output)

        try await stage.database.client.query("UPDATE devices SET enabled = false")
        try await RedisClient(configuration: RedisConfiguration(url: redisURL)).publish("reconcile", to: "silvasonic:nudge")
        #expect(await Self.next(.remove, of: containerID, in: &events) != nil)
        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        try await stage.tearDown()
        try await server.stop()
    }

    @Test("A microphone that returns within the grace keeps its recorder, untouched")
    func replugWithinGrace() async throws {
        var (stage, events) = try await Self.plugged()
        let redis = RedisClient(configuration: try RedisConfiguration(environment: TestServices.environment))
        var logs = redis.subscribe(to: ["silvasonic:logs"]).makeAsyncIterator()
        #expect(await logs.next() == .subscribed)
        let controller = try stage.start(["SILVASONIC_DEVICE_OFFLINE_GRACE_PERIOD_S": "2"])
        var output = controller.lines.makeAsyncIterator()
        let containerID = try #require(await Self.next(.start, in: &events)).containerID

        try stage.unplugUltramic()
        #expect(await Self.line(containing: "microphone gone", in: &output) != nil)
        try stage.plugUltramic()
        #expect(await Self.line(containing: "microphone back within the grace period", in: &output) != nil)
        // Four one-second segments later the grace is long over: nothing was stopped.
        var segments = 0
        while segments < 4, let event = await logs.next() {
            guard case .element(let message) = event,
                  let json = try? JSONDecoder().decode(JSONValue.self, from: Data(message.payload)) else { continue }
            if json["container_name"] == .string("silvasonic-recorder-ultramic-384-evo-034f"),
               json["message"] == .string("segment written") { segments += 1 }
        }
        #expect(segments == 4)
        #expect(try await stage.podman.inspect(containerID).running)
        let status = try await stage.database.client.query("SELECT status FROM devices").first?.decode("status", as: String.self)
        #expect(status == "online")
        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        // Every event of the run: one create and one start, no stop in between.
        try await stage.tearDown()
    }

    @Test("A recorder made by another client as the Python controller makes it (name, labels, hash) is adopted untouched")
    func adoptsPythonShapedRecorder() async throws {
        var (stage, events) = try await Self.plugged()
        let (settings, problems) = StationSettings.from(environment: TestServices.environment.merging(stage.environment) { $1 })
        #expect(problems.isEmpty)
        var profile = RecorderProfileConfig(sampleRate: 384_000)
        profile.match = .init(usbVendorID: "0869", usbProductID: "0389", alsaNameContains: "ultramic")
        profile.gainDB = 12
        profile.chunkSize = 8192
        profile.highpassFilterHz = 1000
        profile.liveStreamEnabled = true
        profile.segmentDurationSeconds = 1
        let workspace = ContainerNames.workspaceName(profileSlug: "ultramic_384_evo", serial: "ABC034F", busPath: "1-3.2", cardIndex: 2)
        let spec = StationSpecs.recorder(device: .init(id: "0869-0389-ABC034F", workspaceName: workspace, alsaDevice: "hw:2,0"),
                                         profileSlug: "ultramic_384_evo", profile: profile, settings: settings)
        // What podman-py sends to libpod for `containers.run(...)`, by an independent client.
        let source = stage.workspace + "/recorder/" + workspace
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        let body: JSONValue = .object([
            "name": .string(spec.name), "image": .string(spec.image),
            "env": .object(spec.environment.mapValues(JSONValue.string)),
            "labels": .object(spec.labels.mapValues(JSONValue.string)),
            "mounts": .array([.object(["type": .string("bind"), "source": .string(source),
                                       "destination": .string("/app/workspace"), "options": .array([.string("rw")])])]),
            "devices": .array([.object(["path": .string("/dev/null:/dev/null")])]),
            "groups": .array([.string("audio")]), "privileged": .bool(true),
            "restart_policy": .string("on-failure"), "restart_tries": .int(5),
            "netns": .object(["nsmode": .string("bridge")]), "networks": .object([stage.network: .object([:])]),
            "resource_limits": .object(["memory": .object(["limit": .int(536_870_912)]),
                                        "cpu": .object(["quota": .int(100_000), "period": .int(100_000)])]),
        ])
        let socket = try TestServices.require("SILVASONIC_CONTAINER_SOCKET")
        let bodyText = String(decoding: try JSONEncoder().encode(body), as: UTF8.self)
        let created = try await Subprocess.run("/usr/bin/curl", ["-sS", "--fail-with-body", "--unix-socket", socket,
                                                                 "-H", "Content-Type: application/json", "-d", bodyText,
                                                                 "http://d/v4.0.0/libpod/containers/create"])
        let id = try #require(try JSONDecoder().decode(JSONValue.self, from: Data(created.output.utf8))["Id"]?.stringValue,
                              "create answered \(created.output)")
        _ = try await Subprocess.run("/usr/bin/curl", ["-sS", "--fail-with-body", "--unix-socket", socket, "-X", "POST",
                                                       "http://d/v4.0.0/libpod/containers/\(id)/start"])
        #expect(await Self.next(.start, of: id, in: &events) != nil)

        let controller = try stage.start()
        var output = controller.lines.makeAsyncIterator()
        let adopted = await Self.line(containing: "recorder adopted", in: &output)
        #expect(adopted?.contains(id) == true, "the container of the other client, untouched")
        #expect(try await stage.podman.inspect(id).running)
        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        try await stage.tearDown()
    }

    @Test("A recorder that writes segments but does not beat is left running (degraded); one that neither writes nor beats is replaced; a fresh one is left alone")
    func lostHeartbeatRestarts() async throws {
        var (stage, events) = try await Self.plugged()
        let redis = RedisClient(configuration: try RedisConfiguration(environment: TestServices.environment))
        var beats = redis.subscribe(to: ["silvasonic:status"]).makeAsyncIterator()
        #expect(await beats.next() == .subscribed)
        let controller = try stage.start(["SILVASONIC_RECORDER_HEARTBEAT_INTERVAL_S": "0.3",
                                          "SILVASONIC_RECORDER_STARTUP_GRACE_S": "2",
                                          "SILVASONIC_RECORDER_BACKOFF_INITIAL_S": "0.2"])
        var output = controller.lines.makeAsyncIterator()
        let first = try #require(await Self.next(.start, in: &events)).containerID
        // It beats (at the controller's pace, passed on to it), over the contract's channel.
        #expect(await Self.beats(3, of: "0869-0389-ABC034F", in: &beats))

        // No heartbeat, but a segment every second: recording, so left running.
        let workspace = stage.workspace + "/recorder/ultramic-384-evo-034f"
        #expect(FileManager.default.createFile(atPath: workspace + "/HANG", contents: Data()))
        let degraded = await Self.line(containing: "writes segments but does not heartbeat", in: &output)
        #expect(degraded?.contains(first) == true)
        #expect(try await stage.podman.inspect(first).running)
        // It stops writing too: wedged for good, replaced once the workspace has shown no progress
        // for three segment durations.
        #expect(FileManager.default.createFile(atPath: workspace + "/STALL", contents: Data()))
        let lost = await Self.line(containing: "recorder heartbeat lost", in: &output)
        #expect(lost?.contains(first) == true)
        #expect(lost?.contains("no progress") == true)
        #expect(await Self.next(.remove, of: first, in: &events) != nil)
        try FileManager.default.removeItem(atPath: workspace + "/HANG")
        try FileManager.default.removeItem(atPath: workspace + "/STALL")
        let second = try #require(await Self.next(.start, in: &events)).containerID
        #expect(second != first)
        // The new recorder beats again, well past its start-up grace, and is left alone.
        #expect(await Self.beats(15, of: "0869-0389-ABC034F", in: &beats))
        #expect(try await stage.podman.inspect(second).running)
        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        let rest = await Self.collect(&output)
        #expect(!rest.contains { $0.contains("recorder heartbeat lost") })
        try await stage.tearDown()
    }

    /// Reads `silvasonic:status` until `count` heartbeats of `device` arrived.
    static func beats(_ count: Int, of device: String,
                      in beats: inout AsyncStream<RedisSubscriptionEvent>.Iterator) async -> Bool {
        var seen = 0
        while seen < count, let event = await beats.next() {
            guard case .element(let message) = event,
                  let json = try? JSONDecoder().decode(JSONValue.self, from: Data(message.payload)),
                  json["instance_id"] == .string(device) else { continue }
            seen += 1
        }
        return seen == count
    }

    @Test("A hostile serial and a broken profile: a clear message, the other recorders untouched, fixed → recorded")
    func hostileSerialAndBrokenProfile() async throws {
        var (stage, events) = try await Self.plugged()
        try await stage.database.client.query("""
            INSERT INTO microphone_profiles (slug, name, config) VALUES ('broken_mic', 'Broken', '{"audio": {"sample_rate": "fast"}}')
            """)
        let controller = try stage.start()
        var output = controller.lines.makeAsyncIterator()
        let good = try #require(await Self.next(.start, in: &events)).containerID

        // A second microphone whose serial tries a path and a shell; its sysfs first, then its
        // line in the cards file, so the scan sees it whole at once.
        try stage.fixture.addUSBCard(index: 3, busPath: "1-4", vendorID: Array("1234".utf8), productID: Array("5678".utf8),
                                     serial: Array("../../etc/passwd;$(reboot)\u{7}".utf8) + [0xFF, 0xFE])
        try stage.fixture.writeCardsFile([
            AsoundCard(index: 2, id: "UltraMic384K", driver: "USB-Audio", name: "UltraMic 384K"),
            AsoundCard(index: 3, id: "Odd", driver: "USB-Audio", name: "Odd Mic"),
        ])
        // The broken profile is named (file-less: the database's row) and left out of matching.
        let skipped = await Self.line(containing: "profile skipped", in: &output)
        #expect(skipped?.contains("profile broken_mic: audio.sample_rate: required, an integer above 0") == true)
        // Only the safe characters of the serial are kept; no profile matches, so the seeded
        // generic_usb fallback records it, in a container and workspace of sane names.
        let odd = "1234-5678-....etcpasswdreboot"
        let seen = await Self.line(containing: "device.id=\(odd) ", in: &output)
        try #require(seen?.contains("new microphone") == true, "first said: \(seen ?? "nothing")")
        #expect(seen?.contains("profile=generic_usb") == true)
        let generic = try #require(await Self.next(.start, in: &events))
        #expect(generic.labels["io.silvasonic.device_id"] == odd)
        #expect(generic.name == "silvasonic-recorder-generic-usb-boot")
        let binds = try await stage.podman.inspect(generic.containerID).host.binds
        #expect(binds.allSatisfy { $0.hasPrefix(stage.workspace + "/recorder/generic-usb-boot:") })

        // The user assigns the broken profile: said once, and both recorders run on.
        try await stage.database.client.query("UPDATE devices SET profile_slug = 'broken_mic' WHERE name = $1", [.text(odd)])
        let redis = RedisClient(configuration: try RedisConfiguration(environment: TestServices.environment))
        try await redis.publish("reconcile", to: "silvasonic:nudge")
        let left = await Self.line(containing: "device left as it is", in: &output)
        #expect(left?.contains("profile broken_mic: audio.sample_rate") == true)
        #expect(try await stage.podman.inspect(good).running)
        #expect(try await stage.podman.inspect(generic.containerID).running)

        // Fixed: the odd microphone's recorder is replaced by one of its new profile.
        try await stage.database.client.query(
            #"UPDATE microphone_profiles SET config = '{"audio": {"sample_rate": 48000}}' WHERE slug = 'broken_mic'"#)
        try await redis.publish("reconcile", to: "silvasonic:nudge")
        #expect(await Self.next(.remove, of: generic.containerID, in: &events) != nil, "the old one stopped first")
        let started = try #require(await Self.next(.start, in: &events))
        #expect(started.labels["io.silvasonic.device_id"] == odd)
        #expect(started.name == "silvasonic-recorder-broken-mic-boot")
        #expect(try await stage.podman.inspect(good).running)
        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        try await stage.tearDown()
    }

    /// The lines a process still prints until it ends.
    static func collect(_ lines: inout AsyncStream<String>.Iterator) async -> [String] {
        var all: [String] = []
        while let line = await lines.next() { all.append(line) }
        return all
    }
}
