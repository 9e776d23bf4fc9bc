/* SPDX-License-Identifier: MIT
 * Outbound translation: canonical documents to transaction sets through an xd_x12_writer. The
 * set's specification lists steps in X12 order; each writes a segment from the bindings of
 * one object (the document, the current line, ...) or calls a writer for what repeats (N1
 * loops, references, dates, lines). The same bindings read the set back (translate.c), so
 * what is written is what is read: translate(render(doc)) == doc (docs/x12.md, "Round
 * trip"). One functional group per run of documents of the same group. */
#include <stdio.h>
#include <string.h>

#include "x12/x12_tr.h"

#define CHUNK_NTE 80 /* NTE02 */
#define CHUNK_N9  45 /* N903 */

struct xd_x12_renderer {
    struct xd_x12_writer *w;
    const struct xd_x12_map *map;
    struct xd_x12_map *own_map; /* the defaults, when the caller gave none */
    char version[13];
    const char *app_sender, *app_receiver;
    char group[3];
    bool in_group;
    uint64_t gs, st;
    struct xd_x12__out out;
};

/* ---- Building one segment ----------------------------------------------------------------- */

void xd_x12__out_begin(struct xd_x12__out *o)
{
    o->n = 0;
    o->lost = 0;
}

void xd_x12__out_set(struct xd_x12__out *o, unsigned el, struct xd_slice v)
{
    if (el == 0 || el > XD_X12__OUT_VALUES) {
        o->lost = o->lost != 0 ? o->lost : el;
        return;
    }
    while (o->n < el) {
        o->vals[o->n++] = (struct xd_slice){"", 0};
    }
    o->vals[el - 1] = v;
}

void xd_x12__out_setf(struct xd_x12__out *o, unsigned el, const char *s)
{
    size_t n = strlen(s);
    if (el == 0 || el > XD_X12__OUT_VALUES || n >= XD_X12__OUT_TEXT) {
        o->lost = o->lost != 0 ? o->lost : el;
        return;
    }
    memcpy(o->text[el - 1], s, n + 1);
    xd_x12__out_set(o, el, (struct xd_slice){o->text[el - 1], n});
}

struct fit {
    struct xd_x12__out *o;
    const char *id;
    enum xd_status st;
};

/* The first problem of a written segment refuses the document: what the partner would get is
 * not X12 it can read. */
static enum xd_status misfit(void *ctx, const struct xd_x12__elem_problem *p)
{
    struct fit *f = ctx;
    if (f->st == XD_OK) {
        f->st = xd_error_set(f->o->err, XD_EINVAL, "%s%02u '%.*s': %s (AK4 %s): no X12 form", f->id,
                             p->element, (int)p->value.len, p->value.p, p->what, p->code);
    }
    return XD_OK;
}

/* The segment's values against its dictionary entry: type, length, code lists, requirement
 * and syntax notes, as the partner's validator will check them (a canonical string may be
 * longer than its element, a region longer than a state code). */
static enum xd_status check_fit(struct xd_x12__out *o, const char *id)
{
    const struct xd_x12__segdef *def = xd_x12__segdef_find(id, strlen(id));
    if (def == NULL) {
        return XD_OK;
    }
    struct xd_slice elems[XD_X12__OUT_VALUES + 1];
    struct xd_x12_segment seg;
    memset(&seg, 0, sizeof seg);
    elems[0] = xd_slice_from_cstr(id);
    seg.present = 1;
    for (size_t i = 0; i < o->n; i++) {
        elems[i + 1] = o->vals[i];
        seg.present |= o->vals[i].len > 0 ? (uint64_t)1 << (i + 1 < 63 ? i + 1 : 63) : 0;
    }
    seg.id = elems[0];
    seg.elements = elems;
    seg.count = o->n + 1;
    seg.raw = elems[0];
    seg.delims = o->delims;
    seg.controls = UINT64_MAX; /* not split by the reader: look at every value */
    struct fit f = {o, id, XD_OK};
    struct xd_x12__check_ctx ctx = {o->delims, o->v5, misfit, &f, NULL};
    long n = xd_x12__check_segment(&ctx, def, &seg);
    return n < 0 ? (enum xd_status)n : f.st;
}

/* X12 has no escape: a value holding a delimiter cannot be written (the writer refuses the
 * element separator and terminator; the component and repetition separators would be read
 * back as structure, or as a deviation). */
