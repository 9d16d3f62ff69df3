import Foundation
import TestSupport
import Testing

/// The test recorder must record like Silvasonic's: its capture never waits on Redis, or a
/// test of the controller would measure the stand-in's own stalls.
@Suite("The test recorder, as a process", .timeLimit(.minutes(1)))
struct SimRecorderTests {
    @Test("Segments keep coming while Redis takes its connections and never answers (the server frozen): capture and heartbeat run apart")
    func captureIgnoresAFrozenRedis() async throws {
        let redis = try await ScratchServer(.redis)
        let pid = try #require(pid_t(String(contentsOfFile: redis.directory + "/redis/redis.pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString)").path
        #expect(kill(pid, SIGSTOP) == 0, "Redis accepts connections but answers nothing")
        defer {
            kill(pid, SIGCONT)
            try? FileManager.default.removeItem(atPath: workspace)
        }
        let recorder = try RunningProcess(ScratchServer.repositoryRoot + "/.build/debug/silvasonic-sim-recorder", [], environment: [
            "SILVASONIC_REDIS_URL": try #require(redis.environment["SILVASONIC_REDIS_URL"]),
            "SILVASONIC_INSTANCE_ID": "mic-frozen", "SILVASONIC_SIM_WORKSPACE": workspace,
            "SILVASONIC_SIM_SEGMENT_S": "0.05", "SILVASONIC_HEARTBEAT_INTERVAL_S": "0.05",
        ])
        var lines = recorder.lines.makeAsyncIterator()
        var segments = 0
        while segments < 20, let line = await lines.next() {
            if line.contains("segment written") { segments += 1 }
        }
        #expect(segments == 20, "twenty segments while every heartbeat waits on the frozen server")
        #expect(try FileManager.default.contentsOfDirectory(atPath: workspace).filter { $0.hasPrefix("segment-") }.count >= 20)
        recorder.send(SIGTERM)
        _ = await recorder.waitForExit()
        kill(pid, SIGCONT)
        try await redis.stop()
    }
}
