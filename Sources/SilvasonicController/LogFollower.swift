import ControllerCore
import Foundation
import SilvasonicPodman
import SilvasonicRedis
import Supervision

/// The `logs` child's work: every line of one running container, published on
/// `silvasonic:logs` in the contract's JSON. Podman's follow stream resumes by itself across
/// the container's own restarts; a line Redis does not take is counted as dropped, never
/// retried (the log is a view, the audio is the data).
final class LogFollower: Sendable {
    private let running: RunningContainer
    private let engine: any ContainerEngine
    private let redis: any RedisCommands
    private let bufferLimit: Int
    private let counters: LogCounters

    init(running: RunningContainer, engine: any ContainerEngine, redis: any RedisCommands, bufferLimit: Int,
         counters: LogCounters) {
        self.running = running
        self.engine = engine
        self.redis = redis
        self.bufferLimit = bufferLimit
        self.counters = counters
    }

    /// Follows until cancelled. The wait for the next line is all this (long-lived) task's
    /// frame holds; each line is published from a short-lived task of its own (awaited, so the
    /// lines keep their order), so the stack the long-lived task keeps stays small.
    @inline(never)
    func run() async {
        let stream = engine.followLogs(running.containerID, since: nil, bufferLimit: bufferLimit, maximumLineBytes: 16_384,
                                       backoff: BackoffPolicy(initial: .milliseconds(250), maximum: .seconds(5)))
        for await event in stream {
            guard case .element(let line) = event else { continue }
            await Task { await self.forward(line) }.value
        }
    }

    @inline(never)
    private func forward(_ line: LogLine) async {
        if line.droppedBefore > 0 { counters.add(dropped: line.droppedBefore) }
        let message = LogForwarding.message(line, containerName: running.name, labels: running.labels, now: Date())
        do {
            try await redis.publish(message, to: LogForwarding.channel)
            counters.add(forwarded: 1)
        } catch {
            counters.add(dropped: 1)
        }
    }
}
