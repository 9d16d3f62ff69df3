import ControllerCore
import Logging
import SilvasonicPodman
import Supervision
import Synchronization

/// Suspends until the task is cancelled.
func suspendUntilCancelled() async {
    let (stream, continuation) = AsyncStream.makeStream(of: Never.self)
    await withTaskCancellationHandler {
        for await _ in stream {}
    } onCancel: {
        continuation.finish()
    }
}

/// A weak reference that can be shared with `@Sendable` closures.
final class WeakReference<Value: AnyObject & Sendable>: Sendable {
    private let storage = Mutex<WeakBox>(WeakBox())
    private struct WeakBox: @unchecked Sendable {
        // Sendable because it only ever holds a `Value`, itself Sendable, and is only read and
        // written under the mutex.
        weak var value: Value?
    }

    var value: Value? {
        get { storage.withLock { $0.value } }
        set { storage.withLock { $0.value = newValue } }
    }
}

/// What every device actor of one ``DeviceSupervisor`` shares, kept once rather than in each.
final class DeviceEnvironment<C: Clock<Duration>>: Sendable {
    let engine: any ContainerEngine
    let clock: C
    /// The `io.silvasonic.owner` label of this controller's containers.
    let owner: String
    let policy: RecorderPolicy
    /// The policy's ``RecorderPolicy/engineBackoff``, made once for all the devices.
    let engineBackoff: BackoffPolicy
    /// How running recorders are watched; without Redis, neither watch runs.
    let companions: CompanionSettings
    let counters: LogCounters
    let logger: Logger
    /// Told the key of a device whose container child found nothing wanted and removed its
    /// containers: its supervisor may let its node go (``DeviceSupervisor``).
    let settledIdle = Mutex<(@Sendable (String) -> Void)?>(nil)

    init(engine: any ContainerEngine, clock: C, owner: String, policy: RecorderPolicy, companions: CompanionSettings,
         counters: LogCounters, logger: Logger) {
        self.engine = engine
        self.clock = clock
        self.owner = owner
        self.policy = policy
        engineBackoff = policy.engineBackoff
        self.companions = companions
        self.counters = counters
        self.logger = logger
    }
}
