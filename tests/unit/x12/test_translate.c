/* SPDX-License-Identifier: MIT
 * Translation tests of src/x12: translate(render(doc)) == doc for every outbound type (the
 * examples and variants: 005010, other delimiters, 860, minimal documents), inbound
 * translation of hand-written sets with and without a partner map, problems that name their
 * segment, notes, map descriptions refused with their path, and allocation failures. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "canon/canon.h"
#include "x12/x12.h"
#include "x12/x12_tr.h"

#define ISA4010                                                                                    \
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "                        \
    "*260101*1200*U*00401*000000007*0*P*>~"
#define TRAILER "GE*1*1~IEA*1*000000007~"

/* ---- Helpers ------------------------------------------------------------------------------- */

struct collected {
    char *json[16];
    enum xd_status status[16];
    char problems[16][1024];
    char warnings[16][2048]; /* "path: message\n" each */
    char notes[16][2048];
    size_t n_warnings[16];
    size_t n;
};

/* "path: message\n" lines of <d> into <out>. */
static void diags_text(const struct xd_diags *d, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < d->count; i++) {
        int k = snprintf(out + used, cap - used, "%s: %s\n", d->items[i].path, d->items[i].message);
        used += k > 0 && (size_t)k < cap - used ? (size_t)k : 0;
    }
}

static enum xd_status collect(void *ctx, const struct xd_x12_translation *t)
{
    struct collected *c = ctx;
    if (c->n == 16) {
        return XD_ETOOBIG;
    }
    c->status[c->n] = t->status;
    diags_text(t->problems, c->problems[c->n], sizeof c->problems[0]);
    diags_text(t->warnings, c->warnings[c->n], sizeof c->warnings[0]);
    diags_text(t->notes, c->notes[c->n], sizeof c->notes[0]);
    c->n_warnings[c->n] = t->warnings->count;
    c->json[c->n] = NULL;
    if (t->status == XD_OK) {
        struct xd_buf b;
        xd_buf_init(&b, 1 << 20);
        assert_int_equal(xd_canon_encode(t->doc, &b), XD_OK);
        c->json[c->n] = xd_buf_steal(&b, NULL);
        xd_buf_cleanup(&b);
    }
    c->n++;
    return XD_OK;
}

static void collected_free(struct collected *c)
{
    for (size_t i = 0; i < c->n; i++) {
        xd_free(c->json[i]);
    }
}

static enum xd_status translate_text(const char *text, const struct xd_x12_map *map,
                                     struct collected *c)
{
    struct xd_x12_reader *r = NULL;
    memset(c, 0, sizeof *c);
    assert_int_equal(xd_x12_reader_create_mem(text, strlen(text), &r), XD_OK);
    enum xd_status st = xd_x12_translate(r, map, NULL, NULL, collect, c, NULL);
    xd_x12_reader_destroy(r);
    return st;
}

/* A map from its JSON description, which must be valid. */
static struct xd_x12_map *map_of(const char *json)
{
    json_t *spec = json_loads(json, 0, NULL);
    assert_non_null(spec);
    struct xd_x12_map *map = NULL;
    assert_int_equal(xd_x12_map_create(spec, &map, NULL), XD_OK);
    json_decref(spec);
    return map;
}

struct out_opts {
    const char *version;
    struct xd_x12_delims delims;
};

/* Render the canonical JSON documents into one interchange. */
static char *render_json(const char *const *docs, size_t n, const struct xd_x12_map *map,
                         const struct out_opts *oo)
{
    struct xd_buf out;
    struct xd_error err;
    struct xd_x12_writer *w = NULL;
    struct xd_x12_renderer *rd = NULL;
    bool v5 = oo && oo->version && strncmp(oo->version, "005010", 6) == 0;
    /* 004010's usual component separator, '>': the examples' notes hold ':' */
    struct xd_x12_writer_options wo = {.delims = oo ? oo->delims
                                                    : (struct xd_x12_delims){'*', '>', '^', '~'},
                                       .isa_version = v5 ? "00501" : "00401",
                                       .sender_qualifier = "ZZ",
                                       .sender_id = "NORTHWIND",
                                       .receiver_qualifier = "ZZ",
                                       .receiver_id = "PARTNER",
                                       .date = "20260301",
                                       .time = "1200",
                                       .isa_control = 42};
    struct xd_x12_render_options ro = {
        .version = oo ? oo->version : NULL, .group_control = 7, .set_control = 9};
    xd_error_clear(&err);
    xd_buf_init(&out, 1 << 24);
    assert_int_equal(xd_x12_writer_create(&wo, &out, &w, &err), XD_OK);
    assert_int_equal(xd_x12_renderer_create(w, map, &ro, &rd), XD_OK);
    for (size_t i = 0; i < n; i++) {
        struct xd_arena *a = xd_arena_create(0, 0);
        struct xd_canon_doc *doc = NULL;
        struct xd_diags d;
        xd_diags_init(&d, 10);
        enum xd_status st = xd_canon_decode(docs[i], strlen(docs[i]), a, &doc, &d);
        if (st != XD_OK) {
            fprintf(stderr, "decode: %s: %s\n", d.count ? d.items[0].path : "",
                    d.count ? d.items[0].message : "");
        }
        assert_int_equal(st, XD_OK);
        st = xd_x12_render(rd, doc, &err);
        if (st != XD_OK) {
            fprintf(stderr, "render: %s\n", err.message);
        }
        assert_int_equal(st, XD_OK);
        xd_diags_cleanup(&d);
        xd_arena_destroy(a);
    }
    assert_int_equal(xd_x12_renderer_finish(rd, &err), XD_OK);
    assert_int_equal(xd_x12_writer_finish(w, &err), XD_OK);
    xd_x12_renderer_destroy(rd);
    xd_x12_writer_destroy(w);
    char *s = xd_buf_steal(&out, NULL);
    xd_buf_cleanup(&out);
    return s;
}

/* <json> without what X12 does not carry: id, correlation_id, source. */
static json_t *body_of(const char *json)
{
    json_t *j = json_loads(json, 0, NULL);
    assert_non_null(j);
    json_object_del(j, "id");
    json_object_del(j, "correlation_id");
    json_object_del(j, "source");
    return j;
}

static void assert_same(const char *want, const char *got)
{
    json_t *a = body_of(want), *b = body_of(got);
    if (!json_equal(a, b)) {
        char *x = json_dumps(a, JSON_SORT_KEYS), *y = json_dumps(b, JSON_SORT_KEYS);
        fprintf(stderr, "want %s\n got %s\n", x, y);
        free(x);
        free(y);
    }
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
}

/* The translated document's source: the envelope it was rendered in. */
static void assert_source(const char *got, const char *version, const char *set_control)
{
    json_t *j = json_loads(got, 0, NULL);
    json_t *s = json_object_get(j, "source");
    assert_string_equal(json_string_value(json_object_get(s, "format")), "x12");
    assert_string_equal(json_string_value(json_object_get(s, "version")), version);
    assert_string_equal(json_string_value(json_object_get(s, "sender_id")), "NORTHWIND");
    assert_string_equal(json_string_value(json_object_get(s, "receiver_id")), "PARTNER");
    json_t *c = json_object_get(s, "control_numbers");
    assert_string_equal(json_string_value(json_object_get(c, "interchange")), "000000042");
    assert_string_equal(json_string_value(json_object_get(c, "group")), "7");
    assert_string_equal(json_string_value(json_object_get(c, "transaction_set")), set_control);
    json_decref(j);
}

static void round_trip(const char *json, const struct xd_x12_map *map, const struct out_opts *oo)
{
    char *x12 = render_json(&json, 1, map, oo);
    struct collected c;
    enum xd_status st = translate_text(x12, map, &c);
    if (st != XD_OK || c.n != 1 || c.status[0] != XD_OK) {
        fprintf(stderr, "%s\n%s\n", x12, c.n ? c.problems[0] : "no set");
    }
    assert_int_equal(st, XD_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.status[0], XD_OK);
    assert_same(json, c.json[0]);
    assert_source(c.json[0], oo && oo->version ? oo->version : "004010", "0009");
    collected_free(&c);
    xd_free(x12);
}

static char *example(const char *name)
{
    char path[512];
    const char *src = getenv("CROSSDOCK_SRC");
    snprintf(path, sizeof path, "%s/examples/documents/%s.json", src ? src : ".", name);
    struct xd_buf b;
    struct xd_error err;
    xd_buf_init(&b, 1 << 22);
    assert_int_equal(xd_file_read(path, &b, &err), XD_OK);
    char *s = xd_buf_steal(&b, NULL);
    xd_buf_cleanup(&b);
    return s;
}

static const char *const outbound_examples[] = {
    "purchase_order",    "po_acknowledgement",    "ship_notice",        "invoice",
    "shipping_order",    "shipment_confirmation", "inventory_snapshot", "receipt",
    "application_advice"};

static const char *str_at(json_t *j, const char *path);

/* ---- Round trips --------------------------------------------------------------------------- */

static void test_examples_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < XD_ARRAY_LEN(outbound_examples); i++) {
        char *json = example(outbound_examples[i]);
        round_trip(json, NULL, NULL);
        xd_free(json);
    }
}

static void test_examples_round_trip_005010_odd_delimiters(void **state)
{
    (void)state;
    struct out_opts oo = {"005010", {'|', '}', '^', '\n'}};
    for (size_t i = 0; i < XD_ARRAY_LEN(outbound_examples); i++) {
        char *json = example(outbound_examples[i]);
        round_trip(json, NULL, &oo);
        xd_free(json);
    }
}

