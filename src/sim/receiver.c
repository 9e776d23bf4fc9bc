/* SPDX-License-Identifier: MIT
 * The simulated receiver: a partner's HTTP endpoint for tests and demos. A delivery is
 * processed, then (with a delay) answered; a key processed once is acknowledged again without
 * being processed (an idempotent receiver); the first requests can be dropped or failed, so
 * tests see a partner go down and come back.
 * Threads: libmicrohttpd's connection threads run the handler; records, keys, counters and the
 * record file are under r->mu. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "deliver/deliver.h"
#include "sim/sim.h"

#define BODY_MAX        ((size_t)17 * 1024 * 1024)
#define KEYS_MAX        ((size_t)4 * 1024 * 1024)
#define RECORD_FILE_MAX ((size_t)512 * 1024 * 1024)
#define ANSWER_MAX      ((size_t)64 * 1024)
#define KEPT_BODY_MAX   ((size_t)4 * 1024 * 1024) /* a longer body is recorded truncated */

struct record {
    int64_t at_ms;
    char method[8];
    char *path;
    char *key;
    int signature; /* -1 not checked, 0 bad, 1 good */
    int headers;   /* required headers: -1 none required, 0 missing or different, 1 present */
    char digest[XD_SHA256_HEX_LEN + 1];
    int status;
    bool processed;
    bool duplicate;
    char *body; /* keep_bodies: the processed body, else NULL */
    size_t body_len;
};

struct xd_sim_receiver {
    struct xd_sim_receiver_options opts;
    char *record_path;
    struct MHD_Daemon *daemon;
    uint16_t port;

    int64_t started_ms;
    pthread_mutex_t handle_mu; /* one delivery at a time through opts.handle */
    pthread_mutex_t mu;
    uint64_t arrivals; /* numbers requests for drop/fail */
    int status;
    struct record *records;
    size_t n_records;
    size_t cap_records;
    /* Processed keys: open addressing over strdup'd keys. */
    char **keys;
    size_t n_keys;
    size_t cap_keys;
    FILE *record_file;
    struct xd_sim_receiver_stats stats;
};

struct request {
    struct xd_buf body;
    bool dropped;
};

void xd_sim_receiver_options_init(struct xd_sim_receiver_options *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->host, sizeof o->host, "127.0.0.1");
    o->fail_status = 500;
    o->status = 200;
    o->max_records = 100000;
}

/* ------------------------------------------------------------------------------------------ */
/* Keys (under mu) */

static uint64_t key_hash(const char *k)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *k != '\0'; k++) {
        h = (h ^ (uint8_t)*k) * 1099511628211ULL;
    }
    return h;
}

static bool key_seen(struct xd_sim_receiver *r, const char *k)
{
    if (r->cap_keys == 0) {
        return false;
    }
    for (size_t i = key_hash(k) & (r->cap_keys - 1); r->keys[i] != NULL;
         i = (i + 1) & (r->cap_keys - 1)) {
        if (strcmp(r->keys[i], k) == 0) {
            return true;
        }
    }
    return false;
}

static void key_put_slot(char **keys, size_t cap, char *k)
{
    size_t i = key_hash(k) & (cap - 1);
    while (keys[i] != NULL) {
        i = (i + 1) & (cap - 1);
    }
    keys[i] = k;
}

/* Remember <k>; false when the set is full (the key is then processed again next time, which
 * a test with millions of keys would notice). */
