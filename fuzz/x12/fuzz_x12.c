/* SPDX-License-Identifier: MIT
 * libFuzzer target over the X12 engine: the tokenizer in both modes (whole buffer, and a
 * stream cut into small reads so segments straddle refills), the validator, and the 997 and
 * 999 builders (with TA1) fed by it; then translation: every set that translates to a
 * canonical document is rendered back to X12 and translated again, and the two documents
 * must be equal (all but id, correlation_id and source, which X12 does not carry). Anything
 * the input makes them do must end cleanly. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "canon/canon.h"
#include "x12/x12.h"

#define JSON_CAP   ((size_t)16 << 20)
#define RENDER_CAP ((size_t)16 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct chunks {
    const uint8_t *p;
    size_t left;
    size_t step;
};

static enum xd_status chunk_read(void *ctx, char *buf, size_t cap, size_t *got,
                                 struct xd_error *err)
{
    (void)err;
    struct chunks *c = ctx;
    size_t n = c->left < c->step ? c->left : c->step;
    n = n < cap ? n : cap;
    if (n > 0) {
        memcpy(buf, c->p, n);
    }
    c->p += n;
    c->left -= n;
    *got = n;
    return XD_OK;
}

static void run(struct xd_x12_reader *r, enum xd_x12_ack_kind kind)
{
    struct xd_buf out;
    struct xd_x12_report rep;
    struct xd_x12_ack *ack = NULL;
    struct xd_x12_ack_options opt = {.kind = kind,
                                     .ta1 = true,
                                     .isa_control = 1,
                                     .gs_control = 1,
                                     .st_control = 1,
                                     .date = "20260101",
                                     .time = "1200"};
    xd_buf_init(&out, (size_t)64 << 20);
    xd_x12_report_init(&rep, 50);
    if (xd_x12_ack_create(&opt, &out, &ack) == XD_OK) {
        struct xd_x12_validate_options vopt = {.strict_totals = kind == XD_X12_ACK_999};
        enum xd_status st = xd_x12_validate(r, &vopt, &rep, xd_x12_ack_sink(ack), NULL);
        /* Properties: only these outcomes, and "valid" means no error was recorded. */
        if ((st != XD_OK && st != XD_EINVALDOC && st != XD_EPARSE && st != XD_ETOOBIG) ||
            (st == XD_OK && rep.errors != 0) || (st == XD_EINVALDOC && rep.errors == 0)) {
            fprintf(stderr, "fuzz_x12: status %s with %llu errors\n", xd_status_name(st),
                    (unsigned long long)rep.errors);
            __builtin_trap();
        }
        for (size_t i = 0; i < rep.count; i++) {
            struct xd_buf line;
            xd_buf_init(&line, 4096);
            if (xd_x12_error_format(&rep.items[i], &line) != XD_OK) {
                __builtin_trap();
            }
            xd_buf_cleanup(&line);
        }
    }
    xd_x12_ack_destroy(ack);
    xd_x12_report_cleanup(&rep);
    xd_buf_cleanup(&out);
}

/* ---- Translation round trip ----------------------------------------------------------- */

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_x12: %s\n%s\n", what, detail ? detail : "");
    __builtin_trap();
}

static char *encode(const struct xd_canon_doc *doc)
{
    struct xd_buf b;
    xd_buf_init(&b, JSON_CAP);
    if (xd_canon_encode(doc, &b) != XD_OK) {
        fail("a translated document does not encode", NULL);
    }
    char *s = xd_buf_steal(&b, NULL);
    xd_buf_cleanup(&b);
    return s;
}

/* The document without what X12 does not carry. */
static json_t *body_of(const char *json)
{
    json_t *j = json_loads(json, 0, NULL);
    if (j == NULL) {
        fail("canonical JSON does not parse", json);
    }
    json_object_del(j, "id");
    json_object_del(j, "correlation_id");
    json_object_del(j, "source");
    return j;
}