/* A change order is an 860 (BCH, POC); a cancellation may have no lines. */
static void test_change_and_cancel_are_860(void **state)
{
    (void)state;
    const char *change =
        "{\"type\":\"purchase_order\",\"po_number\":\"PO-77\",\"purpose\":\"change\","
        "\"revision\":3,\"order_date\":\"2026-03-02\",\"buyer\":{\"name\":\"Buyer Co\"},"
        "\"supplier\":{\"duns\":\"804735132\"},\"currency\":\"USD\",\"lines\":[{\"line_number\":1,"
        "\"sku\":\"A-1\",\"quantity\":\"10\",\"uom\":\"EA\",\"unit_price\":\"2.50\","
        "\"change\":\"change\"},{\"line_number\":2,\"sku\":\"A-2\",\"quantity\":\"5\","
        "\"uom\":\"CA\",\"change\":\"delete\"},{\"line_number\":3,\"sku\":\"A-3\","
        "\"quantity\":\"1\",\"uom\":\"EA\",\"change\":\"add\"}]}";
    char *x12 = render_json(&change, 1, NULL, NULL);
    assert_non_null(strstr(x12, "ST*860*0009~"));
    assert_non_null(strstr(x12, "BCH*04*NE*PO-77**3*20260302~"));
    assert_non_null(strstr(x12, "POC*2*DI*5**CA*"));
    xd_free(x12);
    round_trip(change, NULL, NULL);
    const char *cancel =
        "{\"type\":\"purchase_order\",\"po_number\":\"PO-77\",\"purpose\":\"cancel\","
        "\"order_date\":\"2026-03-02\",\"buyer\":{\"gln\":\"0614141000012\"},"
        "\"supplier\":{\"assigned_id\":\"V-1\"}}";
    round_trip(cancel, NULL, NULL);
}

static void test_variants_round_trip(void **state)
{
    (void)state;
    const char *const docs[] = {
        /* an order without optional parts, a line named by a non-numeric id */
        "{\"type\":\"purchase_order\",\"po_number\":\"P1\",\"purpose\":\"original\","
        "\"order_date\":\"2026-01-05\",\"buyer\":{\"name\":\"B\"},\"supplier\":{\"name\":\"S\"},"
        "\"lines\":[{\"line_number\":1,\"line_id\":\"A1\",\"buyer_part\":\"X\","
        "\"quantity\":\"1.5\",\"uom\":\"LB\"}]}",
        /* a rejected acknowledgement */
        "{\"type\":\"po_acknowledgement\",\"po_number\":\"P1\",\"purpose\":\"replace\","
        "\"status\":\"rejected\",\"po_date\":\"2026-01-02\",\"ack_date\":\"2026-01-06\",\"lines\":["
        "{\"line_number\":1,\"status\":\"rejected\","
        "\"vendor_part\":\"V9\",\"reason\":\"Discontinued\"}]}",
        /* an ASN with an item right under its order and a pallet of cartons */
        "{\"type\":\"ship_notice\",\"asn_number\":\"A1\",\"purpose\":\"original\",\"notice_date\":"
        "\"2026-01-07\","
        "\"ship_date\":\"2026-01-07\",\"ship_to\":{\"gln\":\"0614141000029\"},\"orders\":[{"
        "\"po_number\":\"P1\",\"packs\":[{\"sscc\":\"006141410041000026\",\"kind\":\"pallet\"},"
        "{\"sscc\":\"006141410041000033\",\"kind\":\"carton\",\"parent_sscc\":"
        "\"006141410041000026\",\"tracking_number\":\"1Z9\",\"items\":[{\"sku\":\"K\","
        "\"quantity\":\"2\",\"uom\":\"EA\",\"serial_numbers\":[\"S1\",\"S2\"]}]}],"
        "\"items\":[{\"line_number\":4,\"gtin\":\"00614141204175\",\"quantity\":\"3\","
        "\"uom\":\"EA\",\"lot_number\":\"L7\",\"expiry_date\":\"2027-01-01\"}]}]}",
        /* a credit memo with a charge and a tax */
        "{\"type\":\"invoice\",\"invoice_number\":\"C1\",\"invoice_type\":\"credit_memo\","
        "\"invoice_date\":\"2026-02-01\",\"supplier\":{\"name\":\"S\"},\"buyer\":{\"name\":\"B\"},"
        "\"currency\":\"EUR\",\"lines\":[{\"line_number\":1,\"sku\":\"K\",\"quantity\":\"2\","
        "\"uom\":\"EA\",\"unit_price\":\"10.00\",\"amount\":\"20.00\"}],\"charges\":[{\"code\":"
        "\"handling\",\"amount\":\"5.00\"}],\"taxes\":[{\"type\":\"vat\",\"amount\":\"5.00\","
        "\"rate_percent\":\"20\"}],\"totals\":{\"line_count\":1,\"subtotal\":\"20.00\","
        "\"charges_total\":\"5.00\",\"tax_total\":\"5.00\",\"total_amount\":\"30.00\"}}",
        /* a shipping order without carrier or freight terms */
        "{\"type\":\"shipping_order\",\"order_number\":\"SO1\",\"purpose\":\"original\","
        "\"order_date\":\"2026-01-02\",\"location_id\":\"WH-1\",\"ship_to\":{\"name\":\"C\"},"
        "\"lines\":[{\"line_number\":1,\"sku\":\"K\",\"quantity\":\"1\",\"uom\":\"EA\"}]}",
        /* a shipment confirmation without packages, shipped in UTC */
        "{\"type\":\"shipment_confirmation\",\"order_number\":\"SO1\",\"shipment_id\":\"SH1\","
        "\"location_id\":\"WH-1\",\"shipped_at\":\"2026-01-03T08:00:30Z\",\"lines\":[{"
        "\"line_number\":1,\"sku\":\"K\",\"shipped_quantity\":\"0\",\"uom\":\"EA\","
        "\"status\":\"cancelled\"}]}",
        /* a snapshot with one quantity */
        "{\"type\":\"inventory_snapshot\",\"snapshot_id\":\"S1\",\"location_id\":\"WH-1\","
        "\"as_of\":\"2026-01-03T00:00:00Z\",\"lines\":[{\"sku\":\"K\",\"uom\":\"EA\","
        "\"on_hand\":\"7\"}]}",
        /* a receipt of a line with a rejected part */
        "{\"type\":\"receipt\",\"receipt_number\":\"R1\",\"location_id\":\"WH-1\","
        "\"received_at\":\"2026-01-04T10:00:00-05:00\",\"lines\":[{\"line_number\":1,"
        "\"sku\":\"K\",\"received_quantity\":\"4\",\"rejected_quantity\":\"1\","
        "\"uom\":\"EA\",\"serial_numbers\":[\"A\",\"B\",\"C\",\"D\"]}]}",
    };
    for (size_t i = 0; i < XD_ARRAY_LEN(docs); i++) {
        round_trip(docs[i], NULL, NULL);
        struct out_opts oo = {"005010", {'~', '`', '^', '\''}};
        round_trip(docs[i], NULL, &oo);
    }
}

/* What X12 makes mandatory and the canonical document optional comes back filled in: an
 * acknowledgement's purpose (BAK01 00) and order date (BAK04: the acknowledgement's), a ship
 * notice's date (BSN03: the ship date). docs/x12.md lists these. */
static void test_mandatory_elements_fill_in(void **state)
{
    (void)state;
    const char *ack = "{\"type\":\"po_acknowledgement\",\"po_number\":\"P1\",\"status\":"
                      "\"accepted\",\"ack_date\":\"2026-01-06\"}";
    char *x12 = render_json(&ack, 1, NULL, NULL);
    assert_non_null(strstr(x12, "BAK*00*AD*P1*20260106*****20260106~"));
    struct collected c;
    assert_int_equal(translate_text(x12, NULL, &c), XD_OK);
    json_t *j = json_loads(c.json[0], 0, NULL);
    assert_string_equal(str_at(j, "purpose"), "original");
    assert_string_equal(str_at(j, "po_date"), "2026-01-06");
    json_decref(j);
    collected_free(&c);
    xd_free(x12);
    /* an order's totals without a line count: CTT01 is the number of lines */
    const char *po = "{\"type\":\"purchase_order\",\"po_number\":\"P1\",\"purpose\":\"original\","
                     "\"order_date\":\"2026-01-05\",\"buyer\":{\"name\":\"B\"},\"supplier\":{"
                     "\"name\":\"S\"},\"lines\":[{\"line_number\":1,\"sku\":\"K\",\"quantity\":"
                     "\"4\",\"uom\":\"EA\"},{\"line_number\":2,\"sku\":\"L\",\"quantity\":\"1\","
                     "\"uom\":\"EA\"}],\"totals\":{\"total_quantity\":\"5\"}}";
    x12 = render_json(&po, 1, NULL, NULL);
    assert_non_null(strstr(x12, "CTT*2*5~"));
    assert_int_equal(translate_text(x12, NULL, &c), XD_OK);
    j = json_loads(c.json[0], 0, NULL);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(j, "totals"), "line_count")), 2);
    json_decref(j);
    collected_free(&c);
    xd_free(x12);
}

