/* SPDX-License-Identifier: MIT
 * Shared helpers of the canon tests (see canon_test.h). */
#include "canon_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

char *canon_test_example(const char *type, size_t *len)
{
    const char *src = getenv("CROSSDOCK_SRC");
    assert_non_null(src);
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/documents/%s.json", src, type);
    struct xd_buf b;
    struct xd_error err;
    xd_error_clear(&err);
    xd_buf_init(&b, 1u << 24);
    if (xd_file_read(path, &b, &err) != XD_OK) {
        fail_msg("%s", err.message);
    }
    size_t n = 0;
    char *text = xd_buf_steal(&b, &n);
    assert_non_null(text);
    if (len != NULL) {
        *len = n;
    }
    return text;
}

/* The container and final key (or index) <path> names inside <root>. */
static json_t *walk(json_t *root, const char *path, char *last, size_t cap)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = root;
    char *seg = buf;
    for (;;) {
        char *dot = strchr(seg, '.');
        if (dot == NULL) {
            snprintf(last, cap, "%s", seg);
            return cur;
        }
        *dot = '\0';
        json_t *next = json_is_array(cur) ? json_array_get(cur, strtoul(seg, NULL, 10))
                                          : json_object_get(cur, seg);
        if (next == NULL) {
            fail_msg("edit path %s: no %s", path, seg);
        }
        cur = next;
        seg = dot + 1;
    }
}

char *canon_test_edit(const char *type, const char *edits)
{
    size_t len;
    char *text = canon_test_example(type, &len);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    json_t *list = json_loads(edits, 0, &jerr);
    if (root == NULL || list == NULL) {
        fail_msg("edits %s: %s", edits, jerr.text);
    }
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        char last[256];
        json_t *at = walk(root, json_string_value(json_array_get(e, 0)), last, sizeof last);
        json_t *value = json_array_get(e, 1);
        if (json_is_array(at)) {
            size_t idx = strtoul(last, NULL, 10);
            if (value == NULL) {
                json_array_remove(at, idx);
            } else if (idx == json_array_size(at)) {
                json_array_append(at, value);
            } else {
                json_array_set(at, idx, value);
            }
        } else if (value == NULL) {
            json_object_del(at, last);
        } else {
            json_object_set(at, last, value);
        }
    }
    char *out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *copy = xd_strdup(out);
    free(out);
    json_decref(root);
    json_decref(list);
    xd_free(text);
    return copy;
}

void canon_test_print_diags(const struct xd_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        print_message("  \"%s %s\" -- %s\n", d->items[i].code, d->items[i].path,
                      d->items[i].message);
    }
}

void canon_test_expect(const char *json, enum xd_status want, const char *const *expected)
{
    struct xd_arena *a = xd_arena_create(0, 0);
    struct xd_diags d;
    xd_diags_init(&d, 0);
    struct xd_canon_doc *doc = NULL;
    enum xd_status st = xd_canon_decode(json, strlen(json), a, &doc, &d);
    size_t n = 0;
    while (expected[n] != NULL) {
        n++;
    }
    bool same = st == want && d.count == n;
    for (size_t i = 0; same && i < n; i++) {
        char got[512];
        snprintf(got, sizeof got, "%s %s", d.items[i].code, d.items[i].path);
        same = strcmp(got, expected[i]) == 0;
    }
    if (!same) {
        print_message("status %s (want %s); problems:\n", xd_status_name(st), xd_status_name(want));
        canon_test_print_diags(&d);
        print_message("expected:\n");
        for (size_t i = 0; i < n; i++) {
            print_message("  \"%s\"\n", expected[i]);
        }
    }
    xd_diags_cleanup(&d);
    xd_arena_destroy(a);
    assert_true(same);
}
