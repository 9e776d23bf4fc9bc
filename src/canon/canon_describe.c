/* SPDX-License-Identifier: MIT
 * The Markdown reference of the canonical documents, written from the same descriptors as the
 * codec: every type and struct with its members (JSON and C), constraints, business keys and
 * cross-field rules, then the code lists and string classes. docs/canonical-documents.md embeds
 * this text; a test keeps the two equal. */
#include <stdio.h>
#include <string.h>

#include "canon/canon_int.h"

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        enum xd_status st_ = (expr);                                                               \
        if (st_ != XD_OK) {                                                                        \
            return st_;                                                                            \
        }                                                                                          \
    } while (0)

/* Text for a table cell: '|' would end the cell. */
static enum xd_status cell(struct xd_buf *b, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        TRY(*p == '|' ? xd_buf_append_str(b, "\\|") : xd_buf_append_char(b, *p));
    }
    return XD_OK;
}

static const char *sign_text(uint8_t sign)
{
    switch (sign) {
    case XD_CANON__SIGN_POS:
        return "> 0, ";
    case XD_CANON__SIGN_NONNEG:
        return ">= 0, ";
    default:
        return "";
    }
}

/* JSON column and constraints column of one member. */
static enum xd_status json_and_limits(struct xd_buf *b, const struct xd_canon__field *f)
{
    const char *sub = xd_canon__structs[f->sub].name;
    switch ((enum xd_canon__kind)f->kind) {
    case XD_CANON__K_STRING:
        return xd_buf_printf(b, "string | 1-%lld chars, %s", (long long)f->max,
                             xd_canon__classes[f->str_class].name);
    case XD_CANON__K_CODE:
        return xd_buf_printf(b, "code | [%s](#code-list-%s)", xd_canon__lists[f->list].name,
                             xd_canon__lists[f->list].name);
    case XD_CANON__K_DECIMAL:
        return xd_buf_printf(b, "decimal string | %s<= %lld decimals", sign_text(f->sign),
                             (long long)f->max);
    case XD_CANON__K_INT:
        return xd_buf_printf(b, "integer | %lld..%lld", (long long)f->min, (long long)f->max);
    case XD_CANON__K_BOOL:
        return xd_buf_append_str(b, "boolean | ");
    case XD_CANON__K_DATE:
        return xd_buf_append_str(b, "date | YYYY-MM-DD");
    case XD_CANON__K_DATETIME:
        return xd_buf_append_str(b, "date-time | RFC 3339 with offset");
    case XD_CANON__K_OBJECT:
        return xd_buf_printf(b, "object | [%s](#%s)", sub, sub);
    case XD_CANON__K_ARRAY:
        return xd_buf_printf(b, "array | 1-%u [%s](#%s)", (unsigned)f->max_items, sub, sub);
    case XD_CANON__K_STRINGS:
        return xd_buf_printf(b, "array of strings | 1-%u, each 1-%lld chars IDENT",
                             (unsigned)f->max_items, (long long)f->max);
    case XD_CANON__K_INLINE:
        break;
    }
    return XD_EINVAL;
}

static enum xd_status c_member(struct xd_buf *b, const struct xd_canon__field *f)
{
    const char *sub = xd_canon__structs[f->sub].name;
    const char *has = f->has_offset != 0 ? " + `has_`" : "";
    switch ((enum xd_canon__kind)f->kind) {
    case XD_CANON__K_DECIMAL:
        return xd_buf_printf(b, "`struct xd_decimal`%s", has);
    case XD_CANON__K_INT:
        return xd_buf_printf(b, "`int64_t`%s", has);
    case XD_CANON__K_BOOL:
        return xd_buf_printf(b, "`bool`%s", has);
    case XD_CANON__K_OBJECT:
        return xd_buf_printf(b, "`struct xd_canon_%s *`", sub);
    case XD_CANON__K_ARRAY:
        return xd_buf_printf(b, "`struct xd_canon_%s *` + `n_`", sub);
    case XD_CANON__K_STRINGS:
        return xd_buf_append_str(b, "`const char **` + `n_`");
    default:
        return xd_buf_append_str(b, "`const char *`");
    }
}

