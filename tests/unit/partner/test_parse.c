/* Parsing partner profiles: every field of the table is read and written back, YAML and JSON
 * give the same profile and the same problems, every kind of problem comes with its path and
 * line, caps hold, and the generated reference in docs/partner-profiles.md is current. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "partner/partner_int.h"
#include "partner_test.h"

/* A profile that sets every field of the table, most to something other than its default. */
static const char full_yaml[] =
    "id: full.partner-1\n"
    "name: Full Partner\n"
    "role: erp\n"
    "identifiers:\n"
    "  isa_qualifier: \"01\"\n"
    "  isa_id: FULLPARTNER\n"
    "  gs_id: FULLGS\n"
    "  gln: \"0614141000012\"\n"
    "  duns: \"804735132\"\n"
    "x12:\n"
    "  acknowledgement: \"999\"\n"
    "  ta1: true\n"
    "  hub_qualifier: ZZ\n"
    "  hub_id: NORTHWIND\n"
    "  hub_gs_id: NWGS\n"
    "  element_separator: \"|\"\n"
    "  component_separator: \">\"\n"
    "  repetition_separator: \"!\"\n"
    "  segment_terminator: \"~\"\n"
    "  newline: true\n"
    "inbound:\n"
    "  http:\n"
    "    enabled: false\n"
    "    formats: [json, x12]\n"
    "  inbox:\n"
    "    enabled: true\n"
    "    files:\n"
    "      - {pattern: \"ASN_*.csv\", format: csv, document: ship_notice}\n"
    "outbound:\n"
    "  endpoints:\n"
    "    - name: api\n"
    "      kind: http\n"
    "      url: http://127.0.0.1:9000/in\n"
    "      method: PUT\n"
    "      headers: {X-Tenant: north}\n"
    "      auth: {type: header, credential: api-key, header: X-Key}\n"
    "      connect_timeout: 1500ms\n"
    "      timeout: 1m30s\n"
    "      allow_private_networks: [\"127.0.0.0/8\", \"::1/128\"]\n"
    "      ordered: false\n"
    "    - name: hook\n"
    "      kind: webhook\n"
    "      url: https://hooks.example/x\n"
    "      signing_secret: hook-key\n"
    "    - name: drop\n"
    "      kind: file\n"
    "      filename: \"{partner}-{type}-{id}.{ext}\"\n"
    "  retry: {max_attempts: 3, max_age: 2h, backoff_base: 250ms, backoff_max: 1m}\n"
    "  circuit_breaker: {failures_to_open: 2, pause: 5s}\n"
    "  failover: {alternate: other-partner, after: 45m}\n"
    "documents:\n"
    "  - {type: purchase_order, direction: in, format: x12, version: \"005010\", set: \"860\"}\n"
    "  - {type: invoice, direction: out, format: json, endpoint: hook}\n"
    "  - {type: receipt, direction: in, format: json}\n"
    "  - type: ship_notice\n"
    "    direction: in\n"
    "    format: csv\n"
    "    map:\n"
    "      format: csv\n"
    "      document_type: ship_notice\n"
    "      fields:\n"
    "        - {column: ASN, path: asn_number, required: true}\n"
    "mapping:\n"
    "  items:\n"
    "    - {sku: NW-1, vendor_part: V-1, buyer_part: B-1, gtin: \"00614141204175\"}\n"
    "  unknown_items: error\n"
    "  units:\n"
    "    codes: {CS: CA}\n"
    "    conversions:\n"
    "      - {from: CA, to: EA, factor: \"12.5\", sku: NW-1}\n"
    "  locations:\n"
    "    - {location_id: DC-1, code: D1, gln: \"0614141000029\"}\n"
    "  parties:\n"
    "    - {party_id: p-1, code: P1, gln: \"0614141000036\", duns: \"123456789\"}\n"
    "  code_lists:\n"
    "    - document: po_acknowledgement\n"
    "      path: \"lines[].status\"\n"
    "      map: {IA: accepted}\n"
    "      unknown: error\n"
    "  x12: {item_qualifiers: [VP, BP]}\n"
    "slas:\n"
    "  - {expect: po_acknowledgement, after: purchase_order, within: 1d, at_risk: 2h}\n"
    "  - {expect: ship_notice, before: purchase_order.requested_delivery_date, lead: 12h}\n"
    "credentials:\n"
    "  api-key: {type: token, value: tok}\n"
    "  hook-key: {type: hmac_key, value: hk}\n"
    "  erp-login: {type: password, username: crossdock, value: pw}\n"
    "erp:\n"
    "  connector: tryton\n"
    "  url: https://erp.example/\n"
    "  database: north\n"
    "  credential: erp-login\n"
    "  poll_interval: 2m\n"
    "  invoice_state: posted\n"
    "  products: {P-1: NW-1}\n"
    "  parties: {S-1: acme}\n"
    "  locations: {L-1: DC-1}\n"
    "  units: {u: EA}\n";

