import CHiredis
#if canImport(Glibc)
import Glibc
#endif

/// Owns one hiredis context: connects, sends argv commands, reads replies, frees it on deinit.
///
/// Not thread-safe on its own: each instance lives inside exactly one actor that runs on its
/// own serial executor, which is what makes the blocking hiredis calls safe to make here.
final class RedisContext {
    private let context: UnsafeMutablePointer<redisContext>
    let configuration: RedisConfiguration

    init(configuration: RedisConfiguration) throws {
        self.configuration = configuration
        var timeout = timeval(tv_sec: configuration.connectTimeoutSeconds, tv_usec: 0)
        guard let context = redisConnectWithTimeout(configuration.host, Int32(configuration.port), timeout) else {
            throw RedisError(code: .connectionFailed, message: "\(configuration): out of memory")
        }
        if context.pointee.err != 0 {
            let reason = Self.errorText(context)
            redisFree(context)
            throw RedisError(code: .connectionFailed, message: "\(configuration): \(reason)")
        }
        self.context = context
        // A reply that announces more than a million elements is refused, not allocated.
        silvasonic_limit_reader(context.pointee.reader)
        timeout = timeval(tv_sec: configuration.commandTimeoutSeconds, tv_usec: 0)
        _ = redisSetTimeout(context, timeout)
        // Keepalive probes notice a peer that vanished without closing (a pulled cable), which
        // an idle subscription would otherwise wait on forever.
        _ = redisEnableKeepAlive(context)
        if let password = configuration.password {
            // Redis 6's ACL users authenticate with a name too; without one, the default user.
            _ = try command(configuration.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        }
        if configuration.database != 0 {
            _ = try command(["SELECT", String(configuration.database)])
        }
    }

    deinit { redisFree(context) }

    /// How long a blocking read waits before it fails with `connectionClosed`.
    func setReadTimeout(seconds: Double) {
        let whole = seconds.rounded(.down)
        let timeout = timeval(tv_sec: Int(whole), tv_usec: Int((seconds - whole) * 1_000_000))
        _ = redisSetTimeout(context, timeout)
    }

    /// Sends one command and reads its reply. Error replies are thrown.
    func command(_ arguments: [String]) throws -> RedisReply {
        try command(arguments.map { Array($0.utf8) })
    }

    /// Sends one binary-safe command and reads its reply. Error replies are thrown.
    func command(_ arguments: [[UInt8]]) throws -> RedisReply {
        try append(arguments)
        return try readReply()
    }

    /// Sends one command without reading the reply (for SUBSCRIBE, whose replies are read later).
    func append(_ arguments: [String]) throws {
        try append(arguments.map { Array($0.utf8) })
    }

    /// Sends one binary-safe command without reading the reply.
    func append(_ byteArguments: [[UInt8]]) throws {
        let status = withArgv(byteArguments) { argc, argv, lengths in
            redisAppendCommandArgv(context, argc, argv, lengths)
        }
        guard status == REDIS_OK else { throw closedError() }
    }

    /// Reads the next reply, blocking up to the read timeout.
    func readReply() throws -> RedisReply {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
            if context.pointee.err == REDIS_ERR_IO, errno == EAGAIN || errno == EWOULDBLOCK {
                throw RedisError(code: .timedOut, message: "\(configuration): no reply within the read timeout")
            }
            throw closedError()
        }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        let decoded = Self.decode(reply)
        if case .error(let message) = decoded {
            throw RedisError(code: .commandFailed, message: message)
        }
        return decoded
    }

    /// The socket, for a readiness source.
    var descriptor: Int32 { context.pointee.fd }

    /// Reads what the socket has into hiredis's buffer; call it only when the socket is readable.
    /// - Throws: ``RedisError`` `connectionClosed` at end of file or on an error.
    func readAvailable() throws {
        guard redisBufferRead(context) == REDIS_OK else { throw closedError() }
    }

    /// The next complete reply already in hiredis's buffer, without reading the socket.
    func bufferedReply() throws -> RedisReply? {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReplyFromReader(context, &raw) == REDIS_OK else { throw closedError() }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return Self.decode(raw.assumingMemoryBound(to: redisReply.self))
    }

    private func closedError() -> RedisError {
        RedisError(code: .connectionClosed, message: "\(configuration): \(Self.errorText(context))")
    }

    private func withArgv<R>(_ arguments: [[UInt8]],
                             _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R) -> R {
        let buffers = arguments.map { bytes -> UnsafeMutablePointer<CChar> in
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
            bytes.withUnsafeBufferPointer { source in
                if let base = source.baseAddress {
                    UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: bytes.count)
                }
            }
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var argv = buffers.map { UnsafePointer<CChar>($0) as UnsafePointer<CChar>? }
        let lengths = arguments.map(\.count)
        return argv.withUnsafeMutableBufferPointer { argvBuffer in
            lengths.withUnsafeBufferPointer { lengthBuffer in
                body(Int32(arguments.count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
            }
        }
    }

    static func decode(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STATUS:
            return .status(text(value.str, value.len))
        case REDIS_REPLY_ERROR:
            return .error(text(value.str, value.len))
        case REDIS_REPLY_STRING:
            guard let str = value.str else { return .bulk([]) }
            return .bulk(Array(UnsafeRawBufferPointer(start: str, count: Int(value.len))))
        case REDIS_REPLY_INTEGER:
            return .integer(Int(value.integer))
        case REDIS_REPLY_ARRAY:
            guard let elements = value.element else { return .array([]) }
            return .array((0..<Int(value.elements)).compactMap { index in
                elements[index].map { decode($0) }
            })
        default:
            return .null
        }
    }

    private static func text(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { bytes in
            let text = bytes.prefix { $0 != 0 }
            return text.isEmpty ? "unknown error \(context.pointee.err)" : String(decoding: text, as: UTF8.self)
        }
    }
}
