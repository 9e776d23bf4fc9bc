/* SPDX-License-Identifier: MIT
 * A simulated partner's way with messages, from its profile: how it reads what the hub sends
 * (X12 through the X12 engine's translation with the profile's mapping, or canonical JSON),
 * and how it sends (its format per document type: one X12 interchange with the partner as
 * ISA sender and the hub as receiver, or canonical JSON; over POST /v1/inbound/{partner} or
 * as a file renamed into its inbox). Control numbers only increase, also across restarts when
 * a state file is given: numbers are reserved in blocks, the block's end written (atomically,
 * fsync'd) before any number of it is used, so a crash skips numbers but never reuses one.
 * Threads: the counters are under pt->mu; everything else is immutable after create. */
#include "partner/partner.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "canon/canon_tree.h"
#include "sim/sim_int.h"
#include "x12/x12.h"

#define COUNTER_BLOCK   64u /* numbers reserved per write of the state file */
#define STATE_MAX       4096u
#define ANSWER_KEPT     4096u /* of a refusal's problem detail */
#define X12_CONTROL_MAX 999999999ULL

enum counter { COUNTER_INTERCHANGE, COUNTER_MESSAGE, COUNTER_SERIAL, COUNTER_COUNT };
static const char *const counter_names[COUNTER_COUNT] = {"interchange", "message", "serial"};

/* How documents of one type leave the partner. */
struct route {
    bool usable;
    enum xd_partner_format format;
    bool inbox;
    const struct xd_partner_inbox_rule *rule;
    const char *version; /* x12 GS08 */
};

struct xd_sim__partner {
    const struct xd_partner_profile *p;
    struct xd_sim_send_options o;
    char *hub_url, *token, *inbox_dir, *state_path;
    struct route routes[XD_CANON_TYPE_COUNT];

    pthread_mutex_t mu;
    uint64_t next[COUNTER_COUNT];     /* next number to hand out */
    uint64_t reserved[COUNTER_COUNT]; /* numbers below this are on disk as used */
};

const char *xd_sim__partner_id(const struct xd_sim__partner *pt)
{
    return pt->p->id;
}

/* ------------------------------------------------------------------------------------------ */
/* State file: {"interchange": N, "message": N, "serial": N}, the next free numbers */

static enum xd_status state_load(struct xd_sim__partner *pt, struct xd_error *err)
{
    for (int i = 0; i < COUNTER_COUNT; i++) {
        pt->next[i] = pt->reserved[i] = 1;
    }
    if (pt->state_path == NULL) {
        return XD_OK;
    }
    struct xd_buf b;
    xd_buf_init(&b, STATE_MAX);
    enum xd_status st = xd_file_read(pt->state_path, &b, err);
    if (st == XD_ENOTFOUND) {
        xd_buf_cleanup(&b);
        return XD_OK; /* first run */
    }
    json_error_t je;
    json_t *j = st == XD_OK ? json_loadb(b.data != NULL ? b.data : "", b.len, 0, &je) : NULL;
    xd_buf_cleanup(&b);
    if (st != XD_OK) {
        return st;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        return xd_error_set(err, XD_ECORRUPT, "%s: not a simulator state file", pt->state_path);
    }
    for (int i = 0; i < COUNTER_COUNT; i++) {
        json_int_t v = json_integer_value(json_object_get(j, counter_names[i]));
        if (v < 1 || (i == COUNTER_INTERCHANGE && (uint64_t)v > X12_CONTROL_MAX)) {
            json_decref(j);
            return xd_error_set(err, XD_ECORRUPT, "%s: %s is not a number in range", pt->state_path,
                                counter_names[i]);
        }
        pt->next[i] = pt->reserved[i] = (uint64_t)v;
    }
    json_decref(j);
    return XD_OK;
}

/* Under mu. Writes the reservations; a failure leaves them as they were on disk. */
static enum xd_status state_save(struct xd_sim__partner *pt, const uint64_t *reserved,
                                 struct xd_error *err)
{
    char text[256];
    int n = snprintf(text, sizeof text,
                     "{\"interchange\": %llu, \"message\": %llu, \"serial\": %llu}\n",
                     (unsigned long long)reserved[0], (unsigned long long)reserved[1],
                     (unsigned long long)reserved[2]);
    if (n < 0 || (size_t)n >= sizeof text) {
        return xd_error_set(err, XD_EINVAL, "state too long");
    }
    return xd_file_write_atomic(pt->state_path, text, (size_t)n, 0644, err);
}

