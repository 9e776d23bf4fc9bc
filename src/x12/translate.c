/* SPDX-License-Identifier: MIT
 * Inbound translation: a sink of the validator that turns each transaction set into a
 * canonical document as its segments stream by. The set's specification (spec_*.c) says which
 * handler or bindings each segment takes in the loop the validator placed it in; for versions
 * without a table the 004010 table places segments (loose matching, no problems reported).
 * One arena per set, reset for the next: memory stays flat. At SE the document gets its
 * derived members, is checked and encoded to JSON (xd_canon_encode_valid), and goes to the
 * caller's callback; a canonical problem is reported with the segment that made the object at
 * fault. */
#include <stdio.h>
#include <string.h>

#include "x12/x12_shape.h"
#include "x12/x12_tr.h"

#define TR_ARENA_CHUNK    (64u * 1024)
#define TR_MAX_PROV       (1u << 22) /* objects remembered per set for messages */
#define TR_PATH_OBJS      12         /* depth of a canonical path walked for a message */
#define TR_POOL_BLOCK     4096u      /* bytes the short values of a set are cut from */
#define TR_POOL_VALUE_MAX 256u       /* longer values are allocated one by one */

struct envelope {
    char isa_control[XD_X12_CONTROL_MAX], sender[16], receiver[16], sender_qual[3],
        receiver_qual[3];
    char gs_control[XD_X12_CONTROL_MAX], version[13], gs_date[9];
    char usage;
};

#define RULE_INDEXES 16 /* specifications whose rules are indexed per translator */

/* A specification's rules by segment ID, built once per translator: the distinct IDs in
 * ascending order, and for ids[k] the rules order[from[k] .. from[k + 1] - 1], in table
 * order. */
struct rule_index {
    const struct xd_x12__tspec *spec;
    size_t nids;
    uint32_t *ids, *from, *order;
};

#define PLACE_MEMO       64 /* entries: the top 6 bits of a hash */
#define PLACE_MEMO_RULES 4  /* rules an entry holds */

/* The rules that fit a segment ID in a loop inside a parent loop (rules_of_place). */
struct place_memo {
    const struct xd_x12__tspec *spec; /* NULL: empty */
    const char *inner, *parent;
    uint32_t id;
    uint8_t n;
    uint32_t rules[PLACE_MEMO_RULES]; /* indexes into spec->rules, in table order */
};

struct translator {
    const struct xd_x12_map *map;
    struct rule_index rules[RULE_INDEXES];
    size_t nrules;
    struct place_memo places[PLACE_MEMO];
    xd_x12_doc_fn fn;
    void *ctx;
    struct xd_x12__tr t;
    struct xd_diags problems, notes, warnings;
    struct xd_buf json;              /* the set's document as JSON, reused (XD_X12_TR_JSON_CAP) */
    struct xd_x12__set_state *loose; /* places segments of sets the validator has no table for */
    bool loose_ready;
    struct envelope env;
    char st01[4], st02[XD_X12_CONTROL_MAX];
    uint64_t st_index;
    bool in_set;
    enum xd_status failed;
};

/* ---- Helpers the handlers use -------------------------------------------------------------- */

static void diag_at(struct xd_x12__tr *t, struct xd_diags *d, const char *code, unsigned el,
                    const char *fmt, va_list ap) XD_PRINTF(5, 0);

static void diag_at(struct xd_x12__tr *t, struct xd_diags *d, const char *code, unsigned el,
                    const char *fmt, va_list ap)
{
    char msg[XD_ERROR_MESSAGE_MAX], where[64];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (t->position == 0) {
        snprintf(where, sizeof where, "%s%02u", t->seg_id, el); /* the envelope: "GS04" */
    } else if (el > 0) {
        snprintf(where, sizeof where, "segment %llu %s%02u", (unsigned long long)t->position,
                 t->seg_id, el);
    } else {
        snprintf(where, sizeof where, "segment %llu %s", (unsigned long long)t->position,
                 t->seg_id);
    }
    if (xd_diags_add(d, code, where, "%s", msg) != XD_OK) {
        t->failed = true;
    }
}

void xd_x12__tr_problem(struct xd_x12__tr *t, unsigned el, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_at(t, t->problems, "x12", el, fmt, ap);
    va_end(ap);
}

/* A note with its own diagnostic code (xd_x12__tr_note's is "note"). */
static void note_code(struct xd_x12__tr *t, const char *code, unsigned el, const char *fmt, ...)
    XD_PRINTF(4, 5);

static void note_code(struct xd_x12__tr *t, const char *code, unsigned el, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_at(t, t->notes, code, el, fmt, ap);
    va_end(ap);
}

void xd_x12__tr_note(struct xd_x12__tr *t, unsigned el, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_at(t, t->notes, "note", el, fmt, ap);
    va_end(ap);
}

void xd_x12__tr_warn(struct xd_x12__tr *t, unsigned el, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_at(t, t->warnings, "warning", el, fmt, ap);
    va_end(ap);
}

static void oom(struct xd_x12__tr *t)
{
    if (!t->failed) {
        t->failed = true;
        (void)xd_diags_add(t->problems, "too_big", "", "the document does not fit in %zu MB",
                           XD_X12_TR_ARENA_CAP >> 20);
    }
}

