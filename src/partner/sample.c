/* SPDX-License-Identifier: MIT
 * The onboarding harness: one sample file, as the partner would send it, through the profile.
 * Detects (or takes) the format, decodes it the profile's way (canonical JSON as is, flat files
 * through the profile's map, X12 through the X12 engine's validation with the profile's
 * identifiers), applies the mapping, validates with canon, and collects every note and problem.
 * Pure: no I/O, no state, nothing stored. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "canon/canon_tree.h"
#include "flat/flat.h"
#include "partner/partner_int.h"
#include "x12/x12.h"

#define SAMPLE_DOCS_MAX 10000

void xd_partner_sample_init(struct xd_partner_sample *s)
{
    memset(s, 0, sizeof *s);
    xd_diags_init(&s->notes, 500);
    xd_diags_init(&s->problems, 500);
}

void xd_partner_sample_cleanup(struct xd_partner_sample *s)
{
    json_decref(s->documents);
    json_decref(s->valid);
    s->valid = NULL;
    xd_diags_cleanup(&s->notes);
    xd_diags_cleanup(&s->problems);
    s->documents = NULL;
}

struct run {
    const struct xd_partner_profile *p;
    const struct xd_partner_sample_options *o;
    struct xd_partner_sample *s;
    const char *channel;
    bool oom;
    size_t n_docs;
};

static void prob(struct run *r, const char *code, const char *path, const char *fmt, ...)
    XD_PRINTF(4, 5);

static void prob(struct run *r, const char *code, const char *path, const char *fmt, ...)
{
    char msg[XD_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (xd_diags_add(&r->s->problems, code, path, "%s", msg) != XD_OK) {
        r->oom = true;
    }
}

/* Copy <from> into <to>, each path prefixed with "document N". */
static void copy_diags(struct run *r, struct xd_diags *to, const struct xd_diags *from, size_t n)
{
    for (size_t i = 0; i < from->count; i++) {
        char path[XD_PARTNER__PATH_MAX];
        snprintf(path, sizeof path, "document %zu %s", n, from->items[i].path);
        if (xd_diags_add(to, from->items[i].code, path, "%s", from->items[i].message) != XD_OK) {
            r->oom = true;
        }
    }
    if (from->dropped > 0) {
        char path[64];
        snprintf(path, sizeof path, "document %zu", n);
        if (xd_diags_add(to, "dropped", path, "and %zu more", from->dropped) != XD_OK) {
            r->oom = true;
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* One canonical document (JSON), from whatever decoder: stamp its source, map, validate. */

static void stamp_source(struct run *r, json_t *doc)
{
    if (json_object_get(doc, "source") != NULL) {
        return;
    }
    json_t *src = json_pack("{s:s, s:s, s:s}", "partner", r->p->id, "channel", r->channel, "format",
                            xd_partner_format_name(r->s->format));
    if (src == NULL || json_object_set_new(doc, "source", src) != 0) {
        r->oom = true;
    }
}

static void one_document(struct run *r, json_t *doc)
{
    size_t n = ++r->n_docs;
    char where[32];
    snprintf(where, sizeof where, "document %zu", n);
    if (n > SAMPLE_DOCS_MAX) {
        if (n == SAMPLE_DOCS_MAX + 1) {
            prob(r, "limit", where, "more than %d documents: the rest is not checked",
                 SAMPLE_DOCS_MAX);
        }
        return;
    }
    const char *type = json_string_value(json_object_get(doc, "type"));
    enum xd_canon_type t;
    if (!json_is_object(doc) || type == NULL ||
        xd_canon_type_parse(type, strlen(type), &t) != XD_OK) {
        prob(r, "type_unknown", where, "not a canonical document: `type` missing or unknown");
        return;
    }
    size_t problems_before = xd_diags_total(&r->s->problems);
    if (xd_partner_document_in(r->p, t, (int)r->s->format) == NULL) {
        prob(r, "not_configured", where,
             "the profile does not take %s documents in %s (add them under documents)", type,
             xd_partner_format_name(r->s->format));
    }
    stamp_source(r, doc);
    struct xd_diags notes, problems;
    xd_diags_init(&notes, 200);
    xd_diags_init(&problems, 200);
    enum xd_status st = xd_partner_map_inbound(r->p, doc, &notes, &problems);
    r->oom |= st == XD_ENOMEM;
    copy_diags(r, &r->s->notes, &notes, n);
    copy_diags(r, &r->s->problems, &problems, n);
    xd_diags_reset(&problems);
    /* Validate exactly what the ERP would receive: the mapped document's JSON text. */
    struct xd_arena *a = xd_arena_create(16 * 1024, 0);
    struct xd_canon_doc *cd = NULL;
    struct xd_buf out;
    xd_buf_init(&out, XD_CANON_MAX_INPUT);
    if (a == NULL) {
        r->oom = true;
    } else {
        st = xd_canon_tree_decode(doc, a, &cd, &problems);
        r->oom |= st == XD_ENOMEM;
        copy_diags(r, &r->s->problems, &problems, n);
        json_t *canon = NULL;
        if (st == XD_OK && xd_canon_encode(cd, &out) == XD_OK) {
            canon = xd_canon_tree_load(out.data, out.len, a);
        }
        bool valid = canon != NULL && xd_diags_total(&r->s->problems) == problems_before;
        if (json_array_append_new(r->s->documents, canon != NULL ? canon : json_incref(doc)) != 0 ||
            json_array_append_new(r->s->valid, json_boolean(valid)) != 0) {
            r->oom = true;
        }
    }
    xd_buf_cleanup(&out);
    xd_arena_destroy(a);
    xd_diags_cleanup(&notes);
    xd_diags_cleanup(&problems);
}

/* ------------------------------------------------------------------------------------------ */
/* Decoders */

static void run_json(struct run *r, const char *data, size_t len)
{
    json_error_t je;
    json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (v == NULL) {
        char where[64];
        snprintf(where, sizeof where, "line %d, column %d", je.line, je.column);
        prob(r, "syntax", where, "%s", je.text);
        return;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *doc;
        json_array_foreach(v, i, doc)
        {
            one_document(r, doc);
        }
    } else {
        one_document(r, v);
    }
    json_decref(v);
}

static void run_flat(struct run *r, const struct xd_partner_document *d, const char *data,
                     size_t len)
{
    struct xd_flat_reader *rd = NULL;
    if (xd_flat_reader_create(d->flat, data, len, &rd) != XD_OK) {
        r->oom = true;
        return;
    }
    for (;;) {
        json_t *doc = NULL;
        enum xd_status st = xd_flat_reader_next(rd, &doc, &r->s->problems);
        if (st == XD_EINVALDOC) {
            r->n_docs++; /* a document the file had, refused by the map */
            continue;
        }
        if (st != XD_OK) {
            r->oom |= st == XD_ENOMEM;
            if (st != XD_ENOMEM && r->s->problems.count == 0) {
                prob(r, "file", "", "the file cannot be read: %s", xd_strerror(st));
            }
            break;
        }
        if (doc == NULL) {
            break;
        }
        one_document(r, doc);
        json_decref(doc);
    }
    xd_flat_reader_destroy(rd);
}

/* X12: what the sink sees of the envelopes, checked against the profile. */
struct x12_seen {
    struct run *r;
    struct xd_partner_x12_envelopes *env; /* the sample's */
};

/* The length of an ISA/GS identifier without its padding. */
static size_t unpadded_len(const char *padded)
{
    size_t n = strlen(padded);
    while (n > 0 && padded[n - 1] == ' ') {
        n--;
    }
    return n;
}

static bool id_eq(const char *padded, const char *want)
{
    size_t n = unpadded_len(padded);
    return want != NULL && strlen(want) == n && memcmp(padded, want, n) == 0;
}

static enum xd_status x12_isa(void *ctx, const struct xd_x12_interchange_info *isa)
{
    struct x12_seen *x = ctx;
    const struct xd_partner_profile *p = x->r->p;
    char where[64];
    snprintf(where, sizeof where, "interchange %s", isa->control);
    struct xd_partner_x12_envelopes *e = x->env;
    if (e->interchanges++ == 0) {
        snprintf(e->first_control, sizeof e->first_control, "%s", isa->control);
    }
    e->test |= isa->usage == 'T';
    if (!id_eq(isa->sender_qualifier, p->identifiers.isa_qualifier) ||
        !id_eq(isa->sender_id, p->identifiers.isa_id)) {
        if (!e->foreign) {
            snprintf(e->sender, sizeof e->sender, "%s/%.*s", isa->sender_qualifier,
                     (int)unpadded_len(isa->sender_id), isa->sender_id);
        }
        e->foreign = true;
        prob(x->r, "sender", where, "ISA05/06 %s/%s is not this partner (%s/%s)",
             isa->sender_qualifier, isa->sender_id,
             p->identifiers.isa_qualifier ? p->identifiers.isa_qualifier : "-",
             p->identifiers.isa_id ? p->identifiers.isa_id : "-");
    }
    if (p->x12 != NULL && p->x12->hub_id != NULL &&
        (!id_eq(isa->receiver_qualifier, p->x12->hub_qualifier) ||
         !id_eq(isa->receiver_id, p->x12->hub_id))) {
        prob(x->r, "receiver", where, "ISA07/08 %s/%s is not us as this partner knows us (%s/%s)",
             isa->receiver_qualifier, isa->receiver_id, p->x12->hub_qualifier, p->x12->hub_id);
    }
    return XD_OK;
}

static enum xd_status x12_gs(void *ctx, const struct xd_x12_group_info *gs)
{
    struct x12_seen *x = ctx;
    const struct xd_partner_profile *p = x->r->p;
    x->env->groups++;
    if (p->identifiers.gs_id != NULL && !id_eq(gs->sender, p->identifiers.gs_id)) {
        char where[64];
        snprintf(where, sizeof where, "group %s", gs->control);
        prob(x->r, "sender", where, "GS02 %s is not this partner's GS id %s", gs->sender,
             p->identifiers.gs_id);
    }
    return XD_OK;
}

static enum xd_status x12_set(void *ctx, const char *set_id, const char *control)
{
    struct x12_seen *x = ctx;
    x->env->sets++;
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        const struct xd_partner_document *d =
            xd_partner_document_in(x->r->p, (enum xd_canon_type)t, XD_PARTNER_FORMAT_X12);
        if (d != NULL && d->x12_set != NULL && strcmp(d->x12_set, set_id) == 0) {
            return XD_OK;
        }
    }
    char where[64];
    snprintf(where, sizeof where, "set %s", control);
    prob(x->r, "not_configured", where,
         "the profile takes no X12 %s from this partner (add it under documents)", set_id);
    return XD_OK;
}

/* Each transaction set that translates becomes a document (mapped and validated like any
 * other); one that does not is a problem naming the set. The validation pass before already
 * reported the X12 errors, so this one keeps no report. */
static enum xd_status x12_doc(void *ctx, const struct xd_x12_translation *t)
{
    struct run *r = ctx;
    if (t->status == XD_EUNSUPPORTED) {
        return XD_OK; /* acknowledgements and sets without a canonical document */
    }
    char where[96];
    snprintf(where, sizeof where, "interchange %s set %s (%s)", t->interchange, t->control,
             t->set_id);
    /* what the partner got wrong and the translation corrected: the person onboarding it
     * sees it beside the X12 warnings */
    for (size_t i = 0; t->warnings != NULL && i < t->warnings->count; i++) {
        const struct xd_diag *d = &t->warnings->items[i];
        if (xd_diags_add(&r->s->notes, "x12_translation_warning", where, "%s: %s", d->path,
                         d->message) != XD_OK) {
            r->oom = true;
        }
    }
    if (t->status != XD_OK) {
        r->n_docs++;
        r->s->n_refused++;
        if (t->status == XD_EINVALDOC) {
            prob(r, "x12", where, "not translated: the set has X12 errors (above)");
        }
        for (size_t i = 0; t->problems != NULL && i < t->problems->count; i++) {
            const struct xd_diag *d = &t->problems->items[i];
            prob(r, d->code, where, "%s: %s", d->path, d->message);
        }
        return XD_OK;
    }
    /* The translation's own JSON (what xd_canon_encode would write), as a tree. */
    json_t *doc = xd_canon_tree_load(t->json, t->json_len, NULL);
    if (doc == NULL) {
        return XD_ENOMEM;
    }
    one_document(r, doc);
    json_decref(doc);
    return r->oom ? XD_ENOMEM : XD_OK;
}

static void run_x12_translate(struct run *r, const char *data, size_t len)
{
    /* The profile's read map, compiled with the profile (units.codes feed its "uom"). */
    const struct xd_x12_map *map = r->p->mapping.x12_read;
    if (map == NULL) {
        prob(r, "map", "mapping.x12", "the profile's X12 mapping is not usable: %s",
             r->p->mapping.x12_problem != NULL ? r->p->mapping.x12_problem : "not compiled");
        return;
    }
    struct xd_x12_reader *rd = NULL;
    if (xd_x12_reader_create_mem(data, len, &rd) != XD_OK) {
        r->oom = true;
        return;
    }
    struct xd_error err = {0};
    enum xd_status st = xd_x12_translate(rd, map, NULL, NULL, x12_doc, r, &err);
    r->oom |= st == XD_ENOMEM;
    xd_x12_reader_destroy(rd);
}

static void run_x12(struct run *r, const char *data, size_t len)
{
    struct xd_x12_reader *rd = NULL;
    if (xd_x12_reader_create_mem(data, len, &rd) != XD_OK) {
        r->oom = true;
        return;
    }
    struct x12_seen seen = {.r = r, .env = &r->s->x12};
    struct xd_x12_sink sink = {
        .ctx = &seen, .interchange_begin = x12_isa, .group_begin = x12_gs, .set_begin = x12_set};
    struct xd_x12_report rep;
    xd_x12_report_init(&rep, 200);
    struct xd_error err = {0};
    enum xd_status st = xd_x12_validate(rd, NULL, &rep, &sink, &err);
    r->oom |= st == XD_ENOMEM;
    struct xd_buf line;
    xd_buf_init(&line, 1024);
    for (size_t i = 0; i < rep.count; i++) {
        const struct xd_x12_error *e = &rep.items[i];
        if (e->severity == XD_X12_NOTICE) {
            continue;
        }
        xd_buf_reset(&line);
        if (xd_x12_error_format(e, &line) != XD_OK) {
            r->oom = true;
            break;
        }
        struct xd_diags *to = e->severity == XD_X12_ERROR ? &r->s->problems : &r->s->notes;
        if (xd_diags_add(to, e->severity == XD_X12_ERROR ? "x12" : "x12_warning", "", "%s",
                         line.data) != XD_OK) {
            r->oom = true;
        }
    }
    xd_buf_cleanup(&line);
    if (st == XD_EPARSE && rep.count == 0) {
        prob(r, "x12", "", "not X12: %s", err.message);
    }
    xd_x12_report_cleanup(&rep);
    xd_x12_reader_destroy(rd);
    if (st == XD_OK || st == XD_EINVALDOC) {
        run_x12_translate(r, data, len);
    }
    snprintf(r->s->detail, sizeof r->s->detail,
             "X12: %u interchange(s), %u set(s) checked for envelopes, segments and the "
             "partner's identifiers%s; %zu document(s) translated, mapped and validated",
             seen.env->interchanges, seen.env->sets,
             seen.env->test ? " (test interchange, ISA15 T)" : "", r->n_docs);
}

/* ------------------------------------------------------------------------------------------ */

static int sniff(const char *data, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        i = 3;
    }
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) {
        i++;
    }
    if (len - i >= 3 && memcmp(data + i, "ISA", 3) == 0) {
        return XD_PARTNER_FORMAT_X12;
    }
    if (i < len && (data[i] == '{' || data[i] == '[')) {
        return XD_PARTNER_FORMAT_JSON;
    }
    return -1;
}

