/* SPDX-License-Identifier: MIT
 * JSON text to a canonical document in one pass: the pull parser (canon_json.c) hands over each
 * member as it comes and the type's descriptors say where it goes, so values are checked and
 * stored straight into the structs in the caller's arena, with no tree in between. A bit per
 * member says which are present (duplicates are refused with it; required members found missing
 * when the object closes). Problems go to a log that reports them in definition order, as a
 * reader of the definitions expects, whatever order the members came in. Cross-field rules run
 * only on a document whose members are each valid, so a rule never repeats a member's error.
 *
 * Two cases read the input again, both rare and each at most doubling the work: `type` not
 * being the first member (the members before it are only checked, then decoding starts over),
 * and an array longer than its definition allows (its items' problems must not be reported, and
 * the log may already have made room for them: a second pass knows which arrays to report and
 * skip). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon/canon_int.h"
#include "canon/canon_json.h"

/* An array found longer than its definition allows: where it starts and how many items. */
struct overlong {
    size_t at;
    size_t n;
};

struct dec {
    struct xd_canon__ctx *c;
    struct xd_canon__json j;
    struct overlong *overlong; /* sorted by offset before the second pass */
    size_t n_overlong, cap_overlong;
    size_t next_overlong; /* second pass: the next one to expect */
    bool found_overlong;  /* this pass found one not known before */
    bool second_pass;
};

static bool failed(const struct dec *d)
{
    return d->j.status != XD_OK || d->c->oom;
}

static const char *jtype_name(enum xd_canon__jtype t)
{
    switch (t) {
    case XD_CANON__J_OBJECT:
        return "an object";
    case XD_CANON__J_ARRAY:
        return "an array";
    case XD_CANON__J_STRING:
        return "a string";
    case XD_CANON__J_NUMBER:
        return "a number";
    case XD_CANON__J_TRUE:
    case XD_CANON__J_FALSE:
        return "a boolean";
    case XD_CANON__J_NULL:
        return "null";
    case XD_CANON__J_NONE:
        break;
    }
    return "something else";
}

static const char *expected(const struct xd_canon__field *f)
{
    switch ((enum xd_canon__kind)f->kind) {
    case XD_CANON__K_STRING:
        return "a string";
    case XD_CANON__K_CODE:
        return "a code string";
    case XD_CANON__K_DECIMAL:
        return "a decimal string such as \"12.50\"";
    case XD_CANON__K_INT:
        return "a whole number such as 3";
    case XD_CANON__K_BOOL:
        return "true or false";
    case XD_CANON__K_DATE:
        return "a date string such as \"2026-03-02\"";
    case XD_CANON__K_DATETIME:
        return "a date-time string such as \"2026-03-02T14:30:00Z\"";
    case XD_CANON__K_OBJECT:
    case XD_CANON__K_INLINE:
        return "an object";
    case XD_CANON__K_ARRAY:
        return "an array of objects";
    case XD_CANON__K_STRINGS:
        return "an array of strings";
    }
    return "something else";
}

/* A value of the wrong JSON type: step over it and say what was expected. */
static void wrong_type(struct dec *d, const struct xd_canon__field *f, enum xd_canon__jtype t)
{
    if (!xd_canon__json_skip(&d->j)) {
        return;
    }
    struct xd_canon__ctx *c = d->c;
    if (t == XD_CANON__J_NULL) {
        xd_canon__report(c, "type", "must be %s, not null; leave an optional member out instead",
                         expected(f));
    } else if (f->kind == XD_CANON__K_DECIMAL && t == XD_CANON__J_NUMBER) {
        xd_canon__report(c, "type",
                         "must be a decimal string such as \"12.50\", not a JSON number: "
                         "numbers lose digits in binary floating point");
    } else {
        xd_canon__report(c, "type", "must be %s, not %s", expected(f), jtype_name(t));
    }
}

/* --- Scalars ---------------------------------------------------------------------------------- */

