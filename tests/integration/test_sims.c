/* The simulated partners against the real hub on a loopback port. The test plays the hub's
 * outbound side (an 850 rendered by `crossdock x12 render`, a JSON ship notice, POSTed to the
 * simulator with an Idempotency-Key as the delivery engine would) and checks what the
 * simulators sent back through the hub's real inbound channels: the documents journaled in
 * the purchase order's transaction (GET /v1/transactions/{correlation_id}). Every problem
 * option is checked for its effect on those documents. The supplier runs with one state file
 * across its restarts: a control number used twice would be refused by the hub (409) and the
 * documents would be missing. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "hub.h"

#define WAIT_MS 20000

static struct test_hub hub;
static char supplier_token[128], warehouse_token[128], file_token[128];
static uint16_t supplier_port, warehouse_port, file_port;
static char state_path[600], inbox_path[700];
static unsigned po_serial;

/* The supplier trades X12 over HTTP; its endpoint is where the simulator listens. */
static const char supplier_profile[] =
    "id: sim-sup\n"
    "name: Simulated Supplier\n"
    "role: supplier\n"
    "identifiers: {isa_qualifier: ZZ, isa_id: SIMSUP, gs_id: SIMSUP}\n"
    "x12: {acknowledgement: \"997\", hub_qualifier: ZZ, hub_id: NORTHWIND,"
    " hub_gs_id: NORTHWIND, component_separator: \">\"}\n"
    "inbound:\n"
    "  http: {formats: [x12]}\n"
    "outbound:\n"
    "  endpoints:\n"
    "    - {name: edi, kind: http, url: \"http://127.0.0.1:%u/edi\","
    " allow_private_networks: [\"127.0.0.0/8\"]}\n"
    "documents:\n"
    "  - {type: purchase_order, direction: out, format: x12}\n"
    "  - {type: po_acknowledgement, direction: in, format: x12}\n"
    "  - {type: ship_notice, direction: in, format: x12}\n"
    "  - {type: invoice, direction: in, format: x12}\n"
    "mapping:\n"
    "  unknown_items: error\n"
    "  items:\n"
    "    - {sku: NW-20417, vendor_part: SH-NIT-L-100}\n"
    "    - {sku: NW-10042, vendor_part: HB-M8-40-Z}\n"
    "    - {sku: NW-31190, vendor_part: TP-DUCT-48}\n"
    "  units: {codes: {CS: CA}}\n";

/* A supplier that speaks canonical JSON and drops its files into its inbox. */
static const char file_profile[] = "id: sim-sup-file\n"
                                   "name: Simulated File Supplier\n"
                                   "role: supplier\n"
                                   "inbound:\n"
                                   "  inbox:\n"
                                   "    files: [{pattern: \"*.json\", format: json}]\n"
                                   "outbound:\n"
                                   "  endpoints:\n"
                                   "    - {name: api, kind: http, url: \"http://127.0.0.1:%u/po\","
                                   " allow_private_networks: [\"127.0.0.0/8\"]}\n"
                                   "documents:\n"
                                   "  - {type: purchase_order, direction: out, format: json}\n"
                                   "  - {type: po_acknowledgement, direction: in, format: json}\n"
                                   "  - {type: ship_notice, direction: in, format: json}\n"
                                   "  - {type: invoice, direction: in, format: json}\n";

static const char warehouse_profile[] =
    "id: sim-wh\n"
    "name: Simulated Warehouse\n"
    "role: warehouse\n"
    "inbound:\n"
    "  http: {formats: [json]}\n"
    "outbound:\n"
    "  endpoints:\n"
    "    - {name: wms, kind: http, url: \"http://127.0.0.1:%u/asn\","
    " allow_private_networks: [\"127.0.0.0/8\"]}\n"
    "documents:\n"
    "  - {type: ship_notice, direction: out, format: json}\n"
    "  - {type: receipt, direction: in, format: json}\n";

/* A warehouse on X12: 856s in, 944s out. */
static const char x12_warehouse_profile[] =
    "id: sim-wh-x12\n"
    "name: Simulated X12 Warehouse\n"
    "role: warehouse\n"
    "identifiers: {isa_qualifier: ZZ, isa_id: SIMWH, gs_id: SIMWH}\n"
    "x12: {hub_qualifier: ZZ, hub_id: NORTHWIND, hub_gs_id: NORTHWIND}\n"
    "inbound:\n"
    "  http: {formats: [x12]}\n"
    "outbound:\n"
    "  endpoints:\n"
    "    - {name: wms, kind: http, url: \"http://127.0.0.1:%u/asn\","
    " allow_private_networks: [\"127.0.0.0/8\"]}\n"
    "documents:\n"
    "  - {type: ship_notice, direction: out, format: x12}\n"
    "  - {type: receipt, direction: in, format: x12}\n";
static char x12_warehouse_token[128];

static char *url(const char *path)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s%s", hub.url, path);
    return buf;
}

static void token_for(const char *name, const char *partner, char *out, size_t cap)
{
    const char *args[] = {"token",  "create",  "--data",    hub.data, "--name", name,
                          "--role", "partner", "--partner", partner,  NULL};
    assert_int_equal(hub_run_cli(&hub, args, out, cap), 0);
    out[strcspn(out, "\n")] = '\0';
}

static void apply(const char *id, const char *fmt, uint16_t port)
{
    static const char *const ct[] = {"Content-Type: application/yaml", NULL};
    char yaml[4096], path[128];
    snprintf(yaml, sizeof yaml, fmt, (unsigned)port);
    snprintf(path, sizeof path, "/v1/partners/%s", id);
    struct http_resp r;
    http_request("PUT", url(path), hub.token, yaml, strlen(yaml), ct, &r);
    if (r.status != 201 && r.status != 200) {
        fail_msg("applying %s: %ld %s", id, r.status, r.body);
    }
    http_resp_free(&r);
}

