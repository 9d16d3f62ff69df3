import Foundation
import SilvasonicController
import SilvasonicHardware
import SilvasonicIO
import SilvasonicPodman
import SilvasonicRedis
import TestSupport
import Testing

/// One HTTP exchange with curl, over the real socket.
struct HTTPExchange {
    var status: Int
    var headers: [String: String]
    var body: String
    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) }

    static func send(_ method: String, port: Int, _ path: String, token: String? = nil) async throws -> HTTPExchange {
        // curl waits for a body after `-X HEAD`; `-I` is its HEAD.
        var arguments = (method == "HEAD" ? ["-s", "-I"] : ["-s", "-i", "-X", method])
            + ["-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        let output = try await Subprocess.run("/usr/bin/curl", arguments).output
        // By bytes: "\r\n" is one Character to Swift, and HTTP headers end with it.
        var lines = output.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0, as: UTF8.self) }
        let status = Int(lines.removeLast()) ?? 0
        var headers: [String: String] = [:]
        var index = 0
        while index < lines.count, !lines[index].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let line = lines[index].trimmingCharacters(in: .whitespacesAndNewlines)
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            index += 1
        }
        return HTTPExchange(status: status, headers: headers, body: lines.dropFirst(index + 1).joined(separator: "\n"))
    }
}

extension ControllerProcessTests {
    /// Reads the controller's output until it says where HTTP listens.
    static func httpPort(in output: inout AsyncStream<String>.Iterator) async throws -> Int {
        let line = try #require(await line(containing: "HTTP listening", in: &output))
        let port = line.split(separator: " ").first { $0.hasPrefix("port=") }.flatMap { Int($0.dropFirst(5)) }
        return try #require(port)
    }

    static func keys(_ value: JSONValue?) -> Set<String> {
        if case .object(let members)? = value { Set(members.keys) } else { [] }
    }

    static func items(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { items } else { [] }
    }

