/// Which children a supervisor restarts when one of them ends and is to be restarted.
public enum Strategy: String, Sendable, Hashable, CaseIterable {
    /// Only that child.
    case oneForOne
    /// All children: the others are stopped (in reverse start order), then all started again.
    case oneForAll
    /// That child and every child started after it: those are stopped, then all started again.
    case restForOne
}

/// The most restarts a supervisor allows in a sliding window before it gives up (OTP's
/// `intensity` and `period`).
///
/// More than `maxRestarts` restarts within any `period` means the children cannot be kept
/// running by restarting them here: the supervisor stops them all and fails, and its own
/// supervisor decides what happens next (escalation).
public struct RestartIntensity: Sendable, Hashable {
    /// Restarts allowed within `period`.
    public var maxRestarts: Int
    /// The sliding window's length.
    public var period: Duration

    /// - Parameters:
    ///   - maxRestarts: restarts allowed in the window; 0 means the first restart already fails.
    ///   - period: the window's length; positive.
    public init(maxRestarts: Int, within period: Duration) {
        self.maxRestarts = maxRestarts
        self.period = period
    }

    /// OTP's default: 1 restart in 5 seconds.
    public static let otpDefault = RestartIntensity(maxRestarts: 1, within: .seconds(5))
}

/// What a supervisor does when a restart would exceed its ``RestartIntensity``.
public enum IntensityPolicy: String, Sendable, Hashable {
    /// Stop every child and fail, so that the supervisor above decides (OTP's behaviour).
    case escalate
    /// Never give up: the failing child is *crash-looping* and is restarted every
    /// `backoff.maximum` (the cap) until a run of it lasts `backoff.resetAfter`; the supervisor
    /// itself never fails. The loop's end (that stable run) also clears the restart history,
    /// so a later fault starts afresh. For work that must not stop for good, such as a recorder
    /// on a station nobody visits: a fault that clears must not leave it stopped. Needs a backoff.
    case retryAtCap
    /// Never give up, and never change a wait: past the intensity the failing child is
    /// *crash-looping* — a label, said once by the ``SupervisionEvent/Kind/crashLooping(maxRestarts:within:retryEvery:)``
    /// event (its `retryEvery` is the delay of that restart) and shown by ``ChildInfo/crashLooping`` —
    /// while its restarts go on along the backoff, growing to its cap as before. A run of
    /// `backoff.resetAfter` ends the label and clears the restart history. For work that must
    /// not stop for good and must not wait longer than its backoff says: a recorder whose fault
    /// clears is back within the current wait, never a jump to the cap. Needs a backoff.
    case markCrashLooping
}

/// When a supervisor shuts itself down because significant children ended (OTP's `auto_shutdown`).
public enum AutoShutdown: String, Sendable, Hashable {
    /// Never; no child may be significant.
    case never
    /// When any significant child ends and is not restarted.
    case anySignificant
    /// When every significant child has ended and none is restarted.
    case allSignificant
}

/// How a supervisor stops its children when it shuts down or gives up.
public enum ShutdownOrder: String, Sendable, Hashable {
    /// One at a time, the last started first, each within its own ``Shutdown`` (OTP's regular
    /// supervisors). Children that depend on earlier siblings are stopped before them.
    case reverseStartOrder
    /// All at once: every child is cancelled together and waited for within its own
    /// ``Shutdown`` (OTP's `simple_one_for_one`). For many independent children of one kind,
    /// where stopping them one by one would take their count times as long.
    case concurrent
}

/// How a supervisor behaves: strategy, restart intensity, backoff and auto-shutdown.
public struct SupervisorOptions: Sendable {
    /// Which children restart together.
    public var strategy: Strategy
    /// When restarting stops and the supervisor gives up.
    public var intensity: RestartIntensity
    /// The delay before each restart; `nil` restarts at once, as OTP does.
    public var backoff: BackoffPolicy?
    /// Whether significant children can end the supervisor.
    public var autoShutdown: AutoShutdown
    /// How the children are stopped when the supervisor ends.
    public var shutdownOrder: ShutdownOrder
    /// What happens past the intensity: escalate (OTP), keep retrying at the backoff's cap, or
    /// only mark the child crash-looping and keep its backoff.
    public var intensityPolicy: IntensityPolicy

    /// One-for-one, OTP's intensity and escalation, no backoff and no auto-shutdown unless told
    /// otherwise.
    public init(
        strategy: Strategy = .oneForOne,
        intensity: RestartIntensity = .otpDefault,
        backoff: BackoffPolicy? = nil,
        autoShutdown: AutoShutdown = .never,
        shutdownOrder: ShutdownOrder = .reverseStartOrder,
        intensityPolicy: IntensityPolicy = .escalate
    ) {
        self.strategy = strategy
        self.intensity = intensity
        self.backoff = backoff
        self.autoShutdown = autoShutdown
        self.shutdownOrder = shutdownOrder
        self.intensityPolicy = intensityPolicy
    }
}
