/* SPDX-License-Identifier: MIT
 * X12 code lists and their canonical counterparts, with the map's overrides. The X12 codes
 * are those the canonical reference names (docs/canonical-documents.md) and, where it names
 * none, the X12 code list's own (284 service levels, 366 contact functions, 623 time codes).
 * Codes marked "mutually defined" in docs/x12.md have no X12 list behind them: partners
 * that use them set their own in the map ("codes"). The first X12 code of a canonical code is
 * the one written; every one listed is read. */
#include <stdio.h>
#include <string.h>

#include "x12/x12_tr.h"

struct pair {
    const char *canon;
    const char *x12;
};

#define END                                                                                        \
    {                                                                                              \
        NULL, NULL                                                                                 \
    }

/* 14 Advance Notification: a first notice (856), read as original, never written */
static const struct pair purpose[] = {
    {"original", "00"}, {"original", "14"},     {"cancel", "01"},    {"change", "04"},
    {"replace", "05"},  {"confirmation", "06"}, {"duplicate", "07"}, END};
static const struct pair order_type[] = {
    {"standard", "SA"}, {"blanket", "BK"},     {"release", "RL"}, {"drop_ship", "DS"},
    {"rush", "RO"},     {"consignment", "CN"}, {"sample", "SP"},  END};
static const struct pair ack_status[] = {{"accepted", "AD"},
                                         {"accepted", "AK"},
                                         {"accepted_with_changes", "AC"},
                                         {"accepted_with_changes", "AE"},
                                         {"rejected", "RD"},
                                         {"rejected", "RJ"},
                                         END};
static const struct pair line_ack[] = {{"accepted", "IA"},    {"changed", "IC"},
                                       {"changed", "IQ"},     {"changed", "IP"},
                                       {"changed", "DR"},     {"rejected", "IR"},
                                       {"rejected", "ID"},    {"backordered", "IB"},
                                       {"backordered", "BP"}, END};
static const struct pair line_change[] = {{"add", "AI"},    {"delete", "DI"},    {"change", "CA"},
                                          {"change", "QI"}, {"change", "QD"},    {"change", "PC"},
                                          {"change", "RZ"}, {"unchanged", "NC"}, END};
static const struct pair freight[] = {
    {"prepaid", "PP"}, {"collect", "CC"}, {"prepaid_and_add", "PA"}, {"third_party", "TP"}, END};
static const struct pair transport[] = {{"motor", "M"},
                                        {"rail", "R"},
                                        {"air", "A"},
                                        {"ocean", "S"},
                                        {"parcel", "U"},
                                        {"private_fleet", "P"},
                                        {"customer_pickup", "H"},
                                        END};
static const struct pair service[] = {
    {"ground", "CG"},   {"express", "CX"}, {"next_day", "ND"}, {"second_day", "SE"},
    {"same_day", "SA"}, {"economy", "DF"}, {"ltl", "ZZ"},      END};
static const struct pair pack_kind[] = {{"pallet", "PLT"}, {"carton", "CTN"},   {"case", "CAS"},
                                        {"tote", "TOT"},   {"bag", "BAG"},      {"crate", "CRT"},
                                        {"drum", "DRM"},   {"envelope", "ENV"}, END};
static const struct pair invoice_type[] = {
    {"invoice", "DI"}, {"credit_memo", "CR"}, {"debit_memo", "DR"}, END};
static const struct pair charge[] = {{"freight", "D240"},
                                     {"fuel_surcharge", "D803"},
                                     {"handling", "G821"},
                                     {"insurance", "F050"},
                                     {"packaging", "H090"},
                                     {"small_order", "I530"},
                                     {"discount", "C310"},
                                     {"promotional", "F800"},
                                     {"volume_discount", "H970"},
                                     {"early_payment", "A260"},
                                     {"defective", "C290"},
                                     {"other", "ZZZZ"},
                                     END};
static const struct pair tax[] = {{"sales", "ST"},
                                  {"use", "UT"},
                                  {"vat", "VA"},
                                  {"gst", "GS"},
                                  {"excise", "EV"},
                                  {"other", "ZZ"},
                                  END};
static const struct pair terms_basis[] = {
    {"invoice_date", "3"}, {"ship_date", "1"}, {"delivery_date", "2"}, {"receipt_date", "15"}, END};
static const struct pair contact_role[] = {{"buyer", "BD"},
                                           {"sales", "SR"},
                                           {"receiving", "RE"},
                                           {"shipping", "SH"},
                                           {"accounts_payable", "AP"},
                                           {"accounts_receivable", "AR"},
                                           {"customer_service", "CR"},
                                           {"edi", "IC"},
                                           {"other", "ZZ"},
                                           END};