/* Several documents of two groups in one interchange; each read back in order. */
static void test_several_documents_one_interchange(void **state)
{
    (void)state;
    char *a = example("purchase_order"), *b = example("purchase_order"), *c = example("invoice");
    const char *docs[] = {a, b, c};
    char *x12 = render_json(docs, 3, NULL, NULL);
    assert_non_null(strstr(x12, "GE*2*7~"));
    assert_non_null(strstr(x12, "GS*IN*NORTHWIND*PARTNER*20260301*1200*8*X*004010~"));
    assert_non_null(strstr(x12, "IEA*2*000000042~"));
    struct collected col;
    assert_int_equal(translate_text(x12, NULL, &col), XD_OK);
    assert_int_equal(col.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(col.status[i], XD_OK);
        assert_same(docs[i], col.json[i]);
    }
    collected_free(&col);
    xd_free(x12);
    xd_free(a);
    xd_free(b);
    xd_free(c);
}

/* ---- Inbound ------------------------------------------------------------------------------- */

static json_t *one_doc(const char *text, const struct xd_x12_map *map)
{
    struct collected c;
    enum xd_status st = translate_text(text, map, &c);
    if (c.n != 1 || c.status[0] != XD_OK) {
        fprintf(stderr, "%s\n", c.n ? c.problems[0] : "no set");
    }
    assert_int_equal(st, XD_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.status[0], XD_OK);
    json_t *j = json_loads(c.json[0], 0, NULL);
    collected_free(&c);
    return j;
}

static const char *str_at(json_t *j, const char *path)
{
    /* "a.b.0.c": object members and array indexes */
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *tok = buf, *next; tok != NULL && j != NULL; tok = next) {
        next = strchr(tok, '.');
        if (next != NULL) {
            *next++ = '\0';
        }
        j = (tok[0] >= '0' && tok[0] <= '9') ? json_array_get(j, strtoul(tok, NULL, 10))
                                             : json_object_get(j, tok);
    }
    return j ? json_string_value(j) : NULL;
}

#define PO_850                                                                                     \
    ISA4010 "GS*PO*SENDER*RECEIVER*20260101*1200*1*X*004010~ST*850*0001~"                          \
            "BEG*00*SA*PO-1**20260101~CUR*BY*USD~REF*DP*038*Dept~DTM*002*20260115~"                \
            "N1*ST*DC 4*UL*0614141000029~N3*100 Way~N4*Columbus*OH*43215~"                         \
            "PO1*1*120*CS*9.25**BP*B-1*VP*V-1*UP*614141204175~PID*F****Widget~"                    \
            "PO1*2*1*EA*2**BP*B-2~CTT*2~SE*13*0001~" TRAILER

static void test_inbound_850_defaults(void **state)
{
    (void)state;
    /* CS is not a canonical unit: without a map the order is refused at its PO1 */
    struct collected c;
    assert_int_equal(translate_text(PO_850, NULL, &c), XD_OK);
    assert_int_equal(c.status[0], XD_EINVAL);
    assert_non_null(strstr(c.problems[0], "segment 9 PO1: $.lines[0].uom"));
    collected_free(&c);
    struct xd_x12_map *map = map_of("{\"uom\":{\"CS\":\"CA\"}}");
    json_t *j = one_doc(PO_850, map);
    assert_string_equal(str_at(j, "po_number"), "PO-1");
    assert_string_equal(str_at(j, "order_type"), "standard");
    assert_string_equal(str_at(j, "requested_delivery_date"), "2026-01-15");
    assert_string_equal(str_at(j, "references.0.description"), "Dept");
    assert_string_equal(str_at(j, "ship_to.gln"), "0614141000029");
    assert_string_equal(str_at(j, "ship_to.address.country"), "US"); /* N404 omitted */
    /* buyer and supplier from the envelope: the 850 comes from the buyer */
    assert_string_equal(str_at(j, "buyer.assigned_id"), "SENDER");
    assert_string_equal(str_at(j, "supplier.assigned_id"), "RECEIVER");
    assert_string_equal(str_at(j, "lines.0.buyer_part"), "B-1");
    assert_string_equal(str_at(j, "lines.0.vendor_part"), "V-1");
    assert_string_equal(str_at(j, "lines.0.gtin"), "614141204175");
    assert_string_equal(str_at(j, "lines.0.uom"), "CA");
    assert_string_equal(str_at(j, "lines.0.description"), "Widget");
    json_decref(j);
    xd_x12_map_destroy(map);
}

static void test_inbound_850_with_map(void **state)
{
    (void)state;
    struct xd_x12_map *map =
        map_of("{\"item_ids\":{\"sku\":\"BP\",\"buyer_part\":[\"IN\"]},"
               "\"uom\":{\"CS\":\"CA\"},\"dates\":{\"cancel_after_date\":\"002\"},"
               "\"locations\":[{\"location_id\":\"DC-4\",\"qualifier\":\"UL\","
               "\"id\":\"0614141000029\"}],\"codes\":{\"order_type\":"
               "{\"rush\":\"SA\"}}}");
    json_t *j = one_doc(PO_850, map);
    assert_string_equal(str_at(j, "lines.0.sku"), "B-1");
    assert_null(str_at(j, "lines.0.buyer_part"));
    assert_string_equal(str_at(j, "lines.0.uom"), "CA");
    assert_string_equal(str_at(j, "cancel_after_date"), "2026-01-15");
    assert_null(str_at(j, "requested_delivery_date"));
    assert_string_equal(str_at(j, "ship_to.location_id"), "DC-4");
    assert_string_equal(str_at(j, "order_type"), "rush");
    json_decref(j);
    xd_x12_map_destroy(map);
}

/* A canonical problem names the segment behind the object at fault. */
static void test_problem_names_segment(void **state)
{
    (void)state;
    struct collected c;
    assert_int_equal(translate_text(ISA4010
                                    "GS*PO*SENDER*RECEIVER*20260101*1200*1*X*004010~"
                                    "ST*850*0001~BEG*00*SA*PO-1**20260101~"
                                    "PO1*1*1*EA***BP*B-1~PO1*2*1*XX***BP*B-2~SE*5*0001~" TRAILER,
                                    NULL, &c),
                     XD_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.status[0], XD_EINVAL);
    assert_non_null(strstr(c.problems[0], "segment 4 PO1: $.lines[1].uom"));
    assert_null(strstr(c.problems[0], "lines[0]"));
    collected_free(&c);
    /* a one-character ISA sender cannot stand for the supplier: no N1 could carry it */
    assert_int_equal(
        translate_text("ISA*00*          *00*          *ZZ*S              *ZZ*RECEIVER       "
                       "*260101*1200*U*00401*000000007*0*P*>~"
                       "GS*IN*SX*RECEIVER*20260101*1200*1*X*004010~ST*810*0001~BIG*20260101*I1~"
                       "N1*BY*B~IT1*1*2*EA*10**VP*K~TDS*2000~CTT*1~SE*7*0001~" TRAILER,
                       NULL, &c),
        XD_OK);
    assert_int_equal(c.status[0], XD_EINVAL);
    assert_non_null(strstr(c.problems[0], "$.supplier"));
    collected_free(&c);
}

/* A set rejected by validation is not translated; 997s have no canonical document. */
static void test_rejected_and_unsupported_sets(void **state)
{
    (void)state;
    struct collected c;
    assert_int_equal(translate_text(ISA4010 "GS*PO*SENDER*RECEIVER*20260101*1200*1*X*004010~"
                                            "ST*850*0001~BEG*99*SA*PO-1**20260101~PO1*1*1*EA~"
                                            "SE*4*0001~GE*1*1~GS*FA*SENDER*RECEIVER*20260101*"
                                            "1200*2*X*004010~ST*997*0001~AK1*PO*1~AK9*A*1*1*1~"
                                            "SE*4*0001~GE*1*2~IEA*2*000000007~",
                                    NULL, &c),
                     XD_EINVALDOC);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.status[0], XD_EINVALDOC);
    assert_int_equal(c.status[1], XD_EUNSUPPORTED);
    collected_free(&c);
}

/* Codes without a canonical counterpart are left out with a note; CTT totals that do not add
 * up too. A GTIN with a wrong check digit is the sender's mistake: a warning. */
static enum xd_status count_notes(void *ctx, const struct xd_x12_translation *t)
{
    size_t *n = ctx;
    assert_int_equal(t->status, XD_OK);
    n[0] = t->notes->count;
    n[1] = t->warnings->count;
    return XD_OK;
}

static void test_notes(void **state)
{
    (void)state;
    const char *text = ISA4010 "GS*PO*SENDER*RECEIVER*20260101*1200*1*X*004010~ST*850*0001~"
                               "BEG*00*RE*PO-1**20260101~FOB*DF~"
                               "PO1*1*2*EA***BP*B-1*UP*614141204176~CTT*1*3~SE*6*0001~" TRAILER;
    struct xd_x12_reader *r = NULL;
    size_t notes[2] = {0, 0};
    assert_int_equal(xd_x12_reader_create_mem(text, strlen(text), &r), XD_OK);
    assert_int_equal(xd_x12_translate(r, NULL, NULL, NULL, count_notes, notes, NULL), XD_OK);
    assert_int_equal(notes[0], 3); /* BEG02 RE, FOB01 DF, CTT02 */
    assert_int_equal(notes[1], 1); /* the GTIN, left out: the line has BP */
    xd_x12_reader_destroy(r);
    /* a CTT01 that miscounts the lines reads as the count of lines there are */
    text = ISA4010 "GS*PO*SENDER*RECEIVER*20260101*1200*1*X*004010~ST*850*0001~"
                   "BEG*00*SA*PO-1**20260101~N1*BY*B~N1*SE*S~"
                   "PO1*1*2*EA***BP*B-1~CTT*0*2~SE*7*0001~" TRAILER;
    struct collected c;
    assert_int_equal(translate_text(text, NULL, &c), XD_OK);
    assert_int_equal(c.status[0], XD_OK);
    assert_non_null(strstr(c.json[0], "\"totals\":{\"line_count\":1,\"total_quantity\":\"2\"}"));
    collected_free(&c);
}

