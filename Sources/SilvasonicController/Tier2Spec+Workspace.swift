import ControllerCore
import Foundation
import SilvasonicIO

extension Tier2Spec {
    /// Where the controller itself sees the container's (first) read-write mount: the
    /// recorder's workspace, whose progress the heartbeat watch reads.
    var controllerWorkspace: String? {
        mounts.first { !$0.readOnly }.map { $0.controllerSource ?? $0.source }
    }

    /// The recorder's segment length, from the profile sections the spec hands it
    /// (`SILVASONIC_RECORDER_CONFIG_JSON`, `stream.segment_duration_s`); `nil` when it has none.
    var segmentDuration: Duration? {
        guard let text = environment["SILVASONIC_RECORDER_CONFIG_JSON"],
              let config = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        switch config["stream"]?["segment_duration_s"] {
        case .int(let seconds)? where seconds > 0: return .seconds(seconds)
        case .double(let seconds)? where seconds > 0: return .milliseconds(Int64((seconds * 1000).rounded()))
        default: return nil
        }
    }
}
