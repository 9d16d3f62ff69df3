package import SilvasonicIO

/// What the seeders insert when it is absent: `system_config` rows, `managed_services` rows and
/// the admin user, read from a defaults file (`deploy/config/defaults.yml`) with an optional
/// override file merged over it.
///
/// ```yaml
/// system_config:
///   system: {latitude: null, longitude: null, max_recorders: 5, station_name: Silvasonic MVP, auto_enrollment: true}
/// managed_services:
///   birdnet: true
/// auth:
///   default_username: admin
///   default_password: change-me
/// ```
package struct StationDefaults: Sendable, Equatable {
    /// `system_config` rows by key.
    var systemConfig: [String: JSONValue] = [:]
    /// `managed_services` rows: name → enabled.
    package var managedServices: [String: Bool] = [:]
    /// The admin user to create when no user of that name exists.
    var adminUsername: String?
    var adminPassword: String?

    public init() {}

    /// Reads the merged document; a section of the wrong shape is skipped and named in `problems`.
    public static func from(_ document: JSONValue) -> (defaults: StationDefaults, problems: [String]) {
        var defaults = StationDefaults()
        var problems: [String] = []
        // No document (an empty file, or none read: said where it was read) has no sections.
        if document == .null { return (defaults, []) }
        guard case .object(let sections) = document else {
            return (defaults, ["the document is not a mapping of sections (system_config, managed_services, auth)"])
        }
        switch sections["system_config"] {
        case nil, .null?: break
        case .object(let rows)?: defaults.systemConfig = rows
        default: problems.append("system_config: a mapping of keys to values")
        }
        switch sections["managed_services"] {
        case nil, .null?: break
        case .object(let rows)?:
            for (name, value) in rows {
                if case .bool(let enabled) = value { defaults.managedServices[name] = enabled } else {
                    problems.append("managed_services.\(name): true or false")
                }
            }
        default: problems.append("managed_services: a mapping of service names to true or false")
        }
        switch sections["auth"] {
        case nil, .null?: break
        case .object(let auth)?:
            let username = auth["default_username"]?.stringValue, password = auth["default_password"]?.stringValue
            if let username, !username.isEmpty, let password, !password.isEmpty {
                defaults.adminUsername = username
                defaults.adminPassword = password
            } else {
                problems.append("auth: default_username and default_password, both non-empty text")
            }
        default: problems.append("auth: a mapping with default_username and default_password")
        }
        for name in sections.keys.sorted() where !["system_config", "managed_services", "auth"].contains(name) {
            problems.append("\(name): not a section this controller knows (ignored)")
        }
        return (defaults, problems)
    }

    /// `override` merged over `base`: mappings key by key, recursively; anything else (a null
    /// included) replaced. An empty override file (`.null`) changes nothing.
    package static func merge(_ base: JSONValue, _ override: JSONValue) -> JSONValue {
        override == .null ? base : merged(base, override)
    }

    private static func merged(_ base: JSONValue, _ override: JSONValue) -> JSONValue {
        guard case .object(var result) = base, case .object(let changes) = override else { return override }
        for (key, value) in changes { result[key] = result[key].map { merged($0, value) } ?? value }
        return .object(result)
    }
}
