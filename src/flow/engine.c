/* SPDX-License-Identifier: MIT
 * The flow engine's thread: follows the journal, fires due timers and runs people's exception
 * actions, each as steps of the procure-to-pay rules (p2p.c), and commits the effects of a
 * batch of steps in one store operation (XD_STORE_OP_FLOW) together with its journal cursor.
 * Routing (which partner plays supplier, warehouse, ERP) and rendering (the partner's format)
 * happen here, with the partner registry. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canon/canon_tree.h"
#include "core/arena.h"
#include "core/decimal.h"
#include "core/log.h"
#include "flow/flow_int.h"
#include "partner/partner.h"
#include "store/store.h"

#define CURSOR        "flow"
#define ACTOR         "flow"
#define CONTROL_BLOCK 64 /* X12 control numbers reserved at a time per partner and kind */
#define SLAS_MAX      16
#define DUMP_MAX      ((size_t)64 << 20) /* one JSON text of the op: a thread's working data */

struct action_req {
    const char *exception_id, *action, *comment, *actor;
    struct xd_buf *out;
    struct xd_error *err;
    enum xd_status st;
    bool done;
    struct action_req *next;
};

/* An item's key: a journal or audit seq in decimal, a timer's id (up to 512 bytes, store.h). */
#define ITEM_KEY_MAX 520

/* A source of steps (the journal, the timers, the dead letters) whose transaction keeps
 * failing. */
struct retry {
    uint32_t failures; /* in a row */
    int64_t at_ns;     /* when to try again (monotonic) */
    /* A failure that may be one item's own (a journal message, a timer) is isolated by taking
     * one item per transaction through the end of the batch that failed (alone_until: a
     * journal seq, a timer's due time); the item that still fails alone SET_ASIDE_AFTER times
     * (alone: its seq in decimal, a timer's id) is set aside. */
    int64_t alone_until;
    char alone[ITEM_KEY_MAX];
    uint32_t alone_failures;
    bool aside; /* set <alone> aside at the next attempt */
    enum xd_status aside_status;
    char aside_message[XD_ERROR_MESSAGE_MAX];
};

struct xd_flow {
    struct xd_flow_options o;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* the engine waits: work, notify, stop */
    pthread_cond_t done_cv; /* action requesters wait */
    bool stop, kick;
    struct action_req *actions;
    int64_t cursor;
    bool cursor_known;
    int64_t audit_cursor; /* audit log seq read for dead letters */
    bool audit_known;
    int64_t audit_next_ms;                  /* when to look at the audit log again */
    struct xd_store_controls *own_controls; /* when the options gave none */
    struct xd_flow_stats stats;             /* under mu */
    struct retry journal, timers, dead;     /* their steps failing in a row */
};

void xd_flow_tolerances_init(struct xd_flow_tolerances *t)
{
    *t = (struct xd_flow_tolerances){{0, 0}, {0, 0}, {0, 2}, 14LL * 86400 * 1000};
}

void xd_flow_options_init(struct xd_flow_options *o)
{
    memset(o, 0, sizeof *o);
    xd_flow_tolerances_init(&o->tolerances);
    o->poll_ms = 25;
    o->batch_max = 256;
}

/* ---- one batch ----------------------------------------------------------------------------- */

struct thread {
    char cid[XD_CORRELATION_ID_MAX + 1];
    bool exists;
    int64_t version;
    char *state; /* malloc'd */
    json_t *data;
    json_t *row;      /* owner, next_step and sla of the last step */
    json_t *excs;     /* id -> body: open exceptions (once loaded) and those of this batch */
    bool excs_loaded; /* the stored open ones are in excs (read only when a step closes one) */
    json_t *dirty;    /* id -> true */
    bool changed;
};

struct batch {
    struct xd_flow *f;
    struct xd_arena *a;
    struct xd_partner_snapshot *snap;
    struct thread *threads;
    size_t n_threads, cap_threads;
    uint32_t *slots; /* threads by cid: index + 1 (0: free), open addressing */
    size_t n_slots;  /* a power of two, at least twice n_threads; 0 before the first */
    json_t *events, *timers, *closed; /* JSON until the op is built */
    struct xd_store_outbound *outbox; /* messages queued, their strings in the arena */
    size_t n_outbox, cap_outbox;
    struct xd_buf dump; /* where the op's JSON texts are written */
    int64_t now;
    struct xd_error err;
};

static void batch_reset(struct batch *b)
{
    for (size_t i = 0; i < b->n_threads; i++) {
        struct thread *t = &b->threads[i];
        free(t->state);
        json_decref(t->data);
        json_decref(t->row);
        json_decref(t->excs);
        json_decref(t->dirty);
    }
    if (b->n_threads > 0) {
        memset(b->slots, 0, b->n_slots * sizeof *b->slots);
    }
    b->n_threads = 0;
    json_array_clear(b->events);
    json_array_clear(b->timers);
    json_array_clear(b->closed);
    b->n_outbox = 0;
    xd_arena_reset(b->a);
    if (b->snap != NULL) {
        xd_partner_snapshot_release(b->snap);
        b->snap = NULL;
    }
}

static enum xd_status batch_init(struct batch *b, struct xd_flow *f)
{
    memset(b, 0, sizeof *b);
    b->f = f;
    /* One block holds a batch of batch_max documents, so a reset frees nothing. */
    b->a = xd_arena_create((size_t)2 << 20, (size_t)512 << 20);
    xd_buf_init(&b->dump, DUMP_MAX);
    b->events = json_array();
    b->timers = json_array();
    b->closed = json_array();
    return b->a != NULL && b->events != NULL && b->timers != NULL && b->closed != NULL ? XD_OK
                                                                                       : XD_ENOMEM;
}

static void batch_cleanup(struct batch *b)
{
    batch_reset(b);
    free(b->threads);
    free(b->slots);
    json_decref(b->events);
    json_decref(b->timers);
    json_decref(b->closed);
    free(b->outbox);
    xd_buf_cleanup(&b->dump);
    xd_arena_destroy(b->a);
}

/* The slot of <cid> in b->slots: the one holding its thread, or the free one it would take. */
static size_t thread_slot(const struct batch *b, const char *cid)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)cid; *p != '\0'; p++) {
        h = (h ^ *p) * 1099511628211u;
    }
    size_t mask = b->n_slots - 1;
    size_t i = (size_t)h & mask;
    while (b->slots[i] != 0 && strcmp(b->threads[b->slots[i] - 1].cid, cid) != 0) {
        i = (i + 1) & mask;
    }
    return i;
}

/* Room in b->slots for one more thread: at most half of the slots in use. */
static enum xd_status slots_reserve(struct batch *b)
{
    if ((b->n_threads + 1) * 2 <= b->n_slots) {
        return XD_OK;
    }
    size_t n = b->n_slots != 0 ? b->n_slots * 2 : 64;
    uint32_t *grown = calloc(n, sizeof *grown);
    if (grown == NULL) {
        return XD_ENOMEM;
    }
    free(b->slots);
    b->slots = grown;
    b->n_slots = n;
    for (size_t k = 0; k < b->n_threads; k++) {
        b->slots[thread_slot(b, b->threads[k].cid)] = (uint32_t)k + 1;
    }
    return XD_OK;
}

/* The thread of <cid> in this batch, loaded from the store the first time. */
static enum xd_status thread_get(struct batch *b, const char *cid, struct thread **out)
{
    if (slots_reserve(b) != XD_OK) {
        return XD_ENOMEM;
    }
    size_t slot = thread_slot(b, cid);
    if (b->slots[slot] != 0) {
        *out = &b->threads[b->slots[slot] - 1];
        return XD_OK;
    }
    if (b->n_threads == b->cap_threads) {
        size_t cap = b->cap_threads ? b->cap_threads * 2 : 16;
        struct thread *g = realloc(b->threads, cap * sizeof *g);
        if (g == NULL) {
            return XD_ENOMEM;
        }
        b->threads = g;
        b->cap_threads = cap;
    }
    struct thread *t = &b->threads[b->n_threads];
    memset(t, 0, sizeof *t);
    snprintf(t->cid, sizeof t->cid, "%s", cid);
    t->excs = json_object();
    t->dirty = json_object();
    t->row = json_object();
    if (t->excs == NULL || t->dirty == NULL || t->row == NULL) {
        json_decref(t->excs);
        json_decref(t->dirty);
        json_decref(t->row);
        return XD_ENOMEM;
    }
    b->slots[slot] = (uint32_t)b->n_threads + 1;
    b->n_threads++;
    struct xd_store_flow_row row;
    enum xd_status st = xd_store_flow_get(b->f->o.store, cid, b->a, &row, &b->err);
    if (st == XD_ENOTFOUND) {
        t->data = json_object();
        *out = t;
        return t->data != NULL ? XD_OK : XD_ENOMEM;
    }
    if (st != XD_OK) {
        return st;
    }
    t->exists = true;
    t->version = row.version;
    t->state = strdup(row.state);
    json_object_set_new(t->row, "owner", row.owner != NULL ? json_string(row.owner) : json_null());
    json_object_set_new(t->row, "next_step",
                        row.next_step != NULL ? json_string(row.next_step) : json_null());
    json_object_set_new(t->row, "sla", json_string(row.sla));
    t->data = xd_canon_tree_load(row.data, strlen(row.data), b->a);
    if (t->state == NULL || !json_is_object(t->data)) {
        return xd_error_set(&b->err, XD_ECORRUPT, "thread %s: stored flow data is not JSON", cid);
    }
    *out = t;
    return XD_OK;
}

