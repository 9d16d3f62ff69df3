import Foundation
import SilvasonicRedis
import Synchronization

/// A stand-in for Silvasonic's recorder, run inside the test recorder image: it reads the
/// environment the controller injects, logs JSON lines, publishes its heartbeat to Redis,
/// writes a "segment" file into its workspace every few seconds (so continuity of recording
/// can be checked), stops cleanly on SIGTERM, and crashes on request.
///
/// Environment: the contract's `SILVASONIC_INSTANCE_ID`, `SILVASONIC_RECORDER_PROFILE_SLUG`,
/// `SILVASONIC_RECORDER_DEVICE`, `SILVASONIC_RECORDER_CONFIG_JSON`, `SILVASONIC_REDIS_URL`,
/// `SILVASONIC_HEARTBEAT_INTERVAL_S` (10), plus for tests `SILVASONIC_SIM_SEGMENT_S` (the
/// segment length; default the profile's `segment_duration_s`), `SILVASONIC_SIM_WORKSPACE`
/// (`/app/workspace`) and `SILVASONIC_SIM_CRASH_AFTER_S`. A file named `CRASH` in the workspace
/// makes it exit with status 3 at the next segment; a file named `HANG` stops its heartbeat
/// while it goes on writing segments (a recorder that records but cannot reach Redis, as
/// Silvasonic's own does when it started while Redis was down); a file named `STALL` stops its
/// segments (with `HANG` too: a recorder wedged for good). Capture (the segments) and the
/// heartbeat run apart, as in Silvasonic's recorder: Redis never delays a segment.
@main
struct SimRecorder {
    static func main() async {
        let environment = ProcessInfo.processInfo.environment
        let id = environment["SILVASONIC_INSTANCE_ID"] ?? "unknown"
        let workspace = environment["SILVASONIC_SIM_WORKSPACE"] ?? "/app/workspace"
        let configText = environment["SILVASONIC_RECORDER_CONFIG_JSON"] ?? "{}"
        let config = (try? JSONSerialization.jsonObject(with: Data(configText.utf8))) as? [String: Any]
        let profileSegment = ((config?["stream"] as? [String: Any])?["segment_duration_s"] as? Int) ?? 10
        let segmentSeconds = environment["SILVASONIC_SIM_SEGMENT_S"].flatMap(Double.init) ?? Double(profileSegment)
        let heartbeatSeconds = environment["SILVASONIC_HEARTBEAT_INTERVAL_S"].flatMap(Double.init) ?? 10
        let crashAfter = environment["SILVASONIC_SIM_CRASH_AFTER_S"].flatMap(Double.init)
        let redis = (try? RedisConfiguration(url: environment["SILVASONIC_REDIS_URL"] ?? "redis://localhost:6379/0"))
            .map { RedisClient(configuration: $0) }

        // A real handler, not SIG_IGN plus a dispatch source: as a container's PID 1 the kernel
        // drops any signal the process does not handle. Only async-signal-safe calls inside.
        signal(SIGTERM) { _ in
            let line = "{\"event\":\"stopping on SIGTERM\",\"level\":\"info\",\"logger\":\"silvasonic.sim_recorder\"}\n"
            _ = line.withCString { write(1, $0, strlen($0)) }
            _exit(0)
        }

        log("info", "recorder started", [
            "instance_id": id, "device": environment["SILVASONIC_RECORDER_DEVICE"] ?? "?",
            "profile": environment["SILVASONIC_RECORDER_PROFILE_SLUG"] ?? "?", "segment_s": segmentSeconds,
        ])
        try? FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        // Capture and heartbeat run apart, as in Silvasonic's recorder: a slow or absent Redis
        // (each beat's calls wait on it) never delays a segment.
        let segments = SegmentCount()
        let beats = Task {
            await heartbeat(redis: redis, id: id, interval: heartbeatSeconds, workspace: workspace, segments: segments)
        }
        let started = Date()
        var nextSegment = started
        while true {
            let now = Date()
            if now >= nextSegment {
                if FileManager.default.fileExists(atPath: workspace + "/CRASH")
                    || crashAfter.map({ now.timeIntervalSince(started) >= $0 }) == true {
                    log("error", "crashing on request", ["instance_id": id])
                    exit(3)
                }
                if !FileManager.default.fileExists(atPath: workspace + "/STALL") {
                    let segment = segments.next()
                    let name = String(format: "segment-%06d.raw", segment)
                    _ = FileManager.default.createFile(atPath: workspace + "/" + name, contents: Data(count: 1024))
                    log("info", "segment written", ["file": name, "instance_id": id])
                }
                nextSegment = nextSegment.addingTimeInterval(segmentSeconds)
            }
            do {
                try await Task.sleep(for: .milliseconds(max(10, Int(nextSegment.timeIntervalSinceNow * 1000))))
            } catch {
                beats.cancel()
                log("info", "stopping: cancelled", ["instance_id": id])
                return
            }
        }
    }