void xd_x12__tr_origin(struct xd_x12__tr *t, const void *obj)
{
    if (t->nprov == t->capprov) {
        size_t cap = t->capprov ? t->capprov * 2 : 64;
        struct xd_x12__prov *p =
            cap <= TR_MAX_PROV ? xd_reallocarray(t->prov, cap, sizeof *p) : NULL;
        if (p == NULL) {
            return; /* messages get less precise, nothing else */
        }
        t->prov = p;
        t->capprov = cap;
    }
    struct xd_x12__prov *e = &t->prov[t->nprov++];
    e->obj = obj;
    memcpy(e->seg, t->seg_id, sizeof e->seg);
    e->position = t->position;
}

/* An array moved: its elements' origins move with it. */
static void relocate(struct xd_x12__tr *t, const char *from, size_t bytes, const char *to)
{
    for (size_t i = 0; i < t->nprov; i++) {
        const char *p = t->prov[i].obj;
        if (p >= from && p < from + bytes) {
            t->prov[i].obj = to + (p - from);
        }
    }
}

void xd_x12__tr_at(struct xd_x12__tr *t, const void *obj, const char *seg)
{
    for (size_t i = 0; obj != NULL && i < t->nprov; i++) {
        if (t->prov[i].obj == obj) {
            memcpy(t->seg_id, t->prov[i].seg, sizeof t->seg_id);
            t->position = t->prov[i].position;
            return;
        }
    }
    snprintf(t->seg_id, sizeof t->seg_id, "%s", seg);
    t->position = 0;
}

void *xd_x12__tr_object(struct xd_x12__tr *t, void *parent, size_t off, size_t size)
{
    void **slot = (void **)((char *)parent + off);
    void *obj = xd_arena_calloc(t->arena, 1, size);
    if (obj == NULL) {
        oom(t);
        return NULL;
    }
    *slot = obj;
    xd_x12__tr_origin(t, obj);
    return obj;
}

void *xd_x12__tr_append(struct xd_x12__tr *t, void *parent, size_t arr_off, size_t count_off,
                        size_t size)
{
    char **arr = (char **)((char *)parent + arr_off);
    size_t *count = (size_t *)((char *)parent + count_off);
    size_t n = *count;
    /* capacity: 4, then powers of two; grow when full */
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        size_t cap = n == 0 ? 4 : n * 2;
        char *grown = xd_arena_alloc(t->arena, cap * size);
        if (grown == NULL) {
            oom(t);
            return NULL;
        }
        if (n > 0) {
            memcpy(grown, *arr, n * size);
            relocate(t, *arr, n * size, grown);
        }
        *arr = grown;
    }
    char *item = *arr + n * size;
    memset(item, 0, size);
    *count = n + 1;
    xd_x12__tr_origin(t, item);
    return item;
}

void xd_x12__tr_remove(struct xd_x12__tr *t, void *parent, size_t arr_off, size_t count_off,
                       size_t size, size_t index)
{
    char *arr = *(char **)((char *)parent + arr_off);
    size_t *count = (size_t *)((char *)parent + count_off);
    if (index >= *count) {
        return;
    }
    char *item = arr + index * size;
    for (size_t i = 0; i < t->nprov; i++) {
        const char *p = t->prov[i].obj;
        if (p >= item && p < item + size) {
            t->prov[i].obj = NULL; /* gone: messages must not name it */
        }
    }
    size_t after = (*count - index - 1) * size;
    memmove(item, item + size, after);
    relocate(t, item + size, after, item);
    *count -= 1;
}

void *xd_x12__tr_scope(struct xd_x12__tr *t, uint8_t scope)
{
    if (scope < XD_X12__SC_DYNAMIC) {
        return t->obj[scope];
    }
    size_t i = (size_t)scope - XD_X12__SC_DYNAMIC;
    if (scope >= XD_X12__SC_MAX || i >= t->spec->nscopes) {
        return NULL;
    }
    const struct xd_x12__scope *s = &t->spec->scopes[i];
    void *parent = xd_x12__tr_scope(t, s->parent);
    if (parent == NULL) {
        return NULL;
    }
    void *obj = *(void **)((char *)parent + s->off);
    return obj != NULL ? obj : xd_x12__tr_object(t, parent, s->off, s->size);
}

struct xd_slice xd_x12__tr_component(const struct xd_x12_segment *seg, unsigned el, unsigned comp)
{
    struct xd_slice v = el < seg->count ? seg->elements[el] : (struct xd_slice){"", 0};
    if (v.len > 0) {
        struct xd_slice parts[XD_X12__OUT_VALUES];
        size_t n = xd_x12__split(v, seg->delims->component, parts, XD_X12__OUT_VALUES);
        v = comp <= n && comp <= XD_X12__OUT_VALUES ? parts[comp - 1] : (struct xd_slice){"", 0};
    }
    return xd_x12__trim(v);
}

/* Element values are short (a few to tens of bytes, about twenty per purchase order): they are
 * cut from a pool block of the arena one after another, a copy and a bump each; a longer value
 * is allocated by itself. The pool goes with the arena when the next set begins. */
