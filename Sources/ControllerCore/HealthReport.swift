/// The controller's health, judged from facts its children record: the contract's
/// `{"status", "live", "components"}` for `/healthy` and the heartbeat.
///
/// `live` is tied to real progress: the ticker completing reconciles. A backend outage makes
/// the status `error` but leaves the process live (restarting it would not bring the backend
/// back, and every recorder keeps running); a wedged tree is not live.
package struct HealthReport: Sendable, Equatable {
    package struct Component: Sendable, Equatable {
        package var healthy: Bool
        package var details: String
        package var required: Bool

        public init(healthy: Bool, details: String, required: Bool) {
            self.healthy = healthy
            self.details = details
            self.required = required
        }
    }

    /// `ok` when every required component is healthy, else `error`.
    public var status: String
    package var live: Bool
    public var components: [String: Component]

    /// What the children recorded.
    package struct Facts<Instant: InstantProtocol<Duration>>: Sendable {
        package var startedAt: Instant
        /// When the ticker last completed a reconcile.
        package var lastProgress: Instant?
        /// Whether the last read of the desired state succeeded (any reconcile's); `nil` before the first.
        package var databaseReadable: Bool?
        /// Whether the nudge subscription (Redis) and the event stream (Podman) are up.
        package var redisSubscribed = false
        package var podmanSubscribed = false
        public var recording = 0
        /// Devices past their restart intensity, retried at the backoff's cap.
        package var crashLoopingDevices: [String] = []

        public init(startedAt: Instant) { self.startedAt = startedAt }
    }

    /// Judges `facts` at `now`: not live when no reconcile completed within `progressDeadline`
    /// (counted from the start until the first one).
    package static func judge<Instant: InstantProtocol<Duration>>(_ facts: Facts<Instant>, now: Instant,
                                                                 progressDeadline: Duration) -> HealthReport {
        let since = facts.lastProgress ?? facts.startedAt
        let quiet = since.duration(to: now)
        let live = quiet <= progressDeadline
        var components: [String: Component] = [:]
        components["database"] = Component(
            healthy: facts.databaseReadable == true,
            details: facts.databaseReadable.map { $0 ? "desired state read" : "unreachable; every recorder keeps running" }
                ?? "not read yet",
            required: true)
        components["redis"] = Component(healthy: facts.redisSubscribed,
                                        details: facts.redisSubscribed ? "nudges subscribed" : "not subscribed; reconnecting",
                                        required: true)
        components["podman"] = Component(healthy: facts.podmanSubscribed,
                                         details: facts.podmanSubscribed ? "events followed" : "event stream down; reconnecting",
                                         required: true)
        components["devices"] = Component(
            healthy: facts.crashLoopingDevices.isEmpty,
            details: "\(facts.recording) recording"
                + (facts.crashLoopingDevices.isEmpty ? ""
                    : "; crash-looping (retried at the cap): \(facts.crashLoopingDevices.sorted().joined(separator: ", "))"),
            required: false)
        components["reconciler"] = Component(
            healthy: live,
            details: facts.lastProgress == nil ? "no reconcile completed yet" : "last reconcile \(Self.seconds(quiet)) ago",
            required: true)
        let ok = components.values.allSatisfy { $0.healthy || !$0.required }
        return HealthReport(status: ok ? "ok" : "error", live: live, components: components)
    }

    /// `1.2 s`: tenths of a second.
    static func seconds(_ duration: Duration) -> String {
        let tenths = max(0, Int((duration / .milliseconds(100)).rounded()))
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
