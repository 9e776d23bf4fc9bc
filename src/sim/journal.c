/* SPDX-License-Identifier: MIT
 * What a simulated partner still owes the hub, kept on disk so that a delivery it answered 2xx
 * is answered even across a restart (the hub's contract: 2xx once durably accepted). A JSON
 * line per event, appended and fdatasync'd before the event counts:
 *   {"c": id, "tag", "base_ms": wall ms, "steps": [{"doc": {...}, "offset_ms": N}, ...]}
 *   {"c": id, "m": step, "key", "content_type", "file_name", "inbox", "what", "body"} rendered
 *   {"c": id, "s": step}                                           sent, or given up
 * The rendered record keeps a message's bytes and key, so after a restart it is sent again
 * exactly as before (the hub sees a retry, not a new interchange). Opening replays the file,
 * hands back the chains not finished and rewrites the file with only them (atomically).
 * A line that does not parse is the tail of a write a crash cut short and is skipped.
 * A failed write or fdatasync is fatal to the journal: every later write fails (XD_EIO).
 * Threads: everything is under j->mu. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canon/canon_tree.h"
#include "sim/sim_int.h"

#define JOURNAL_MAX ((size_t)1 << 30)

struct xd_sim__journal {
    pthread_mutex_t mu;
    char *path;
    int fd;
    bool failed;
    uint64_t next_id;
};

/* Under mu. */
static enum xd_status append(struct xd_sim__journal *j, json_t *rec, struct xd_error *err)
{
    struct xd_buf line;
    xd_buf_init(&line, JOURNAL_MAX);
    enum xd_status st = rec != NULL ? xd_canon_tree_write(rec, &line) : XD_ENOMEM;
    json_decref(rec);
    if (st == XD_OK) {
        st = xd_buf_append_char(&line, '\n');
    }
    if (st != XD_OK) {
        xd_buf_cleanup(&line);
        return xd_error_set(err, st, "journal record: %s", xd_strerror(st));
    }
    if (j->failed) {
        xd_buf_cleanup(&line);
        return xd_error_set(err, XD_EIO, "%s: an earlier write failed", j->path);
    }
    size_t len = line.len;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(j->fd, line.data + done, len - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            break;
        }
        done += (size_t)w;
    }
    xd_buf_cleanup(&line);
    if (done != len || fdatasync(j->fd) != 0) {
        j->failed = true;
        return xd_error_set(err, XD_EIO, "%s: %s", j->path, strerror(errno));
    }
    return XD_OK;
}