char *xd_x12__tr_strdup(struct xd_x12__tr *t, struct xd_slice v)
{
    if (v.len >= TR_POOL_VALUE_MAX) {
        char *s = xd_arena_strndup(t->arena, v.p, v.len);
        if (s == NULL) {
            oom(t);
        }
        return s;
    }
    if ((size_t)(t->pool_end - t->pool) <= v.len) {
        char *block = xd_arena_alloc(t->arena, TR_POOL_BLOCK);
        if (block == NULL) {
            oom(t);
            return NULL;
        }
        t->pool = block;
        t->pool_end = block + TR_POOL_BLOCK;
    }
    char *s = t->pool;
    memcpy(s, v.p, v.len);
    s[v.len] = '\0';
    t->pool += v.len + 1;
    return s;
}

void xd_x12__tr_append_text(struct xd_x12__tr *t, const char **member, struct xd_slice v)
{
    if (v.len == 0) {
        return;
    }
    if (*member == NULL) {
        *member = xd_x12__tr_strdup(t, v);
        return;
    }
    char *s = xd_arena_printf(t->arena, "%s %.*s", *member, (int)v.len, v.p);
    if (s == NULL) {
        oom(t);
        return;
    }
    *member = s;
}

bool xd_x12__gs1_ok(struct xd_slice v)
{
    if (v.len != 8 && v.len != 12 && v.len != 13 && v.len != 14 && v.len != 18) {
        return false;
    }
    /* No branch per digit: a byte that is not one makes <bad> true (below '0' wraps). */
    unsigned sum = 0, weight = 3; /* 3, 1, 3 ... leftwards from before the check digit */
    bool bad = false;
    for (size_t i = v.len - 1; i-- > 0;) {
        unsigned d = (unsigned)(unsigned char)v.p[i] - '0';
        bad |= d > 9;
        sum += weight * d;
        weight ^= 3 ^ 1;
    }
    unsigned check = (unsigned)(unsigned char)v.p[v.len - 1] - '0';
    return !bad && check <= 9 && (10 - sum % 10) % 10 == check;
}

static bool all_digits(struct xd_slice v)
{
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9') {
            return false;
        }
    }
    return v.len > 0;
}

/* "YYYY-MM-DD" from CCYYMMDD, or YYMMDD (years before 50 are 20YY). NULL when neither. */
static char *date_of(struct xd_x12__tr *t, struct xd_slice v)
{
    if (!all_digits(v) || (v.len != 8 && v.len != 6) || !xd_x12__date_valid(v)) {
        return NULL;
    }
    const char *d = v.p;
    char cc[3] = {'2', '0', '\0'};
    if (v.len == 6) {
        if (d[0] >= '5') {
            cc[0] = '1';
            cc[1] = '9';
        }
    } else {
        cc[0] = d[0];
        cc[1] = d[1];
        d += 2;
    }
    char *s = xd_arena_alloc(t->arena, sizeof "YYYY-MM-DD");
    if (s == NULL) {
        oom(t);
        return NULL;
    }
    const char out[] = {cc[0], cc[1], d[0], d[1], '-', d[2], d[3], '-', d[4], d[5], '\0'};
    memcpy(s, out, sizeof out);
    return s;
}

const char *xd_x12__tr_datetime(struct xd_x12__tr *t, struct xd_slice date, struct xd_slice time,
                                struct xd_slice zone, unsigned el)
{
    char *d = date_of(t, date);
    if (d == NULL) {
        xd_x12__tr_problem(t, el, "'%.*s' is not a date", (int)date.len, date.p);
        return NULL;
    }
    char hms[7] = "000000";
    if (time.len > 0) {
        if (!all_digits(time) || time.len < 4 || !xd_x12__time_valid(time)) {
            xd_x12__tr_problem(t, el + 1, "'%.*s' is not a time", (int)time.len, time.p);
            return NULL;
        }
        memcpy(hms, time.p, time.len >= 6 ? 6 : 4);
    }
    int offset = xd_x12__map_time_offset(t->map);
    if (zone.len > 0 && !xd_x12__time_code_offset(zone, &offset)) {
        xd_x12__tr_problem(t, 0, "time code '%.*s' is not one with a fixed offset", (int)zone.len,
                           zone.p);
        return NULL;
    }
    char off[8] = "Z";
    if (offset != 0) {
        unsigned a = (unsigned)(offset < 0 ? -offset : offset) % (24 * 60);
        off[0] = offset < 0 ? '-' : '+';
        off[1] = (char)('0' + a / 600);
        off[2] = (char)('0' + a / 60 % 10);
        off[3] = ':';
        off[4] = (char)('0' + a % 60 / 10);
        off[5] = (char)('0' + a % 10);
        off[6] = '\0';
    }
    /* d is "YYYY-MM-DD" in the arena: the date-time goes behind it. */
    size_t zlen = strlen(off);
    char *s = xd_arena_alloc(t->arena, sizeof "YYYY-MM-DDTHH:MM:SS" + zlen);
    if (s == NULL) {
        oom(t);
        return NULL;
    }
    const char hm[] = {'T', hms[0], hms[1], ':', hms[2], hms[3], ':', hms[4], hms[5]};
    memcpy(s, d, 10);
    memcpy(s + 10, hm, sizeof hm);
    memcpy(s + 10 + sizeof hm, off, zlen + 1);
    return s;
}

