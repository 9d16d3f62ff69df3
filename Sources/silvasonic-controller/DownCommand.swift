import ArgumentParser
import Foundation
import SilvasonicController
import SilvasonicPodman

/// `silvasonic-controller down`: stop every owned Tier 2 container gracefully.
struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop every Tier 2 container of this controller's owner gracefully, with progress.",
        discussion: """
            In reverse name order, each with its stop timeout (SIGTERM, then SIGKILL). While a \
            controller answers at --url, down refuses (exit 1): that controller would start each \
            recorder again within a second and count each stop as a crash. Stop it first, or give \
            --force, which asks it to stand down (POST /stand-down, with the API token: it stops \
            its recorders and workers and starts none until `ctl resume` or its own restart) and \
            then stops what still runs.

            Examples:
              silvasonic-controller down
              SILVASONIC_CONTROLLER_OWNER=controller silvasonic-controller down --timeout 30
              SILVASONIC_CONTROLLER_API_TOKEN=... silvasonic-controller down --force
            """
    )

    @Option(help: "Seconds each container gets to stop before it is killed.")
    var timeout = 10

    @Flag(help: "With a controller running: ask it to stand down (it stops its recorders and starts none until `ctl resume` or its restart) instead of refusing.")
    var force = false

    @Option(help: "Where a running controller would answer.")
    var url = "http://127.0.0.1:\(ProcessInfo.processInfo.environment["SILVASONIC_CONTROLLER_PORT"] ?? "9100")"

    @Option(help: "The API token for --force (default: SILVASONIC_CONTROLLER_API_TOKEN).")
    var token = ProcessInfo.processInfo.environment["SILVASONIC_CONTROLLER_API_TOKEN"] ?? ""

    func run() async throws {
        let settings: ControllerSettings
        do { settings = try ControllerSettings(environment: ProcessInfo.processInfo.environment) } catch {
            throw ConfigurationProblem(description: "\(error)")
        }
        let stoodDown = try await standDownRunningController()
        let podman = PodmanClient(configuration: settings.podman)
        let labels = ["io.silvasonic.owner": settings.station.owner, "io.silvasonic.tier": "2"]
        var owned: [ContainerSummary]
        do {
            owned = try await podman.list(labels: labels, statuses: ["running"])
            // The controller that stood down stops its own: given their stop timeout to do it.
            let deadline = ContinuousClock.now + .seconds(15)
            while stoodDown, !owned.isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(500))
                owned = try await podman.list(labels: labels, statuses: ["running"])
            }
            if stoodDown { print("the controller stopped its containers; \(owned.count) still running") }
        } catch {
            FileHandle.standardError.write(Data("error: \(settings.podman): \(error); check SILVASONIC_CONTAINER_SOCKET\n".utf8))
            throw ExitCode(1)
        }
        if owned.isEmpty { print("no running Tier 2 container of owner \(settings.station.owner)") }
        var failures = 0
        for (index, container) in owned.sorted(by: { $0.name > $1.name }).enumerated() {
            // Unbuffered, so the line shows while the stop takes its time.
            FileHandle.standardOutput.write(Data("[\(index + 1)/\(owned.count)] stopping \(container.name) … ".utf8))
            let started = ContinuousClock.now
            do {
                try await podman.stop(container.id, timeoutSeconds: timeout)
                let tenths = Int((started.duration(to: .now) / .milliseconds(100)).rounded())
                FileHandle.standardOutput.write(Data("stopped (\(tenths / 10).\(tenths % 10) s)\n".utf8))
            } catch let error as PodmanError where error.code == .notFound {
                FileHandle.standardOutput.write(Data("gone already\n".utf8))
            } catch {
                failures += 1
                FileHandle.standardOutput.write(Data("FAILED: \(error)\n".utf8))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// Refuses while a controller answers at `url` (exit 1), unless `--force`: then asks it to
    /// stand down, and exits with `ctl`'s status when it refuses. `true` when one stood down.
    private func standDownRunningController() async throws -> Bool {
        let api = ControllerAPI(url: url, token: token.isEmpty ? nil : token)
        // Only a controller's health answer counts (another program may hold the port).
        guard let health = try? await api.attempt("GET", "/healthy", timeout: 3),
              health.body?["live"] != nil, health.body?["components"] != nil else { return false }
        guard force else {
            FileHandle.standardError.write(Data("""
                error: a controller is running at \(url): it would start each recorder again within a second and \
                count each stop as a crash. Stop it first (systemctl stop silvasonic-controller, or stop its \
                container), or ask it to stand down with `silvasonic-controller down --force`.

                """.utf8))
            throw ExitCode(1)
        }
        let answer = try await api.send("POST", "/stand-down", timeout: 60)
        guard (200..<300).contains(answer.status) else {
            FileHandle.standardError.write(Data("error: the controller at \(url) did not stand down: \(answer.message) (HTTP \(answer.status))\n".utf8))
            throw ExitCode(CtlCommand.exitCode(forStatus: answer.status))
        }
        print("the controller at \(url) stood down: it starts nothing until `silvasonic-controller ctl resume` or its restart")
        return true
    }
}