/* ---- Translation warnings: what the sender got wrong, corrected and said -------------------- */

#define GS_PO "GS*PO*SENDER*RECEIVER*20260101*1200*1*X*004010~"
#define GS_PR "GS*PR*SENDER*RECEIVER*20260101*1200*1*X*004010~"
#define GS_IN "GS*IN*SENDER*RECEIVER*20260101*1200*1*X*004010~"
#define GS_IB "GS*IB*SENDER*RECEIVER*20260101*1200*1*X*004010~"

/* The one set of <text> translates: its document (json_decref it), its warnings as text in
 * <warnings> and their number as the result. */
static size_t warned_doc(const char *text, const struct xd_x12_map *map, json_t **doc,
                         char warnings[2048])
{
    struct collected c;
    enum xd_status st = translate_text(text, map, &c);
    if (c.n != 1 || c.status[0] != XD_OK) {
        fprintf(stderr, "%s\n", c.n ? c.problems[0] : "no set");
    }
    assert_int_equal(st, XD_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.status[0], XD_OK);
    snprintf(warnings, 2048, "%s", c.warnings[0]);
    size_t n = c.n_warnings[0];
    *doc = json_loads(c.json[0], 0, NULL);
    collected_free(&c);
    return n;
}

/* A GTIN with a wrong check digit, or an ID under a qualifier the map gives no member, is kept
 * as vendor_part when the line names its item no other way; a wrong GTIN beside another ID is
 * left out. Each with a warning. */
static void test_warn_item_ids(void **state)
{
    (void)state;
    char w[2048];
    json_t *j = NULL;
    size_t n = warned_doc(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~"
                                        "PO1*1*2*EA***UP*614141204176~"
                                        "PO1*2*2*EA***BP*B-2*UP*614141204176~"
                                        "PO1*3*2*EA***N4*12345678901~SE*6*0001~" TRAILER,
                          NULL, &j, w);
    assert_int_equal(n, 3);
    assert_string_equal(str_at(j, "lines.0.vendor_part"), "614141204176");
    assert_null(str_at(j, "lines.0.gtin"));
    assert_string_equal(str_at(j, "lines.1.buyer_part"), "B-2");
    assert_null(str_at(j, "lines.1.vendor_part"));
    assert_string_equal(str_at(j, "lines.2.vendor_part"), "12345678901");
    assert_non_null(strstr(w, "segment 3 PO107: '614141204176' is not a GTIN (length, check "
                              "digit): kept as vendor_part"));
    assert_non_null(strstr(w, "segment 4 PO109: '614141204176' is not a GTIN (length, check "
                              "digit): left out"));
    assert_non_null(strstr(w, "segment 5 PO107: '12345678901': the map gives qualifier N4 no "
                              "member"));
    json_decref(j);
    /* BLI: the pairs at 01 and from 08 on are one line's IDs, read together */
    struct xd_x12_map *map = map_of("{\"codes\":{\"return_reason\":{\"damaged\":\"DA\"}}}");
    n = warned_doc(ISA4010 "GS*AN*SENDER*RECEIVER*20260101*1200*1*X*004010~ST*180*0001~"
                           "BGN*00*RMA-1*20260101~RDR*DA~BLI*UP*614141204176*2*EA****BP*B-1~"
                           "SE*5*0001~" TRAILER,
                   map, &j, w);
    assert_int_equal(n, 1);
    assert_string_equal(str_at(j, "lines.0.buyer_part"), "B-1");
    assert_null(str_at(j, "lines.0.vendor_part"));
    assert_non_null(strstr(w, "segment 4 BLI02: '614141204176' is not a GTIN (length, check "
                              "digit): left out"));
    json_decref(j);
    xd_x12_map_destroy(map);
}

/* A line of quantity 0 orders nothing: dropped with a warning; CTT01 counted it. */
static void test_warn_zero_quantity(void **state)
{
    (void)state;
    char w[2048];
    json_t *j = NULL;
    size_t n = warned_doc(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~"
                                        "PO1*1*2*CR***BP*B-1~PO1*2*0*EA***BP*B-2~CTT*2*2~"
                                        "SE*6*0001~" TRAILER,
                          NULL, &j, w);
    assert_int_equal(n, 1);
    assert_int_equal(json_array_size(json_object_get(j, "lines")), 1);
    assert_string_equal(str_at(j, "lines.0.buyer_part"), "B-1");
    assert_string_equal(str_at(j, "lines.0.uom"), "CR"); /* X12 355: cubic metre */
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(j, "totals"), "line_count")), 1);
    assert_non_null(strstr(w, "segment 4 PO102: quantity 0: the line is dropped"));
    json_decref(j);
    /* nothing left to order: refused, the warning still says why the line went */
    struct collected c;
    assert_int_equal(translate_text(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~"
                                                  "PO1*1*0*EA***BP*B-1~SE*4*0001~" TRAILER,
                                    NULL, &c),
                     XD_OK);
    assert_int_equal(c.status[0], XD_EINVAL);
    assert_int_equal(c.n_warnings[0], 1);
    collected_free(&c);
}

/* A line whose PO101 is no number is numbered by its place; after a line of quantity 0 is
 * dropped, by its place among the lines left, which is what reading the rendered order gives
 * it (found by the fuzzer: the order said 2, its rendering read back 1). */
static void test_zero_quantity_id_line_number(void **state)
{
    (void)state;
    char w[2048];
    json_t *j = NULL;
    size_t n =
        warned_doc(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~"
                                 "PO1*1*0*EA***BP*B-1~PO1*A7*2*EA***BP*B-2~SE*5*0001~" TRAILER,
                   NULL, &j, w);
    assert_int_equal(n, 1);
    json_t *line = json_array_get(json_object_get(j, "lines"), 0);
    assert_int_equal(json_array_size(json_object_get(j, "lines")), 1);
    assert_int_equal(json_integer_value(json_object_get(line, "line_number")), 1);
    assert_string_equal(str_at(j, "lines.0.line_id"), "A7");
    char *json = json_dumps(j, JSON_COMPACT);
    assert_non_null(json);
    round_trip(json, NULL, NULL);
    free(json);
    json_decref(j);
}

/* An acknowledgement dated before its order is read as dated the order's day. */
static void test_warn_ack_before_order(void **state)
{
    (void)state;
    char w[2048];
    json_t *j = NULL;
    size_t n = warned_doc(ISA4010 GS_PR "ST*855*0001~BAK*00*AC*PO-1*20260110*****20260105~"
                                        "PO1*1*2*EA*1**BP*B-1~SE*4*0001~" TRAILER,
                          NULL, &j, w);
    assert_int_equal(n, 1);
    assert_string_equal(str_at(j, "ack_date"), "2026-01-10");
    assert_string_equal(str_at(j, "po_date"), "2026-01-10");
    assert_non_null(strstr(w, "BAK09: the acknowledgement date 2026-01-05 is before the "
                              "order's (BAK04 2026-01-10)"));
    json_decref(j);
    /* no BAK09: the group's date (GS04 2026-01-01) stands for it, and is before the order */
    n = warned_doc(ISA4010 GS_PR "ST*855*0001~BAK*00*AC*PO-1*20260110~PO1*1*2*EA*1**BP*B-1~"
                                 "SE*4*0001~" TRAILER,
                   NULL, &j, w);
    assert_int_equal(n, 1);
    assert_string_equal(str_at(j, "ack_date"), "2026-01-10");
    json_decref(j);
}

/* TDS01 is what is billed: a difference from what the invoice lists is kept as a charge or an
 * allowance coded "other". A line without a price is billed at 0, with a warning. */
static void test_warn_tds_difference(void **state)
{
    (void)state;
    char w[2048];
    json_t *j = NULL;
    size_t n = warned_doc(ISA4010 GS_IN "ST*810*0001~BIG*20260101*INV-1~IT1*1*2*EA*10**VP*K-1~"
                                        "TDS*2500~SE*5*0001~" TRAILER,
                          NULL, &j, w);
    assert_int_equal(n, 1);
    assert_string_equal(str_at(j, "charges.0.code"), "other");
    assert_string_equal(str_at(j, "charges.0.amount"), "5.00");
    assert_string_equal(str_at(j, "totals.charges_total"), "5.00");
    assert_string_equal(str_at(j, "totals.total_amount"), "25.00");
    assert_non_null(strstr(w, "segment 4 TDS01: TDS01 25.00 is not lines + charges - "
                              "allowances + taxes (20.00): the difference 5.00 is kept as a "
                              "charge"));
    json_decref(j);
    n = warned_doc(ISA4010 GS_IN "ST*810*0001~BIG*20260101*INV-1~IT1*1*2*EA*10**VP*K-1~"
                                 "TDS*1500~SE*5*0001~" TRAILER,
                   NULL, &j, w);
    assert_int_equal(n, 1);
    assert_string_equal(str_at(j, "allowances.0.code"), "other");
    assert_string_equal(str_at(j, "allowances.0.amount"), "5.00");
    json_decref(j);
    n = warned_doc(ISA4010 GS_IN "ST*810*0001~BIG*20260101*INV-1~IT1*1*2*EA***VP*K-1~"
                                 "TDS*0~SE*5*0001~" TRAILER,
                   NULL, &j, w);
    assert_int_equal(n, 1);
    assert_non_null(strstr(w, "segment 3 IT104: 1 IT1 line without a unit price"));
    json_decref(j);
}

