/* SPDX-License-Identifier: MIT
 * The reference of every profile field, string class and rule, in Markdown, generated from the
 * same tables the parser uses (docs/partner-profiles.md embeds it; a test keeps it current). */
#include <stdio.h>
#include <string.h>

#include "partner/partner_int.h"

static enum xd_status type_text(struct xd_buf *b, const struct xd_partner__field *f);

static enum xd_status enum_text(struct xd_buf *b, const struct xd_partner__enum *e)
{
    enum xd_status st = xd_buf_append_str(b, "one of ");
    for (size_t i = 0; st == XD_OK && i < e->n; i++) {
        st = xd_buf_printf(b, "%s`%s`", i ? ", " : "", e->names[i]);
    }
    return st;
}

static enum xd_status scalar_text(struct xd_buf *b, const struct xd_partner__field *f)
{
    char lo[32], hi[32];
    switch (f->type) {
    case XD_PARTNER__F_STR:
        if (f->max == 1) {
            return xd_buf_printf(b, "%s, one character", xd_partner__sclasses[f->sclass].name);
        }
        return xd_buf_printf(b, "%s, at most %lld bytes", xd_partner__sclasses[f->sclass].name,
                             (long long)f->max);
    case XD_PARTNER__F_ENUM:
        return enum_text(b, f->names);
    case XD_PARTNER__F_BOOL:
        return xd_buf_append_str(b, "`true` or `false`");
    case XD_PARTNER__F_INT:
        return xd_buf_printf(b, "whole number %lld to %lld", (long long)f->min, (long long)f->max);
    case XD_PARTNER__F_DURATION:
        xd_partner__duration_format(f->min, lo, sizeof lo);
        xd_partner__duration_format(f->max, hi, sizeof hi);
        return xd_buf_printf(b, "duration %s to %s", lo, hi);
    case XD_PARTNER__F_DECIMAL:
        return xd_buf_append_str(b, "decimal > 0, at most 6 fraction digits");
    case XD_PARTNER__F_DOCTYPE:
        return xd_buf_append_str(b, "canonical document type");
    case XD_PARTNER__F_JSON:
        return xd_buf_append_str(b, "mapping");
    case XD_PARTNER__F_SECRET:
        return xd_buf_printf(b, "secret text, 1 to %d bytes", XD_SECRET_MAX);
    default:
        return XD_OK;
    }
}

static enum xd_status type_text(struct xd_buf *b, const struct xd_partner__field *f)
{
    switch (f->type) {
    case XD_PARTNER__F_OBJ:
    case XD_PARTNER__F_INL:
        return xd_buf_append_str(b, "mapping (below)");
    case XD_PARTNER__F_LIST:
        if (f->child != NULL) {
            return xd_buf_printf(b, "list of mappings (below), 1 to %lld", (long long)f->max);
        } else {
            enum xd_status st = xd_buf_printf(b, "list, 1 to %lld, of ", (long long)f->max);
            return st == XD_OK ? scalar_text(b, f->elem) : st;
        }
    case XD_PARTNER__F_MAP: {
        uint8_t kc = f->child != NULL ? f->child->key_class : f->sclass;
        enum xd_status st =
            xd_buf_printf(b, "mapping, 1 to %lld entries, of %s: ", (long long)f->max,
                          xd_partner__sclasses[kc].name);
        if (st != XD_OK) {
            return st;
        }
        return f->child != NULL ? xd_buf_append_str(b, "mapping (below)") : scalar_text(b, f->elem);
    }
    default:
        return scalar_text(b, f);
    }
}

static enum xd_status presence_text(struct xd_buf *b, const struct xd_partner__field *f)
{
    if (f->required) {
        return xd_buf_append_str(b, "required");
    }
    if (f->def != NULL) {
        return xd_buf_printf(b, "default `%s`", f->def);
    }
    return xd_buf_append_str(b, "optional");
}