static enum xd_status next_number(struct xd_sim__partner *pt, enum counter c, uint64_t *out,
                                  struct xd_error *err)
{
    pthread_mutex_lock(&pt->mu);
    enum xd_status st = XD_OK;
    if (c == COUNTER_INTERCHANGE && pt->next[c] > X12_CONTROL_MAX) {
        pt->next[c] = 1; /* ISA13 has nine digits: after 999999999 the numbers start over */
        pt->reserved[c] = 1;
    }
    if (pt->state_path != NULL && pt->next[c] >= pt->reserved[c]) {
        uint64_t want[COUNTER_COUNT];
        memcpy(want, pt->reserved, sizeof want);
        want[c] = pt->next[c] + COUNTER_BLOCK;
        if (c == COUNTER_INTERCHANGE && want[c] > X12_CONTROL_MAX + 1) {
            want[c] = X12_CONTROL_MAX + 1;
        }
        st = state_save(pt, want, err);
        if (st == XD_OK) {
            pt->reserved[c] = want[c];
        }
    }
    if (st == XD_OK) {
        *out = pt->next[c]++;
    }
    pthread_mutex_unlock(&pt->mu);
    return st;
}

enum xd_status xd_sim__partner_next(struct xd_sim__partner *pt, uint64_t *out, struct xd_error *err)
{
    return next_number(pt, COUNTER_SERIAL, out, err);
}

/* ------------------------------------------------------------------------------------------ */
/* Create */

/* A file name the rule matches: '*' becomes <stem>, '?' a digit, a set its first member. */
static bool name_for(const char *pattern, const char *stem, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *c = pattern; *c != '\0'; c++) {
        const char *piece = c;
        size_t len = 1;
        if (*c == '*') {
            piece = stem;
            len = strlen(stem);
        } else if (*c == '?') {
            piece = "0";
        } else if (*c == '[') {
            const char *first = c + 1 + (c[1] == '!' || c[1] == '^');
            const char *end = strchr(first + 1, ']');
            if (*first == '\0' || end == NULL) {
                return false;
            }
            piece = first;
            c = end;
        }
        if (n + len >= cap) {
            return false;
        }
        memcpy(out + n, piece, len);
        n += len;
    }
    out[n] = '\0';
    return true;
}

static void choose_route(struct xd_sim__partner *pt, enum xd_canon_type t)
{
    const struct xd_partner_profile *p = pt->p;
    struct route *best = &pt->routes[t];
    for (size_t i = 0; i < p->n_documents; i++) {
        const struct xd_partner_document *d = &p->documents[i];
        if (d->direction != XD_PARTNER_IN || d->type != t ||
            (d->format != XD_PARTNER_FORMAT_X12 && d->format != XD_PARTNER_FORMAT_JSON)) {
            continue;
        }
        /* An inbox given on the command line is the partner's choice: it wins over HTTP. */
        const struct xd_partner_inbox *box = p->inbound.inbox;
        for (size_t r = 0; pt->inbox_dir != NULL && box != NULL && box->enabled &&
                           r < box->n_files && !(best->usable && best->inbox);
             r++) {
            const struct xd_partner_inbox_rule *rule = &box->files[r];
            char name[128];
            if (rule->format != d->format || (rule->has_document && rule->document != t) ||
                !name_for(rule->pattern, "probe", name, sizeof name) ||
                xd_partner_inbox_match(p, name) != rule) {
                continue;
            }
            *best = (struct route){true, d->format, true, rule, d->version};
        }
        if (!best->usable && pt->hub_url != NULL && xd_partner_http_accepts(p, d->format)) {
            *best = (struct route){true, d->format, false, NULL, d->version};
        }
    }
}

static char *dup_or_null(const char *s, bool *oom)
{
    char *c = s != NULL ? xd_strdup(s) : NULL;
    *oom |= s != NULL && c == NULL;
    return c;
}