/* An 846 without an N1 for its location reports the sender's stock: the location is the
 * interchange sender's, through the map's cross-reference when it has one. QTY 17 is the
 * quantity on hand (element 673). */
static void test_warn_846_location(void **state)
{
    (void)state;
    const char *text = ISA4010 GS_IB "ST*846*0001~BIA*00*MM*SNAP-1*20260101~LIN**VN*SKU-1~"
                                     "QTY*17*5*EA~SE*5*0001~" TRAILER;
    char w[2048];
    json_t *j = NULL;
    size_t n = warned_doc(text, NULL, &j, w);
    assert_int_equal(n, 1);
    assert_string_equal(str_at(j, "location_id"), "SENDER");
    assert_string_equal(str_at(j, "lines.0.on_hand"), "5");
    assert_non_null(strstr(w, "ISA06: no N1 names the location"));
    json_decref(j);
    struct xd_x12_map *map =
        map_of("{\"locations\":[{\"location_id\":\"DC-CHI\",\"qualifier\":\"ZZ\","
               "\"id\":\"SENDER\"}]}");
    n = warned_doc(text, map, &j, w);
    assert_int_equal(n, 1);
    assert_string_equal(str_at(j, "location_id"), "DC-CHI");
    json_decref(j);
    xd_x12_map_destroy(map);
    /* A sender of one character is no location an N1 can name (N104 has 2 to 80): refused,
     * saying why (found by the fuzzer: such a snapshot could be sent nowhere). */
    struct collected c;
    assert_int_equal(translate_text("ISA*00*          *00*          *ZZ*S              *ZZ*RECEIV"
                                    "ER       *260101*1200*U*00401*000000007*0*P*>~" GS_IB
                                    "ST*846*0001~BIA*00*MM*SNAP-1*20260101~LIN**VN*SKU-1~"
                                    "QTY*17*5*EA~SE*5*0001~" TRAILER,
                                    NULL, &c),
                     XD_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.status[0], XD_EINVAL);
    assert_non_null(strstr(c.problems[0], "the interchange sender 'S' cannot be one"));
    collected_free(&c);
}

/* An 856 without an order level: the items' PRFs make the orders (one per PO number); without
 * BSN02 (mandatory from 004010 on, so a version without a table) the notice is numbered by its
 * bill of lading. BSN01 14 (advance notification) is an
 * original notice, and without an N1 ST the goods go to the interchange receiver. */
static void test_warn_856_implied_orders(void **state)
{
    (void)state;
    char w[2048];
    json_t *j = NULL;
    size_t n = warned_doc(ISA4010 "GS*SH*SENDER*RECEIVER*20260101*1200*1*X*003060~ST*856*0001~"
                                  "BSN*14**20260101*1200~HL*1**S~REF*BM*BOL-7~DTM*011*20260101~"
                                  "HL*2*1*I~LIN**BP*A-1~SN1**5*EA~PRF*PO-1~"
                                  "HL*3*1*I~LIN**BP*B-1~SN1**2*EA~PRF*PO-2~"
                                  "HL*4*1*I~LIN**BP*A-2~SN1**1*EA~PRF*PO-1~SE*18*0001~" TRAILER,
                          NULL, &j, w);
    assert_int_equal(n, 2);
    assert_string_equal(str_at(j, "asn_number"), "BOL-7");
    assert_string_equal(str_at(j, "purpose"), "original");
    assert_string_equal(str_at(j, "ship_to.assigned_id"), "RECEIVER");
    assert_int_equal(json_array_size(json_object_get(j, "orders")), 2);
    assert_string_equal(str_at(j, "orders.0.po_number"), "PO-1");
    assert_string_equal(str_at(j, "orders.0.items.0.buyer_part"), "A-1");
    assert_string_equal(str_at(j, "orders.0.items.1.buyer_part"), "A-2");
    assert_string_equal(str_at(j, "orders.1.po_number"), "PO-2");
    assert_string_equal(str_at(j, "orders.1.items.0.buyer_part"), "B-1");
    assert_non_null(strstr(w, "BSN02: no shipment identification: the notice is numbered by its "
                              "bill of lading (REF BM), 'BOL-7'"));
    assert_non_null(strstr(w, "segment 6 HL: no order level (HL O): the items make 2 implied "
                              "orders"));
    json_decref(j);
    /* a packed item stays with its pack, whatever its PRF says */
    n = warned_doc(ISA4010 "GS*SH*SENDER*RECEIVER*20260101*1200*1*X*003060~ST*856*0001~"
                           "BSN*00*A1*20260101*1200~HL*1**S~DTM*011*20260101~N1*ST*X*92*1~"
                           "HL*2*1*I~LIN**BP*A-1~SN1**5*EA~PRF*PO-1~HL*3*1*P~"
                           "HL*4*3*I~LIN**BP*B-1~SN1**2*EA~PRF*PO-2~SE*15*0001~" TRAILER,
                   NULL, &j, w);
    assert_int_equal(n, 2);
    assert_int_equal(json_array_size(json_object_get(j, "orders")), 1);
    assert_string_equal(str_at(j, "orders.0.packs.0.items.0.buyer_part"), "B-1");
    assert_non_null(strstr(w, "segment 14 PRF01: the item's PRF names order 'PO-2'; its pack "
                              "ships with order 'PO-1'"));
    json_decref(j);
}

/* A 003060 set (no table) is placed with the 004010 one. */
static void test_version_without_table(void **state)
{
    (void)state;
    json_t *j = one_doc(ISA4010 "GS*SH*SENDER*RECEIVER*20260101*1200*1*X*003060~ST*856*0001~"
                                "BSN*00*A-9*20260101*1200~HL*1**S~DTM*011*20260102~"
                                "N1*ST*Store*92*S1~HL*2*1*O~PRF*PO-9~HL*3*2*I~LIN**SK*K1~"
                                "SN1**4*EA~CTT*3~SE*12*0001~" TRAILER,
                        NULL);
    assert_string_equal(str_at(j, "ship_date"), "2026-01-02");
    assert_string_equal(str_at(j, "orders.0.po_number"), "PO-9");
    assert_string_equal(str_at(j, "orders.0.items.0.sku"), "K1");
    assert_string_equal(str_at(j, "source.version"), "003060");
    json_decref(j);
}

/* ---- Map descriptions ---------------------------------------------------------------------- */

static void expect_bad_map(const char *json, const char *path)
{
    json_t *spec = json_loads(json, 0, NULL);
    assert_non_null(spec);
    struct xd_x12_map *map = NULL;
    struct xd_diags d;
    xd_diags_init(&d, 10);
    assert_int_equal(xd_x12_map_create(spec, &map, &d), XD_EINVAL);
    assert_null(map);
    assert_true(d.count >= 1);
    assert_string_equal(d.items[0].path, path);
    xd_diags_cleanup(&d);
    json_decref(spec);
}

static void test_map_errors(void **state)
{
    (void)state;
    expect_bad_map("{\"item_idz\":{}}", "$.item_idz");
    expect_bad_map("{\"item_ids\":{\"sku\":3}}", "$.item_ids.sku");
    expect_bad_map("{\"item_ids\":{\"sku\":[\"TOOLONG\"]}}", "$.item_ids.sku[0]");
    expect_bad_map("{\"time_offset\":\"+25:00\"}", "$.time_offset");
    expect_bad_map("{\"documents\":{\"nonsense\":{}}}", "$.documents.nonsense");
    expect_bad_map("{\"documents\":{\"invoice\":{\"hub_ids\":false}}}",
                   "$.documents.invoice.hub_ids");
    expect_bad_map("{\"locations\":[{\"location_id\":\"A\"}]}", "$.locations[0]");
}

/* Without hub IDs a party is written with the cross-reference of its party_id. */
static void test_map_xref_out(void **state)
{
    (void)state;
    struct xd_x12_map *map = map_of("{\"hub_ids\":false,\"party_ids\":[{\"party_id\":\"acme\","
                                    "\"qualifier\":\"ZZ\",\"id\":\"ACME01\"}]}");
    const char *doc = "{\"type\":\"po_acknowledgement\",\"po_number\":\"P1\",\"status\":"
                      "\"accepted\",\"ack_date\":\"2026-01-06\",\"supplier\":{\"party_id\":"
                      "\"acme\"}}";
    char *x12 = render_json(&doc, 1, map, NULL);
    assert_non_null(strstr(x12, "N1*SU**ZZ*ACME01~"));
    assert_null(strstr(x12, "PARTY"));
    xd_free(x12);
    xd_x12_map_destroy(map);
}

/* ---- Render refusals ------------------------------------------------------------------------ */

