package import Dispatch

/// A serial executor that runs its jobs on one private dispatch queue.
///
/// An actor that calls blocking C functions (libpq, hiredis, libcurl) uses one of these as its
/// `unownedExecutor`, so that a blocking call holds only that queue's thread and never one of
/// the cooperative pool's few threads.
///
/// ```swift
/// actor Connection {
///     private let executor = QueueExecutor(label: "db")
///     nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
/// }
/// ```
package final class QueueExecutor: SerialExecutor {
    /// The private queue the jobs run on; a ``ReadinessSource`` delivers its events here.
    package let queue: DispatchQueue

    /// Creates an executor with a new serial queue.
    /// - Parameter label: the queue's label, shown in debuggers and crash reports.
    public init(label: String) {
        self.queue = DispatchQueue(label: label)
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    package func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Traps unless the caller runs on this executor's queue; `assumeIsolated` relies on it.
    package func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}
