import ControllerCore
import Foundation
import Logging
import SilvasonicIO
import SilvasonicRedis

/// The `heartbeat` child's work: reads `silvasonic:status:<device id>` at every interval and
/// judges it (``HeartbeatJudge``); while it is missing, reads the workspace too
/// (``WorkspaceProgress``). Until the recorder speaks for itself, the controller speaks for it
/// (``RecorderStatusProxy``), never over its own heartbeat.
///
/// Data capture first: a recorder that writes segments is never stopped for its heartbeat
/// (it is degraded, and said so once); only a lost heartbeat *and* a workspace without progress
/// make ``run()`` return `true`, and the DeviceActor then replaces the container.
struct HeartbeatWatch<C: Clock<Duration>> {
    var containerID: String
    var deviceID: String
    /// Where the controller sees the recorder's workspace; `nil`: nowhere, and a lost heartbeat
    /// alone restarts it.
    var workspace: String?
    /// The recorder's segment length, the unit of the progress window.
    var segmentDuration: Duration
    var redis: any RedisCommands
    var clock: C
    var settings: CompanionSettings
    var logger: Logger

    /// Watches until cancelled (`false`) or until the recorder is judged dead (`true`).
    func run() async -> Bool {
        var judge = HeartbeatJudge(startedAt: clock.now, startupGrace: settings.startupGrace,
                                   staleAfter: settings.staleAfter, missesToDie: settings.missesToDie)
        let key = "silvasonic:status:\(deviceID)"
        var proxy = StatusProxy(key: key, deviceID: deviceID, containerID: containerID, redis: redis,
                                ttl: max(30, Int((settings.heartbeatInterval * 3 / .seconds(1)).rounded(.up))))
        var progress = WorkspaceProgress<C.Instant>(window: segmentDuration * settings.progressSegments)
        var writingWithoutBeat = false
        await proxy.speak("container running; waiting for the recorder's first heartbeat")
        while !Task.isCancelled {
            do { try await clock.sleep(for: settings.heartbeatInterval) } catch { return false }
            let reading = await read(key, proxy: &proxy)
            let now = clock.now
            let verdict = judge.check(reading, now: now)
            if case .starting = verdict { await proxy.speak("container running; waiting for the recorder's first heartbeat") }
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
                return true
            case .dead where written == .progressing:
                if !writingWithoutBeat {
                    writingWithoutBeat = true
                    logger.warning("recorder writes segments but does not heartbeat: degraded, left running", metadata: [
                        "container.id": "\(containerID)",
                    ])
                }
                await proxy.speak("recording (segments written) without a heartbeat of its own: degraded", activity: "recording")
            case .suspect(let misses):
                logger.info("recorder heartbeat missing or stale", metadata: ["misses": "\(misses)"])
            default:
                break
            }
        }
        return false
    }

    /// The recorder's heartbeat as the judge reads it: missing, unparsable, or the controller's
    /// own status count as no heartbeat; a Redis that does not answer as unknown.
    private func read(_ key: String, proxy: inout StatusProxy) async -> HeartbeatJudge<C.Instant>.Reading {
        do {
            guard let beat = try await redis.get(key).flatMap({ try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }),
                  !RecorderStatusProxy.isProxy(beat) else { return .missing }
            proxy.recorderSpoke = true
            let timestamp: Double = switch beat["timestamp"] {
            case .double(let value)?: value
            case .int(let value)?: Double(value)
            default: -1
            }
            return .present(timestamp: timestamp, status: beat["health"]?["status"]?.stringValue ?? "ok")
        } catch {
            return .unreadable
        }
    }
}

/// Speaks for a recorder in its status key until it speaks for itself; never over its own.
private struct StatusProxy {
    let key: String
    let deviceID: String
    let containerID: String
    let redis: any RedisCommands
    let ttl: Int
    var recorderSpoke = false

    mutating func speak(_ details: String, activity: String = "starting") async {
        guard !recorderSpoke else { return }
        // An adopted recorder may be beating already: its value is never overwritten.
        let current: String?
        do { current = try await redis.get(key) } catch { return }   // Redis down: spoken at the next check
        if let current, !RecorderStatusProxy.isProxy(try? JSONDecoder().decode(JSONValue.self, from: Data(current.utf8))) {
            recorderSpoke = true
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
