import ControllerCore
import SilvasonicRedis

/// The container child's companions: the `heartbeat` child watches each running container's
/// heartbeat (and workspace), the `logs` child forwards its log. Both wait on the
/// ``RunningBoard`` for the container the container child runs.
extension DeviceActor {
    /// The heartbeat child: watches each running container until it is judged dead, then hands
    /// the verdict to the container child (which replaces it, as a crash). Its long-lived frame
    /// holds the watch alone and sleeps between checks; each check runs in a short-lived task.
    nonisolated func watchHeartbeat() async throws {
        while let watch = await nextHeartbeatWatch() {
            while true {
                do {
                    try await clock.sleep(until: clock.now.advanced(by: companions.heartbeatInterval), tolerance: nil)
                } catch {
                    return
                }
                if try await inShortTask({ await watch.check() }) { break }
            }
            if await heartbeatLost(containerID: watch.containerID) { return await suspendUntilCancelled() }
        }
    }

    /// A watch of the container that runs now, or of the next one to, begun; `nil` when
    /// cancelled first. Without Redis there is nothing to watch: waits to be cancelled.
    @inline(never)
    private nonisolated func nextHeartbeatWatch() async -> HeartbeatWatch<C>? {
        guard let redis = companions.redis else {
            await suspendUntilCancelled()
            return nil
        }
        guard let running = await board.next() else { return nil }
        let watch = makeWatch(running, redis: redis)
        do { try await inShortTask { await watch.begin() } } catch { return nil }
        return watch
    }

    private nonisolated func makeWatch(_ running: RunningContainer, redis: any RedisCommands) -> HeartbeatWatch<C> {
        HeartbeatWatch(containerID: running.containerID, journal: journal, workspace: running.workspace,
                       segmentDuration: running.segmentDuration, redis: redis, environment: environment)
    }

    /// The logs child: forwards the running container's log until cancelled.
    nonisolated func followLogs() async throws {
        guard let follower = await nextFollower() else { return await suspendUntilCancelled() }
        await follower.run()
    }

    /// A follower of the container that runs now, or of the next one to; `nil` without Redis or
    /// when cancelled first.
    @inline(never)
    private nonisolated func nextFollower() async -> LogFollower? {
        guard let redis = companions.redis, let running = await board.next() else { return nil }
        return LogFollower(running: running, engine: engine, redis: redis, bufferLimit: companions.logBufferLimit,
                           counters: environment.counters)
    }

    /// Runs `body` in a task of its own, cancelled with this one: its stack is freed when it
    /// ends, while a long-lived task keeps the stack it once needed for its whole life. Not a
    /// task group: a group's own storage would stay on this task's stack too. What it buys: the
    /// children's waiting frames a third to a half smaller (container 1,312 → 896 bytes,
    /// heartbeat 1,408 → 848, logs 1,680 → 992, measured with a `swift_task_alloc` hook; with
    /// the rest, 26 KB a device at 10,000 simulated, docs/performance.md).
    @inline(never)
    nonisolated func inShortTask<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task(operation: body)
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }
}