/* One table row per member; INLINE members are listed in place.
 * NOLINTNEXTLINE(misc-no-recursion): one level, for INLINE. */
static enum xd_status member_rows(struct xd_buf *b, enum xd_canon__sid sid)
{
    const struct xd_canon__struct *st = &xd_canon__structs[sid];
    for (size_t i = 0; i < st->n_fields; i++) {
        const struct xd_canon__field *f = &st->fields[i];
        if (f->kind == XD_CANON__K_INLINE) {
            TRY(member_rows(b, f->sub));
            continue;
        }
        TRY(xd_buf_printf(b, "| `%s` | %s | ", f->name, f->required ? "yes" : ""));
        TRY(json_and_limits(b, f));
        TRY(xd_buf_append_str(b, " | "));
        TRY(c_member(b, f));
        TRY(xd_buf_printf(b, " | %s", f->doc));
        if (f->key != NULL) {
            TRY(xd_buf_printf(b, " **Key `%s`.**", f->key));
        }
        TRY(xd_buf_append_str(b, " |\n"));
    }
    return XD_OK;
}

static enum xd_status struct_section(struct xd_buf *b, enum xd_canon__sid sid)
{
    const struct xd_canon__struct *st = &xd_canon__structs[sid];
    TRY(xd_buf_printf(b, "### %s\n\n%s. C: `struct xd_canon_%s`.\n\n", st->name, st->doc,
                      st->name));
    TRY(xd_buf_append_str(b, "| member | req | JSON | limits | C | meaning |\n"
                             "|---|---|---|---|---|---|\n"));
    TRY(member_rows(b, sid));
    bool any = false;
    for (size_t r = 0; r < xd_canon__n_rules; r++) {
        if (xd_canon__rules[r].sid == sid) {
            TRY(xd_buf_printf(b, "%s- %s\n", any ? "" : "\nRules:\n\n", xd_canon__rules[r].doc));
            any = true;
        }
    }
    return xd_buf_append_char(b, '\n');
}

static bool is_document(int sid)
{
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        if (xd_canon__types[t].sid == sid) {
            return true;
        }
    }
    return false;
}

static enum xd_status lists_section(struct xd_buf *b)
{
    TRY(xd_buf_append_str(b, "## Code lists\n\n"));
    for (size_t l = 0; l < XD_CANON__L_COUNT; l++) {
        const struct xd_canon__list *list = &xd_canon__lists[l];
        TRY(xd_buf_printf(b, "### Code list: %s\n\n%s.\n\n| code | meaning |\n|---|---|\n",
                          list->name, list->doc));
        for (size_t i = 0; i < list->n_codes; i++) {
            TRY(xd_buf_printf(b, "| `%s` | %s |\n", list->codes[i].code, list->codes[i].doc));
        }
        TRY(xd_buf_append_char(b, '\n'));
    }
    TRY(xd_buf_append_str(b,
                          "## String classes\n\n| class | pattern | meaning |\n|---|---|---|\n"));
    for (size_t c = 0; c < XD_CANON__C_COUNT; c++) {
        const struct xd_canon__class *cl = &xd_canon__classes[c];
        TRY(xd_buf_printf(b, "| %s | ", cl->name));
        if (cl->pattern != NULL) {
            TRY(xd_buf_append_char(b, '`'));
            TRY(cell(b, cl->pattern));
            TRY(xd_buf_append_char(b, '`'));
        }
        TRY(xd_buf_printf(b, " | %s |\n", cl->doc));
    }
    return XD_OK;
}

