/* SPDX-License-Identifier: MIT
 * Tryton's JSON-RPC over HTTP (libcurl easy interface, one connection kept per handle):
 * POST {"id", "method", "params"} to <url>/<database>/, common.db.login for a session, then
 * "Authorization: Session base64(user:uid:session)". Answers are {"id", "result"} or
 * {"id", "error": [name, [message, description ...]]} for Tryton's own exceptions and
 * [text, traceback] for others. Decimals travel as {"__class__": "Decimal", "decimal": "2.50"},
 * dates as {"__class__": "date", "year", "month", "day"}.
 * Threads: the handle's thread only. */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "erp/erp_int.h"

struct answer {
    struct xd_buf body;
    bool too_big;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct answer *a = arg;
    size_t n = size * nmemb;
    if (xd_buf_append(&a->body, data, n) != XD_OK) {
        a->too_big = true;
        return 0;
    }
    return n;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const atomic_bool *cancel = arg;
    return cancel != NULL && atomic_load(cancel) ? 1 : 0;
}

/* POST <body> and read the answer. XD_OK with the HTTP status in *status (any); XD_EUNAVAIL
 * when no answer came. */
static enum xd_status post(struct xd_erp *e, const char *body, struct answer *a, long *status,
                           struct xd_error *err)
{
    CURL *c = e->curl;
    if (c == NULL) {
        c = curl_easy_init();
        if (c == NULL) {
            return xd_error_set(err, XD_ENOMEM, "cannot create an HTTP handle");
        }
        e->curl = c;
    }
    curl_easy_reset(c);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    struct curl_slist *h2 = h != NULL && e->session != NULL ? curl_slist_append(h, e->session) : h;
    if (h == NULL || h2 == NULL) {
        curl_slist_free_all(h);
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, e->rpc_url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h2);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)e->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (e->cancel != NULL) {
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)e->cancel);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(h2);
    if (a->too_big) {
        return xd_error_set(err, XD_ETOOBIG, "Tryton's answer is larger than %zu bytes",
                            XD_ERP_RESPONSE_MAX);
    }
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
        return xd_error_set(err, XD_ECLOSED, "the call to Tryton was abandoned: stopping");
    }
    if (rc != CURLE_OK) {
        return xd_error_set(err, XD_EUNAVAIL, "Tryton at %s cannot be reached: %s", e->rpc_url,
                            errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    return XD_OK;
}

static void fault_from(const json_t *error, struct xd_erp__fault *f)
{
    const json_t *first = json_array_get(error, 0);
    const json_t *second = json_array_get(error, 1);
    snprintf(f->name, sizeof f->name, "%s",
             json_is_string(first) ? json_string_value(first) : "error");
    if (json_is_array(second)) {
        /* Tryton's own exception: [name, [message, description, ...]] */
        const json_t *msg = json_array_get(second, 0);
        const json_t *desc = json_array_get(second, 1);
        const char *d = json_is_string(desc) ? json_string_value(desc) : "";
        snprintf(f->message, sizeof f->message, "%s%s%s",
                 json_is_string(msg) ? json_string_value(msg) : "(no message)", d[0] ? " - " : "",
                 d);
        f->refused = strcmp(f->name, "ConcurrencyException") != 0 &&
                     strcmp(f->name, "RateLimitException") != 0 &&
                     strcmp(f->name, "LoginException") != 0;
    } else {
        /* Any other exception: [text, traceback]; the server failed, it may work later. */
        snprintf(f->message, sizeof f->message, "%s", f->name);
        snprintf(f->name, sizeof f->name, "server error");
        f->refused = false;
    }
}

/* One request: <params> stolen. */
static enum xd_status call_once(struct xd_erp *e, const char *method, json_t *params,
                                json_t **result, long *status, struct xd_erp__fault *fault,
                                struct xd_error *err)
{
    json_t *req = json_pack("{s:i, s:s, s:o}", "id", 1, "method", method, "params", params);
    char *body = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (body == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    struct answer a = {.too_big = false};
    xd_buf_init(&a.body, XD_ERP_RESPONSE_MAX);
    *status = 0;
    enum xd_status st = post(e, body, &a, status, err);
    free(body);
    if (st == XD_OK && (*status == 401 || *status == 403)) {
        st = XD_EPERM; /* the caller logs in again */
    } else if (st == XD_OK && *status != 200) {
        st = xd_error_set(err, XD_EUNAVAIL, "Tryton answered HTTP %ld to %s", *status, method);
    }
    json_t *ans = NULL;
    if (st == XD_OK) {
        json_error_t jerr;
        ans = json_loadb(a.body.data != NULL ? a.body.data : "", a.body.len, 0, &jerr);
        if (!json_is_object(ans)) {
            st = xd_error_set(err, XD_EUNAVAIL, "Tryton's answer to %s is not JSON-RPC", method);
        }
    }
    xd_buf_cleanup(&a.body);
    if (st != XD_OK) {
        json_decref(ans);
        return st;
    }
    const json_t *error = json_object_get(ans, "error");
    if (error != NULL && !json_is_null(error)) {
        struct xd_erp__fault f = {.refused = false};
        fault_from(error, &f);
        if (fault != NULL) {
            *fault = f;
        }
        json_decref(ans);
        return xd_error_set(err, XD_EDECLINED, "Tryton answered %s: %s", f.name, f.message);
    }
    json_t *r = json_object_get(ans, "result");
    *result = json_incref(r != NULL ? r : json_null());
    json_decref(ans);
    return XD_OK;
}

static enum xd_status login(struct xd_erp *e, struct xd_error *err)
{
    size_t pw_len = 0;
    const uint8_t *pw = xd_secret_reveal(e->password, &pw_len);
    json_t *params =
        json_pack("[s, {s:s%}, s]", e->username, "password", (const char *)pw, pw_len, "en");
    if (params == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    xd_free(e->session);
    e->session = NULL;
    json_t *r = NULL;
    long status = 0;
    enum xd_status st = call_once(e, "common.db.login", params, &r, &status, NULL, err);
    if (st == XD_EPERM) {
        return xd_error_set(err, XD_EPERM, "Tryton refused the login of user %s (HTTP %ld)",
                            e->username, status);
    }
    if (st != XD_OK) {
        return st;
    }
    const json_t *uid = json_array_get(r, 0);
    const json_t *session = json_array_get(r, 1);
    if (!json_is_integer(uid) || !json_is_string(session)) {
        json_decref(r);
        return xd_error_set(err, XD_EUNAVAIL, "Tryton's login answer is not [uid, session]");
    }
    char plain[512];
    int n = snprintf(plain, sizeof plain, "%s:%lld:%s", e->username,
                     (long long)json_integer_value(uid), json_string_value(session));
    json_decref(r);
    if (n < 0 || (size_t)n >= sizeof plain) {
        return xd_error_set(err, XD_ETOOBIG, "Tryton's session is too long");
    }
    char *hdr = xd_malloc(32 + 4 * ((size_t)n + 2) / 3 + 4);
    if (hdr == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    memcpy(hdr, "Authorization: Session ", 23);
    xd_base64_encode((const uint8_t *)plain, (size_t)n, hdr + 23);
    e->session = hdr;
    /* The user's preferences carry the company that company-dependent values (accounts,
     * sequences) are read and written for, as Tryton's own client sends them. */
    json_t *prefs = NULL;
    st = call_once(e, "model.res.user.get_preferences", json_pack("[b, {}]", 1), &prefs, &status,
                   NULL, err);
    if (st != XD_OK) {
        return st == XD_EPERM ? xd_error_set(err, XD_EUNAVAIL, "Tryton refused the session") : st;
    }
    const json_t *company = json_object_get(prefs, "company");
    if (json_is_integer(company)) {
        json_object_set(e->context, "company", (json_t *)company);
    }
    json_decref(prefs);
    return XD_OK;
}

enum xd_status xd_erp__call(struct xd_erp *e, const char *method, json_t *params, bool with_context,
                            json_t **result, struct xd_erp__fault *fault, struct xd_error *err)
{
    if (!json_is_array(params)) {
        json_decref(params);
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    if (with_context && json_array_append(params, e->context) != 0) {
        json_decref(params);
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    enum xd_status st = XD_OK;
    if (e->session == NULL && (st = login(e, err)) != XD_OK) {
        json_decref(params);
        return st;
    }
    long status = 0;
    json_incref(params); /* a second try may need them */
    st = call_once(e, method, params, result, &status, fault, err);
    if (st == XD_EPERM) {
        /* The session expired (or the server restarted): log in once more. */
        st = login(e, err);
        if (st == XD_OK) {
            json_incref(params);
            st = call_once(e, method, params, result, &status, fault, err);
            if (st == XD_EPERM) {
                st = xd_error_set(err, XD_EUNAVAIL, "Tryton refused %s (HTTP %ld)", method, status);
            }
        }
    }
    json_decref(params);
    return st;
}

enum xd_status xd_erp__model(struct xd_erp *e, const char *model, const char *method,
                             json_t *params, json_t **result, struct xd_erp__fault *fault,
                             struct xd_error *err)
{
    char m[160];
    int n = snprintf(m, sizeof m, "model.%s.%s", model, method);
    if (n < 0 || (size_t)n >= sizeof m) {
        json_decref(params);
        return xd_error_set(err, XD_EINVAL, "method name too long");
    }
    return xd_erp__call(e, m, params, true, result, fault, err);
}

void xd_erp__rpc_close(struct xd_erp *e)
{
    if (e->curl != NULL) {
        curl_easy_cleanup(e->curl);
        e->curl = NULL;
    }
    xd_free(e->session);
    e->session = NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Values */

json_t *xd_erp__decimal(const char *text)
{
    return json_pack("{s:s, s:s}", "__class__", "Decimal", "decimal", text);
}

json_t *xd_erp__date(const char *d)
{
    int y = 0, m = 0, day = 0;
    if (d == NULL || sscanf(d, "%4d-%2d-%2d", &y, &m, &day) != 3) {
        return NULL;
    }
    return json_pack("{s:s, s:i, s:i, s:i}", "__class__", "date", "year", y, "month", m, "day",
                     day);
}

/* Trim a fixed-point text's trailing zeros (and a bare point). */
static void trim_zeros(char *s)
{
    char *dot = strchr(s, '.');
    if (dot == NULL) {
        return;
    }
    char *end = s + strlen(s);
    while (end > dot + 1 && end[-1] == '0') {
        *--end = '\0';
    }
    if (end == dot + 1) {
        *dot = '\0';
    }
}

bool xd_erp__number_text(const json_t *v, char *out, size_t cap)
{
    int n = -1;
    if (json_is_object(v)) {
        const json_t *d = json_object_get(v, "decimal");
        n = json_is_string(d) ? snprintf(out, cap, "%s", json_string_value(d)) : -1;
    } else if (json_is_integer(v)) {
        n = snprintf(out, cap, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        /* Tryton's quantities are floats on the wire (fields.Float); the unit's rounding is
         * at most 6 digits, so 6 fraction digits carry every quantity it can hold. */
        n = snprintf(out, cap, "%.6f", json_real_value(v));
    }
    if (n < 0 || (size_t)n >= cap) {
        return false;
    }
    trim_zeros(out);
    return true;
}

bool xd_erp__date_text(const json_t *v, char *out, size_t cap)
{
    json_int_t y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, us = 0;
    if (!json_is_object(v) ||
        json_unpack((json_t *)v, "{s:I, s:I, s:I}", "year", &y, "month", &mo, "day", &d) != 0) {
        return false;
    }
    const json_t *cls = json_object_get(v, "__class__");
    int n;
    if (json_is_string(cls) && strcmp(json_string_value(cls), "datetime") == 0) {
        (void)json_unpack((json_t *)v, "{s?I, s?I, s?I, s?I}", "hour", &h, "minute", &mi, "second",
                          &s, "microsecond", &us);
        n = snprintf(out, cap, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%06lld", (long long)y,
                     (long long)mo, (long long)d, (long long)h, (long long)mi, (long long)s,
                     (long long)us);
    } else {
        n = snprintf(out, cap, "%04lld-%02lld-%02lld", (long long)y, (long long)mo, (long long)d);
    }
    return n > 0 && (size_t)n < cap;
}
