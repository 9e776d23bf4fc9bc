/* SPDX-License-Identifier: MIT
 * Helpers shared by the partner tests (partner_test.h). */
#include "partner_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

char *pt_read_src(const char *rel, size_t *len)
{
    const char *src = getenv("CROSSDOCK_SRC");
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", src != NULL ? src : ".", rel);
    struct xd_buf b;
    xd_buf_init(&b, (size_t)64 * 1024 * 1024);
    struct xd_error err = {0};
    if (xd_file_read(path, &b, &err) != XD_OK) {
        fail_msg("%s", err.message);
    }
    size_t n = 0;
    char *s = xd_buf_steal(&b, &n);
    char *copy = malloc(n + 1);
    memcpy(copy, s, n + 1);
    xd_free(s);
    if (len != NULL) {
        *len = n;
    }
    return copy;
}

enum xd_status pt_parse(const char *text, enum xd_partner_syntax syntax,
                        struct xd_partner_profile **out, struct xd_partner_problems *pr)
{
    xd_partner_problems_init(pr, 500);
    *out = NULL;
    return xd_partner_parse(text, strlen(text), syntax, out, pr);
}

void pt_dump(const struct xd_partner_problems *pr)
{
    for (size_t i = 0; i < pr->count; i++) {
        fprintf(stderr, "  [%s] %s (%d:%d): %s\n", pr->items[i].code, pr->items[i].path,
                pr->items[i].line, pr->items[i].column, pr->items[i].message);
    }
}

struct xd_partner_profile *pt_valid(const char *yaml)
{
    struct xd_partner_problems pr;
    struct xd_partner_profile *p = NULL;
    enum xd_status st = pt_parse(yaml, XD_PARTNER_YAML, &p, &pr);
    if (st != XD_OK) {
        pt_dump(&pr);
        xd_partner_problems_cleanup(&pr);
        fail_msg("profile refused: %s", xd_status_name(st));
    }
    xd_partner_problems_cleanup(&pr);
    return p;
}

const struct xd_partner_problem *pt_find(const struct xd_partner_problems *pr, const char *code,
                                         const char *path)
{
    for (size_t i = 0; i < pr->count; i++) {
        if (strcmp(pr->items[i].code, code) == 0 && strcmp(pr->items[i].path, path) == 0) {
            return &pr->items[i];
        }
    }
    return NULL;
}

char *pt_json(const struct xd_partner_profile *p, enum xd_partner_emit mode)
{
    struct xd_buf b;
    xd_buf_init(&b, (size_t)64 * 1024 * 1024);
    assert_int_equal(xd_partner_to_json(p, mode, &b), XD_OK);
    size_t n = 0;
    char *s = xd_buf_steal(&b, &n);
    char *copy = malloc(n + 1);
    memcpy(copy, s, n + 1);
    xd_free(s);
    return copy;
}
