/* The ERP part without an ERP: Tryton's wire values (Decimals, floats, dates and datetimes)
 * read exactly, identifier mapping both ways with the profile's erp section, a connector that
 * cannot be opened without an ERP profile, and posts that refuse what cannot be posted (not
 * JSON, a type the connector does not post, a member missing) without calling Tryton, while an
 * unreachable Tryton is a retry that says so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "erp/erp_int.h"
#include "partner_test.h"

static const char erp_yaml[] = "id: erp\n"
                               "name: ERP\n"
                               "role: erp\n"
                               "erp:\n"
                               "  connector: tryton\n"
                               "  url: \"http://127.0.0.1:1/\"\n"
                               "  database: nw\n"
                               "  credential: login\n"
                               "  products: {NW-1: SKU-1}\n"
                               "  parties: {SUP-1: acme}\n"
                               "  locations: {WH: DC-CHI}\n"
                               "  units: {u: EA}\n"
                               "credentials:\n"
                               "  login: {type: password, username: crossdock, value: pw}\n";

static void test_values(void **state)
{
    (void)state;
    char out[64];
    json_t *v = xd_erp__decimal("2.5000");
    assert_true(xd_erp__number_text(v, out, sizeof out));
    assert_string_equal(out, "2.5");
    json_decref(v);
    v = json_real(10.0);
    assert_true(xd_erp__number_text(v, out, sizeof out));
    assert_string_equal(out, "10");
    json_decref(v);
    v = json_real(0.125);
    assert_true(xd_erp__number_text(v, out, sizeof out));
    assert_string_equal(out, "0.125");
    json_decref(v);
    v = json_integer(42);
    assert_true(xd_erp__number_text(v, out, sizeof out));
    assert_string_equal(out, "42");
    json_decref(v);
    assert_false(xd_erp__number_text(json_null(), out, sizeof out));
    assert_false(xd_erp__number_text(NULL, out, sizeof out));

    v = xd_erp__date("2026-03-02");
    assert_true(xd_erp__date_text(v, out, sizeof out));
    assert_string_equal(out, "2026-03-02");
    json_decref(v);
    assert_null(xd_erp__date("March 2"));
    v = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "__class__", "datetime", "year", 2026,
                  "month", 11, "day", 29, "hour", 2, "minute", 7, "second", 44, "microsecond", 5);
    assert_true(xd_erp__date_text(v, out, sizeof out));
    assert_string_equal(out, "2026-11-29T02:07:44.000005");
    assert_false(xd_erp__date_text(v, out, 12)); /* does not fit: refused, not cut */
    json_decref(v);
}

static void test_open_and_map(void **state)
{
    (void)state;
    struct xd_partner_profile *p = pt_valid(erp_yaml);
    struct xd_partner_registry *reg = NULL;
    assert_int_equal(xd_partner_registry_create(NULL, &reg), XD_OK);
    assert_int_equal(xd_partner_registry_put(reg, p), XD_OK);
    struct xd_erp *e = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_erp_open(p, reg, &e, &err), XD_OK);
    assert_string_equal(e->rpc_url, "http://127.0.0.1:1/nw/");
    assert_string_equal(xd_erp_map_in(e, XD_ERP_MAP_PRODUCT, "NW-1"), "SKU-1");
    assert_null(xd_erp_map_in(e, XD_ERP_MAP_PRODUCT, "NW-2"));
    assert_string_equal(xd_erp_map_out(e, XD_ERP_MAP_PRODUCT, "SKU-1"), "NW-1");
    assert_string_equal(xd_erp_map_out(e, XD_ERP_MAP_PRODUCT, "NW-2"), "NW-2");
    assert_string_equal(xd_erp_map_in(e, XD_ERP_MAP_PARTY, "SUP-1"), "acme");
    assert_string_equal(xd_erp_map_in(e, XD_ERP_MAP_LOCATION, "WH"), "DC-CHI");
    assert_string_equal(xd_erp_map_in(e, XD_ERP_MAP_UNIT, "u"), "EA");

    /* What cannot be posted is refused before Tryton is called. */
    static const struct {
        const char *doc;
        const char *says;
    } refused[] = {
        {"not json", "not JSON"},
        {"{\"type\":\"item\",\"sku\":\"X\"}", "does not post item"},
        {"{\"type\":\"ship_notice\",\"orders\":[]}", "has no asn_number"},
        {"{\"type\":\"receipt\",\"receipt_number\":\"R\"}", "needs the asn_number"},
        {"{\"type\":\"ship_notice\",\"asn_number\":\"A\"}", "has no orders"},
        {"{\"type\":\"ship_notice\",\"asn_number\":\"A\",\"orders\":[{}]}",
         "orders[0] of the ship notice has no po_number"},
        {"{\"type\":\"invoice\",\"invoice_number\":\"I\"}", "needs the po_number"},
    };
    char detail[XD_ERP_DETAIL_MAX];
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        enum xd_erp_outcome o = XD_ERP_DONE;
        assert_int_equal(
            xd_erp_post(e, refused[i].doc, strlen(refused[i].doc), &o, detail, sizeof detail),
            XD_OK);
        assert_int_equal(o, XD_ERP_REFUSED);
        assert_non_null(strstr(detail, refused[i].says));
    }
    /* Nobody listens on port 1: a retry that says Tryton cannot be reached. */
    static const char ack[] = "{\"type\":\"po_acknowledgement\",\"po_number\":\"1\"}";
    enum xd_erp_outcome o = XD_ERP_DONE;
    assert_int_equal(xd_erp_post(e, ack, strlen(ack), &o, detail, sizeof detail), XD_OK);
    assert_int_equal(o, XD_ERP_RETRY);
    assert_non_null(strstr(detail, "cannot be reached"));
    struct xd_erp_batch b;
    assert_int_equal(xd_erp_fetch(e, "", &b, &err), XD_EUNAVAIL);
    assert_int_equal(xd_erp_fetch(e, "yesterday", &b, &err), XD_ECORRUPT);
    xd_erp_close(e);

    /* Not an ERP profile. */
    struct xd_partner_profile *s = pt_valid("id: acme\nname: Acme\nrole: supplier\n");
    assert_int_equal(xd_erp_open(s, reg, &e, &err), XD_EINVAL);
    xd_partner_profile_unref(s);
    xd_partner_profile_unref(p);
    xd_partner_registry_destroy(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_open_and_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
