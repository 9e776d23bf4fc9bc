/* Unit tests of src/sim/partner.c: a simulated partner reads what the hub sends its profile's
 * way and sends the way its profile says. Control numbers only grow, also across a restart
 * with the state file; a file reaches the inbox under a name the pattern matches and never
 * half written; the hub's answers map to send again (5xx) or give up (4xx, with the detail). */
#include <sys/stat.h>

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "partner/partner.h"
#include "sim/sim_int.h"
#include "sim_test.h"
#include "x12/x12.h"

static char dir[64];

static const char x12_profile[] =
    "id: tp\n"
    "name: Test\n"
    "role: supplier\n"
    "identifiers: {isa_qualifier: ZZ, isa_id: TPSUP, gs_id: TPSUP}\n"
    "x12: {hub_qualifier: \"01\", hub_id: HUBID, component_separator: \">\"}\n"
    "inbound:\n"
    "  http: {formats: [x12, json]}\n"
    "  inbox: {files: [{pattern: \"ACK_*.json\", format: json}]}\n"
    "outbound:\n"
    "  endpoints: [{name: e, kind: http, url: \"https://tp.example/in\"}]\n"
    "documents:\n"
    "  - {type: purchase_order, direction: out, format: x12}\n"
    "  - {type: po_acknowledgement, direction: in, format: x12}\n"
    "  - {type: po_acknowledgement, direction: in, format: json}\n"
    "  - {type: ship_notice, direction: in, format: x12}\n"
    "  - {type: invoice, direction: in, format: x12}\n"
    "  - {type: receipt, direction: in, format: x12}\n";

static struct xd_partner_profile *profile(void)
{
    struct xd_partner_profile *p = NULL;
    struct xd_partner_problems pr;
    xd_partner_problems_init(&pr, 5);
    enum xd_status st =
        xd_partner_parse(x12_profile, strlen(x12_profile), XD_PARTNER_YAML, &p, &pr);
    if (st != XD_OK) {
        fail_msg("profile: %s: %s", pr.count ? pr.items[0].path : "",
                 pr.count ? pr.items[0].message : xd_strerror(st));
    }
    xd_partner_problems_cleanup(&pr);
    return p;
}

static json_t *ack(void)
{
    json_t *a = json_pack("{s:s, s:s, s:s, s:s, s:[{s:i, s:s, s:s}]}", "type", "po_acknowledgement",
                          "po_number", "PO-9", "status", "accepted", "ack_date", "2026-03-03",
                          "lines", "line_number", 1, "sku", "X-1", "status", "accepted");
    assert_non_null(a);
    return a;
}

static struct xd_sim__partner *partner(struct xd_partner_profile *p, const char *hub,
                                       const char *inbox, const char *state_file)
{
    struct xd_sim_send_options o;
    xd_sim_send_options_init(&o);
    o.hub_url = hub;
    o.token = "t";
    o.inbox_dir = inbox;
    o.state_path = state_file;
    o.timeout_ms = 2000;
    struct xd_sim__partner *pt = NULL;
    struct xd_error err = {0};
    if (xd_sim__partner_create(p, &o, &pt, &err) != XD_OK) {
        fail_msg("create: %s", err.message);
    }
    return pt;
}

static unsigned long isa13(const char *x12)
{
    /* ISA13 is the 13th element: count 13 separators. */
    const char *s = x12;
    for (int i = 0; i < 13 && s != NULL; i++) {
        s = strchr(s, '*');
        s = s != NULL ? s + 1 : NULL;
    }
    assert_non_null(s);
    return strtoul(s, NULL, 10);
}

static void test_x12_as_the_partner_sends_it(void **state)
{
    (void)state;
    struct xd_partner_profile *p = profile();
    struct xd_sim__partner *pt = partner(p, "http://127.0.0.1:1/", NULL, NULL);
    json_t *a = ack();
    struct xd_sim__message *m = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_sim__partner_render(pt, a, &m, &err), XD_OK);
    assert_string_equal(m->content_type, "application/edi-x12");
    assert_false(m->inbox);
    /* The partner is the sender, the hub (as the profile names it) the receiver. */
    static const char isa[] =
        "ISA*00*          *00*          *ZZ*TPSUP          *01*HUBID          *";
    assert_memory_equal(m->body, isa, strlen(isa));
    assert_non_null(strstr(m->body, "*>~")); /* the profile's component separator */
    assert_non_null(strstr(m->body, "GS*PR*TPSUP*HUBID*"));
    assert_non_null(strstr(m->body, "BAK*"));
    assert_int_equal(isa13(m->body), 1);
    assert_string_equal(m->key, "tp-isa-000000001");
    xd_sim__message_destroy(m);
    json_decref(a);
    xd_sim__partner_destroy(pt);
    xd_partner_profile_unref(p);
}

