/// One reply from Redis, decoded from hiredis's `redisReply`.
public enum RedisReply: Sendable, Equatable {
    /// A simple status such as `OK` or `PONG`.
    case status(String)
    /// A bulk string; binary-safe.
    case bulk([UInt8])
    case integer(Int)
    case array([RedisReply])
    case null
    /// An error reply; ``RedisConnection/command(_:)`` throws these instead of returning them.
    case error(String)

    /// The reply as text, for status and bulk replies (bulk decoded as UTF-8, repairing bad bytes).
    public var string: String? {
        switch self {
        case .status(let text): text
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }
}
