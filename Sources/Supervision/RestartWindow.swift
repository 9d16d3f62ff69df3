/// The restart-intensity rule as a pure value: the times of recent restarts, and whether one
/// more is allowed (OTP's `add_restart/3`).
///
/// No clock is read inside: every call is given `now`. The window slides: a restart counts
/// while it is younger than `period`.
public struct RestartWindow<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public let intensity: RestartIntensity
    /// Times of the restarts still inside the window, oldest first.
    public private(set) var restarts: [Instant] = []

    public init(intensity: RestartIntensity) {
        self.intensity = intensity
    }

    /// Records a restart at `now` and says whether it stays within the intensity.
    ///
    /// - Returns: `true` when at most `maxRestarts` restarts (this one included) fall within the
    ///   last `period`; `false` when this one is one too many and the supervisor must give up.
    public mutating func recordRestart(at now: Instant) -> Bool {
        restarts.append(now)
        let start = restarts.firstIndex { $0.duration(to: now) < intensity.period } ?? restarts.endIndex
        restarts.removeFirst(start)
        return restarts.count <= intensity.maxRestarts
    }

    /// Forgets every restart (a supervisor that starts running again begins a new history).
    public mutating func reset() {
        restarts.removeAll()
    }
}