/* Is every key of schema <s> in at least one of the <n> objects <vs> (all elements of the
 * lists and maps above)? Fails the test naming the first key no element has. */
static void every_key(const struct xd_partner__schema *s, json_t *const *vs, size_t n,
                      const char *path)
{
    for (size_t i = 0; i < s->n_fields; i++) {
        const struct xd_partner__field *f = &s->fields[i];
        if (f->type == XD_PARTNER__F_SECRET) {
            continue; /* never written in the stored form; checked with the redacted one */
        }
        json_t *children[64];
        size_t nc = 0;
        for (size_t k = 0; k < n; k++) {
            json_t *m = json_object_get(vs[k], f->key);
            if (m == NULL) {
                continue;
            }
            if (f->type == XD_PARTNER__F_LIST) {
                size_t j;
                json_t *el;
                json_array_foreach(m, j, el)
                {
                    children[nc < 63 ? nc++ : nc] = el;
                }
            } else if (f->type == XD_PARTNER__F_MAP) {
                const char *key;
                json_t *el;
                json_object_foreach(m, key, el)
                {
                    children[nc < 63 ? nc++ : nc] = el;
                }
            } else {
                children[nc < 63 ? nc++ : nc] = m;
            }
        }
        if (nc == 0) {
            fail_msg("the full profile does not exercise %s.%s", path, f->key);
        }
        if (f->child != NULL) {
            char sub[256];
            snprintf(sub, sizeof sub, "%s.%s", path, f->key);
            every_key(f->child, children, nc, sub);
        }
    }
}

static void test_every_field(void **state)
{
    (void)state;
    struct xd_partner_profile *p = pt_valid(full_yaml);
    char *json = pt_json(p, XD_PARTNER_EMIT_STORED);
    json_t *j = json_loads(json, 0, NULL);
    assert_non_null(j);
    every_key(&xd_partner__profile_schema, &j, 1, "");
    /* Values as decoded. */
    assert_string_equal(p->id, "full.partner-1");
    assert_int_equal(p->role, XD_PARTNER_ROLE_ERP);
    assert_int_equal(p->x12->acknowledgement, XD_PARTNER_ACK_999);
    assert_string_equal(p->x12->element_separator, "|");
    assert_false(p->inbound.http->enabled);
    assert_int_equal(p->inbound.http->n_formats, 2);
    assert_int_equal(p->inbound.http->formats[1], XD_PARTNER_FORMAT_X12);
    const struct xd_partner_endpoint *e = &p->outbound.endpoints[0];
    assert_int_equal(e->method, XD_PARTNER_METHOD_PUT);
    assert_int_equal(e->connect_timeout_ms, 1500);
    assert_int_equal(e->timeout_ms, 90000);
    assert_false(e->ordered);
    assert_int_equal(e->max_in_flight, 8); /* the default */
    assert_string_equal(e->headers[0].key, "X-Tenant");
    assert_int_equal(e->auth->type, XD_PARTNER_AUTH_HEADER);
    assert_int_equal(p->outbound.retry.backoff_base_ms, 250);
    assert_int_equal(p->outbound.failover->after_ms, 45 * 60000);
    assert_int_equal(p->documents[0].type, XD_CANON_PURCHASE_ORDER);
    assert_string_equal(p->documents[0].x12_set, "860");
    assert_non_null(p->documents[3].flat);
    assert_int_equal(p->mapping.units.conversions[0].factor.units, 125);
    assert_int_equal(p->mapping.units.conversions[0].factor.scale, 1);
    assert_true(p->slas[0].has_after);
    assert_int_equal(p->slas[1].before_document, XD_CANON_PURCHASE_ORDER);
    assert_string_equal(p->slas[1].before_member, "requested_delivery_date");
    assert_int_equal(p->slas[1].lead_ms, 12 * 3600000);
    assert_int_equal(p->erp->invoice_state, XD_PARTNER_INVOICE_POSTED);
    assert_int_equal(p->erp->poll_interval_ms, 120000);
    /* Credential values are held (to be sealed) but never written, even redacted. */
    assert_non_null(p->credentials[0].value);
    assert_null(strstr(json, "\"tok\""));
    char *red = pt_json(p, XD_PARTNER_EMIT_REDACTED);
    assert_non_null(strstr(red, "\"api-key\":{\"type\":\"token\",\"value\":\"***\"}"));
    assert_null(strstr(red, "\"tok\""));
    assert_null(strstr(red, "\"pw\""));
    free(red);
    /* Written and read again: the same profile. */
    struct xd_partner_problems pr;
    struct xd_partner_profile *q = NULL;
    assert_int_equal(pt_parse(json, XD_PARTNER_JSON, &q, &pr), XD_OK);
    char *json2 = pt_json(q, XD_PARTNER_EMIT_STORED);
    assert_string_equal(json, json2);
    free(json2);
    xd_partner_problems_cleanup(&pr);
    xd_partner_profile_unref(q);
    json_decref(j);
    free(json);
    xd_partner_profile_unref(p);
}