/* The source's IDs are written back when they also fit GS02/GS03 (2 to 15 characters); an
 * input's malformed ISA may have given shorter ones. */
static bool gs_fit(const char *id)
{
    return id != NULL && strlen(id) >= 2 && strlen(id) <= 15;
}

/* Render <doc> into an interchange of its own, with control characters as delimiters (no
 * value that passed validation holds one). XD_EUNSUPPORTED: no outbound set for the type. */
static enum xd_status render(const struct xd_canon_doc *doc, struct xd_buf *out,
                             struct xd_error *err)
{
    const struct xd_canon_source *src = xd_canon_doc_header(doc)->source;
    bool v5 = src != NULL && src->version != NULL && strncmp(src->version, "005010", 6) >= 0;
    struct xd_x12_writer_options wo = {
        .delims = {0x1D, 0x1F, 0x1E, 0x1C},
        .isa_version = v5 ? "00501" : "00401",
        .sender_qualifier = "ZZ",
        .sender_id = gs_fit(src ? src->sender_id : NULL) ? src->sender_id : "SENDER",
        .receiver_qualifier = "ZZ",
        .receiver_id = gs_fit(src ? src->receiver_id : NULL) ? src->receiver_id : "RECEIVER",
        .date = "20260101",
        .time = "1200",
        .isa_control = 1};
    struct xd_x12_render_options ro = {
        .version = v5 ? "005010" : "004010", .group_control = 1, .set_control = 1};
    struct xd_x12_writer *w = NULL;
    struct xd_x12_renderer *rd = NULL;
    enum xd_status st = xd_x12_writer_create(&wo, out, &w, err);
    if (st == XD_OK) {
        st = xd_x12_renderer_create(w, NULL, &ro, &rd);
    }
    if (st == XD_OK) {
        st = xd_x12_render(rd, doc, err);
    }
    if (st == XD_OK) {
        st = xd_x12_renderer_finish(rd, err);
    }
    if (st == XD_OK) {
        st = xd_x12_writer_finish(w, err);
    }
    xd_x12_renderer_destroy(rd);
    xd_x12_writer_destroy(w);
    return st;
}

static void compare(const char *first, const char *second, const char *what)
{
    json_t *a = body_of(first), *b = body_of(second);
    if (!json_equal(a, b)) {
        fprintf(stderr, "first:  %s\nsecond: %s\n", first, second);
        fail("translate(render(doc)) differs from doc", what);
    }
    json_decref(a);
    json_decref(b);
}

/* One cycle: render <doc> and translate it again. Returns the JSON of the document read
 * back, or NULL when the renderer may refuse (<may_refuse>) and did, or when the type has no
 * outbound set. With <again>, the document read back goes round once more and *next
 * receives that JSON. */
static char *cycle(const struct xd_canon_doc *doc, bool may_refuse, bool again, char **next);

struct second {
    bool again;
    char *json, *next;
    size_t sets;
    enum xd_status status;
    char problem[512];
};

static enum xd_status on_second(void *ctx, const struct xd_x12_translation *t)
{
    struct second *s = ctx;
    s->sets++;
    s->status = t->status;
    if (t->status == XD_OK && s->json == NULL) {
        s->json = encode(t->doc);
        if (s->again) {
            s->next = cycle(t->doc, false, false, NULL);
        }
    } else if (t->problems->count > 0) {
        snprintf(s->problem, sizeof s->problem, "%s: %s", t->problems->items[0].path,
                 t->problems->items[0].message);
    }
    return XD_OK;
}