static void decode_decimal(struct xd_canon__ctx *c, const struct xd_canon__field *f,
                           const struct xd_canon__jstr *s, void *base)
{
    struct xd_decimal v;
    enum xd_status st = xd_decimal_parse(s->p, s->len, XD_DECIMAL_STRICT, &v);
    if (st == XD_ETOOBIG) {
        xd_canon__report(c, "range", "has more digits than an exact decimal holds (18 digits)");
        return;
    }
    if (st != XD_OK) {
        xd_canon__report(c, "decimal",
                         "must be a decimal string such as \"12.50\": digits, an "
                         "optional leading '-' and '.', no exponent");
        return;
    }
    xd_canon__check_decimal(c, f, v);
    *(struct xd_decimal *)XD_CANON__AT(base, f->offset) = v;
    if (f->has_offset != 0) {
        *(bool *)XD_CANON__AT(base, f->has_offset) = true;
    }
}

/* An integer's text (the parser checked its grammar) to int64; false when it does not fit. */
static bool whole_number(const char *s, size_t len, int64_t *out)
{
    bool neg = s[0] == '-';
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (size_t i = neg; i < len; i++) {
        unsigned digit = (unsigned)(s[i] - '0');
        if (v > (limit - digit) / 10) {
            return false;
        }
        v = v * 10 + digit;
    }
    if (!neg) {
        *out = (int64_t)v;
    } else {
        *out = v > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)v;
    }
    return true;
}

static void decode_int(struct dec *d, const struct xd_canon__field *f, void *base)
{
    const char *text;
    size_t len;
    bool integer;
    if (!xd_canon__json_number(&d->j, &text, &len, &integer)) {
        return;
    }
    int64_t v;
    if (!integer) {
        xd_canon__report(d->c, "type", "must be a whole number such as 3, without a fraction");
        return;
    }
    if (!whole_number(text, len, &v)) {
        xd_canon__report(d->c, "range", "must be a whole number from %lld to %lld",
                         (long long)f->min, (long long)f->max);
        return;
    }
    xd_canon__check_int(d->c, f, v);
    *(int64_t *)XD_CANON__AT(base, f->offset) = v;
    if (f->has_offset != 0) {
        *(bool *)XD_CANON__AT(base, f->has_offset) = true;
    }
}

/* A string member (or STRINGS item) into *at, checked against <f>. */
static void decode_text(struct dec *d, const struct xd_canon__field *f, const char **at)
{
    struct xd_canon__jstr s;
    if (!xd_canon__json_string(&d->j, &s, true)) {
        return;
    }
    xd_canon__check_text(d->c, f, s.p, s.len, s.chars);
    *at = xd_canon__json_cstr(&d->j, &s);
}

/* --- Objects and arrays ----------------------------------------------------------------------- */

static void decode_members(struct dec *d, enum xd_canon__sid sid, void *base, bool root,
                           bool type_seen);

/* Was the array at <at> found too long by the first pass? Then *n is its length. */
static bool known_overlong(struct dec *d, size_t at, size_t *n)
{
    if (!d->second_pass) {
        return false;
    }
    while (d->next_overlong < d->n_overlong && d->overlong[d->next_overlong].at < at) {
        d->next_overlong++;
    }
    if (d->next_overlong < d->n_overlong && d->overlong[d->next_overlong].at == at) {
        *n = d->overlong[d->next_overlong].n;
        return true;
    }
    return false;
}

static void note_overlong(struct dec *d, size_t at, size_t n)
{
    if (d->n_overlong == d->cap_overlong) {
        size_t ncap = d->cap_overlong ? d->cap_overlong * 2 : 4;
        struct overlong *o = xd_reallocarray(d->overlong, ncap, sizeof *o);
        if (o == NULL) {
            d->c->oom = true;
            return;
        }
        d->overlong = o;
        d->cap_overlong = ncap;
    }
    d->overlong[d->n_overlong++] = (struct overlong){at, n};
    d->found_overlong = true;
}

/* Room for item <n> of an array being read, in the arena: the buffer doubles (what it leaves
 * behind is at most as large as the final array). */