static void test_defaults(void **state)
{
    (void)state;
    struct xd_partner_profile *p = pt_valid("id: min\nname: Minimal\nrole: carrier\n");
    assert_int_equal(p->outbound.retry.max_attempts, 10);
    assert_int_equal(p->outbound.retry.max_age_ms, 24LL * 3600000);
    assert_int_equal(p->outbound.retry.backoff_base_ms, 1000);
    assert_int_equal(p->outbound.retry.backoff_max_ms, 600000);
    assert_int_equal(p->outbound.circuit_breaker.failures_to_open, 5);
    assert_int_equal(p->outbound.circuit_breaker.pause_ms, 30000);
    assert_int_equal(p->mapping.unknown_items, XD_PARTNER_UNKNOWN_KEEP);
    assert_null(p->x12);
    assert_null(p->inbound.http);
    assert_null(p->erp);
    char *json = pt_json(p, XD_PARTNER_EMIT_STORED);
    assert_string_equal(json, "{\"id\":\"min\",\"name\":\"Minimal\",\"role\":\"carrier\","
                              "\"outbound\":{\"retry\":{\"max_attempts\":10,\"max_age\":\"1d\","
                              "\"backoff_base\":\"1s\",\"backoff_max\":\"10m\"},"
                              "\"circuit_breaker\":{\"failures_to_open\":5,\"pause\":\"30s\"}},"
                              "\"mapping\":{\"unknown_items\":\"keep\"}}");
    free(json);
    xd_partner_profile_unref(p);
}

/* YAML and its JSON form: the same profile; YAML written back: the same profile again.
 * Compared in the stored form: a credential's "***" reads back as "keep the stored value". */
static void test_yaml_json_parity(void **state)
{
    (void)state;
    static const char *const files[] = {
        "examples/partners/acme-fasteners.yaml",     "examples/partners/erp-northwind.yaml",
        "examples/partners/globex-packaging.yaml",   "examples/partners/great-lakes-3pl.yaml",
        "examples/partners/northwind-b2b-shop.yaml", "examples/partners/odfl.yaml",
        "examples/partners/safehands-medical.yaml",  "examples/partners/summit-3pl.yaml",
        "examples/partners/wms-chicago.yaml",        "examples/partners/wms-dallas.yaml",
        "examples/partners/wms-newark.yaml",         "examples/partners/wms-reno.yaml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *yaml = pt_read_src(files[i], NULL);
        struct xd_partner_profile *p = pt_valid(yaml);
        char *json = pt_json(p, XD_PARTNER_EMIT_STORED);
        struct xd_partner_problems pr;
        struct xd_partner_profile *q = NULL;
        assert_int_equal(pt_parse(json, XD_PARTNER_JSON, &q, &pr), XD_OK);
        char *json2 = pt_json(q, XD_PARTNER_EMIT_STORED);
        assert_string_equal(json, json2);
        xd_partner_problems_cleanup(&pr);
        /* The API's YAML (credentials as "***", which reads back as "keep the stored value"). */
        struct xd_buf y;
        xd_buf_init(&y, (size_t)16 * 1024 * 1024);
        assert_int_equal(xd_partner_to_yaml(q, XD_PARTNER_EMIT_REDACTED, &y), XD_OK);
        struct xd_partner_profile *r = NULL;
        assert_int_equal(pt_parse(y.data, XD_PARTNER_YAML, &r, &pr), XD_OK);
        char *json3 = pt_json(r, XD_PARTNER_EMIT_STORED);
        if (strcmp(json, json3) != 0) {
            fail_msg("%s: YAML written back reads differently:\n%s\n%s", files[i], y.data, json3);
        }
        xd_partner_problems_cleanup(&pr);
        xd_buf_cleanup(&y);
        free(json3);
        free(json2);
        free(json);
        free(yaml);
        xd_partner_profile_unref(r);
        xd_partner_profile_unref(q);
        xd_partner_profile_unref(p);
    }
}