enum xd_status xd_sim__journal_add(struct xd_sim__journal *j, const char *tag,
                                   const struct xd_sim__step *steps, size_t n, int64_t base_wall_ms,
                                   uint64_t *id, struct xd_error *err)
{
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < n; i++) {
        if (json_array_append_new(list, json_pack("{s:O, s:I}", "doc", steps[i].doc, "offset_ms",
                                                  (json_int_t)steps[i].offset_ms)) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    pthread_mutex_lock(&j->mu);
    uint64_t c = j->next_id++;
    json_t *rec = list != NULL ? json_pack("{s:I, s:s, s:I, s:o}", "c", (json_int_t)c, "tag",
                                           tag != NULL ? tag : "", "base_ms",
                                           (json_int_t)base_wall_ms, "steps", list)
                               : NULL;
    enum xd_status st =
        rec != NULL ? append(j, rec, err) : xd_error_set(err, XD_ENOMEM, "out of memory");
    pthread_mutex_unlock(&j->mu);
    if (st == XD_OK) {
        *id = c;
    }
    return st;
}

enum xd_status xd_sim__journal_rendered(struct xd_sim__journal *j, uint64_t id, size_t step,
                                        const struct xd_sim__message *m, struct xd_error *err)
{
    json_t *rec =
        json_pack("{s:I, s:I, s:s, s:s, s:s, s:b, s:s, s:s%}", "c", (json_int_t)id, "m",
                  (json_int_t)step, "key", m->key, "content_type", m->content_type, "file_name",
                  m->file_name, "inbox", m->inbox, "what", m->what, "body", m->body, m->len);
    if (rec == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    pthread_mutex_lock(&j->mu);
    enum xd_status st = append(j, rec, err);
    pthread_mutex_unlock(&j->mu);
    return st;
}

enum xd_status xd_sim__journal_done(struct xd_sim__journal *j, uint64_t id, size_t step,
                                    struct xd_error *err)
{
    json_t *rec = json_pack("{s:I, s:I}", "c", (json_int_t)id, "s", (json_int_t)step);
    if (rec == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    pthread_mutex_lock(&j->mu);
    enum xd_status st = append(j, rec, err);
    pthread_mutex_unlock(&j->mu);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Replay */

void xd_sim__journal_chains_free(struct xd_sim__journal_chain *chains, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < chains[i].n; k++) {
            json_decref(chains[i].steps[k].doc);
        }
        xd_free(chains[i].steps);
        xd_sim__message_destroy(chains[i].msg);
    }
    xd_free(chains);
}

static struct xd_sim__message *message_from(const json_t *rec)
{
    struct xd_sim__message *m = xd_calloc(1, sizeof *m);
    const json_t *body = json_object_get(rec, "body");
    const char *ct = json_string_value(json_object_get(rec, "content_type"));
    if (m == NULL || !json_is_string(body) || ct == NULL) {
        xd_free(m);
        return NULL;
    }
    m->len = json_string_length(body);
    m->body = xd_strndup(json_string_value(body), m->len);
    m->content_type =
        strcmp(ct, "application/edi-x12") == 0 ? "application/edi-x12" : "application/json";
    m->inbox = json_is_true(json_object_get(rec, "inbox"));
    snprintf(m->key, sizeof m->key, "%s", json_string_value(json_object_get(rec, "key")));
    snprintf(m->file_name, sizeof m->file_name, "%s",
             json_string_value(json_object_get(rec, "file_name")));
    snprintf(m->what, sizeof m->what, "%s", json_string_value(json_object_get(rec, "what")));
    if (m->body == NULL) {
        xd_free(m);
        return NULL;
    }
    return m;
}

/* The chains of <by_id> ({"id": {"base_ms", "steps", "sent", "msg"}}) not finished. */
static enum xd_status live_chains(json_t *by_id, struct xd_sim__journal_chain **out, size_t *n)
{
    size_t cap = json_object_size(by_id), k = 0;
    struct xd_sim__journal_chain *chains = cap > 0 ? xd_calloc(cap, sizeof *chains) : NULL;
    if (cap > 0 && chains == NULL) {
        return XD_ENOMEM;
    }
    const char *key;
    json_t *c;
    json_object_foreach(by_id, key, c)
    {
        const json_t *steps = json_object_get(c, "steps");
        size_t next = (size_t)json_integer_value(json_object_get(c, "next"));
        size_t total = json_array_size(steps);
        if (next >= total || chains == NULL) {
            continue;
        }
        struct xd_sim__journal_chain *jc = &chains[k];
        jc->steps = xd_calloc(total - next, sizeof *jc->steps);
        if (jc->steps == NULL) {
            xd_sim__journal_chains_free(chains, k);
            return XD_ENOMEM;
        }
        k++;
        jc->id = strtoull(key, NULL, 10);
        const char *tag = json_string_value(json_object_get(c, "tag"));
        snprintf(jc->tag, sizeof jc->tag, "%s", tag != NULL ? tag : "");
        jc->base_wall_ms = json_integer_value(json_object_get(c, "base_ms"));
        for (size_t i = next; i < total; i++) {
            const json_t *s = json_array_get(steps, i);
            jc->steps[jc->n].doc = json_incref(json_object_get(s, "doc"));
            jc->steps[jc->n++].offset_ms = json_integer_value(json_object_get(s, "offset_ms"));
        }
        const json_t *msg = json_object_get(c, "msg");
        if (msg != NULL && (size_t)json_integer_value(json_object_get(msg, "m")) == next) {
            jc->msg = message_from(msg);
        }
    }
    *out = chains;
    *n = k;
    return XD_OK;
}

/* Fold the journal's lines into {"id": {"base_ms", "steps", "next", "msg"}}. */
static json_t *fold(const char *data, size_t len, uint64_t *max_id)
{
    json_t *by_id = json_object();
    for (size_t off = 0; by_id != NULL && off < len;) {
        const char *line = data + off;
        const char *nl = memchr(line, '\n', len - off);
        size_t n = nl != NULL ? (size_t)(nl - line) : len - off;
        off += n + 1;
        json_t *rec = json_loadb(line, n, 0, NULL);
        json_int_t id = json_integer_value(json_object_get(rec, "c"));
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)id);
        json_t *c = json_object_get(by_id, key);
        if (rec != NULL && id > 0 && json_object_get(rec, "steps") != NULL && c == NULL) {
            json_object_set_new(rec, "next", json_integer(0));
            json_object_set(by_id, key, rec);
            *max_id = (uint64_t)id > *max_id ? (uint64_t)id : *max_id;
        } else if (c != NULL && json_object_get(rec, "m") != NULL) {
            json_object_set(c, "msg", rec);
        } else if (c != NULL && json_object_get(rec, "s") != NULL) {
            json_int_t s = json_integer_value(json_object_get(rec, "s"));
            json_object_set_new(c, "next", json_integer(s + 1));
            json_object_del(c, "msg");
        }
        json_decref(rec);
    }
    return by_id;
}