enum xd_status xd_x12__out_write(struct xd_x12__out *o, const char *id)
{
    if (o->lost != 0) {
        return xd_error_set(o->err, XD_EINVAL,
                            "%s%02u: the value does not fit the writer (past element %d, or over "
                            "%d bytes)",
                            id, o->lost, XD_X12__OUT_VALUES, XD_X12__OUT_TEXT - 1);
    }
    const struct xd_x12_delims *d = o->delims;
    for (size_t i = 0; i < o->n; i++) {
        const struct xd_slice v = o->vals[i];
        bool comp = v.len > 0 && memchr(v.p, d->component, v.len) != NULL;
        bool rep = v.len > 0 && d->repetition && memchr(v.p, d->repetition, v.len) != NULL;
        if (comp || rep) {
            return xd_error_set(o->err, XD_EINVAL,
                                "%s%02zu '%.*s' holds the %s separator '%c'; choose another", id,
                                i + 1, (int)v.len, v.p, comp ? "component" : "repetition",
                                comp ? d->component : d->repetition);
        }
    }
    enum xd_status st = check_fit(o, id);
    return st == XD_OK ? xd_x12_writer_segment(o->w, id, o->vals, o->n, o->err) : st;
}

const void *xd_x12__out_scope(const struct xd_x12__out *o, uint8_t scope)
{
    if (scope < XD_X12__SC_DYNAMIC) {
        return o->obj[scope];
    }
    size_t i = (size_t)scope - XD_X12__SC_DYNAMIC;
    if (scope >= XD_X12__SC_MAX || i >= o->spec->nscopes) {
        return NULL;
    }
    const struct xd_x12__scope *s = &o->spec->scopes[i];
    const char *parent = xd_x12__out_scope(o, s->parent);
    return parent ? *(const void *const *)(parent + s->off) : NULL;
}

static enum xd_status no_code(struct xd_x12__out *o, uint8_t list, const char *v)
{
    const char *l = xd_x12__list_name((enum xd_x12__list)list);
    return xd_error_set(o->err, XD_EINVAL, "%s '%s' has no X12 code (map: codes.%s.%s)", l, v, l,
                        v);
}

/* "YYYY-MM-DD" -> "YYYYMMDD" */
static void date8(const char *s, char *out)
{
    size_t n = 0;
    for (size_t i = 0; s[i] && n < 8; i++) {
        if (s[i] != '-') {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
}

static enum xd_status scalar_text(struct xd_x12__out *o, const char *at, uint8_t conv, uint8_t list,
                                  char *buf, size_t cap)
{
    const char *s = *(const char *const *)at;
    struct xd_decimal d;
    switch ((enum xd_x12__conv)conv) {
    case XD_X12__CV_DEC:
        xd_decimal_format(*(const struct xd_decimal *)at, buf, cap);
        return XD_OK;
    case XD_X12__CV_N2:
        if (xd_decimal_rescale(*(const struct xd_decimal *)at, 2, XD_ROUND_HALF_UP, &d) != XD_OK) {
            return xd_error_set(o->err, XD_EINVAL, "an amount does not fit an N2 element");
        }
        snprintf(buf, cap, "%lld", (long long)d.units);
        return XD_OK;
    case XD_X12__CV_INT:
        snprintf(buf, cap, "%lld", (long long)*(const int64_t *)at);
        return XD_OK;
    case XD_X12__CV_BOOL:
        snprintf(buf, cap, "%s", *(const bool *)at ? "Y" : "N");
        return XD_OK;
    case XD_X12__CV_DATE:
        date8(s, buf);
        return XD_OK;
    case XD_X12__CV_CODE: {
        const char *c = xd_x12__codes_out(o->codes, (enum xd_x12__list)list, s);
        if (c == NULL) {
            return no_code(o, list, s);
        }
        snprintf(buf, cap, "%s", c);
        return XD_OK;
    }
    case XD_X12__CV_UOM:
        snprintf(buf, cap, "%s", xd_x12__map_uom_out(o->map, o->spec->type, s));
        return XD_OK;
    default:
        snprintf(buf, cap, "%s", s);
        return XD_OK;
    }
}

static bool scalar_present(const char *obj, uint16_t off, uint16_t has, uint8_t conv)
{
    switch ((enum xd_x12__conv)conv) {
    case XD_X12__CV_DEC:
    case XD_X12__CV_N2:
    case XD_X12__CV_INT:
    case XD_X12__CV_BOOL:
        return has == 0 || *(const bool *)(obj + has);
    default:
        return *(const char *const *)(obj + off) != NULL;
    }
}

enum xd_status xd_x12__out_member(struct xd_x12__out *o, unsigned el, const void *obj, uint16_t off,
                                  uint16_t has, uint8_t conv, uint8_t list, bool *present)
{
    *present = obj != NULL && scalar_present(obj, off, has, conv);
    if (!*present || el == 0 || el > XD_X12__OUT_VALUES) {
        return XD_OK;
    }
    const char *at = (const char *)obj + off;
    if (conv == XD_X12__CV_STR || conv == XD_X12__CV_TEXT) {
        xd_x12__out_set(o, el, xd_slice_from_cstr(*(const char *const *)at));
        return XD_OK;
    }
    enum xd_status st = scalar_text(o, at, conv, list, o->text[el - 1], XD_X12__OUT_TEXT);
    if (st == XD_OK) {
        xd_x12__out_set(o, el, xd_slice_from_cstr(o->text[el - 1]));
    }
    return st;
}

size_t xd_x12__out_bind(struct xd_x12__out *o, const void *obj, const struct xd_x12__bind *b,
                        size_t n)
{
    size_t present = 0;
    for (size_t i = 0; i < n; i++) {
        if (b[i].conv == XD_X12__CV_FIXED) {
            continue;
        }
        bool here = false;
        if (xd_x12__out_member(o, b[i].el, obj, b[i].off, b[i].has, b[i].conv, b[i].list, &here) !=
            XD_OK) {
            return SIZE_MAX;
        }
        present += here;
        const char *fill = b[i].fixed != NULL ? b[i].fixed : b[i].dflt;
        if (!here && fill != NULL) {
            xd_x12__out_set(o, b[i].el, xd_slice_from_cstr(fill));
        }
    }
    for (size_t i = 0; i < n; i++) {
        bool when = b[i].when == 0 || (b[i].when <= o->n && o->vals[b[i].when - 1].len > 0);
        if (b[i].conv == XD_X12__CV_FIXED && when) {
            xd_x12__out_set(o, b[i].el, xd_slice_from_cstr(b[i].fixed));
        }
    }
    return present;
}

/* The qualifier written for a GTIN: the map's code whose usual length matches. */
static const char *gtin_code(const char *const *codes, size_t n, const char *v)
{
    static const struct {
        const char *code;
        size_t len;
    } kinds[] = {{"UK", 14}, {"EN", 13}, {"UP", 12}, {"UA", 12}, {"EO", 8}};
    size_t len = strlen(v);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < XD_ARRAY_LEN(kinds); k++) {
            if (strcmp(codes[i], kinds[k].code) == 0 && kinds[k].len == len) {
                return codes[i];
            }
        }
    }
    return codes[0];
}

