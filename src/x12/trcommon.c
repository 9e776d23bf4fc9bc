/* SPDX-License-Identifier: MIT
 * Inbound handlers shared by the transaction sets: plain bindings, lines, N1 loops (party,
 * address, contact, identifiers and cross-references), REF/N9 references and labelled
 * members, DTM/G62 dates, notes (MSG, NTE), item ID qualifier pairs. Which qualifier selects
 * which member comes from the map; the candidate members from the rule. */
#include <stdio.h>
#include <string.h>

#include "x12/x12_tr.h"

/* Labels of REF*ZZ / N9*ZZ references that carry identifiers X12 has no element for
 * (docs/x12.md, "Labelled references"). */
#define LABEL_PARTY    "PARTY"
#define LABEL_LOCATION "LOCATION"

/* Country codes partners write as ISO 3166 alpha-3. */
static const struct {
    const char *alpha3, *alpha2;
} countries[] = {{"USA", "US"}, {"CAN", "CA"}, {"MEX", "MX"}, {"GBR", "GB"}, {"DEU", "DE"},
                 {"FRA", "FR"}, {"CHN", "CN"}, {"JPN", "JP"}, {"NLD", "NL"}, {"ITA", "IT"}};

#define DEFAULT_COUNTRY "US" /* N404 is omitted for domestic addresses */

void xd_x12__h_bind(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                    const struct xd_x12__rule *r)
{
    xd_x12__tr_bind_scope(t, r->scope, r->binds, r->nbinds, seg);
}

size_t xd_x12__tr_map_codes(struct xd_x12__tr *t, enum xd_x12__map_cat cat, const char *member,
                            bool g62, const char *const **codes)
{
    uintptr_t h = (uintptr_t)member;
    h = (h >> 3) ^ (h >> 9) ^ (uintptr_t)cat * 7 ^ (uintptr_t)g62 * 13;
    struct xd_x12__tr_memo *e = &t->memo[h & (XD_X12__TR_MEMO - 1)];
    if (e->member == member && e->cat == (uint8_t)cat && e->type == (uint8_t)t->spec->type &&
        e->g62 == (uint8_t)g62) {
        *codes = e->codes;
        return e->n;
    }
    char key[64];
    const char *name = member;
    if (g62) {
        size_t kn = strlen(member);
        if (kn + sizeof ".g62" > sizeof key) {
            *codes = NULL;
            return 0; /* no member name is this long */
        }
        memcpy(key, member, kn);
        memcpy(key + kn, ".g62", sizeof ".g62");
        name = key;
    }
    size_t n = xd_x12__map_codes(t->map, t->spec->type, cat, name, codes);
    *e = (struct xd_x12__tr_memo){member,      *codes, n, (uint8_t)cat, (uint8_t)t->spec->type,
                                  (uint8_t)g62};
    return n;
}

/* <code> is one of codes[0..n-1] (xd_slice_eq_cstr without a strlen per code). */
static bool code_listed(struct xd_slice code, const char *const *codes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *c = codes[i];
        size_t k = 0;
        while (k < code.len && c[k] != '\0' && c[k] == code.p[k]) {
            k++;
        }
        if (k == code.len && c[k] == '\0') {
            return true;
        }
    }
    return false;
}

/* Does the map give <code> for <member> in <cat>? */
static bool map_has(struct xd_x12__tr *t, enum xd_x12__map_cat cat, const char *member,
                    struct xd_slice code)
{
    const char *const *codes = NULL;
    size_t n = xd_x12__tr_map_codes(t, cat, member, false, &codes);
    return code_listed(code, codes, n);
}

/* An item ID no member took: a GTIN that is not one (length, check digit), or an ID under a
 * qualifier the map gives no member (N4, a National Drug Code, by default). The first is kept
 * aside until the line's other IDs are known. */
struct spare_id {
    struct xd_slice id, qualifier;
    unsigned el;
    bool bad_gtin;
};

/* Which of <members> the map gives qualifier <q>, bit i for members[i] (the lists are table
 * constants of four to six members; one past 32 would never be given one): remembered per
 * (members, qualifier, document type), since the lines of a set, and the sets, repeat their
 * qualifiers. */