static void test_control_numbers_survive_restarts(void **state)
{
    (void)state;
    char state_file[128];
    snprintf(state_file, sizeof state_file, "%s/state.json", dir);
    struct xd_partner_profile *p = profile();
    json_t *a = ack();
    unsigned long last = 0;
    for (int run = 0; run < 3; run++) {
        struct xd_sim__partner *pt = partner(p, "http://127.0.0.1:1", NULL, state_file);
        for (int i = 0; i < 3; i++) {
            struct xd_sim__message *m = NULL;
            struct xd_error err = {0};
            assert_int_equal(xd_sim__partner_render(pt, a, &m, &err), XD_OK);
            unsigned long n = isa13(m->body);
            assert_true(n > last);
            last = n;
            xd_sim__message_destroy(m);
        }
        xd_sim__partner_destroy(pt); /* a restart: unused reserved numbers are skipped */
    }
    FILE *f = fopen(state_file, "r");
    assert_non_null(f);
    char text[256] = {0};
    assert_true(fread(text, 1, sizeof text - 1, f) > 0);
    fclose(f);
    json_t *j = json_loads(text, 0, NULL);
    assert_true((unsigned long)json_integer_value(json_object_get(j, "interchange")) > last);
    json_decref(j);
    /* A state file that is not one is refused, not overwritten. */
    f = fopen(state_file, "w");
    assert_non_null(f);
    fputs("{\"interchange\": \"x\"}", f);
    fclose(f);
    struct xd_sim_send_options o;
    xd_sim_send_options_init(&o);
    o.state_path = state_file;
    struct xd_sim__partner *pt = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_sim__partner_create(p, &o, &pt, &err), XD_ECORRUPT);
    json_decref(a);
    xd_partner_profile_unref(p);
}

static void test_inbox_file(void **state)
{
    (void)state;
    char inbox[128];
    snprintf(inbox, sizeof inbox, "%s/inbox", dir);
    assert_int_equal(mkdir(inbox, 0755), 0);
    struct xd_partner_profile *p = profile();
    /* The inbox named on the command line wins over HTTP; its rule takes JSON. */
    struct xd_sim__partner *pt = partner(p, "http://127.0.0.1:1", inbox, NULL);
    json_t *a = ack();
    struct xd_sim__message *m = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_sim__partner_render(pt, a, &m, &err), XD_OK);
    assert_true(m->inbox);
    assert_string_equal(m->content_type, "application/json");
    assert_string_equal(m->file_name, "ACK_po_acknowledgement-msg-000000001.json");
    assert_ptr_equal(xd_partner_inbox_match(p, m->file_name), &p->inbound.inbox->files[0]);
    assert_int_equal(xd_sim__partner_send(pt, NULL, m, &err), XD_OK);
    DIR *d = opendir(inbox);
    assert_non_null(d);
    int files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] != '.') {
            assert_string_equal(e->d_name, m->file_name);
            files++;
        } else {
            assert_true(strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0);
        }
    }
    closedir(d);
    assert_int_equal(files, 1);
    xd_sim__message_destroy(m);
    json_decref(a);
    xd_sim__partner_destroy(pt);
    xd_partner_profile_unref(p);
}

/* A warehouse's receipt goes as a 944 when its profile says x12; what the profile does not
 * send at all is refused with the reason. */
static void test_receipt_as_944(void **state)
{
    (void)state;
    struct xd_partner_profile *p = profile();
    struct xd_sim__partner *pt = partner(p, "http://127.0.0.1:1", NULL, NULL);
    struct xd_error err = {0};
    assert_false(xd_sim__partner_can_send(pt, XD_CANON_SHIPPING_ORDER, &err));
    assert_non_null(strstr(err.message, "sends no shipping_order"));
    json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[{s:i, s:s, s:i, s:s, s:s, s:s}]}", "type",
                          "receipt", "receipt_number", "R-1", "asn_number", "ASN-1", "location_id",
                          "DC-CHI", "received_at", "2026-03-11T10:15:00Z", "lines", "line_number",
                          1, "po_number", "PO-1", "po_line_number", 2, "sku", "X-1",
                          "received_quantity", "5", "uom", "EA");
    struct xd_sim__message *m = NULL;
    assert_int_equal(xd_sim__partner_render(pt, r, &m, &err), XD_OK);
    assert_non_null(strstr(m->body, "ST*944*"));
    assert_non_null(strstr(m->body, "W17*"));
    xd_sim__message_destroy(m);
    json_decref(r);
    xd_sim__partner_destroy(pt);
    xd_partner_profile_unref(p);
}