/* The same mistakes in YAML and in JSON: the same problems at the same paths; YAML adds lines. */
static void test_problem_parity(void **state)
{
    (void)state;
    static const char yaml[] = "id: acme\n"
                               "name: Acme\n"
                               "role: suplier\n"
                               "outbound:\n"
                               "  endpoints:\n"
                               "    - {name: e, kind: http, url: ftp://x, timout: 5s}\n"
                               "  retry: {max_attempts: 0}\n"
                               "credentials:\n"
                               "  k: {type: token, value: \"\"}\n";
    static const char json[] = "{\"id\":\"acme\",\"name\":\"Acme\",\"role\":\"suplier\","
                               "\"outbound\":{\"endpoints\":[{\"name\":\"e\",\"kind\":\"http\","
                               "\"url\":\"ftp://x\",\"timout\":\"5s\"}],"
                               "\"retry\":{\"max_attempts\":0}},"
                               "\"credentials\":{\"k\":{\"type\":\"token\",\"value\":\"\"}}}";
    struct xd_partner_problems py, pj;
    struct xd_partner_profile *p = NULL;
    assert_int_equal(pt_parse(yaml, XD_PARTNER_YAML, &p, &py), XD_EINVALDOC);
    assert_int_equal(pt_parse(json, XD_PARTNER_JSON, &p, &pj), XD_EINVALDOC);
    assert_null(p);
    assert_int_equal(py.count, 5);
    assert_int_equal(pj.count, py.count);
    for (size_t i = 0; i < py.count; i++) {
        assert_string_equal(py.items[i].code, pj.items[i].code);
        assert_string_equal(py.items[i].path, pj.items[i].path);
        assert_true(py.items[i].line > 0);
        assert_int_equal(pj.items[i].line, 0);
    }
    const struct xd_partner_problem *t =
        pt_find(&py, "unknown_key", "outbound.endpoints[0].timout");
    assert_non_null(t);
    assert_int_equal(t->line, 6);
    assert_int_equal(t->column, 43);
    assert_non_null(strstr(t->message, "did you mean 'timeout'"));
    xd_partner_problems_cleanup(&py);
    xd_partner_problems_cleanup(&pj);
}

/* One mistake each: its code, path and line. */
struct error_case {
    const char *yaml; /* after the common header (3 lines: id, name, role supplier) */
    const char *code;
    const char *path;
    int line;
};

