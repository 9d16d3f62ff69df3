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

    /// The newest modification (epoch seconds) of a file in each of `workspaces` that has one,
    /// and forgets the others it read before (devices gone since). The directories are read on
    /// a Dispatch thread, never the cooperative pool: a workspace can hold thousands of files.
    func newest(in workspaces: Set<String>, now: ContinuousClock.Instant = .now) async -> [String: Double] {
        let fresh = readings.withLock { readings in
            readings = readings.filter { workspaces.contains($0.key) }
            return readings.filter { $0.value.at.duration(to: now) < maximumAge }
        }
        let stale = workspaces.filter { fresh[$0] == nil }
        let read: [String: Reading] = stale.isEmpty ? [:] : await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var read: [String: Reading] = [:]
                for workspace in stale {
                    let newest = WorkspaceScan.fingerprint(of: workspace).flatMap { $0.files > 0 ? $0.newestModification : nil }
                    read[workspace] = Reading(at: now, newest: newest)
                }
                continuation.resume(returning: read)
            }
        }
        readings.withLock { $0.merge(read) { $1 } }
        return fresh.merging(read) { $1 }.compactMapValues(\.newest)
    }
}
