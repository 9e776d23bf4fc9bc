/* SPDX-License-Identifier: MIT
 * Helpers shared by the flat-file tests (see flat_helpers.h). */
#include "flat_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *tf_json(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
    if (v == NULL) {
        fail_msg("bad JSON in test: %s (line %d): %s", je.text, je.line, text);
    }
    return v;
}

void tf_print_diags(const struct xd_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        fprintf(stderr, "  [%s] %s: %s\n", d->items[i].code, d->items[i].path, d->items[i].message);
    }
    if (d->dropped) {
        fprintf(stderr, "  (%zu dropped)\n", d->dropped);
    }
}

struct xd_flat_map *tf_map(const char *json)
{
    json_t *spec = tf_json(json);
    struct xd_diags d;
    xd_diags_init(&d, 50);
    struct xd_flat_map *m = NULL;
    enum xd_status st = xd_flat_map_create(spec, &m, &d);
    json_decref(spec);
    if (st != XD_OK) {
        tf_print_diags(&d);
    }
    xd_diags_cleanup(&d);
    assert_int_equal(st, XD_OK);
    return m;
}

enum xd_status tf_map_fails(const char *json, struct xd_diags *d)
{
    json_t *spec = tf_json(json);
    struct xd_flat_map *m = NULL;
    enum xd_status st = xd_flat_map_create(spec, &m, d);
    json_decref(spec);
    if (st == XD_OK) {
        xd_flat_map_destroy(m);
        fail_msg("the map compiled but should not have: %s", json);
    }
    return st;
}

enum xd_status tf_decode(const struct xd_flat_map *m, const char *data, size_t len, json_t **docs,
                         struct xd_diags *d)
{
    *docs = NULL;
    return xd_flat_decode(m, data, len, docs, d);
}

json_t *tf_decode_ok(const struct xd_flat_map *m, const char *text)
{
    struct xd_diags d;
    xd_diags_init(&d, 50);
    json_t *docs = NULL;
    enum xd_status st = xd_flat_decode(m, text, strlen(text), &docs, &d);
    if (st != XD_OK) {
        tf_print_diags(&d);
    }
    xd_diags_cleanup(&d);
    assert_int_equal(st, XD_OK);
    return docs;
}

void tf_assert_json(const json_t *got, const char *expected)
{
    json_t *want = tf_json(expected);
    int same = got != NULL && json_equal(got, want);
    if (!same) {
        char *g = got ? json_dumps(got, JSON_INDENT(2)) : NULL;
        char *w = json_dumps(want, JSON_INDENT(2));
        fprintf(stderr, "got:\n%s\nwanted:\n%s\n", g ? g : "(null)", w ? w : "(null)");
        free(g);
        free(w);
    }
    json_decref(want);
    assert_true(same);
}

void tf_assert_diag(const struct xd_diags *d, size_t i, const char *path, const char *message)
{
    if (i >= d->count || strcmp(d->items[i].path, path) != 0 ||
        strcmp(d->items[i].message, message) != 0) {
        fprintf(stderr, "wanted problem %zu: %s: %s\nhave:\n", i, path, message);
        tf_print_diags(d);
        fail();
    }
}

char *tf_encode_ok(const struct xd_flat_map *m, const char *docs, size_t *len)
{
    json_t *v = tf_json(docs);
    struct xd_buf out;
    xd_buf_init(&out, 1u << 24);
    struct xd_diags d;
    xd_diags_init(&d, 50);
    enum xd_status st = xd_flat_encode(m, v, &out, &d);
    json_decref(v);
    if (st != XD_OK) {
        tf_print_diags(&d);
    }
    xd_diags_cleanup(&d);
    assert_int_equal(st, XD_OK);
    return xd_buf_steal(&out, len);
}

void tf_assert_roundtrip(const struct xd_flat_map *m, const char *docs)
{
    size_t len;
    char *bytes = tf_encode_ok(m, docs, &len);
    struct xd_diags d;
    xd_diags_init(&d, 50);
    json_t *back = NULL;
    enum xd_status st = xd_flat_decode(m, bytes, len, &back, &d);
    if (st != XD_OK) {
        fprintf(stderr, "encoded:\n%.*s\n", (int)len, bytes);
        tf_print_diags(&d);
    }
    xd_diags_cleanup(&d);
    assert_int_equal(st, XD_OK);
    json_t *want = tf_json(docs);
    if (json_is_object(want)) {
        json_t *arr = json_array();
        json_array_append_new(arr, want);
        want = arr;
    }
    char *w = json_dumps(want, JSON_COMPACT);
    tf_assert_json(back, w);
    free(w);
    json_decref(want);
    json_decref(back);
    xd_free(bytes);
}

char *tf_data(const char *name, size_t *len)
{
    const char *src = getenv("CROSSDOCK_SRC");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/flat/%s", src ? src : ".", name);
    struct xd_buf b;
    xd_buf_init(&b, 1u << 24);
    struct xd_error err;
    xd_error_clear(&err);
    if (xd_file_read(path, &b, &err) != XD_OK) {
        xd_buf_cleanup(&b);
        fail_msg("%s", err.message);
    }
    return xd_buf_steal(&b, len);
}