    @Test("HTTP over a real socket: health, metrics, status, the operator API with every status code, and the heartbeat")
    func httpSurface() async throws {
        var (stage, events) = try await Self.plugged()
        let token = "t0ken-\(UInt32.random(in: 0...UInt32.max))"
        let redis = RedisClient(configuration: try RedisConfiguration(environment: TestServices.environment))
        var lifecycle = redis.subscribe(to: ["silvasonic:events"]).makeAsyncIterator()
        #expect(await lifecycle.next() == .subscribed)
        let controller = try stage.start(["SILVASONIC_CONTROLLER_PORT": "0", "SILVASONIC_CONTROLLER_API_TOKEN": token,
                                          "SILVASONIC_HEARTBEAT_INTERVAL_S": "0.5"])
        var output = controller.lines.makeAsyncIterator()
        let port = try await Self.httpPort(in: &output)
        let first = try #require(await Self.next(.start, in: &events)).containerID
        _ = await Self.line(containing: "recorder running", in: &output)
        let name = "silvasonic-recorder-ultramic-384-evo-034f"
        // Lifecycle events on silvasonic:events: the microphone appeared, its recorder started.
        // (and a reconcile something asked for: the subscription's or the new device's; it is
        // announced when it is done, so before or after the start).
        var seen: [String] = []
        var reconcile: JSONValue?
        while !seen.contains("container_started") || reconcile == nil, let event = await lifecycle.next() {
            guard case .element(let message) = event,
                  let json = try? JSONDecoder().decode(JSONValue.self, from: Data(message.payload)) else { continue }
            if json["device_id"] == "0869-0389-ABC034F", let kind = json["event"]?.stringValue { seen.append(kind) }
            if json["event"] == "reconcile" { reconcile = json }
        }
        #expect(seen.first == "device_appeared")
        #expect(seen.contains("container_created"))
        #expect(reconcile?["read_database"] == .bool(true))
        func send(_ method: String, _ path: String, token: String? = token) async throws -> HTTPExchange {
            try await HTTPExchange.send(method, port: port, path, token: token)
        }

        // Health, metrics and status are open.
        let healthy = try await send("GET", "/healthy", token: nil)
        #expect(healthy.status == 200)
        #expect(healthy.json?["live"] == .bool(true))
        #expect(Self.keys(healthy.json?["components"]) == ["database", "redis", "podman", "devices", "reconciler"])
        let metrics = try await send("GET", "/metrics", token: nil)
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        #expect(metrics.body.contains(#"silvasonic_containers_total{service="recorder",event="started"} 1"#)
                || metrics.body.contains(#"silvasonic_containers_total{event="started",service="recorder"} 1"#))
        #expect(metrics.body.contains("silvasonic_reconcile_runs_total"))
        #expect(metrics.body.contains("# HELP silvasonic_containers_total "))
        #expect(metrics.body.contains(#"silvasonic_build_info{version="\#(ControllerVersion.current)"}"#))
        #expect(metrics.body.contains(#"silvasonic_restarts_total{service="recorder",device="0869-0389-ABC034F"} 0"#)
                || metrics.body.contains(#"silvasonic_restarts_total{device="0869-0389-ABC034F",service="recorder"} 0"#))
        let status = try await send("GET", "/status", token: nil)
        #expect(status.status == 200)
        let children = Self.items(status.json?["children"])
        #expect(children.compactMap { $0["id"]?.stringValue } == ["devices", "workers", "reconciler", "events", "nudges", "scanner", "ticker", "heartbeat", "publisher", "summary", "http"])
        let devices = Self.items(children.first { $0["id"] == "devices" }?["children"])
        #expect(devices.count == 1)
        #expect(devices.first?["id"] == "0869-0389-ABC034F")
        #expect(devices.first?["state"] == "running")
        #expect(devices.first?["container_id"] == .string(first))
        #expect(devices.first?["strategy"] == "rest_for_one")
        #expect(devices.first?["model"] == "UltraMic 384K")
        #expect(devices.first?["profile"] == "ultramic_384_evo")
        #expect(Self.items(devices.first?["children"]).compactMap { $0["id"]?.stringValue } == ["container", "heartbeat", "logs"])

        // The operator API wants the token.
        #expect(try await send("GET", "/containers", token: nil).status == 401)
        #expect(try await send("GET", "/containers", token: "wrong").status == 401)
        #expect(try await send("POST", "/container/\(name)/stop", token: nil).status == 401)
        let containers = try await send("GET", "/containers")
        #expect(containers.status == 200)
        let listed = Self.items(containers.json)
        #expect(listed.first { $0["name"] == .string(name) }?["state"] == "running")
        let one = try await send("GET", "/container/\(name)/status")
        #expect(one.status == 200)
        #expect(one.json?["running"] == .bool(true))
        #expect(one.json?["actor"]?["state"] == "running")

        // Unknown, foreign, wrong method, bad input, already so.
        #expect(try await send("GET", "/container/nope/status").status == 404)
        let foreign = try await stage.podman.create(ContainerSpec(name: TestServices.uniqueName("foreign"),
                                                                  image: try TestServices.require("SILVASONIC_TEST_IMAGE"),
                                                                  labels: ["io.silvasonic.owner": "someone-else"]))
        let foreignName = try await stage.podman.inspect(foreign).name
        #expect(try await send("GET", "/container/\(foreignName)/status").status == 404)
        #expect(try await send("POST", "/container/\(foreignName)/stop").status == 404)
        try await stage.podman.remove(foreign, force: true)
        let wrongMethod = try await send("PUT", "/container/\(name)/start")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"] == "POST")
        #expect(try await send("DELETE", "/healthy", token: nil).status == 405)
        // One error shape for every refusal; HEAD as GET without the body; OPTIONS, TRACE refused.
        let unauthorized = try await send("GET", "/containers", token: nil)
        #expect(unauthorized.status == 401)
        #expect(unauthorized.json?["status"] == .int(401))
        #expect(unauthorized.json?["error"]?.stringValue?.contains("bearer token") == true, "\(unauthorized.body)")
        #expect(unauthorized.headers["www-authenticate"] == "Bearer")
        let unknown = try await send("GET", "/no/such/path", token: nil)
        #expect(unknown.status == 404)
        #expect(unknown.json?["status"] == .int(404), "\(unknown.body)")
        let head = try await send("HEAD", "/healthy", token: nil)
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        let options = try await send("OPTIONS", "/status", token: nil)
        #expect(options.status == 405)
        #expect(options.headers["allow"] == "GET")
        #expect(try await send("TRACE", "/healthy", token: nil).status == 405)
        // The audit: each refusal and each operator request, with method, path, status and peer.
        let refusal = try #require(await Self.line(containing: "/no/such/path", in: &output))
        #expect(refusal.contains("refused request") && refusal.contains("404") && refusal.contains("127.0.0.1:"), "\(refusal)")
        let audited = try #require(await Self.line(containing: "TRACE", in: &output))
        #expect(audited.contains("405"), "\(audited)")
        #expect(try await send("POST", "/container/\(name)/start").status == 409)
        #expect(try await send("GET", "/container/\(name)/logs?tail=abc").status == 400)
        let logs = try await send("GET", "/container/\(name)/logs?tail=2")
        #expect(logs.status == 200)
        #expect((1...2).contains(Self.items(logs.json).count), "logs: \(logs.body)")

        // Restart: a supervised restart, a new container.
        #expect(try await send("POST", "/container/\(name)/restart").status == 200)
        #expect(await Self.next(.remove, of: first, in: &events) != nil)
        let second = try #require(await Self.next(.start, in: &events)).containerID
        #expect(second != first)
        _ = await Self.line(containing: "recorder running", in: &output)
        // Stop and start: declarative, through the database and a nudge.
        #expect(try await send("POST", "/container/\(name)/stop").status == 200)
        #expect(await Self.next(.remove, of: second, in: &events) != nil)
        #expect(try await stage.database.client.query("SELECT enabled FROM devices").first?.decode("enabled", as: Bool.self) == false)
        #expect(try await send("POST", "/container/\(name)/stop").status == 409)
        #expect(try await send("GET", "/container/\(name)/status").json?["state"] == "absent")
        // A database that answers with an error: 500 with its cause.
        try await stage.database.client.query("""
            CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql
            """)
        try await stage.database.client.query("CREATE TRIGGER refuse BEFORE UPDATE ON devices FOR EACH ROW EXECUTE FUNCTION refuse()")
        let failed = try await send("POST", "/container/\(name)/start")
        #expect(failed.status == 500)
        #expect(failed.json?["error"]?.stringValue?.hasPrefix("database:") == true)
        #expect(failed.body.contains("refused by the test"))
        try await stage.database.client.query("DROP TRIGGER refuse ON devices")
        #expect(try await send("POST", "/container/\(name)/start").status == 200)
        let third = try #require(await Self.next(.start, in: &events)).containerID

        // Standing down: `down` refuses while the controller runs; `down --force` asks it to stand
        // down (it stops its recorder and starts none); `ctl resume` brings the recorder back.
        var cli = stage.environment
        cli["SILVASONIC_NETWORK"] = stage.network
        let api = "http://127.0.0.1:\(port)"
        let refusedDown = try await Self.cli(["down", "--url", api], cli)
        #expect(refusedDown.status == 1, "\(refusedDown.output)")
        #expect(refusedDown.output.contains("a controller is running at \(api)"))
        #expect(try await stage.podman.inspect(third).running, "refused: nothing stopped")
        let forced = try await Self.cli(["down", "--force", "--url", api, "--token", token, "--timeout", "5"], cli)
        #expect(forced.status == 0, "\(forced.output)")
        #expect(forced.output.contains("stood down"))
        #expect(await Self.next(.remove, of: third, in: &events) != nil)
        let stood = try await send("GET", "/status", token: nil)
        #expect(stood.json?["stood_down"] == .bool(true))
        let stoodDevice = Self.items(Self.items(stood.json?["children"]).first { $0["id"] == "devices" }?["children"]).first
        #expect(stoodDevice?["state"] == "stood_down")
        #expect(stoodDevice?["last_stop"] == "stood down by an operator")
        var stopLine: String?
        while stopLine == nil, let line = await Self.line(containing: "stopping the container", in: &output) {
            if line.contains("stood down by an operator") { stopLine = line }
        }
        #expect(stopLine != nil, "the stop is logged with its reason")
        let resumed = try await Self.cli(["ctl", "resume", "--url", api, "--token", token], cli)
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(await Self.next(.start, in: &events) != nil)
        #expect(try await send("GET", "/status", token: nil).json?["stood_down"] == .bool(false))

        // The controller's heartbeat, in the contract's JSON.
        let beat = try #require(try await redis.get("silvasonic:status:controller"))
        let heartbeat = try JSONDecoder().decode(JSONValue.self, from: Data(beat.utf8))
        #expect(heartbeat["service"] == "controller")
        #expect(heartbeat["instance_id"] == "controller")
        #expect(heartbeat["health"]?["live"] == .bool(true))
        #expect(heartbeat["meta"]?["resources"]?["num_threads"]?.intValue ?? 0 > 0)
        #expect(heartbeat["meta"]?["host_resources"]?["cpu_count"]?.intValue ?? 0 > 0)
        let ttl = try await redis.timeToLive("silvasonic:status:controller")
        #expect((1...30).contains(ttl))

        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        try await stage.tearDown()
    }

    @Test("Started with two microphones plugged: /healthy is ok by the time both recorders run, and its turn to ok is said once")
    func healthyAtFirstSuccess() async throws {
        let stage = try await Stage.make()
        var events = stage.podman.followEvents(labels: ["io.silvasonic.owner": stage.owner]).makeAsyncIterator()
        #expect(await events.next() == .subscribed)
        try stage.plugUltramic()
        try stage.fixture.addUSBCard(index: 3, busPath: "1-4", vendorID: Array("0869".utf8), productID: Array("0389".utf8),
                                     serial: Array("XYZ0001".utf8))
        try stage.fixture.writeCardsFile([
            AsoundCard(index: 2, id: "UltraMic384K", driver: "USB-Audio", name: "UltraMic 384K"),
            AsoundCard(index: 3, id: "UltraMic384K_1", driver: "USB-Audio", name: "UltraMic 384K"),
        ])
        // The periodic reconcile far away: the database's health must come from the first read
        // that succeeds (the scan's), not from a tick.
        let controller = try stage.start(["SILVASONIC_RECONCILE_INTERVAL_S": "30"])
        var said: [String] = []
        var port: Int?
        var output = controller.lines.makeAsyncIterator()
        while port == nil, let line = await output.next() {
            if line.contains("healthy") { said.append(line) }
            if line.contains("HTTP listening") {
                port = line.split(separator: " ").first { $0.hasPrefix("port=") }.flatMap { Int($0.dropFirst(5)) }
            }
        }
        _ = try #require(await Self.next(.start, in: &events))
        _ = try #require(await Self.next(.start, in: &events))
        let health = try await HTTPExchange.send("GET", port: try #require(port), "/healthy")
        #expect(health.json?["status"] == "ok", "\(health.body)")
        #expect(health.json?["components"]?["database"]?["details"] == "desired state read")
        controller.send(SIGTERM)
        while let line = await output.next() { if line.contains("healthy") { said.append(line) } }
        #expect(await controller.waitForExit() == 0)
        #expect(said.count == 1 && said.first?.contains("healthy: the database read") == true, "\(said)")
        try await stage.tearDown()
    }

    @Test("Without a token the control verbs are off and say so; Podman unreachable answers 503 with its cause, and health says why")
    func httpWithoutTokenOrPodman() async throws {
        let stage = try await Stage.make()
        let controller = try stage.start(["SILVASONIC_CONTROLLER_PORT": "0", "SILVASONIC_CONTAINER_SOCKET": stage.workspace + "/no.sock",
                                          "SILVASONIC_CONTROLLER_HTTP_HEADER_TIMEOUT_S": "0.5"])
        var output = controller.lines.makeAsyncIterator()
        // The HTTP server is the root's last child: Podman's events may be said to be down first.
        var listening: String?, interrupted = false
        while listening == nil || !interrupted, let line = await output.next() {
            if line.contains("HTTP listening") { listening = line }
            if line.contains("Podman's event stream interrupted") { interrupted = true }
        }
        let port = try #require(listening?.split(separator: " ").first { $0.hasPrefix("port=") }.flatMap { Int($0.dropFirst(5)) })
        let forbidden = try await HTTPExchange.send("POST", port: port, "/container/silvasonic-recorder-x/stop")
        #expect(forbidden.status == 403)
        #expect(forbidden.body.contains("control verbs are off"))
        let containers = try await HTTPExchange.send("GET", port: port, "/containers")
        #expect(containers.status == 503)
        #expect(containers.json?["error"]?.stringValue?.hasPrefix("podman:") == true)
        // Live (the tree makes progress), but not ok: Podman's events are not followed.
        var health = try await HTTPExchange.send("GET", port: port, "/healthy")
        while health.json?["components"]?["reconciler"]?["details"]?.stringValue == "no reconcile completed yet" {
            _ = await Self.line(containing: "reconcil", in: &output)
            health = try await HTTPExchange.send("GET", port: port, "/healthy")
        }
        #expect(health.status == 200)
        #expect(health.json?["status"] == "error")
        #expect(health.json?["components"]?["podman"]?["healthy"] == .bool(false))
        // A client that never finishes its request head is cut off at the header timeout (0.5 s
        // here): its read ends with the server's close before its own 20 s limit, which the idle
        // timeout (30 s) could not beat.
        let trickle = try await Subprocess.run("/usr/bin/python3", ["-c", """
            import socket
            s = socket.create_connection(("127.0.0.1", \(port)))
            s.sendall(b"GET /healthy HTTP/1.1\\r\\nHost: x\\r\\n")
            s.settimeout(20)
            try:
                print("closed" if s.recv(100) == b"" else "answered")
            except socket.timeout:
                print("still open")
            """]).output
        #expect(trickle.hasPrefix("closed"), "\(trickle)")
        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        try await stage.tearDown()
    }
}
