import Foundation

/// The real PostgreSQL, Redis and Podman that `deploy/dev/test.sh` starts for the test run.
///
/// The script exports their settings as the contract's `SILVASONIC_*` variables. A test that
/// needs a backend asks for it here and fails with instructions when the variables are missing:
/// these tests never silently skip.
public enum TestServices {
    /// The process environment.
    public static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The value of `name`, or an error that says how to start the services.
    public static func require(_ name: String) throws -> String {
        guard let value = environment[name], !value.isEmpty else {
            throw MissingService(variable: name)
        }
        return value
    }

    /// Raised when the test services were not started.
    public struct MissingService: Error, CustomStringConvertible {
        public var variable: String
        public var description: String {
            """
            \(variable) is not set: run the tests with deploy/dev/test.sh, or start the services with \
            `deploy/dev/services.sh up` and export the lines it prints.
            """
        }
    }

    /// A name no other test run on this machine uses: for containers, channels and keys.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
    }
}
