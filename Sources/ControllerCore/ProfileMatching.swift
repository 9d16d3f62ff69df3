/// What matching knows of a microphone.
package struct DeviceIdentity: Sendable, Hashable {
    public var vendorID: String?
    public var productID: String?
    /// The ALSA card's long name.
    public var alsaName: String

    public init(vendorID: String?, productID: String?, alsaName: String) {
        self.vendorID = vendorID
        self.productID = productID
        self.alsaName = alsaName
    }
}

/// A profile as matching sees it.
package struct MatchableProfile: Sendable, Hashable {
    public var slug: String
    public var match: RecorderProfileConfig.Match?

    public init(slug: String, match: RecorderProfileConfig.Match?) {
        self.slug = slug
        self.match = match
    }
}

/// The outcome of matching a newly discovered microphone against the profiles (contract §5).
public enum MatchOutcome: Sendable, Hashable {
    /// Enrol with this profile at once (score 100, or the `generic_usb` fallback, with
    /// `system.auto_enrollment` on).
    case enroll(profile: String, score: Int)
    /// Leave pending, with this profile suggested (score 50, or auto-enrollment off).
    case suggest(profile: String, score: Int)
    /// Leave pending: several profiles share the best score, so none is chosen.
    case tie(profiles: [String], score: Int)
    /// Leave pending with no profile: nothing matches and there is no `generic_usb`.
    case noMatch

    /// The `devices.profile_slug` to write for it.
    public var profileSlug: String? {
        switch self {
        case .enroll(let profile, _), .suggest(let profile, _): profile
        case .tie, .noMatch: nil
        }
    }

    /// The `devices.enrollment_status` to write for it.
    public var enrollmentStatus: String {
        if case .enroll = self { return "enrolled" }
        return "pending"
    }
}

/// Scores profiles against a microphone, as the reference does, with the contract's "Do
/// better" rules: a tie between equal best scores stays pending instead of taking whichever
/// profile the database listed first.
package enum ProfileMatching {
    /// The slug of the fallback profile.
    static let genericSlug = "generic_usb"

    /// 100 when vendor and product id both equal (case-insensitive), else 50 when the ALSA name
    /// contains `alsa_name_contains` (case-insensitive), else 0.
    package static func score(_ device: DeviceIdentity, _ match: RecorderProfileConfig.Match?) -> Int {
        guard let match else { return 0 }
        if let vendor = match.usbVendorID, let product = match.usbProductID, !vendor.isEmpty, !product.isEmpty,
           let deviceVendor = device.vendorID, let deviceProduct = device.productID,
           vendor.lowercased() == deviceVendor.lowercased(), product.lowercased() == deviceProduct.lowercased() {
            return 100
        }
        if let contains = match.alsaNameContains, !contains.isEmpty,
           device.alsaName.lowercased().contains(contains.lowercased()) {
            return 50
        }
        return 0
    }

    /// Matches a microphone seen for the first time.
    public static func match(_ device: DeviceIdentity, profiles: [MatchableProfile], autoEnrollment: Bool) -> MatchOutcome {
        let scored = profiles.map { (slug: $0.slug, score: score(device, $0.match)) }
        let best = scored.map(\.score).max() ?? 0
        guard best > 0 else {
            guard profiles.contains(where: { $0.slug == genericSlug }) else { return .noMatch }
            return autoEnrollment ? .enroll(profile: genericSlug, score: 0) : .suggest(profile: genericSlug, score: 0)
        }
        let winners = scored.filter { $0.score == best }.map(\.slug).sorted()
        guard winners.count == 1, let winner = winners.first else { return .tie(profiles: winners, score: best) }
        return best >= 100 && autoEnrollment ? .enroll(profile: winner, score: best) : .suggest(profile: winner, score: best)
    }
}