/* Start a simulator of <kind> on <port> (0: any); its port goes to *port. */
/* Simulators running, so that a test that fails half way does not leave one holding a port
 * the next test needs (the per-test teardown kills them). */
static pid_t live[8];

static void start_sim(struct test_rcv *s, const char *kind, uint16_t *port, const char *const *args)
{
    if (sim_start(s, &hub, hub.dir, kind, *port, args) != 0) {
        fail_msg("sim %s did not start (log %s)", kind, s->log);
    }
    *port = s->port;
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++) {
        if (live[i] == 0) {
            live[i] = s->pid;
            break;
        }
    }
}

static int stop_sim(struct test_rcv *s, int sig)
{
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++) {
        live[i] = live[i] == s->pid ? 0 : live[i];
    }
    return rcv_stop(s, sig);
}

static int kill_leftovers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++) {
        if (live[i] > 0) {
            kill(live[i], SIGKILL);
            waitpid(live[i], NULL, 0);
            live[i] = 0;
        }
    }
    return 0;
}

/* Learn each simulator's port (start it on any, stop it), then apply the profiles naming
 * them as endpoints: later starts reuse the port, so the hub's 997s reach the supplier. */
static int setup(void **state)
{
    (void)state;
    if (hub_setup(&hub, NULL) != 0 || hub_start(&hub, NULL, NULL) != 0) {
        fprintf(stderr, "could not start the hub (log: %s)\n", hub.log);
        return -1;
    }
    token_for("sim-sup", "sim-sup", supplier_token, sizeof supplier_token);
    token_for("sim-wh", "sim-wh", warehouse_token, sizeof warehouse_token);
    token_for("sim-sup-file", "sim-sup-file", file_token, sizeof file_token);
    token_for("sim-wh-x12", "sim-wh-x12", x12_warehouse_token, sizeof x12_warehouse_token);
    snprintf(state_path, sizeof state_path, "%s/supplier.state", hub.dir);
    snprintf(inbox_path, sizeof inbox_path, "%s/partners/sim-sup-file/inbox", hub.data);
    char profile_path[600];
    snprintf(profile_path, sizeof profile_path, "%s/probe.yaml", hub.dir);
    FILE *f = fopen(profile_path, "w");
    if (f == NULL) {
        return -1;
    }
    fprintf(f, supplier_profile, 1u);
    fclose(f);
    const char *args[] = {"--profile", profile_path, "--hub", hub.url, "--token", "x", NULL};
    struct test_rcv s;
    start_sim(&s, "supplier", &supplier_port, args);
    stop_sim(&s, SIGTERM);
    apply("sim-sup", supplier_profile, supplier_port);
    apply("sim-wh", warehouse_profile, 0);
    apply("sim-sup-file", file_profile, 0);
    apply("sim-wh-x12", x12_warehouse_profile, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hub_teardown(&hub);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The hub's side */

/* The example purchase order (4 lines' worth of the catalogue: 400 BX at 6.85, 2500 EA at
 * 0.1325, 36 CA at 54.00) under a fresh po_number, journaled in the hub as the ERP's: its
 * correlation_id goes to <cid>, the document's JSON file to <path>. */
static void new_po(char *po_number, size_t po_cap, char *cid, size_t cid_cap, char *path,
                   size_t path_cap)
{
    size_t len = 0;
    char *text = test_read_src_file("examples/documents/purchase_order.json", &len);
    assert_non_null(text);
    json_t *po = json_loadb(text, len, 0, NULL);
    free(text);
    assert_non_null(po);
    snprintf(po_number, po_cap, "SIM%06u", ++po_serial);
    json_object_del(po, "correlation_id");
    json_object_set_new(po, "po_number", json_string(po_number));
    char *body = json_dumps(po, JSON_COMPACT);
    json_decref(po);
    snprintf(path, path_cap, "%s/%s.json", hub.dir, po_number);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(body, f);
    fclose(f);
    static const char *const ct[] = {"Content-Type: application/json", NULL};
    struct http_resp r;
    http_request("POST", url("/v1/documents"), hub.token, body, strlen(body), ct, &r);
    free(body);
    assert_int_equal(r.status, 201);
    json_t *j = json_loads(r.body, 0, NULL);
    snprintf(cid, cid_cap, "%s", json_string_value(json_object_get(j, "correlation_id")));
    json_decref(j);
    http_resp_free(&r);
}

/* The 850 the hub sends the supplier: the hub as ISA sender, the supplier as receiver. */
static char *render_850_to(const char *po_path, const char *receiver)
{
    static unsigned control = 100;
    char number[16];
    snprintf(number, sizeof number, "%u", ++control);
    const char *args[] = {"x12",       "render",
                          po_path,     "--sender-qual",
                          "ZZ",        "--sender-id",
                          "NORTHWIND", "--receiver-qual",
                          "ZZ",        "--receiver-id",
                          receiver,    "--control-number",
                          number,      NULL};
    char *out = calloc(1, 65536);
    assert_non_null(out);
    assert_int_equal(hub_run_cli(&hub, args, out, 65536), 0);
    assert_memory_equal(out, "ISA", 3);
    return out;
}

static char *render_850(const char *po_path)
{
    return render_850_to(po_path, "SIMSUP");
}

static long deliver(const char *sim_url, const char *content_type, const char *key,
                    const char *body)
{
    char ct[128], idem[160];
    snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
    const char *const headers[] = {ct, idem, NULL};
    char target[128];
    snprintf(target, sizeof target, "%s/deliveries", sim_url);
    struct http_resp r;
    http_request("POST", target, NULL, body, strlen(body), headers, &r);
    long status = r.status;
    http_resp_free(&r);
    return status;
}

/* The documents of <type> in transaction <cid>, once there are at least <want> (or what is
 * there after WAIT_MS). Caller decrefs. */
static json_t *docs_of(const char *cid, const char *type, size_t want)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/transactions/%s?limit=1000", cid);
    json_t *found = NULL;
    for (int waited = 0; waited <= WAIT_MS; waited += 100) {
        json_decref(found);
        found = json_array();
        struct http_resp r;
        http_request("GET", url(path), hub.token, NULL, 0, NULL, &r);
        json_t *j = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
        http_resp_free(&r);
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(j, "documents"), i, d)
        {
            const char *t = json_string_value(json_object_get(d, "type"));
            if (t != NULL && strcmp(t, type) == 0) {
                json_array_append(found, d);
            }
        }
        json_decref(j);
        if (json_array_size(found) >= want) {
            break;
        }
        usleep(100000);
    }
    return found;
}