/* The ERP simulator's orders name parties by id only; the supplier's answers to them must
 * still render as X12 (N1 needs a name). */
static void test_answers_to_erp_orders_render(void **state)
{
    (void)state;
    struct xd_partner_profile *p = profile();
    struct xd_sim__partner *pt = partner(p, "http://127.0.0.1:1", NULL, NULL);
    unsigned seed = 99;
    for (int i = 0; i < 20; i++) {
        json_t *po = NULL;
        assert_int_equal(
            xd_sim__purchase_order_build("PO-E", "tp", "DC-CHI", "2026-03-02", &seed, &po), XD_OK);
        struct xd_sim__po_problems pb = {.partial_percent = 50, .reject_line = 2};
        struct xd_sim__supplier_docs d;
        struct xd_error err = {0};
        assert_int_equal(xd_sim__supplier_docs_build(po, &pb, "2026-03-03", 5, &d, &err), XD_OK);
        json_t *all[1 + 2 * XD_SIM__MAX_ASNS] = {d.ack};
        for (size_t k = 0; k < d.n_asns; k++) {
            all[1 + 2 * k] = d.asns[k];
            all[2 + 2 * k] = d.invoices[k];
        }
        for (size_t k = 0; k < 1 + 2 * d.n_asns; k++) {
            struct xd_sim__message *m = NULL;
            if (xd_sim__partner_render(pt, all[k], &m, &err) != XD_OK) {
                fail_msg("%s: %s", json_string_value(json_object_get(all[k], "type")), err.message);
            }
            xd_sim__message_destroy(m);
        }
        xd_sim__supplier_docs_cleanup(&d);
        json_decref(po);
    }
    xd_sim__partner_destroy(pt);
    xd_partner_profile_unref(p);
}

/* An 850 from the hub (ISA sender HUBID) to <receiver>, rendered with the X12 engine. */
static char *hub_850(const char *receiver)
{
    json_t *po = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:[{s:i, s:s, s:s, s:s, s:s}]}",
        "type", "purchase_order", "po_number", "PO-850", "purpose", "original", "order_date",
        "2026-03-02", "buyer", "party_id", "b", "name", "Buyer", "supplier", "party_id", "s",
        "name", "Supplier", "currency", "USD", "lines", "line_number", 1, "sku", "X-1", "quantity",
        "5", "uom", "EA", "unit_price", "2");
    char *text = json_dumps(po, JSON_COMPACT);
    json_decref(po);
    struct xd_arena *a = xd_arena_create(8192, 0);
    struct xd_canon_doc *doc = NULL;
    assert_int_equal(xd_canon_decode(text, strlen(text), a, &doc, NULL), XD_OK);
    struct xd_buf out;
    xd_buf_init(&out, 1 << 20);
    struct xd_x12_writer_options wo = {.sender_qualifier = "01",
                                       .sender_id = "HUBID",
                                       .receiver_qualifier = "ZZ",
                                       .receiver_id = receiver,
                                       .date = "20260302",
                                       .time = "1200",
                                       .isa_control = 7};
    struct xd_x12_render_options ro = {.group_control = 7, .set_control = 1};
    struct xd_x12_writer *w = NULL;
    struct xd_x12_renderer *rd = NULL;
    assert_int_equal(xd_x12_writer_create(&wo, &out, &w, NULL), XD_OK);
    assert_int_equal(xd_x12_renderer_create(w, NULL, &ro, &rd), XD_OK);
    struct xd_error err = {0};
    if (xd_x12_render(rd, doc, &err) != XD_OK) {
        fail_msg("render: %s", err.message);
    }
    assert_int_equal(xd_x12_renderer_finish(rd, NULL), XD_OK);
    assert_int_equal(xd_x12_writer_finish(w, NULL), XD_OK);
    xd_x12_renderer_destroy(rd);
    xd_x12_writer_destroy(w);
    xd_arena_destroy(a);
    free(text);
    return xd_buf_steal(&out, NULL);
}