void xd_sim__partner_destroy(struct xd_sim__partner *pt)
{
    if (pt == NULL) {
        return;
    }
    xd_partner_profile_unref(pt->p);
    xd_free(pt->hub_url);
    xd_free(pt->token);
    xd_free(pt->inbox_dir);
    xd_free(pt->state_path);
    pthread_mutex_destroy(&pt->mu);
    xd_free(pt);
}

enum xd_status xd_sim__partner_create(const struct xd_partner_profile *p,
                                      const struct xd_sim_send_options *o,
                                      struct xd_sim__partner **out, struct xd_error *err)
{
    struct xd_sim__partner *pt = xd_calloc(1, sizeof *pt);
    if (pt == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&pt->mu, NULL);
    pt->p = xd_partner_profile_ref(p);
    pt->o = *o;
    bool oom = false;
    pt->hub_url = dup_or_null(o->hub_url, &oom);
    pt->token = dup_or_null(o->token, &oom);
    pt->inbox_dir = dup_or_null(o->inbox_dir, &oom);
    pt->state_path = dup_or_null(o->state_path, &oom);
    /* Trailing slashes of the hub URL would double in /v1/inbound. */
    for (size_t n = pt->hub_url != NULL ? strlen(pt->hub_url) : 0;
         n > 0 && pt->hub_url[n - 1] == '/'; n--) {
        pt->hub_url[n - 1] = '\0';
    }
    enum xd_status st = oom ? xd_error_set(err, XD_ENOMEM, "out of memory") : XD_OK;
    if (st == XD_OK && pt->p->mapping.x12_read == NULL) {
        st = xd_error_set(err, XD_EINVAL, "the profile's X12 mapping is not usable: %s",
                          pt->p->mapping.x12_problem != NULL ? pt->p->mapping.x12_problem
                                                             : "not compiled");
    }
    if (st == XD_OK) {
        st = state_load(pt, err);
    }
    if (st != XD_OK) {
        xd_sim__partner_destroy(pt);
        return st;
    }
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        choose_route(pt, (enum xd_canon_type)t);
    }
    *out = pt;
    return XD_OK;
}

bool xd_sim__partner_can_send(const struct xd_sim__partner *pt, enum xd_canon_type type,
                              struct xd_error *err)
{
    if (pt->routes[type].usable) {
        return true;
    }
    const struct xd_partner_document *d = xd_partner_document_in(pt->p, type, -1);
    xd_error_set(err, XD_EINVAL,
                 d == NULL ? "profile %s sends no %s (add a documents entry with direction in)"
                           : "profile %s has no channel for its %s: give --hub and --token for "
                             "inbound.http, or --inbox for an inbox rule of its format (x12 "
                             "or json)",
                 pt->p->id, xd_canon_type_name(type));
    return false;
}

