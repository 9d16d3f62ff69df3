import CCurl
import Foundation

/// One HTTP exchange's result.
struct HTTPResponse: Sendable {
    var status: Int
    var body: [UInt8]
}

/// Collects a response body; libcurl reaches it through the `void *` of CURLOPT_WRITEDATA.
private final class ResponseBuffer {
    var bytes: [UInt8] = []
}

/// The write callback cannot capture anything: its context is the `ResponseBuffer` pointer.
private let appendToBuffer: silva_curl_data_callback = { data, size, count, context in
    let length = size * count
    guard let context else { return 0 }
    let buffer = Unmanaged<ResponseBuffer>.fromOpaque(context).takeUnretainedValue()
    if let data, length > 0 {
        buffer.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    }
    return length
}

/// `curl_global_init` must run once before any handle is made; Swift runs a global's initialiser once.
let curlGlobalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// Owns one libcurl easy handle and performs blocking HTTP requests over a Unix socket.
///
/// Not thread-safe on its own: it lives inside one actor with its own serial executor.
final class CurlTransport {
    private let handle: UnsafeMutableRawPointer
    private let socketPath: String

    init(socketPath: String) throws {
        _ = curlGlobalInit
        guard let handle = curl_easy_init() else {
            throw PodmanError(code: .unreachable, message: "libcurl could not create a handle")
        }
        self.handle = handle
        self.socketPath = socketPath
    }

    deinit { curl_easy_cleanup(handle) }

    /// Performs one request and returns the status and body; HTTP errors are returned, not thrown.
    /// - Throws: ``PodmanError`` `unreachable` when no HTTP answer came.
    func perform(method: String, path: String, body: [UInt8]?, timeoutMilliseconds: Int) throws -> HTTPResponse {
        curl_easy_reset(handle)
        let buffer = ResponseBuffer()
        let context = Unmanaged.passRetained(buffer)
        defer { context.release() }
        var headers: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headers) }

        var code = silva_curl_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, socketPath)
        code = code == CURLE_OK ? silva_curl_setopt_string(handle, CURLOPT_URL, "http://d" + path) : code
        code = code == CURLE_OK ? silva_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method) : code
        code = code == CURLE_OK ? silva_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds) : code
        code = code == CURLE_OK ? silva_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) : code
        code = code == CURLE_OK ? silva_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, appendToBuffer) : code
        code = code == CURLE_OK ? silva_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque()) : code
        guard code == CURLE_OK else { throw Self.error(code, path) }

        return try (body ?? []).withUnsafeBufferPointer { payload in
            if let base = payload.baseAddress, !payload.isEmpty {
                headers = curl_slist_append(headers, "Content-Type: application/json")
                var set = silva_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers)
                set = set == CURLE_OK
                    ? silva_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(payload.count)) : set
                set = set == CURLE_OK
                    ? silva_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: base)) : set
                guard set == CURLE_OK else { throw Self.error(set, path) }
            }
            let result = curl_easy_perform(handle)
            guard result == CURLE_OK else { throw Self.error(result, path) }
            var status = 0
            _ = silva_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return HTTPResponse(status: status, body: buffer.bytes)
        }
    }

    private static func error(_ code: CURLcode, _ path: String) -> PodmanError {
        let reason = String(cString: curl_easy_strerror(code))
        return PodmanError(code: .unreachable, message: "\(reason) (\(path))")
    }
}