static char *cycle(const struct xd_canon_doc *doc, bool may_refuse, bool again, char **next)
{
    struct xd_buf x12;
    struct xd_error err;
    xd_error_clear(&err);
    xd_buf_init(&x12, RENDER_CAP);
    enum xd_status st = render(doc, &x12, &err);
    if (st == XD_EUNSUPPORTED || (st == XD_EINVAL && may_refuse)) {
        xd_buf_cleanup(&x12);
        return NULL;
    }
    if (st != XD_OK) {
        char *json = encode(doc);
        fprintf(stderr, "%s: %s\n", xd_status_name(st), err.message);
        fail("a translated document does not render", json);
    }
    struct xd_x12_reader *r = NULL;
    struct second s = {again, NULL, NULL, 0, XD_OK, ""};
    if (xd_x12_reader_create_mem(x12.data, x12.len, &r) != XD_OK) {
        fail("out of memory", NULL);
    }
    st = xd_x12_translate(r, NULL, NULL, NULL, on_second, &s, NULL);
    if (st != XD_OK || s.sets != 1 || s.json == NULL || (again && s.next == NULL)) {
        fprintf(stderr, "%s, %zu sets, set %s %s\n", xd_status_name(st), s.sets,
                xd_status_name(s.status), s.problem);
        fail("a rendered document does not translate", x12.data);
    }
    xd_x12_reader_destroy(r);
    xd_buf_cleanup(&x12);
    if (next != NULL) {
        *next = s.next;
    }
    return s.json;
}

/* A set read against its version's tables comes back equal after one cycle. A set of a
 * version without tables is read without element checks: its values may not fit the version
 * it is rendered in (refusing is right), and what X12 makes mandatory is filled in on the
 * way out; so it must come back equal after a second cycle. So must a set whose translation
 * left out a code with no canonical counterpart (note "no_code"): BAK01 11 has no canonical
 * purpose, is written 00 and comes back original. */
static enum xd_status on_first(void *ctx, const struct xd_x12_translation *t)
{
    (void)ctx;
    if (t->status != XD_OK) {
        return XD_OK;
    }
    const struct xd_canon_source *src = xd_canon_doc_header(t->doc)->source;
    bool checked =
        src != NULL && src->version != NULL &&
        (strncmp(src->version, "004010", 6) == 0 || strncmp(src->version, "005010", 6) == 0);
    bool exact = checked;
    for (size_t i = 0; i < t->notes->count; i++) {
        exact = exact && strcmp(t->notes->items[i].code, "no_code") != 0;
    }
    char *first = encode(t->doc), *next = NULL;
    if (t->json == NULL || strlen(first) != t->json_len || memcmp(first, t->json, t->json_len)) {
        fail("the translation's JSON is not its document's encoding", first);
    }
    char *second = cycle(t->doc, !checked, !exact, &next);
    if (second != NULL) {
        compare(exact ? first : second, exact ? second : next, first);
    }
    xd_free(next);
    xd_free(second);
    xd_free(first);
    return XD_OK;
}

static void translate(const uint8_t *data, size_t size)
{
    struct xd_x12_reader *r = NULL;
    if (xd_x12_reader_create_mem((const char *)data, size, &r) == XD_OK) {
        enum xd_status st = xd_x12_translate(r, NULL, NULL, NULL, on_first, NULL, NULL);
        if (st != XD_OK && st != XD_EINVALDOC && st != XD_EPARSE && st != XD_ETOOBIG) {
            fprintf(stderr, "fuzz_x12: translate status %s\n", xd_status_name(st));
            __builtin_trap();
        }
    }
    xd_x12_reader_destroy(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xd_x12_reader *r = NULL;
    if (xd_x12_reader_create_mem((const char *)data, size, &r) == XD_OK) {
        run(r, XD_X12_ACK_997);
    }
    xd_x12_reader_destroy(r);
    r = NULL;
    struct chunks c = {data, size, size > 0 ? 1 + data[0] % 97 : 1};
    if (xd_x12_reader_create(chunk_read, &c, 0, &r) == XD_OK) {
        run(r, XD_X12_ACK_999);
    }
    xd_x12_reader_destroy(r);
    translate(data, size);
    return 0;
}
