import ControllerCore
import SilvasonicController

/// One fuzz input: any bytes (as UTF-8, repaired) as a seed profile's YAML file. Parsing and
/// validating must not crash: the file is a profile or a problem that names the field; and a
/// valid profile makes a recorder spec whose config reads back as the profile.
func fuzzProfile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    guard let document = try? YAMLDocument.parse(text),
          let profile = try? ProfileSeedFile.validate(document, file: "fuzz.yml") else { return 0 }
    let spec = StationSpecs.recorder(device: .init(id: "fuzz", workspaceName: "fuzz", alsaDevice: nil), profileSlug: profile.slug,
                                     profile: profile.config, settings: StationSettings())
    precondition(!spec.name.isEmpty, "a spec without a name")
    // JSON is YAML: the recorder's config, as stored and handed over, read back.
    let stored = try? YAMLDocument.parse(profile.config.recorderEnvironmentValue)
    let again = stored.flatMap { try? ProfileConfigDecoding.decode($0) }
    precondition(again == profile.config, "a valid profile that does not read back")
    return 0
}
