import SilvasonicRedis

/// One fuzz input: any bytes (as UTF-8, repaired) as `SILVASONIC_REDIS_URL`. Parsing must not
/// crash; a URL it accepts has a host, a port in range and a database >= 0; a refusal never
/// shows the password.
func fuzzRedisURL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    do {
        let configuration = try RedisConfiguration(url: text)
        precondition(!configuration.host.isEmpty, "empty host accepted")
        precondition((1...65535).contains(configuration.port), "port out of range")
        precondition(configuration.database >= 0, "negative database")
        // The description is the user, host, port and database: the password shows only where
        // the same text is part of those (found: `redis://sil\u{F6}@dis://sil\u{F6}@r`).
        if let password = configuration.password, password.count >= 4 {
            let shown = "redis://\(configuration.username ?? "")@\(configuration.host):\(configuration.port)/\(configuration.database)"
            precondition(!configuration.description.contains(password) || shown.contains(password), "password in the description")
        }
    } catch let error as RedisError {
        // The credentials are between "//" and the last "@": their password part never shows.
        if let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://"), scheme.upperBound <= at {
            let credentials = text[scheme.upperBound..<at]
            if let colon = credentials.firstIndex(of: ":") {
                let secret = credentials[credentials.index(after: colon)...]
                if secret.count >= 4 { precondition(!error.message.contains(secret), "password in the error") }
            }
        }
    } catch {
        preconditionFailure("an error that is not a RedisError: \(error)")
    }
    return 0
}