static bool set_code(struct xd_x12__tr *t, const char **dst, uint8_t list, struct xd_slice v,
                     unsigned el)
{
    const char *c = xd_x12__codes_in(t->codes, (enum xd_x12__list)list, v);
    if (c == NULL) {
        /* Left out: if the member is required, canonical validation says so at this segment.
         * Its own code, "no_code": rendering writes what X12 makes mandatory instead. */
        note_code(t, "no_code", el, "'%.*s' has no canonical %s, left out (map: codes.%s)",
                  (int)v.len, v.p, xd_x12__list_name((enum xd_x12__list)list),
                  xd_x12__list_name((enum xd_x12__list)list));
        return false;
    }
    *dst = c;
    return true;
}

bool xd_x12__tr_set(struct xd_x12__tr *t, void *obj, uint16_t off, uint16_t has, uint8_t conv,
                    uint8_t list, struct xd_slice v, unsigned el)
{
    void *at = (char *)obj + off;
    struct xd_decimal d;
    int64_t n;
    switch ((enum xd_x12__conv)conv) {
    case XD_X12__CV_STR:
        *(const char **)at = xd_x12__tr_strdup(t, v);
        return true;
    case XD_X12__CV_DATE:
        *(const char **)at = date_of(t, v);
        if (*(const char **)at == NULL) {
            xd_x12__tr_problem(t, el, "'%.*s' is not a date", (int)v.len, v.p);
            return false;
        }
        return true;
    case XD_X12__CV_DEC:
    case XD_X12__CV_N2:
        if (!xd_x12__parse_amount(v, conv == XD_X12__CV_N2 ? 2 : 0, &d)) {
            xd_x12__tr_problem(t, el, "'%.*s' is not a number", (int)v.len, v.p);
            return false;
        }
        *(struct xd_decimal *)at = d;
        break;
    case XD_X12__CV_INT:
        if (!all_digits(v) || v.len > 18 || xd_parse_i64(v.p, v.len, 0, INT64_MAX, &n) != XD_OK) {
            xd_x12__tr_problem(t, el, "'%.*s' is not a whole number", (int)v.len, v.p);
            return false;
        }
        *(int64_t *)at = n;
        break;
    case XD_X12__CV_CODE:
        return set_code(t, (const char **)at, list, v, el);
    case XD_X12__CV_GTIN:
        if (!xd_x12__gs1_ok(v) || v.len == 18) {
            xd_x12__tr_warn(t, el, "'%.*s' is not a GTIN (length, check digit), left out",
                            (int)v.len, v.p);
            return false;
        }
        *(const char **)at = xd_x12__tr_strdup(t, v);
        return true;
    case XD_X12__CV_SSCC: {
        /* GS1-128 label text: "(00)" or "00" and padding zeros before the 18 digits */
        if (v.len > 4 && v.p[0] == '(' && memcmp(v.p, "(00)", 4) == 0) {
            v.p += 4;
            v.len -= 4;
        }
        size_t extra = v.len > 18 ? v.len - 18 : 0;
        bool zeros = true;
        for (size_t i = 0; i < extra; i++) {
            zeros = zeros && v.p[i] == '0';
        }
        if (extra > 0 && zeros) {
            v.p += extra;
            v.len = 18;
        }
        if (!xd_x12__gs1_ok(v) || v.len != 18) {
            xd_x12__tr_warn(t, el, "'%.*s' is not an SSCC (18 digits, GS1 check digit), left out",
                            (int)v.len, v.p);
            return false;
        }
        *(const char **)at = xd_x12__tr_strdup(t, v);
        return true;
    }
    case XD_X12__CV_BOOL:
        if (!xd_slice_eq_cstr(v, "Y") && !xd_slice_eq_cstr(v, "N")) {
            xd_x12__tr_problem(t, el, "'%.*s' is not Y or N", (int)v.len, v.p);
            return false;
        }
        *(bool *)at = v.p[0] == 'Y';
        break;
    case XD_X12__CV_UOM: {
        char code[8];
        xd_x12__copy(code, sizeof code, v);
        const char *u = xd_x12__map_uom_in(t->map, t->spec->type, code);
        *(const char **)at = u == code ? xd_x12__tr_strdup(t, v) : u;
        return true;
    }
    default:
        return true;
    }
    if (has != 0) {
        *(bool *)((char *)obj + has) = true;
    }
    return true;
}

void xd_x12__tr_bind(struct xd_x12__tr *t, void *obj, const struct xd_x12__bind *b, size_t n,
                     const struct xd_x12_segment *seg)
{
    for (size_t i = 0; i < n && obj != NULL; i++) {
        struct xd_slice v = xd_x12__tr_elem(seg, b[i].el, b[i].comp);
        if (v.len == 0 || b[i].conv == XD_X12__CV_FIXED ||
            (b[i].fixed != NULL && xd_slice_eq_cstr(v, b[i].fixed))) {
            continue;
        }
        (void)xd_x12__tr_set(t, obj, b[i].off, b[i].has, b[i].conv, b[i].list, v, b[i].el);
    }
}

void xd_x12__tr_bind_scope(struct xd_x12__tr *t, uint8_t scope, const struct xd_x12__bind *b,
                           size_t n, const struct xd_x12_segment *seg)
{
    for (size_t i = 0; i < n; i++) {
        struct xd_slice v = xd_x12__tr_elem(seg, b[i].el, b[i].comp);
        if (v.len > 0 && b[i].conv != XD_X12__CV_FIXED &&
            (b[i].fixed == NULL || !xd_slice_eq_cstr(v, b[i].fixed))) {
            xd_x12__tr_bind(t, xd_x12__tr_scope(t, scope), b, n, seg);
            return;
        }
    }
}

