import CCurl

/// One streaming GET: its curl easy handle and its callbacks.
///
/// `@unchecked Sendable`: it is made on the caller's thread and handed to the loop through the
/// loop's mutex (which orders the hand-over); from then on its mutable state (`status`,
/// `errorBody`, `ended`) is touched only by libcurl's callbacks and `CurlStreamLoop.run`, all on
/// the loop's one thread.
final class StreamTransfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    private let handlers: StreamHandlers
    private var context: Unmanaged<StreamTransfer>?
    private var status: Int?
    private var errorBody: [UInt8] = []
    private var hasEnded = false

    init?(socketPath: String, path: String, handlers: StreamHandlers) {
        _ = curlGlobalInit
        guard let easy = curl_easy_init() else { return nil }
        self.easy = easy
        self.handlers = handlers
        let context = Unmanaged.passRetained(self)
        self.context = context
        var code = silva_curl_setopt_string(easy, CURLOPT_UNIX_SOCKET_PATH, socketPath)
        code = code == CURLE_OK ? silva_curl_setopt_string(easy, CURLOPT_URL, "http://d" + path) : code
        code = code == CURLE_OK ? silva_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1) : code
        code = code == CURLE_OK ? silva_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, 10_000) : code
        code = code == CURLE_OK ? silva_curl_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, streamWrite) : code
        code = code == CURLE_OK ? silva_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, context.toOpaque()) : code
        code = code == CURLE_OK ? silva_curl_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, streamHeader) : code
        code = code == CURLE_OK ? silva_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, context.toOpaque()) : code
        if code != CURLE_OK {
            context.release()
            self.context = nil
            curl_easy_cleanup(easy)
            return nil
        }
    }

    deinit { curl_easy_cleanup(easy) }

    /// A header line arrived; the blank one ends the headers and reveals the status.
    fileprivate func header(_ line: UnsafeRawBufferPointer) {
        guard line.count <= 2, status == nil else { return }
        var code = 0
        _ = silva_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
        // 1xx answers (100 Continue) are followed by the real ones.
        guard code >= 200 else { return }
        status = code
        if (200..<300).contains(code) { handlers.opened() }
    }

    fileprivate func body(_ bytes: UnsafeRawBufferPointer) {
        if let status, !(200..<300).contains(status) {
            if errorBody.count < 65_536 { errorBody.append(contentsOf: bytes.prefix(65_536 - errorBody.count)) }
            return
        }
        handlers.data(Array(bytes))
    }

    /// libcurl finished the transfer with `code`.
    func complete(_ code: CURLcode) {
        if code != CURLE_OK {
            end(.failed(String(cString: curl_easy_strerror(code))))
        } else if let status, !(200..<300).contains(status) {
            end(.httpError(status: status, body: errorBody))
        } else {
            end(.finished)
        }
    }

    /// Reports the end once and drops the callbacks' hold on this transfer.
    func end(_ reason: StreamEnd) {
        guard !hasEnded else { return }
        hasEnded = true
        handlers.ended(reason)
        context?.release()
        context = nil
    }
}

/// libcurl's callbacks cannot capture: the transfer comes back through the `void *` context.
private let streamWrite: silva_curl_data_callback = { data, size, count, context in
    let length = size * count
    guard let context else { return 0 }
    let transfer = Unmanaged<StreamTransfer>.fromOpaque(context).takeUnretainedValue()
    if let data, length > 0 { transfer.body(UnsafeRawBufferPointer(start: data, count: length)) }
    return length
}

private let streamHeader: silva_curl_data_callback = { data, size, count, context in
    let length = size * count
    guard let context, let data else { return length }
    Unmanaged<StreamTransfer>.fromOpaque(context).takeUnretainedValue()
        .header(UnsafeRawBufferPointer(start: data, count: length))
    return length
}