/* The thread's stored open exceptions into t->excs, the first time a step closes one. */
static enum xd_status excs_load(struct batch *b, struct thread *t)
{
    if (t->excs_loaded || !t->exists) {
        t->excs_loaded = true;
        return XD_OK;
    }
    struct xd_store_exception_filter xf = {.state = "open", .correlation_id = t->cid};
    struct xd_store_exception *ex = NULL;
    size_t n = 0;
    enum xd_status st = xd_store_exception_list(b->f->o.store, &xf, b->a, &ex, &n, &b->err);
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        if (json_object_get(t->excs, ex[i].id) != NULL) {
            continue; /* this batch's version is newer */
        }
        json_t *body = json_loads(ex[i].body, 0, NULL);
        if (body == NULL || json_object_set_new(t->excs, ex[i].id, body) != 0) {
            st = XD_ENOMEM;
        }
    }
    t->excs_loaded = st == XD_OK;
    return st;
}

/* ---- routing -------------------------------------------------------------------------------- */

static bool same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const struct xd_partner_profile *find_party(const struct xd_partner_snapshot *snap,
                                                   const json_t *party)
{
    const struct xd_partner_profile *p =
        xd_partner_snapshot_find(snap, json_string_value(json_object_get(party, "party_id")));
    for (size_t i = 0; p == NULL && i < xd_partner_snapshot_count(snap); i++) {
        const struct xd_partner_profile *q = xd_partner_snapshot_at(snap, i);
        if (same(q->identifiers.gln, json_string_value(json_object_get(party, "gln"))) ||
            same(q->identifiers.duns, json_string_value(json_object_get(party, "duns")))) {
            p = q;
        }
    }
    return p;
}

/* The warehouse (or 3PL) whose mapping names the order's ship-to location. */
static const struct xd_partner_profile *find_warehouse(const struct xd_partner_snapshot *snap,
                                                       const json_t *ship_to)
{
    const char *loc = json_string_value(json_object_get(ship_to, "location_id"));
    for (size_t i = 0; loc != NULL && i < xd_partner_snapshot_count(snap); i++) {
        const struct xd_partner_profile *q = xd_partner_snapshot_at(snap, i);
        if (q->role != XD_PARTNER_ROLE_WAREHOUSE && q->role != XD_PARTNER_ROLE_3PL) {
            continue;
        }
        for (size_t k = 0; k < q->mapping.n_locations; k++) {
            if (same(q->mapping.locations[k].location_id, loc)) {
                return q;
            }
        }
    }
    return NULL;
}

static const struct xd_partner_profile *find_erp(const struct xd_partner_snapshot *snap,
                                                 const char *sender)
{
    const struct xd_partner_profile *p = xd_partner_snapshot_find(snap, sender);
    if (p != NULL && p->role == XD_PARTNER_ROLE_ERP) {
        return p;
    }
    for (size_t i = 0; i < xd_partner_snapshot_count(snap); i++) {
        const struct xd_partner_profile *q = xd_partner_snapshot_at(snap, i);
        if (q->role == XD_PARTNER_ROLE_ERP) {
            return q;
        }
    }
    return NULL;
}

static enum xd_status route(struct batch *b, json_t *data, const json_t *po, const char *sender)
{
    const struct xd_partner_profile *sup = find_party(b->snap, json_object_get(po, "supplier"));
    const struct xd_partner_profile *wh = find_warehouse(b->snap, json_object_get(po, "ship_to"));
    const struct xd_partner_profile *erp = find_erp(b->snap, sender);
    int rc = 0;
    if (sup != NULL && sup->role == XD_PARTNER_ROLE_SUPPLIER) {
        rc |= json_object_set_new(data, "supplier", json_string(sup->id));
    }
    if (wh != NULL) {
        rc |= json_object_set_new(data, "warehouse", json_string(wh->id));
    }
    if (erp != NULL) {
        rc |= json_object_set_new(data, "erp", json_string(erp->id));
    }
    return rc == 0 ? XD_OK : XD_ENOMEM;
}

/* The supplier's SLAs as the rules read them. */
static size_t supplier_slas(struct batch *b, const json_t *data, struct xd_flow_sla *out)
{
    const struct xd_partner_profile *p =
        xd_partner_snapshot_find(b->snap, json_string_value(json_object_get(data, "supplier")));
    size_t n = 0;
    for (size_t i = 0; p != NULL && i < p->n_slas && n < SLAS_MAX; i++) {
        const struct xd_partner_sla *s = &p->slas[i];
        out[n++] = (struct xd_flow_sla){
            .expect = xd_canon_type_name(s->expect),
            .after = s->has_after ? xd_canon_type_name(s->after) : NULL,
            .within_ms = s->within_ms,
            .before_member = s->before_member,
            .lead_ms = s->lead_ms,
            .at_risk_ms = s->at_risk_ms,
        };
    }
    return n;
}

/* ---- effects into the batch ---------------------------------------------------------------- */

/* One X12 control number (ISA13, GS06, ST02 range) from the block cache. */
static enum xd_status control_take(struct xd_flow *f, const char *partner, const char *kind,
                                   uint64_t *out, struct xd_error *err)
{
    int64_t n = 0;
    enum xd_status st = xd_store_controls_take(f->o.controls, partner, kind, 1, ACTOR, &n, err);
    if (st == XD_OK) {
        *out = (uint64_t)(n % 1000000000);
    }
    return st;
}

/* A timeline event of a message sent (or not) to <partner> because of <cause>. */
static enum xd_status send_event(json_t *events, const char *name, const char *partner,
                                 const char *cause, const char *channel, json_t *detail)
{
    json_t *e = json_pack("{s:s, s:s?, s:s, s:s?, s:o}", "event", name, "partner", partner,
                          "document_id", cause, "channel", channel, "detail", detail);
    return e != NULL && json_array_append_new(events, e) == 0 ? XD_OK : XD_ENOMEM;
}

/* Queue the rendered message <r> for <partner> in the batch (*out: its entry, with a new
 * id), every string copied into the batch's arena: the store operation borrows them. */
static enum xd_status outbox_add(struct batch *b, const char *partner,
                                 const struct xd_partner_rendered *r, const char *cid,
                                 const char *cause, struct xd_store_outbound **out)
{
    if (b->n_outbox == b->cap_outbox) {
        size_t cap = b->cap_outbox != 0 ? b->cap_outbox * 2 : 64;
        struct xd_store_outbound *grown = realloc(b->outbox, cap * sizeof *grown);
        if (grown == NULL) {
            return XD_ENOMEM;
        }
        b->outbox = grown;
        b->cap_outbox = cap;
    }
    struct xd_store_outbound *o = &b->outbox[b->n_outbox];
    memset(o, 0, sizeof *o);
    enum xd_status st = xd_id_new(o->id);
    if (st != XD_OK) {
        return st;
    }
    o->partner = xd_arena_strdup(b->a, partner);
    o->endpoint = xd_arena_strdup(b->a, r->endpoint);
    o->content_type = xd_arena_strdup(b->a, r->content_type);
    o->body = r->body.len > 0 ? xd_arena_memdup(b->a, r->body.data, r->body.len) : "";
    o->body_len = r->body.len;
    o->correlation_id = xd_arena_strdup(b->a, cid);
    o->source = xd_arena_printf(b->a, "flow:%s", cause);
    if (o->partner == NULL || o->endpoint == NULL || o->content_type == NULL || o->body == NULL ||
        o->correlation_id == NULL || o->source == NULL) {
        return XD_ENOMEM;
    }
    b->n_outbox++;
    *out = o;
    return XD_OK;
}