static char *array_room(struct dec *d, char *items, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap) {
        return items;
    }
    size_t ncap = *cap ? *cap * 2 : 4;
    char *grown = xd_arena_alloc(d->c->arena, ncap * elem);
    if (grown == NULL) {
        d->c->oom = true;
        return NULL;
    }
    if (n > 0 && items != NULL) {
        memcpy(grown, items, n * elem);
    }
    *cap = ncap;
    return grown;
}

/* One item: an object of the array's struct or a string of a STRINGS member.
 * NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting, not the input's. */
static void decode_item(struct dec *d, const struct xd_canon__field *f, void *item)
{
    enum xd_canon__jtype t = xd_canon__json_peek(&d->j);
    if (t == XD_CANON__J_NONE) {
        return;
    }
    bool object = f->kind == XD_CANON__K_ARRAY;
    if (t != (object ? XD_CANON__J_OBJECT : XD_CANON__J_STRING)) {
        if (xd_canon__json_skip(&d->j)) {
            xd_canon__report(d->c, "type", "must be %s, not %s", object ? "an object" : "a string",
                             jtype_name(t));
        }
        return;
    }
    if (!object) {
        decode_text(d, f, (const char **)item);
    } else if (xd_canon__json_begin(&d->j)) {
        decode_members(d, f->sub, item, false, false);
    }
}

/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting, not the input's. */
static void decode_array(struct dec *d, const struct xd_canon__field *f, void *base)
{
    struct xd_canon__ctx *c = d->c;
    size_t at = (size_t)(d->j.cur - d->j.text);
    size_t n = 0;
    if (known_overlong(d, at, &n)) {
        if (xd_canon__json_skip(&d->j)) {
            xd_canon__report(c, "max_items", "must have at most %u items, not %zu",
                             (unsigned)f->max_items, n);
        }
        return;
    }
    if (!xd_canon__json_begin(&d->j)) {
        return;
    }
    size_t elem = f->kind == XD_CANON__K_ARRAY ? f->elem_size : sizeof(const char *);
    char *items = NULL;
    size_t cap = 0;
    while (xd_canon__json_item(&d->j)) {
        if (n >= f->max_items) {
            /* Too many: count the rest; the second pass reports it without the items. */
            if (!xd_canon__json_skip(&d->j)) {
                return;
            }
            n++;
            continue;
        }
        items = array_room(d, items, n, &cap, elem);
        if (items == NULL) {
            return;
        }
        memset(items + n * elem, 0, elem);
        size_t mark = xd_canon__path_index(c, n);
        decode_item(d, f, items + n * elem);
        xd_canon__path_restore(c, mark);
        n++;
        if (failed(d)) {
            return;
        }
    }
    if (d->j.status != XD_OK) {
        return;
    }
    if (n > f->max_items) {
        note_overlong(d, at, n);
        return;
    }
    if (n == 0) {
        xd_canon__report(c, "min_items", "must not be empty; leave the member out instead");
        return;
    }
    *(void **)XD_CANON__AT(base, f->offset) = items;
    *(size_t *)XD_CANON__AT(base, f->count_offset) = n;
}

/* NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting, not the input's. */
static void decode_value(struct dec *d, const struct xd_canon__field *f, void *base)
{
    enum xd_canon__jtype t = xd_canon__json_peek(&d->j);
    void *at = XD_CANON__AT(base, f->offset);
    switch ((enum xd_canon__kind)f->kind) {
    case XD_CANON__K_STRING:
    case XD_CANON__K_CODE:
    case XD_CANON__K_DATE:
    case XD_CANON__K_DATETIME:
        if (t == XD_CANON__J_STRING) {
            decode_text(d, f, (const char **)at);
            return;
        }
        break;
    case XD_CANON__K_DECIMAL:
        if (t == XD_CANON__J_STRING) {
            struct xd_canon__jstr s;
            if (xd_canon__json_string(&d->j, &s, true)) {
                decode_decimal(d->c, f, &s, base);
            }
            return;
        }
        break;
    case XD_CANON__K_INT:
        if (t == XD_CANON__J_NUMBER) {
            decode_int(d, f, base);
            return;
        }
        break;
    case XD_CANON__K_BOOL:
        if (t == XD_CANON__J_TRUE || t == XD_CANON__J_FALSE) {
            if (xd_canon__json_literal(&d->j)) {
                *(bool *)at = t == XD_CANON__J_TRUE;
                if (f->has_offset != 0) {
                    *(bool *)XD_CANON__AT(base, f->has_offset) = true;
                }
            }
            return;
        }
        break;
    case XD_CANON__K_OBJECT:
        if (t == XD_CANON__J_OBJECT) {
            void *sub = xd_arena_calloc(d->c->arena, 1, xd_canon__structs[f->sub].size);
            if (sub == NULL) {
                d->c->oom = true;
                return;
            }
            *(void **)at = sub;
            if (xd_canon__json_begin(&d->j)) {
                decode_members(d, f->sub, sub, false, false);
            }
            return;
        }
        break;
    case XD_CANON__K_ARRAY:
    case XD_CANON__K_STRINGS:
        if (t == XD_CANON__J_ARRAY) {
            decode_array(d, f, base);
            return;
        }
        break;
    case XD_CANON__K_INLINE:
        XD_ASSERT(false); /* flattened tables have none */
        return;
    }
    if (t != XD_CANON__J_NONE) {
        wrong_type(d, f, t);
    }
}