/* W0501 (940) Order Status Code: mutually defined defaults */
static const struct pair order_status[] = {
    {"original", "N"}, {"cancel", "C"}, {"replace", "R"}, {"change", "U"}, END};
/* W1201 (945) Shipment/Order Status Code */
static const struct pair line_status[] = {
    {"shipped", "CC"}, {"partial", "CP"}, {"backordered", "BP"}, {"cancelled", "ID"}, END};
/* RDR (180): no X12 list; partners set theirs in the map */
static const struct pair return_reason[] = {END};
static const struct pair disposition[] = {END};
static const struct pair condition[] = {END};
/* 188 Weight Unit Code (W03, W20) */
static const struct pair weight_unit[] = {{"KG", "K"}, {"LB", "L"}, END};
/* 110 Application Acknowledgment Code (OTI01) */
static const struct pair advice_status[] = {
    {"accepted", "TA"}, {"accepted_with_errors", "TE"}, {"rejected", "TR"}, END};
/* 128 Reference Identification Qualifier of the document advised (OTI02). An acknowledgement
 * or a receipt has no qualifier of its own in 128: a partner that is advised them says which
 * in the map, rather than the hub inventing one. */
static const struct pair advised_document[] = {
    {"invoice", "IV"}, {"purchase_order", "PO"}, {"ship_notice", "SI"}, END};
/* 647 Application Error Condition Code (TED01). X12 has one code, 011 Not Matching, for every
 * mismatch (read back as the first); the exact kind also travels in the TED loop's NTE*LIN
 * (docs/x12.md). 012 Invalid Combination and 008 Out of Range are narrower than invalid data,
 * which goes as ZZZ Mutually Defined with other. */
static const struct pair advice_problem[] = {
    {"quantity", "011"}, {"price", "011"},        {"not_ordered", "011"},
    {"amount", "010"},   {"duplicate", "006"},    {"missing_data", "007"},
    {"other", "ZZZ"},    {"invalid_data", "ZZZ"}, END};

#define XD_X12__LIST_ROW(E, name) {name},
static const struct {
    const char *name;
} list_names[XD_X12__L_COUNT] = {XD_X12__LISTS(XD_X12__LIST_ROW)};
#undef XD_X12__LIST_ROW

static const struct pair *const builtin[XD_X12__L_COUNT] = {
    purpose,     order_type,   ack_status,    line_ack,         line_change,   freight,
    transport,   service,      pack_kind,     invoice_type,     charge,        tax,
    terms_basis, contact_role, order_status,  line_status,      return_reason, disposition,
    condition,   weight_unit,  advice_status, advised_document, advice_problem};

#define CODES_MAX_PER_LIST 96 /* entries of one compiled list, overrides included */

/* Each list as many pairs as it has, then END, all in one block after the list heads. */
struct xd_x12__codes {
    const struct pair *lists[XD_X12__L_COUNT];
    struct pair pairs[];
};

const char *xd_x12__list_name(enum xd_x12__list l)
{
    return (size_t)l < XD_X12__L_COUNT ? list_names[l].name : "";
}

/* ---- Canonical code lists ------------------------------------------------------------------ */

#define XD_X12__CODE_STR(code, doc) code,
#define CANON(list)                                                                                \
    {                                                                                              \
        XD_CANON_CODES_##list(XD_X12__CODE_STR) NULL                                               \
    }
static const char *const canon_lists[XD_X12__L_COUNT][40] = {
    [XD_X12__L_PURPOSE] = CANON(purpose),
    [XD_X12__L_ORDER_TYPE] = CANON(order_type),
    [XD_X12__L_ACK_STATUS] = CANON(ack_status),
    [XD_X12__L_LINE_ACK] = CANON(line_ack_status),
    [XD_X12__L_LINE_CHANGE] = CANON(line_change),
    [XD_X12__L_FREIGHT] = CANON(freight_terms),
    [XD_X12__L_TRANSPORT] = CANON(transport_mode),
    [XD_X12__L_SERVICE] = CANON(service_level),
    [XD_X12__L_PACK_KIND] = CANON(pack_kind),
    [XD_X12__L_INVOICE_TYPE] = CANON(invoice_type),
    [XD_X12__L_CHARGE] = CANON(charge_code),
    [XD_X12__L_TAX] = CANON(tax_type),
    [XD_X12__L_TERMS_BASIS] = CANON(terms_basis),
    [XD_X12__L_CONTACT_ROLE] = CANON(contact_role),
    [XD_X12__L_ORDER_STATUS] = CANON(purpose),
    [XD_X12__L_LINE_STATUS] = CANON(shipment_line_status),
    [XD_X12__L_RETURN_REASON] = CANON(return_reason),
    [XD_X12__L_DISPOSITION] = CANON(disposition),
    [XD_X12__L_CONDITION] = CANON(receipt_condition),
    [XD_X12__L_WEIGHT_UNIT] = CANON(weight_uom),
    [XD_X12__L_ADVICE_STATUS] = CANON(advice_status),
    [XD_X12__L_ADVISED_DOC] = CANON(advised_document),
    [XD_X12__L_ADVICE_PROBLEM] = CANON(advice_problem),
};
#undef CANON
#undef XD_X12__CODE_STR