static const struct error_case cases[] = {
    {"identifiers: {gln: \"0614141000013\"}\n", "format", "identifiers.gln", 4},
    {"identifiers: {isa_qualifier: QQ, isa_id: X}\n", "format", "identifiers.isa_qualifier", 4},
    {"identifiers:\n  isa_id: \"A*B\"\n", "format", "identifiers.isa_id", 5},
    {"identifiers: {isa_qualifier: ZZ}\n", "required", "identifiers.isa_id", 4},
    {"identifiers: {duns: 12345678}\n", "format", "identifiers.duns", 4},
    {"identifiers: [1]\n", "type", "identifiers", 4},
    {"identifers: {}\n", "unknown_key", "identifers", 4},
    {"x12: {ta1: maybe}\n", "type", "x12.ta1", 4},
    {"x12: {element_separator: \"**\"}\n", "max_length", "x12.element_separator", 4},
    {"x12: {element_separator: A}\n", "format", "x12.element_separator", 4},
    {"x12: {element_separator: \"~\"}\n", "conflict", "x12.segment_terminator", 4},
    {"x12: {acknowledgement: \"998\"}\n", "enum", "x12.acknowledgement", 4},
    {"x12: {hub_id: NW}\n", "required", "x12.hub_qualifier", 4},
    {"inbound:\n  http: {formats: []}\n", "empty", "inbound.http.formats", 5},
    {"inbound:\n  http: {enabled: true}\n", "required", "inbound.http.formats", 5},
    {"inbound:\n  http: {formats: [json]}\n", "reference", "inbound.http.formats[0]", 5},
    {"inbound:\n  inbox:\n    files:\n      - {pattern: \"a/b\", format: x12}\n", "format",
     "inbound.inbox.files[0].pattern", 7},
    {"inbound:\n  inbox:\n    files:\n      - {pattern: \"*.csv\", format: csv}\n", "required",
     "inbound.inbox.files[0]", 7},
    {"outbound:\n  endpoints:\n    - {name: e, kind: http}\n", "required",
     "outbound.endpoints[0].url", 6},
    {"outbound:\n  endpoints:\n    - {name: E, kind: file, filename: \"{id}\"}\n", "format",
     "outbound.endpoints[0].name", 6},
    {"outbound:\n  endpoints:\n    - {name: e, kind: ftp}\n", "enum", "outbound.endpoints[0].kind",
     6},
    {"outbound:\n  endpoints:\n    - {name: e, kind: http, url: \"https://u:p@x/\"}\n", "format",
     "outbound.endpoints[0].url", 6},
    {"outbound:\n  endpoints:\n    - {name: e, kind: http, url: \"http://10.1.2.3/x\"}\n",
     "private_address", "outbound.endpoints[0].url", 6},
    {"outbound:\n  endpoints:\n    - {name: e, kind: http, url: \"http://[::1]:80/\"}\n",
     "private_address", "outbound.endpoints[0].url", 6},
    {"outbound:\n  endpoints:\n    - {name: e, kind: http, url: \"http://localhost/\"}\n",
     "private_address", "outbound.endpoints[0].url", 6},
    {"outbound:\n  endpoints:\n    - {name: e, kind: http, url: \"http://x/\", timeout: 2h}\n",
     "range", "outbound.endpoints[0].timeout", 6},
    {"outbound:\n  endpoints:\n    - {name: e, kind: http, url: \"http://x/\", timeout: 1x}\n",
     "format", "outbound.endpoints[0].timeout", 6},
    {"outbound:\n  endpoints:\n    - {name: e, kind: http, url: \"http://x/\", connect_timeout: "
     "50s, timeout: 10s}\n",
     "range", "outbound.endpoints[0].connect_timeout", 6},
    {"outbound:\n  endpoints:\n    - {name: e, kind: http, url: \"http://x/\", headers: "
     "{Authorization: x}}\n",
     "format", "outbound.endpoints[0].headers.Authorization", 6},
    {"outbound:\n  endpoints:\n    - {name: e, kind: http, url: \"http://x/\", auth: {type: "
     "bearer, credential: nope}}\n",
     "reference", "outbound.endpoints[0].auth.credential", 6},
    {"outbound:\n  endpoints:\n    - {name: e, kind: webhook, url: \"http://x/\"}\n", "required",
     "outbound.endpoints[0].signing_secret", 6},
    {"outbound:\n  endpoints:\n    - {name: e, kind: file, filename: \"x.csv\"}\n", "format",
     "outbound.endpoints[0].filename", 6},
    {"outbound:\n  retry: {max_attempts: 5000}\n", "range", "outbound.retry.max_attempts", 5},
    {"outbound:\n  retry: {max_attempts: \"5\"}\n", "type", "outbound.retry.max_attempts", 5},
    {"outbound:\n  failover: {alternate: acme}\n", "reference", "outbound.failover.alternate", 5},
    {"documents:\n  - {type: purchase_ordr, direction: in, format: json}\n", "enum",
     "documents[0].type", 5},
    {"documents:\n  - {type: purchase_order, direction: out, format: json}\n", "reference",
     "documents[0]", 5},
    {"documents:\n  - {type: party, direction: out, format: x12, endpoint: e}\n", "enum",
     "documents[0].type", 5},
    {"documents:\n  - {type: purchase_order, direction: in, format: json, set: \"850\"}\n",
     "unexpected", "documents[0].set", 5},
    {"documents:\n  - {type: invoice, direction: in, format: csv}\n", "required",
     "documents[0].map", 5},
    {"documents:\n  - type: invoice\n    direction: in\n    format: csv\n    map:\n      format: "
     "csv\n      document_type: invoice\n      fields:\n        - {column: X, path: "
     "invoice_number, typo: 1}\n",
     "map", "documents[0].map.fields[0].typo", 12},
    {"mapping:\n  items:\n    - {sku: A}\n", "required", "mapping.items[0]", 6},
    {"mapping:\n  items:\n    - {sku: A, vendor_part: V}\n    - {sku: B, vendor_part: V}\n",
     "conflict", "mapping.items[1].vendor_part", 7},
    {"mapping:\n  items:\n    - {sku: A, gtin: \"12345\"}\n", "format", "mapping.items[0].gtin", 6},
    {"mapping:\n  units:\n    codes: {CS: XX}\n", "format", "mapping.units.codes.CS", 6},
    {"mapping:\n  units:\n    codes: {CS: CASE}\n", "max_length", "mapping.units.codes.CS", 6},
    {"mapping:\n  units:\n    conversions:\n      - {from: CA, to: EA, factor: 0}\n", "range",
     "mapping.units.conversions[0].factor", 7},
    {"mapping:\n  units:\n    conversions:\n      - {from: CA, to: EA, factor: \"1e3\"}\n",
     "format", "mapping.units.conversions[0].factor", 7},
    {"mapping:\n  units:\n    conversions:\n      - {from: CA, to: CA, factor: 2}\n", "conflict",
     "mapping.units.conversions[0].to", 7},
    {"mapping:\n  units:\n    conversions:\n      - {from: CA, to: EA, factor: 12}\n      - "
     "{from: EA, to: DZ, factor: \"0.1\"}\n      - {from: DZ, to: CA, factor: 1}\n",
     "cycle", "mapping.units.conversions[0]", 7},
    {"mapping:\n  units:\n    conversions:\n      - {from: CA, to: EA, factor: 12}\n      - "
     "{from: CA, to: BX, factor: 2}\n",
     "conflict", "mapping.units.conversions[1]", 8},
    {"mapping:\n  locations:\n    - {location_id: X, code: A}\n    - {location_id: Y, code: A}\n",
     "conflict", "mapping.locations[1].code", 7},
    {"mapping:\n  code_lists:\n    - {document: invoice, path: \"lines[].nope\", map: {A: b}}\n",
     "reference", "mapping.code_lists[0].path", 6},
    {"mapping:\n  code_lists:\n    - {document: invoice, path: \"lines.uom\", map: {A: EA}}\n",
     "reference", "mapping.code_lists[0].path", 6},
    {"mapping:\n  code_lists:\n    - {document: invoice, path: \"lines[].uom\", map: {CS: "
     "CASE}}\n",
     "code", "mapping.code_lists[0].map.CS", 6},
    {"mapping:\n  x12: {a: 1}\n", "unexpected", "mapping.x12", 5},
    {"slas:\n  - {expect: invoice}\n", "required", "slas[0]", 5},
    {"slas:\n  - {expect: invoice, after: receipt}\n", "required", "slas[0].within", 5},
    {"slas:\n  - {expect: invoice, after: receipt, within: 1h, at_risk: 1h}\n", "range",
     "slas[0].at_risk", 5},
    {"slas:\n  - {expect: invoice, before: purchase_order.po_number}\n", "reference",
     "slas[0].before", 5},
    {"slas:\n  - {expect: invoice, before: \"purchase_order\"}\n", "format", "slas[0].before", 5},
    {"credentials:\n  k: {type: token, value: x}\n", "unused", "credentials.k", 5},
    {"credentials:\n  K: {type: token}\n", "format", "credentials.K", 5},
    {"credentials:\n  k: {type: password, value: x}\n", "required", "credentials.k.username", 5},
    {"erp: {connector: tryton, url: \"https://e/\", database: d, credential: c}\n", "unexpected",
     "erp", 4},
    {"erp: {connector: tryton, url: \"https://e/\", database: \"north wind\", credential: c}\n",
     "format", "erp.database", 4},
    /* An erp endpoint belongs to the ERP (its connector posts to erp.url): not a supplier's. */
    {"outbound:\n  endpoints:\n    - {name: e, kind: erp}\n", "unexpected",
     "outbound.endpoints[0].kind", 6},
    {"outbound:\n  endpoints:\n    - {name: e, kind: erp, url: \"https://x/\"}\n", "unexpected",
     "outbound.endpoints[0].url", 6},
    {"documents: {a: 1}\n", "type", "documents", 4},
    {"name: again\n", "duplicate_key", "", 4},
};