static bool key_add(struct xd_sim_receiver *r, const char *k)
{
    if ((r->n_keys + 1) * 2 > r->cap_keys) {
        size_t cap = r->cap_keys ? r->cap_keys * 2 : 1024;
        if (cap > KEYS_MAX * 2) {
            return false;
        }
        char **g = xd_calloc(cap, sizeof *g);
        if (g == NULL) {
            return false;
        }
        for (size_t i = 0; i < r->cap_keys; i++) {
            if (r->keys[i] != NULL) {
                key_put_slot(g, cap, r->keys[i]);
            }
        }
        xd_free(r->keys);
        r->keys = g;
        r->cap_keys = cap;
    }
    char *copy = xd_strdup(k);
    if (copy == NULL) {
        return false;
    }
    key_put_slot(r->keys, r->cap_keys, copy);
    r->n_keys++;
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Records (under mu) */

static json_t *record_json(const struct record *rec)
{
    json_t *j = json_object();
    json_object_set_new(j, "at_ms", json_integer(rec->at_ms));
    json_object_set_new(j, "method", json_string(rec->method));
    json_object_set_new(j, "path", rec->path ? json_string(rec->path) : json_null());
    json_object_set_new(j, "key", rec->key ? json_string(rec->key) : json_null());
    json_object_set_new(j, "signature_valid",
                        rec->signature < 0 ? json_null() : json_boolean(rec->signature == 1));
    json_object_set_new(j, "headers_valid",
                        rec->headers < 0 ? json_null() : json_boolean(rec->headers == 1));
    json_object_set_new(j, "body_sha256", json_string(rec->digest));
    json_object_set_new(j, "status", json_integer(rec->status));
    json_object_set_new(j, "processed", json_boolean(rec->processed));
    json_object_set_new(j, "duplicate", json_boolean(rec->duplicate));
    if (rec->body != NULL) {
        json_t *doc = json_loadb(rec->body, rec->body_len, 0, NULL);
        if (doc != NULL) {
            json_object_set_new(j, "document", doc);
        } else {
            json_object_set_new(j, "body", json_stringn(rec->body, rec->body_len));
        }
    }
    return j;
}

static void record_add(struct xd_sim_receiver *r, const struct record *rec)
{
    if (r->record_file != NULL) {
        json_t *j = record_json(rec);
        char *line = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
        if (line != NULL) {
            fprintf(r->record_file, "%s\n", line);
            fflush(r->record_file);
        }
        free(line);
        json_decref(j);
    }
    if (r->n_records == r->opts.max_records) {
        return;
    }
    if (r->n_records == r->cap_records) {
        size_t cap = r->cap_records ? r->cap_records * 2 : 256;
        struct record *g = xd_reallocarray(r->records, cap, sizeof *g);
        if (g == NULL) {
            return;
        }
        r->records = g;
        r->cap_records = cap;
    }
    struct record *dst = &r->records[r->n_records++];
    *dst = *rec;
    dst->key = rec->key != NULL ? xd_strdup(rec->key) : NULL;
    dst->path = rec->path != NULL ? xd_strdup(rec->path) : NULL;
    dst->body = rec->body != NULL ? xd_strndup(rec->body, rec->body_len) : NULL;
    dst->body_len = dst->body != NULL ? rec->body_len : 0;
}

/* Keys processed by an earlier run with the same record file stay processed. */
static void record_file_load(struct xd_sim_receiver *r)
{
    struct xd_buf b;
    xd_buf_init(&b, RECORD_FILE_MAX);
    struct xd_error err = {0};
    if (xd_file_read(r->record_path, &b, &err) != XD_OK || b.data == NULL) {
        xd_buf_cleanup(&b);
        return;
    }
    for (size_t off = 0; off < b.len;) {
        const char *line = b.data + off;
        const char *nl = memchr(line, '\n', b.len - off);
        size_t len = nl != NULL ? (size_t)(nl - line) : b.len - off;
        off += len + 1;
        json_error_t je;
        json_t *j = json_loadb(line, len, 0, &je);
        const char *key = json_string_value(json_object_get(j, "key"));
        if (key != NULL && json_is_true(json_object_get(j, "processed")) && !key_seen(r, key)) {
            key_add(r, key);
            r->stats.processed++;
        }
        json_decref(j);
    }
    xd_buf_cleanup(&b);
}

/* ------------------------------------------------------------------------------------------ */
/* Requests */

static enum MHD_Result answer(struct MHD_Connection *c, int status, const char *body,
                              const char *retry_after)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL) {
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "application/json");
    if (retry_after != NULL && (status < 200 || status > 299)) {
        MHD_add_response_header(resp, "Retry-After", retry_after);
    }
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result list_received(struct xd_sim_receiver *r, struct MHD_Connection *c)
{
    json_t *list = json_array();
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->n_records; i++) {
        json_array_append_new(list, record_json(&r->records[i]));
    }
    json_t *root = json_object();
    json_object_set_new(root, "count", json_integer((json_int_t)r->n_records));
    json_object_set_new(root, "processed", json_integer((json_int_t)r->stats.processed));
    json_object_set_new(root, "duplicates", json_integer((json_int_t)r->stats.duplicates));
    json_object_set_new(root, "dropped", json_integer((json_int_t)r->stats.dropped));
    json_object_set_new(root, "records", list);
    pthread_mutex_unlock(&r->mu);
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    enum MHD_Result ret = text != NULL ? answer(c, 200, text, NULL) : MHD_NO;
    free(text);
    return ret;
}

