import Foundation

/// A failure talking to Podman; `description` is safe to log and says what to check.
public struct PodmanError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// The socket could not be reached (missing, refused, timed out, dropped).
        case unreachable
        /// Podman answered with an HTTP error status (500: the engine failed; the message says why).
        case requestFailed
        /// No such container, image or network (HTTP 404).
        case notFound
        /// The name is taken or the container is in the wrong state (HTTP 409).
        case conflict
        /// The answer could not be decoded.
        case invalidResponse
        /// A stream (a followed log, the event stream) ended; followers reopen it.
        case streamEnded
    }

    package var code: Code
    /// What was attempted and Podman's own message (with its cause, when it gave one).
    public var message: String
    /// The HTTP status, when Podman answered.
    public var status: Int?

    public init(code: Code, message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    /// The error an HTTP response stands for, or `nil` for a 2xx.
    init?(response: HTTPResponse, what: String) {
        guard !(200..<300).contains(response.status) else { return nil }
        struct Failure: Decodable { var message: String?; var cause: String? }
        let failure = try? JSONDecoder().decode(Failure.self, from: Data(response.body))
        var text = failure?.message ?? String(decoding: response.body.prefix(512), as: UTF8.self)
        if let cause = failure?.cause, !cause.isEmpty, !text.contains(cause) { text += " (cause: \(cause))" }
        self.init(code: Self.code(status: response.status, cause: failure?.cause ?? ""),
                  message: "\(what): \(text)", status: response.status)
    }

    /// The code for an HTTP status and Podman's `cause`: Podman 4 answers some of its 404 and
    /// 409 cases with a 500 and says which in `cause`.
    package static func code(status: Int, cause: String) -> Code {
        switch status {
        case 404: return .notFound
        case 409: return .conflict
        default:
            let notFound = ["no such container", "no such image", "image not known", "no such network", "network not found"]
            let conflict = ["already in use", "container state improper", "is not running"]
            if notFound.contains(where: cause.contains) { return .notFound }
            if conflict.contains(where: cause.contains) { return .conflict }
            return .requestFailed
        }
    }

    /// Podman refused because the container's exit is still being cleaned up (a conflict whose
    /// message says its state is `stopped`): the same request succeeds once it has settled.
    var isExitSettling: Bool {
        code == .conflict && message.contains("container state improper: stopped")
    }

    public var description: String {
        if let status { return "Podman \(code.rawValue) (HTTP \(status)): \(message)" }
        return "Podman \(code.rawValue): \(message)"
    }
}