static void test_errors_with_lines(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[2048];
        snprintf(yaml, sizeof yaml, "id: acme\nname: Acme\nrole: supplier\n%s", cases[i].yaml);
        struct xd_partner_problems pr;
        struct xd_partner_profile *p = NULL;
        enum xd_status st = pt_parse(yaml, XD_PARTNER_YAML, &p, &pr);
        const struct xd_partner_problem *hit = NULL;
        for (size_t k = 0; k < pr.count; k++) {
            if (strcmp(pr.items[k].code, cases[i].code) == 0 &&
                strcmp(pr.items[k].path, cases[i].path) == 0) {
                hit = &pr.items[k];
            }
        }
        if (st == XD_OK || hit == NULL || hit->line != cases[i].line) {
            fprintf(stderr, "case %zu:\n%s", i, yaml);
            pt_dump(&pr);
            fail_msg("case %zu: want [%s] %s at line %d", i, cases[i].code, cases[i].path,
                     cases[i].line);
        }
        assert_null(p);
        xd_partner_problems_cleanup(&pr);
    }
}

static void test_refused_constructs(void **state)
{
    (void)state;
    static const struct {
        const char *yaml;
        const char *code;
        int line;
    } bad[] = {
        {"id: a\nname: &x A\nrole: carrier\n", "unsupported", 2},
        {"id: a\nname: A\nrole: carrier\nx: *y\n", "unsupported", 4},
        {"id: a\nname: !!str A\nrole: carrier\n", "unsupported", 2},
        {"id: a\nname: A\nrole: carrier\nname: B\n", "duplicate_key", 4},
        {"id: a\n---\nid: b\n", "syntax", 2},
        {"id: [a\n", "syntax", 2},
        {"", "required", 0},
        {"? [a, b]\n: c\n", "unsupported", 1},
        /* Not UTF-8: refused before libfyaml, which loops forever on such a directive line. */
        {"id: a\n%    conv\x99rsions:\n", "encoding", 2},
        {"id: a\nname: \xC0\xAF\n", "encoding", 2},     /* overlong '/' */
        {"id: a\nname: \xED\xA0\x80\n", "encoding", 2}, /* a surrogate */
        {"id: a\nname: caf\xC3\n", "encoding", 2},      /* cut short */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct xd_partner_problems pr;
        struct xd_partner_profile *p = NULL;
        assert_int_equal(pt_parse(bad[i].yaml, XD_PARTNER_YAML, &p, &pr), XD_EPARSE);
        if (pr.count == 0 || strcmp(pr.items[0].code, bad[i].code) != 0 ||
            pr.items[0].line != bad[i].line) {
            pt_dump(&pr);
            fail_msg("construct %zu: want %s at line %d", i, bad[i].code, bad[i].line);
        }
        xd_partner_problems_cleanup(&pr);
    }
    /* The column of a byte that is not UTF-8 counts characters; UTF-8 itself is fine. */
    struct xd_partner_problems enc;
    struct xd_partner_profile *q = NULL;
    assert_int_equal(pt_parse("id: a\nname: \xC3\xA9t\xE9\n", XD_PARTNER_YAML, &q, &enc),
                     XD_EPARSE);
    assert_string_equal(enc.items[0].code, "encoding");
    assert_int_equal(enc.items[0].column, 9); /* n a m e : space é t, then the bad byte */
    xd_partner_problems_cleanup(&enc);
    enum xd_status st = pt_parse("id: a\nname: \xC3\xA9t\xC3\xA9 \xF0\x9F\x9A\x9A\nrole: carrier\n",
                                 XD_PARTNER_YAML, &q, &enc);
    assert_int_not_equal(st, XD_EPARSE);
    for (size_t i = 0; i < enc.count; i++) {
        assert_string_not_equal(enc.items[i].code, "encoding");
    }
    xd_partner_profile_unref(q);
    xd_partner_problems_cleanup(&enc);
    /* JSON: duplicate members and bad syntax, with jansson's position. */
    struct xd_partner_problems pr;
    struct xd_partner_profile *p = NULL;
    assert_int_equal(pt_parse("{\"id\":\"a\",\"id\":\"b\"}", XD_PARTNER_JSON, &p, &pr), XD_EPARSE);
    assert_string_equal(pr.items[0].code, "syntax");
    xd_partner_problems_cleanup(&pr);
    assert_int_equal(pt_parse("{\"id\":\n\"a\",}", XD_PARTNER_JSON, &p, &pr), XD_EPARSE);
    assert_int_equal(pr.items[0].line, 2);
    xd_partner_problems_cleanup(&pr);
}