static enum MHD_Result get_other(struct xd_sim_receiver *r, struct MHD_Connection *c,
                                 const char *url)
{
    struct xd_buf out;
    xd_buf_init(&out, (size_t)64 * 1024 * 1024);
    int status = r->opts.get(r->opts.get_ctx, url, &out);
    enum MHD_Result ret;
    if (status == 404 || out.len == 0) {
        ret =
            answer(c, status == 404 ? 404 : 500,
                   status == 404 ? "{\"error\":\"not found\"}" : "{\"error\":\"internal\"}", NULL);
    } else {
        ret = answer(c, status, out.data, NULL);
    }
    xd_buf_cleanup(&out);
    return ret;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The Idempotency-Key as sent, without the quotes of a Structured Field string. */
static char *idempotency_key(struct MHD_Connection *c)
{
    const char *h = header(c, "Idempotency-Key");
    if (h == NULL) {
        return NULL;
    }
    size_t n = strlen(h);
    if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
        return xd_strndup(h + 1, n - 2);
    }
    return xd_strdup(h);
}

static int check_signature(struct xd_sim_receiver *r, struct MHD_Connection *c,
                           const struct xd_buf *body)
{
    if (r->opts.secret_len == 0) {
        return -1;
    }
    const char *id = header(c, "webhook-id");
    const char *ts = header(c, "webhook-timestamp");
    const char *sig = header(c, "webhook-signature");
    int64_t t = 0;
    if (id == NULL || ts == NULL || sig == NULL ||
        xd_parse_i64(ts, strlen(ts), 0, INT64_MAX, &t) != XD_OK) {
        return 0;
    }
    return xd_deliver_verify(r->opts.secret, r->opts.secret_len, id, t,
                             body->data != NULL ? body->data : "", body->len, sig)
               ? 1
               : 0;
}

/* -1 when no header is required, 1 when every required one is there with its value, else 0.
 * The comparison is plain: this is a test double, not a place that guards secrets. */
static int check_headers(const struct xd_sim_receiver *r, struct MHD_Connection *c)
{
    if (r->opts.n_required_headers == 0) {
        return -1;
    }
    for (size_t i = 0; i < r->opts.n_required_headers; i++) {
        const char *want = r->opts.required_headers[i];
        const char *colon = strchr(want, ':');
        if (colon == NULL) {
            return 0;
        }
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(colon - want), want);
        const char *value = colon + 1 + strspn(colon + 1, " \t");
        const char *got = header(c, name);
        if (got == NULL || strcmp(got, value) != 0) {
            return 0;
        }
    }
    return 1;
}

/* The handler's verdict on a delivery not processed before (its own status, or 500 when it
 * answered something that is not an HTTP status). */
static int handle(struct xd_sim_receiver *r, struct MHD_Connection *c, const struct request *q,
                  const char *method, const char *url, const char *key, struct xd_buf *answer)
{
    const char *ct = header(c, "Content-Type");
    struct xd_sim_delivery d = {.method = method,
                                .path = url,
                                .content_type = ct != NULL ? ct : "",
                                .key = key,
                                .body = q->body.data != NULL ? q->body.data : "",
                                .body_len = q->body.len};
    int status = r->opts.handle(r->opts.handle_ctx, &d, answer);
    return status >= 100 && status <= 599 ? status : 500;
}