static uint32_t qualifier_members(struct xd_x12__tr *t, const struct xd_x12__member *members,
                                  size_t n, struct xd_slice q)
{
    uint32_t code = 0;
    for (size_t i = 0; i < q.len && i < 4; i++) {
        code |= (uint32_t)(unsigned char)q.p[i] << (8 * i);
    }
    uintptr_t h = ((uintptr_t)members >> 4) ^ code ^ (code >> 13);
    struct xd_x12__tr_qual *e = &t->qual_memo[h % XD_X12__TR_QUAL_MEMO];
    bool memo = q.len <= 4 && n <= 32;
    if (memo && e->members == members && e->code == code && e->len == q.len &&
        e->type == t->spec->type) {
        return e->mask;
    }
    uint32_t mask = 0;
    for (size_t i = 0; i < n && i < 32; i++) {
        if (map_has(t, XD_X12__CAT_ITEM_IDS, members[i].name, q)) {
            mask |= UINT32_C(1) << i;
        }
    }
    if (memo) {
        *e = (struct xd_x12__tr_qual){members, code, mask, (uint8_t)q.len, (uint8_t)t->spec->type};
    }
    return mask;
}

/* The pair at element <el>: the first candidate whose map qualifiers hold it gets the ID. A
 * GTIN that is not one is never a gtin (matching items on a wrong GTIN is worse than on the
 * other IDs of the line); it and an ID no member takes may become the spare. */
static void item_pair(struct xd_x12__tr *t, void *obj, const struct xd_x12_segment *seg,
                      unsigned el, const struct xd_x12__member *members, size_t n,
                      struct spare_id *spare)
{
    struct xd_slice q = xd_x12__tr_elem(seg, el, 0), id = xd_x12__tr_elem(seg, el + 1, 0);
    if (q.len == 0 || id.len == 0) {
        return;
    }
    uint32_t given = qualifier_members(t, members, n, q);
    bool known = given != 0; /* the map gives the qualifier to some member */
    for (; given != 0; given &= given - 1) {
        size_t i = (size_t)__builtin_ctz(given);
        const char **at = (const char **)((char *)obj + members[i].off);
        if (*at != NULL) {
            continue;
        }
        if (strcmp(members[i].name, "gtin") == 0 && !xd_x12__gs1_ok(id)) {
            if (spare->id.len == 0) {
                *spare = (struct spare_id){id, q, el + 1, true};
            } else {
                xd_x12__tr_warn(t, el + 1,
                                "'%.*s' is not a GTIN (length, check digit): left out, the "
                                "line has another item ID",
                                (int)id.len, id.p);
            }
            return;
        }
        *at = xd_x12__tr_strdup(t, id);
        return;
    }
    if (!known && spare->id.len == 0) {
        *spare = (struct spare_id){id, q, el + 1, false};
    }
}

/* The member of <obj> called <name> among the candidates, or NULL. */
static const char **member_slot(void *obj, const struct xd_x12__member *members, size_t n,
                                const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(members[i].name, name) == 0) {
            return (const char **)((char *)obj + members[i].off);
        }
    }
    return NULL;
}

/* A line must name its item. When no ID the line carries made a member, the spare is kept as
 * the supplier's part number (a code on the goods is the supplier's, and a person can match
 * it), with a warning; otherwise a wrong GTIN is left out with a warning and an ID no member
 * takes is left out as before (the canonical line has no place for it). */
static void settle_spare(struct xd_x12__tr *t, void *obj, const struct xd_x12__member *members,
                         size_t n, const struct spare_id *spare)
{
    if (spare->id.len == 0) {
        return;
    }
    static const char *const ids[] = {"sku", "vendor_part", "buyer_part", "gtin"};
    bool named = false;
    for (size_t i = 0; i < XD_ARRAY_LEN(ids); i++) {
        const char **at = member_slot(obj, members, n, ids[i]);
        named = named || (at != NULL && *at != NULL);
    }
    const char **vendor_part = member_slot(obj, members, n, "vendor_part");
    int len = (int)spare->id.len, qlen = (int)spare->qualifier.len;
    if (!named && vendor_part != NULL) {
        *vendor_part = xd_x12__tr_strdup(t, spare->id);
        if (spare->bad_gtin) {
            xd_x12__tr_warn(t, spare->el,
                            "'%.*s' is not a GTIN (length, check digit): kept as vendor_part, "
                            "the line's only item ID",
                            len, spare->id.p);
        } else {
            xd_x12__tr_warn(t, spare->el,
                            "'%.*s': the map gives qualifier %.*s no member (map: item_ids): "
                            "kept as vendor_part, the line's only item ID",
                            len, spare->id.p, qlen, spare->qualifier.p);
        }
    } else if (spare->bad_gtin) {
        xd_x12__tr_warn(t, spare->el,
                        "'%.*s' is not a GTIN (length, check digit): left out, the line has "
                        "another item ID",
                        len, spare->id.p);
    }
}

