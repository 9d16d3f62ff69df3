/// What a recorder's workspace looks like at one moment: enough to tell whether a segment file
/// was created or grew since another moment, without keeping the listing.
package struct WorkspaceFingerprint: Sendable, Hashable {
    /// Regular files in the workspace (and its subdirectories, as far as they are read).
    public var files: Int
    /// Their sizes added up.
    public var bytes: Int64
    /// The newest modification time among them, in seconds since the epoch (0 when empty).
    package var newestModification: Double

    public init(files: Int, bytes: Int64, newestModification: Double) {
        self.files = files
        self.bytes = bytes
        self.newestModification = newestModification
    }
}

/// Whether a recorder still writes audio, judged from its workspace while its heartbeat is
/// missing (contract, "Do better": a recorder started while Redis was down never heartbeats but
/// records; judge it by its workspace too). A pure value: the caller reads the workspace and
/// the clock and hands both in.
///
/// Observation starts with the first reading (the baseline). Any change of the fingerprint
/// (a file created, grown, rewritten or removed) is progress. ``Verdict/stalled`` means no
/// change for `window` (several segment durations) since the last change, or since the
/// baseline when none came; a workspace that cannot be read shows no progress.
package struct WorkspaceProgress<Instant: InstantProtocol<Duration>>: Sendable {
    /// What the observations so far say.
    package enum Verdict: Sendable, Equatable {
        /// Not enough time observed to say.
        case watching
        /// A change within the window: the recorder writes.
        case progressing
        /// No change for the whole window: the recorder does not write.
        case stalled
    }

    /// How long without a change means stalled.
    public let window: Duration
    private var started: Instant?
    private var last: WorkspaceFingerprint?
    private var lastChange: Instant?

    public init(window: Duration) {
        self.window = window
    }

    /// Takes one reading (`nil`: the workspace could not be read) at `now`.
    package mutating func observe(_ fingerprint: WorkspaceFingerprint?, now: Instant) -> Verdict {
        guard let started else {
            self.started = now
            last = fingerprint
            return .watching
        }
        if let fingerprint {
            if let last, last != fingerprint { lastChange = now }
            last = fingerprint
        }
        if let lastChange, lastChange.duration(to: now) < window { return .progressing }
        return (lastChange ?? started).duration(to: now) >= window ? .stalled : .watching
    }

    /// Forgets every reading (the heartbeat came back).
    package mutating func reset() {
        started = nil
        last = nil
        lastChange = nil
    }
}