static enum xd_status send_one(struct batch *b, struct thread *t, struct xd_flow_step *s,
                               const json_t *m, const char *cause, json_t *events)
{
    const char *role = jstr(m, "to");
    const json_t *doc = json_object_get(m, "doc");
    const char *type = jstr(doc, "type");
    const char *pid = jstr(t->data, role);
    const struct xd_partner_profile *p = xd_partner_snapshot_find(b->snap, pid);
    struct xd_partner_controls c = {.at_ms = b->now};
    struct xd_error err = {0};
    enum xd_status st = p == NULL ? xd_error_set(&err, XD_ENOTFOUND, "no partner profile %s",
                                                 pid != NULL ? pid : "(none)")
                                  : XD_OK;
    enum xd_canon_type ct;
    const struct xd_partner_document *d =
        st == XD_OK && type != NULL && xd_canon_type_parse(type, strlen(type), &ct) == XD_OK
            ? xd_partner_document_out(p, ct)
            : NULL;
    if (st == XD_OK && d == NULL && !(same(role, "supplier") && same(type, "purchase_order"))) {
        /* The profile decides what a partner gets: one that does not list the type under
         * documents (direction out) is simply not sent it. Only the order itself must reach
         * its supplier: without it the flow cannot go on (send_failed says why). */
        return send_event(events, "send.skipped", pid, cause, NULL,
                          json_pack("{s:s, s:s?}", "reason",
                                    "the partner's profile does not receive it", "document", type));
    }
    if (st == XD_OK && d != NULL && d->format == XD_PARTNER_FORMAT_X12) {
        st = control_take(b->f, p->id, "isa", &c.isa, &err);
        if (st == XD_OK) {
            st = control_take(b->f, p->id, "gs", &c.gs, &err);
        }
        if (st == XD_OK) {
            st = control_take(b->f, p->id, "st", &c.st, &err);
        }
        if (st == XD_EUNAVAIL || st == XD_EAGAIN || st == XD_ECLOSED) {
            b->err = err;
            return st; /* the store: the whole batch waits */
        }
    }
    struct xd_partner_rendered r;
    memset(&r, 0, sizeof r);
    if (st == XD_OK) {
        /* The arriving document is rendered from its stored text (p2p.c sends it as it came). */
        st = doc == s->doc && s->doc_text != NULL
                 ? xd_partner_render_stored(p, doc, s->doc_text, s->doc_len, &c, &r, &err)
                 : xd_partner_render(p, doc, &c, &r, &err);
    }
    if (st != XD_OK) {
        /* Not sendable (no endpoint, a value the format cannot carry): on the timeline, and an
         * exception tells the buyer why. */
        json_t *why =
            json_pack("{s:s?, s:s?, s:s}", "role", role, "document", type, "error", err.message);
        if (why == NULL || send_event(events, "send.failed", pid != NULL ? pid : role, cause, NULL,
                                      json_deep_copy(why)) != XD_OK) {
            json_decref(why);
            return XD_ENOMEM;
        }
        xd_flow__exception(
            s, "send_failed", "buyer", pid, "A document could not be sent", why, NULL,
            same(type, "purchase_order") ? (const char *const[]){"resend", "resolve", NULL}
                                         : (const char *const[]){"resolve", NULL});
        return s->st != XD_OK ? s->st : st == XD_ENOMEM ? st : XD_OK;
    }
    struct xd_store_outbound *o = NULL;
    st = outbox_add(b, p->id, &r, t->cid, cause, &o);
    if (st != XD_OK) {
        xd_partner_rendered_cleanup(&r);
        return st;
    }
    char name[64];
    snprintf(name, sizeof name, "sent.%s", type);
    st = send_event(events, name, pid, cause, r.format,
                    json_pack("{s:s, s:s}", "message_id", o->id, "endpoint", o->endpoint));
    xd_partner_rendered_cleanup(&r);
    return st;
}

/* The stored body of the exception <x> a step raised (taken from the step's effects, which
 * are dropped after the fold: completed in place, not copied). */
static json_t *exception_body(struct batch *b, struct thread *t, json_t *x, const char *id)
{
    json_t *e = json_incref(x);
    json_object_set_new(e, "id", json_string(id));
    json_object_set_new(e, "correlation_id", json_string(t->cid));
    json_object_set_new(e, "po_number", json_deep_copy(json_object_get(t->data, "po_number")));
    json_object_set_new(e, "state", json_string("open"));
    json_object_set_new(e, "created_at_ms", json_integer(b->now));
    json_object_set_new(e, "history", json_array());
    return e;
}

/* Close the thread's open exceptions that the resolve entry <r> ({type, subject?}, p2p.c)
 * names (or the one of <id>) with a history entry. */
static void close_exceptions(struct thread *t, const json_t *r, const char *id, const char *actor,
                             const char *action, const char *comment, int64_t now)
{
    const char *k = NULL;
    json_t *e = NULL;
    json_object_foreach(t->excs, k, e)
    {
        const char *st = json_string_value(json_object_get(e, "state"));
        if (!same(st, "open") || (r != NULL && !xd_flow__resolves(r, e)) ||
            (id != NULL && strcmp(k, id) != 0)) {
            continue;
        }
        json_object_set_new(e, "state", json_string("resolved"));
        json_t *h = json_object();
        json_object_set_new(h, "at_ms", json_integer(now));
        json_object_set_new(h, "actor", json_string(actor));
        json_object_set_new(h, "action", json_string(action));
        if (comment != NULL) {
            json_object_set_new(h, "comment", json_string(comment));
        }
        json_t *hist = json_object_get(e, "history");
        if (!json_is_array(hist)) {
            hist = json_array();
            json_object_set_new(e, "history", hist);
        }
        json_array_append_new(hist, h);
        json_object_set_new(t->dirty, k, json_true());
    }
}

/* The effects of a step the rules could not take (<why>, <message> when known), in s->fx: the
 * state stays, the timeline (of a thread with a flow) and an exception say what failed; its
 * actions are retry (the step again, once the cause is fixed) and resolve. XD_OK or
 * XD_ENOMEM. */
static enum xd_status failed_step(const struct thread *t, struct xd_flow_step *s,
                                  enum xd_status why, const char *message)
{
    s->st = XD_OK;
    s->fx = t->exists ? json_pack("{s:s, s:O?, s:O?, s:O?}", "state", t->state, "owner",
                                  json_object_get(t->row, "owner"), "next_step",
                                  json_object_get(t->row, "next_step"), "sla",
                                  json_object_get(t->row, "sla"))
                      : json_object(); /* no state: the exception alone */
    json_t *d = json_pack("{s:s, s:s}", "document", s->doc_type, "error", xd_strerror(why));
    if (d != NULL && s->timer_kind != NULL) {
        json_object_set_new(d, "timer", json_string(s->timer_kind));
    }
    if (d != NULL && same(s->doc_type, "dead_letter")) {
        json_object_set_new(d, "dead_letter", json_deep_copy(s->action)); /* for a retry */
    }
    if (d != NULL && message != NULL && message[0] != '\0') {
        json_object_set_new(d, "message", json_string(message));
    }
    if (s->fx != NULL && d != NULL) {
        if (t->exists) {
            xd_flow__event(s, "step.failed", json_deep_copy(d));
        }
        xd_flow__exception(s, "processing_failed", "buyer", NULL,
                           "The hub could not apply a document to the order", d, NULL,
                           (const char *const[]){"retry", "resolve", NULL});
        return s->st;
    }
    json_decref(d);
    return XD_ENOMEM;
}

/* A step cancels timer <id>: an earlier step of the batch that set it is undone too. The store
 * closes a batch's timers before it sets them, so that setting would outlive the cancel (an
 * SLA timer armed by a ship notice and cancelled by the invoice of the same interchange would
 * still fire). */
static void drop_pending_timer(struct batch *b, const char *id)
{
    for (size_t i = json_array_size(b->timers); i-- > 0;) {
        if (same(jstr(json_array_get(b->timers, i), "id"), id)) {
            json_array_remove(b->timers, i);
        }
    }
}

/* The exceptions a step raises (fx.exceptions) into its thread's. */
static enum xd_status fold_exceptions(struct batch *b, struct thread *t, const json_t *fx)
{
    enum xd_status st = XD_OK;
    size_t i = 0;
    json_t *v = NULL;
    json_array_foreach(json_object_get(fx, "exceptions"), i, v)
    {
        char id[XD_ID_LEN + 1];
        if (st == XD_OK) {
            st = xd_id_new(id);
        }
        json_t *body = st == XD_OK ? exception_body(b, t, v, id) : NULL;
        if (body == NULL || json_object_set_new(t->excs, id, body) != 0 ||
            json_object_set_new(t->dirty, id, json_true()) != 0) {
            st = st != XD_OK ? st : XD_ENOMEM;
        }
    }
    return st;
}

static enum xd_status fold(struct batch *b, struct thread *t, struct xd_flow_step *s);

/* What a step does when the rules fail. */
enum step_mode {
    STEP_RECORD, /* a failure other than memory is recorded (failed_step); the flow goes on */
    STEP_REFUSE, /* every failure is returned and changes nothing (an operator's retry) */
};