void xd_x12__tr_item_ids(struct xd_x12__tr *t, void *obj, const struct xd_x12_segment *seg,
                         unsigned first, const struct xd_x12__member *members, size_t n)
{
    struct spare_id spare = {{"", 0}, {"", 0}, 0, false};
    for (unsigned el = first; el + 1 < seg->count; el += 2) {
        item_pair(t, obj, seg, el, members, n, &spare);
    }
    settle_spare(t, obj, members, n, &spare);
}

void xd_x12__tr_item_pairs(struct xd_x12__tr *t, void *obj, const struct xd_x12_segment *seg,
                           const uint8_t *pos, const struct xd_x12__member *members, size_t n)
{
    struct spare_id spare = {{"", 0}, {"", 0}, 0, false};
    for (; *pos != 0; pos++) {
        item_pair(t, obj, seg, *pos, members, n, &spare);
    }
    settle_spare(t, obj, members, n, &spare);
}

void xd_x12__tr_number_by_place(void *parent, const struct xd_x12__lines *a)
{
    if (!a->numbered || a->id_off == 0) {
        return;
    }
    char *arr = *(char **)((char *)parent + a->arr_off);
    size_t n = *(const size_t *)((char *)parent + a->count_off);
    for (size_t i = 0; i < n; i++) {
        char *line = arr + i * a->size;
        if (*(const char *const *)(line + a->id_off) != NULL) {
            *(int64_t *)(line + a->number_off) = (int64_t)i + 1;
        }
    }
}

size_t xd_x12__tr_drop_zero_lines(struct xd_x12__tr *t, void *parent, size_t arr_off,
                                  size_t count_off, size_t size, size_t qty_off, unsigned qty_el)
{
    const size_t *count = (const size_t *)((char *)parent + count_off);
    size_t dropped = 0;
    for (size_t i = 0; i < *count;) {
        char *line = *(char **)((char *)parent + arr_off) + i * size;
        if (!xd_decimal_is_zero(*(const struct xd_decimal *)(line + qty_off))) {
            i++;
            continue;
        }
        xd_x12__tr_at(t, line, "");
        xd_x12__tr_warn(t, qty_el, "quantity 0: the line is dropped");
        xd_x12__tr_remove(t, parent, arr_off, count_off, size, i);
        dropped++;
    }
    return dropped;
}

void xd_x12__h_line(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                    const struct xd_x12__rule *r)
{
    const struct xd_x12__lines *a = r->arg;
    char *owner = xd_x12__tr_scope(t, a->owner);
    char *line = owner ? xd_x12__tr_append(t, owner, a->arr_off, a->count_off, a->size) : NULL;
    if (line == NULL) {
        return;
    }
    t->obj[a->scope] = line;
    if (a->numbered) {
        int64_t ordinal = (int64_t) * (size_t *)(owner + a->count_off);
        int64_t *number = (int64_t *)(line + a->number_off);
        struct xd_slice v =
            a->number_el ? xd_x12__tr_elem(seg, a->number_el, 0) : (struct xd_slice){"", 0};
        uint64_t n;
        if (v.len > 0 && xd_x12__parse_count(v, &n) && n > 0 && n <= 999999) {
            *number = (int64_t)n;
        } else {
            *number = ordinal;
            if (v.len > 0 && a->id_off != 0) {
                *(const char **)(line + a->id_off) = xd_x12__tr_strdup(t, v);
            }
        }
    }
    xd_x12__tr_bind(t, line, r->binds, r->nbinds, seg);
    if (a->ids_from > 0) {
        xd_x12__tr_item_ids(t, line, seg, a->ids_from, r->members, r->nmembers);
    }
}