/* ---- The sink ------------------------------------------------------------------------------ */

/* <src> into <dst>, cut to <cap> - 1 bytes (snprintf's "%s" without its cost per set). */
static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    while (n + 1 < cap && src[n] != '\0') {
        n++;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void copy_trim(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src);
    for (size_t n = strlen(dst); n > 0 && dst[n - 1] == ' '; n--) {
        dst[n - 1] = '\0';
    }
}

static enum xd_status on_interchange(void *ctx, const struct xd_x12_interchange_info *isa)
{
    struct translator *tr = ctx;
    copy_trim(tr->env.isa_control, sizeof tr->env.isa_control, isa->control);
    copy_trim(tr->env.sender, sizeof tr->env.sender, isa->sender_id);
    copy_trim(tr->env.receiver, sizeof tr->env.receiver, isa->receiver_id);
    copy_trim(tr->env.sender_qual, sizeof tr->env.sender_qual, isa->sender_qualifier);
    copy_trim(tr->env.receiver_qual, sizeof tr->env.receiver_qual, isa->receiver_qualifier);
    tr->env.usage = isa->usage;
    return XD_OK;
}

static enum xd_status on_group(void *ctx, const struct xd_x12_group_info *gs)
{
    struct translator *tr = ctx;
    copy_trim(tr->env.gs_control, sizeof tr->env.gs_control, gs->control);
    copy_trim(tr->env.version, sizeof tr->env.version, gs->version);
    copy_trim(tr->env.gs_date, sizeof tr->env.gs_date, gs->date);
    return XD_OK;
}

/* The document's source, from the envelope. */
static void fill_source(struct translator *tr)
{
    struct xd_x12__tr *t = &tr->t;
    struct xd_canon_header *h = xd_canon_doc_header(t->doc);
    struct xd_canon_source *s = xd_arena_calloc(t->arena, 1, sizeof *s);
    struct xd_canon_control_numbers *c = xd_arena_calloc(t->arena, 1, sizeof *c);
    if (s == NULL || c == NULL) {
        oom(t);
        return;
    }
    /* Not copied: the envelope's values stay in the translator, unchanged, until the set's
     * callback has returned, which is as long as the document may be used. */
    s->format = "x12";
    s->version = tr->env.version[0] ? tr->env.version : NULL;
    s->sender_id = tr->env.sender[0] ? tr->env.sender : NULL;
    s->receiver_id = tr->env.receiver[0] ? tr->env.receiver : NULL;
    c->interchange = tr->env.isa_control[0] ? tr->env.isa_control : NULL;
    c->group = tr->env.gs_control[0] ? tr->env.gs_control : NULL;
    c->transaction_set = tr->st02[0] ? tr->st02 : NULL;
    s->control_numbers = c;
    s->has_test = true;
    s->test = tr->env.usage == 'T';
    h->source = s;
}

static enum xd_status on_set_begin(void *ctx, const char *set_id, const char *control)
{
    struct translator *tr = ctx;
    struct xd_x12__tr *t = &tr->t;
    copy_str(tr->st01, sizeof tr->st01, set_id);
    copy_str(tr->st02, sizeof tr->st02, control);
    tr->in_set = true;
    tr->st_index = 0;
    tr->loose_ready = false;
    xd_arena_reset(t->arena);
    xd_diags_reset(&tr->problems);
    xd_diags_reset(&tr->notes);
    xd_diags_reset(&tr->warnings);
    memset(t->obj, 0, sizeof t->obj);
    t->doc = NULL;
    t->failed = false;
    t->nprov = 0;
    t->pool = t->pool_end = NULL; /* went with the arena */
    t->state = NULL;
    t->position = 1;
    t->text = NULL;
    t->party_location = NULL;
    t->level = 0;
    t->sender = tr->env.sender;
    t->receiver = tr->env.receiver;
    t->sender_qual = tr->env.sender_qual;
    t->receiver_qual = tr->env.receiver_qual;
    t->group_date = tr->env.gs_date;
    copy_str(t->seg_id, sizeof t->seg_id, "ST");
    t->spec = xd_x12__tspec_for_set(xd_slice_from_cstr(set_id));
    if (t->spec == NULL) {
        return XD_OK;
    }
    enum xd_canon_type type = t->spec->type;
    enum xd_status st = xd_x12__map_code_lists(tr->map, type, &t->codes);
    if (st != XD_OK) {
        return st;
    }
    if (xd_canon_doc_create(t->arena, type, &t->doc) != XD_OK) {
        oom(t);
        return XD_OK;
    }
    t->obj[XD_X12__SC_ROOT] = t->doc->body;
    xd_x12__tr_origin(t, t->doc->body);
    fill_source(tr);
    if (t->spec->begin != NULL) {
        t->spec->begin(t);
    }
    return XD_OK;
}

/* Loop IDs are short table constants: the same address (literals merged) or a different
 * first byte settles most comparisons without a call. */
static bool same_loop(const char *a, const char *b)
{
    return a == b || (a[0] == b[0] && strcmp(a, b) == 0);
}

static bool loop_is(const char *want, const char *have)
{
    return want == NULL || same_loop(want, have);
}