/* An interchange from AA to BB that refused documents are tried on, and an arena for them. */
struct refusals {
    struct xd_buf out;
    struct xd_error err;
    struct xd_x12_writer *w;
    struct xd_x12_renderer *rd;
    struct xd_arena *a;
};

static void refusals_begin(struct refusals *f)
{
    const struct xd_x12_writer_options wo = {.sender_qualifier = "ZZ",
                                             .sender_id = "AA",
                                             .receiver_qualifier = "ZZ",
                                             .receiver_id = "BB",
                                             .date = "20260101",
                                             .time = "1200",
                                             .isa_control = 1};
    memset(f, 0, sizeof *f);
    xd_buf_init(&f->out, 1 << 20);
    assert_int_equal(xd_x12_writer_create(&wo, &f->out, &f->w, &f->err), XD_OK);
    assert_int_equal(xd_x12_renderer_create(f->w, NULL, NULL, &f->rd), XD_OK);
    f->a = xd_arena_create(0, 0);
    assert_non_null(f->a);
}

/* Finish the interchange: its text is in f->out until refusals_end. */
static void refusals_finish(struct refusals *f)
{
    assert_int_equal(xd_x12_renderer_finish(f->rd, &f->err), XD_OK);
    assert_int_equal(xd_x12_writer_finish(f->w, &f->err), XD_OK);
}

static void refusals_end(struct refusals *f)
{
    xd_arena_destroy(f->a);
    xd_x12_renderer_destroy(f->rd);
    xd_x12_writer_destroy(f->w);
    xd_buf_cleanup(&f->out);
}

static void test_render_refusals(void **state)
{
    (void)state;
    struct refusals f;
    refusals_begin(&f);
    struct xd_canon_doc *doc = NULL;
    /* a note holding the component separator ':' (the writer's default) */
    const char *json = "{\"type\":\"po_acknowledgement\",\"po_number\":\"P1\",\"status\":"
                       "\"accepted\",\"ack_date\":\"2026-01-06\",\"note\":\"at 10:30\"}";
    assert_int_equal(xd_canon_decode(json, strlen(json), f.a, &doc, NULL), XD_OK);
    assert_int_equal(xd_x12_render(f.rd, doc, &f.err), XD_EINVAL);
    assert_non_null(strstr(f.err.message, "component separator"));
    /* a region that is no state code, a PO number longer than BEG03: no X12 form */
    json = "{\"type\":\"shipping_order\",\"order_number\":\"SO1\",\"purpose\":\"original\","
           "\"order_date\":\"2026-01-02\",\"location_id\":\"WH-1\",\"ship_to\":{\"name\":\"C\","
           "\"address\":{\"line1\":\"1 Main St\",\"city\":\"Fresno\",\"region\":\"California\","
           "\"postal_code\":\"93650\",\"country\":\"US\"}},\"lines\":[{\"line_number\":1,"
           "\"sku\":\"K\",\"quantity\":\"1\",\"uom\":\"EA\"}]}";
    assert_int_equal(xd_canon_decode(json, strlen(json), f.a, &doc, NULL), XD_OK);
    assert_int_equal(xd_x12_render(f.rd, doc, &f.err), XD_EINVAL);
    assert_non_null(strstr(f.err.message, "N402 'California': data element too long"));
    /* an item master has no transaction set */
    json = "{\"type\":\"item\",\"sku\":\"K\",\"description\":\"D\",\"base_uom\":\"EA\"}";
    assert_int_equal(xd_canon_decode(json, strlen(json), f.a, &doc, NULL), XD_OK);
    assert_int_equal(xd_x12_render(f.rd, doc, &f.err), XD_EUNSUPPORTED);
    /* the refused documents were taken back whole: the interchange holds only this one */
    json = "{\"type\":\"po_acknowledgement\",\"po_number\":\"P1\",\"status\":"
           "\"accepted\",\"ack_date\":\"2026-01-06\"}";
    assert_int_equal(xd_canon_decode(json, strlen(json), f.a, &doc, NULL), XD_OK);
    assert_int_equal(xd_x12_render(f.rd, doc, &f.err), XD_OK);
    refusals_finish(&f);
    assert_null(strstr(f.out.data, "ST*940"));
    assert_non_null(strstr(f.out.data, "GS*PR*AA*BB*20260101*1200*1*X*004010~ST*855*0001~"));
    struct collected c;
    assert_int_equal(translate_text(f.out.data, NULL, &c), XD_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.status[0], XD_OK);
    collected_free(&c);
    refusals_end(&f);
}

/* ---- 824 Application Advice --------------------------------------------------------------- */

#define ADVICE_HEAD                                                                                \
    "{\"type\":\"application_advice\",\"advice_number\":\"REJ-1\",\"advice_date\":\"2026-03-16\","

/* <json> (an advice) round trips in 004010 and in 005010 with other delimiters. */
static void advice_round_trip(const char *json, const struct xd_x12_map *map)
{
    struct out_opts oo = {"005010", {'|', '}', '^', '\n'}};
    round_trip(json, map, NULL);
    round_trip(json, map, &oo);
}

/* An advice whose reason is <reason> (JSON-escaped by the caller where needed). */
static void advice_with_reason(const char *reason)
{
    char json[2048];
    int n = snprintf(json, sizeof json,
                     ADVICE_HEAD "\"status\":\"rejected\",\"document_type\":\"invoice\","
                                 "\"document_number\":\"INV-1\",\"reason\":\"%s\"}",
                     reason);
    assert_true(n > 0 && (size_t)n < sizeof json);
    advice_round_trip(json, NULL);
}

/* Every status, the three advised types X12 has a qualifier for, every kind of problem alone
 * and with everything, and reasons the 80-character NTE02 must cut: at blanks (two in a row
 * at the cut), through a word longer than a piece, next to multi-byte characters, after a
 * leading blank. */
static void test_advice_round_trip_variants(void **state)
{
    (void)state;
    advice_round_trip(ADVICE_HEAD "\"status\":\"accepted\",\"document_type\":\"purchase_order\","
                                  "\"document_number\":\"PO-1\"}",
                      NULL);
    advice_round_trip(
        ADVICE_HEAD
        "\"status\":\"accepted_with_errors\",\"document_type\":\"ship_notice\","
        "\"document_number\":\"ASN 7\",\"document_date\":\"2026-03-01\","
        "\"po_number\":\"PO-1\",\"sender\":{\"name\":\"Hub\",\"gln\":\"0614141000029\"},"
        "\"receiver\":{\"name\":\"Acme\",\"duns\":\"804735132\"},\"problems\":["
        "{\"kind\":\"quantity\"},{\"kind\":\"price\",\"line_number\":999999},"
        "{\"kind\":\"quantity\",\"sku\":\"A B#1 SKU x\"},"
        "{\"kind\":\"amount\",\"expected\":\"-1.5\",\"actual\":\"0\"},"
        "{\"kind\":\"not_ordered\",\"message\":\"item not on the order\"},"
        "{\"kind\":\"duplicate\"},{\"kind\":\"missing_data\"},"
        "{\"kind\":\"invalid_data\"},{\"kind\":\"other\",\"line_number\":1},"
        "{\"kind\":\"price\",\"line_number\":123456,\"sku\":"
        "\"SKU-48-CHARACTERS-LONG-0123456789012345678901234\",\"expected\":"
        "\"123456.123456\",\"actual\":\"0.000001\",\"message\":\"sixty characters of "
        "message, which is what TED02 holds..\"}]}",
        NULL);
    char reason[600];
    /* a word of 100 characters: a cut inside it, then one before a blank */
    memset(reason, 'x', 100);
    snprintf(reason + 100, sizeof reason - 100, " %s",
             "then words that go on and on until "
             "the reason has more than two pieces");
    advice_with_reason(reason);
    /* two blanks in a row where a piece ends; a blank to start with */
    snprintf(reason, sizeof reason, " %078d  %078d   %s", 1, 2, "end");
    advice_with_reason(reason);
    /* multi-byte characters across the 80th byte, and 264 characters in all */
    size_t at = 0;
    for (int i = 0; i < 132; i++) {
        at += (size_t)snprintf(reason + at, sizeof reason - at, "%s", i % 3 ? "\xc3\xa9" : "a");
    }
    for (int i = 0; i < 132; i++) {
        reason[at++] = i % 9 ? 'w' : ' ';
    }
    reason[at] = '\0';
    advice_with_reason(reason);
}

/* A value the segment writer cannot hold is refused, not cut: 63 bytes are copied whole, 64
 * make the segment's write fail, as does an element past the last. */
static void test_writer_values_are_not_cut(void **state)
{
    (void)state;
    struct xd_error err;
    xd_error_clear(&err);
    struct xd_x12__out o = {.err = &err};
    char v[XD_X12__OUT_TEXT + 1];
    memset(v, 'x', sizeof v - 1);
    v[XD_X12__OUT_TEXT - 1] = '\0';
    xd_x12__out_begin(&o);
    xd_x12__out_setf(&o, 2, v);
    assert_int_equal(o.n, 2);
    assert_int_equal(o.vals[1].len, XD_X12__OUT_TEXT - 1);
    assert_int_equal(o.lost, 0);
    v[XD_X12__OUT_TEXT - 1] = 'x';
    v[XD_X12__OUT_TEXT] = '\0';
    xd_x12__out_setf(&o, 3, v);
    assert_int_equal(xd_x12__out_write(&o, "NTE"), XD_EINVAL);
    assert_non_null(strstr(err.message, "NTE03: the value does not fit the writer"));
    xd_x12__out_begin(&o);
    assert_int_equal(o.lost, 0);
    xd_x12__out_set(&o, XD_X12__OUT_VALUES + 1, (struct xd_slice){"a", 1});
    assert_int_equal(xd_x12__out_write(&o, "REF"), XD_EINVAL);
}