static void test_caps(void **state)
{
    (void)state;
    /* Size. */
    size_t big = XD_PARTNER_MAX_BYTES + 1;
    char *text = malloc(big + 1);
    memset(text, ' ', big);
    text[big] = '\0';
    struct xd_partner_problems pr;
    struct xd_partner_profile *p = NULL;
    xd_partner_problems_init(&pr, 10);
    assert_int_equal(xd_partner_parse(text, big, XD_PARTNER_YAML, &p, &pr), XD_ETOOBIG);
    assert_string_equal(pr.items[0].code, "too_big");
    xd_partner_problems_cleanup(&pr);
    free(text);
    /* Depth, in both syntaxes. */
    char deep[512] = "id: a\nx: ";
    char deepj[512] = "{\"x\":";
    for (int i = 0; i < 40; i++) {
        strcat(deep, "[");
        strcat(deepj, "[");
    }
    strcat(deep, "\n");
    for (int i = 0; i < 40; i++) {
        strcat(deepj, "]");
    }
    strcat(deepj, "}");
    assert_int_equal(pt_parse(deep, XD_PARTNER_YAML, &p, &pr), XD_ETOOBIG);
    assert_string_equal(pr.items[0].code, "too_deep");
    xd_partner_problems_cleanup(&pr);
    assert_int_equal(pt_parse(deepj, XD_PARTNER_JSON, &p, &pr), XD_ETOOBIG);
    assert_string_equal(pr.items[0].code, "too_deep");
    xd_partner_problems_cleanup(&pr);
    /* A list past its maximum. */
    struct xd_buf y;
    xd_buf_init(&y, 1 << 20);
    assert_int_equal(xd_buf_append_str(&y, "id: a\nname: A\nrole: carrier\nslas:\n"), XD_OK);
    for (int i = 0; i < 33; i++) {
        assert_int_equal(
            xd_buf_printf(&y, "  - {expect: invoice, after: receipt, within: %dh}\n", i + 1),
            XD_OK);
    }
    assert_int_equal(pt_parse(y.data, XD_PARTNER_YAML, &p, &pr), XD_EINVALDOC);
    assert_non_null(pt_find(&pr, "max_items", "slas"));
    xd_partner_problems_cleanup(&pr);
    xd_buf_cleanup(&y);
    /* The problem list is capped; the rest is counted. */
    xd_buf_init(&y, 1 << 20);
    assert_int_equal(xd_buf_append_str(&y, "id: a\nname: A\nrole: carrier\n"), XD_OK);
    for (int i = 0; i < 50; i++) {
        assert_int_equal(xd_buf_printf(&y, "k%d: 1\n", i), XD_OK);
    }
    xd_partner_problems_init(&pr, 10);
    assert_int_equal(xd_partner_parse(y.data, y.len, XD_PARTNER_YAML, &p, &pr), XD_EINVALDOC);
    assert_int_equal(pr.count, 10);
    assert_int_equal(xd_partner_problems_total(&pr), 50);
    xd_partner_problems_cleanup(&pr);
    xd_buf_cleanup(&y);
}