/* Run one step of <t> and fold its effects into the batch. */
static enum xd_status step_in(struct batch *b, struct thread *t, struct xd_flow_step *s,
                              enum step_mode mode)
{
    struct xd_flow_sla slas[SLAS_MAX];
    s->state = t->exists ? t->state : NULL;
    s->data = t->data;
    s->now_ms = b->now;
    s->slas = slas;
    s->n_slas = supplier_slas(b, t->data, slas);
    s->tol = b->f->o.tolerances;
    s->fx = json_object();
    json_t *before = json_deep_copy(t->data);
    if (s->fx == NULL || before == NULL) {
        json_decref(s->fx);
        json_decref(before);
        return XD_ENOMEM;
    }
    const struct xd_flow_options *o = &b->f->o;
    enum xd_status st = o->fault != NULL ? o->fault(o->fault_arg, s) : XD_OK;
    st = st == XD_OK ? xd_flow__p2p_step(s) : st;
    if (st != XD_OK) {
        /* The thread keeps its working data as it was. */
        json_decref(t->data);
        t->data = before;
        before = NULL;
        json_decref(s->fx);
        s->fx = NULL;
    }
    if (st != XD_OK && st != XD_ENOMEM && mode == STEP_RECORD) {
        /* A document the rules cannot use (a quantity that overflows) must not stop the engine
         * behind it: the thread keeps its state, the failure is on its timeline and in an
         * exception, and the flow goes on. */
        XD_LOG_ERROR("flow", (&(struct xd_log_ctx){.correlation_id = t->cid}),
                     "the %s %s could not be applied: %s", s->doc_type,
                     s->doc_id != NULL ? s->doc_id : "", xd_strerror(st));
        st = failed_step(t, s, st, NULL);
    }
    json_decref(before);
    if (st != XD_OK) {
        return xd_error_set(&b->err, st, "thread %s: the %s step failed: %s", t->cid, s->doc_type,
                            xd_strerror(st));
    }
    return fold(b, t, s);
}

static enum xd_status step(struct batch *b, struct thread *t, struct xd_flow_step *s)
{
    return step_in(b, t, s, STEP_RECORD);
}

/* Fold the effects of a step (s->fx, released here) into the batch. Sending (send_one) may
 * add to s->fx as it goes. */
static enum xd_status fold(struct batch *b, struct thread *t, struct xd_flow_step *s)
{
    enum xd_status st = XD_OK;
    json_t *fx = s->fx;
    const char *to = json_string_value(json_object_get(fx, "state"));
    bool ignore = json_is_true(json_object_get(fx, "ignore"));
    if (ignore || to == NULL) {
        /* No state: failed_step on a thread without a flow; its exception, no flow starts. */
        st = ignore ? XD_OK : fold_exceptions(b, t, fx);
        s->fx = NULL;
        json_decref(fx);
        return st;
    }
    const char *from = t->exists ? t->state : NULL;
    json_t *evs = json_array();
    size_t i = 0;
    json_t *v = NULL;
    json_array_foreach(json_object_get(fx, "send"), i, v)
    {
        if (st == XD_OK) {
            st = send_one(b, t, s, v, s->doc_id != NULL ? s->doc_id : s->doc_type, evs);
        }
    }
    json_array_foreach(json_object_get(fx, "events"), i, v)
    {
        json_array_append(evs, v);
    }
    json_array_foreach(evs, i, v)
    {
        json_object_set_new(v, "cid", json_string(t->cid));
        json_object_set_new(v, "from", from != NULL ? json_string(from) : json_null());
        json_object_set_new(v, "to", json_string(to));
        json_array_append(b->events, v);
    }
    json_decref(evs);
    /* A timer's id is its thread and kind: setting one again replaces it. */
    json_array_foreach(json_object_get(fx, "timers_cancel"), i, v)
    {
        json_t *id = json_sprintf("%s:%s", t->cid, json_string_value(v));
        if (id == NULL) {
            st = st != XD_OK ? st : XD_ENOMEM;
            continue;
        }
        drop_pending_timer(b, json_string_value(id));
        if (json_array_append_new(b->closed, id) != 0) {
            st = st != XD_OK ? st : XD_ENOMEM;
        }
    }
    json_array_foreach(json_object_get(fx, "timers"), i, v)
    {
        json_t *tm = json_incref(v); /* the step's effects are dropped after the fold */
        json_object_set_new(tm, "cid", json_string(t->cid));
        json_object_set_new(tm, "id", json_sprintf("%s:%s", t->cid, jstr(v, "kind")));
        json_array_append_new(b->timers, tm);
    }
    if (st == XD_OK && json_array_size(json_object_get(fx, "resolve")) > 0) {
        st = excs_load(b, t);
    }
    json_array_foreach(json_object_get(fx, "resolve"), i, v)
    {
        close_exceptions(t, v, NULL, ACTOR, "auto_resolved", "the awaited document arrived",
                         b->now);
    }
    if (st == XD_OK) {
        st = fold_exceptions(b, t, fx);
    }
    const char *const row_keys[] = {"owner", "next_step", "sla"};
    for (size_t k = 0; k < XD_ARRAY_LEN(row_keys); k++) {
        json_object_set(t->row, row_keys[k], json_object_get(fx, row_keys[k]));
    }
    char *ns = strdup(to);
    if (ns == NULL) {
        st = XD_ENOMEM;
    } else {
        free(t->state);
        t->state = ns;
    }
    t->changed = true;
    if (!t->exists) {
        t->exists = true;
        t->version = 0;
    }
    s->fx = NULL;
    json_decref(fx);
    return st;
}

/* ---- the store operation ------------------------------------------------------------------- */

static char *arena_dump(struct batch *b, const json_t *v)
{
    return xd_canon_tree_dump(v, &b->dump, b->a);
}

/* Commit the batch (with the cursor move, when <cursor_to> >= 0). */
static enum xd_status commit_named(struct batch *b, const char *cursor, int64_t cursor_from,
                                   int64_t cursor_to, const char *actor)
{
    struct xd_arena *a = b->a;
    size_t n_rows = 0, n_exc = 0;
    for (size_t i = 0; i < b->n_threads; i++) {
        n_rows += b->threads[i].changed;
        n_exc += json_object_size(b->threads[i].dirty);
    }
    size_t n_ev = json_array_size(b->events), n_tm = json_array_size(b->timers);
    size_t n_cl = json_array_size(b->closed);
    struct xd_store_flow_row *rows = xd_arena_alloc(a, (n_rows + 1) * sizeof *rows);
    struct xd_store_flow_event *evs = xd_arena_alloc(a, (n_ev + 1) * sizeof *evs);
    struct xd_store_timer *tms = xd_arena_alloc(a, (n_tm + 1) * sizeof *tms);
    const char **cls = xd_arena_alloc(a, (n_cl + 1) * sizeof *cls);
    struct xd_store_exception *exs = xd_arena_alloc(a, (n_exc + 1) * sizeof *exs);
    if (rows == NULL || evs == NULL || tms == NULL || cls == NULL || exs == NULL) {
        return XD_ENOMEM;
    }
    size_t r = 0, x = 0;
    for (size_t i = 0; i < b->n_threads; i++) {
        struct thread *t = &b->threads[i];
        if (t->changed) {
            rows[r++] = (struct xd_store_flow_row){
                .correlation_id = t->cid,
                .flow = xd_flow__p2p_name,
                .state = t->state,
                .key = jstr(t->data, "po_number"),
                .partner = jstr(t->data, "supplier"),
                .owner = jstr(t->row, "owner"),
                .next_step = jstr(t->row, "next_step"),
                .sla = jstr(t->row, "sla") != NULL ? jstr(t->row, "sla") : "ok",
                .data = arena_dump(b, t->data),
                .version = t->version,
            };
            if (rows[r - 1].data == NULL) {
                return XD_ENOMEM;
            }
        }
        const char *id = NULL;
        json_t *v = NULL;
        json_object_foreach(t->dirty, id, v)
        {
            const json_t *e = json_object_get(t->excs, id);
            const json_t *about = json_object_get(e, "subject");
            exs[x] = (struct xd_store_exception){
                .id = id,
                .correlation_id = t->cid,
                .type = jstr(e, "type"),
                .partner = jstr(e, "partner"),
                .owner = jstr(e, "owner"),
                .state = jstr(e, "state"),
                .body = arena_dump(b, e),
                .subject_document = jstr(about, "document"),
                .subject_number = jstr(about, "number"),
                .created_at_ms = json_integer_value(json_object_get(e, "created_at_ms")),
            };
            if (exs[x++].body == NULL) {
                return XD_ENOMEM;
            }
        }
    }
    size_t i = 0;
    json_t *v = NULL;
    json_array_foreach(b->events, i, v)
    {
        const json_t *d = json_object_get(v, "detail");
        evs[i] = (struct xd_store_flow_event){
            .correlation_id = jstr(v, "cid"),
            .event = jstr(v, "event"),
            .from_state = jstr(v, "from"),
            .to_state = jstr(v, "to"),
            .document_id = jstr(v, "document_id"),
            .partner = jstr(v, "partner"),
            .channel = jstr(v, "channel"),
            .detail = d != NULL ? arena_dump(b, d) : NULL,
        };
    }
    json_array_foreach(b->timers, i, v)
    {
        tms[i] =
            (struct xd_store_timer){.id = jstr(v, "id"),
                                    .correlation_id = jstr(v, "cid"),
                                    .kind = jstr(v, "kind"),
                                    .due_at_ms = json_integer_value(json_object_get(v, "due_at"))};
    }
    json_array_foreach(b->closed, i, v)
    {
        cls[i] = json_string_value(v);
    }
    struct xd_store_op op = {.kind = XD_STORE_OP_FLOW};
    op.u.flow = (struct xd_store_flow){
        .rows = rows,
        .n_rows = r,
        .events = evs,
        .n_events = n_ev,
        .timers = tms,
        .n_timers = n_tm,
        .timers_closed = cls,
        .n_timers_closed = n_cl,
        .exceptions = exs,
        .n_exceptions = x,
        .outbox = b->outbox,
        .n_outbox = b->n_outbox,
        .cursor = cursor_to >= 0 ? cursor : NULL,
        .cursor_from = cursor_from,
        .cursor_to = cursor_to,
        .actor = actor,
        .at_ms = b->now,
    };
    if (r + n_ev + n_tm + n_cl + x + b->n_outbox == 0 && cursor_to < 0) {
        return XD_OK;
    }
    enum xd_status st = xd_store_execute(b->f->o.store, &op);
    if (st != XD_OK) {
        b->err = op.err;
    }
    xd_store_op_cleanup(&op);
    return st;
}

