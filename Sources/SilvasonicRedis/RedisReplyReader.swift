import CHiredis

/// Redis's wire protocol (RESP) read with hiredis's own reader, from bytes: what a connection
/// does with what the server sends, without a server. For tests and the fuzzer of what a
/// hostile or broken server could send (nudges included).
public final class RedisReplyReader {
    private let reader: UnsafeMutablePointer<redisReader>

    public init() {
        guard let reader = redisReaderCreate() else { preconditionFailure("hiredis could not allocate a reader") }
        silvasonic_limit_reader(reader)
        self.reader = reader
    }

    deinit { redisReaderFree(reader) }

    /// Adds bytes the server sent.
    public func feed(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { _ = redisReaderFeed(reader, $0.baseAddress, $0.count) }
        }
    }

    /// The next whole reply; `nil` until more bytes complete one.
    /// - Throws: ``RedisError`` `connectionClosed` when the bytes are not RESP (the reader is
    ///   then unusable, and a connection that read them is dropped).
    public func next() throws(RedisError) -> RedisReply? {
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &raw) == REDIS_OK else {
            let reason = withUnsafeBytes(of: reader.pointee.errstr) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            // hiredis says "Out of memory" for an array refused for its size, too.
            let what = reason == "Out of memory" ? "a reply too large (an array of over 1,000,000 elements)" : reason
            throw RedisError(code: .connectionClosed, message: "not Redis's protocol: \(what)")
        }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return RedisContext.decode(raw.assumingMemoryBound(to: redisReply.self))
    }
}
