/// A point in a supervisor's time: how long after the supervisor's origin (an instant of its
/// clock, taken when it was made).
///
/// The supervisor's pure core keeps its times in this one concrete type whatever the clock, so
/// that its code is specialised once; the actor converts its clock's instants at the edge.
struct SupervisorTime: InstantProtocol {
    /// How long after the origin.
    var sinceOrigin: Duration

    func advanced(by duration: Duration) -> SupervisorTime {
        SupervisorTime(sinceOrigin: sinceOrigin + duration)
    }

    func duration(to other: SupervisorTime) -> Duration {
        other.sinceOrigin - sinceOrigin
    }

    static func < (lhs: SupervisorTime, rhs: SupervisorTime) -> Bool {
        lhs.sinceOrigin < rhs.sinceOrigin
    }
}