/* Commit the batch, moving the journal cursor when <cursor_to> >= 0. */
static enum xd_status commit(struct batch *b, int64_t cursor_from, int64_t cursor_to,
                             const char *actor)
{
    return commit_named(b, CURSOR, cursor_from, cursor_to, actor);
}

static enum xd_status commit_cursor(struct batch *b, const char *cursor, int64_t from, int64_t to)
{
    return commit_named(b, cursor, from, to, ACTOR);
}

/* ---- the sources of steps ------------------------------------------------------------------ */

static void count(struct xd_flow *f, uint64_t steps, enum xd_status st, int64_t position)
{
    pthread_mutex_lock(&f->mu);
    f->stats.steps += steps;
    if (st == XD_OK) {
        f->stats.commits++;
        if (position >= 0) {
            f->stats.position = position;
        }
    } else if (st == XD_ECONFLICT) {
        f->stats.conflicts++;
    } else {
        f->stats.failures++;
    }
    pthread_mutex_unlock(&f->mu);
}

/* The engine has processed the journal through <position> (the gauge beside the journal's). */
static void reached(struct xd_flow *f, int64_t position)
{
    pthread_mutex_lock(&f->mu);
    f->stats.position = position;
    pthread_mutex_unlock(&f->mu);
}

static void log_failure(struct batch *b, const char *what, enum xd_status st)
{
    XD_LOG_ERROR("flow", NULL, "%s: %s (%s); retrying", what,
                 b->err.message[0] != '\0' ? b->err.message : xd_strerror(st), xd_strerror(st));
}

/* A step that keeps failing (the store down, memory short) is taken again after a wait that
 * doubles from poll_ms up to RETRY_MAX_MS, and said in the log at the 1st, 2nd, 4th, 8th ...
 * attempt: not a line every poll, nor a busy loop whenever new documents arrive. */
#define RETRY_MAX_MS 5000

static bool retry_waiting(const struct retry *r)
{
    return r->failures > 0 && xd_mono_ns() < r->at_ns;
}

static void retry_failed(struct xd_flow *f, struct retry *r, struct batch *b, const char *what,
                         enum xd_status st)
{
    r->failures++;
    int64_t wait = f->o.poll_ms;
    for (uint32_t i = 1; i < r->failures && wait < RETRY_MAX_MS; i++) {
        wait *= 2;
    }
    wait = wait < RETRY_MAX_MS ? wait : RETRY_MAX_MS;
    r->at_ns = xd_mono_ns() + wait * 1000000;
    if ((r->failures & (r->failures - 1)) == 0) {
        XD_LOG_ERROR("flow", NULL, "%s: %s (%s); attempt %u, next in %lld ms", what,
                     b->err.message[0] != '\0' ? b->err.message : xd_strerror(st), xd_strerror(st),
                     r->failures, (long long)wait);
    }
}

static void retry_done(struct retry *r, const char *what)
{
    if (r->failures > 0) {
        XD_LOG_INFO("flow", NULL, "%s: done after %u attempts", what, r->failures + 1);
        r->failures = 0;
    }
}

/* Whether a failure may be the message's own (the rules, its data, its size) rather than the
 * store's or the machine's, which every message would meet and only time mends. */
static bool may_be_the_message(enum xd_status st)
{
    switch (st) {
    case XD_EIO:
    case XD_EUNAVAIL:
    case XD_ECLOSED:
    case XD_EAGAIN:
    case XD_ETIMEOUT:
    case XD_ECONFLICT:
        return false;
    default:
        return true;
    }
}

/* A step over several items (<several>: journal messages, timers; the last at <until>) or one
 * (<key>) failed with <st> (<message>), perhaps for one item's sake: the items of that batch
 * are taken one per transaction, and the one that fails alone SET_ASIDE_AFTER times is set
 * aside: recorded as failed on its thread (processing_failed, with retry among its actions)
 * while the engine goes on. A memory shortage that is not the item's lasts through the
 * doubling waits before that. */
#define SET_ASIDE_AFTER 8

static void isolate(struct retry *r, bool several, int64_t until, const char *key,
                    enum xd_status st, const char *message)
{
    r->alone_until = until > r->alone_until ? until : r->alone_until;
    if (several) {
        return; /* which one, the next attempts tell */
    }
    if (strcmp(r->alone, key) != 0) {
        snprintf(r->alone, sizeof r->alone, "%s", key);
        r->alone_failures = 0;
    }
    if (++r->alone_failures >= SET_ASIDE_AFTER) {
        r->aside = true;
        r->aside_status = st;
        snprintf(r->aside_message, sizeof r->aside_message, "%s", message);
        r->at_ns = 0; /* now */
    }
}

/* Whether the item <key>, first in this attempt, is the one to set aside. Another item first
 * (the one to set aside was cancelled meanwhile, or an earlier one came) clears the mark: a
 * timer set again later under the same id must fail anew before it is set aside. */
static bool is_aside(struct retry *r, const char *key)
{
    if (r->aside && strcmp(r->alone, key) != 0) {
        r->aside = false;
        r->alone_failures = 0;
    }
    return r->aside;
}

static void set_aside_done(struct xd_flow *f, struct retry *r, const char *what)
{
    XD_LOG_ERROR("flow", NULL,
                 "%s set aside after %u failed attempts: %s (%s); see its processing_failed "
                 "exception",
                 what, r->alone_failures, r->aside_message, xd_strerror(r->aside_status));
    r->aside = false;
    r->alone[0] = '\0';
    r->alone_failures = 0;
    pthread_mutex_lock(&f->mu);
    f->stats.set_aside++;
    pthread_mutex_unlock(&f->mu);
}

/* One attempt of a source of steps (the journal, the timers, the dead letters) over its items:
 * what its end needs, kept at its start (the batch's memory may be reset before the end). */
struct attempt {
    struct retry *r;
    const char *source;           /* for the log: "firing timers" */
    char key[ITEM_KEY_MAX];       /* the first item's (isolate) */
    char item[ITEM_KEY_MAX + 32]; /* and its name: "timer <id>" */
    bool several;                 /* more than one item */
    int64_t until;                /* the last item's position */
    bool aside;                   /* the item is to be set aside (is_aside) */
};

static void attempt_begin(struct attempt *a, struct retry *r, const char *source, const char *noun,
                          const char *key, bool several, int64_t until)
{
    a->r = r;
    a->source = source;
    snprintf(a->key, sizeof a->key, "%s", key);
    snprintf(a->item, sizeof a->item, "%s %s", noun, key);
    a->several = several;
    a->until = until;
    a->aside = is_aside(r, a->key);
}

