import CXCrypt
import Foundation

/// bcrypt password hashes (`$2b$`, the contract's `users.password_hash`) through libxcrypt's
/// `crypt_gensalt_ra` and `crypt_ra`; the salt comes from the operating system's randomness.
package enum PasswordHash {
    /// A hash that could not be made or a setting libxcrypt refused.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// `$2b$<cost>$<salt><hash>` for `password`. Cost 12 (the contract's) takes about a quarter
    /// of a second; it is run once per seeded user.
    package static func bcrypt(_ password: String, cost: Int = 12) throws(Failure) -> String {
        guard (4...31).contains(cost) else { throw Failure(description: "bcrypt cost \(cost) is outside 4...31") }
        guard let setting = crypt_gensalt_ra("$2b$", UInt(cost), nil, 0) else {
            throw Failure(description: "no bcrypt salt: \(String(cString: strerror(errno)))")
        }
        defer { free(setting) }
        return try hash(password, setting: setting)
    }

    /// Whether `password` hashes to `hash` (a bcrypt or any other scheme libxcrypt knows).
    package static func verify(_ password: String, against hash: String) -> Bool {
        guard let again = try? hash.withCString({ (setting) throws(Failure) in try Self.hash(password, setting: setting) }) else {
            return false
        }
        // Both are public-format text of equal length; compare without an early exit.
        let left = Array(again.utf8), right = Array(hash.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func hash(_ password: String, setting: UnsafePointer<CChar>) throws(Failure) -> String {
        var data: UnsafeMutableRawPointer?
        var size: Int32 = 0
        defer { free(data) }
        guard let result = crypt_ra(password, setting, &data, &size), result.pointee != CChar(UInt8(ascii: "*")) else {
            throw Failure(description: "libxcrypt refused the setting: \(String(cString: strerror(errno)))")
        }
        return String(cString: result)
    }
}