void xd_x12__h_qty(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                   const struct xd_x12__rule *r)
{
    void *obj = xd_x12__tr_scope(t, r->scope);
    struct xd_slice q = xd_x12__tr_elem(seg, 1, 0), v = xd_x12__tr_elem(seg, 2, 0);
    for (size_t i = 0; obj != NULL && i < r->nmembers; i++) {
        const struct xd_x12__member *m = &r->members[i];
        if (map_has(t, XD_X12__CAT_QUANTITIES, m->name, q)) {
            (void)xd_x12__tr_set(t, obj, m->off, m->has, XD_X12__CV_DEC, 0, v, 2);
            break;
        }
    }
    const struct xd_x12__member *uom = r->arg;
    struct xd_slice u = xd_x12__tr_elem(seg, 3, 1);
    if (obj != NULL && uom != NULL && u.len > 0 &&
        *(const char **)((char *)obj + uom->off) == NULL) {
        (void)xd_x12__tr_set(t, obj, uom->off, 0, XD_X12__CV_UOM, 0, u, 3);
    }
}

/* ---- N1 loops ------------------------------------------------------------------------------ */

static void set_party_id(struct xd_x12__tr *t, struct xd_canon_party_ref *p, struct xd_slice q,
                         struct xd_slice id)
{
    if (q.len == 0 || id.len == 0) {
        return;
    }
    const char *v = xd_x12__tr_strdup(t, id);
    bool digits = true;
    for (size_t i = 0; i < id.len; i++) {
        digits = digits && id.p[i] >= '0' && id.p[i] <= '9';
    }
    /* A qualifier that promises a GLN or a D-U-N-S number for a value of another shape names
     * a code of the partner's own: kept as assigned. */
    if (xd_slice_eq_cstr(q, "UL") && digits && id.len == 13) {
        p->gln = v;
    } else if (xd_slice_eq_cstr(q, "1") && digits && id.len == 9) {
        p->duns = v;
    } else if (xd_slice_eq_cstr(q, "9") && digits && id.len == 13) {
        p->duns = v;
    } else {
        p->assigned_id = v;
    }
    char qual[4], code[81];
    xd_x12__copy(qual, sizeof qual, q);
    xd_x12__copy(code, sizeof code, id);
    if (p->party_id == NULL) {
        p->party_id = xd_x12__map_xref_id(t->map, false, qual, code);
    }
    if (p->location_id == NULL) {
        p->location_id = xd_x12__map_xref_id(t->map, true, qual, code);
    }
}

/* N1: the candidates whose entity codes (map "parties") hold N101. A party_ref member gets a
 * new party_ref; a STR member (a location_id) gets the N1's location. */
void xd_x12__tr_party_close(struct xd_x12__tr *t)
{
    struct xd_canon_party_ref *p = t->obj[XD_X12__SC_PARTY];
    struct xd_canon_address *a = p ? p->address : NULL;
    if (a != NULL && (a->line1 == NULL || a->city == NULL)) {
        /* The canonical address needs a street and a city: an N4 alone is not one. */
        xd_x12__tr_note(t, 0, "an address without %s (N3/N4) is left out",
                        a->line1 == NULL ? "a street line" : "a city");
        p->address = NULL;
    }
    t->obj[XD_X12__SC_PARTY] = NULL;
}

void xd_x12__h_party(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                     const struct xd_x12__rule *r)
{
    xd_x12__tr_party_close(t);
    void *owner = xd_x12__tr_scope(t, r->scope);
    struct xd_slice code = xd_x12__tr_elem(seg, 1, 0), name = xd_x12__tr_elem(seg, 2, 0);
    struct xd_slice q = xd_x12__tr_elem(seg, 3, 0), id = xd_x12__tr_elem(seg, 4, 0);
    t->party_location = NULL;
    for (size_t i = 0; owner != NULL && i < r->nmembers; i++) {
        const struct xd_x12__member *m = &r->members[i];
        if (!map_has(t, XD_X12__CAT_PARTIES, m->name, code)) {
            continue;
        }
        if (m->conv == XD_X12__CV_CARRIER) {
            struct xd_canon_carrier *c =
                xd_x12__tr_object(t, owner, m->off, sizeof(struct xd_canon_carrier));
            if (c != NULL) {
                c->name = name.len > 0 ? xd_x12__tr_strdup(t, name) : NULL;
                c->scac = id.len > 0 ? xd_x12__tr_strdup(t, id) : NULL;
            }
            continue;
        }
        if (m->conv == XD_X12__CV_STR) {
            const char **loc = (const char **)((char *)owner + m->off);
            char qual[4], c[81];
            xd_x12__copy(qual, sizeof qual, q);
            xd_x12__copy(c, sizeof c, id);
            const char *x = xd_x12__map_xref_id(t->map, true, qual, c);
            *loc = x != NULL ? x : (id.len > 0 ? xd_x12__tr_strdup(t, id) : *loc);
            t->party_location = loc;
            continue;
        }
        struct xd_canon_party_ref *p =
            xd_x12__tr_object(t, owner, m->off, sizeof(struct xd_canon_party_ref));
        if (p == NULL) {
            return;
        }
        if (name.len > 0) {
            p->name = xd_x12__tr_strdup(t, name);
        }
        set_party_id(t, p, q, id);
        t->obj[XD_X12__SC_PARTY] = p;
    }
}

