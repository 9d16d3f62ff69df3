/// The version this build reports with `--version`.
enum ControllerVersion {
    static let current = "0.1.0"
}
