#include "ccurl.h"
#include <stdlib.h>
#include <string.h>

void ccurl_global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

CURLcode ccurl_set_url(CURL *handle, const char *url) { return curl_easy_setopt(handle, CURLOPT_URL, url); }

CURLcode ccurl_set_post_body(CURL *handle, const char *body, size_t length) {
    CURLcode rc = curl_easy_setopt(handle, CURLOPT_POST, 1L);
    if (rc != CURLE_OK) return rc;
    rc = curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)length);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(handle, CURLOPT_COPYPOSTFIELDS, body);
}

CURLcode ccurl_set_get(CURL *handle) { return curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L); }

CURLcode ccurl_set_headers(CURL *handle, struct curl_slist *headers) {
    return curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
}

CURLcode ccurl_set_timeouts(CURL *handle, long connect_timeout_ms, long total_timeout_ms) {
    CURLcode rc = curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, total_timeout_ms);
}

CURLcode ccurl_set_cainfo(CURL *handle, const char *path) { return curl_easy_setopt(handle, CURLOPT_CAINFO, path); }

CURLcode ccurl_set_verify(CURL *handle, int verify_peer) {
    CURLcode rc = curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, verify_peer ? 1L : 0L);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, verify_peer ? 2L : 0L);
}

CURLcode ccurl_set_nosignal(CURL *handle) { return curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L); }

static size_t ccurl_write(char *ptr, size_t size, size_t nmemb, void *userdata) {
    ccurl_buffer *buffer = (ccurl_buffer *)userdata;
    size_t n = size * nmemb;
    if (buffer->limit && buffer->length + n > buffer->limit) {
        buffer->overflowed = 1;
        return 0;
    }
    if (buffer->length + n + 1 > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity : 4096;
        while (capacity < buffer->length + n + 1) capacity *= 2;
        char *grown = realloc(buffer->data, capacity);
        if (!grown) return 0;
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->length, ptr, n);
    buffer->length += n;
    buffer->data[buffer->length] = 0;
    return n;
}

CURLcode ccurl_set_response_buffer(CURL *handle, ccurl_buffer *buffer) {
    CURLcode rc = curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, ccurl_write);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(handle, CURLOPT_WRITEDATA, (void *)buffer);
}

CURLcode ccurl_set_error_buffer(CURL *handle, char *buffer) { return curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, buffer); }

long ccurl_response_code(CURL *handle) {
    long code = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

void ccurl_buffer_free(ccurl_buffer *buffer) {
    free(buffer->data);
    buffer->data = NULL;
    buffer->length = 0;
    buffer->capacity = 0;
}
