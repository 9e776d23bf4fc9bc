/* SPDX-License-Identifier: MIT
 * The HTTP client of commands that talk to a running hub (libcurl, one request at a time).
 * The token is sent, never printed. */
#include "cli/remote.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#define DEFAULT_URL "http://127.0.0.1:8080"
#define TIMEOUT_S   60L

bool xd_remote_init(struct xd_remote *r, const char *cmd, int *argc, char **argv)
{
    const char *url = getenv("CROSSDOCK_URL");
    const char *token = getenv("CROSSDOCK_TOKEN");
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        bool is_url = strcmp(argv[i], "--url") == 0;
        if (!is_url && strcmp(argv[i], "--token") != 0) {
            argv[out++] = argv[i];
            continue;
        }
        if (i + 1 >= *argc) {
            fprintf(stderr, "crossdock %s: missing value for %s\n", cmd, argv[i]);
            return false;
        }
        *(is_url ? &url : &token) = argv[++i];
    }
    *argc = out;
    argv[out] = NULL;
    if (url == NULL || url[0] == '\0') {
        url = DEFAULT_URL;
    }
    if (token == NULL || token[0] == '\0') {
        fprintf(stderr, "crossdock %s: no token: pass --token or set CROSSDOCK_TOKEN\n", cmd);
        return false;
    }
    size_t ul = strlen(url);
    while (ul > 0 && url[ul - 1] == '/') {
        ul--;
    }
    if (ul >= sizeof r->url || strlen(token) >= sizeof r->token) {
        fprintf(stderr, "crossdock %s: --url or --token too long\n", cmd);
        return false;
    }
    memcpy(r->url, url, ul);
    r->url[ul] = '\0';
    memcpy(r->token, token, strlen(token) + 1);
    return true;
}

static size_t collect(char *data, size_t size, size_t nmemb, void *arg)
{
    return xd_buf_append(arg, data, size * nmemb) == XD_OK ? size * nmemb : 0;
}

enum xd_status xd_remote_call(const struct xd_remote *r, const char *method, const char *path,
                              const char *body, long *status, struct xd_buf *answer,
                              struct xd_error *err)
{
    CURL *c = curl_easy_init();
    if (c == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    struct xd_buf url;
    struct xd_buf auth;
    xd_buf_init(&url, 4096);
    xd_buf_init(&auth, 1024);
    enum xd_status st = xd_buf_printf(&url, "%s%s", r->url, path);
    if (st == XD_OK) {
        st = xd_buf_printf(&auth, "Authorization: Bearer %s", r->token);
    }
    struct curl_slist *h = NULL;
    if (st == XD_OK) {
        h = curl_slist_append(h, auth.data);
        h = h != NULL ? curl_slist_append(h, "Content-Type: application/json") : NULL;
        h = h != NULL ? curl_slist_append(h, "Expect:") : NULL;
        st = h != NULL ? XD_OK : XD_ENOMEM;
    }
    if (st == XD_OK) {
        curl_easy_setopt(c, CURLOPT_URL, url.data);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, TIMEOUT_S);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        if (body != NULL) {
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        }
        CURLcode rc = curl_easy_perform(c);
        if (rc != CURLE_OK) {
            st = xd_error_set(err, XD_EIO, "cannot reach the hub at %s: %s", r->url,
                              curl_easy_strerror(rc));
        } else {
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
        }
    } else {
        xd_error_set(err, st, "out of memory");
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (auth.data != NULL) {
        memset(auth.data, 0, auth.len);
    }
    xd_buf_cleanup(&auth);
    xd_buf_cleanup(&url);
    return st;
}

void xd_remote_print_problem(FILE *f, const char *cmd, long status, const struct xd_buf *answer)
{
    json_error_t je;
    json_t *p = answer->data != NULL ? json_loadb(answer->data, answer->len, 0, &je) : NULL;
    const char *title = json_string_value(json_object_get(p, "title"));
    const char *detail = json_string_value(json_object_get(p, "detail"));
    fprintf(f, "crossdock %s: %ld %s%s%s\n", cmd, status, title ? title : "error",
            detail ? ": " : "", detail ? detail : "");
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(p, "errors"), i, e)
    {
        fprintf(f, "  %s: %s\n", json_string_value(json_object_get(e, "path")),
                json_string_value(json_object_get(e, "message")));
    }
    json_decref(p);
}