static const char *str(const json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    return s != NULL ? s : "";
}

/* The line of <lines> whose <key> is <number>, NULL when none. */
static json_t *line_with(const json_t *lines, const char *key, json_int_t number)
{
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        if (json_integer_value(json_object_get(l, key)) == number) {
            return l;
        }
    }
    return NULL;
}

/* Sum of the quantities each ship notice of <asns> ships of PO line <line>, in hundredths
 * (the example's quantities are whole). */
static long shipped(const json_t *asns, json_int_t line)
{
    long total = 0;
    size_t a, o, p, i;
    json_t *asn, *order, *pack, *item;
    json_array_foreach(asns, a, asn)
    {
        json_array_foreach(json_object_get(asn, "orders"), o, order)
        {
            json_array_foreach(json_object_get(order, "packs"), p, pack)
            {
                json_array_foreach(json_object_get(pack, "items"), i, item)
                {
                    if (json_integer_value(json_object_get(item, "line_number")) == line) {
                        total += strtol(str(item, "quantity"), NULL, 10);
                    }
                }
            }
        }
    }
    return total;
}

/* One purchase order through a supplier started with <problems>: the three answers'
 * documents for the caller to check (each array caller's). */
struct answers {
    char po[32], cid[128];
    json_t *acks, *asns, *invoices;
    int unavailable; /* deliveries answered 503 before one was taken */
};

/* <n_asns> ship notices and <n_invoices> invoices expected, exactly. */
static void run_supplier(const char *const *problems, size_t n_asns, size_t n_invoices,
                         struct answers *a)
{
    const char *args[32] = {"--profile",    NULL,      "--hub",           hub.url,       "--token",
                            supplier_token, "--state", state_path,        "--ack-delay", "50",
                            "--ship-delay", "100",     "--invoice-delay", "150"};
    char profile_path[600];
    snprintf(profile_path, sizeof profile_path, "%s/sim-sup.yaml", hub.dir);
    FILE *f = fopen(profile_path, "w");
    assert_non_null(f);
    fprintf(f, supplier_profile, (unsigned)supplier_port);
    fclose(f);
    args[1] = profile_path;
    size_t n = 14;
    for (size_t i = 0; problems != NULL && problems[i] != NULL && n < 31; i++) {
        args[n++] = problems[i];
    }
    args[n] = NULL;
    struct test_rcv s;
    start_sim(&s, "supplier", &supplier_port, args);
    char po_path[600];
    new_po(a->po, sizeof a->po, a->cid, sizeof a->cid, po_path, sizeof po_path);
    char *edi = render_850(po_path);
    char key[64];
    snprintf(key, sizeof key, "hub-850-%s", a->po);
    long status = deliver(s.url, "application/edi-x12", key, edi);
    /* --down-for: the endpoint is down at first, the hub tries again later. */
    a->unavailable = 0;
    for (; status == 503 && a->unavailable < 100; a->unavailable++) {
        usleep(100000);
        status = deliver(s.url, "application/edi-x12", key, edi);
    }
    assert_int_equal(status, 200);
    /* The last invoice is sent after every ship notice: then they are all journaled. */
    a->acks = docs_of(a->cid, "po_acknowledgement", 1);
    a->invoices = docs_of(a->cid, "invoice", n_invoices);
    a->asns = docs_of(a->cid, "ship_notice", n_asns);
    /* The same delivery again (a retry of the hub): acknowledged, not answered again. */
    assert_int_equal(deliver(s.url, "application/edi-x12", key, edi), 200);
    free(edi);
    usleep(500000);
    json_t *again = docs_of(a->cid, "po_acknowledgement", 0);
    assert_int_equal(json_array_size(again), 1);
    json_decref(again);
    assert_int_equal(stop_sim(&s, SIGTERM), 0);
    if (json_array_size(a->acks) != 1 || json_array_size(a->asns) != n_asns ||
        json_array_size(a->invoices) != n_invoices) {
        fail_msg("PO %s: %zu acks, %zu ship notices, %zu invoices (log %s)", a->po,
                 json_array_size(a->acks), json_array_size(a->asns), json_array_size(a->invoices),
                 s.log);
    }
}

static void answers_free(struct answers *a)
{
    json_decref(a->acks);
    json_decref(a->asns);
    json_decref(a->invoices);
}

/* ------------------------------------------------------------------------------------------ */

static void test_supplier_happy_path(void **state)
{
    (void)state;
    struct answers a;
    run_supplier(NULL, 1, 1, &a);
    json_t *ack = json_array_get(a.acks, 0);
    assert_string_equal(str(ack, "po_number"), a.po);
    assert_string_equal(str(ack, "status"), "accepted");
    json_t *lines = json_object_get(ack, "lines");
    assert_int_equal(json_array_size(lines), 3);
    assert_string_equal(str(line_with(lines, "line_number", 2), "confirmed_quantity"), "2500");
    assert_string_equal(str(line_with(lines, "line_number", 2), "confirmed_unit_price"), "0.1325");
    json_t *asn = json_array_get(a.asns, 0);
    json_t *order = json_array_get(json_object_get(asn, "orders"), 0);
    assert_string_equal(str(order, "po_number"), a.po);
    json_t *pack = json_array_get(json_object_get(order, "packs"), 0);
    assert_int_equal(strlen(str(pack, "sscc")), 18);
    assert_int_equal(shipped(a.asns, 1), 400);
    assert_int_equal(shipped(a.asns, 2), 2500);
    assert_int_equal(shipped(a.asns, 3), 36);
    json_t *inv = json_array_get(a.invoices, 0);
    assert_string_equal(str(inv, "po_number"), a.po);
    assert_string_equal(str(inv, "asn_number"), str(asn, "asn_number"));
    json_t *il = json_object_get(inv, "lines");
    assert_string_equal(str(line_with(il, "po_line_number", 1), "amount"), "2740.00");
    assert_string_equal(str(line_with(il, "po_line_number", 2), "amount"), "331.25");
    assert_string_equal(str(json_object_get(inv, "totals"), "total_amount"), "5015.25");
    answers_free(&a);
}

