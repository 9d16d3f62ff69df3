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
            In reverse name order, each with its stop timeout (SIGTERM, then SIGKILL). A running \
            controller starts its recorders again: stop it first (with SILVASONIC_SHUTDOWN_POLICY=detach \
            it leaves them running), or use this after it has gone.

            Examples:
              silvasonic-controller down
              SILVASONIC_CONTROLLER_OWNER=controller silvasonic-controller down --timeout 30
            """
    )

    @Option(help: "Seconds each container gets to stop before it is killed.")
    var timeout = 10

    func run() async throws {
        let settings: ControllerSettings
        do { settings = try ControllerSettings(environment: ProcessInfo.processInfo.environment) } catch {
            throw ConfigurationProblem(description: "\(error)")
        }
        let podman = PodmanClient(configuration: settings.podman)
        let owned: [ContainerSummary]
        do {
            owned = try await podman.list(labels: ["io.silvasonic.owner": settings.station.owner, "io.silvasonic.tier": "2"],
                                          statuses: ["running"])
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
            } catch {
                failures += 1
                FileHandle.standardOutput.write(Data("FAILED: \(error)\n".utf8))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