/* Every member of <sid> carrying business key <key>, as " `type.path`" entries.
 * NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static enum xd_status key_paths(struct xd_buf *b, enum xd_canon__sid sid, const char *key,
                                char *path, size_t len, size_t cap, bool *first)
{
    const struct xd_canon__struct *st = &xd_canon__structs[sid];
    for (size_t i = 0; i < st->n_fields; i++) {
        const struct xd_canon__field *f = &st->fields[i];
        if (f->kind == XD_CANON__K_INLINE) {
            TRY(key_paths(b, f->sub, key, path, len, cap, first));
            continue;
        }
        int n = snprintf(path + len, cap - len, "%s%s%s", len ? "." : "", f->name,
                         f->kind == XD_CANON__K_ARRAY ? "[]" : "");
        if (n < 0 || (size_t)n >= cap - len) {
            return XD_ETOOBIG;
        }
        if (f->key != NULL && strcmp(f->key, key) == 0) {
            TRY(xd_buf_printf(b, "%s`%s`", *first ? "" : ", ", path));
            *first = false;
        } else if (f->kind == XD_CANON__K_OBJECT || f->kind == XD_CANON__K_ARRAY) {
            TRY(key_paths(b, f->sub, key, path, len + (size_t)n, cap, first));
        }
        path[len] = '\0';
    }
    return XD_OK;
}

/* Key names in order of first use, each with the members of every type that carry it. */
static enum xd_status keys_section(struct xd_buf *b)
{
    TRY(xd_buf_append_str(b, "## Business keys\n\nDocuments that share a key value join one "
                             "transaction thread (`xd_canon_keys`).\n\n| key | carried by |\n"
                             "|---|---|\n"));
    const char *seen[64];
    size_t n_seen = 0;
    for (int s = 0; s < XD_CANON__S_COUNT; s++) {
        const struct xd_canon__struct *st = &xd_canon__structs[s];
        for (size_t i = 0; i < st->n_fields; i++) {
            const char *key = st->fields[i].key;
            bool known = key == NULL;
            for (size_t k = 0; k < n_seen && !known; k++) {
                known = strcmp(seen[k], key) == 0;
            }
            if (known || n_seen == sizeof seen / sizeof seen[0]) {
                continue;
            }
            seen[n_seen++] = key;
            TRY(xd_buf_printf(b, "| `%s` | ", key));
            bool first_type = true;
            for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
                size_t mark = b->len;
                TRY(xd_buf_printf(b, "%s%s: ", first_type ? "" : "; ", xd_canon__types[t].name));
                char path[256] = "";
                bool first = true;
                TRY(key_paths(b, (enum xd_canon__sid)xd_canon__types[t].sid, key, path, 0,
                              sizeof path, &first));
                if (first) {
                    /* This type does not carry the key: take its name back out. */
                    b->len = mark;
                    b->data[mark] = '\0';
                } else {
                    first_type = false;
                }
            }
            TRY(xd_buf_append_str(b, " |\n"));
        }
    }
    return xd_buf_append_char(b, '\n');
}

static enum xd_status describe(struct xd_buf *b)
{
    TRY(xd_buf_append_str(b, "## Document types\n\n| type | what it is |\n|---|---|\n"));
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        const struct xd_canon__struct *st = &xd_canon__structs[xd_canon__types[t].sid];
        TRY(xd_buf_printf(b, "| [%s](#%s) | %s |\n", xd_canon__types[t].name, st->name, st->doc));
    }
    TRY(xd_buf_append_str(b, "\nEvery document also has `type` (its type name, first member) "
                             "and the [header](#header) members.\n\n"));
    TRY(keys_section(b));
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        TRY(struct_section(b, (enum xd_canon__sid)xd_canon__types[t].sid));
    }
    TRY(xd_buf_append_str(b, "## Parts\n\nStructs the documents are made of.\n\n"));
    for (int s = 0; s < XD_CANON__S_COUNT; s++) {
        if (!is_document(s)) {
            TRY(struct_section(b, (enum xd_canon__sid)s));
        }
    }
    return lists_section(b);
}

enum xd_status xd_canon_describe(struct xd_buf *out)
{
    size_t start = out->len;
    enum xd_status st = describe(out);
    if (st != XD_OK) {
        out->len = start;
        if (out->data != NULL) {
            out->data[start] = '\0';
        }
    }
    return st;
}