/* The step of <s> on <t>; or, for an item to be set aside, its failure recorded instead. */
static enum xd_status attempt_step(struct batch *b, const struct attempt *a, struct thread *t,
                                   struct xd_flow_step *s)
{
    if (!a->aside) {
        return step(b, t, s);
    }
    enum xd_status st = failed_step(t, s, a->r->aside_status, a->r->aside_message);
    return st == XD_OK ? fold(b, t, s) : st;
}

/* Whether the attempt that was to set its item aside could not even store that: then the item
 * is passed over (said in the log), the batch emptied, and the caller commits only its
 * position past the item. */
static bool attempt_pass_over(struct batch *b, const struct attempt *a, enum xd_status st)
{
    if (!a->aside || st == XD_OK || !may_be_the_message(st)) {
        return false;
    }
    XD_LOG_ERROR("flow", NULL, "%s: its exception cannot be stored (%s); passed over", a->item,
                 b->err.message);
    batch_reset(b);
    return true;
}

/* The attempt ended with <st>: done; taken again at once after a conflict with another
 * engine; or taken again later, isolated when the failure may be an item's own. */
static void attempt_end(struct xd_flow *f, struct batch *b, struct attempt *a, enum xd_status st)
{
    if (st == XD_OK) {
        if (a->aside) {
            set_aside_done(f, a->r, a->item);
        }
        retry_done(a->r, a->source);
    } else if (st == XD_ECONFLICT) {
        log_failure(b, a->source, st);
    } else {
        retry_failed(f, a->r, b, a->source, st);
        if (may_be_the_message(st)) {
            isolate(a->r, a->several, a->until, a->key, st, b->err.message);
        }
    }
}

/* Documents journaled since the cursor: returns true when it did something. */
static bool run_documents(struct xd_flow *f, struct batch *b)
{
    if (retry_waiting(&f->journal)) {
        return false; /* waiting to take the failed step again */
    }
    if (!f->cursor_known) {
        if (xd_store_cursor_get(f->o.store, CURSOR, &f->cursor, &b->err) != XD_OK) {
            return false;
        }
        f->cursor_known = true;
        reached(f, f->cursor);
    }
    /* Read before the documents: when none follows the cursor, everything through it is done
     * (the messages past the cursor carried no document). */
    struct xd_store_stats head;
    xd_store_stats(f->o.store, &head);
    /* The batch's reads (its documents, their threads, open exceptions) in one snapshot, on
     * one connection whose page cache they share, until the batch is handed to the writer. */
    if (xd_store_read_begin(f->o.store, &b->err) != XD_OK) {
        return false;
    }
    struct xd_store_doc *docs = NULL;
    size_t n = 0;
    size_t limit = f->o.batch_max;
    enum xd_status st = xd_store_docs_after(f->o.store, f->cursor, limit, b->a, &docs, &n, &b->err);
    if (st == XD_OK && n == limit) {
        /* The documents of the last message may continue past the limit: leave them all for
         * the next batch, unless the batch is that one message (then read it whole). */
        size_t keep = n;
        while (keep > 0 && docs[keep - 1].seq == docs[n - 1].seq) {
            keep--;
        }
        if (keep == 0) {
            st = xd_store_docs_after(f->o.store, f->cursor, XD_STORE_MESSAGE_DOCS_MAX + 1, b->a,
                                     &docs, &n, &b->err);
            keep = n;
            while (st == XD_OK && keep > 0 && n > XD_STORE_MESSAGE_DOCS_MAX &&
                   docs[keep - 1].seq == docs[n - 1].seq) {
                keep--;
            }
        }
        n = keep;
    }
    if (st == XD_OK && n == 0 && head.journal_seq > f->cursor) {
        reached(f, head.journal_seq);
    }
    if (st != XD_OK || n == 0) {
        xd_store_read_end(f->o.store);
        return false;
    }
    struct retry *r = &f->journal;
    if (r->alone_until > f->cursor) {
        size_t first = 1; /* isolating a failure: the first message alone */
        while (first < n && docs[first].seq == docs[0].seq) {
            first++;
        }
        n = first;
    }
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)docs[0].seq);
    int64_t to = docs[n - 1].seq;
    struct attempt at;
    attempt_begin(&at, r, "flow step over the journal", "journal message", key, docs[0].seq != to,
                  to);
    b->now = xd_now_ms();
    b->snap = xd_partner_registry_acquire(f->o.partners);
    uint64_t steps = 0;
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        const struct xd_store_doc *d = &docs[i];
        if (!xd_flow__p2p_handles(d->doc_type)) {
            continue;
        }
        json_t *doc = xd_canon_tree_load(d->body, d->body_len, b->a);
        if (doc == NULL) {
            continue; /* the journal holds canonical JSON; nothing to drive */
        }
        struct thread *t = NULL;
        st = thread_get(b, d->correlation_id, &t);
        if (st == XD_OK && !at.aside && !t->exists && strcmp(d->doc_type, "purchase_order") == 0) {
            st = route(b, t->data, doc, d->partner);
        }
        struct xd_flow_step s = {.doc = doc,
                                 .doc_text = d->body,
                                 .doc_len = d->body_len,
                                 .doc_type = d->doc_type,
                                 .doc_id = d->id,
                                 .partner = d->partner,
                                 .channel = d->channel};
        if (st == XD_OK) {
            st = attempt_step(b, &at, t, &s);
            steps += !at.aside;
        }
        json_decref(doc);
    }
    xd_store_read_end(f->o.store);
    if (st == XD_OK) {
        st = commit(b, f->cursor, to, ACTOR);
    }
    if (attempt_pass_over(b, &at, st)) {
        st = commit(b, f->cursor, to, ACTOR);
    }
    count(f, steps, st, st == XD_OK ? to : -1);
    if (st == XD_OK) {
        f->cursor = to;
    } else {
        f->cursor_known = false; /* re-read: another engine may have moved it */
    }
    attempt_end(f, b, &at, st);
    return st == XD_OK;
}

/* Dead letters: an outbound message of a thread given up by delivery (retries exhausted, a
 * refusal) becomes an exception on its thread. Read from the audit log, where every one is an
 * "outbox.dead" record, in order, with the engine's position moved in the same step: the store
 * hands over only those records and the log's head, so the rest of the log is not read. */
#define AUDIT_CURSOR    "flow-audit"
#define AUDIT_BATCH     1000
#define AUDIT_PERIOD_MS 1000

struct dead_scan {
    json_t *dead; /* the "after" JSON of each outbox.dead record */
    int64_t last; /* seq of the last record read */
    size_t read, max;
};

static enum xd_status dead_collect(void *arg, const struct xd_audit_record *r)
{
    struct dead_scan *d = arg;
    json_t *j = r->after != NULL ? json_loads(r->after, 0, NULL) : NULL;
    if (j != NULL && json_array_append_new(d->dead, j) != 0) {
        return XD_ENOMEM;
    }
    d->last = r->seq;
    return ++d->read >= d->max ? XD_ECLOSED : XD_OK; /* enough for one step */
}

static bool run_dead_letters(struct xd_flow *f, struct batch *b)
{
    b->now = xd_now_ms();
    if (b->now < f->audit_next_ms || retry_waiting(&f->dead)) {
        return false;
    }
    if (!f->audit_known) {
        if (xd_store_cursor_get(f->o.store, AUDIT_CURSOR, &f->audit_cursor, &b->err) != XD_OK) {
            return false;
        }
        f->audit_known = true;
    }
    struct retry *r = &f->dead;
    bool alone = r->alone_until > f->audit_cursor; /* isolating a failure: one record a step */
    struct dead_scan d = {
        .dead = json_array(), .last = f->audit_cursor, .max = alone ? 1 : AUDIT_BATCH};
    int64_t through = f->audit_cursor;
    enum xd_status st =
        d.dead != NULL ? xd_store_audit_scan_action(f->o.store, f->audit_cursor + 1, "outbox.dead",
                                                    dead_collect, &d, &through, &b->err)
                       : XD_ENOMEM;
    if (st == XD_ECLOSED) {
        st = XD_OK; /* a full step: the position is the last record taken */
    } else if (st == XD_OK) {
        d.last = through;
    }
    /* Moving the position over records of no interest is worth a commit only now and then. */
    bool idle = d.read == 0 && d.last - f->audit_cursor < AUDIT_BATCH * 10;
    if (st != XD_OK || d.last == f->audit_cursor || idle) {
        json_decref(d.dead);
        f->audit_next_ms = b->now + AUDIT_PERIOD_MS;
        return false;
    }
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)d.last);
    struct attempt at;
    attempt_begin(&at, r, "dead letters into exceptions", "dead letter of audit record", key,
                  d.read > 1, d.last);
    b->snap = xd_partner_registry_acquire(f->o.partners);
    size_t i = 0;
    json_t *m = NULL;
    uint64_t steps = 0;
    json_array_foreach(d.dead, i, m)
    {
        const char *cid = jstr(m, "correlation_id");
        struct thread *t = NULL;
        if (st != XD_OK || cid == NULL || cid[0] == '\0') {
            continue;
        }
        st = thread_get(b, cid, &t);
        struct xd_flow_step s = {.doc_type = "dead_letter", .action = m};
        if (st == XD_OK && t->exists) {
            st = attempt_step(b, &at, t, &s);
            steps += !at.aside;
        }
    }
    json_decref(d.dead);
    if (st == XD_OK) {
        st = commit_cursor(b, AUDIT_CURSOR, f->audit_cursor, d.last);
    }
    if (attempt_pass_over(b, &at, st)) {
        st = commit_cursor(b, AUDIT_CURSOR, f->audit_cursor, d.last);
    }
    count(f, steps, st, -1);
    if (st == XD_OK) {
        f->audit_cursor = d.last;
    } else {
        f->audit_known = false;
    }
    attempt_end(f, b, &at, st);
    return st == XD_OK && d.read >= d.max;
}