/* A partner names the qualifiers X12 lacks, and its own 647 codes: both ways. A code longer
 * than TED01 holds has no X12 form: rendering it is refused by name. */
static void test_advice_map_codes(void **state)
{
    (void)state;
    struct xd_x12_map *map = map_of("{\"codes\":{\"advised_document\":{\"receipt\":\"RE\"},"
                                    "\"advice_problem\":{\"price\":\"PRC\",\"other\":\"999\"}}}");
    const char *json = ADVICE_HEAD "\"status\":\"rejected\",\"document_type\":\"receipt\","
                                   "\"document_number\":\"RC-1\",\"reason\":\"not ours\","
                                   "\"problems\":[{\"kind\":\"price\"},{\"kind\":\"other\"}]}";
    advice_round_trip(json, map);
    char *x12 = render_json(&json, 1, map, NULL);
    assert_non_null(strstr(x12, "OTI*TR*RE*RC-1~TED*999~NTE*GEN*not ours~TED*PRC~"));
    xd_free(x12);
    xd_x12_map_destroy(map);

    map = map_of("{\"codes\":{\"advice_problem\":{\"price\":\"PRCE\"}}}");
    struct refusals f;
    refusals_begin(&f);
    xd_x12_renderer_destroy(f.rd);
    assert_int_equal(xd_x12_renderer_create(f.w, map, NULL, &f.rd), XD_OK);
    const char *priced =
        ADVICE_HEAD "\"status\":\"rejected\",\"document_type\":\"invoice\","
                    "\"document_number\":\"I-1\",\"problems\":[{\"kind\":\"price\"}]}";
    struct xd_canon_doc *doc = NULL;
    assert_int_equal(xd_canon_decode(priced, strlen(priced), f.a, &doc, NULL), XD_OK);
    assert_int_equal(xd_x12_render(f.rd, doc, &f.err), XD_EINVAL);
    assert_non_null(strstr(f.err.message, "TED01 'PRCE'"));
    refusals_end(&f);
    xd_x12_map_destroy(map);
}

/* A map's code lists are compiled once per type and shared by the threads that use the map:
 * racing first uses all get the one published copy (the others' are freed: ASan sees a leak
 * or a double free otherwise), and each type's lists carry the map's overrides. */
struct lists_race {
    const struct xd_x12_map *map;
    const struct xd_x12__codes *got;
};

static void *lists_race_main(void *arg)
{
    struct lists_race *r = arg;
    if (xd_x12__map_code_lists(r->map, XD_CANON_INVOICE, &r->got) != XD_OK) {
        r->got = NULL;
    }
    return NULL;
}

static void test_map_code_lists_shared(void **state)
{
    (void)state;
    struct xd_x12_map *map = map_of("{\"codes\":{\"advice_problem\":{\"price\":\"PRC\"}},"
                                    "\"documents\":{\"invoice\":{\"codes\":{\"advice_problem\":"
                                    "{\"price\":\"INV\"}}}}}");
    struct lists_race r[8];
    pthread_t th[8];
    for (size_t i = 0; i < 8; i++) {
        r[i] = (struct lists_race){map, NULL};
        assert_int_equal(pthread_create(&th[i], NULL, lists_race_main, &r[i]), 0);
    }
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_non_null(r[i].got);
        assert_ptr_equal(r[i].got, r[0].got);
    }
    const struct xd_x12__codes *inv = r[0].got, *po = NULL, *again = NULL;
    assert_string_equal(xd_x12__codes_out(inv, XD_X12__L_ADVICE_PROBLEM, "price"), "INV");
    assert_int_equal(xd_x12__map_code_lists(map, XD_CANON_PURCHASE_ORDER, &po), XD_OK);
    assert_ptr_not_equal(po, inv);
    assert_string_equal(xd_x12__codes_out(po, XD_X12__L_ADVICE_PROBLEM, "price"), "PRC");
    assert_int_equal(xd_x12__map_code_lists(map, XD_CANON_PURCHASE_ORDER, &again), XD_OK);
    assert_ptr_equal(again, po);
    /* Each list ends where its own pairs do: built-in pairs next to the overrides, nothing of
     * the next list. */
    assert_string_equal(xd_x12__codes_out(po, XD_X12__L_ADVICE_PROBLEM, "amount"), "010");
    assert_null(xd_x12__codes_out(po, XD_X12__L_ADVICE_PROBLEM, "original"));
    assert_string_equal(xd_x12__codes_in(po, XD_X12__L_PURPOSE, xd_slice_from_cstr("14")),
                        "original");
    assert_null(xd_x12__codes_in(po, XD_X12__L_WEIGHT_UNIT, xd_slice_from_cstr("TA")));
    xd_x12_map_destroy(map);
}

/* What has no X12 form is refused by name, and nothing is written. */
static void test_advice_render_refusals(void **state)
{
    (void)state;
    struct refusals f;
    refusals_begin(&f);
    static const struct {
        const char *body, *message;
    } refused[] = {
        {"\"status\":\"rejected\",\"document_type\":\"receipt\",\"document_number\":\"R1\"}",
         "advised_document 'receipt' has no X12 code (map: codes.advised_document.receipt)"},
        {"\"status\":\"accepted\",\"document_type\":\"po_acknowledgement\","
         "\"document_number\":\"A1\"}",
         "advised_document 'po_acknowledgement' has no X12 code"},
        {"\"status\":\"rejected\",\"document_type\":\"invoice\",\"document_number\":\"I1\","
         "\"reason\":\"short of goods \"}",
         "reason ends with a blank, which X12 drops (NTE02)"},
        {"\"status\":\"rejected\",\"document_type\":\"invoice\",\"document_number\":\"I1\","
         "\"reason\":\"a                                                                      "
         "                    b\"}",
         "reason has 80 blanks in a row"},
        {"\"status\":\"rejected\",\"document_type\":\"invoice\",\"document_number\":\"I1\","
         "\"problems\":[{\"kind\":\"other\",\"message\":\"at 10:30\"}]}",
         "component separator"},
    };
    for (size_t i = 0; i < XD_ARRAY_LEN(refused); i++) {
        char json[1024];
        snprintf(json, sizeof json, ADVICE_HEAD "%s", refused[i].body);
        struct xd_canon_doc *doc = NULL;
        assert_int_equal(xd_canon_decode(json, strlen(json), f.a, &doc, NULL), XD_OK);
        xd_error_clear(&f.err);
        assert_int_equal(xd_x12_render(f.rd, doc, &f.err), XD_EINVAL);
        if (strstr(f.err.message, refused[i].message) == NULL) {
            fprintf(stderr, "%zu: %s\n", i, f.err.message);
        }
        assert_non_null(strstr(f.err.message, refused[i].message));
    }
    refusals_finish(&f);
    assert_null(strstr(f.out.data, "ST*824"));
    refusals_end(&f);
}

#define GS_AG "GS*AG*SENDER*RECEIVER*20260101*1200*1*X*004010~"

/* An 824 as partners write it: TED codes of other trades, a copy of bad data that is no
 * number, notes of a problem and a TED that only carries notes, free text under NTE*LIN. */
static void test_inbound_824(void **state)
{
    (void)state;
    char w[2048];
    json_t *doc = NULL;
    const char *text = ISA4010 GS_AG "ST*824*0001~BGN*00*AA-1*20260316~N1*FR*Acme*92*AC1~"
                                     "OTI*TE*PO*4500012345~REF*PO*4500012345~DTM*097*20260313~"
                                     "TED*ZZZ~NTE*GEN*Two lines ~NTE*GEN* differ.~"
                                     "TED*848*BAD DATE*DTM*4*2**13/03/2026~NTE*LIN*see the catalog~"
                                     "TED*011*PRICE*PO1****0.13*0.15~NTE*LIN*price #2 SKU B-1~"
                                     "TED*007~NTE*ERN*ship-to missing~SE*16*0001~" TRAILER;
    assert_int_equal(warned_doc(text, NULL, &doc, w), 0);
    assert_string_equal(str_at(doc, "status"), "accepted_with_errors");
    assert_string_equal(str_at(doc, "document_type"), "purchase_order");
    assert_string_equal(str_at(doc, "document_date"), "2026-03-13");
    assert_string_equal(str_at(doc, "po_number"), "4500012345");
    assert_string_equal(str_at(doc, "sender.assigned_id"), "AC1");
    /* the pieces join as written; notes that are no detail of ours go to the reason */
    assert_string_equal(str_at(doc, "reason"), "Two lines differ.see the catalogship-to missing");
    json_t *p = json_object_get(doc, "problems");
    assert_int_equal(json_array_size(p), 3);
    assert_string_equal(str_at(doc, "problems.0.kind"), "other"); /* 848: no canonical kind */
    assert_string_equal(str_at(doc, "problems.0.message"), "BAD DATE");
    assert_null(json_object_get(json_array_get(p, 0), "actual")); /* "13/03/2026": no number */
    assert_string_equal(str_at(doc, "problems.1.kind"), "price");
    assert_string_equal(str_at(doc, "problems.1.sku"), "B-1");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(p, 1), "line_number")), 2);
    assert_string_equal(str_at(doc, "problems.1.actual"), "0.13");
    assert_string_equal(str_at(doc, "problems.1.expected"), "0.15");
    assert_string_equal(str_at(doc, "problems.2.kind"), "missing_data");
    json_decref(doc);
    /* one advice advises one document: a second OTI is refused, not merged */
    text = ISA4010 GS_AG "ST*824*0001~BGN*00*AA-1*20260316~OTI*TA*IV*I-1~OTI*TR*IV*I-2~"
                         "SE*5*0001~" TRAILER;
    struct collected c;
    assert_int_equal(translate_text(text, NULL, &c), XD_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.status[0], XD_EINVAL);
    assert_non_null(strstr(c.problems[0], "a second OTI"));
    collected_free(&c);
}

