/// The periodic scan's interval: `SILVASONIC_SCAN_INTERVAL_S` seconds (default 1.0).
package enum ScanInterval {
    /// The contract's default.
    package static let standard = Duration.seconds(1)

    /// Reads `SILVASONIC_SCAN_INTERVAL_S`; a missing, unparsable, non-positive or absurd value
    /// (over an hour) gives the default, and the reason, so the caller can log it.
    public static func from(environment: [String: String]) -> (interval: Duration, problem: String?) {
        guard let text = environment["SILVASONIC_SCAN_INTERVAL_S"], !text.isEmpty else { return (standard, nil) }
        // A millisecond at least: less rounds to no wait, a scan loop that never sleeps.
        guard let seconds = Double(text), seconds >= 0.001, seconds <= 3600 else {
            return (standard, "SILVASONIC_SCAN_INTERVAL_S must be a number of seconds from 0.001 to 3600; got \"\(text)\", using 1.0")
        }
        return (.milliseconds(Int64((seconds * 1000).rounded())), nil)
    }
}
