import ControllerCore
import Foundation
import Logging
import SilvasonicIO
import SilvasonicPodman
public import SilvasonicRedis
import Supervision
import Synchronization

/// How a running recorder is watched: its heartbeat (``HeartbeatJudge``) and its log.
public struct CompanionSettings: Sendable {
    /// Where heartbeats are read and log lines published; `nil`: neither runs.
    public var redis: (any RedisCommands)?
    /// How often the heartbeat is read (the recorder's `SILVASONIC_HEARTBEAT_INTERVAL_S`).
    public var heartbeatInterval: Duration = .seconds(10)
    public var startupGrace: Duration = .seconds(60)
    public var staleAfter: Duration = .seconds(30)
    public var missesToDie = 3
    /// A recorder whose heartbeat is lost is restarted only when its workspace also shows no
    /// progress for this many segment durations (its profile's `segment_duration_s`).
    public var progressSegments = 3
    /// Log lines that may wait for Redis before new ones are dropped (and counted).
    public var logBufferLimit = 1024

    public init(redis: (any RedisCommands)?) {
        self.redis = redis
    }
}

/// Counts of the log forwarding, for metrics.
public final class LogCounters: Sendable {
    private let state = Mutex((forwarded: 0, dropped: 0))

    public init() {}

    public var forwarded: Int { state.withLock { $0.forwarded } }
    public var dropped: Int { state.withLock { $0.dropped } }

    func add(forwarded: Int = 0, dropped: Int = 0) {
        state.withLock { $0.forwarded += forwarded; $0.dropped += dropped }
    }
}

/// The two tasks that accompany one running container: the heartbeat watch and the log follower.
struct RecorderCompanions {
    let containerID: String
    private let tasks: [Task<Void, Never>]

    /// - Parameters:
    ///   - workspace: where the controller sees the recorder's workspace; `nil`: nowhere, and a
    ///     lost heartbeat alone restarts it.
    ///   - segmentDuration: the recorder's segment length, the unit of the progress window.
    init<C: Clock<Duration>>(containerID: String, name: String, labels: [String: String], deviceID: String,
                             workspace: String?, segmentDuration: Duration,
                             engine: any ContainerEngine, clock: C, settings: CompanionSettings, counters: LogCounters,
                             logger: Logger, heartbeatLost: @escaping @Sendable () async -> Void) {
        self.containerID = containerID
        guard let redis = settings.redis else { tasks = []; return }
        let follower = Task {
            let stream = engine.followLogs(containerID, since: nil, bufferLimit: settings.logBufferLimit,
                                           maximumLineBytes: 16_384,
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
        let watch = Task {
            var judge = HeartbeatJudge(startedAt: clock.now, startupGrace: settings.startupGrace,
                                       staleAfter: settings.staleAfter, missesToDie: settings.missesToDie)
            let key = "silvasonic:status:\(deviceID)"
            let ttl = max(30, Int((settings.heartbeatInterval * 3 / .seconds(1)).rounded(.up)))
            var recorderSpoke = false
            var progress = WorkspaceProgress<C.Instant>(window: segmentDuration * settings.progressSegments)
            var writingWithoutBeat = false
            /// Speaks for the recorder until it speaks for itself; never over its own heartbeat.
            func proxy(_ details: String, activity: String = "starting") async {
                guard !recorderSpoke else { return }
                // An adopted recorder may be beating already: its value is never overwritten.
                if let current = try? await redis.get(key),
                   !RecorderStatusProxy.isProxy(try? JSONDecoder().decode(JSONValue.self, from: Data(current.utf8))) {
                    recorderSpoke = true
                    return
                }
                let text = RecorderStatusProxy.text(RecorderStatusProxy.payload(
                    deviceID: deviceID, containerID: containerID, activity: activity, healthy: true, details: details, now: Date()))
                // Best effort: a status that cannot be written now (Redis down) is written at the
                // next check; the watch itself reads Redis's state as "unknown" meanwhile.
                try? await redis.set(key, text, expiresInSeconds: ttl)
                _ = try? await redis.publish(text, to: "silvasonic:status")
            }
            await proxy("container running; waiting for the recorder's first heartbeat")
            while !Task.isCancelled {
                do { try await clock.sleep(for: settings.heartbeatInterval) } catch { return }
                let reading: HeartbeatJudge<C.Instant>.Reading
                do {
                    let beat = try await redis.get(key).flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
                    if let beat, !RecorderStatusProxy.isProxy(beat) {
                        recorderSpoke = true
                        let timestamp: Double = switch beat["timestamp"] {
                        case .double(let value)?: value
                        case .int(let value)?: Double(value)
                        default: -1
                        }
                        reading = .present(timestamp: timestamp, status: beat["health"]?["status"]?.stringValue ?? "ok")
                    } else {
                        // Missing, unparsable, or the controller's own status: no heartbeat.
                        reading = .missing
                    }
                } catch {
                    reading = .unreadable
                }
                let now = clock.now
                let verdict = judge.check(reading, now: now)
                if case .starting = verdict { await proxy("container running; waiting for the recorder's first heartbeat") }
                // The workspace is read only while the heartbeat is missing.
                var written = WorkspaceProgress<C.Instant>.Verdict.watching
                switch verdict {
                case .suspect, .dead:
                    written = progress.observe(workspace.flatMap { WorkspaceScan.fingerprint(of: $0) }, now: now)
                default:
                    progress.reset()
                    if writingWithoutBeat, verdict == .alive || verdict == .degraded {
                        logger.notice("recorder heartbeat back", metadata: ["container.id": "\(containerID)"])
                        writingWithoutBeat = false
                    }
                }
                switch verdict {
                case .dead where written == .stalled:
                    logger.warning("recorder heartbeat lost and its workspace shows no progress; restarting it", metadata: [
                        "container.id": "\(containerID)", "workspace": "\(workspace ?? "not readable")",
                        "window": "\(progress.window)",
                    ])
                    await heartbeatLost()
                    return
                case .dead where written == .progressing:
                    // Data capture first: a recorder that writes audio is never stopped for its heartbeat.
                    if !writingWithoutBeat {
                        writingWithoutBeat = true
                        logger.warning("recorder writes segments but does not heartbeat: degraded, left running", metadata: [
                            "container.id": "\(containerID)",
                        ])
                    }
                    await proxy("recording (segments written) without a heartbeat of its own: degraded", activity: "recording")
                case .suspect(let misses):
                    logger.info("recorder heartbeat missing or stale", metadata: ["misses": "\(misses)"])
                default:
                    break
                }
            }
        }
        tasks = [follower, watch]
    }

    func cancel() {
        for task in tasks { task.cancel() }
    }
}
