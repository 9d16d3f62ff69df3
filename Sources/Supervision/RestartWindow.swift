/// The restart-intensity rule as a pure value: the times of recent restarts, and whether one
/// more is allowed (OTP's `add_restart/3`).
///
/// No clock is read inside: every call is given `now`. The window slides: a restart counts
/// while it is younger than `period`. Recording a restart costs amortised O(1), however many
/// restarts the window holds.
public struct RestartWindow<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// The rule this window enforces.
    public let intensity: RestartIntensity
    /// Restart times, oldest first; those before `head` have left the window.
    private var times: [Instant] = []
    private var head = 0

    /// An empty window for `intensity`.
    public init(intensity: RestartIntensity) {
        self.intensity = intensity
    }

    /// Times of the restarts still inside the window, oldest first.
    public var restarts: ArraySlice<Instant> { times[head...] }

    /// Records a restart at `now` and says whether it stays within the intensity.
    ///
    /// - Returns: `true` when at most `maxRestarts` restarts (this one included) fall within the
    ///   last `period`; `false` when this one is one too many and the supervisor must give up.
    public mutating func recordRestart(at now: Instant) -> Bool {
        times.append(now)
        while head < times.count, times[head].duration(to: now) >= intensity.period { head += 1 }
        if head > 64, head * 2 > times.count {
            times.removeFirst(head)
            head = 0
        }
        return times.count - head <= intensity.maxRestarts
    }

    /// Forgets every restart (a supervisor that starts running again begins a new history).
    public mutating func reset() {
        times.removeAll()
        head = 0
    }
}