    /// Beats every `interval` seconds until cancelled, on its own schedule: a beat that waits on
    /// Redis delays only the next beat. A file named `HANG` in the workspace pauses the beats.
    static func heartbeat(redis: RedisClient?, id: String, interval: Double, workspace: String, segments: SegmentCount) async {
        var hanging = false
        var next = Date()
        while !Task.isCancelled {
            let hang = FileManager.default.fileExists(atPath: workspace + "/HANG")
            if hang != hanging {
                hanging = hang
                log("warning", hang ? "heartbeat paused on request" : "heartbeat resumed", ["instance_id": id])
            }
            if !hang { await publishHeartbeat(redis: redis, id: id, interval: interval, segments: segments.value) }
            next = max(next.addingTimeInterval(interval), Date())
            do {
                try await Task.sleep(for: .milliseconds(max(10, Int(next.timeIntervalSinceNow * 1000))))
            } catch {
                return
            }
        }
    }

    /// One JSON log line on stdout, as Silvasonic's services write them (structlog's keys).
    static func log(_ level: String, _ event: String, _ fields: [String: Any]) {
        var line: [String: Any] = fields
        line["event"] = event
        line["level"] = level
        line["logger"] = "silvasonic.sim_recorder"
        line["timestamp"] = ISO8601DateFormatter().string(from: Date())
        if let data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) {
            FileHandle.standardOutput.write(data + Data([10]))
        }
    }

    /// `SET silvasonic:status:<id> EX ttl` and `PUBLISH silvasonic:status`, in the contract's
    /// heartbeat JSON; a Redis outage only skips the beat.
    static func publishHeartbeat(redis: RedisClient?, id: String, interval: Double, segments: Int) async {
        guard let redis else { return }
        let payload: [String: Any] = [
            "service": "recorder", "instance_id": id, "timestamp": (Date().timeIntervalSince1970 * 1000).rounded() / 1000,
            "health": ["status": "ok", "live": true,
                       "components": ["capture": ["healthy": true, "details": "\(segments) segments", "required": true]]],
            "activity": "recording",
            "meta": ["resources": ["cpu_percent": 0.0, "memory_mb": 0.0, "num_threads": 1]],
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]) else { return }
        let text = String(decoding: data, as: UTF8.self)
        do {
            try await redis.set("silvasonic:status:\(id)", text, expiresInSeconds: max(30, Int(3 * interval)))
            try await redis.publish(text, to: "silvasonic:status")
        } catch {
            log("warning", "heartbeat not published", ["error": "\(error)"])
        }
    }
}

/// The segments written so far, shared by the capture loop and the heartbeat.
final class SegmentCount: Sendable {
    private let count = Mutex(0)

    /// Counts one more segment; its number.
    func next() -> Int {
        count.withLock { count in
            count += 1
            return count
        }
    }

    var value: Int { count.withLock { $0 } }
}
