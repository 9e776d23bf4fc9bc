/* SPDX-License-Identifier: MIT
 * The simulated partners' HTTP client: one POST with libcurl, the answer's body kept up to a
 * cap. A client (one per sending thread) keeps its handle, so its connection to the hub is
 * reused: thousands of messages a second would otherwise leave as many sockets in TIME_WAIT
 * and run out of ephemeral ports. Without a client each request has a handle of its own. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "sim/sim_int.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_code = CURLE_FAILED_INIT;

static void curl_init(void)
{
    curl_init_code = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Keeps what fits into the buffer (its cap) and silently drops the rest: only the start of a
 * problem detail matters to the simulator. */
static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct xd_buf *b = ctx;
    size_t len = size * n;
    size_t room = b->max > b->len ? b->max - b->len : 0;
    if (xd_buf_append(b, data, len < room ? len : room) != XD_OK) {
        return 0; /* out of memory: libcurl stops with an error */
    }
    return len;
}

#define RETRY_AFTER_MAX_S 300 /* a longer Retry-After is taken as this */

struct xd_sim__http {
    CURL *c;
    int64_t retry_after_ms; /* of the last answer, 0 when it had none */
};

int64_t xd_sim__http_retry_after_ms(const struct xd_sim__http *h)
{
    return h != NULL ? h->retry_after_ms : 0;
}

enum xd_status xd_sim__http_create(struct xd_sim__http **out)
{
    pthread_once(&curl_once, curl_init);
    struct xd_sim__http *h = curl_init_code == CURLE_OK ? xd_calloc(1, sizeof *h) : NULL;
    if (h == NULL || (h->c = curl_easy_init()) == NULL) {
        xd_free(h);
        return XD_ENOMEM;
    }
    *out = h;
    return XD_OK;
}

void xd_sim__http_destroy(struct xd_sim__http *h)
{
    if (h != NULL) {
        curl_easy_cleanup(h->c);
        xd_free(h);
    }
}

enum xd_status xd_sim__http_post(struct xd_sim__http *client, const char *url, const char *token,
                                 const char *content_type, const char *key, const char *body,
                                 size_t len, uint32_t timeout_ms, long *status,
                                 struct xd_buf *answer, struct xd_error *err)
{
    *status = 0;
    if (client != NULL) {
        client->retry_after_ms = 0;
    }
    pthread_once(&curl_once, curl_init);
    if (curl_init_code != CURLE_OK) {
        return xd_error_set(err, XD_EIO, "libcurl: %s", curl_easy_strerror(curl_init_code));
    }
    CURL *c = client != NULL ? client->c : curl_easy_init();
    struct curl_slist *headers = NULL;
    char line[512];
    enum xd_status st = c != NULL ? XD_OK : XD_ENOMEM;
    const char *values[] = {"Content-Type: ",         content_type, "Idempotency-Key: ", key,
                            "Authorization: Bearer ", token};
    for (size_t i = 0; st == XD_OK && i < XD_ARRAY_LEN(values); i += 2) {
        if (values[i + 1] == NULL) {
            continue;
        }
        int n = snprintf(line, sizeof line, "%s%s", values[i], values[i + 1]);
        struct curl_slist *h =
            n > 0 && (size_t)n < sizeof line ? curl_slist_append(headers, line) : NULL;
        if (h == NULL) {
            st = n > 0 && (size_t)n < sizeof line
                     ? XD_ENOMEM
                     : xd_error_set(err, XD_EINVAL, "header %s too long", values[i]);
        } else {
            headers = h;
        }
    }
    if (st == XD_OK) {
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                         (long)(timeout_ms < 5000 ? timeout_ms : 5000));
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
        CURLcode rc = curl_easy_perform(c);
        if (rc != CURLE_OK) {
            st = xd_error_set(err, XD_EIO, "POST %s: %s", url, curl_easy_strerror(rc));
        } else {
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
            curl_off_t after = 0;
            if (client != NULL && curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &after) == CURLE_OK) {
                client->retry_after_ms =
                    (int64_t)(after < RETRY_AFTER_MAX_S ? after : RETRY_AFTER_MAX_S) * 1000;
            }
        }
    }
    if (c != NULL) {
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL); /* the list is freed below */
        curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
    }
    curl_slist_free_all(headers);
    if (c != NULL && client == NULL) {
        curl_easy_cleanup(c);
    }
    if (st == XD_ENOMEM) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    return st;
}
