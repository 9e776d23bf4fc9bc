/* The OpenAPI document and the route table describe the same API: every route is documented
 * with each of its methods, and nothing is documented that the router does not serve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "gateway/gw_int.h"

extern const unsigned char xd_gw__openapi_json[];
extern const size_t xd_gw__openapi_json_len;

static json_t *openapi(void)
{
    json_error_t e;
    json_t *j = json_loadb((const char *)xd_gw__openapi_json, xd_gw__openapi_json_len, 0, &e);
    if (j == NULL) {
        fail_msg("docs/openapi.json: line %d: %s", e.line, e.text);
    }
    return j;
}

static void test_every_route_is_documented(void **state)
{
    (void)state;
    json_t *o = openapi();
    json_t *paths = json_object_get(o, "paths");
    for (size_t i = 0; i < xd_gw__route_count; i++) {
        const struct gw_route *rt = &xd_gw__routes[i];
        json_t *p = json_object_get(paths, rt->pattern);
        if (p == NULL) {
            fail_msg("route %s is not in docs/openapi.json", rt->pattern);
        }
        if ((rt->methods & GW_GET) && json_object_get(p, "get") == NULL) {
            fail_msg("GET %s is not documented", rt->pattern);
        }
        if ((rt->methods & GW_POST) && json_object_get(p, "post") == NULL) {
            fail_msg("POST %s is not documented", rt->pattern);
        }
        if ((rt->methods & GW_PUT) && json_object_get(p, "put") == NULL) {
            fail_msg("PUT %s is not documented", rt->pattern);
        }
        json_t *op = json_object_get(p, (rt->methods & GW_POST) ? "post" : "get");
        json_t *sec = json_object_get(op, "security");
        bool documented_open = sec != NULL && json_array_size(sec) == 0;
        if (documented_open == rt->auth) {
            fail_msg("%s: the OpenAPI security does not match the route's auth", rt->pattern);
        }
    }
    json_decref(o);
}

static void test_nothing_documented_is_missing(void **state)
{
    (void)state;
    json_t *o = openapi();
    const char *path;
    json_t *ops;
    json_object_foreach(json_object_get(o, "paths"), path, ops)
    {
        const char *method;
        json_t *op;
        json_object_foreach(ops, method, op)
        {
            char upper[16];
            size_t k = 0;
            for (; method[k] != '\0' && k + 1 < sizeof upper; k++) {
                upper[k] = (char)(method[k] - 'a' + 'A');
            }
            upper[k] = '\0';
            enum gw_method m = xd_gw__method_parse(upper);
            bool found = false;
            for (size_t i = 0; i < xd_gw__route_count; i++) {
                found |= strcmp(xd_gw__routes[i].pattern, path) == 0 &&
                         (xd_gw__routes[i].methods & m) != 0;
            }
            if (!found) {
                fail_msg("%s %s is documented but not routed", upper, path);
            }
        }
    }
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_is_documented),
        cmocka_unit_test(test_nothing_documented_is_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