static enum xd_status enum_docs(struct xd_buf *b, const struct xd_partner__field *f)
{
    const struct xd_partner__enum *e = f->type == XD_PARTNER__F_ENUM ? f->names : NULL;
    if (e == NULL && f->elem != NULL && f->elem->type == XD_PARTNER__F_ENUM) {
        e = f->elem->names;
    }
    if (e == NULL || e->docs == NULL) {
        return XD_OK;
    }
    enum xd_status st = XD_OK;
    for (size_t i = 0; st == XD_OK && i < e->n; i++) {
        st = xd_buf_printf(b, "%s`%s`: %s", i ? "; " : " ", e->names[i], e->docs[i]);
    }
    return st == XD_OK ? xd_buf_append_char(b, '.') : st;
}

static enum xd_status schema_table(struct xd_buf *b, const struct xd_partner__schema *s,
                                   const char *path)
{
    enum xd_status st =
        xd_buf_printf(b, "\n### `%s`\n\n%s\n\n", path[0] ? path : "(top level)", s->doc);
    if (st == XD_OK && s->key_doc != NULL) {
        st = xd_buf_printf(b, "Each entry is keyed by its %s.\n\n", s->key_doc);
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(b, "| key | type | presence | meaning |\n|---|---|---|---|\n");
    }
    for (size_t i = 0; st == XD_OK && i < s->n_fields; i++) {
        const struct xd_partner__field *f = &s->fields[i];
        st = xd_buf_printf(b, "| `%s` | ", f->key);
        if (st == XD_OK) {
            st = type_text(b, f);
        }
        if (st == XD_OK) {
            st = xd_buf_append_str(b, " | ");
        }
        if (st == XD_OK) {
            st = presence_text(b, f);
        }
        if (st == XD_OK) {
            st = xd_buf_printf(b, " | %s.", f->doc);
        }
        if (st == XD_OK) {
            st = enum_docs(b, f);
        }
        if (st == XD_OK) {
            st = xd_buf_append_str(b, " |\n");
        }
    }
    return st;
}

static enum xd_status walk(struct xd_buf *b, const struct xd_partner__schema *s, const char *path)
{
    enum xd_status st = schema_table(b, s, path);
    for (size_t i = 0; st == XD_OK && i < s->n_fields; i++) {
        const struct xd_partner__field *f = &s->fields[i];
        if (f->child == NULL) {
            continue;
        }
        char sub[256];
        const char *suffix = f->type == XD_PARTNER__F_LIST  ? "[]"
                             : f->type == XD_PARTNER__F_MAP ? ".<name>"
                                                            : "";
        snprintf(sub, sizeof sub, "%s%s%s%s", path, path[0] ? "." : "", f->key, suffix);
        st = walk(b, f->child, sub);
    }
    return st;
}

enum xd_status xd_partner_describe(struct xd_buf *out)
{
    enum xd_status st = xd_buf_append_str(
        out, "## Fields\n\nEvery key of a profile, level by level. Keys not listed are errors. "
             "Durations are written with units: `500ms`, `30s`, `15m`, `24h`, `7d`, or combined "
             "largest first, `1h30m`.\n");
    if (st == XD_OK) {
        st = walk(out, &xd_partner__profile_schema, "");
    }
    if (st == XD_OK) {
        st =
            xd_buf_append_str(out, "\n## String classes\n\n| class | what it holds |\n|---|---|\n");
    }
    for (size_t i = 0; st == XD_OK && i < XD_PARTNER__C_COUNT; i++) {
        st = xd_buf_printf(out, "| %s | %s |\n", xd_partner__sclasses[i].name,
                           xd_partner__sclasses[i].doc);
    }
    if (st == XD_OK) {
        st = xd_buf_append_str(out, "\n## Rules\n\nChecked once every field is valid on its own; "
                                    "each problem names the field at fault.\n\n");
    }
    for (size_t i = 0; st == XD_OK && i < xd_partner__n_rules; i++) {
        st = xd_buf_printf(out, "%zu. %s\n", i + 1, xd_partner__rules[i].doc);
    }
    return st;
}
