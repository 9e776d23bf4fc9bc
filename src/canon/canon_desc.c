/* SPDX-License-Identifier: MIT
 * The descriptor tables, expanded from canon_defs.h and canon_codes.h, and the small lookups on
 * them. These tables are the only list of members the codec, validator and schema know. */
#include <string.h>

#include "canon/canon_int.h"

/* --- Members --------------------------------------------------------------------------------- */

#define XD_CANON__REQUIRED_REQ true
#define XD_CANON__REQUIRED_OPT false

/* Offsets are <O_> (where struct S_ sits inside the struct the table describes) plus the
 * member's own offset in S_; 0 for the nested tables, that of the INLINE member for flattened
 * ones. A has_ offset stays 0 for "none". */
#define XD_CANON__HAS_OFFSET_REQ(O_, S_, m_) 0
#define XD_CANON__HAS_OFFSET_OPT(O_, S_, m_) ((O_) + offsetof(struct xd_canon_##S_, has_##m_))

#define XD_CANON__DESC_STRING(O_, S_, m_, P_, A_, B_) .max = (A_), .str_class = XD_CANON__C_##B_,
#define XD_CANON__DESC_CODE(O_, S_, m_, P_, A_, B_)   .list = XD_CANON__L_##A_,
#define XD_CANON__DESC_DECIMAL(O_, S_, m_, P_, A_, B_)                                             \
    .sign = XD_CANON__SIGN_##A_, .max = (B_), .has_offset = XD_CANON__HAS_OFFSET_##P_(O_, S_, m_),
#define XD_CANON__DESC_INT(O_, S_, m_, P_, A_, B_)                                                 \
    .min = (A_), .max = (B_), .has_offset = XD_CANON__HAS_OFFSET_##P_(O_, S_, m_),
#define XD_CANON__DESC_BOOL(O_, S_, m_, P_, A_, B_)                                                \
    .has_offset = XD_CANON__HAS_OFFSET_##P_(O_, S_, m_),
