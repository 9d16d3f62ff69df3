#ifndef SILVASONIC_CCURL_SHIM_H
#define SILVASONIC_CCURL_SHIM_H
/*
 * curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call.
 * These static inline wrappers give each argument kind a typed entry point.
 */
#include <curl/curl.h>

typedef size_t (*silva_curl_data_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode silva_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode silva_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode silva_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode silva_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode silva_curl_setopt_data_callback(CURL *handle, CURLoption option, silva_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode silva_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode silva_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode silva_curl_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode silva_curl_getinfo_offset(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