/* Member names are short: comparing in place beats a call to memcmp. */
static bool same_name(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

/* The member of <ft> named <key>, or n_fields. Members usually come in definition order, so the
 * search starts after the last one found; it is bounded by the struct's member count. */
static size_t find_member(const struct xd_canon__flat *ft, const struct xd_canon__jstr *key,
                          size_t *cursor)
{
    size_t n = ft->n_fields;
    size_t i = *cursor;
    for (size_t k = 0; k < n; k++, i++) {
        if (i == n) {
            i = 0;
        }
        const struct xd_canon__field *f = &ft->fields[i];
        if (f->name_len == key->len && same_name(f->name, key->p, key->len)) {
            *cursor = i + 1;
            return i;
        }
    }
    return n;
}

/* Best "did you mean" candidate among the members of <ft>. */
static const char *suggest_member(const struct xd_canon__flat *ft, const char *key, size_t len)
{
    const char *best = NULL;
    size_t best_score = 4;
    for (size_t i = 0; i < ft->n_fields; i++) {
        const struct xd_canon__field *f = &ft->fields[i];
        size_t nlen = f->name_len;
        size_t score = xd_canon__distance(key, len, f->name, nlen, 2);
        if (score > 2) {
            /* An abbreviation ("qty" for "quantity"): same first letter, letters in order. */
            size_t k = 0;
            for (size_t j = 0; j < nlen && k < len && len >= 2 && key[0] == f->name[0]; j++) {
                k += f->name[j] == key[k];
            }
            score = len >= 2 && k == len ? 3 : SIZE_MAX;
        }
        if (score < best_score) {
            best_score = score;
            best = f->name;
        }
    }
    return best;
}

/* A member no definition has: a problem (sorted after the object's own members), then its
 * value is only checked. */
static void unknown_member(struct dec *d, const struct xd_canon__flat *ft,
                           const struct xd_canon__jstr *key, uint32_t ord)
{
    if (!xd_canon__json_key_unique(&d->j, key)) {
        return;
    }
    struct xd_canon__ctx *c = d->c;
    size_t mark = xd_canon__path_member_at(c, key->p, key->len, ord);
    /* The hint is only worth its edit distances when someone reads the message. */
    const char *best = c->diags != NULL ? suggest_member(ft, key->p, key->len) : NULL;
    char clipped[72];
    xd_canon__clip(key->p, key->len, clipped, sizeof clipped);
    if (best != NULL) {
        xd_canon__report(c, "unknown_member", "unknown member '%s' (did you mean '%s'?)", clipped,
                         best);
    } else {
        xd_canon__report(c, "unknown_member", "unknown member '%s'", clipped);
    }
    xd_canon__path_restore(c, mark);
    xd_canon__json_skip(&d->j);
}

static bool is_type_key(const struct xd_canon__jstr *key)
{
    return key->len == 4 && memcmp(key->p, "type", 4) == 0;
}

/* The members of an open object, into <base> (a struct <sid>); the object is closed after.
 * At the root, `type` is the codec's own member: <type_seen> when it has been read already.
 * NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting, not the input's. */
static void decode_members(struct dec *d, enum xd_canon__sid sid, void *base, bool root,
                           bool type_seen)
{
    struct xd_canon__ctx *c = d->c;
    const struct xd_canon__flat *ft = &xd_canon__flats[sid];
    uint64_t present = 0;
    size_t cursor = 0;
    uint32_t index = 0;
    struct xd_canon__jstr key;
    while (xd_canon__json_member(&d->j, &key)) {
        size_t i = find_member(ft, &key, &cursor);
        if (i < ft->n_fields) {
            if (present >> i & 1u) {
                xd_canon__json_fail_duplicate(&d->j, &key);
                return;
            }
            present |= UINT64_C(1) << i;
            const struct xd_canon__field *f = &ft->fields[i];
            size_t mark = xd_canon__path_member_at(c, f->name, f->name_len, (uint32_t)i);
            decode_value(d, f, base);
            xd_canon__path_restore(c, mark);
        } else if (root && is_type_key(&key)) {
            if (type_seen) {
                xd_canon__json_fail_duplicate(&d->j, &key);
                return;
            }
            type_seen = true;
            xd_canon__json_skip(&d->j);
        } else {
            unknown_member(d, ft, &key, (uint32_t)ft->n_fields + index);
        }
        index++;
        if (failed(d)) {
            return;
        }
    }
    if (d->j.status != XD_OK) {
        return;
    }
    uint64_t missing = ft->required & ~present;
    for (size_t i = 0; missing != 0; i++, missing >>= 1) {
        if (missing & 1u) {
            const struct xd_canon__field *f = &ft->fields[i];
            size_t mark = xd_canon__path_member_at(c, f->name, f->name_len, (uint32_t)i);
            xd_canon__report(c, "required", "required member is missing");
            xd_canon__path_restore(c, mark);
        }
    }
}

/* --- The root --------------------------------------------------------------------------------- */

/* What the root's `type` member held. */
struct type_member {
    enum xd_canon__jtype kind; /* J_NONE: no `type` member */
    struct xd_canon__jstr text;
    bool known;
    enum xd_canon_type type;
};

static void read_type(struct dec *d, struct type_member *tm)
{
    tm->kind = xd_canon__json_peek(&d->j);
    if (tm->kind == XD_CANON__J_STRING) {
        if (xd_canon__json_string(&d->j, &tm->text, true)) {
            tm->known = xd_canon_type_parse(tm->text.p, tm->text.len, &tm->type) == XD_OK;
        }
    } else if (tm->kind != XD_CANON__J_NONE) {
        xd_canon__json_skip(&d->j);
    }
}

static void report_type_member(struct xd_canon__ctx *c, const struct type_member *tm)
{
    char names[320];
    size_t n = 0;
    for (int i = 0; i < XD_CANON_TYPE_COUNT; i++) {
        int w =
            snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "", xd_canon__types[i].name);
        n += w > 0 && (size_t)w < sizeof names - n ? (size_t)w : 0;
    }
    size_t mark = xd_canon__path_member(c, "type", 4);
    if (tm->kind == XD_CANON__J_NONE) {
        xd_canon__report(c, "type_unknown", "required member is missing: one of %s", names);
    } else if (tm->kind != XD_CANON__J_STRING) {
        xd_canon__report(c, "type_unknown", "must be a string naming the document type: one of %s",
                         names);
    } else {
        char clipped[40];
        xd_canon__clip(tm->text.p, tm->text.len, clipped, sizeof clipped);
        xd_canon__report(c, "type_unknown", "'%s' is not a document type: one of %s", clipped,
                         names);
    }
    xd_canon__path_restore(c, mark);
}