/* The inbound flat entry a file is for: the one of <document>, else the only flat entry. */
static const struct xd_partner_document *flat_entry(const struct xd_partner_profile *p, int format,
                                                    int document)
{
    const struct xd_partner_document *only = NULL;
    size_t n = 0;
    for (size_t i = 0; i < p->n_documents; i++) {
        const struct xd_partner_document *d = &p->documents[i];
        bool flat =
            d->format == XD_PARTNER_FORMAT_CSV || d->format == XD_PARTNER_FORMAT_FIXED_WIDTH;
        if (d->direction != XD_PARTNER_IN || !flat || (format >= 0 && (int)d->format != format)) {
            continue;
        }
        if (document >= 0 && (int)d->type == document) {
            return d;
        }
        only = d;
        n++;
    }
    return document < 0 && n == 1 ? only : NULL;
}

enum xd_status xd_partner_sample_run(const struct xd_partner_profile *p,
                                     const struct xd_partner_sample_options *o, const char *data,
                                     size_t len, struct xd_partner_sample *s)
{
    struct run r = {.p = p, .o = o, .s = s, .channel = "http"};
    s->documents = json_array();
    s->valid = json_array();
    if (s->documents == NULL || s->valid == NULL) {
        return XD_ENOMEM;
    }
    int format = o->format;
    int document = o->document;
    const struct xd_partner_inbox_rule *rule = xd_partner_inbox_match(p, o->file_name);
    if (rule != NULL) {
        r.channel = "file";
        format = format < 0 ? (int)rule->format : format;
        document = document < 0 && rule->has_document ? (int)rule->document : document;
    }
    if (format < 0) {
        format = sniff(data, len);
    }
    const struct xd_partner_document *flat = NULL;
    if (format < 0 || format == XD_PARTNER_FORMAT_CSV || format == XD_PARTNER_FORMAT_FIXED_WIDTH) {
        flat = flat_entry(p, format, document);
        format = flat != NULL ? (int)flat->format : format;
    }
    if (format < 0 ||
        ((format == XD_PARTNER_FORMAT_CSV || format == XD_PARTNER_FORMAT_FIXED_WIDTH) &&
         flat == NULL)) {
        prob(&r, "format", "",
             "cannot tell which of the profile's inbound documents this file is: name its "
             "format and type (--format, --type)");
    } else {
        s->format = (enum xd_partner_format)format;
        switch (s->format) {
        case XD_PARTNER_FORMAT_JSON:
            run_json(&r, data, len);
            break;
        case XD_PARTNER_FORMAT_X12:
            run_x12(&r, data, len);
            break;
        default:
            run_flat(&r, flat, data, len);
            break;
        }
        if (s->format != XD_PARTNER_FORMAT_X12) {
            snprintf(s->detail, sizeof s->detail,
                     "%s: %zu document(s) decoded, mapped and validated as canonical documents",
                     xd_partner_format_name(s->format), r.n_docs);
        }
        if (s->format != XD_PARTNER_FORMAT_X12 && r.n_docs == 0) {
            prob(&r, "empty", "", "the file holds no document");
        }
    }
    if (r.oom || s->problems.oom || s->notes.oom) {
        return XD_ENOMEM;
    }
    s->passed = xd_diags_total(&s->problems) == 0;
    return XD_OK;
}