/* Every allocation of a parse can fail: XD_ENOMEM, nothing leaked (ASan checks). */
static void test_out_of_memory(void **state)
{
    (void)state;
    char *yaml = pt_read_src("examples/partners/globex-packaging.yaml", NULL);
    bool ok = false;
    for (long n = 0; !ok && n < 100000; n += 7) {
        struct xd_partner_problems pr;
        xd_partner_problems_init(&pr, 50);
        struct xd_partner_profile *p = NULL;
        xd_alloc_fail_after(n);
        enum xd_status st = xd_partner_parse(yaml, strlen(yaml), XD_PARTNER_YAML, &p, &pr);
        xd_alloc_fail_after(-1);
        ok = st == XD_OK;
        assert_true(st == XD_OK || st == XD_ENOMEM);
        xd_partner_profile_unref(p);
        xd_partner_problems_cleanup(&pr);
    }
    assert_true(ok);
    free(yaml);
}

/* docs/partner-profiles.md embeds exactly what xd_partner_describe writes. */
static void test_reference_is_current(void **state)
{
    (void)state;
    char *doc = pt_read_src("docs/partner-profiles.md", NULL);
    const char *begin = strstr(doc, "<!-- BEGIN GENERATED by partner_docgen: do not edit -->\n");
    const char *end = begin ? strstr(begin, "<!-- END GENERATED -->") : NULL;
    assert_non_null(end);
    begin += strlen("<!-- BEGIN GENERATED by partner_docgen: do not edit -->\n");
    struct xd_buf gen;
    xd_buf_init(&gen, (size_t)4 * 1024 * 1024);
    assert_int_equal(xd_partner_describe(&gen), XD_OK);
    if (gen.len != (size_t)(end - begin) || memcmp(gen.data, begin, gen.len) != 0) {
        fail_msg("docs/partner-profiles.md is out of date: run "
                 "build/src/partner/partner_docgen docs/partner-profiles.md");
    }
    /* Every key of the table is in the reference. */
    for (size_t i = 0; i < xd_partner__profile_schema.n_fields; i++) {
        char key[80];
        snprintf(key, sizeof key, "| `%s` |", xd_partner__profile_schema.fields[i].key);
        assert_non_null(strstr(gen.data, key));
    }
    xd_buf_cleanup(&gen);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_field),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_yaml_json_parity),
        cmocka_unit_test(test_problem_parity),
        cmocka_unit_test(test_errors_with_lines),
        cmocka_unit_test(test_refused_constructs),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_reference_is_current),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