static void test_supplier_rejected_line(void **state)
{
    (void)state;
    const char *problems[] = {"--reject-line", "2", NULL};
    struct answers a;
    run_supplier(problems, 1, 1, &a);
    json_t *ack = json_array_get(a.acks, 0);
    assert_string_equal(str(ack, "status"), "accepted_with_changes");
    assert_string_equal(str(line_with(json_object_get(ack, "lines"), "line_number", 2), "status"),
                        "rejected");
    assert_int_equal(shipped(a.asns, 2), 0);
    assert_int_equal(shipped(a.asns, 1), 400);
    json_t *il = json_object_get(json_array_get(a.invoices, 0), "lines");
    assert_int_equal(json_array_size(il), 2);
    assert_null(line_with(il, "po_line_number", 2));
    assert_string_equal(
        str(json_object_get(json_array_get(a.invoices, 0), "totals"), "total_amount"), "4684.00");
    answers_free(&a);
}

static void test_supplier_partial_shipment(void **state)
{
    (void)state;
    const char *problems[] = {"--partial", "50", NULL};
    struct answers a;
    run_supplier(problems, 2, 2, &a);
    /* Two ship notices whose quantities add up to what was confirmed, each invoiced. */
    assert_int_equal(shipped(a.asns, 1), 400);
    assert_int_equal(shipped(a.asns, 2), 2500);
    assert_int_equal(shipped(a.asns, 3), 36);
    json_t *first = json_pack("[O]", json_array_get(a.asns, 0));
    json_t *second = json_pack("[O]", json_array_get(a.asns, 1));
    /* Half of each line first (rounded down), the rest as the back order. */
    long a1 = shipped(first, 1), b1 = shipped(second, 1), a3 = shipped(first, 3),
         b3 = shipped(second, 3);
    assert_true((a1 == 200 && b1 == 200) && ((a3 == 18 && b3 == 18)));
    assert_string_not_equal(str(json_array_get(a.asns, 0), "asn_number"),
                            str(json_array_get(a.asns, 1), "asn_number"));
    json_decref(first);
    json_decref(second);
    answers_free(&a);
}

static void test_supplier_price_error(void **state)
{
    (void)state;
    const char *problems[] = {"--price-error", "10", NULL};
    struct answers a;
    run_supplier(problems, 1, 1, &a);
    json_t *il = json_object_get(json_array_get(a.invoices, 0), "lines");
    assert_string_equal(str(line_with(il, "po_line_number", 1), "unit_price"), "7.535");
    assert_string_equal(str(line_with(il, "po_line_number", 1), "amount"), "3014.00");
    assert_string_equal(str(line_with(il, "po_line_number", 2), "unit_price"), "0.1325");
    answers_free(&a);
}

static void test_supplier_changed_quantity(void **state)
{
    (void)state;
    const char *problems[] = {"--change-qty", "3:24", NULL};
    struct answers a;
    run_supplier(problems, 1, 1, &a);
    json_t *l3 = line_with(json_object_get(json_array_get(a.acks, 0), "lines"), "line_number", 3);
    assert_string_equal(str(l3, "status"), "changed");
    assert_string_equal(str(l3, "confirmed_quantity"), "24");
    assert_int_equal(shipped(a.asns, 3), 24);
    answers_free(&a);
}

static void test_supplier_down_then_up(void **state)
{
    (void)state;
    const char *problems[] = {"--down-for", "3000", NULL};
    struct answers a;
    run_supplier(problems, 1, 1, &a);
    assert_true(a.unavailable > 0); /* 503 while down, then taken and answered */
    assert_string_equal(str(json_array_get(a.acks, 0), "po_number"), a.po);
    answers_free(&a);
}

static void test_supplier_duplicate_asn(void **state)
{
    (void)state;
    const char *problems[] = {"--duplicate-asn", NULL};
    struct answers a;
    run_supplier(problems, 2, 1, &a);
    /* The same ship notice in two interchanges: the hub journals both messages. */
    assert_string_equal(str(json_array_get(a.asns, 0), "asn_number"),
                        str(json_array_get(a.asns, 1), "asn_number"));
    answers_free(&a);
}

/* The PO of <po_path> rewritten with <purpose> (lines dropped for a cancellation), into a file
 * beside it; its path in <out>. */
static void po_with_purpose(const char *po_path, const char *purpose, char *out, size_t cap)
{
    json_error_t e;
    json_t *po = json_load_file(po_path, 0, &e);
    assert_non_null(po);
    json_object_set_new(po, "purpose", json_string(purpose));
    if (strcmp(purpose, "cancel") == 0) {
        json_object_del(po, "lines");
        json_object_del(po, "totals");
    } else {
        json_t *l1 = json_array_get(json_object_get(po, "lines"), 0);
        json_object_set_new(l1, "quantity", json_string("500"));
        json_object_set_new(l1, "change", json_string("change"));
        json_object_del(po, "totals");
    }
    snprintf(out, cap, "%s.%s.json", po_path, purpose);
    assert_int_equal(json_dump_file(po, out, 0), 0);
    json_decref(po);
}

/* A cancellation (860) before the goods ship: acknowledged, and nothing ships or is invoiced.
 * A change: acknowledged as a change; the original's shipment stands. */
