import Foundation
import SilvasonicController
import SilvasonicIO
import SilvasonicPodman
import TestSupport
import Testing

extension ControllerProcessTests {
    static var binary: String { ScratchServer.repositoryRoot + "/.build/debug/silvasonic-controller" }

    /// Runs the CLI to its end with the stage's settings; its exit status and output.
    static func cli(_ arguments: [String], _ environment: [String: String]) async throws -> (status: Int32, output: String) {
        let process = try RunningProcess(binary, arguments, environment: environment)
        var lines = process.lines.makeAsyncIterator()
        let output = await collect(&lines).joined(separator: "\n")
        return (await process.waitForExit(), output)
    }

    @Test("CLI: --help, -h and help [subcommand] print the help and exit 0 for the root and every subcommand; a mistaken command line gets the usage and 64")
    func help() async throws {
        let subcommands = ["run", "check", "status", "ctl", "healthcheck", "down", "scan", "simulate"]
        for arguments in [["--help"], ["-h"], ["help"]] + subcommands.flatMap({ [[$0, "--help"], [$0, "-h"], ["help", $0]] }) {
            let help = try await Self.cli(arguments, [:])
            #expect(help.status == 0, "\(arguments): \(help.output)")
            #expect(help.output.contains("USAGE:"), "\(arguments)")
            #expect(!help.output.contains("CommandError"), "\(arguments)")
        }
        // `check` on an empty machine: one line per problem, the path and the system's reason once.
        let empty = try await Self.cli(["check", "--timeout", "1"], ["SILVASONIC_PROFILES_DIR": "/nonexistent/profiles",
                                                                     "SILVASONIC_DEFAULTS_FILE": "/nonexistent/defaults.yml"])
        #expect(empty.output.contains("PROBLEM profiles: /nonexistent/profiles: the directory cannot be read (No such file or directory)"))
        #expect(empty.output.contains("PROBLEM defaults: /nonexistent/defaults.yml: cannot be read (No such file or directory)"))
        #expect(!empty.output.contains("not a mapping"), "a file not read is said once")
        #expect(!empty.output.contains("profiles profiles") && !empty.output.contains("could not be completed"))
        let version = try await Self.cli(["--version"], [:])
        #expect(version.status == 0 && version.output == ControllerVersion.current)
        let mistake = try await Self.cli(["no-such-command"], [:])
        #expect(mistake.status == 64 && mistake.output.contains("Usage: silvasonic-controller"))
    }