static struct xd_canon_address *address_of(struct xd_x12__tr *t, struct xd_canon_party_ref *p)
{
    if (p->address == NULL) {
        p->address = xd_x12__tr_object(t, p, offsetof(struct xd_canon_party_ref, address),
                                       sizeof *p->address);
    }
    return p->address;
}

static const char *country_of(struct xd_x12__tr *t, struct xd_slice v)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(countries); i++) {
        if (xd_slice_eq_cstr(v, countries[i].alpha3)) {
            return countries[i].alpha2;
        }
    }
    return xd_x12__tr_strdup(t, v);
}

static void contact(struct xd_x12__tr *t, struct xd_canon_party_ref *p,
                    const struct xd_x12_segment *seg)
{
    struct xd_canon_contact *c = p->contact;
    if (c == NULL) {
        c = xd_x12__tr_object(t, p, offsetof(struct xd_canon_party_ref, contact), sizeof *c);
        if (c == NULL) {
            return;
        }
    }
    struct xd_slice role = xd_x12__tr_elem(seg, 1, 0), name = xd_x12__tr_elem(seg, 2, 0);
    if (role.len > 0 && c->role == NULL) {
        c->role = xd_x12__codes_in(t->codes, XD_X12__L_CONTACT_ROLE, role);
    }
    if (name.len > 0) {
        c->name = xd_x12__tr_strdup(t, name);
    }
    for (unsigned el = 3; el + 1 <= 8; el += 2) {
        struct xd_slice q = xd_x12__tr_elem(seg, el, 0), v = xd_x12__tr_elem(seg, el + 1, 0);
        if (v.len == 0) {
            continue;
        }
        if (xd_slice_eq_cstr(q, "TE") && c->phone == NULL) {
            c->phone = xd_x12__tr_strdup(t, v);
        } else if (xd_slice_eq_cstr(q, "EM") && c->email == NULL) {
            c->email = xd_x12__tr_strdup(t, v);
        }
    }
}

/* N2, N3, N4, PER of the current N1 loop. */
void xd_x12__h_party_detail(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                            const struct xd_x12__rule *r)
{
    (void)r;
    struct xd_canon_party_ref *p = t->obj[XD_X12__SC_PARTY];
    if (p == NULL) {
        return;
    }
    if (xd_slice_eq_cstr(seg->id, "PER")) {
        contact(t, p, seg);
        return;
    }
    struct xd_canon_address *a = address_of(t, p);
    if (a == NULL) {
        return;
    }
    struct xd_slice e1 = xd_x12__tr_elem(seg, 1, 0), e2 = xd_x12__tr_elem(seg, 2, 0);
    if (xd_slice_eq_cstr(seg->id, "N2")) {
        a->name = e1.len ? xd_x12__tr_strdup(t, e1) : a->name;
    } else if (xd_slice_eq_cstr(seg->id, "N3")) {
        const char **line = a->line1 == NULL ? &a->line1 : &a->line2;
        *line = e1.len ? xd_x12__tr_strdup(t, e1) : *line;
        if (e2.len > 0 && line == &a->line1) {
            a->line2 = xd_x12__tr_strdup(t, e2);
        }
    } else if (xd_slice_eq_cstr(seg->id, "N4")) {
        struct xd_slice post = xd_x12__tr_elem(seg, 3, 0), ctry = xd_x12__tr_elem(seg, 4, 0);
        a->city = e1.len ? xd_x12__tr_strdup(t, e1) : a->city;
        a->region = e2.len ? xd_x12__tr_strdup(t, e2) : a->region;
        a->postal_code = post.len ? xd_x12__tr_strdup(t, post) : a->postal_code;
        a->country = ctry.len ? country_of(t, ctry) : DEFAULT_COUNTRY;
    }
}