static bool run_timers(struct xd_flow *f, struct batch *b)
{
    if (retry_waiting(&f->timers)) {
        return false;
    }
    struct xd_store_timer *due = NULL;
    size_t n = 0;
    b->now = xd_now_ms();
    enum xd_status st = xd_store_timers_due(f->o.store, b->now, 100, b->a, &due, &n, &b->err);
    if (st != XD_OK || n == 0) {
        return false;
    }
    struct retry *r = &f->timers;
    if (r->alone_until > 0 && due[0].due_at_ms <= r->alone_until) {
        n = 1; /* isolating a failure: the first timer alone */
    } else {
        r->alone_until = 0;
    }
    struct attempt at;
    attempt_begin(&at, r, "firing timers", "timer", due[0].id, n > 1, due[n - 1].due_at_ms);
    b->snap = xd_partner_registry_acquire(f->o.partners);
    for (size_t i = 0; st == XD_OK && i < n; i++) {
        struct thread *t = NULL;
        st = thread_get(b, due[i].correlation_id, &t);
        struct xd_flow_step s = {.doc_type = "timer", .timer_kind = due[i].kind};
        if (st == XD_OK && t->exists) {
            st = attempt_step(b, &at, t, &s);
        }
        json_array_append_new(b->closed, json_string(due[i].id));
    }
    if (st == XD_OK) {
        st = commit(b, 0, -1, ACTOR);
    }
    if (attempt_pass_over(b, &at, st)) {
        st = json_array_append_new(b->closed, json_string(at.key)) == 0 ? XD_OK : XD_ENOMEM;
        st = st == XD_OK ? commit(b, 0, -1, ACTOR) : st;
    }
    count(f, n, st, -1);
    attempt_end(f, b, &at, st);
    return st == XD_OK;
}

static bool action_applies(const json_t *e, const char *action)
{
    size_t i = 0;
    const json_t *a = NULL;
    json_array_foreach(json_object_get(e, "actions"), i, a)
    {
        if (same(json_string_value(a), action)) {
            return true;
        }
    }
    return false;
}

/* For a re-route: the warehouse's alternate (its profile's failover) and the ship notices not
 * received yet, read from the store, into <act>. */
static enum xd_status reroute_args(struct xd_flow *f, struct batch *b, struct thread *t,
                                   json_t *act, struct xd_error *err)
{
    const struct xd_partner_profile *wh =
        xd_partner_snapshot_find(b->snap, jstr(t->data, "warehouse"));
    const char *alt =
        wh != NULL && wh->outbound.failover != NULL ? wh->outbound.failover->alternate : NULL;
    if (alt == NULL || xd_partner_snapshot_find(b->snap, alt) == NULL) {
        return xd_error_set(err, XD_ECONFLICT,
                            "the warehouse %s has no alternate (outbound.failover.alternate) "
                            "with a profile to re-route to",
                            wh != NULL ? wh->id : "(none)");
    }
    json_t *asns = json_array();
    enum xd_status st = asns != NULL ? XD_OK : XD_ENOMEM;
    const char *k = NULL;
    json_t *a = NULL;
    json_object_foreach(json_object_get(t->data, "asns"), k, a)
    {
        struct xd_store_doc d;
        const char *id = jstr(a, "doc");
        if (st != XD_OK || json_is_true(json_object_get(a, "received")) || id == NULL) {
            continue;
        }
        st = xd_store_doc_get(f->o.store, id, b->a, &d, err);
        json_t *doc = st == XD_OK ? xd_canon_tree_load(d.body, d.body_len, b->a) : NULL;
        if (st == XD_OK && (doc == NULL || json_array_append_new(asns, doc) != 0)) {
            st = XD_ENOMEM;
        }
    }
    if (st == XD_OK) {
        json_object_set_new(act, "reroute_to", json_string(alt));
        json_object_set_new(act, "asns", asns);
    } else {
        json_decref(asns);
    }
    return st;
}

/* The retry of a processing_failed exception <x>: the step of its document (its timer, its dead
 * letter) again, as the journal (the timers, the dead letters) would take it; when the rules
 * fail again nothing changes and the caller hears why (409). */
static enum xd_status retry_step(struct batch *b, struct thread *t, const json_t *x,
                                 struct xd_error *err)
{
    const char *id = jstr(x, "document_id");
    const json_t *detail = json_object_get(x, "detail");
    struct xd_flow_step s = {0};
    const char *name = "";
    json_t *doc = NULL;
    enum xd_status st = XD_OK;
    if (id != NULL) {
        struct xd_store_doc d;
        st = xd_store_doc_get(b->f->o.store, id, b->a, &d, err);
        if (st != XD_OK) {
            return st;
        }
        doc = xd_canon_tree_load(d.body, d.body_len, b->a);
        if (doc == NULL) {
            return xd_error_set(err, XD_ECORRUPT, "document %s: stored body is not JSON", id);
        }
        s = (struct xd_flow_step){.doc = doc,
                                  .doc_text = d.body,
                                  .doc_len = d.body_len,
                                  .doc_type = d.doc_type,
                                  .doc_id = d.id,
                                  .partner = d.partner,
                                  .channel = d.channel};
        name = d.id;
        if (!t->exists && strcmp(d.doc_type, "purchase_order") == 0) {
            st = route(b, t->data, doc, d.partner);
        }
    } else if (t->exists && jstr(detail, "timer") != NULL) {
        s = (struct xd_flow_step){.doc_type = "timer", .timer_kind = jstr(detail, "timer")};
        name = s.timer_kind;
    } else if (t->exists && json_is_object(json_object_get(detail, "dead_letter"))) {
        s = (struct xd_flow_step){.doc_type = "dead_letter",
                                  .action = json_object_get(detail, "dead_letter")};
    } else {
        return xd_error_set(err, XD_ECONFLICT, "the exception names no document to retry");
    }
    st = st == XD_OK ? step_in(b, t, &s, STEP_REFUSE) : st;
    json_decref(doc);
    if (st != XD_OK && may_be_the_message(st)) {
        return xd_error_set(err, XD_ECONFLICT, "the %s%s%s still cannot be applied: %s", s.doc_type,
                            name[0] != '\0' ? " " : "", name, b->err.message);
    }
    if (st != XD_OK && err != NULL && err->message[0] == '\0') {
        *err = b->err;
    }
    return st;
}

