import ControllerCore
import Foundation
import Logging
import SilvasonicIO
import SilvasonicRedis
import Synchronization

/// The `heartbeat` child's work on one running container: reads `silvasonic:status:<device id>`
/// at every check and judges it (``HeartbeatJudge``); while it is missing, reads the workspace
/// too (``WorkspaceProgress``). Until the recorder speaks for itself, the controller speaks for
/// it (``RecorderStatusProxy``), never over its own heartbeat.
///
/// Data capture first: a recorder that writes segments is never stopped for its heartbeat (it
/// is degraded, and said so once); only a lost heartbeat *and* a workspace without progress make
/// ``check()`` return `true`, and the DeviceActor then replaces the container.
///
/// The judgement is kept here between checks, so that each check can run in a short-lived
/// task: the heartbeat child itself only sleeps between them, on a small stack.
final class HeartbeatWatch<C: Clock<Duration>>: Sendable {
    private struct State {
        var judge: HeartbeatJudge<C.Instant>
        var progress: WorkspaceProgress<C.Instant>
        /// The recorder wrote its own status: the controller no longer speaks for it.
        var recorderSpoke = false
        /// Said once: it records without beating.
        var writingWithoutBeat = false
    }

    let containerID: String
    /// The device's journal, told each heartbeat the recorder wrote (for `status`).
    private let journal: DeviceJournal<C>
    private var deviceID: String { journal.deviceID }
    /// Where the controller sees the recorder's workspace; `nil`: nowhere, and a lost heartbeat
    /// alone restarts it.
    private let workspace: String?
    private let redis: any RedisCommands
    /// Shared by every device of the supervisor: the clock, the logger, the watch settings.
    private let environment: DeviceEnvironment<C>
    private let state: Mutex<State>
    private var clock: C { environment.clock }
    private var logger: Logger { environment.logger }
    private var key: String { "silvasonic:status:\(deviceID)" }
    private var ttl: Int { max(30, Int((environment.companions.heartbeatInterval * 3 / .seconds(1)).rounded(.up))) }

    /// - Parameter segmentDuration: the recorder's segment length, the unit of the progress window.
    init(containerID: String, journal: DeviceJournal<C>, workspace: String?, segmentDuration: Duration, redis: any RedisCommands,
         environment: DeviceEnvironment<C>) {
        self.containerID = containerID
        self.journal = journal
        self.workspace = workspace
        self.redis = redis
        self.environment = environment
        let settings = environment.companions, clock = environment.clock
        state = Mutex(State(
            judge: HeartbeatJudge(startedAt: clock.now, startupGrace: settings.startupGrace, staleAfter: settings.staleAfter,
                                  missesToDie: settings.missesToDie),
            progress: WorkspaceProgress(window: segmentDuration * settings.progressSegments)))
    }

    /// Speaks for the new container until its recorder does.
    func begin() async {
        await speak("container running; waiting for the recorder's first heartbeat")
    }

    /// One check: `true` when the recorder is judged dead and its workspace shows no progress.
    func check() async -> Bool {
        let reading = await read()
        let now = clock.now
        let verdict = state.withLock { $0.judge.check(reading, now: now) }
        if case .starting = verdict { await speak("container running; waiting for the recorder's first heartbeat") }
        // The workspace is read only while the heartbeat is missing.
        var written = WorkspaceProgress<C.Instant>.Verdict.watching
        switch verdict {
        case .suspect, .dead:
            let fingerprint = workspace.flatMap { WorkspaceScan.fingerprint(of: $0) }
            written = state.withLock { $0.progress.observe(fingerprint, now: now) }
        default:
            let back = state.withLock { state in
                state.progress.reset()
                guard state.writingWithoutBeat, verdict == .alive || verdict == .degraded else { return false }
                state.writingWithoutBeat = false
                return true
            }
            if back { logger.notice("recorder heartbeat back", metadata: ["device.id": "\(deviceID)", "container.id": "\(containerID)"]) }
        }
        switch verdict {
        case .dead where written == .stalled:
            logger.warning("recorder heartbeat lost and its workspace shows no progress; restarting it", metadata: [
                "device.id": "\(deviceID)", "container.id": "\(containerID)", "workspace": "\(workspace ?? "not readable")",
                "window": "\(state.withLock { $0.progress.window })",
            ])
            return true
        case .dead where written == .progressing:
            let first = state.withLock { state in
                defer { state.writingWithoutBeat = true }
                return !state.writingWithoutBeat
            }
            if first {
                logger.warning("recorder writes segments but does not heartbeat: degraded, left running", metadata: [
                    "device.id": "\(deviceID)", "container.id": "\(containerID)",
                ])
            }
            await speak("recording (segments written) without a heartbeat of its own: degraded", activity: "recording")
        case .suspect(let misses):
            logger.info("recorder heartbeat missing or stale", metadata: ["device.id": "\(deviceID)", "misses": "\(misses)"])
        default:
            break
        }
        return false
    }

    /// The recorder's heartbeat as the judge reads it: missing, unparsable, or the controller's
    /// own status count as no heartbeat; a Redis that does not answer as unknown.
    private func read() async -> HeartbeatJudge<C.Instant>.Reading {
        do {
            guard let beat = try await redis.get(key).flatMap({ try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }),
                  !RecorderStatusProxy.isProxy(beat) else { return .missing }
            state.withLock { $0.recorderSpoke = true }
            let timestamp: Double = switch beat["timestamp"] {
            case .double(let value)?: value
            case .int(let value)?: Double(value)
            default: -1
            }
            if timestamp >= 0 { journal.heard(at: timestamp) }
            return .present(timestamp: timestamp, status: beat["health"]?["status"]?.stringValue ?? "ok")
        } catch {
            return .unreadable
        }
    }

    /// Speaks for the recorder in its status key, never over its own.
    private func speak(_ details: String, activity: String = "starting") async {
        guard !state.withLock({ $0.recorderSpoke }) else { return }
        // An adopted recorder may be beating already: its value is never overwritten.
        let current: String?
        do { current = try await redis.get(key) } catch { return }   // Redis down: spoken at the next check
        if let current, !RecorderStatusProxy.isProxy(try? JSONDecoder().decode(JSONValue.self, from: Data(current.utf8))) {
            state.withLock { $0.recorderSpoke = true }
            return
        }
        let text = RecorderStatusProxy.text(RecorderStatusProxy.payload(
            deviceID: deviceID, containerID: containerID, activity: activity, healthy: true, details: details, now: Date()))
        // Best effort: a status that cannot be written now (Redis down) is written at the next
        // check; the watch reads Redis's state as "unknown" meanwhile.
        do {
            try await redis.set(key, text, expiresInSeconds: ttl)
            try await redis.publish(text, to: "silvasonic:status")
        } catch {
            return
        }
    }
}