#define XD_CANON__DESC_DATE(O_, S_, m_, P_, A_, B_)
#define XD_CANON__DESC_DATETIME(O_, S_, m_, P_, A_, B_)
#define XD_CANON__DESC_OBJECT(O_, S_, m_, P_, A_, B_) .sub = XD_CANON__S_##A_,
#define XD_CANON__DESC_INLINE(O_, S_, m_, P_, A_, B_) .sub = XD_CANON__S_##A_,
#define XD_CANON__DESC_ARRAY(O_, S_, m_, P_, A_, B_)                                               \
    .sub = XD_CANON__S_##A_, .max_items = (B_),                                                    \
    .count_offset = (O_) + offsetof(struct xd_canon_##S_, n_##m_),                                 \
    .elem_size = sizeof(struct xd_canon_##A_),
#define XD_CANON__DESC_STRINGS(O_, S_, m_, P_, A_, B_)                                             \
    .max_items = (A_), .max = (B_), .str_class = XD_CANON__C_IDENT,                                \
    .count_offset = (O_) + offsetof(struct xd_canon_##S_, n_##m_),

/* Member names are plain words, so `"name":` needs no escaping: the encoder copies it. */
#define XD_CANON__DESC_AT(O_, S_, K_, m_, P_, A_, B_, key_, doc_)                                  \
    {.name = #m_,                                                                                  \
     .name_len = sizeof(#m_) - 1,                                                                  \
     .json_key = "\"" #m_ "\":",                                                                   \
     .json_key_len = sizeof(#m_) + 2,                                                              \
     .doc = (doc_),                                                                                \
     .key = (key_),                                                                                \
     .kind = XD_CANON__K_##K_,                                                                     \
     .required = XD_CANON__REQUIRED_##P_,                                                          \
     .offset = (O_) + offsetof(struct xd_canon_##S_, m_),                                          \
     XD_CANON__DESC_##K_(O_, S_, m_, P_, A_, B_)},

#define XD_CANON__DESC(S_, K_, m_, P_, A_, B_, key_, doc_)                                         \
    XD_CANON__DESC_AT(0, S_, K_, m_, P_, A_, B_, key_, doc_)

#define XD_CANON__FIELD_TABLE(name, doc)                                                           \
    static const struct xd_canon__field fields_##name[] = {                                        \
        XD_CANON_FIELDS_##name(XD_CANON__DESC, name)};
XD_CANON_STRUCTS(XD_CANON__FIELD_TABLE)

#define XD_CANON__STRUCT_ENTRY(n_, doc_)                                                           \
    [XD_CANON__S_##n_] = {.name = #n_,                                                             \
                          .doc = (doc_),                                                           \
                          .fields = fields_##n_,                                                   \
                          .n_fields = sizeof fields_##n_ / sizeof fields_##n_[0],                  \
                          .size = sizeof(struct xd_canon_##n_)},
const struct xd_canon__struct xd_canon__structs[XD_CANON__S_COUNT] = {
    XD_CANON_STRUCTS(XD_CANON__STRUCT_ENTRY)};

/* --- Members as the JSON object shows them ---------------------------------------------------- */

#define XD_CANON__FLAT_DESC(S_, O_, BASE_, ID_, K_, m_, P_, A_, B_, key_, doc_)                    \
    XD_CANON__DESC_AT(BASE_, O_, K_, m_, P_, A_, B_, key_, doc_)
#define XD_CANON__FLAT_TABLE(name, doc)                                                            \
    static const struct xd_canon__field flat_##name[] = {                                          \
        XD_CANON__FLAT_EACH(XD_CANON__FLAT_DESC, name)};
XD_CANON_STRUCTS(XD_CANON__FLAT_TABLE)

#define XD_CANON__FLAT_REQUIRED(S_, O_, BASE_, ID_, K_, m_, P_, A_, B_, key_, doc_)                \
    | (XD_CANON__REQUIRED_##P_ ? UINT64_C(1) << XD_CANON__FO_##S_##__##ID_ : 0)
#define XD_CANON__FLAT_ENTRY(n_, doc_)                                                             \
    [XD_CANON__S_##n_] = {.fields = flat_##n_,                                                     \
                          .n_fields = XD_CANON__FO_##n_##__COUNT,                                  \
                          .required = 0 XD_CANON__FLAT_EACH(XD_CANON__FLAT_REQUIRED, n_)},
const struct xd_canon__flat xd_canon__flats[XD_CANON__S_COUNT] = {
    XD_CANON_STRUCTS(XD_CANON__FLAT_ENTRY)};

/* xd_canon_doc_header relies on this: the header is where the body starts. */
#define XD_CANON__HEADER_FIRST(E, s)                                                               \
    _Static_assert(offsetof(struct xd_canon_##s, header) == 0, #s " must start with header");
XD_CANON_DOCUMENTS(XD_CANON__HEADER_FIRST)

#define XD_CANON__TYPE_ENTRY(E, s) [XD_CANON_##E] = {.name = #s, .sid = XD_CANON__S_##s},
const struct xd_canon__type xd_canon__types[XD_CANON_TYPE_COUNT] = {
    XD_CANON_DOCUMENTS(XD_CANON__TYPE_ENTRY)};

/* --- Code lists and string classes ----------------------------------------------------------- */

#define XD_CANON__CODE_ENTRY(code_, doc_)                                                          \
    {.code = (code_), .len = sizeof(code_) - 1, .doc = (doc_)},
#define XD_CANON__CODE_TABLE(name, doc)                                                            \
    static const struct xd_canon__code codes_##name[] = {                                          \
        XD_CANON_CODES_##name(XD_CANON__CODE_ENTRY)};
XD_CANON_CODE_LISTS(XD_CANON__CODE_TABLE)

#define XD_CANON__LIST_ENTRY(n_, doc_)                                                             \
    [XD_CANON__L_##n_] = {.name = #n_,                                                             \
                          .doc = (doc_),                                                           \
                          .codes = codes_##n_,                                                     \
                          .n_codes = sizeof codes_##n_ / sizeof codes_##n_[0]},
const struct xd_canon__list xd_canon__lists[XD_CANON__L_COUNT] = {
    XD_CANON_CODE_LISTS(XD_CANON__LIST_ENTRY)};

#define XD_CANON__CLASS_ENTRY(name_, pattern_, doc_)                                               \
    [XD_CANON__C_##name_] = {.name = #name_, .pattern = (pattern_), .doc = (doc_)},
const struct xd_canon__class xd_canon__classes[XD_CANON__C_COUNT] = {
    XD_CANON_STRING_CLASSES(XD_CANON__CLASS_ENTRY)};

/* --- Lookups --------------------------------------------------------------------------------- */

int xd_canon__code_index(const struct xd_canon__list *list, const char *code, size_t len)
{
    for (size_t i = 0; i < list->n_codes; i++) {
        const struct xd_canon__code *c = &list->codes[i];
        /* the first byte settles most candidates of the right length without a call */
        if (c->len == len && len > 0 && c->code[0] == code[0] && memcmp(c->code, code, len) == 0) {
            return (int)i;
        }
    }
    return -1;
}

bool xd_canon__scalar_present(const struct xd_canon__field *f, const void *base)
{
    if (f->has_offset == 0) {
        return true;
    }
    return *(const bool *)XD_CANON__AT_CONST(base, f->has_offset);
}

/* --- Public helpers -------------------------------------------------------------------------- */

const char *xd_canon_type_name(enum xd_canon_type t)
{
    if ((unsigned)t >= XD_CANON_TYPE_COUNT) {
        return NULL;
    }
    return xd_canon__types[t].name;
}

enum xd_status xd_canon_type_parse(const char *name, size_t len, enum xd_canon_type *out)
{
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        const char *n = xd_canon__types[t].name;
        if (strlen(n) == len && memcmp(n, name, len) == 0) {
            *out = (enum xd_canon_type)t;
            return XD_OK;
        }
    }
    return XD_ENOTFOUND;
}

bool xd_canon_code_valid(const char *list, const char *code)
{
    if (list == NULL || code == NULL) {
        return false;
    }
    for (size_t i = 0; i < XD_CANON__L_COUNT; i++) {
        if (strcmp(xd_canon__lists[i].name, list) == 0) {
            return xd_canon__code_index(&xd_canon__lists[i], code, strlen(code)) >= 0;
        }
    }
    return false;
}

bool xd_canon_uom_valid(const char *code)
{
    return code != NULL &&
           xd_canon__code_index(&xd_canon__lists[XD_CANON__L_uom], code, strlen(code)) >= 0;
}

enum xd_status xd_canon_doc_create(struct xd_arena *a, enum xd_canon_type t,
                                   struct xd_canon_doc **out)
{
    if ((unsigned)t >= XD_CANON_TYPE_COUNT) {
        return XD_EINVAL;
    }
    struct xd_canon_doc *doc = xd_arena_calloc(a, 1, sizeof *doc);
    if (doc == NULL) {
        return XD_ENOMEM;
    }
    doc->body = xd_arena_calloc(a, 1, xd_canon__structs[xd_canon__types[t].sid].size);
    if (doc->body == NULL) {
        return XD_ENOMEM;
    }
    doc->type = t;
    *out = doc;
    return XD_OK;
}

struct xd_canon_header *xd_canon_doc_header(const struct xd_canon_doc *doc)
{
    return (struct xd_canon_header *)doc->body;
}