unsigned xd_x12__out_item_ids(struct xd_x12__out *o, const void *obj, unsigned first,
                              const struct xd_x12__member *members, size_t n)
{
    unsigned el = first;
    for (size_t i = 0; i < n && el + 1 <= XD_X12__OUT_VALUES; i++) {
        const char *v = *(const char *const *)((const char *)obj + members[i].off);
        const char *const *codes = NULL;
        size_t nc =
            xd_x12__map_codes(o->map, o->spec->type, XD_X12__CAT_ITEM_IDS, members[i].name, &codes);
        if (v == NULL || nc == 0) {
            continue;
        }
        bool gtin = strcmp(members[i].name, "gtin") == 0;
        xd_x12__out_set(o, el, xd_slice_from_cstr(gtin ? gtin_code(codes, nc, v) : codes[0]));
        xd_x12__out_set(o, el + 1, xd_slice_from_cstr(v));
        el += 2;
    }
    return el;
}

void xd_x12__out_item_pairs(struct xd_x12__out *o, const void *obj, const uint8_t *pos,
                            const struct xd_x12__member *members, size_t n)
{
    for (size_t i = 0; i < n && *pos != 0; i++) {
        if (xd_x12__out_item_ids(o, obj, *pos, &members[i], 1) > *pos) {
            pos++;
        }
    }
}

/* ---- Steps --------------------------------------------------------------------------------- */

