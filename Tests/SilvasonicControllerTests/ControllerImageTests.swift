import Foundation
import SilvasonicController
import SilvasonicPodman
import TestSupport
import Testing

@Suite("The controller image, built locally with podman import")
struct ControllerImageTests {
    @Test("deploy/build-controller-image.sh makes an image whose controller runs, finds its profiles and defaults, and checks")
    func image() async throws {
        let dir = try TestServices.require("SILVASONIC_DEV_DIR")
        let tag = "localhost/silvasonic_controller:" + TestServices.uniqueName("test")
        let build = try await Subprocess.run("/usr/bin/env", [
            "bash", ScratchServer.repositoryRoot + "/deploy/build-controller-image.sh", dir, tag,
            ScratchServer.repositoryRoot + "/.build/debug/silvasonic-controller",
        ])
        #expect(build.status == 0, "\(build.output)")
        let podman = PodmanClient(configuration: PodmanConfiguration(environment: TestServices.environment))

        func run(_ command: [String]) async throws -> (status: Int, output: [String]) {
            var spec = ContainerSpec(name: TestServices.uniqueName("controller-image"), image: tag)
            spec.command = command
            spec.environment = ["SILVASONIC_DB_PORT": "1", "SILVASONIC_CONTAINER_SOCKET": "/nonexistent.sock"]
            let id = try await podman.create(spec)
            try await podman.start(id)
            let status = try await podman.wait(id)
            let lines = try await podman.logLines(id).map(\.text)
            try await podman.remove(id, force: true)
            return (status, lines)
        }
        let version = try await run(["/usr/local/bin/silvasonic-controller", "--version"])
        #expect(version.status == 0)
        #expect(version.output == [ControllerVersion.current])
        // Its default command is `run`; `check` shows the files sit where the defaults look (WORKDIR /app).
        let check = try await run(["/usr/local/bin/silvasonic-controller", "check", "--timeout", "1"])
        #expect(check.status == 1, "no backends inside this container")
        #expect(check.output.contains("ok      profiles: 8 valid in profiles"))
        #expect(check.output.contains("ok      defaults: deploy/config/defaults.yml read"))
        #expect(check.output.contains { $0.hasPrefix("PROBLEM database:") })
        // The image's own health check needs no curl: with no controller running in it, not live.
        let health = try await run(["/usr/local/bin/silvasonic-controller", "healthcheck", "--timeout", "1"])
        #expect(health.status == 1)
        #expect(health.output.contains { $0.hasPrefix("not live: no controller answers at http://127.0.0.1:9100") })
        // The Containerfile's image (which needs a registry to build) is declared the same way:
        // the same command, working directory and files, and the health check run above.
        let inspected = try await Subprocess.run(try TestServices.require("SILVASONIC_DEV_PODMAN"), [
            "image", "inspect", "--format", "{{json .Config.Cmd}} {{.Config.WorkingDir}}", tag,
        ])
        #expect(inspected.output.trimmingCharacters(in: .whitespacesAndNewlines)
                == #"["/usr/local/bin/silvasonic-controller","run"] /app"#)
        let containerfile = try String(contentsOfFile: ScratchServer.repositoryRoot + "/deploy/Containerfile", encoding: .utf8)
        let runtime = containerfile.components(separatedBy: "\nFROM ").last ?? ""
        #expect(runtime.contains(#"CMD ["/usr/local/bin/silvasonic-controller", "run"]"#))
        #expect(runtime.contains("WORKDIR /app\n"))
        #expect(runtime.contains(#"CMD ["silvasonic-controller", "healthcheck"]"#))
        #expect(runtime.contains("/usr/local/bin/silvasonic-controller\n"))
        #expect(runtime.contains("COPY profiles/*.yml /app/profiles/"))
        #expect(runtime.contains("COPY deploy/config/defaults.yml /app/deploy/config/defaults.yml"))
        let removed = try await Subprocess.run(try TestServices.require("SILVASONIC_DEV_PODMAN"), ["rmi", tag])
        #expect(removed.status == 0)
    }
}