    @Test("CLI: check says ready or names each problem with its fix; status renders the tree; down stops the recorders")
    func commandLine() async throws {
        var (stage, events) = try await Self.plugged()
        var environment = stage.environment
        environment["SILVASONIC_NETWORK"] = stage.network
        let ready = try await Self.cli(["check", "--timeout", "5"], environment)
        #expect(ready.status == 0, "\(ready.output)")
        #expect(ready.output.hasSuffix("ready"))
        #expect(ready.output.contains("ok      profiles: 8 valid"))
        #expect(ready.output.contains("ok      hardware: 1 USB audio device(s)"))
        #expect(ready.output.contains("ok      workspace: "))
        #expect(ready.output.contains("ok      image: "))

        // What breaks a station at its first recording, and what is only worth knowing.
        var unfit = environment
        unfit["SILVASONIC_RECORDER_IMAGE"] = "localhost/silvasonic-no-such-image:latest"
        unfit["SILVASONIC_WORKSPACE_PATH"] = "/proc/silvasonic-not-writable"
        unfit["SILVASONIC_PROCFS_ROOT"] = "/nonexistent"
        let unfitCheck = try await Self.cli(["check", "--timeout", "5"], unfit)
        #expect(unfitCheck.status == 1)
        #expect(unfitCheck.output.contains(
            "PROBLEM image: localhost/silvasonic-no-such-image:latest is not in Podman's storage; build or pull it"))
        #expect(unfitCheck.output.contains("PROBLEM workspace: /proc/silvasonic-not-writable/recorder:"))
        #expect(unfitCheck.output.contains("warning hardware: /nonexistent/asound/cards cannot be read"))
        #expect(unfitCheck.output.hasSuffix("2 problem(s)"), "a warning is no problem")
        let blind = try await Self.cli(["scan"], unfit)
        #expect(blind.status == 1)
        #expect(blind.output.contains("cannot read /nonexistent/asound/cards"))
        let seen = try await Self.cli(["scan"], environment)
        #expect(seen.status == 0, "\(seen.output)")

        var broken = environment
        broken["SILVASONIC_DB_PORT"] = "1"
        broken["SILVASONIC_NETWORK"] = "no-such-network"
        broken["SILVASONIC_RECONCILE_INTERVAL_S"] = "soon"
        let problems = try await Self.cli(["check", "--timeout", "5"], broken)
        #expect(problems.status == 1)
        #expect(problems.output.contains("PROBLEM settings: SILVASONIC_RECONCILE_INTERVAL_S: \"soon\" is not a positive number of seconds"))
        #expect(problems.output.contains("PROBLEM database:"))
        #expect(problems.output.contains("check SILVASONIC_DB_HOST, SILVASONIC_DB_PORT and POSTGRES_*"))
        #expect(problems.output.contains("PROBLEM network: no-such-network does not exist; create it"))
        #expect(problems.output.hasSuffix("3 problem(s)"))

        // Failures at run time are one line and exit 1, or 78 for settings it cannot use; never
        // the usage banner (64), which is for mistakes in the command line.
        var badRedis = environment
        badRedis["SILVASONIC_REDIS_URL"] = "ftp://nowhere"
        let unusable = try await Self.cli(["run"], badRedis)
        #expect(unusable.status == 78, "\(unusable.output)")
        #expect(unusable.output.contains("error: Redis invalidURL"))
        #expect(!unusable.output.contains("Usage:"))
        var noPodman = environment
        noPodman["SILVASONIC_CONTAINER_SOCKET"] = "/nonexistent/podman.sock"
        let podmanAway = try await Self.cli(["down"], noPodman)
        #expect(podmanAway.status == 1, "\(podmanAway.output)")
        #expect(podmanAway.output.contains("Podman unreachable"))
        #expect(!podmanAway.output.contains("Usage:"))
        let mistaken = try await Self.cli(["ctl", "reboot", "x"], environment)
        #expect(mistaken.status == 64, "a mistake in the command line keeps ArgumentParser's usage")

        let controller = try stage.start(["SILVASONIC_CONTROLLER_PORT": "0", "SILVASONIC_SHUTDOWN_POLICY": "detach"])
        var output = controller.lines.makeAsyncIterator()
        let port = try await Self.httpPort(in: &output)
        let containerID = try #require(await Self.next(.start, in: &events)).containerID
        _ = await Self.line(containing: "recorder running", in: &output)
        let tree = try await Self.cli(["status", "--url", "http://127.0.0.1:\(port)"], environment)
        #expect(tree.status == 0)
        #expect(tree.output.hasPrefix("controller  running  health"))
        #expect(tree.output.contains("├─ devices  one_for_one  running"))
        #expect(tree.output.contains("│  └─ 0869-0389-ABC034F  recorder  rest_for_one  running  restarts 0  container \(containerID.prefix(12))"))
        #expect(tree.output.contains("│     ├─ container  running  restarts 0"))
        #expect(tree.output.contains("│     └─ logs  running  restarts 0"))
        let json = try await Self.cli(["status", "--json", "--url", "http://127.0.0.1:\(port)"], environment)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(json.output.utf8))["id"] == "controller")
        let nobody = try await Self.cli(["status", "--url", "http://127.0.0.1:1"], environment)
        #expect(nobody.status == 1)
        #expect(nobody.output.contains("no controller answers at http://127.0.0.1:1"))
        // The operator API from the command line: reads are open without a token, control verbs off.
        let name = "silvasonic-recorder-ultramic-384-evo-034f", api = "http://127.0.0.1:\(port)"
        let one = try await Self.cli(["ctl", "status", name, "--url", api], environment)
        #expect(one.status == 0, "\(one.output)")
        #expect(one.output.contains("container_id: \(containerID)"))
        #expect(one.output.contains("running: true"))
        let logs = try await Self.cli(["ctl", "logs", name, "--tail", "5", "--url", api], environment)
        #expect(logs.status == 0, "\(logs.output)")
        let refused = try await Self.cli(["ctl", "restart", name, "--url", api], environment)
        #expect(refused.status == 4)
        #expect(refused.output.contains("control verbs are off"))
        let missing = try await Self.cli(["ctl", "status", "silvasonic-recorder-nobody", "--url", api], environment)
        #expect(missing.status == 3, "\(missing.output)")
        let away = try await Self.cli(["ctl", "stop", name, "--url", "http://127.0.0.1:1"], environment)
        #expect(away.status == 1)
        #expect(away.output.contains("no controller answers at http://127.0.0.1:1"))
        // `down` does not fight a running controller; without a token it cannot ask it to stand down.
        let fight = try await Self.cli(["down", "--url", api], environment)
        #expect(fight.status == 1, "\(fight.output)")
        #expect(fight.output.contains("down --force"))
        let noToken = try await Self.cli(["down", "--force", "--url", api], environment)
        #expect(noToken.status == 4, "\(noToken.output)")
        #expect(noToken.output.contains("control verbs are off"))
        #expect(try await stage.podman.inspect(containerID).running, "nothing stopped")
        let wholeStation = try await Self.cli(["ctl", "resume", name, "--url", api], environment)
        #expect(wholeStation.status == 64, "resume takes no NAME")
        // The health check the compose file and the Containerfile run.
        let healthy = try await Self.cli(["healthcheck", "--url", "http://127.0.0.1:\(port)"], environment)
        #expect(healthy.status == 0, "\(healthy.output)")
        let unreachable = try await Self.cli(["healthcheck", "--url", "http://127.0.0.1:1"], environment)
        #expect(unreachable.status == 1)
        #expect(unreachable.output.contains("not live: no controller answers at http://127.0.0.1:1"))

        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        #expect(try await stage.podman.inspect(containerID).running, "detached")
        let down = try await Self.cli(["down", "--timeout", "5"], environment)
        #expect(down.status == 0)
        #expect(down.output.contains("[1/1] stopping silvasonic-recorder-ultramic-384-evo-034f … stopped"))
        #expect(try await stage.podman.inspect(containerID).running == false)
        try await stage.tearDown()
    }
}