static void test_decode(void **state)
{
    (void)state;
    struct xd_partner_profile *p = profile();
    struct xd_sim__partner *pt = partner(p, "http://127.0.0.1:1", NULL, NULL);
    json_t *docs = NULL;
    struct xd_error err = {0};
    char *x12 = hub_850("TPSUP");
    assert_int_equal(xd_sim__partner_decode(pt, "application/edi-x12", x12, strlen(x12),
                                            XD_CANON_PURCHASE_ORDER, &docs, &err),
                     XD_OK);
    assert_int_equal(json_array_size(docs), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(docs, 0), "po_number")),
                        "PO-850");
    json_decref(docs);
    free(x12);
    /* Addressed to someone else: not ours to answer. */
    x12 = hub_850("SOMEONE");
    assert_int_equal(
        xd_sim__partner_decode(pt, "", x12, strlen(x12), XD_CANON_PURCHASE_ORDER, &docs, &err),
        XD_EINVALDOC);
    assert_non_null(strstr(err.message, "SOMEONE"));
    free(x12);
    /* JSON: an array, documents of other types skipped; an invalid one refused. */
    const char *mixed = "[{\"type\":\"po_acknowledgement\",\"po_number\":\"P\",\"status\":"
                        "\"accepted\",\"ack_date\":\"2026-03-03\"}]";
    assert_int_equal(xd_sim__partner_decode(pt, "application/json", mixed, strlen(mixed),
                                            XD_CANON_PURCHASE_ORDER, &docs, &err),
                     XD_OK);
    assert_int_equal(json_array_size(docs), 0);
    json_decref(docs);
    const char *bad = "{\"type\":\"purchase_order\",\"po_number\":\"P\"}";
    assert_int_equal(xd_sim__partner_decode(pt, "application/json", bad, strlen(bad),
                                            XD_CANON_PURCHASE_ORDER, &docs, &err),
                     XD_EINVALDOC);
    assert_int_equal(xd_sim__partner_decode(pt, "application/json", "{\"a\":", 5,
                                            XD_CANON_PURCHASE_ORDER, &docs, &err),
                     XD_EPARSE);
    assert_int_equal(
        xd_sim__partner_decode(pt, "text/plain", "hello", 5, XD_CANON_PURCHASE_ORDER, &docs, &err),
        XD_EPARSE);
    xd_sim__partner_destroy(pt);
    xd_partner_profile_unref(p);
}

/* The hub's answers, played by a receiver: 503 is retried, 422 is final with its detail. */
static void test_send_answers(void **state)
{
    (void)state;
    struct xd_sim_receiver_options ro;
    xd_sim_receiver_options_init(&ro);
    ro.fail_first = 1;
    ro.fail_status = 503;
    ro.status = 422;
    struct xd_sim_receiver *r = NULL;
    assert_int_equal(xd_sim_receiver_start(&ro, &r, NULL), XD_OK);
    char hub[64];
    snprintf(hub, sizeof hub, "http://127.0.0.1:%u", (unsigned)xd_sim_receiver_port(r));
    struct xd_partner_profile *p = profile();
    struct xd_sim__partner *pt = partner(p, hub, NULL, NULL);
    json_t *a = ack();
    struct xd_sim__message *m = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_sim__partner_render(pt, a, &m, &err), XD_OK);
    assert_int_equal(xd_sim__partner_send(pt, NULL, m, &err), XD_EAGAIN);
    assert_int_equal(xd_sim__partner_send(pt, NULL, m, &err), XD_EDECLINED);
    assert_non_null(strstr(err.message, "422"));
    xd_sim__message_destroy(m);
    xd_sim_receiver_stop(r);
    /* Nobody listening: try again later. */
    assert_int_equal(xd_sim__partner_render(pt, a, &m, &err), XD_OK);
    assert_int_equal(xd_sim__partner_send(pt, NULL, m, &err), XD_EAGAIN);
    xd_sim__message_destroy(m);
    json_decref(a);
    xd_sim__partner_destroy(pt);
    xd_partner_profile_unref(p);
}

static int setup(void **state)
{
    (void)state;
    return sim_test_dir_make(dir, sizeof dir, "partner");
}

static int teardown(void **state)
{
    (void)state;
    return sim_test_dir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_x12_as_the_partner_sends_it),
        cmocka_unit_test(test_control_numbers_survive_restarts),
        cmocka_unit_test(test_inbox_file),
        cmocka_unit_test(test_receipt_as_944),
        cmocka_unit_test(test_answers_to_erp_orders_render),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_send_answers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
