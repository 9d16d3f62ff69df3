import Foundation
import Synchronization

/// When each workspace last had a file written, for `status`: read from the directory
/// (``WorkspaceScan``) at most once per `maximumAge` per workspace, so that a `status --watch`
/// every two seconds does not walk a workspace of thousands of segments each time. Nothing is
/// read until `status` is asked for.
final class LastSegmentCache: Sendable {
    private struct Reading {
        var at: ContinuousClock.Instant
        var newest: Double?
    }

    private let readings = Mutex<[String: Reading]>([:])
    private let maximumAge: Duration

    init(maximumAge: Duration = .seconds(10)) {
        self.maximumAge = maximumAge
    }

    /// The newest modification (epoch seconds) of a file in `workspace`; `nil` when it has no
    /// file or cannot be read.
    func newest(in workspace: String, now: ContinuousClock.Instant = .now) -> Double? {
        if let reading = readings.withLock({ $0[workspace] }), reading.at.duration(to: now) < maximumAge { return reading.newest }
        let newest = WorkspaceScan.fingerprint(of: workspace).flatMap { $0.files > 0 ? $0.newestModification : nil }
        readings.withLock { $0[workspace] = Reading(at: now, newest: newest) }
        return newest
    }

    /// Forgets the workspaces not in `kept` (devices gone since).
    func keep(only kept: Set<String>) {
        readings.withLock { readings in readings = readings.filter { kept.contains($0.key) } }
    }
}