static void test_supplier_cancel_and_change(void **state)
{
    (void)state;
    char profile_path[600];
    snprintf(profile_path, sizeof profile_path, "%s/sim-sup.yaml", hub.dir);
    const char *args[] = {"--profile",    profile_path, "--hub",           hub.url,       "--token",
                          supplier_token, "--state",    state_path,        "--ack-delay", "10",
                          "--ship-delay", "4000",       "--invoice-delay", "4100",        NULL};
    struct test_rcv s;
    start_sim(&s, "supplier", &supplier_port, args);
    char po[2][32], cid[2][128], po_path[2][600], update[600];
    const char *purpose[2] = {"cancel", "change"};
    for (int i = 0; i < 2; i++) {
        new_po(po[i], sizeof po[i], cid[i], sizeof cid[i], po_path[i], sizeof po_path[i]);
        char *edi = render_850(po_path[i]);
        char key[64];
        snprintf(key, sizeof key, "hub-850-%s", po[i]);
        assert_int_equal(deliver(s.url, "application/edi-x12", key, edi), 200);
        free(edi);
        json_t *acks = docs_of(cid[i], "po_acknowledgement", 1);
        assert_int_equal(json_array_size(acks), 1);
        json_decref(acks);
        po_with_purpose(po_path[i], purpose[i], update, sizeof update);
        edi = render_850(update);
        assert_non_null(strstr(edi, "ST*860*"));
        snprintf(key, sizeof key, "hub-860-%s", po[i]);
        assert_int_equal(deliver(s.url, "application/edi-x12", key, edi), 200);
        free(edi);
    }
    for (int i = 0; i < 2; i++) {
        json_t *acks = docs_of(cid[i], "po_acknowledgement", 2);
        assert_int_equal(json_array_size(acks), 2);
        json_t *second = json_array_get(acks, 1);
        assert_string_equal(str(second, "purpose"), purpose[i]);
        json_decref(acks);
    }
    /* The changed order ships (its invoice comes last); the cancelled one never does. */
    json_t *invoices = docs_of(cid[1], "invoice", 1);
    assert_int_equal(json_array_size(invoices), 1);
    json_decref(invoices);
    json_t *asns = docs_of(cid[0], "ship_notice", 0);
    invoices = docs_of(cid[0], "invoice", 0);
    assert_int_equal(json_array_size(asns), 0);
    assert_int_equal(json_array_size(invoices), 0);
    json_decref(asns);
    json_decref(invoices);
    assert_int_equal(stop_sim(&s, SIGTERM), 0);
}

/* --every 2: the problem hits the second purchase order only (a demo's mix). */
static void test_supplier_every_nth(void **state)
{
    (void)state;
    char profile_path[600];
    snprintf(profile_path, sizeof profile_path, "%s/sim-sup.yaml", hub.dir);
    const char *args[] = {"--profile",    profile_path, "--hub",    hub.url,         "--token",
                          supplier_token, "--state",    state_path, "--reject-line", "1",
                          "--every",      "2",          NULL};
    struct test_rcv s;
    start_sim(&s, "supplier", &supplier_port, args);
    const char *status[2] = {NULL, NULL};
    json_t *acks[2];
    for (int i = 0; i < 2; i++) {
        char po[32], cid[128], po_path[600], key[64];
        new_po(po, sizeof po, cid, sizeof cid, po_path, sizeof po_path);
        char *edi = render_850(po_path);
        snprintf(key, sizeof key, "hub-850-every-%d", i);
        assert_int_equal(deliver(s.url, "application/edi-x12", key, edi), 200);
        free(edi);
        acks[i] = docs_of(cid, "po_acknowledgement", 1);
        assert_int_equal(json_array_size(acks[i]), 1);
        status[i] = str(json_array_get(acks[i], 0), "status");
    }
    assert_string_equal(status[0], "accepted");
    assert_string_equal(status[1], "accepted_with_changes");
    json_decref(acks[0]);
    json_decref(acks[1]);
    assert_int_equal(stop_sim(&s, SIGTERM), 0);
}

/* Control numbers survive restarts: the state file's counter is past what was used. */
static void test_supplier_state_file(void **state)
{
    (void)state;
    size_t len = 0;
    FILE *f = fopen(state_path, "r");
    assert_non_null(f);
    char text[256] = {0};
    len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    assert_true(len > 0);
    json_t *j = json_loads(text, 0, NULL);
    assert_true(json_integer_value(json_object_get(j, "interchange")) > 3);
    json_decref(j);
}

/* The whole loop through the hub's own delivery engine: the 850 enqueued with POST /v1/outbox
 * for the supplier's endpoint, a supplier that is down at first (503: the hub retries with
 * the same Idempotency-Key), then taken once and answered. */
