public import ControllerCore
public import SilvasonicIO

/// One `profiles/*.yml` seed file, checked against the contract's profile schema (§5).
///
/// The file's document arrives as a ``JSONValue`` (YAML is read by ``YAMLDocument``); every
/// problem names the file, the field and the rule, so an operator can fix it without reading code.
public struct ProfileSeedFile: Sendable, Equatable {
    public var slug: String
    public var name: String
    public var description: String?
    /// The recorder-facing sections, defaults filled: what `microphone_profiles.config` stores.
    public var config: RecorderProfileConfig

    /// Why a seed file was skipped.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var field: String
        package var rule: String
        public var description: String { "\(file): \(field): \(rule)" }
    }

    /// The schema versions this controller understands.
    static let schemaVersions: Set<String> = ["1.0"]

    /// Checks one document read from `file`.
    public static func validate(_ document: JSONValue, file: String) throws(Problem) -> ProfileSeedFile {
        guard case .object = document else {
            throw Problem(file: file, field: "(document)", rule: "a mapping with slug, name and audio")
        }
        func text(_ key: String, required: Bool) throws(Problem) -> String? {
            switch document[key] {
            case nil, .null?:
                if required { throw Problem(file: file, field: key, rule: "required text") }
                return nil
            case .string(let value)?:
                if required, value.isEmpty { throw Problem(file: file, field: key, rule: "required text, not empty") }
                return value
            default:
                throw Problem(file: file, field: key, rule: "text")
            }
        }
        guard let slug = try text("slug", required: true), let name = try text("name", required: true) else {
            throw Problem(file: file, field: "slug", rule: "required text")
        }
        guard slug.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }) else {
            throw Problem(file: file, field: "slug", rule: "lowercase letters, digits and _ only (\"\(slug.prefix(40))\")")
        }
        let description = try text("description", required: false)
        _ = try text("manufacturer", required: false)
        _ = try text("model", required: false)
        if let version = try text("schema_version", required: false), !schemaVersions.contains(version) {
            throw Problem(file: file, field: "schema_version", rule: "one of \(schemaVersions.sorted()) (found \"\(version)\")")
        }
        for section in ["audio", "processing", "stream"] {
            switch document[section] {
            case nil, .null?, .object?: continue
            default: throw Problem(file: file, field: section, rule: "a mapping")
            }
        }
        let config: RecorderProfileConfig
        do {
            config = try ProfileConfigDecoding.decode(document)
        } catch {
            throw Problem(file: file, field: error.field, rule: error.rule)
        }
        return ProfileSeedFile(slug: slug, name: name, description: description, config: config)
    }
}
