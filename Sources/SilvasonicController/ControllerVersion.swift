/// The controller's version: what `--version` prints, `/metrics` reports in
/// `silvasonic_build_info` and the image tests expect. Set here only.
package enum ControllerVersion {
    package static let current = "0.1.0"
}