static void test_supplier_via_hub_delivery(void **state)
{
    (void)state;
    /* A partner of its own: no 997s of earlier tests queued before the 850, no breaker opened
     * while earlier simulators were stopped. */
    char yaml[4096], text[4096], profile_path[600], token[128];
    snprintf(yaml, sizeof yaml, supplier_profile, 1u);
    size_t n = 0;
    for (const char *c = yaml; *c != '\0' && n + 16 < sizeof text;) {
        if (strncmp(c, "sim-sup", 7) == 0 || strncmp(c, "SIMSUP", 6) == 0) {
            n += (size_t)snprintf(text + n, sizeof text - n, "%s",
                                  c[0] == 's' ? "sim-hub" : "SIMHUB");
            c += c[0] == 's' ? 7 : 6;
        } else {
            text[n++] = *c++;
        }
    }
    text[n] = '\0';
    snprintf(profile_path, sizeof profile_path, "%s/sim-hub.yaml", hub.dir);
    FILE *f = fopen(profile_path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    token_for("sim-hub", "sim-hub", token, sizeof token);
    const char *args[] = {"--profile", profile_path, "--hub", hub.url, "--token",
                          token,       "--down-for", "3000",  NULL};
    struct test_rcv s;
    uint16_t port = 0;
    start_sim(&s, "supplier", &port, args);
    /* The endpoint now names where the simulator listens. */
    char *u = strstr(text, "127.0.0.1:1/");
    assert_non_null(u);
    char live_profile[4096];
    snprintf(live_profile, sizeof live_profile, "%.*s127.0.0.1:%u/%s", (int)(u - text), text,
             (unsigned)port, u + strlen("127.0.0.1:1/"));
    static const char *const yct[] = {"Content-Type: application/yaml", NULL};
    struct http_resp r;
    http_request("PUT", url("/v1/partners/sim-hub"), hub.token, live_profile, strlen(live_profile),
                 yct, &r);
    assert_true(r.status == 201 || r.status == 200);
    http_resp_free(&r);
    char po[32], cid[128], po_path[600];
    new_po(po, sizeof po, cid, sizeof cid, po_path, sizeof po_path);
    char *edi = render_850_to(po_path, "SIMHUB");
    json_t *msg =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "partner", "sim-hub", "endpoint", "edi",
                  "content_type", "application/edi-x12", "body", edi, "correlation_id", cid);
    free(edi);
    char *body = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    static const char *const ct[] = {"Content-Type: application/json", NULL};
    http_request("POST", url("/v1/outbox"), hub.token, body, strlen(body), ct, &r);
    free(body);
    if (r.status != 201 && r.status != 202 && r.status != 200) {
        fail_msg("POST /v1/outbox: %ld %s", r.status, r.body);
    }
    json_t *queued = json_loads(r.body, 0, NULL);
    char key[128];
    snprintf(key, sizeof key, "%s", str(queued, "idempotency_key"));
    json_decref(queued);
    http_resp_free(&r);
    assert_true(strlen(key) > 0);
    json_t *invoices = docs_of(cid, "invoice", 1);
    assert_int_equal(json_array_size(invoices), 1);
    assert_string_equal(str(json_array_get(invoices, 0), "po_number"), po);
    json_decref(invoices);
    /* What the supplier saw: refused while down, then processed once, all under one key. */
    char target[128];
    snprintf(target, sizeof target, "%s/_received", s.url);
    http_request("GET", target, NULL, NULL, 0, NULL, &r);
    json_t *rec = json_loads(r.body, 0, NULL);
    http_resp_free(&r);
    size_t i, unavailable = 0, processed = 0;
    json_t *e;
    json_array_foreach(json_object_get(rec, "records"), i, e)
    {
        if (strcmp(str(e, "key"), key) != 0) {
            continue; /* 997s the hub sent back for what the supplier sent */
        }
        unavailable += json_integer_value(json_object_get(e, "status")) == 503;
        processed += json_is_true(json_object_get(e, "processed"));
    }
    assert_true(unavailable >= 1);
    assert_int_equal(processed, 1);
    json_decref(rec);
    assert_int_equal(stop_sim(&s, SIGTERM), 0);
}

/* A supplier killed after its acknowledgement still owes the ship notice and invoice: with its
 * state file it sends them after the restart, once each. */
static void test_supplier_killed_keeps_its_promises(void **state)
{
    (void)state;
    char profile_path[600];
    snprintf(profile_path, sizeof profile_path, "%s/sim-sup.yaml", hub.dir);
    const char *args[] = {"--profile",    profile_path, "--hub",           hub.url,       "--token",
                          supplier_token, "--state",    state_path,        "--ack-delay", "10",
                          "--ship-delay", "4000",       "--invoice-delay", "4100",        NULL};
    struct test_rcv s;
    start_sim(&s, "supplier", &supplier_port, args);
    char po[32], cid[128], po_path[600];
    new_po(po, sizeof po, cid, sizeof cid, po_path, sizeof po_path);
    char *edi = render_850(po_path);
    assert_int_equal(deliver(s.url, "application/edi-x12", "hub-850-killed", edi), 200);
    free(edi);
    json_t *acks = docs_of(cid, "po_acknowledgement", 1);
    assert_int_equal(json_array_size(acks), 1);
    json_decref(acks);
    stop_sim(&s, SIGKILL);
    json_t *asns = docs_of(cid, "ship_notice", 0);
    assert_int_equal(json_array_size(asns), 0);
    json_decref(asns);
    start_sim(&s, "supplier", &supplier_port, args);
    json_t *invoices = docs_of(cid, "invoice", 1);
    asns = docs_of(cid, "ship_notice", 1);
    /* The hub's retry of the 850 answered before the kill is a duplicate, not a new order. */
    edi = render_850(po_path);
    assert_int_equal(deliver(s.url, "application/edi-x12", "hub-850-killed", edi), 200);
    free(edi);
    usleep(300000);
    acks = docs_of(cid, "po_acknowledgement", 0);
    assert_int_equal(json_array_size(invoices), 1);
    assert_int_equal(json_array_size(asns), 1);
    assert_int_equal(json_array_size(acks), 1);
    assert_string_equal(str(json_array_get(invoices, 0), "asn_number"),
                        str(json_array_get(asns, 0), "asn_number"));
    json_decref(invoices);
    json_decref(asns);
    json_decref(acks);
    assert_int_equal(stop_sim(&s, SIGTERM), 0);
}