static enum xd_status run_action(struct xd_flow *f, struct batch *b, struct action_req *q)
{
    struct xd_store_exception ex;
    b->now = xd_now_ms();
    enum xd_status st = xd_store_exception_get(f->o.store, q->exception_id, b->a, &ex, q->err);
    if (st != XD_OK) {
        return st;
    }
    json_t *body = json_loads(ex.body, 0, NULL);
    if (body == NULL) {
        return xd_error_set(q->err, XD_ECORRUPT, "exception %s: stored body is not JSON", ex.id);
    }
    if (!same(ex.state, "open")) {
        json_decref(body);
        return xd_error_set(q->err, XD_ECONFLICT, "exception %s is %s, not open", ex.id, ex.state);
    }
    if (!action_applies(body, q->action)) {
        char *acts = json_dumps(json_object_get(body, "actions"), JSON_COMPACT);
        xd_error_set(q->err, XD_ECONFLICT,
                     "action %s does not apply to a %s exception; these do: %s", q->action, ex.type,
                     acts != NULL ? acts : "[]");
        free(acts);
        json_decref(body);
        return XD_ECONFLICT;
    }
    b->snap = xd_partner_registry_acquire(f->o.partners);
    struct thread *t = NULL;
    st = thread_get(b, ex.correlation_id, &t);
    json_t *act = json_object();
    json_t *po = NULL;
    if (st == XD_OK && act == NULL) {
        st = XD_ENOMEM;
    }
    bool retry = strcmp(q->action, "retry") == 0;
    if (st == XD_OK && !t->exists && !same(ex.type, "processing_failed")) {
        st = xd_error_set(q->err, XD_ECONFLICT, "thread %s has no flow", ex.correlation_id);
    }
    if (st == XD_OK && retry) {
        st = retry_step(b, t, body, q->err);
    }
    if (st == XD_OK && strcmp(q->action, "resend") == 0) {
        struct xd_store_doc d;
        if (xd_store_doc_get(f->o.store, jstr(t->data, "po_doc"), b->a, &d, q->err) == XD_OK) {
            po = xd_canon_tree_load(d.body, d.body_len, b->a);
        }
        if (jstr(t->data, "supplier") == NULL) {
            json_t *order = po;
            st = order != NULL ? route(b, t->data, order, NULL) : XD_OK;
        }
    }
    if (st == XD_OK && strcmp(q->action, "reroute") == 0) {
        st = reroute_args(f, b, t, act, q->err);
    }
    if (st == XD_OK && !retry && t->exists) {
        json_object_set_new(act, "action", json_string(q->action));
        json_object_set_new(act, "comment",
                            q->comment != NULL ? json_string(q->comment) : json_null());
        json_object_set(act, "exception", body);
        if (po != NULL) {
            json_object_set(act, "po", po);
        }
        struct xd_flow_step s = {.doc_type = "action", .action = act};
        st = step(b, t, &s);
    }
    if (st == XD_OK) {
        /* The exception as read above is the one to close (it is open). */
        if (json_object_get(t->excs, ex.id) == NULL) {
            json_object_set(t->excs, ex.id, body);
        }
        close_exceptions(t, NULL, ex.id, q->actor, q->action, q->comment, b->now);
        st = commit(b, 0, -1, q->actor);
        if (st != XD_OK) {
            *q->err = b->err;
        }
    }
    if (st == XD_OK && q->out != NULL) {
        struct xd_store_exception now;
        json_t *j = NULL;
        st = xd_store_exception_get(f->o.store, ex.id, b->a, &now, q->err);
        if (st == XD_OK) {
            st = xd_flow_exception_json(&now, xd_now_ms(), &j);
        }
        char *text = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (st == XD_OK) {
            st = text != NULL ? xd_buf_append(q->out, text, strlen(text)) : XD_ENOMEM;
        }
        free(text);
        json_decref(j);
    }
    count(f, 1, st, -1);
    json_decref(po);
    json_decref(act);
    json_decref(body);
    return st;
}

static void *engine_main(void *arg)
{
    pthread_setname_np(pthread_self(), "xd-flow"); /* shown by top -H, perf, gdb */
    struct xd_flow *f = arg;
    struct batch b;
    if (batch_init(&b, f) != XD_OK) {
        XD_LOG_ERROR("flow", NULL, "out of memory: the flow engine is not running");
        batch_cleanup(&b);
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&f->mu);
        struct action_req *q = f->actions;
        if (q != NULL) {
            f->actions = q->next;
        }
        bool stop = f->stop;
        pthread_mutex_unlock(&f->mu);
        if (q != NULL) {
            q->st = run_action(f, &b, q);
            batch_reset(&b);
            pthread_mutex_lock(&f->mu);
            q->done = true;
            pthread_cond_broadcast(&f->done_cv);
            pthread_mutex_unlock(&f->mu);
            continue;
        }
        if (stop) {
            break;
        }
        bool did = run_documents(f, &b);
        batch_reset(&b);
        did |= run_timers(f, &b);
        batch_reset(&b);
        did |= run_dead_letters(f, &b);
        batch_reset(&b);
        if (did) {
            continue;
        }
        pthread_mutex_lock(&f->mu);
        if (!f->stop && !f->kick && f->actions == NULL) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            int64_t ns = ts.tv_nsec + (f->o.poll_ms % 1000) * 1000000;
            ts.tv_sec += f->o.poll_ms / 1000 + ns / 1000000000;
            ts.tv_nsec = ns % 1000000000;
            pthread_cond_timedwait(&f->cv, &f->mu, &ts);
        }
        f->kick = false;
        pthread_mutex_unlock(&f->mu);
    }
    /* Requests that came in while stopping. */
    pthread_mutex_lock(&f->mu);
    for (struct action_req *q = f->actions; q != NULL; q = q->next) {
        q->st = xd_error_set(q->err, XD_ECLOSED, "the flow engine is stopping");
        q->done = true;
    }
    f->actions = NULL;
    pthread_cond_broadcast(&f->done_cv);
    pthread_mutex_unlock(&f->mu);
    batch_cleanup(&b);
    return NULL;
}

/* ---- public -------------------------------------------------------------------------------- */

enum xd_status xd_flow_start(const struct xd_flow_options *o, struct xd_flow **out,
                             struct xd_error *err)
{
    if (o == NULL || o->store == NULL || o->partners == NULL || out == NULL) {
        return xd_error_set(err, XD_EINVAL, "flow: store and partner registry are required");
    }
    struct xd_flow *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return xd_error_set(err, XD_ENOMEM, "flow: out of memory");
    }
    f->o = *o;
    if (f->o.controls == NULL) {
        if (xd_store_controls_create(o->store, CONTROL_BLOCK, &f->own_controls) != XD_OK) {
            free(f);
            return xd_error_set(err, XD_ENOMEM, "flow: out of memory");
        }
        f->o.controls = f->own_controls;
    }
    if (f->o.poll_ms <= 0) {
        f->o.poll_ms = 25;
    }
    if (f->o.batch_max == 0 || f->o.batch_max > XD_STORE_LIST_MAX) {
        f->o.batch_max = 256;
    }
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    pthread_cond_init(&f->done_cv, NULL);
    if (pthread_create(&f->thread, NULL, engine_main, f) != 0) {
        xd_store_controls_destroy(f->own_controls);
        pthread_cond_destroy(&f->done_cv);
        pthread_cond_destroy(&f->cv);
        pthread_mutex_destroy(&f->mu);
        free(f);
        return xd_error_set(err, XD_ENOMEM, "flow: cannot start its thread");
    }
    *out = f;
    return XD_OK;
}

void xd_flow_stop(struct xd_flow *f)
{
    if (f == NULL) {
        return;
    }
    pthread_mutex_lock(&f->mu);
    f->stop = true;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    xd_store_controls_destroy(f->own_controls);
    pthread_cond_destroy(&f->done_cv);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

void xd_flow_notify(struct xd_flow *f)
{
    if (f == NULL) {
        return;
    }
    pthread_mutex_lock(&f->mu);
    f->kick = true;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

void xd_flow_stats(struct xd_flow *f, struct xd_flow_stats *out)
{
    pthread_mutex_lock(&f->mu);
    *out = f->stats;
    pthread_mutex_unlock(&f->mu);
}

enum xd_status xd_flow_action(struct xd_flow *f, const char *exception_id, const char *action,
                              const char *comment, const char *actor, struct xd_buf *out,
                              struct xd_error *err)
{
    static const char *const known[] = {"resend",  "accept_variance", "reject_invoice",
                                        "reroute", "retry",           "resolve"};
    bool ok = false;
    for (size_t i = 0; action != NULL && i < XD_ARRAY_LEN(known); i++) {
        ok |= strcmp(action, known[i]) == 0;
    }
    if (!ok) {
        return xd_error_set(err, XD_EINVAL,
                            "action must be one of resend, accept_variance, reject_invoice, "
                            "reroute, retry, resolve");
    }
    if (strcmp(action, "resolve") == 0 && (comment == NULL || comment[0] == '\0')) {
        return xd_error_set(err, XD_EINVAL, "resolve needs a comment saying how it was resolved");
    }
    if (comment != NULL && strlen(comment) > 2000) {
        return xd_error_set(err, XD_EINVAL, "comment is longer than 2000 bytes");
    }
    struct action_req q = {.exception_id = exception_id,
                           .action = action,
                           .comment = comment,
                           .actor = actor != NULL ? actor : "api",
                           .out = out,
                           .err = err};
    pthread_mutex_lock(&f->mu);
    if (f->stop) {
        pthread_mutex_unlock(&f->mu);
        return xd_error_set(err, XD_ECLOSED, "the flow engine is stopping");
    }
    struct action_req **tail = &f->actions;
    while (*tail != NULL) {
        tail = &(*tail)->next;
    }
    *tail = &q;
    pthread_cond_signal(&f->cv);
    while (!q.done) {
        pthread_cond_wait(&f->done_cv, &f->mu);
    }
    pthread_mutex_unlock(&f->mu);
    return q.st;
}