/* Is the rule for segment <id> in loop <inner> inside <parent>? */
static bool rule_fits_place(const struct xd_x12__rule *r, uint32_t id, const char *inner,
                            const char *parent)
{
    return XD_X12__ID3(r->seg[0], r->seg[1], r->seg[2]) == id && same_loop(r->loop, inner) &&
           loop_is(r->parent, parent);
}

/* ... and for this segment under the current HL (or LX)? */
static bool rule_fits_segment(const struct xd_x12__tr *t, const struct xd_x12__rule *r,
                              const struct xd_x12_segment *seg)
{
    if (r->level != 0 && r->level != t->level) {
        return false;
    }
    return r->key_el == 0 || xd_slice_eq_cstr(xd_x12__tr_elem(seg, r->key_el, 0), r->key);
}

static uint32_t rule_id(const struct xd_x12__rule *r)
{
    return XD_X12__ID3(r->seg[0], r->seg[1], r->seg[2]);
}

static void rule_index_free(struct rule_index *ix)
{
    xd_free(ix->ids);
    xd_free(ix->from);
    xd_free(ix->order);
    memset(ix, 0, sizeof *ix);
}

/* Group <spec>'s rules by segment ID (an insertion sort, stable: tables hold tens of rules). */
static enum xd_status rule_index_build(struct rule_index *ix, const struct xd_x12__tspec *spec)
{
    size_t n = spec->nrules;
    ix->ids = xd_malloc((n + 1) * sizeof *ix->ids);
    ix->from = xd_malloc((n + 1) * sizeof *ix->from);
    ix->order = xd_malloc((n + 1) * sizeof *ix->order);
    if (ix->ids == NULL || ix->from == NULL || ix->order == NULL) {
        rule_index_free(ix);
        return XD_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        uint32_t id = rule_id(&spec->rules[i]);
        for (; j > 0 && rule_id(&spec->rules[ix->order[j - 1]]) > id; j--) {
            ix->order[j] = ix->order[j - 1];
        }
        ix->order[j] = (uint32_t)i;
    }
    ix->nids = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t id = rule_id(&spec->rules[ix->order[i]]);
        if (ix->nids == 0 || ix->ids[ix->nids - 1] != id) {
            ix->ids[ix->nids] = id;
            ix->from[ix->nids++] = (uint32_t)i;
        }
    }
    ix->from[ix->nids] = (uint32_t)n;
    ix->spec = spec;
    return XD_OK;
}

/* The index of t->spec's rules, built on first use; NULL when it cannot be (out of memory,
 * or more specifications than RULE_INDEXES): the rules are then searched one by one. */
static const struct rule_index *rule_index_of(struct translator *tr)
{
    const struct xd_x12__tspec *spec = tr->t.spec;
    for (size_t i = 0; i < tr->nrules; i++) {
        if (tr->rules[i].spec == spec) {
            return &tr->rules[i];
        }
    }
    if (tr->nrules == RULE_INDEXES || rule_index_build(&tr->rules[tr->nrules], spec) != XD_OK) {
        return NULL;
    }
    return &tr->rules[tr->nrules++];
}

static void dispatch_rule(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                          const struct xd_x12__rule *r)
{
    if (r->fn != NULL) {
        r->fn(t, seg, r);
    } else {
        xd_x12__h_bind(t, seg, r);
    }
}

/* The candidates for segment ID <id>: order[*from .. *to - 1] (order is NULL when the rules
 * are not indexed: then rules *from .. *to - 1 of the table). */
static const uint32_t *candidates(struct translator *tr, uint32_t id, size_t *from, size_t *to)
{
    const struct rule_index *ix = rule_index_of(tr);
    if (ix == NULL) {
        *from = 0;
        *to = tr->t.spec->nrules;
        return NULL;
    }
    size_t lo = 0, hi = ix->nids;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->ids[mid] < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    bool found = lo < ix->nids && ix->ids[lo] == id;
    *from = found ? ix->from[lo] : 0;
    *to = found ? ix->from[lo + 1] : 0;
    return ix->order;
}

/* Every rule that matches the segment in its loops, in table order. Which rules fit a
 * (segment ID, loop, parent loop) is remembered: a set's segments come back to the same few
 * places, and the loop IDs are the set tables' constants, so their addresses name them. */
static void dispatch(struct translator *tr, const struct xd_x12_segment *seg,
                     const char *const *loops, size_t depth)
{
    struct xd_x12__tr *t = &tr->t;
    const char *inner = depth > 0 ? loops[depth - 1] : "";
    const char *parent = depth > 1 ? loops[depth - 2] : "";
    uint32_t id = xd_x12__id_code(seg->id);
    if (id == 0) {
        return;
    }
    uint64_t h = ((uint64_t)id ^ (uintptr_t)inner ^ ((uint64_t)(uintptr_t)parent << 17)) *
                 UINT64_C(0x9E3779B97F4A7C15); /* the high bits mix every input bit */
    struct place_memo *m = &tr->places[h >> 58];
    if (m->spec != t->spec || m->id != id || m->inner != inner || m->parent != parent) {
        size_t from, to, n = 0;
        const uint32_t *order = candidates(tr, id, &from, &to);
        uint32_t fit[PLACE_MEMO_RULES];
        for (size_t k = from; k < to; k++) {
            uint32_t i = order != NULL ? order[k] : (uint32_t)k;
            const struct xd_x12__rule *r = &t->spec->rules[i];
            if (!rule_fits_place(r, id, inner, parent)) {
                continue;
            }
            if (n < PLACE_MEMO_RULES) {
                fit[n] = i;
            }
            n++;
        }
        if (n > PLACE_MEMO_RULES) { /* more than an entry holds: not remembered */
            m->spec = NULL;
            for (size_t k = from; k < to; k++) {
                const struct xd_x12__rule *r = &t->spec->rules[order != NULL ? order[k] : k];
                if (rule_fits_place(r, id, inner, parent) && rule_fits_segment(t, r, seg)) {
                    dispatch_rule(t, seg, r);
                }
            }
            return;
        }
        *m = (struct place_memo){
            .spec = t->spec, .inner = inner, .parent = parent, .id = id, .n = (uint8_t)n};
        memcpy(m->rules, fit, n * sizeof fit[0]);
    }
    for (size_t i = 0; i < m->n; i++) {
        const struct xd_x12__rule *r = &t->spec->rules[m->rules[i]];
        if (rule_fits_segment(t, r, seg)) {
            dispatch_rule(t, seg, r);
        }
    }
}