/* ---- References ---------------------------------------------------------------------------- */

/* REF*ZZ*value*LABEL in an N1 loop: identifiers beyond the one N103/N104 holds. */
static bool party_label(struct xd_x12__tr *t, struct xd_slice label, struct xd_slice v)
{
    struct xd_canon_party_ref *p = t->obj[XD_X12__SC_PARTY];
    const char **dst = NULL;
    if (xd_slice_eq_cstr(label, LABEL_LOCATION)) {
        dst = t->party_location != NULL ? t->party_location : (p ? &p->location_id : NULL);
        if (t->party_location != NULL && p != NULL) {
            p->location_id = NULL; /* the label names the document's location, not the party's */
        }
    } else if (p == NULL) {
        return false;
    } else if (xd_slice_eq_cstr(label, LABEL_PARTY)) {
        dst = &p->party_id;
    } else if (xd_slice_eq_cstr(label, "PARTY_LOCATION")) {
        dst = &p->location_id;
    } else if (xd_slice_eq_cstr(label, "GLN")) {
        dst = &p->gln;
    } else if (xd_slice_eq_cstr(label, "DUNS")) {
        dst = &p->duns;
    } else if (xd_slice_eq_cstr(label, "ASSIGNED")) {
        dst = &p->assigned_id;
    }
    if (dst == NULL) {
        return false;
    }
    *dst = xd_x12__tr_strdup(t, v);
    return true;
}

/* Does <label> spell <name> in capitals? ("PACK_KIND" for pack_kind) */
static bool label_is(struct xd_slice label, const char *name)
{
    size_t n = strlen(name);
    if (label.len != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i] >= 'a' && name[i] <= 'z' ? (char)(name[i] - 'a' + 'A') : name[i];
        if (label.p[i] != c) {
            return false;
        }
    }
    return true;
}

static bool set_member(struct xd_x12__tr *t, void *obj, const struct xd_x12__member *m,
                       struct xd_slice v, unsigned el)
{
    if (m->scope != XD_X12__SC_SAME) {
        obj = xd_x12__tr_scope(t, m->scope);
    }
    if (obj == NULL) {
        return false;
    }
    if (m->conv == XD_X12__CV_TEXT) {
        t->text = (const char **)((char *)obj + m->off); /* MSG segments follow */
        return true;
    }
    if (m->conv == XD_X12__CV_STRINGS) {
        const char **s = xd_x12__tr_append(t, obj, m->off, m->has, sizeof(const char *));
        if (s != NULL) {
            *s = xd_x12__tr_strdup(t, v);
        }
        return true;
    }
    return xd_x12__tr_set(t, obj, m->off, m->has, m->conv, m->list, v, el);
}

/* A labelled reference: REF*ZZ*value*LABEL, LABEL the member's name in capitals. The value
 * is the canonical one (a code is the canonical code, not an X12 one). */
static bool labelled(struct xd_x12__tr *t, void *obj, const struct xd_x12__rule *r,
                     struct xd_slice label, struct xd_slice v)
{
    if (r->scope == XD_X12__SC_PARTY && party_label(t, label, v)) {
        return true;
    }
    for (size_t i = 0; i < r->nmembers; i++) {
        struct xd_x12__member m = r->members[i];
        if (!label_is(label, m.name)) {
            continue;
        }
        if (m.conv == XD_X12__CV_CODE) {
            void *o = m.scope != XD_X12__SC_SAME ? xd_x12__tr_scope(t, m.scope) : obj;
            if (o != NULL) {
                *(const char **)((char *)o + m.off) = xd_x12__tr_strdup(t, v);
            }
            return true;
        }
        (void)set_member(t, obj, &m, v, 2);
        return true;
    }
    return false;
}