/* `type` is missing or names no type: the rest must still be JSON for that to be the answer.
 * Members are only checked; duplicates of any of them are still a syntax problem. */
static enum xd_status unknown_type(struct dec *d, const struct type_member *tm,
                                   const struct xd_canon__jstr *type_key)
{
    struct xd_canon__jstr key;
    if (tm->kind != XD_CANON__J_NONE) {
        xd_canon__json_key_unique(&d->j, type_key);
        while (xd_canon__json_member(&d->j, &key) && xd_canon__json_key_unique(&d->j, &key) &&
               xd_canon__json_skip(&d->j)) {
        }
    }
    if (!xd_canon__json_finish(&d->j)) {
        return d->j.status;
    }
    struct xd_canon__plog *log = d->c->log;
    d->c->log = NULL;
    report_type_member(d->c, tm);
    d->c->log = log;
    return d->c->oom ? XD_ENOMEM : XD_ENOTFOUND;
}

/* The root object (open): find `type`, then decode every member into a new document. */
static enum xd_status decode_root(struct dec *d, struct xd_canon_doc **out)
{
    struct type_member tm = {.kind = XD_CANON__J_NONE};
    struct xd_canon__jstr key = {0};
    size_t before = 0; /* members ahead of `type`: only checked, decoded after a rewind */
    while (xd_canon__json_member(&d->j, &key)) {
        if (is_type_key(&key)) {
            read_type(d, &tm);
            break;
        }
        if (!xd_canon__json_key_unique(&d->j, &key) || !xd_canon__json_skip(&d->j)) {
            break;
        }
        before++;
    }
    if (d->j.status != XD_OK) {
        return d->j.status;
    }
    if (!tm.known) {
        return unknown_type(d, &tm, &key);
    }
    struct xd_canon_doc *doc = NULL;
    if (xd_canon_doc_create(d->c->arena, tm.type, &doc) != XD_OK) {
        return XD_ENOMEM;
    }
    if (before > 0) {
        xd_canon__json_rewind(&d->j);
        bool reopened =
            xd_canon__json_peek(&d->j) == XD_CANON__J_OBJECT && xd_canon__json_begin(&d->j);
        if (XD_NEVER(!reopened)) { /* the same bytes opened it the first time */
            return XD_EINVAL;
        }
    }
    decode_members(d, xd_canon__types[tm.type].sid, doc->body, true, before == 0);
    if (d->c->oom) {
        return XD_ENOMEM;
    }
    if (!xd_canon__json_finish(&d->j)) {
        return d->j.status;
    }
    *out = doc;
    return XD_OK;
}

/* One pass over the input: XD_OK (members decoded, problems logged, *out set), XD_ENOTFOUND
 * (reported), XD_EINVALDOC (not an object; reported), or the parser's failure (not reported). */
static enum xd_status decode_pass(struct dec *d, struct xd_canon_doc **out)
{
    enum xd_canon__jtype t = xd_canon__json_peek(&d->j);
    if (t == XD_CANON__J_OBJECT) {
        return xd_canon__json_begin(&d->j) ? decode_root(d, out) : d->j.status;
    }
    if (t == XD_CANON__J_ARRAY) {
        if (!xd_canon__json_skip(&d->j) || !xd_canon__json_finish(&d->j)) {
            return d->j.status;
        }
        struct xd_canon__plog *log = d->c->log;
        d->c->log = NULL;
        xd_canon__report(d->c, "not_object", "a document must be a JSON object, not an array");
        d->c->log = log;
        return d->c->oom ? XD_ENOMEM : XD_EINVALDOC;
    }
    if (t != XD_CANON__J_NONE) {
        /* A string, number or literal is JSON, but no document can be one. */
        xd_canon__json_expected(&d->j, "a JSON object");
    }
    return d->j.status != XD_OK ? d->j.status : XD_EPARSE;
}