static enum xd_status ignore_problem(void *ctx, const struct xd_x12__seq_problem *p)
{
    (void)ctx;
    (void)p;
    return XD_OK;
}

/* No table for this set's version: place it with the 004010 table, loosely. */
static size_t place_loosely(struct translator *tr, const struct xd_x12_segment *seg,
                            const char *const **loops, bool *ok)
{
    struct xd_x12__tr *t = &tr->t;
    *ok = false;
    if (!tr->loose_ready) {
        const struct xd_x12__setdef *def =
            xd_x12__setdef_find(tr->st01, strlen(tr->st01), "004010", 6);
        if (def == NULL) {
            return 0;
        }
        if (tr->loose == NULL && xd_x12__set_begin(def, &tr->loose) != XD_OK) {
            oom(t);
            return 0;
        }
        if (xd_x12__set_reset(tr->loose, def) != XD_OK) {
            oom(t);
            return 0;
        }
        tr->loose_ready = true;
    }
    const struct xd_x12__segdef *sd = NULL;
    if (xd_x12__set_segment(tr->loose, seg, xd_x12__id_code(seg->id), t->position, &sd,
                            ignore_problem, NULL) != XD_OK ||
        sd == NULL) {
        return 0;
    }
    *ok = true;
    return xd_x12__set_path(tr->loose, loops);
}

static enum xd_status on_segment(void *ctx, const struct xd_x12_segment *seg,
                                 const char *const *loops, size_t depth, bool placed)
{
    struct translator *tr = ctx;
    struct xd_x12__tr *t = &tr->t;
    t->position++;
    if (tr->st_index == 0) {
        tr->st_index = seg->index - 1;
    }
    if (t->spec == NULL || t->doc == NULL || t->failed) {
        return XD_OK;
    }
    xd_x12__copy(t->seg_id, sizeof t->seg_id, seg->id);
    t->delims = seg->delims;
    if (!placed && loops == NULL) {
        bool ok;
        depth = place_loosely(tr, seg, &loops, &ok);
        placed = ok;
    }
    if (placed) {
        dispatch(tr, seg, loops, depth);
    }
    return XD_OK;
}

/* The provenance of the deepest object a canonical problem's path names. */
static const struct xd_x12__prov *origin_of(const struct xd_x12__tr *t, const char *path)
{
    const void *objs[TR_PATH_OBJS];
    size_t n = xd_x12__shape_walk(t->spec->type, t->doc->body, path, objs, TR_PATH_OBJS);
    while (n-- > 0) {
        for (size_t i = 0; i < t->nprov; i++) {
            if (t->prov[i].obj == objs[n]) {
                return &t->prov[i];
            }
        }
    }
    return NULL;
}

/* Canonical problems, each with the segment behind it: "segment 17 PO1: $.lines[2].uom". */
static void canonical_problems(struct translator *tr, const struct xd_diags *canon)
{
    struct xd_x12__tr *t = &tr->t;
    for (size_t i = 0; i < canon->count; i++) {
        const struct xd_diag *d = &canon->items[i];
        const struct xd_x12__prov *p = origin_of(t, d->path);
        char where[XD_ERROR_WHERE_MAX];
        if (p != NULL && p->position == 0) {
            snprintf(where, sizeof where, "ISA06/ISA08: %s", d->path);
        } else if (p != NULL) {
            snprintf(where, sizeof where, "segment %llu %s: %s", (unsigned long long)p->position,
                     p->seg, d->path);
        } else {
            snprintf(where, sizeof where, "%s", d->path);
        }
        if (xd_diags_add(&tr->problems, d->code, where, "%s", d->message) != XD_OK) {
            t->failed = true;
        }
    }
}

static enum xd_status report(struct translator *tr, enum xd_status status)
{
    bool ok = status == XD_OK;
    struct xd_x12_translation res = {tr->st01,
                                     tr->st02,
                                     tr->env.isa_control,
                                     tr->env.gs_control,
                                     tr->st_index,
                                     status,
                                     ok ? tr->t.doc : NULL,
                                     ok ? tr->json.data : NULL,
                                     ok ? tr->json.len : 0,
                                     &tr->problems,
                                     &tr->notes,
                                     &tr->warnings};
    return tr->fn != NULL ? tr->fn(tr->ctx, &res) : XD_OK;
}