void xd_x12__h_ref(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                   const struct xd_x12__rule *r)
{
    void *obj = xd_x12__tr_scope(t, r->scope);
    struct xd_slice q = xd_x12__tr_elem(seg, 1, 0), v = xd_x12__tr_elem(seg, 2, 0);
    struct xd_slice desc = xd_x12__tr_elem(seg, 3, 0);
    t->text = NULL;
    if (xd_slice_eq_cstr(q, "ZZ") && desc.len > 0 && labelled(t, obj, r, desc, v)) {
        return;
    }
    if (obj == NULL) {
        return;
    }
    bool taken = false;
    const char *lead = NULL; /* a member with <el> rides with the member before it */
    for (size_t i = 0; i < r->nmembers; i++) {
        const struct xd_x12__member *m = &r->members[i];
        lead = m->el == 0 ? m->name : lead;
        if (lead == NULL || !map_has(t, XD_X12__CAT_REFERENCES, lead, q)) {
            continue;
        }
        struct xd_slice val = m->conv == XD_X12__CV_TEXT ? desc
                              : m->el != 0               ? xd_x12__tr_elem(seg, m->el, 0)
                                                         : v;
        if (m->conv != XD_X12__CV_TEXT && val.len == 0) {
            continue;
        }
        (void)set_member(t, obj, m, val, m->el ? m->el : 2);
        if (m->conv == XD_X12__CV_TEXT && t->text != NULL) {
            xd_x12__tr_append_text(t, t->text, desc);
        }
        taken = true;
    }
    const struct xd_x12__refs *a = r->arg;
    if (taken || a == NULL || v.len == 0) {
        return;
    }
    struct xd_canon_reference *ref =
        xd_x12__tr_append(t, obj, a->arr_off, a->count_off, sizeof *ref);
    if (ref != NULL) {
        ref->qualifier = xd_x12__tr_strdup(t, q);
        ref->value = xd_x12__tr_strdup(t, v);
        ref->description = desc.len ? xd_x12__tr_strdup(t, desc) : NULL;
    }
}

/* MSG (after an N9 that selected a text member) and NTE (into the rule's only member). */
void xd_x12__h_note(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                    const struct xd_x12__rule *r)
{
    if (xd_slice_eq_cstr(seg->id, "MSG")) {
        if (t->text != NULL) {
            xd_x12__tr_append_text(t, t->text, xd_x12__tr_elem(seg, 1, 0));
        }
        return;
    }
    void *obj = xd_x12__tr_scope(t, r->scope);
    if (obj != NULL && r->nmembers > 0) {
        xd_x12__tr_append_text(t, (const char **)((char *)obj + r->members[0].off),
                               xd_x12__tr_elem(seg, 2, 0));
    }
}

/* ---- Dates --------------------------------------------------------------------------------- */

/* DTM*qual*date*time*code or G62*qual*date*tqual*time*code: the candidate whose map date
 * qualifier matches (G62 qualifiers are looked up as "member.g62"). */
void xd_x12__h_dtm(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                   const struct xd_x12__rule *r)
{
    void *obj = xd_x12__tr_scope(t, r->scope);
    bool g62 = xd_slice_eq_cstr(seg->id, "G62");
    /* ACK04/ACK05: a line acknowledgement's date, qualified like a DTM's, without a time. */
    bool ack = xd_slice_eq_cstr(seg->id, "ACK");
    struct xd_slice q = xd_x12__tr_elem(seg, ack ? 4 : 1, 0);
    struct xd_slice date = xd_x12__tr_elem(seg, ack ? 5 : 2, 0);
    struct xd_slice time = ack ? (struct xd_slice){0} : xd_x12__tr_elem(seg, g62 ? 4 : 3, 0);
    struct xd_slice zone = ack ? (struct xd_slice){0} : xd_x12__tr_elem(seg, g62 ? 5 : 4, 0);
    for (size_t i = 0; obj != NULL && i < r->nmembers; i++) {
        const struct xd_x12__member *m = &r->members[i];
        if (strlen(m->name) + sizeof ".g62" > 64) {
            continue; /* no member name is this long */
        }
        const char *const *codes = NULL;
        size_t n = xd_x12__tr_map_codes(t, XD_X12__CAT_DATES, m->name, g62, &codes);
        if (!code_listed(q, codes, n)) {
            continue;
        }
        void *o = m->scope != XD_X12__SC_SAME ? xd_x12__tr_scope(t, m->scope) : obj;
        if (o == NULL) {
            return;
        }
        if (m->conv == XD_X12__CV_DATETIME) {
            *(const char **)((char *)o + m->off) = xd_x12__tr_datetime(t, date, time, zone, 2);
        } else {
            (void)xd_x12__tr_set(t, o, m->off, m->has, XD_X12__CV_DATE, 0, date, 2);
        }
        return;
    }
}