bool xd_sim__partner_receives(const struct xd_sim__partner *pt, enum xd_canon_type type)
{
    return xd_partner_document_out(pt->p, type) != NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Reading what the hub sent */

struct collect {
    struct xd_sim__partner *pt;
    enum xd_canon_type want;
    json_t *docs;
    struct xd_error *err;
    enum xd_status st; /* the first set that could not be used */
};

static bool id_is(const char *got, const char *want)
{
    return got != NULL && want != NULL && strcmp(got, want) == 0;
}

static enum xd_status on_set(void *ctx, const struct xd_x12_translation *t)
{
    struct collect *c = ctx;
    if (t->status == XD_EUNSUPPORTED) {
        return XD_OK; /* a 997 or a set without a canonical document */
    }
    if (t->status != XD_OK) {
        if (c->st == XD_OK) {
            const struct xd_diag *d =
                t->problems != NULL && t->problems->count > 0 ? &t->problems->items[0] : NULL;
            c->st = xd_error_set(c->err, XD_EINVALDOC, "X12 %s %s not usable: %s%s%s", t->set_id,
                                 t->control, d != NULL ? d->path : "X12 errors in the set",
                                 d != NULL ? ": " : "", d != NULL ? d->message : "");
        }
        return XD_OK;
    }
    const struct xd_canon_header *h = xd_canon_doc_header(t->doc);
    const char *receiver = h->source != NULL ? h->source->receiver_id : NULL;
    if (!id_is(receiver, c->pt->p->identifiers.isa_id)) {
        if (c->st == XD_OK) {
            c->st = xd_error_set(
                c->err, XD_EINVALDOC, "interchange %s is for %s, not for this partner (%s)",
                t->interchange, receiver != NULL ? receiver : "nobody",
                c->pt->p->identifiers.isa_id ? c->pt->p->identifiers.isa_id : "no isa_id");
        }
        return XD_OK;
    }
    if (t->doc->type != c->want) {
        return XD_OK;
    }
    json_t *doc = xd_canon_tree_load(t->json, t->json_len, NULL); /* the translation's JSON */
    if (doc == NULL || json_array_append_new(c->docs, doc) != 0) {
        return XD_ENOMEM;
    }
    return XD_OK;
}

static enum xd_status decode_x12(struct xd_sim__partner *pt, const char *body, size_t len,
                                 struct collect *c)
{
    struct xd_x12_reader *r = NULL;
    if (xd_x12_reader_create_mem(body, len, &r) != XD_OK) {
        return xd_error_set(c->err, XD_ENOMEM, "out of memory");
    }
    struct xd_x12_report rep;
    xd_x12_report_init(&rep, 10);
    struct xd_error e = {0};
    enum xd_status st = xd_x12_translate(r, pt->p->mapping.x12_read, NULL, &rep, on_set, c, &e);
    if (st == XD_EPARSE) {
        st = xd_error_set(c->err, XD_EPARSE, "not X12: %s",
                          rep.count > 0 ? rep.items[0].message : e.message);
    } else if (st == XD_EINVALDOC && c->st == XD_OK) {
        st = xd_error_set(c->err, XD_EINVALDOC, "X12 errors: %s",
                          rep.count > 0 ? rep.items[0].message : "see the interchange");
    } else if (st == XD_EINVALDOC || st == XD_OK) {
        st = c->st;
    } else if (st == XD_ENOMEM) {
        st = xd_error_set(c->err, st, "out of memory");
    }
    xd_x12_report_cleanup(&rep);
    xd_x12_reader_destroy(r);
    return st;
}

/* One canonical JSON document: checked by canon as the hub would, kept when of type want. */
static enum xd_status one_json(struct collect *c, json_t *doc, size_t index)
{
    struct xd_arena *a = xd_arena_create((size_t)16 * 1024, 0);
    struct xd_diags diags;
    xd_diags_init(&diags, 3);
    struct xd_canon_doc *cd = NULL;
    enum xd_status st = a != NULL ? xd_canon_tree_decode(doc, a, &cd, &diags) : XD_ENOMEM;
    if (st == XD_OK && cd->type == c->want) {
        st = json_array_append(c->docs, doc) == 0 ? XD_OK : XD_ENOMEM;
    } else if (st != XD_OK && st != XD_ENOMEM) {
        st = xd_error_set(c->err, XD_EINVALDOC, "document %zu: %s: %s", index,
                          diags.count > 0 ? diags.items[0].path : "$",
                          diags.count > 0 ? diags.items[0].message : xd_strerror(st));
    }
    if (st == XD_ENOMEM) {
        xd_error_set(c->err, XD_ENOMEM, "out of memory");
    }
    xd_diags_cleanup(&diags);
    xd_arena_destroy(a);
    return st;
}

static enum xd_status decode_json(const char *body, size_t len, struct collect *c)
{
    json_error_t je;
    json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (v == NULL) {
        return xd_error_set(c->err, XD_EPARSE, "not JSON: line %d, column %d: %s", je.line,
                            je.column, je.text);
    }
    enum xd_status st = XD_OK;
    if (json_is_array(v)) {
        for (size_t i = 0; st == XD_OK && i < json_array_size(v); i++) {
            st = one_json(c, json_array_get(v, i), i + 1);
        }
    } else {
        st = one_json(c, v, 1);
    }
    json_decref(v);
    return st;
}

enum xd_status xd_sim__partner_decode(struct xd_sim__partner *pt, const char *content_type,
                                      const char *body, size_t len, enum xd_canon_type want,
                                      json_t **out, struct xd_error *err)
{
    struct collect c = {.pt = pt, .want = want, .docs = json_array(), .err = err};
    if (c.docs == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    size_t skip = 0;
    while (skip < len &&
           (body[skip] == ' ' || body[skip] == '\r' || body[skip] == '\n' || body[skip] == '\t')) {
        skip++;
    }
    bool x12 = strncmp(content_type, "application/edi-x12", 19) == 0 ||
               (len - skip >= 3 && memcmp(body + skip, "ISA", 3) == 0);
    bool json = strncmp(content_type, "application/json", 16) == 0 ||
                (skip < len && (body[skip] == '{' || body[skip] == '['));
    enum xd_status st =
        x12    ? decode_x12(pt, body, len, &c)
        : json ? decode_json(body, len, &c)
               : xd_error_set(err, XD_EPARSE, "neither X12 nor JSON (Content-Type '%s')",
                              content_type);
    if (st != XD_OK) {
        json_decref(c.docs);
        return st;
    }
    *out = c.docs;
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Rendering and sending */

void xd_sim__message_destroy(struct xd_sim__message *m)
{
    if (m != NULL) {
        xd_free(m->body);
        xd_free(m);
    }
}

enum xd_status xd_sim__partner_render(struct xd_sim__partner *pt, const json_t *doc,
                                      struct xd_sim__message **out, struct xd_error *err)
{
    const char *type = json_string_value(json_object_get(doc, "type"));
    enum xd_canon_type t;
    if (type == NULL || xd_canon_type_parse(type, strlen(type), &t) != XD_OK) {
        return xd_error_set(err, XD_EINVAL, "not a canonical document");
    }
    if (!xd_sim__partner_can_send(pt, t, err)) {
        return XD_EINVAL;
    }
    const struct route *rt = &pt->routes[t];
    struct xd_sim__message *m = xd_calloc(1, sizeof *m);
    struct xd_arena *a = xd_arena_create((size_t)16 * 1024, 0);
    struct xd_diags diags;
    xd_diags_init(&diags, 3);
    struct xd_buf b;
    xd_buf_init(&b, XD_CANON_MAX_INPUT * 2);
    struct xd_canon_doc *cd = NULL;
    enum xd_status st = m != NULL && a != NULL ? XD_OK : XD_ENOMEM;
    if (st == XD_OK) {
        st = xd_canon_tree_decode(doc, a, &cd, &diags);
        if (st != XD_OK && st != XD_ENOMEM) {
            st = xd_error_set(err, XD_EINVAL, "%s is not valid: %s: %s", type,
                              diags.count > 0 ? diags.items[0].path : "$",
                              diags.count > 0 ? diags.items[0].message : xd_strerror(st));
        }
    }
    uint64_t number = 0;
    if (st == XD_OK) {
        st = next_number(
            pt, rt->format == XD_PARTNER_FORMAT_X12 ? COUNTER_INTERCHANGE : COUNTER_MESSAGE,
            &number, err);
    }
    if (st == XD_OK) {
        /* ISA13 and GS06 are the message's number, ST02 its only set. */
        const struct xd_partner_controls c = {number, number, 1, xd_now_ms()};
        st = rt->format == XD_PARTNER_FORMAT_X12
                 ? xd_partner_write_x12(pt->p, cd, true, rt->version, &c, &b, err)
                 : xd_canon_encode(cd, &b);
    }
    if (st == XD_OK) {
        const char *kind = rt->format == XD_PARTNER_FORMAT_X12 ? "isa" : "msg";
        /* The document's first business key names it in logs (po_number, asn_number ...). */
        size_t total = 0;
        struct xd_canon_key first[1];
        const struct xd_canon_key *k = xd_canon_keys(cd, first, 1, &total) > 0 ? &first[0] : NULL;
        snprintf(m->key, sizeof m->key, "%s-%s-%09llu", pt->p->id, kind,
                 (unsigned long long)number);
        snprintf(m->what, sizeof m->what, "%s %s", type, k != NULL ? k->value : "");
        m->inbox = rt->inbox;
        m->content_type =
            rt->format == XD_PARTNER_FORMAT_X12 ? "application/edi-x12" : "application/json";
        char stem[64];
        snprintf(stem, sizeof stem, "%s-%s-%09llu", type, kind, (unsigned long long)number);
        if (rt->inbox && !name_for(rt->rule->pattern, stem, m->file_name, sizeof m->file_name)) {
            st = xd_error_set(err, XD_EINVAL, "no file name for inbox pattern %s",
                              rt->rule->pattern);
        }
        m->len = b.len;
        m->body = xd_buf_steal(&b, NULL);
        if (st == XD_OK && m->body == NULL) {
            st = xd_error_set(err, XD_ENOMEM, "out of memory");
        }
    }
    if (st == XD_ENOMEM) {
        xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    xd_buf_cleanup(&b);
    xd_diags_cleanup(&diags);
    xd_arena_destroy(a);
    if (st != XD_OK) {
        xd_sim__message_destroy(m);
        return st;
    }
    *out = m;
    return XD_OK;
}

/* Write to a dot name the hub's inbox watcher never takes, fsync, rename to the name the
 * profile's pattern matches, fsync the folder: the hub sees the whole file or nothing. */
static enum xd_status send_file(struct xd_sim__partner *pt, const struct xd_sim__message *m,
                                struct xd_error *err)
{
    char tmp[1024], final[1024];
    int a = snprintf(tmp, sizeof tmp, "%s/.%s.tmp", pt->inbox_dir, m->file_name);
    int b = snprintf(final, sizeof final, "%s/%s", pt->inbox_dir, m->file_name);
    if (a < 0 || (size_t)a >= sizeof tmp || b < 0 || (size_t)b >= sizeof final) {
        return xd_error_set(err, XD_EINVAL, "inbox path too long");
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return xd_error_set(err, XD_EIO, "%s: %s", tmp, strerror(errno));
    }
    size_t done = 0;
    while (done < m->len) {
        ssize_t w = write(fd, m->body + done, m->len - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return xd_error_set(err, XD_EIO, "%s: %s", tmp, strerror(e));
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return xd_error_set(err, XD_EIO, "%s: %s", tmp, strerror(e));
    }
    if (rename(tmp, final) != 0) {
        int e = errno;
        unlink(tmp);
        return xd_error_set(err, XD_EIO, "rename to %s: %s", final, strerror(e));
    }
    return xd_fsync_dir(pt->inbox_dir, err);
}

/* The hub's reason for a refusal: problem+json detail, or the body's start. */
static void refusal(const struct xd_buf *answer, long status, const char *what,
                    struct xd_error *err)
{
    json_t *j = answer->len > 0 ? json_loadb(answer->data, answer->len, 0, NULL) : NULL;
    const char *detail = json_string_value(json_object_get(j, "detail"));
    const char *problem = json_string_value(
        json_object_get(json_array_get(json_object_get(j, "problems"), 0), "message"));
    xd_error_set(err, XD_EDECLINED, "%s refused with %ld: %s%s%.200s", what, status,
                 detail != NULL    ? detail
                 : answer->len > 0 ? answer->data
                                   : "no detail",
                 problem != NULL ? "; first problem: " : "", problem != NULL ? problem : "");
    json_decref(j);
}

enum xd_status xd_sim__partner_send(struct xd_sim__partner *pt, struct xd_sim__http *client,
                                    const struct xd_sim__message *m, struct xd_error *err)
{
    if (m->inbox) {
        return send_file(pt, m, err);
    }
    char url[1024];
    int n = snprintf(url, sizeof url, "%s/v1/inbound/%s", pt->hub_url, pt->p->id);
    if (n < 0 || (size_t)n >= sizeof url) {
        return xd_error_set(err, XD_EINVAL, "hub URL too long");
    }
    struct xd_buf answer;
    xd_buf_init(&answer, ANSWER_KEPT);
    long status = 0;
    enum xd_status st = xd_sim__http_post(client, url, pt->token, m->content_type, m->key, m->body,
                                          m->len, pt->o.timeout_ms, &status, &answer, err);
    if (st == XD_EIO) {
        st = XD_EAGAIN; /* no answer: connection refused, reset or timed out */
    } else if (st == XD_OK && (status >= 500 || status == 429 || status == 408)) {
        st = xd_error_set(err, XD_EAGAIN, "%s: the hub answered %ld", m->what, status);
    } else if (st == XD_OK && (status < 200 || status > 299)) {
        refusal(&answer, status, m->what, err);
        st = XD_EDECLINED;
    }
    xd_buf_cleanup(&answer);
    return st;
}