enum xd_status xd_x12__out_steps(struct xd_x12__out *o, const struct xd_x12__step *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        enum xd_status st = s[i].fn != NULL ? s[i].fn(o, &s[i]) : xd_x12__w_seg(o, &s[i]);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

enum xd_status xd_x12__w_seg(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const void *obj = xd_x12__out_scope(o, s->scope);
    if (obj == NULL && !s->required) {
        return XD_OK;
    }
    xd_x12__out_begin(o);
    size_t present = xd_x12__out_bind(o, obj, s->binds, s->nbinds);
    if (present == SIZE_MAX) {
        return XD_EINVAL;
    }
    if (s->ids_from > 0 && obj != NULL) {
        unsigned end = xd_x12__out_item_ids(o, obj, s->ids_from, s->members, s->nmembers);
        present += end > s->ids_from;
    }
    if (present == 0 && !s->required) {
        return XD_OK;
    }
    return xd_x12__out_write(o, s->seg);
}

enum xd_status xd_x12__w_lines(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_x12__each *e = s->arg;
    const char *owner = xd_x12__out_scope(o, s->scope);
    if (owner == NULL) {
        return XD_OK;
    }
    size_t count = *(const size_t *)(owner + e->count_off);
    const char *items = *(const char *const *)(owner + e->arr_off);
    for (size_t i = 0; i < count; i++) {
        o->obj[e->scope] = items + i * e->size;
        enum xd_status st = xd_x12__out_steps(o, e->steps, e->nsteps);
        if (st != XD_OK) {
            return st;
        }
    }
    o->obj[e->scope] = NULL;
    return XD_OK;
}

/* The first map code of <member> in <cat>, NULL when none. */
static const char *first_code(const struct xd_x12__out *o, enum xd_x12__map_cat cat,
                              const char *member)
{
    const char *const *codes = NULL;
    return xd_x12__map_codes(o->map, o->spec->type, cat, member, &codes) > 0 ? codes[0] : NULL;
}

/* One REF/N9: qualifier, value, description. */
static enum xd_status put_ref(struct xd_x12__out *o, const char *seg, const char *q,
                              struct xd_slice v, const char *desc)
{
    xd_x12__out_begin(o);
    xd_x12__out_set(o, 1, xd_slice_from_cstr(q));
    xd_x12__out_set(o, 2, v);
    if (desc != NULL) {
        xd_x12__out_set(o, 3, xd_slice_from_cstr(desc));
    }
    return xd_x12__out_write(o, seg);
}

/* "pack_kind" -> "PACK_KIND" */
static const char *label_of(const char *name, char *buf, size_t cap)
{
    size_t n = 0;
    for (; name[n] && n + 1 < cap; n++) {
        buf[n] = name[n] >= 'a' && name[n] <= 'z' ? (char)(name[n] - 'a' + 'A') : name[n];
    }
    buf[n] = '\0';
    return buf;
}

/* A member as REF/N9 segments: its map qualifier (or, without one, a label); STRINGS give
 * one segment each; a member with <el> rides in the segment of the member before it. */
static enum xd_status ref_member(struct xd_x12__out *o, const struct xd_x12__step *s,
                                 const void *obj, size_t i)
{
    const struct xd_x12__member *m = &s->members[i];
    if (m->scope != XD_X12__SC_SAME) {
        obj = xd_x12__out_scope(o, m->scope);
    }
    if (obj == NULL || m->el != 0 || m->conv == XD_X12__CV_TEXT) {
        return XD_OK; /* <el> members ride with the one before; text has its own writer */
    }
    const char *q = first_code(o, XD_X12__CAT_REFERENCES, m->name);
    char label[48];
    const char *desc = q == NULL ? label_of(m->name, label, sizeof label) : NULL;
    if (m->conv == XD_X12__CV_STRINGS) {
        const char *const *arr = *(const char *const *const *)((const char *)obj + m->off);
        size_t n = *(const size_t *)((const char *)obj + m->has);
        for (size_t k = 0; k < n; k++) {
            enum xd_status st = put_ref(o, s->seg, q ? q : "ZZ", xd_slice_from_cstr(arr[k]), desc);
            if (st != XD_OK) {
                return st;
            }
        }
        return XD_OK;
    }
    xd_x12__out_begin(o);
    bool here = false;
    uint8_t conv = m->conv == XD_X12__CV_CODE && q == NULL ? XD_X12__CV_STR : m->conv;
    enum xd_status st = xd_x12__out_member(o, 2, obj, m->off, m->has, conv, m->list, &here);
    for (size_t k = i + 1; st == XD_OK && here && k < s->nmembers && s->members[k].el != 0; k++) {
        bool h2;
        st = xd_x12__out_member(o, s->members[k].el, obj, s->members[k].off, s->members[k].has,
                                s->members[k].conv, s->members[k].list, &h2);
    }
    if (st != XD_OK || !here) {
        return st;
    }
    xd_x12__out_set(o, 1, xd_slice_from_cstr(q ? q : "ZZ"));
    if (desc != NULL) {
        xd_x12__out_set(o, 3, xd_slice_from_cstr(desc));
    }
    return xd_x12__out_write(o, s->seg);
}

enum xd_status xd_x12__w_refs(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const char *obj = xd_x12__out_scope(o, s->scope);
    if (obj == NULL) {
        return XD_OK;
    }
    for (size_t i = 0; i < s->nmembers; i++) {
        enum xd_status st = ref_member(o, s, obj, i);
        if (st != XD_OK) {
            return st;
        }
    }
    const struct xd_x12__refs *a = s->arg;
    if (a == NULL) {
        return XD_OK;
    }
    size_t n = *(const size_t *)(obj + a->count_off);
    const struct xd_canon_reference *refs =
        *(const struct xd_canon_reference *const *)(obj + a->arr_off);
    for (size_t k = 0; k < n; k++) {
        enum xd_status st = put_ref(o, s->seg, refs[k].qualifier, xd_slice_from_cstr(refs[k].value),
                                    refs[k].description);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

bool xd_x12__out_datetime(struct xd_x12__out *o, const char *rfc3339, char date[9], char time[7],
                          const char **zone)
{
    int64_t ms;
    size_t len = strlen(rfc3339);
    if (xd_time_parse(rfc3339, len, &ms) != XD_OK) {
        return false;
    }
    /* the offset as written: "Z", or the last six characters "+hh:mm" */
    int offset = 0;
    if (rfc3339[len - 1] != 'Z' && len >= 6) {
        const char *z = rfc3339 + len - 6;
        offset = ((z[1] - '0') * 10 + (z[2] - '0')) * 60 + (z[4] - '0') * 10 + (z[5] - '0');
        offset = z[0] == '-' ? -offset : offset;
    }
    *zone = xd_x12__time_code_of(offset);
    if (*zone == NULL) {
        offset = xd_x12__map_time_offset(o->map); /* no code: the partner's own offset */
    }
    char utc[XD_TIME_STR_MAX];
    xd_time_format(ms + (int64_t)offset * 60000, utc, sizeof utc);
    snprintf(date, 9, "%.4s%.2s%.2s", utc, utc + 5, utc + 8);
    bool seconds = utc[17] != '0' || utc[18] != '0';
    snprintf(time, 7, "%.2s%.2s%.2s", utc + 11, utc + 14, seconds ? utc + 17 : "");
    return true;
}

/* DTM*qual*date[*time*code] or G62*qual*date[*8*time*code] per present date member. */
enum xd_status xd_x12__w_dtms(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    bool g62 = strcmp(s->seg, "G62") == 0;
    for (size_t i = 0; i < s->nmembers; i++) {
        const struct xd_x12__member *m = &s->members[i];
        const char *obj = xd_x12__out_scope(o, m->scope ? m->scope : s->scope);
        const char *v = obj ? *(const char *const *)(obj + m->off) : NULL;
        char key[64];
        snprintf(key, sizeof key, "%s%s", m->name, g62 ? ".g62" : "");
        const char *q = first_code(o, XD_X12__CAT_DATES, key);
        if (v == NULL || q == NULL) {
            continue;
        }
        char date[9], time[7] = "";
        const char *zone = NULL;
        if (m->conv == XD_X12__CV_DATETIME && !xd_x12__out_datetime(o, v, date, time, &zone)) {
            return xd_error_set(o->err, XD_EINVAL, "%s '%s' is not an RFC 3339 time", m->name, v);
        }
        if (m->conv != XD_X12__CV_DATETIME) {
            date8(v, date);
        }
        xd_x12__out_begin(o);
        xd_x12__out_setf(o, 1, q);
        xd_x12__out_setf(o, 2, date);
        if (time[0]) {
            xd_x12__out_setf(o, g62 ? 4 : 3, time);
            xd_x12__out_setf(o, g62 ? 5 : 4, zone ? zone : "");
            if (g62) {
                xd_x12__out_setf(o, 3, "8");
            }
        }
        enum xd_status st = xd_x12__out_write(o, s->seg);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

/* Split <text> into pieces of at most <max> bytes at blanks (the blank dropped: the reader
 * joins pieces with one). */
static enum xd_status put_pieces(struct xd_x12__out *o, const char *seg, const char *q, unsigned el,
                                 const char *text, size_t max)
{
    size_t len = strlen(text), at = 0;
    while (at < len) {
        size_t n = len - at <= max ? len - at : max;
        if (at + n < len) {
            size_t cut = n;
            while (cut > 0 && text[at + cut] != ' ') {
                cut--;
            }
            n = cut > 0 ? cut : n;
        }
        xd_x12__out_begin(o);
        xd_x12__out_set(o, 1, xd_slice_from_cstr(q));
        xd_x12__out_set(o, el, (struct xd_slice){text + at, n});
        enum xd_status st = xd_x12__out_write(o, seg);
        if (st != XD_OK) {
            return st;
        }
        at += n;
        at += at < len && text[at] == ' ';
    }
    return XD_OK;
}

/* A text member: N9*q*NOTE + MSG (step seg "N9"), N9*q**piece... ("N9D", 45 at a time in
 * N903), or NTE*q*piece... ("NTE", 80 at a time); q is the map's reference code (NTE: the
 * step's first binding's fixed code). */
enum xd_status xd_x12__w_note(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const char *obj = xd_x12__out_scope(o, s->scope);
    const char *text =
        obj && s->nmembers > 0 ? *(const char *const *)(obj + s->members[0].off) : NULL;
    if (text == NULL) {
        return XD_OK;
    }
    if (strcmp(s->seg, "NTE") == 0) {
        return put_pieces(o, "NTE", s->arg ? (const char *)s->arg : "GEN", 2, text, CHUNK_NTE);
    }
    const char *q = first_code(o, XD_X12__CAT_REFERENCES, s->members[0].name);
    if (q == NULL) {
        return xd_error_set(o->err, XD_EINVAL, "no reference qualifier for %s in the map",
                            s->members[0].name);
    }
    if (strcmp(s->seg, "N9D") == 0) {
        return put_pieces(o, "N9", q, 3, text, CHUNK_N9);
    }
    xd_x12__out_begin(o);
    xd_x12__out_set(o, 1, xd_slice_from_cstr(q));
    xd_x12__out_set(o, 2, XD_SLICE_LIT("NOTE"));
    enum xd_status st = xd_x12__out_write(o, "N9");
    if (st == XD_OK) {
        xd_x12__out_begin(o);
        xd_x12__out_set(o, 1, xd_slice_from_cstr(text));
        st = xd_x12__out_write(o, "MSG");
    }
    return st;
}

/* ---- N1 loops ------------------------------------------------------------------------------ */

struct idpick {
    const char *q, *v;
};

/* N103/N104: the first of GLN, D-U-N-S, assigned ID; else a cross-reference of the hub IDs. */
static struct idpick primary_id(const struct xd_x12__out *o, const struct xd_canon_party_ref *p)
{
    struct idpick id = {NULL, NULL};
    if (p->gln != NULL) {
        id = (struct idpick){"UL", p->gln};
    } else if (p->duns != NULL) {
        id = (struct idpick){strlen(p->duns) == 9 ? "1" : "9", p->duns};
    } else if (p->assigned_id != NULL) {
        id = (struct idpick){xd_x12__map_assigned_qualifier(o->map), p->assigned_id};
    } else if (p->party_id != NULL &&
               xd_x12__map_xref_code(o->map, false, p->party_id, &id.q, &id.v)) {
        return id;
    } else if (p->location_id != NULL) {
        (void)xd_x12__map_xref_code(o->map, true, p->location_id, &id.q, &id.v);
    }
    return id;
}

static enum xd_status put_n1(struct xd_x12__out *o, const char *code, const char *name,
                             struct idpick id)
{
    xd_x12__out_begin(o);
    xd_x12__out_set(o, 1, xd_slice_from_cstr(code));
    if (name != NULL) {
        xd_x12__out_set(o, 2, xd_slice_from_cstr(name));
    }
    if (id.q != NULL && id.v != NULL) {
        xd_x12__out_set(o, 3, xd_slice_from_cstr(id.q));
        xd_x12__out_set(o, 4, xd_slice_from_cstr(id.v));
    }
    return xd_x12__out_write(o, "N1");
}

static enum xd_status put_address(struct xd_x12__out *o, const struct xd_canon_address *a)
{
    enum xd_status st = XD_OK;
    if (a->name != NULL) {
        xd_x12__out_begin(o);
        xd_x12__out_set(o, 1, xd_slice_from_cstr(a->name));
        st = xd_x12__out_write(o, "N2");
    }
    if (st == XD_OK) {
        xd_x12__out_begin(o);
        xd_x12__out_set(o, 1, xd_slice_from_cstr(a->line1));
        xd_x12__out_set(o, 2, xd_slice_from_cstr(a->line2));
        st = xd_x12__out_write(o, "N3");
    }
    if (st == XD_OK) {
        xd_x12__out_begin(o);
        xd_x12__out_set(o, 1, xd_slice_from_cstr(a->city));
        xd_x12__out_set(o, 2, xd_slice_from_cstr(a->region));
        xd_x12__out_set(o, 3, xd_slice_from_cstr(a->postal_code));
        xd_x12__out_set(o, 4, xd_slice_from_cstr(a->country));
        st = xd_x12__out_write(o, "N4");
    }
    return st;
}

static enum xd_status put_contact(struct xd_x12__out *o, const struct xd_canon_contact *c)
{
    const char *role =
        c->role ? xd_x12__codes_out(o->codes, XD_X12__L_CONTACT_ROLE, c->role) : "CN";
    if (role == NULL) {
        return no_code(o, XD_X12__L_CONTACT_ROLE, c->role);
    }
    xd_x12__out_begin(o);
    xd_x12__out_set(o, 1, xd_slice_from_cstr(role));
    xd_x12__out_set(o, 2, xd_slice_from_cstr(c->name));
    unsigned el = 3;
    if (c->phone != NULL) {
        xd_x12__out_set(o, el++, XD_SLICE_LIT("TE"));
        xd_x12__out_set(o, el++, xd_slice_from_cstr(c->phone));
    }
    if (c->email != NULL) {
        xd_x12__out_set(o, el++, XD_SLICE_LIT("EM"));
        xd_x12__out_set(o, el, xd_slice_from_cstr(c->email));
    }
    return xd_x12__out_write(o, "PER");
}

/* Identifiers N1 does not hold, as labelled references (docs/x12.md). */
static enum xd_status put_labels(struct xd_x12__out *o, const struct xd_canon_party_ref *p,
                                 struct idpick id, const char *doc_location)
{
    const struct {
        const char *v, *label;
        bool hub;
    } ids[] = {{p->gln, "GLN", false},
               {p->duns, "DUNS", false},
               {p->assigned_id, "ASSIGNED", false},
               {p->party_id, "PARTY", true},
               {p->location_id, doc_location ? "PARTY_LOCATION" : "LOCATION", true},
               {doc_location, "LOCATION", true}};
    for (size_t i = 0; i < XD_ARRAY_LEN(ids); i++) {
        if (ids[i].v == NULL || ids[i].v == id.v || (ids[i].hub && !xd_x12__map_hub_ids(o->map))) {
            continue;
        }
        enum xd_status st = put_ref(o, "REF", "ZZ", xd_slice_from_cstr(ids[i].v), ids[i].label);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

static enum xd_status put_party(struct xd_x12__out *o, const char *code,
                                const struct xd_canon_party_ref *p, const char *doc_location,
                                const struct xd_x12__party_list *l)
{
    struct idpick id = primary_id(o, p);
    enum xd_status st = put_n1(o, code, p->name, id);
    if (st == XD_OK && p->address != NULL) {
        st = put_address(o, p->address);
    }
    if (st == XD_OK && l->refs) {
        st = put_labels(o, p, id, doc_location);
    }
    if (st == XD_OK && l->per && p->contact != NULL) {
        st = put_contact(o, p->contact);
    }
    return st;
}

/* A location_id member whose N1 is written by a party of the same entity code. */
static const char *location_for(const struct xd_x12__out *o, const struct xd_x12__party_list *l,
                                const char *obj, const char *code)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *c = first_code(o, XD_X12__CAT_PARTIES, l->parties[i].name);
        if (l->parties[i].conv == XD_X12__CV_STR && c != NULL && strcmp(c, code) == 0) {
            return *(const char *const *)(obj + l->parties[i].off);
        }
    }
    return NULL;
}

static bool has_party(const struct xd_x12__out *o, const struct xd_x12__party_list *l,
                      const char *obj, const char *code)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *c = first_code(o, XD_X12__CAT_PARTIES, l->parties[i].name);
        if (l->parties[i].conv != XD_X12__CV_STR && c != NULL && strcmp(c, code) == 0 &&
            *(const void *const *)(obj + l->parties[i].off) != NULL) {
            return true;
        }
    }
    return false;
}

static enum xd_status put_member_party(struct xd_x12__out *o, const struct xd_x12__party_list *l,
                                       const char *obj, const struct xd_x12__member *m)
{
    const char *code = first_code(o, XD_X12__CAT_PARTIES, m->name);
    const void *v = *(const void *const *)(obj + m->off);
    if (v == NULL) {
        return XD_OK;
    }
    if (code == NULL) {
        return xd_error_set(o->err, XD_EINVAL, "no N1 entity code for %s in the map", m->name);
    }
    if (m->conv == XD_X12__CV_CARRIER) {
        const struct xd_canon_carrier *c = v;
        return put_n1(o, code, c->name, (struct idpick){"2", c->scac});
    }
    if (m->conv != XD_X12__CV_STR) {
        return put_party(o, code, v, location_for(o, l, obj, code), l);
    }
    if (has_party(o, l, obj, code)) {
        return XD_OK; /* written as a label of that party's N1 loop */
    }
    const char *loc = v;
    struct idpick id = {xd_x12__map_assigned_qualifier(o->map), loc};
    (void)xd_x12__map_xref_code(o->map, true, loc, &id.q, &id.v);
    enum xd_status st = put_n1(o, code, NULL, id);
    if (st == XD_OK && l->refs && xd_x12__map_hub_ids(o->map) && id.v != loc) {
        st = put_ref(o, "REF", "ZZ", xd_slice_from_cstr(loc), "LOCATION");
    }
    return st;
}

enum xd_status xd_x12__w_parties(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_x12__party_list *l = s->arg;
    const char *obj = xd_x12__out_scope(o, s->scope);
    for (size_t i = 0; obj != NULL && i < l->n; i++) {
        enum xd_status st = put_member_party(o, l, obj, &l->parties[i]);
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

/* ---- The renderer -------------------------------------------------------------------------- */

enum xd_status xd_x12_renderer_create(struct xd_x12_writer *w, const struct xd_x12_map *map,
                                      const struct xd_x12_render_options *opt,
                                      struct xd_x12_renderer **out)
{
    struct xd_x12_renderer *rd = xd_calloc(1, sizeof *rd);
    if (rd == NULL) {
        return XD_ENOMEM;
    }
    if (map == NULL && xd_x12_map_create(NULL, &rd->own_map, NULL) != XD_OK) {
        xd_free(rd);
        return XD_ENOMEM;
    }
    rd->w = w;
    rd->map = map ? map : rd->own_map;
    snprintf(rd->version, sizeof rd->version, "%s", opt && opt->version ? opt->version : "004010");
    const char *snd, *rcv;
    xd_x12__writer_ids(w, &snd, &rcv);
    rd->app_sender = opt && opt->app_sender ? opt->app_sender : snd;
    rd->app_receiver = opt && opt->app_receiver ? opt->app_receiver : rcv;
    rd->gs = opt && opt->group_control ? opt->group_control : 1;
    rd->st = opt && opt->set_control ? opt->set_control : 1;
    *out = rd;
    return XD_OK;
}

void xd_x12_renderer_destroy(struct xd_x12_renderer *rd)
{
    if (rd == NULL) {
        return;
    }
    xd_x12_map_destroy(rd->own_map);
    xd_free(rd);
}

enum xd_status xd_x12_renderer_finish(struct xd_x12_renderer *rd, struct xd_error *err)
{
    if (!rd->in_group) {
        return XD_OK;
    }
    rd->in_group = false;
    return xd_x12_writer_group_end(rd->w, err);
}

static enum xd_status open_group(struct xd_x12_renderer *rd, const char *group,
                                 struct xd_error *err)
{
    if (rd->in_group && strcmp(rd->group, group) == 0) {
        return XD_OK;
    }
    enum xd_status st = xd_x12_renderer_finish(rd, err);
    if (st == XD_OK) {
        st = xd_x12_writer_group_begin(rd->w, group, rd->app_sender, rd->app_receiver, rd->gs,
                                       rd->version, err);
    }
    if (st == XD_OK) {
        snprintf(rd->group, sizeof rd->group, "%s", group);
        rd->in_group = true;
        rd->gs++;
    }
    return st;
}

static enum xd_status write_set(struct xd_x12_renderer *rd, const struct xd_x12__tspec *spec,
                                const struct xd_x12__codes *codes, const struct xd_canon_doc *doc,
                                struct xd_error *err);

enum xd_status xd_x12_render(struct xd_x12_renderer *rd, const struct xd_canon_doc *doc,
                             struct xd_error *err)
{
    struct xd_diags diags;
    xd_diags_init(&diags, 1);
    enum xd_status valid = xd_canon_validate(doc, &diags);
    if (valid != XD_OK) {
        enum xd_status st =
            xd_error_set(err, valid, "not a valid %s: %s: %s", xd_canon_type_name(doc->type),
                         diags.count ? diags.items[0].path : "",
                         diags.count ? diags.items[0].message : xd_strerror(valid));
        xd_diags_cleanup(&diags);
        return st;
    }
    xd_diags_cleanup(&diags);
    const struct xd_x12__tspec *spec = xd_x12__tspec_for_doc(doc);
    if (spec == NULL || spec->steps == NULL) {
        return xd_error_set(err, XD_EUNSUPPORTED, "no outbound X12 set for a %s",
                            xd_canon_type_name(doc->type));
    }
    const struct xd_x12__codes *codes = NULL;
    if (xd_x12__map_code_lists(rd->map, doc->type, &codes) != XD_OK) {
        return XD_ENOMEM;
    }
    /* A document refused halfway is taken back whole: the interchange stays as it was. */
    struct xd_x12__writer_mark mark;
    xd_x12__writer_mark(rd->w, &mark);
    struct xd_x12_renderer saved = *rd;
    enum xd_status st = open_group(rd, spec->group, err);
    if (st == XD_OK) {
        st = xd_x12_writer_set_begin(rd->w, spec->set_id, rd->st++, NULL, err);
    }
    if (st == XD_OK) {
        st = write_set(rd, spec, codes, doc, err);
    }
    if (st != XD_OK) {
        xd_x12__writer_rewind(rd->w, &mark);
        rd->in_group = saved.in_group;
        memcpy(rd->group, saved.group, sizeof rd->group);
        rd->gs = saved.gs;
        rd->st = saved.st;
    }
    return st;
}

static enum xd_status write_set(struct xd_x12_renderer *rd, const struct xd_x12__tspec *spec,
                                const struct xd_x12__codes *codes, const struct xd_canon_doc *doc,
                                struct xd_error *err)
{
    struct xd_x12__out *o = &rd->out;
    memset(o->obj, 0, sizeof o->obj);
    o->map = rd->map;
    o->codes = codes;
    o->spec = spec;
    o->doc = doc;
    o->w = rd->w;
    o->delims = xd_x12__writer_delims(rd->w);
    o->err = err;
    o->hl = 0;
    o->v5 = strncmp(rd->version, "005010", 6) >= 0;
    o->obj[XD_X12__SC_ROOT] = doc->body;
    enum xd_status st = xd_x12__out_steps(o, spec->steps, spec->nsteps);
    return st == XD_OK ? xd_x12_writer_set_end(rd->w, err) : st;
}
