/* SPDX-License-Identifier: MIT
 * Exact quantities and amounts for the flow rules: decimal strings in the thread's JSON, read
 * and written through struct xd_decimal so nothing is ever a float; and the small JSON helpers
 * that keep the step's sticky status. */
#include <string.h>

#include "core/decimal.h"
#include "flow/flow_int.h"

static void fail(struct xd_flow_step *s, enum xd_status st)
{
    if (s->st == XD_OK) {
        s->st = st;
    }
}

struct xd_decimal xd_flow__dec(struct xd_flow_step *s, const json_t *obj, const char *key)
{
    struct xd_decimal d = {0, 0};
    const json_t *v = obj != NULL ? json_object_get(obj, key) : NULL;
    if (v == NULL || json_is_null(v)) {
        return d;
    }
    if (!json_is_string(v) || xd_decimal_parse(json_string_value(v), json_string_length(v),
                                               XD_DECIMAL_STRICT, &d) != XD_OK) {
        fail(s, XD_EINVAL);
        return (struct xd_decimal){0, 0};
    }
    return d;
}

void xd_flow__set_dec(struct xd_flow_step *s, json_t *obj, const char *key, struct xd_decimal d)
{
    char buf[XD_DECIMAL_STR_MAX];
    xd_decimal_format(xd_decimal_normalize(d), buf, sizeof buf);
    xd_flow__set(s, obj, key, json_string(buf));
}

/* <op> of a and b, its failure (overflow) kept in the step. */
static struct xd_decimal arith(struct xd_flow_step *s,
                               enum xd_status (*op)(struct xd_decimal, struct xd_decimal,
                                                    struct xd_decimal *),
                               struct xd_decimal a, struct xd_decimal b)
{
    struct xd_decimal r = {0, 0};
    enum xd_status st = op(a, b, &r);
    if (st != XD_OK) {
        fail(s, st);
        return (struct xd_decimal){0, 0};
    }
    return r;
}

struct xd_decimal xd_flow__add(struct xd_flow_step *s, struct xd_decimal a, struct xd_decimal b)
{
    return arith(s, xd_decimal_add, a, b);
}

struct xd_decimal xd_flow__sub(struct xd_flow_step *s, struct xd_decimal a, struct xd_decimal b)
{
    return arith(s, xd_decimal_sub, a, b);
}

struct xd_decimal xd_flow__mul(struct xd_flow_step *s, struct xd_decimal a, struct xd_decimal b)
{
    return arith(s, xd_decimal_mul, a, b);
}

bool xd_flow__within_pct(struct xd_flow_step *s, struct xd_decimal actual,
                         struct xd_decimal expected, struct xd_decimal percent)
{
    struct xd_decimal diff = xd_flow__sub(s, actual, expected);
    struct xd_decimal adiff = {0, 0};
    struct xd_decimal aexp = {0, 0};
    if (xd_decimal_abs(diff, &adiff) != XD_OK || xd_decimal_abs(expected, &aexp) != XD_OK) {
        fail(s, XD_ETOOBIG);
        return false;
    }
    /* |diff| * 100 <= |expected| * percent: no division, no rounding. */
    struct xd_decimal lhs = xd_flow__mul(s, adiff, xd_decimal_from_int(100));
    struct xd_decimal rhs = xd_flow__mul(s, aexp, percent);
    return s->st == XD_OK && xd_decimal_cmp(lhs, rhs) <= 0;
}

/* Both take <v>'s reference, also when they fail (the *_new calls release it then). */
void xd_flow__set(struct xd_flow_step *s, json_t *obj, const char *key, json_t *v)
{
    if (v == NULL || obj == NULL || json_object_set_new(obj, key, v) != 0) {
        if (obj == NULL) {
            json_decref(v);
        }
        fail(s, XD_ENOMEM);
    }
}

void xd_flow__append(struct xd_flow_step *s, json_t *arr, json_t *v)
{
    if (v == NULL || arr == NULL || json_array_append_new(arr, v) != 0) {
        if (arr == NULL) {
            json_decref(v);
        }
        fail(s, XD_ENOMEM);
    }
}

void xd_flow__set_str(struct xd_flow_step *s, json_t *obj, const char *key, const char *v)
{
    xd_flow__set(s, obj, key, v != NULL ? json_string(v) : json_null());
}

static json_t *member(struct xd_flow_step *s, json_t *obj, const char *key, bool array)
{
    json_t *v = obj != NULL ? json_object_get(obj, key) : NULL;
    if (v != NULL && (array ? json_is_array(v) : json_is_object(v))) {
        return v;
    }
    v = array ? json_array() : json_object();
    if (v == NULL || obj == NULL || json_object_set_new(obj, key, v) != 0) {
        fail(s, XD_ENOMEM);
        return NULL;
    }
    return v;
}

json_t *xd_flow__obj(struct xd_flow_step *s, json_t *obj, const char *key)
{
    return member(s, obj, key, false);
}

json_t *xd_flow__arr(struct xd_flow_step *s, json_t *obj, const char *key)
{
    return member(s, obj, key, true);
}

const char *xd_flow__str(const json_t *obj, const char *key)
{
    return obj != NULL ? json_string_value(json_object_get(obj, key)) : NULL;
}
