/* SPDX-License-Identifier: MIT
 * JSON Schema (draft 2020-12) of a document type, written from its descriptors: one object per
 * struct under $defs, INLINE members merged into their parent, decimals as patterned strings,
 * business keys marked with "x-crossdock-key". Patterns are ECMA-262 and POSIX ERE alike. The
 * schema states member-level rules; cross-field rules are listed in its description only. */
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

#define DATE_PATTERN "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#define DATETIME_PATTERN                                                                           \
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:" \
    "[0-9]{2})$"

static enum xd_status str(struct xd_buf *b, const char *s)
{
    TRY(xd_buf_append_char(b, '"'));
    TRY(xd_buf_append_json_str(b, s, strlen(s)));
    return xd_buf_append_char(b, '"');
}

/* ,"key":"value" */
static enum xd_status kv(struct xd_buf *b, const char *key, const char *value)
{
    TRY(xd_buf_printf(b, ",\"%s\":", key));
    return str(b, value);
}

static enum xd_status decimal_pattern(struct xd_buf *b, const struct xd_canon__field *f)
{
    char frac[48] = "";
    if (f->max > 0) {
        snprintf(frac, sizeof frac, "(\\.[0-9]{1,%lld})?", (long long)f->max);
    }
    char pattern[192];
    if (f->sign == XD_CANON__SIGN_POS && f->max > 0) {
        /* Rejects "0"; "0.00" passes the pattern and is refused by the validator. */
        snprintf(pattern, sizeof pattern, "^([1-9][0-9]*%s|0\\.[0-9]{1,%lld})$", frac,
                 (long long)f->max);
    } else if (f->sign == XD_CANON__SIGN_POS) {
        snprintf(pattern, sizeof pattern, "^[1-9][0-9]*$");
    } else {
        snprintf(pattern, sizeof pattern, "^%s(0|[1-9][0-9]*)%s$",
                 f->sign == XD_CANON__SIGN_ANY ? "-?" : "", frac);
    }
    return kv(b, "pattern", pattern);
}

static enum xd_status string_props(struct xd_buf *b, int64_t max, enum xd_canon__cid cls)
{
    TRY(xd_buf_printf(b, "\"type\":\"string\",\"minLength\":1,\"maxLength\":%lld", (long long)max));
    if (xd_canon__classes[cls].pattern != NULL) {
        TRY(kv(b, "pattern", xd_canon__classes[cls].pattern));
    }
    return XD_OK;
}

static enum xd_status code_enum(struct xd_buf *b, const struct xd_canon__list *l)
{
    TRY(xd_buf_append_str(b, "\"type\":\"string\",\"enum\":["));
    for (size_t i = 0; i < l->n_codes; i++) {
        if (i > 0) {
            TRY(xd_buf_append_char(b, ','));
        }
        TRY(str(b, l->codes[i].code));
    }
    return xd_buf_append_char(b, ']');
}

static enum xd_status ref(struct xd_buf *b, const char *name)
{
    return xd_buf_printf(b, "\"$ref\":\"#/$defs/%s\"", name);
}

/* The keywords of one member's subschema, without braces. */
static enum xd_status property_body(struct xd_buf *b, const struct xd_canon__field *f)
{
    switch ((enum xd_canon__kind)f->kind) {
    case XD_CANON__K_STRING:
        return string_props(b, f->max, (enum xd_canon__cid)f->str_class);
    case XD_CANON__K_CODE:
        return code_enum(b, &xd_canon__lists[f->list]);
    case XD_CANON__K_DECIMAL:
        TRY(xd_buf_append_str(b, "\"type\":\"string\""));
        return decimal_pattern(b, f);
    case XD_CANON__K_INT:
        return xd_buf_printf(b, "\"type\":\"integer\",\"minimum\":%lld,\"maximum\":%lld",
                             (long long)f->min, (long long)f->max);
    case XD_CANON__K_BOOL:
        return xd_buf_append_str(b, "\"type\":\"boolean\"");
    case XD_CANON__K_DATE:
        TRY(xd_buf_append_str(b, "\"type\":\"string\",\"format\":\"date\""));
        return kv(b, "pattern", DATE_PATTERN);
    case XD_CANON__K_DATETIME:
        TRY(xd_buf_append_str(b, "\"type\":\"string\",\"format\":\"date-time\""));
        return kv(b, "pattern", DATETIME_PATTERN);
    case XD_CANON__K_OBJECT:
        return ref(b, xd_canon__structs[f->sub].name);
    case XD_CANON__K_ARRAY:
        TRY(xd_buf_printf(b, "\"type\":\"array\",\"minItems\":1,\"maxItems\":%u,\"items\":{",
                          (unsigned)f->max_items));
        TRY(ref(b, xd_canon__structs[f->sub].name));
        return xd_buf_append_char(b, '}');
    case XD_CANON__K_STRINGS:
        TRY(xd_buf_printf(b, "\"type\":\"array\",\"minItems\":1,\"maxItems\":%u,\"items\":{",
                          (unsigned)f->max_items));
        TRY(string_props(b, f->max, (enum xd_canon__cid)f->str_class));
        return xd_buf_append_char(b, '}');
    case XD_CANON__K_INLINE:
        break;
    }
    return XD_EINVAL;
}

/* "name":{...} for every member of <sid>, INLINE members merged.
 * NOLINTNEXTLINE(misc-no-recursion): one level, for INLINE. */
