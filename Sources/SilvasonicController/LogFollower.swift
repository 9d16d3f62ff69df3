import ControllerCore
import Foundation
import SilvasonicPodman
import SilvasonicRedis
import Supervision

/// The `logs` child's work: every line of one running container, published on
/// `silvasonic:logs` in the contract's JSON. Podman's follow stream resumes by itself across
/// the container's own restarts; a line Redis does not take is counted as dropped, never
/// retried (the log is a view, the audio is the data).
struct LogFollower {
    var containerID: String
    var name: String
    var labels: [String: String]
    var engine: any ContainerEngine
    var redis: any RedisCommands
    var bufferLimit: Int
    var counters: LogCounters

    /// Follows until cancelled.
    func run() async {
        let stream = engine.followLogs(containerID, since: nil, bufferLimit: bufferLimit, maximumLineBytes: 16_384,
                                       backoff: BackoffPolicy(initial: .milliseconds(250), maximum: .seconds(5)))
        for await event in stream {
            guard case .element(let line) = event else { continue }
            if line.droppedBefore > 0 { counters.add(dropped: line.droppedBefore) }
            let message = LogForwarding.message(line, containerName: name, labels: labels, now: Date())
            do {
                try await redis.publish(message, to: LogForwarding.channel)
                counters.add(forwarded: 1)
            } catch {
                counters.add(dropped: 1)
            }
        }
    }
}