static bool x12_claimed(const struct pair *out, size_t n, const char *x12)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(out[i].x12, x12) == 0) {
            return true;
        }
    }
    return false;
}

static bool canon_overridden(const struct pair *out, size_t n, const char *canon)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(out[i].canon, canon) == 0) {
            return true;
        }
    }
    return false;
}

/* The map's overrides first ("codes": {"list": {"canonical": codes}}), for every canonical
 * code of the list; then the built-in pairs of canonical codes not overridden whose X12 code
 * no override claims. Writes at most CODES_MAX_PER_LIST pairs and END into <out> when it is
 * not NULL; returns how many pairs the list has. */
static size_t compile_list(struct pair *out, const struct xd_x12_map *m, enum xd_canon_type t,
                           enum xd_x12__list l)
{
    struct pair scratch[CODES_MAX_PER_LIST + 1];
    out = out != NULL ? out : scratch;
    size_t n = 0;
    for (const char *const *canon = canon_lists[l]; *canon != NULL; canon++) {
        char key[96];
        snprintf(key, sizeof key, "%s.%s", list_names[l].name, *canon);
        const char *const *codes = NULL;
        size_t nc = xd_x12__map_codes(m, t, XD_X12__CAT_CODES, key, &codes);
        for (size_t k = 0; k < nc && n < CODES_MAX_PER_LIST; k++) {
            out[n++] = (struct pair){*canon, codes[k]};
        }
    }
    size_t overrides = n;
    for (const struct pair *b = builtin[l]; b->canon != NULL && n < CODES_MAX_PER_LIST; b++) {
        if (!canon_overridden(out, overrides, b->canon) && !x12_claimed(out, overrides, b->x12)) {
            out[n++] = *b;
        }
    }
    out[n] = (struct pair)END;
    return n;
}

enum xd_status xd_x12__codes_create(const struct xd_x12_map *m, enum xd_canon_type t,
                                    struct xd_x12__codes **out)
{
    size_t total = 0; /* pairs and ENDs: counted first, so one block holds them */
    for (int l = 0; l < XD_X12__L_COUNT; l++) {
        total += compile_list(NULL, m, t, (enum xd_x12__list)l) + 1;
    }
    struct xd_x12__codes *c = xd_malloc(sizeof *c + total * sizeof c->pairs[0]);
    if (c == NULL) {
        return XD_ENOMEM;
    }
    struct pair *next = c->pairs;
    for (int l = 0; l < XD_X12__L_COUNT; l++) {
        c->lists[l] = next;
        next += compile_list(next, m, t, (enum xd_x12__list)l) + 1;
    }
    *out = c;
    return XD_OK;
}

void xd_x12__codes_destroy(struct xd_x12__codes *c)
{
    xd_free(c);
}

const char *xd_x12__codes_in(const struct xd_x12__codes *c, enum xd_x12__list l, struct xd_slice v)
{
    for (const struct pair *p = c->lists[l]; p->canon != NULL; p++) {
        if (xd_slice_eq_cstr(v, p->x12)) {
            return p->canon;
        }
    }
    return NULL;
}

const char *xd_x12__codes_out(const struct xd_x12__codes *c, enum xd_x12__list l, const char *v)
{
    for (const struct pair *p = c->lists[l]; p->canon != NULL; p++) {
        if (strcmp(v, p->canon) == 0) {
            return p->x12;
        }
    }
    return NULL;
}

/* ---- Time codes (623) ---------------------------------------------------------------------- */

static const struct {
    const char *code;
    int minutes;
} zones[] = {
    {"UT", 0},    {"GM", 0},    {"ED", -240}, {"ES", -300}, {"CD", -300}, {"CS", -360},
    {"MD", -360}, {"MS", -420}, {"PD", -420}, {"PS", -480}, {"AD", -180}, {"AS", -240},
    {"HS", -600}, {"AT", -240}, {"ET", -300}, {"CT", -360}, {"MT", -420}, {"PT", -480},
};

bool xd_x12__time_code_offset(struct xd_slice code, int *minutes)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(zones); i++) {
        if (xd_slice_eq_cstr(code, zones[i].code)) {
            *minutes = zones[i].minutes;
            return true;
        }
    }
    return false;
}

const char *xd_x12__time_code_of(int minutes)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(zones); i++) {
        if (zones[i].minutes == minutes) {
            return zones[i].code;
        }
    }
    return NULL;
}