static enum xd_status properties(struct xd_buf *b, enum xd_canon__sid sid, bool *first)
{
    const struct xd_canon__struct *st = &xd_canon__structs[sid];
    for (size_t i = 0; i < st->n_fields; i++) {
        const struct xd_canon__field *f = &st->fields[i];
        if (f->kind == XD_CANON__K_INLINE) {
            TRY(properties(b, f->sub, first));
            continue;
        }
        if (!*first) {
            TRY(xd_buf_append_char(b, ','));
        }
        *first = false;
        TRY(str(b, f->name));
        TRY(xd_buf_append_str(b, ":{"));
        TRY(property_body(b, f));
        TRY(kv(b, "description", f->doc));
        if (f->key != NULL) {
            TRY(kv(b, "x-crossdock-key", f->key));
        }
        TRY(xd_buf_append_char(b, '}'));
    }
    return XD_OK;
}

/* NOLINTNEXTLINE(misc-no-recursion): one level, for INLINE. */
static enum xd_status required(struct xd_buf *b, enum xd_canon__sid sid, bool *first)
{
    const struct xd_canon__struct *st = &xd_canon__structs[sid];
    for (size_t i = 0; i < st->n_fields; i++) {
        const struct xd_canon__field *f = &st->fields[i];
        if (f->kind == XD_CANON__K_INLINE) {
            TRY(required(b, f->sub, first));
        } else if (f->required) {
            if (!*first) {
                TRY(xd_buf_append_char(b, ','));
            }
            *first = false;
            TRY(str(b, f->name));
        }
    }
    return XD_OK;
}

/* Mark every struct reachable from <sid> through OBJECT and ARRAY members.
 * NOLINTNEXTLINE(misc-no-recursion): follows the definitions' nesting. */
static void reach(enum xd_canon__sid sid, bool *seen)
{
    const struct xd_canon__struct *st = &xd_canon__structs[sid];
    for (size_t i = 0; i < st->n_fields; i++) {
        const struct xd_canon__field *f = &st->fields[i];
        bool nested = f->kind == XD_CANON__K_OBJECT || f->kind == XD_CANON__K_ARRAY;
        if (f->kind == XD_CANON__K_INLINE || (nested && !seen[f->sub])) {
            if (nested) {
                seen[f->sub] = true;
            }
            reach(f->sub, seen);
        }
    }
}

/* "type":"object","properties":{...},"required":[...],"additionalProperties":false */
static enum xd_status object_body(struct xd_buf *b, enum xd_canon__sid sid, const char *type_name)
{
    bool first = true;
    TRY(xd_buf_append_str(b, "\"type\":\"object\",\"properties\":{"));
    if (type_name != NULL) {
        TRY(xd_buf_append_str(b, "\"type\":{\"const\":"));
        TRY(str(b, type_name));
        TRY(xd_buf_append_str(b, ",\"description\":\"Document type\"}"));
        first = false;
    }
    TRY(properties(b, sid, &first));
    TRY(xd_buf_append_str(b, "},\"required\":["));
    first = true;
    if (type_name != NULL) {
        TRY(str(b, "type"));
        first = false;
    }
    TRY(required(b, sid, &first));
    return xd_buf_append_str(b, "],\"additionalProperties\":false");
}

static enum xd_status rules_text(struct xd_buf *b, enum xd_canon__sid sid)
{
    bool any = false;
    for (size_t r = 0; r < xd_canon__n_rules; r++) {
        if (xd_canon__rules[r].sid == sid) {
            TRY(xd_buf_append_str(b, any ? " " : " Rules: "));
            TRY(xd_buf_append_json_str(b, xd_canon__rules[r].doc, strlen(xd_canon__rules[r].doc)));
            any = true;
        }
    }
    return XD_OK;
}

static enum xd_status schema(enum xd_canon_type t, struct xd_buf *b)
{
    enum xd_canon__sid root = xd_canon__types[t].sid;
    const char *name = xd_canon__types[t].name;
    TRY(xd_buf_append_str(b, "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\""));
    TRY(xd_buf_printf(b, ",\"$id\":\"https://crossdock.dev/schemas/canon/%s.json\"", name));
    TRY(kv(b, "title", name));
    TRY(xd_buf_append_str(b, ",\"description\":\""));
    TRY(xd_buf_append_json_str(b, xd_canon__structs[root].doc,
                               strlen(xd_canon__structs[root].doc)));
    TRY(xd_buf_append_str(b, ". Decimals are strings such as \\\"12.50\\\"."));
    TRY(rules_text(b, root));
    TRY(xd_buf_append_str(b, "\","));
    TRY(object_body(b, root, name));
    bool seen[XD_CANON__S_COUNT] = {false};
    reach(root, seen);
    TRY(xd_buf_append_str(b, ",\"$defs\":{"));
    bool first = true;
    for (int s = 0; s < XD_CANON__S_COUNT; s++) {
        if (!seen[s]) {
            continue;
        }
        TRY(xd_buf_append_str(b, first ? "" : ","));
        first = false;
        TRY(str(b, xd_canon__structs[s].name));
        TRY(xd_buf_append_str(b, ":{\"description\":\""));
        TRY(xd_buf_append_json_str(b, xd_canon__structs[s].doc, strlen(xd_canon__structs[s].doc)));
        TRY(rules_text(b, (enum xd_canon__sid)s));
        TRY(xd_buf_append_str(b, "\","));
        TRY(object_body(b, (enum xd_canon__sid)s, NULL));
        TRY(xd_buf_append_char(b, '}'));
    }
    return xd_buf_append_str(b, "}}");
}

enum xd_status xd_canon_schema(enum xd_canon_type t, struct xd_buf *out)
{
    if ((unsigned)t >= XD_CANON_TYPE_COUNT) {
        return XD_EINVAL;
    }
    size_t start = out->len;
    enum xd_status st = schema(t, out);
    if (st != XD_OK) {
        out->len = start;
        if (out->data != NULL) {
            out->data[start] = '\0';
        }
    }
    return st;
}
