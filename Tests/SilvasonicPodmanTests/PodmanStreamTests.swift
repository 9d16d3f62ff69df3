import SilvasonicIO
import SilvasonicPodman
import Supervision
import TestSupport
import Testing

@Suite("Podman's log and event streams, against the service of the test run")
struct PodmanStreamTests {
    private let quickBackoff = BackoffPolicy(initial: .milliseconds(50), maximum: .milliseconds(200))

    @Test("A finished container's log comes back as lines, stdout and stderr apart, with timestamps")
    func logLines() async throws {
        let spec = ContainerSpec(name: TestServices.uniqueName("silvasonic-log"), image: try testImage(),
                                 command: ["/bin/sh", "-c", "echo one; echo two >&2; echo '{\"event\": \"three\"}'"])
        try await withContainer(spec) { podman, id in
            #expect(try await testClient().wait(id) == 0)
            let lines = try await podman.logLines(id)
            // Each stream keeps its order; how the two interleave depends on how conmon read its pipes.
            #expect(lines.filter { $0.stream == .stdout }.map(\.text) == ["one", "{\"event\": \"three\"}"])
            #expect(lines.filter { $0.stream == .stderr }.map(\.text) == ["two"])
            #expect(lines.allSatisfy { $0.timestamp != nil })
            #expect(try await podman.logLines(id, tail: 1).map(\.text) == [lines.last?.text])
        }
    }

    @Test("A followed log goes on across a container restart without a duplicated or lost line")
    func followAcrossRestart() async throws {
        let workspace = TestServices.uniqueName("silvasonic-follow")
        let spec = ContainerSpec(name: workspace, image: try testImage(), command: ["/bin/sh", "-c",
            "for i in 1 2 3 4 5; do echo line $i; done; trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"])
        try await withContainer(spec) { podman, id in
            var events = podman.followLogs(id, since: LogTimestamp(seconds: 0, nanoseconds: 0), backoff: quickBackoff)
                .makeAsyncIterator()
            var texts: [String] = []
            while texts.count < 5, let event = await events.next() {
                if case .element(let line) = event { texts.append(line.text) }
            }
            try await podman.stop(id, timeoutSeconds: 5)
            try await podman.start(id)
            while texts.count < 10, let event = await events.next() {
                if case .element(let line) = event { texts.append(line.text) }
            }
            let expected = (1...5).map { "line \($0)" }
            #expect(texts == expected + expected, "each run logs five lines; each must arrive exactly once")
        }
    }

    @Test("A new follower without since sees no history, only what is logged after it started")
    func noReplay() async throws {
        let spec = ContainerSpec(name: TestServices.uniqueName("silvasonic-history"), image: try testImage(),
                                 command: ["/bin/sh", "-c", "echo old; trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"])
        try await withContainer(spec) { podman, id in
            // Wait, by following from the beginning, until "old" is in the log.
            for await event in podman.followLogs(id, since: LogTimestamp(seconds: 0, nanoseconds: 0)) {
                if case .element(let line) = event, line.text == "old" { break }
            }
            var events = podman.followLogs(id, backoff: quickBackoff).makeAsyncIterator()
            try await podman.stop(id, timeoutSeconds: 5)
            // The stream ends with the container; nothing of its history was delivered.
            // (Podman answers a quiet follow only with its first line, so `subscribed` may come late.)
            var next = await events.next()
            if next == .subscribed { next = await events.next() }
            guard case .interrupted(let error, _) = next else { Issue.record("got \(String(describing: next))"); return }
            #expect(error.code == .streamEnded)
        }
    }

    @Test("Lines beyond the cap are cut and marked; the next line is whole")
    func lineCap() async throws {
        let spec = ContainerSpec(name: TestServices.uniqueName("silvasonic-long"), image: try testImage(),
                                 command: ["/bin/sh", "-c", "head -c 5000 /dev/zero | tr '\\0' x; echo; echo short"])
        try await withContainer(spec) { podman, id in
            #expect(try await testClient().wait(id) == 0)
            let lines = try await podman.logLines(id, maximumLineBytes: 100)
            #expect(lines.count == 2)
            #expect(lines.first?.truncated == true)
            #expect(lines.first?.text == String(repeating: "x", count: 100))
            #expect(lines.last == LogLine(stream: .stdout, text: "short", timestamp: lines.last?.timestamp))
        }
    }

    @Test("Events of an owned container that exits non-zero arrive typed, with the exit code")
    func eventsOfFailingContainer() async throws {
        let owner = uniqueOwner()
        let podman = try testClient()
        var events = podman.followEvents(labels: ["io.silvasonic.owner": owner], backoff: quickBackoff).makeAsyncIterator()
        #expect(await events.next() == .subscribed)
        let name = TestServices.uniqueName("silvasonic-fails")
        let spec = ContainerSpec(name: name, image: try testImage(), labels: ["io.silvasonic.owner": owner],
                                 command: ["/bin/sh", "-c", "exit 3"])
        // Another owner's container must not show up.
        let foreign = ContainerSpec(name: TestServices.uniqueName("silvasonic-foreign"), image: try testImage(),
                                    labels: ["io.silvasonic.owner": uniqueOwner()], command: ["/bin/true"])
        try await withContainer(foreign) { _, _ in }
        let id = try await podman.create(spec)
        try await podman.start(id)
        var actions: [ContainerEvent.Action] = []
        while let event = await events.next() {
            guard case .element(let container) = event else { continue }
            #expect(container.containerID == id)
            #expect(container.name == name)
            #expect(container.labels["io.silvasonic.owner"] == owner)
            actions.append(container.action)
            if case .died = container.action { break }
        }
        #expect(actions.first == .create)
        #expect(actions.contains(.start))
        #expect(actions.last == .died(exitCode: 3))
        // Podman 4.3 refuses a remove between `died` and its `cleanup` ("container state
        // improper: stopped"): removed once cleaned up.
        while let event = await events.next() {
            if case .element(let container) = event, container.action == .cleanup { break }
        }
        try await podman.remove(id)
        while let event = await events.next() {
            if case .element(let container) = event, container.action == .remove { break }
        }
    }

    @Test("Cancelling a follow releases its stream at once, even while the container prints nothing")
    func cancellation() async throws {
        let spec = ContainerSpec(name: TestServices.uniqueName("silvasonic-quiet"), image: try testImage(),
                                 command: ["/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"])
        try await withContainer(spec) { podman, id in
            let follower = Task {
                var count = 0
                for await event in podman.followLogs(id, backoff: quickBackoff) {
                    if case .subscribed = event { count += 1 }
                }
                return count
            }
            follower.cancel()
            // The loop ends: the stream finished on cancellation instead of waiting for a line.
            #expect(await follower.value <= 1)
        }
    }
}