static void test_supplier_json_inbox(void **state)
{
    (void)state;
    char profile_path[600];
    snprintf(profile_path, sizeof profile_path, "%s/sim-sup-file.yaml", hub.dir);
    FILE *f = fopen(profile_path, "w");
    assert_non_null(f);
    fprintf(f, file_profile, 0u);
    fclose(f);
    const char *args[] = {"--profile", profile_path,   "--inbox", inbox_path,        "--ack-delay",
                          "10",        "--ship-delay", "20",      "--invoice-delay", "30",
                          NULL};
    struct test_rcv s;
    start_sim(&s, "supplier", &file_port, args);
    char po[32], cid[128], po_path[600];
    new_po(po, sizeof po, cid, sizeof cid, po_path, sizeof po_path);
    size_t len = 0;
    f = fopen(po_path, "r");
    assert_non_null(f);
    char *body = calloc(1, 65536);
    len = fread(body, 1, 65535, f);
    fclose(f);
    assert_true(len > 0);
    assert_int_equal(deliver(s.url, "application/json", "hub-json-po", body), 200);
    free(body);
    json_t *invoices = docs_of(cid, "invoice", 1);
    json_t *acks = docs_of(cid, "po_acknowledgement", 1);
    assert_int_equal(json_array_size(acks), 1);
    assert_int_equal(json_array_size(invoices), 1);
    assert_string_equal(str(json_array_get(invoices, 0), "po_number"), po);
    json_decref(acks);
    json_decref(invoices);
    assert_int_equal(stop_sim(&s, SIGTERM), 0);
}

static void test_supplier_refuses_garbage(void **state)
{
    (void)state;
    char profile_path[600];
    snprintf(profile_path, sizeof profile_path, "%s/sim-sup.yaml", hub.dir);
    const char *args[] = {"--profile",    profile_path, "--hub",    hub.url, "--token",
                          supplier_token, "--state",    state_path, NULL};
    struct test_rcv s;
    start_sim(&s, "supplier", &supplier_port, args);
    assert_int_equal(deliver(s.url, "application/edi-x12", "junk-1", "ISA*garbage~"), 400);
    assert_int_equal(deliver(s.url, "application/json", "junk-2", "{\"type\": \"purchase_order\"}"),
                     400);
    assert_int_equal(deliver(s.url, "text/plain", "junk-3", "hello"), 400);
    assert_int_equal(stop_sim(&s, SIGTERM), 0);
}

static void test_warehouse_short_and_damaged(void **state)
{
    (void)state;
    char profile_path[600];
    snprintf(profile_path, sizeof profile_path, "%s/sim-wh.yaml", hub.dir);
    FILE *f = fopen(profile_path, "w");
    assert_non_null(f);
    fprintf(f, warehouse_profile, 0u);
    fclose(f);
    const char *args[] = {
        "--profile",       profile_path, "--hub",   hub.url, "--token",   warehouse_token,
        "--receive-delay", "20",         "--short", "1:5",   "--damaged", "3:1",
        "--over",          "2:10",       NULL};
    struct test_rcv s;
    start_sim(&s, "warehouse", &warehouse_port, args);
    char po[32], cid[128], po_path[600];
    new_po(po, sizeof po, cid, sizeof cid, po_path, sizeof po_path);
    size_t len = 0;
    char *text = test_read_src_file("examples/documents/ship_notice.json", &len);
    json_t *asn = json_loadb(text, len, 0, NULL);
    free(text);
    json_object_del(asn, "correlation_id");
    json_object_del(asn, "source");
    json_object_set_new(asn, "asn_number", json_string("ASN-WH-1"));
    json_object_set_new(json_array_get(json_object_get(asn, "orders"), 0), "po_number",
                        json_string(po));
    char *body = json_dumps(asn, JSON_COMPACT);
    json_decref(asn);
    assert_int_equal(deliver(s.url, "application/json", "hub-asn-wh-1", body), 200);
    free(body);
    json_t *receipts = docs_of(cid, "receipt", 1);
    assert_int_equal(json_array_size(receipts), 1);
    json_t *r = json_array_get(receipts, 0);
    assert_string_equal(str(r, "asn_number"), "ASN-WH-1");
    assert_string_equal(str(r, "po_number"), po);
    assert_string_equal(str(r, "location_id"), "DC-CHI");
    json_t *lines = json_object_get(r, "lines");
    json_t *l1 = line_with(lines, "po_line_number", 1), *l3 = line_with(lines, "po_line_number", 3);
    assert_string_equal(str(l1, "expected_quantity"), "400");
    assert_string_equal(str(l1, "received_quantity"), "395");
    assert_string_equal(str(l3, "received_quantity"), "24");
    assert_string_equal(str(l3, "damaged_quantity"), "1");
    assert_string_equal(str(l3, "condition"), "damaged");
    assert_string_equal(str(line_with(lines, "po_line_number", 2), "condition"), "good");
    assert_string_equal(str(line_with(lines, "po_line_number", 2), "received_quantity"), "2510");
    json_decref(receipts);
    assert_int_equal(stop_sim(&s, SIGTERM), 0);
}

/* The same through X12: the hub's 856 in, the warehouse's 944 out, translated by the hub. */
static void test_warehouse_x12(void **state)
{
    (void)state;
    char profile_path[600];
    snprintf(profile_path, sizeof profile_path, "%s/sim-wh-x12.yaml", hub.dir);
    FILE *f = fopen(profile_path, "w");
    assert_non_null(f);
    fprintf(f, x12_warehouse_profile, 0u);
    fclose(f);
    const char *args[] = {
        "--profile",       profile_path, "--hub",   hub.url, "--token", x12_warehouse_token,
        "--receive-delay", "20",         "--short", "2:500", NULL};
    struct test_rcv s;
    uint16_t port = 0;
    start_sim(&s, "warehouse", &port, args);
    char po[32], cid[128], po_path[600];
    new_po(po, sizeof po, cid, sizeof cid, po_path, sizeof po_path);
    size_t len = 0;
    char *text = test_read_src_file("examples/documents/ship_notice.json", &len);
    json_t *asn = json_loadb(text, len, 0, NULL);
    free(text);
    json_object_del(asn, "correlation_id");
    json_object_del(asn, "source");
    json_object_set_new(asn, "asn_number", json_string("ASN-WH-X12"));
    json_object_set_new(json_array_get(json_object_get(asn, "orders"), 0), "po_number",
                        json_string(po));
    char asn_path[700];
    snprintf(asn_path, sizeof asn_path, "%s/asn-x12.json", hub.dir);
    assert_int_equal(json_dump_file(asn, asn_path, 0), 0);
    json_decref(asn);
    const char *render[] = {"x12",       "render",
                            asn_path,    "--sender-qual",
                            "ZZ",        "--sender-id",
                            "NORTHWIND", "--receiver-qual",
                            "ZZ",        "--receiver-id",
                            "SIMWH",     "--control-number",
                            "901",       NULL};
    char *edi = calloc(1, 65536);
    assert_non_null(edi);
    assert_int_equal(hub_run_cli(&hub, render, edi, 65536), 0);
    assert_int_equal(deliver(s.url, "application/edi-x12", "hub-856-x12", edi), 200);
    free(edi);
    json_t *receipts = docs_of(cid, "receipt", 1);
    if (json_array_size(receipts) != 1) {
        fail_msg("no receipt from the X12 warehouse (log %s)", s.log);
    }
    json_t *r = json_array_get(receipts, 0);
    assert_string_equal(str(json_object_get(r, "source"), "format"), "x12");
    assert_string_equal(str(r, "asn_number"), "ASN-WH-X12");
    assert_string_equal(str(r, "po_number"), po);
    json_t *lines = json_object_get(r, "lines");
    assert_int_equal(json_array_size(lines), 3);
    assert_string_equal(str(line_with(lines, "po_line_number", 2), "received_quantity"), "2000");
    assert_string_equal(str(line_with(lines, "po_line_number", 2), "expected_quantity"), "2500");
    json_decref(receipts);
    assert_int_equal(stop_sim(&s, SIGTERM), 0);
}