/* A party_ref for an interchange ID (ISA05/ISA06): D-U-N-S for qualifiers 01 and 14, an
 * assigned ID otherwise; the party_id from the map's cross-reference. An ID shorter than an
 * N104 allows (a one-character ISA ID) is not used: no N1 could carry it back. */
static void envelope_party(struct xd_x12__tr *t, uint16_t off, unsigned el, const char *qual,
                           const char *id)
{
    void *root = t->doc->body;
    if (off == 0 || id[0] == '\0' || *(void **)((char *)root + off) != NULL) {
        return;
    }
    snprintf(t->seg_id, sizeof t->seg_id, "ISA");
    t->position = 0; /* named by the envelope, not by a segment of the set */
    if (strlen(id) < XD_X12__N104_MIN) {
        xd_x12__tr_note(t, el, "interchange ID '%s' is shorter than an N104: not a party", id);
        return;
    }
    struct xd_canon_party_ref *p = xd_x12__tr_object(t, root, off, sizeof *p);
    if (p == NULL) {
        return;
    }
    size_t n = strlen(id);
    bool digits = strspn(id, "0123456789") == n;
    bool duns =
        digits && ((strcmp(qual, "01") == 0 && n == 9) || (strcmp(qual, "14") == 0 && n == 13));
    *(duns ? &p->duns : &p->assigned_id) = id; /* the envelope's, as in fill_source */
    p->party_id = xd_x12__map_xref_id(t->map, false, qual, id);
}

static enum xd_status on_set_end(void *ctx, const struct xd_x12_set_result *res)
{
    struct translator *tr = ctx;
    struct xd_x12__tr *t = &tr->t;
    tr->in_set = false;
    if (t->spec == NULL) {
        return report(tr, XD_EUNSUPPORTED);
    }
    if (res->status == XD_X12_REJECTED) {
        return report(tr, XD_EINVALDOC);
    }
    if (!t->failed && t->doc != NULL) {
        xd_x12__tr_party_close(t);
        if (t->spec->finish != NULL) {
            t->spec->finish(t);
        }
        envelope_party(t, t->spec->sender_party, 6, tr->env.sender_qual, tr->env.sender);
        envelope_party(t, t->spec->receiver_party, 8, tr->env.receiver_qual, tr->env.receiver);
    }
    if (t->failed || t->doc == NULL || tr->problems.count > 0) {
        return report(tr, XD_EINVAL);
    }
    struct xd_diags canon;
    xd_diags_init(&canon, XD_X12_TR_MAX_PROBLEMS);
    xd_buf_reset(&tr->json);
    enum xd_status st = xd_canon_encode_valid(t->doc, &tr->json, &canon);
    bool unwritten = (st == XD_ETOOBIG || st == XD_ENOMEM) && canon.count == 0;
    if (st != XD_OK && !unwritten) {
        canonical_problems(tr, &canon);
    }
    xd_diags_cleanup(&canon);
    return report(tr, st == XD_OK || unwritten ? st : XD_EINVAL);
}

enum xd_status xd_x12_translate(struct xd_x12_reader *r, const struct xd_x12_map *map,
                                const struct xd_x12_validate_options *opt,
                                struct xd_x12_report *rep, xd_x12_doc_fn fn, void *ctx,
                                struct xd_error *err)
{
    struct xd_x12_map *defaults = NULL;
    if (map == NULL) {
        enum xd_status st = xd_x12_map_create(NULL, &defaults, NULL);
        if (st != XD_OK) {
            return st;
        }
        map = defaults;
    }
    struct translator *tr = xd_calloc(1, sizeof *tr);
    if (tr == NULL) {
        xd_x12_map_destroy(defaults);
        return XD_ENOMEM;
    }
    tr->map = map;
    tr->fn = fn;
    tr->ctx = ctx;
    tr->t.map = map;
    tr->t.problems = &tr->problems;
    tr->t.notes = &tr->notes;
    tr->t.warnings = &tr->warnings;
    xd_diags_init(&tr->problems, XD_X12_TR_MAX_PROBLEMS);
    xd_diags_init(&tr->notes, XD_X12_TR_MAX_PROBLEMS);
    xd_diags_init(&tr->warnings, XD_X12_TR_MAX_PROBLEMS);
    xd_buf_init(&tr->json, XD_X12_TR_JSON_CAP);
    tr->t.arena = xd_arena_create(TR_ARENA_CHUNK, XD_X12_TR_ARENA_CAP);
    enum xd_status st = XD_ENOMEM;
    if (tr->t.arena != NULL) {
        struct xd_x12_sink sink = {.ctx = tr,
                                   .interchange_begin = on_interchange,
                                   .group_begin = on_group,
                                   .set_begin = on_set_begin,
                                   .set_end = on_set_end,
                                   .segment = on_segment};
        st = xd_x12_validate(r, opt, rep, &sink, err);
    }
    xd_x12__set_free(tr->loose);
    for (size_t i = 0; i < tr->nrules; i++) {
        rule_index_free(&tr->rules[i]);
    }
    xd_free(tr->t.prov);
    xd_arena_destroy(tr->t.arena);
    xd_diags_cleanup(&tr->problems);
    xd_diags_cleanup(&tr->notes);
    xd_diags_cleanup(&tr->warnings);
    xd_buf_cleanup(&tr->json);
    xd_free(tr);
    xd_x12_map_destroy(defaults);
    return st;
}