static enum MHD_Result deliver(struct xd_sim_receiver *r, struct MHD_Connection *c,
                               struct request *q, uint64_t n, const char *method, const char *url)
{
    struct record rec = {.at_ms = xd_now_ms(),
                         .signature = check_signature(r, c, &q->body),
                         .headers = check_headers(r, c),
                         .path = (char *)url};
    snprintf(rec.method, sizeof rec.method, "%s", method);
    uint8_t digest[XD_SHA256_LEN];
    xd_sha256(q->body.data != NULL ? q->body.data : "", q->body.len, digest);
    xd_hex_encode(digest, sizeof digest, rec.digest);
    rec.key = idempotency_key(c);
    struct xd_buf custom;
    xd_buf_init(&custom, ANSWER_MAX);
    if (r->opts.handle != NULL) {
        pthread_mutex_lock(&r->handle_mu);
    }
    pthread_mutex_lock(&r->mu);
    if (rec.signature == 0) {
        rec.status = 401;
        r->stats.bad_signatures++;
    } else if (rec.headers == 0) {
        rec.status = 401;
    } else if (xd_now_ms() - r->started_ms < (int64_t)r->opts.down_for_ms) {
        rec.status = 503; /* the partner's endpoint is down */
    } else if (n <= (uint64_t)r->opts.drop_first + r->opts.fail_first) {
        rec.status = r->opts.fail_status;
    } else {
        rec.status = r->status;
    }
    bool ok = rec.status >= 200 && rec.status <= 299;
    rec.duplicate = ok && rec.key != NULL && key_seen(r, rec.key);
    pthread_mutex_unlock(&r->mu);
    /* The handler runs outside mu (it may be slow) but under handle_mu, so a key sent again
     * while its first delivery is being handled waits and is then seen as a duplicate. */
    if (ok && !rec.duplicate && r->opts.handle != NULL) {
        rec.status = handle(r, c, q, method, url, rec.key, &custom);
        ok = rec.status >= 200 && rec.status <= 299;
    }
    pthread_mutex_lock(&r->mu);
    if (ok) {
        rec.processed = !rec.duplicate;
        if (rec.processed && rec.key != NULL) {
            key_add(r, rec.key);
        }
        if (rec.processed && r->opts.keep_bodies) {
            rec.body = q->body.data != NULL ? q->body.data : "";
            rec.body_len = q->body.len < KEPT_BODY_MAX ? q->body.len : KEPT_BODY_MAX;
        }
        r->stats.processed += rec.processed;
        r->stats.duplicates += rec.duplicate;
    } else {
        r->stats.failed++;
    }
    record_add(r, &rec);
    pthread_mutex_unlock(&r->mu);
    if (r->opts.handle != NULL) {
        pthread_mutex_unlock(&r->handle_mu);
    }
    xd_free(rec.key);
    /* Processed, then slow to answer: what makes a client time out and send it again. */
    if (r->opts.delay_ms > 0) {
        usleep((useconds_t)r->opts.delay_ms * 1000);
    }
    char body[96];
    snprintf(body, sizeof body, "{\"status\":%d,\"duplicate\":%s}", rec.status,
             rec.duplicate ? "true" : "false");
    enum MHD_Result ret =
        answer(c, rec.status, custom.len > 0 ? custom.data : body, r->opts.retry_after);
    xd_buf_cleanup(&custom);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct xd_sim_receiver *r = cls;
    bool is_delivery = strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0;
    struct request *q = *con_cls;
    if (q == NULL) {
        if (!is_delivery) {
            *con_cls = (void *)1; /* not ours to track */
            return MHD_YES;
        }
        q = xd_calloc(1, sizeof *q);
        if (q == NULL) {
            return MHD_NO;
        }
        xd_buf_init(&q->body, BODY_MAX);
        *con_cls = q;
        return MHD_YES;
    }
    if (!is_delivery) {
        if (strcmp(method, "GET") == 0 && strcmp(url, "/_received") == 0) {
            return list_received(r, c);
        }
        if (strcmp(method, "GET") == 0 && r->opts.get != NULL) {
            return get_other(r, c, url);
        }
        return answer(c, 404, "{\"error\":\"not found\"}", NULL);
    }
    if (*upload_data_size > 0) {
        if (xd_buf_append(&q->body, upload_data, *upload_data_size) != XD_OK) {
            return MHD_NO;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&r->mu);
    uint64_t n = ++r->arrivals;
    r->stats.requests++;
    bool drop = n <= r->opts.drop_first;
    r->stats.dropped += drop;
    pthread_mutex_unlock(&r->mu);
    if (drop) {
        return MHD_NO; /* libmicrohttpd closes the connection without an answer */
    }
    return deliver(r, c, q, n, method, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct request *q = *con_cls;
    if (q != NULL && q != (void *)1) {
        xd_buf_cleanup(&q->body);
        xd_free(q);
    }
    *con_cls = NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Lifecycle */

static void receiver_free(struct xd_sim_receiver *r)
{
    for (size_t i = 0; i < r->n_records; i++) {
        xd_free(r->records[i].key);
        xd_free(r->records[i].path);
        xd_free(r->records[i].body);
    }
    xd_free(r->records);
    for (size_t i = 0; i < r->cap_keys; i++) {
        xd_free(r->keys[i]);
    }
    xd_free(r->keys);
    if (r->record_file != NULL) {
        fclose(r->record_file);
    }
    xd_free(r->record_path);
    pthread_mutex_destroy(&r->mu);
    pthread_mutex_destroy(&r->handle_mu);
    xd_free(r);
}

enum xd_status xd_sim_receiver_start(const struct xd_sim_receiver_options *o,
                                     struct xd_sim_receiver **out, struct xd_error *err)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(o->port);
    if (inet_pton(AF_INET, o->host, &sa.sin_addr) != 1) {
        return xd_error_set(err, XD_EINVAL, "'%s' is not an IPv4 address", o->host);
    }
    struct xd_sim_receiver *r = xd_calloc(1, sizeof *r);
    if (r == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    r->opts = *o;
    r->status = o->status;
    r->started_ms = xd_now_ms();
    pthread_mutex_init(&r->mu, NULL);
    pthread_mutex_init(&r->handle_mu, NULL);
    if (o->record_path != NULL) {
        r->record_path = xd_strdup(o->record_path);
        if (r->record_path == NULL) {
            receiver_free(r);
            return xd_error_set(err, XD_ENOMEM, "out of memory");
        }
        r->opts.record_path = r->record_path;
        record_file_load(r);
        r->record_file = fopen(r->record_path, "a");
        if (r->record_file == NULL) {
            int e = errno;
            receiver_free(r);
            return xd_error_set(err, XD_EIO, "cannot open %s: %s", o->record_path, strerror(e));
        }
    }
    unsigned flags =
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    r->daemon = MHD_start_daemon(flags, o->port, NULL, NULL, on_request, r, MHD_OPTION_SOCK_ADDR,
                                 &sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed, r,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_END);
    if (r->daemon == NULL) {
        int e = errno;
        receiver_free(r);
        return xd_error_set(err, XD_EIO, "cannot listen on %s:%u: %s", o->host, (unsigned)o->port,
                            e ? strerror(e) : "libmicrohttpd refused");
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(r->daemon, MHD_DAEMON_INFO_BIND_PORT);
    r->port = info != NULL ? info->port : o->port;
    *out = r;
    return XD_OK;
}

uint16_t xd_sim_receiver_port(const struct xd_sim_receiver *r)
{
    return r->port;
}

void xd_sim_receiver_set_status(struct xd_sim_receiver *r, int status)
{
    pthread_mutex_lock(&r->mu);
    r->status = status;
    pthread_mutex_unlock(&r->mu);
}

void xd_sim_receiver_stats(struct xd_sim_receiver *r, struct xd_sim_receiver_stats *out)
{
    pthread_mutex_lock(&r->mu);
    *out = r->stats;
    pthread_mutex_unlock(&r->mu);
}

void xd_sim_receiver_stop(struct xd_sim_receiver *r)
{
    if (r == NULL) {
        return;
    }
    MHD_stop_daemon(r->daemon);
    receiver_free(r);
}