/* The journal with only <chains>, each from its first step still owed. */
static enum xd_status compact(struct xd_sim__journal *j, const struct xd_sim__journal_chain *chains,
                              size_t n, struct xd_error *err)
{
    struct xd_buf b;
    xd_buf_init(&b, JOURNAL_MAX);
    enum xd_status st = XD_OK;
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        json_t *steps = json_array();
        for (size_t k = 0; steps != NULL && k < chains[i].n; k++) {
            if (json_array_append_new(
                    steps, json_pack("{s:O, s:I}", "doc", chains[i].steps[k].doc, "offset_ms",
                                     (json_int_t)chains[i].steps[k].offset_ms)) != 0) {
                json_decref(steps);
                steps = NULL;
            }
        }
        json_t *rec = steps != NULL
                          ? json_pack("{s:I, s:s, s:I, s:o}", "c", (json_int_t)chains[i].id, "tag",
                                      chains[i].tag, "base_ms", (json_int_t)chains[i].base_wall_ms,
                                      "steps", steps)
                          : NULL;
        const struct xd_sim__message *m = chains[i].msg;
        json_t *msg = m != NULL
                          ? json_pack("{s:I, s:I, s:s, s:s, s:s, s:b, s:s, s:s%}", "c",
                                      (json_int_t)chains[i].id, "m", (json_int_t)0, "key", m->key,
                                      "content_type", m->content_type, "file_name", m->file_name,
                                      "inbox", m->inbox, "what", m->what, "body", m->body, m->len)
                          : NULL;
        char *a = rec != NULL ? json_dumps(rec, JSON_COMPACT) : NULL;
        char *c = msg != NULL ? json_dumps(msg, JSON_COMPACT) : NULL;
        st = a == NULL || (m != NULL && c == NULL)
                 ? XD_ENOMEM
                 : xd_buf_printf(&b, "%s\n%s%s", a, c ? c : "", c ? "\n" : "");
        free(a);
        free(c);
        json_decref(rec);
        json_decref(msg);
    }
    if (st == XD_OK) {
        st = xd_file_write_atomic(j->path, b.data != NULL ? b.data : "", b.len, 0644, err);
    } else {
        xd_error_set(err, st, "cannot compact %s: %s", j->path, xd_strerror(st));
    }
    xd_buf_cleanup(&b);
    return st;
}

void xd_sim__journal_close(struct xd_sim__journal *j)
{
    if (j == NULL) {
        return;
    }
    if (j->fd >= 0) {
        close(j->fd);
    }
    xd_free(j->path);
    pthread_mutex_destroy(&j->mu);
    xd_free(j);
}

enum xd_status xd_sim__journal_open(const char *path, struct xd_sim__journal **out,
                                    struct xd_sim__journal_chain **chains, size_t *n,
                                    struct xd_error *err)
{
    *chains = NULL;
    *n = 0;
    struct xd_sim__journal *j = xd_calloc(1, sizeof *j);
    if (j == NULL || (j->path = xd_strdup(path)) == NULL) {
        xd_free(j);
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    j->fd = -1;
    pthread_mutex_init(&j->mu, NULL);
    struct xd_buf b;
    xd_buf_init(&b, JOURNAL_MAX);
    enum xd_status st = xd_file_read(path, &b, err);
    if (st == XD_ENOTFOUND) {
        st = XD_OK;
    }
    uint64_t max_id = 0;
    json_t *by_id = st == XD_OK ? fold(b.data != NULL ? b.data : "", b.len, &max_id) : NULL;
    xd_buf_cleanup(&b);
    if (st == XD_OK && by_id == NULL) {
        st = xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    if (st == XD_OK && live_chains(by_id, chains, n) != XD_OK) {
        st = xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    json_decref(by_id);
    j->next_id = max_id + 1;
    if (st == XD_OK) {
        st = compact(j, *chains, *n, err);
    }
    if (st == XD_OK) {
        j->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (j->fd < 0) {
            st = xd_error_set(err, XD_EIO, "%s: %s", path, strerror(errno));
        }
    }
    if (st != XD_OK) {
        xd_sim__journal_chains_free(*chains, *n);
        *chains = NULL;
        *n = 0;
        xd_sim__journal_close(j);
        return st;
    }
    *out = j;
    return XD_OK;
}
