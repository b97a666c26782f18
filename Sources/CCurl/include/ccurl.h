#ifndef VETDESK_CCURL_H
#define VETDESK_CCURL_H

#include <stddef.h>
#include <curl/curl.h>

/// A growable byte buffer the write callback appends a response body to.
typedef struct {
    char *data;
    size_t length;
    size_t capacity;
    /// Set when the body grew past `limit` bytes (0 means no limit).
    size_t limit;
    int overflowed;
} ccurl_buffer;

void ccurl_global_init(void);

CURLcode ccurl_set_url(CURL *handle, const char *url);
CURLcode ccurl_set_post_body(CURL *handle, const char *body, size_t length);
CURLcode ccurl_set_get(CURL *handle);
CURLcode ccurl_set_headers(CURL *handle, struct curl_slist *headers);
CURLcode ccurl_set_timeouts(CURL *handle, long connect_timeout_ms, long total_timeout_ms);
CURLcode ccurl_set_cainfo(CURL *handle, const char *path);
CURLcode ccurl_set_verify(CURL *handle, int verify_peer);
CURLcode ccurl_set_nosignal(CURL *handle);
CURLcode ccurl_set_response_buffer(CURL *handle, ccurl_buffer *buffer);
CURLcode ccurl_set_error_buffer(CURL *handle, char *buffer);
long ccurl_response_code(CURL *handle);

void ccurl_buffer_free(ccurl_buffer *buffer);

#endif