static int overlong_cmp(const void *a, const void *b)
{
    const struct overlong *x = a, *y = b;
    return (x->at > y->at) - (x->at < y->at);
}

/* The first pass found arrays too long: start over knowing them. */
static void start_over(struct dec *d)
{
    struct xd_canon__ctx *c = d->c;
    qsort(d->overlong, d->n_overlong, sizeof *d->overlong, overlong_cmp);
    d->next_overlong = 0;
    d->found_overlong = false;
    d->second_pass = true;
    c->problems = 0;
    c->depth = 0;
    if (c->log != NULL) {
        xd_canon__plog_reset(c->log);
    }
    xd_canon__json_rewind(&d->j);
}

/* The parser's failure as the one problem: a syntax error or nesting too deep. */
static enum xd_status report_parse_failure(struct dec *d)
{
    struct xd_canon__ctx *c = d->c;
    enum xd_status st = d->j.status;
    c->problems++;
    if (c->diags == NULL || st == XD_ENOMEM) {
        return st;
    }
    char where[64];
    xd_canon__json_where(&d->j, where, sizeof where);
    enum xd_status added =
        st == XD_ETOOBIG
            ? xd_diags_add(c->diags, "too_deep", where, "%s", d->j.err)
            : xd_diags_add(c->diags, "syntax", where, "%s (byte %zu)", d->j.err, d->j.err_at + 1);
    return added == XD_OK ? st : XD_ENOMEM;
}

static enum xd_status decode_input(struct dec *d, struct xd_canon_doc **out)
{
    struct xd_canon__ctx *c = d->c;
    struct xd_canon_doc *doc = NULL;
    enum xd_status st = decode_pass(d, &doc);
    if (st == XD_OK && !c->oom && d->found_overlong) {
        start_over(d);
        doc = NULL;
        st = decode_pass(d, &doc);
        /* The first pass found every array too long that the second one reads. */
        XD_ASSERT(st != XD_OK || !d->found_overlong);
    }
    if (c->oom || d->j.status == XD_ENOMEM) {
        return XD_ENOMEM;
    }
    if (d->j.status != XD_OK) {
        return report_parse_failure(d);
    }
    if (st != XD_OK || XD_NEVER(doc == NULL)) {
        return st != XD_OK ? st : XD_EINVAL;
    }
    if (c->log != NULL && xd_canon__plog_flush(c->log, c->diags) != XD_OK) {
        return XD_ENOMEM;
    }
    c->log = NULL;
    if (c->problems == 0) {
        xd_canon__rules_walk(c, xd_canon__types[doc->type].sid, doc->body);
    }
    if (c->oom) {
        return XD_ENOMEM;
    }
    if (c->problems > 0) {
        return XD_EINVALDOC;
    }
    *out = doc;
    return XD_OK;
}

enum xd_status xd_canon_decode(const char *json, size_t len, struct xd_arena *a,
                               struct xd_canon_doc **out, struct xd_diags *diags)
{
    if (len > XD_CANON_MAX_INPUT) {
        if (diags != NULL && xd_diags_add(diags, "too_big", "$", "larger than %u bytes",
                                          (unsigned)XD_CANON_MAX_INPUT) != XD_OK) {
            return XD_ENOMEM;
        }
        return XD_ETOOBIG;
    }
    struct xd_canon__ctx c;
    xd_canon__ctx_init(&c, diags, a);
    struct xd_canon__plog log;
    if (diags != NULL) {
        xd_canon__plog_init(&log, diags->count < diags->limit ? diags->limit - diags->count : 0);
        c.log = &log;
    }
    struct dec d = {.c = &c};
    xd_canon__json_init(&d.j, json, len, a);
    enum xd_status st = decode_input(&d, out);
    xd_canon__json_cleanup(&d.j);
    xd_free(d.overlong);
    if (diags != NULL) {
        xd_canon__plog_cleanup(&log);
    }
    return st;
}