/* An 824 with what X12 allows in the OTI loop beyond what the advice maps: NM1, RED in the
 * TED loops, LM/LQ loops with their RED. RED01 becomes the message of a problem without TED02;
 * the rest is left out, each with a note that names the segment and element. The advice read
 * renders and reads back the same. */
static void test_inbound_824_related_data(void **state)
{
    (void)state;
    const char *text =
        ISA4010 GS_AG "ST*824*0001~BGN*00*AA-2*20260318~OTI*TE*IV*INV-88412~REF*PO*4500012345~"
                      "NM1*BY*1*Okafor*Ngozi****92*B-117~NM1*SU*2******1*804735132~"
                      "TED*011*PRICE ABOVE CONTRACT*IT1*14*4**0.19*0.15~NTE*LIN*price #2 SKU B-1~"
                      "RED*B-1*AI~"
                      "TED*012~RED*HEX NUT M8, QTY 500 DOES NOT MATCH PACK OF 250*IN~"
                      "RED*second related data*IN~"
                      "TED*ZZZ~NTE*GEN*Remit-to missing.~RED*N1*AI~"
                      "TED*007~RED*A DESCRIPTION OF THE MISSING DATA THAT IS LONGER THAN SIXTY "
                      "CHARACTERS*IN~"
                      "LM*VI~LQ*0*RTL-412~RED*Held until the remit-to is sent**VI**0*RTL-412~"
                      "LQ*0*RTL-415~SE*22*0001~" TRAILER;
    struct collected c;
    assert_int_equal(translate_text(text, NULL, &c), XD_OK);
    assert_int_equal(c.n, 1);
    if (c.status[0] != XD_OK) {
        fprintf(stderr, "%s\n", c.problems[0]);
    }
    assert_int_equal(c.status[0], XD_OK);
    json_t *doc = json_loads(c.json[0], 0, NULL);
    assert_non_null(doc);
    assert_string_equal(str_at(doc, "status"), "accepted_with_errors");
    assert_string_equal(str_at(doc, "reason"), "Remit-to missing.");
    assert_int_equal(json_array_size(json_object_get(doc, "problems")), 3);
    assert_string_equal(str_at(doc, "problems.0.kind"), "price");
    assert_string_equal(str_at(doc, "problems.0.message"), "PRICE ABOVE CONTRACT");
    assert_string_equal(str_at(doc, "problems.1.kind"), "other");
    assert_string_equal(str_at(doc, "problems.1.message"),
                        "HEX NUT M8, QTY 500 DOES NOT MATCH PACK OF 250");
    assert_string_equal(str_at(doc, "problems.2.kind"), "missing_data");
    assert_null(json_object_get(json_array_get(json_object_get(doc, "problems"), 2), "message"));
    static const char *const notes[] = {
        "segment 5 NM103: 'Okafor' left out: application_advice has no member for it",
        "segment 6 NM109: '804735132' left out",
        "segment 9 RED01: 'B-1' left out: the problem has its message",
        "segment 12 RED01: 'second related data' left out: the problem has its message",
        "segment 15 RED01: 'N1' left out: related data of the reason's notes",
        "segment 17 RED01: 'A DESCRIPTION OF THE MISSING DATA THAT IS LONGER THAN SIXTY "
        "CHARACTERS' left out: longer than a message holds (60)",
        "segment 19 LQ02: 'RTL-412' left out",
        "segment 20 RED01: 'Held until the remit-to is sent' left out",
        "segment 21 LQ02: 'RTL-415' left out"};
    for (size_t i = 0; i < XD_ARRAY_LEN(notes); i++) {
        if (strstr(c.notes[0], notes[i]) == NULL) {
            fprintf(stderr, "missing note %s in\n%s", notes[i], c.notes[0]);
        }
        assert_non_null(strstr(c.notes[0], notes[i]));
    }
    advice_round_trip(c.json[0], NULL);
    json_decref(doc);
    collected_free(&c);
}

/* ---- Allocation failures ------------------------------------------------------------------ */

static enum xd_status ignore_doc(void *ctx, const struct xd_x12_translation *t)
{
    (void)ctx;
    (void)t;
    return XD_OK;
}

static void test_translate_oom(void **state)
{
    (void)state;
    bool completed = false;
    for (long n = 0; n < 2000 && !completed; n++) {
        struct xd_x12_reader *r = NULL;
        xd_alloc_fail_after(n);
        enum xd_status st = xd_x12_reader_create_mem(PO_850, strlen(PO_850), &r);
        if (st == XD_OK) {
            st = xd_x12_translate(r, NULL, NULL, NULL, ignore_doc, NULL, NULL);
        }
        long failures = xd_alloc_injected_failures();
        xd_alloc_fail_after(-1);
        xd_x12_reader_destroy(r);
        if (failures == 0) {
            assert_int_equal(st, XD_OK);
            completed = true;
        } else {
            assert_true(st == XD_ENOMEM || st == XD_OK);
        }
    }
    assert_true(completed);
}

/* xd_x12__gs1_ok as it was written first, digit by digit: the reference. */
static bool gs1_by_digits(struct xd_slice v)
{
    if (v.len != 8 && v.len != 12 && v.len != 13 && v.len != 14 && v.len != 18) {
        return false;
    }
    unsigned sum = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9') {
            return false;
        }
        unsigned d = (unsigned)(v.p[i] - '0');
        sum += i + 1 < v.len && (v.len - 1 - i) % 2 == 1 ? 3 * d : (i + 1 < v.len ? d : 0);
    }
    return (10 - sum % 10) % 10 == (unsigned)(v.p[v.len - 1] - '0');
}

/* The GTIN check (without a branch per digit) agrees with the reference on keys of every
 * length up to 20, mostly digits, some with a letter, a blank or a byte above 0x7F. */
static void test_gs1_check_digit(void **state)
{
    (void)state;
    static const char *const fixed[] = {"012345678905",
                                        "012345678906",
                                        "00012345600012345675",
                                        "4006381333931",
                                        "96385074",
                                        "9638507A",
                                        ""};
    uint32_t seed = 4242;
    size_t valid = 0;
    for (size_t n = 0; n < XD_ARRAY_LEN(fixed) + 200000; n++) {
        char buf[24];
        struct xd_slice v;
        if (n < XD_ARRAY_LEN(fixed)) {
            v = xd_slice_from_cstr(fixed[n]);
        } else {
            seed = seed * 1103515245u + 12345u;
            size_t len = (seed >> 16) % 21;
            for (size_t i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                unsigned r = (seed >> 16) % 1000;
                buf[i] = r < 990 ? (char)('0' + r % 10) : "A /\xff:"[r % 5];
            }
            v = (struct xd_slice){buf, len};
        }
        bool want = gs1_by_digits(v);
        assert_int_equal(xd_x12__gs1_ok(v), want);
        valid += want;
    }
    assert_true(valid > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_round_trip),
        cmocka_unit_test(test_examples_round_trip_005010_odd_delimiters),
        cmocka_unit_test(test_change_and_cancel_are_860),
        cmocka_unit_test(test_variants_round_trip),
        cmocka_unit_test(test_mandatory_elements_fill_in),
        cmocka_unit_test(test_several_documents_one_interchange),
        cmocka_unit_test(test_inbound_850_defaults),
        cmocka_unit_test(test_inbound_850_with_map),
        cmocka_unit_test(test_problem_names_segment),
        cmocka_unit_test(test_rejected_and_unsupported_sets),
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_warn_item_ids),
        cmocka_unit_test(test_warn_zero_quantity),
        cmocka_unit_test(test_zero_quantity_id_line_number),
        cmocka_unit_test(test_warn_ack_before_order),
        cmocka_unit_test(test_warn_tds_difference),
        cmocka_unit_test(test_warn_846_location),
        cmocka_unit_test(test_warn_856_implied_orders),
        cmocka_unit_test(test_version_without_table),
        cmocka_unit_test(test_map_errors),
        cmocka_unit_test(test_map_xref_out),
        cmocka_unit_test(test_render_refusals),
        cmocka_unit_test(test_advice_round_trip_variants),
        cmocka_unit_test(test_advice_map_codes),
        cmocka_unit_test(test_map_code_lists_shared),
        cmocka_unit_test(test_writer_values_are_not_cut),
        cmocka_unit_test(test_advice_render_refusals),
        cmocka_unit_test(test_inbound_824),
        cmocka_unit_test(test_inbound_824_related_data),
        cmocka_unit_test(test_translate_oom),
        cmocka_unit_test(test_gs1_check_digit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
