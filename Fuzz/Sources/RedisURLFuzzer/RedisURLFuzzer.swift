import SilvasonicRedis

/// One fuzz input: any bytes (as UTF-8, repaired) as `SILVASONIC_REDIS_URL`. Parsing must not
/// crash, must refuse only with a `RedisError`, and a URL it accepts has a host, a port in range
/// and a database >= 0. (That a password is never shown is checked by the unit tests: checks of
/// it here were fooled by inputs whose other parts repeat the password's text; those inputs are
/// kept in the corpus.)
func fuzzRedisURL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    do {
        let configuration = try RedisConfiguration(url: text)
        precondition(!configuration.host.isEmpty, "empty host accepted")
        precondition((1...65535).contains(configuration.port), "port out of range")
        precondition(configuration.database >= 0, "negative database")
    } catch is RedisError {
        return 0
    } catch {
        preconditionFailure("an error that is not a RedisError: \(error)")
    }
    return 0
}
