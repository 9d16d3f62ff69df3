import Synchronization

/// A bounded set of resources (connections), made on first need and lent to one caller at a
/// time: at most ``limit`` exist, and a caller that finds none free waits, first come first
/// served, until one is returned.
///
/// A client whose every request holds a blocking handle (libcurl's easy interface, say) uses it
/// to serve several callers at once: one slow request holds up only the callers queued behind
/// the whole pool, never the others.
///
/// ```swift
/// let pool = LeasePool(limit: 8) { Connection(socketPath: path) }
/// let answer = try await pool.withLease { connection in try await connection.send(request) }
/// ```
package final class LeasePool<Resource: Sendable>: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Resource?, Never>
    }

    private struct State {
        var idle: [Resource] = []
        var made = 0
        var waiters: [Waiter] = []
        var nextWaiter: UInt64 = 0
        /// Waiters granted a number but not registered yet, and those of them cancelled meanwhile.
        var arriving: Set<UInt64> = []
        var cancelledBeforeWaiting: Set<UInt64> = []
    }

    /// The most resources that exist at once.
    package let limit: Int
    private let make: @Sendable () -> Resource
    private let state = Mutex(State())

    /// - Parameters:
    ///   - limit: the most resources at once; at least 1.
    ///   - make: makes a resource when none is free and fewer than `limit` exist.
    public init(limit: Int, make: @escaping @Sendable () -> Resource) {
        self.limit = max(1, limit)
        self.make = make
    }

    /// How many resources exist, and how many callers wait for one.
    public var usage: (made: Int, waiting: Int) {
        state.withLock { ($0.made, $0.waiters.count + $0.arriving.count) }
    }

    /// Runs `body` with a resource of its own, then returns the resource to the pool.
    /// - Throws: `CancellationError` when the task is cancelled while it waits for a resource;
    ///   otherwise what `body` throws.
    package func withLease<T: Sendable>(_ body: (Resource) async throws -> T) async throws -> T {
        let resource = try await acquire()
        defer { release(resource) }
        return try await body(resource)
    }

    private enum Grant {
        case ready(Resource)
        case make
        case wait(UInt64)
    }

    private func acquire() async throws -> Resource {
        let grant = state.withLock { state -> Grant in
            if let resource = state.idle.popLast() { return .ready(resource) }
            if state.made < limit {
                state.made += 1
                return .make
            }
            state.nextWaiter += 1
            state.arriving.insert(state.nextWaiter)
            return .wait(state.nextWaiter)
        }
        switch grant {
        case .ready(let resource): return resource
        case .make: return make()
        case .wait(let id):
            let granted = await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Resource?, Never>) in
                    let immediate: Resource?? = state.withLock { state in
                        state.arriving.remove(id)
                        if state.cancelledBeforeWaiting.remove(id) != nil { return .some(nil) }
                        if let resource = state.idle.popLast() { return .some(resource) }
                        state.waiters.append(Waiter(id: id, continuation: continuation))
                        return nil
                    }
                    if let immediate { continuation.resume(returning: immediate) }
                }
            } onCancel: {
                let waiter = state.withLock { state -> Waiter? in
                    if let index = state.waiters.firstIndex(where: { $0.id == id }) { return state.waiters.remove(at: index) }
                    if state.arriving.contains(id) { state.cancelledBeforeWaiting.insert(id) }
                    return nil
                }
                waiter?.continuation.resume(returning: nil)
            }
            guard let granted else { throw CancellationError() }
            return granted
        }
    }

    private func release(_ resource: Resource) {
        let waiter = state.withLock { state -> Waiter? in
            guard !state.waiters.isEmpty else {
                state.idle.append(resource)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: resource)
    }
}