static json_t *get_json(const char *target)
{
    struct http_resp r;
    http_request("GET", target, NULL, NULL, 0, NULL, &r);
    json_t *j = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
    http_resp_free(&r);
    return j;
}

static void test_erp_records_and_issues_orders(void **state)
{
    (void)state;
    char record[600];
    snprintf(record, sizeof record, "%s/erp.jsonl", hub.dir);
    const char *args[] = {"--hub",  hub.url,  "--token",  hub.token,    "--orders",
                          "3",      "--rate", "50",       "--supplier", "sim-sup",
                          "--seed", "7",      "--record", record,       NULL};
    struct test_rcv s;
    uint16_t port = 0;
    start_sim(&s, "erp", &port, args);
    char target[128];
    snprintf(target, sizeof target, "%s/_summary", s.url);
    json_t *sum = NULL;
    for (int i = 0; i < 200; i++) {
        json_decref(sum);
        sum = get_json(target);
        if (json_is_true(json_object_get(json_object_get(sum, "orders"), "done"))) {
            break;
        }
        usleep(50000);
    }
    assert_int_equal(json_integer_value(json_object_get(json_object_get(sum, "orders"), "issued")),
                     3);
    json_decref(sum);
    /* Postings as the hub delivers them: recorded, counted by type and po_number. */
    size_t len = 0;
    char *ack = test_read_src_file("examples/documents/po_acknowledgement.json", &len);
    assert_int_equal(deliver(s.url, "application/json", "post-1", ack), 200);
    assert_int_equal(deliver(s.url, "application/json", "post-1", ack), 200); /* a retry */
    free(ack);
    sum = get_json(target);
    assert_int_equal(json_integer_value(json_object_get(sum, "postings")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(sum, "by_type"), "po_acknowledgement")),
        1);
    json_t *per_po = json_object_get(json_object_get(sum, "by_po_number"), "4500012345");
    assert_int_equal(json_integer_value(json_object_get(per_po, "po_acknowledgement")), 1);
    json_decref(sum);
    snprintf(target, sizeof target, "%s/_received", s.url);
    json_t *rec = get_json(target);
    json_t *first = json_array_get(json_object_get(rec, "records"), 0);
    assert_string_equal(str(json_object_get(first, "document"), "type"), "po_acknowledgement");
    json_decref(rec);
    assert_int_equal(stop_sim(&s, SIGTERM), 0);
    /* Restarted with its record: the counts are back, the posting's retry is a duplicate. */
    const char *again[] = {"--record", record, NULL};
    start_sim(&s, "erp", &port, again);
    ack = test_read_src_file("examples/documents/po_acknowledgement.json", &len);
    assert_int_equal(deliver(s.url, "application/json", "post-1", ack), 200);
    free(ack);
    snprintf(target, sizeof target, "%s/_summary", s.url);
    sum = get_json(target);
    assert_int_equal(json_integer_value(json_object_get(sum, "postings")), 1);
    json_decref(sum);
    assert_int_equal(stop_sim(&s, SIGTERM), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_supplier_happy_path, kill_leftovers),
        cmocka_unit_test_teardown(test_supplier_rejected_line, kill_leftovers),
        cmocka_unit_test_teardown(test_supplier_partial_shipment, kill_leftovers),
        cmocka_unit_test_teardown(test_supplier_price_error, kill_leftovers),
        cmocka_unit_test_teardown(test_supplier_changed_quantity, kill_leftovers),
        cmocka_unit_test_teardown(test_supplier_down_then_up, kill_leftovers),
        cmocka_unit_test_teardown(test_supplier_duplicate_asn, kill_leftovers),
        cmocka_unit_test_teardown(test_supplier_every_nth, kill_leftovers),
        cmocka_unit_test_teardown(test_supplier_cancel_and_change, kill_leftovers),
        cmocka_unit_test_teardown(test_supplier_state_file, kill_leftovers),
        cmocka_unit_test_teardown(test_supplier_via_hub_delivery, kill_leftovers),
        cmocka_unit_test_teardown(test_supplier_killed_keeps_its_promises, kill_leftovers),
        cmocka_unit_test_teardown(test_supplier_json_inbox, kill_leftovers),
        cmocka_unit_test_teardown(test_supplier_refuses_garbage, kill_leftovers),
        cmocka_unit_test_teardown(test_warehouse_short_and_damaged, kill_leftovers),
        cmocka_unit_test_teardown(test_warehouse_x12, kill_leftovers),
        cmocka_unit_test_teardown(test_erp_records_and_issues_orders, kill_leftovers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
