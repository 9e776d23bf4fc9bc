/* SPDX-License-Identifier: MIT
 * Translation specification of the 824 Application Advice (application_advice), both ways.
 * One OTI loop advises one document; its TED loops carry the problems (TED01 the 647 code,
 * TED02 the message, TED07 what the document says, TED08 what was expected, an NTE*LIN with
 * the exact kind, line and SKU) and, first, the reason (a TED of the code of `other` alone
 * whose NTE*GEN pieces join back exactly). docs/x12.md has the mapping table. */
#include <stdio.h>
#include <string.h>

#include "x12/x12_spec.h"

#define NTE_PIECE   80        /* NTE02 */
#define REASON_MAX  (264 * 4) /* bytes of a 264-character reason, past which NTEs stop */
#define DETAIL_MAX  80        /* "<kind> #<line> SKU <sku>" fits one NTE02 */
#define LINE_DIGITS 6         /* line_number 1..999999 */
#define MESSAGE_MAX 60        /* advice_problem.message, as TED02 */

static const struct xd_x12__member parties[] = {M(application_advice, sender, FIXED),
                                                M(application_advice, receiver, FIXED)};
static const struct xd_x12__party_list party_list = {parties, XD_ARRAY_LEN(parties), true, true};
static const struct xd_x12__member refs[] = {M(application_advice, po_number, STR)};
static const struct xd_x12__member dates[] = {M(application_advice, document_date, DATE)};

static const struct xd_x12__bind bgn[] = {BF(1, "00", 0),
                                          B(2, STR, application_advice, advice_number),
                                          B(3, DATE, application_advice, advice_date)};
static const struct xd_x12__bind oti[] = {BC(1, ADVICE_STATUS, application_advice, status),
                                          BC(2, ADVISED_DOC, application_advice, document_type),
                                          B(3, STR, application_advice, document_number)};
static const struct xd_x12__bind ted[] = {
    BC(1, ADVICE_PROBLEM, advice_problem, kind), B(2, STR, advice_problem, message),
    BH(7, DEC, advice_problem, actual), BH(8, DEC, advice_problem, expected)};
/* Inbound TED07/TED08 are read by h_ted: a partner's copy of bad data need not be a number. */
static const struct xd_x12__bind ted_in[] = {BC(1, ADVICE_PROBLEM, advice_problem, kind),
                                             B(2, STR, advice_problem, message)};
static const struct xd_x12__lines problems = {XD_X12__SC_ROOT,
                                              OFF(application_advice, problems),
                                              OFF(application_advice, n_problems),
                                              SIZE(advice_problem),
                                              false,
                                              0,
                                              0,
                                              0,
                                              0,
                                              XD_X12__SC_LINE};

/* ---- Inbound ------------------------------------------------------------------------------- */

struct advice_state {
    bool oti_seen;
    bool bare;   /* the current TED is the code of `other` alone: it may carry the reason */
    bool detail; /* the current TED's NTE*LIN was read */
};

static void begin_824(struct xd_x12__tr *t)
{
    t->state = xd_arena_calloc(t->arena, 1, sizeof(struct advice_state));
    if (t->state == NULL) {
        t->failed = true;
    }
}

/* The canonical advice is about one document: a second OTI loop is refused, not merged. */
static void h_oti(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    struct advice_state *s = t->state;
    if (s == NULL) {
        return;
    }
    if (s->oti_seen) {
        xd_x12__tr_problem(t, 1, "a second OTI: an application_advice advises one document");
        return;
    }
    s->oti_seen = true;
    xd_x12__tr_bind(t, t->doc->body, r->binds, r->nbinds, seg);
}

/* TED07 (TED08) into <off>/<has> when it is a number; a partner's copy of bad data that is
 * not one is left out with a note. */
static void ted_amount(struct xd_x12__tr *t, const struct xd_x12_segment *seg, unsigned el,
                       struct xd_decimal *d, bool *has)
{
    struct xd_slice v = xd_x12__tr_elem(seg, el, 0);
    if (v.len == 0) {
        return;
    }
    if (xd_decimal_parse(v.p, v.len, XD_DECIMAL_LENIENT, d) != XD_OK) {
        xd_x12__tr_note(t, el, "'%.*s' is not a number, left out", (int)v.len, v.p);
        return;
    }
    *has = true;
}

static void h_ted(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    struct advice_state *s = t->state;
    xd_x12__h_line(t, seg, r);
    struct xd_canon_advice_problem *p = t->obj[XD_X12__SC_LINE];
    if (s == NULL || p == NULL) {
        return;
    }
    ted_amount(t, seg, 7, &p->actual, &p->has_actual);
    ted_amount(t, seg, 8, &p->expected, &p->has_expected);
    const char *other = xd_x12__codes_out(t->codes, XD_X12__L_ADVICE_PROBLEM, "other");
    struct xd_slice code = xd_x12__tr_elem(seg, 1, 0);
    s->bare = other != NULL && xd_slice_eq_cstr(code, other);
    for (unsigned el = 2; el <= 8 && s->bare; el++) {
        s->bare = xd_x12__tr_elem(seg, el, 0).len == 0;
    }
    s->detail = false;
    if (p->kind == NULL) {
        /* 647 holds codes of many trades (rail billing ...); the message says what is wrong */
        p->kind = "other";
        xd_x12__tr_note(t, 1, "'%.*s' read as kind other", (int)code.len, code.p);
    }
}

/* NTE*LIN*"<kind>[ #<line>][ SKU <sku>]" as rendered; false (nothing set) for any other text. */
static bool read_detail(struct xd_x12__tr *t, struct xd_canon_advice_problem *p, struct xd_slice v)
{
    char kind[32];
    size_t n = 0;
    while (n < v.len && v.p[n] != ' ') {
        n++;
    }
    if (n == 0 || n >= sizeof kind) {
        return false;
    }
    memcpy(kind, v.p, n);
    kind[n] = '\0';
    if (!xd_canon_code_valid("advice_problem", kind)) {
        return false;
    }
    int64_t line = 0;
    size_t at = n;
    if (at + 2 < v.len && v.p[at] == ' ' && v.p[at + 1] == '#') {
        size_t d = at + 2, e = d;
        while (e < v.len && e - d <= LINE_DIGITS && v.p[e] >= '0' && v.p[e] <= '9') {
            line = line * 10 + (v.p[e++] - '0');
        }
        if (e == d || e - d > LINE_DIGITS || v.p[d] == '0') {
            return false;
        }
        at = e;
    }
    struct xd_slice sku = {"", 0};
    if (at < v.len) {
        if (v.len - at <= 5 || memcmp(v.p + at, " SKU ", 5) != 0) {
            return false;
        }
        sku = (struct xd_slice){v.p + at + 5, v.len - at - 5};
    }
    const char *kc = xd_x12__tr_strdup(t, (struct xd_slice){kind, n});
    const char *sc = sku.len > 0 ? xd_x12__tr_strdup(t, sku) : NULL;
    if (kc == NULL || (sku.len > 0 && sc == NULL)) {
        return false;
    }
    p->kind = kc;
    p->sku = sc;
    p->line_number = line;
    p->has_line_number = line > 0;
    return true;
}

/* The reason's pieces join as written: the renderer keeps the blank it cuts before at the
 * start of the next piece and never ends a piece with one (X12 drops trailing blanks). */
static void reason_append(struct xd_x12__tr *t, struct xd_canon_application_advice *a,
                          struct xd_slice v)
{
    size_t have = a->reason != NULL ? strlen(a->reason) : 0;
    if (v.len == 0) {
        return;
    }
    if (have + v.len > REASON_MAX) {
        xd_x12__tr_problem(t, 2, "the notes are longer than a reason holds (264 characters)");
        return;
    }
    char *s = xd_arena_printf(t->arena, "%s%.*s", a->reason ? a->reason : "", (int)v.len, v.p);
    if (s == NULL) {
        t->failed = true;
        return;
    }
    a->reason = s;
}

static void h_nte(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    struct advice_state *s = t->state;
    struct xd_canon_application_advice *a = t->doc->body;
    struct xd_canon_advice_problem *p = t->obj[XD_X12__SC_LINE];
    struct xd_slice q = xd_x12__tr_elem(seg, 1, 0), v = xd_x12__tr_elem(seg, 2, 0);
    (void)r;
    if (s == NULL) {
        return;
    }
    if (p != NULL && !s->detail && xd_slice_eq_cstr(q, "LIN") && read_detail(t, p, v)) {
        s->detail = true;
        return;
    }
    if (p != NULL && s->bare && !s->detail) {
        /* TED with the code of `other` alone, then notes: the TED only carried the reason */
        xd_x12__tr_remove(t, a, OFF(application_advice, problems),
                          OFF(application_advice, n_problems), SIZE(advice_problem),
                          a->n_problems - 1);
        t->obj[XD_X12__SC_LINE] = NULL;
        s->bare = false;
    }
    reason_append(t, a, v);
}

/* RED in a TED loop: the related business data (RED01) of the problem. X12 gives it no words
 * of its own, so it becomes the problem's message when TED02 left that empty and it fits;
 * otherwise it is left out, with a note. */
static void h_red(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                  const struct xd_x12__rule *r)
{
    struct advice_state *s = t->state;
    struct xd_canon_advice_problem *p = t->obj[XD_X12__SC_LINE];
    struct xd_slice v = xd_x12__tr_elem(seg, 1, 0);
    (void)r;
    if (s == NULL || v.len == 0) {
        return;
    }
    if (p != NULL && p->message == NULL && v.len <= MESSAGE_MAX) {
        p->message = xd_x12__tr_strdup(t, v);
        if (p->message == NULL) {
            t->failed = true;
        }
        s->bare = false; /* a problem with words of its own carries no reason */
        return;
    }
    xd_x12__tr_note(t, 1, "'%.*s' left out: %s", (int)v.len, v.p,
                    p == NULL            ? "related data of the reason's notes"
                    : p->message != NULL ? "the problem has its message"
                                         : "longer than a message holds (60)");
}

/* What application_advice has no member for, read and said so: NM1 (people and
 * organizations the advice is about), LQ (industry codes of the LM agency) and their RED. */
static void h_left_out(struct xd_x12__tr *t, const struct xd_x12_segment *seg,
                       const struct xd_x12__rule *r)
{
    /* what names it: NM103 (NM109 for a party without a name), LQ02, RED01 */
    unsigned el = r->seg[0] == 'N' ? 3 : r->seg[0] == 'L' ? 2 : 1;
    struct xd_slice v = xd_x12__tr_elem(seg, el, 0);
    if (v.len == 0 && el == 3) {
        el = 9;
        v = xd_x12__tr_elem(seg, el, 0);
    }
    if (v.len > 0) {
        xd_x12__tr_note(t, el, "'%.*s' left out: application_advice has no member for it",
                        (int)v.len, v.p);
    }
}

#define PARTY_RULES                                                                                \
    RULE("N1", "N1", "", xd_x12__h_party, XD_X12__SC_ROOT, NO_BINDS, T(parties), NULL),            \
        RULE("N2", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),   \
        RULE("N3", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),   \
        RULE("N4", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),   \
        RULE("PER", "N1", "", xd_x12__h_party_detail, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL),  \
        RULE("REF", "N1", "", xd_x12__h_ref, XD_X12__SC_PARTY, NO_BINDS, NO_MEMB, NULL)

static const struct xd_x12__rule rules_824[] = {
    RULE("BGN", "", NULL, NULL, XD_X12__SC_ROOT, T(bgn), NO_MEMB, NULL),
    PARTY_RULES,
    RULE("OTI", "OTI", NULL, h_oti, XD_X12__SC_ROOT, T(oti), NO_MEMB, NULL),
    RULE("REF", "OTI", NULL, xd_x12__h_ref, XD_X12__SC_ROOT, NO_BINDS, T(refs), NULL),
    RULE("DTM", "OTI", NULL, xd_x12__h_dtm, XD_X12__SC_ROOT, NO_BINDS, T(dates), NULL),
    RULE("TED", "TED", "OTI", h_ted, XD_X12__SC_ROOT, T(ted_in), NO_MEMB, &problems),
    RULE("NTE", "TED", "OTI", h_nte, XD_X12__SC_LINE, NO_BINDS, NO_MEMB, NULL),
    RULE("RED", "TED", "OTI", h_red, XD_X12__SC_LINE, NO_BINDS, NO_MEMB, NULL),
    RULE("NM1", "OTI", NULL, h_left_out, XD_X12__SC_ROOT, NO_BINDS, NO_MEMB, NULL),
    RULE("LQ", "LQ", "LM", h_left_out, XD_X12__SC_ROOT, NO_BINDS, NO_MEMB, NULL),
    RULE("RED", "LQ", "LM", h_left_out, XD_X12__SC_ROOT, NO_BINDS, NO_MEMB, NULL),
};

/* ---- Outbound ------------------------------------------------------------------------------ */

/* Where the next piece of <p> (<len> bytes left) ends: at most NTE_PIECE bytes, before a
 * blank when one follows a non-blank in reach (the blank starts the next piece), else at
 * a character boundary; never after a blank. 0 when no such place exists. */
static size_t piece_len(const char *p, size_t len)
{
    if (len <= NTE_PIECE) {
        return len;
    }
    for (size_t k = NTE_PIECE; k > 0; k--) {
        if (p[k] == ' ' && p[k - 1] != ' ') {
            return k;
        }
    }
    size_t k = NTE_PIECE;
    while (k > 0 && (((unsigned char)p[k] & 0xC0) == 0x80 || p[k - 1] == ' ')) {
        k--;
    }
    return k;
}

/* The reason: TED with the code of `other`, then NTE*GEN pieces that join back exactly. */
static enum xd_status w_reason(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_canon_application_advice *a = o->obj[XD_X12__SC_ROOT];
    if (a->reason == NULL) {
        return XD_OK;
    }
    size_t len = strlen(a->reason);
    if (len == 0 || a->reason[len - 1] == ' ') {
        return xd_error_set(o->err, XD_EINVAL,
                            "reason ends with a blank, which X12 drops (NTE02): no X12 form");
    }
    const char *other = xd_x12__codes_out(o->codes, XD_X12__L_ADVICE_PROBLEM, "other");
    if (other == NULL) {
        return xd_error_set(o->err, XD_EINVAL,
                            "advice_problem 'other' has no X12 code for the reason's TED (map: "
                            "codes.advice_problem.other)");
    }
    xd_x12__out_begin(o);
    xd_x12__out_setf(o, 1, other);
    enum xd_status st = xd_x12__out_write(o, s->seg);
    for (size_t at = 0; st == XD_OK && at < len;) {
        size_t n = piece_len(a->reason + at, len - at);
        if (n == 0) {
            return xd_error_set(o->err, XD_EINVAL,
                                "reason has %d blanks in a row: no X12 form in NTE02", NTE_PIECE);
        }
        xd_x12__out_begin(o);
        xd_x12__out_setf(o, 1, "GEN");
        xd_x12__out_set(o, 2, (struct xd_slice){a->reason + at, n});
        st = xd_x12__out_write(o, "NTE");
        at += n;
    }
    return st;
}

/* One TED loop per problem: TED, then NTE*LIN with the exact kind, line and SKU. */
static enum xd_status w_problems(struct xd_x12__out *o, const struct xd_x12__step *s)
{
    const struct xd_canon_application_advice *a = o->obj[XD_X12__SC_ROOT];
    for (size_t i = 0; i < a->n_problems; i++) {
        const struct xd_canon_advice_problem *p = &a->problems[i];
        xd_x12__out_begin(o);
        if (xd_x12__out_bind(o, p, s->binds, s->nbinds) == SIZE_MAX) {
            return XD_EINVAL;
        }
        enum xd_status st = xd_x12__out_write(o, s->seg);
        if (st != XD_OK) {
            return st;
        }
        char detail[DETAIL_MAX + 1], line[LINE_DIGITS + 3] = "";
        if (p->has_line_number) {
            snprintf(line, sizeof line, " #%lld", (long long)p->line_number);
        }
        int n = snprintf(detail, sizeof detail, "%s%s%s%s", p->kind, line, p->sku ? " SKU " : "",
                         p->sku ? p->sku : "");
        if (n < 0 || (size_t)n >= sizeof detail) {
            return xd_error_set(o->err, XD_EINVAL, "problems[%zu]: kind, line and SKU exceed NTE02",
                                i);
        }
        xd_x12__out_begin(o);
        xd_x12__out_setf(o, 1, "LIN");
        xd_x12__out_set(o, 2, (struct xd_slice){detail, (size_t)n}); /* setf holds 63 bytes */
        st = xd_x12__out_write(o, "NTE");
        if (st != XD_OK) {
            return st;
        }
    }
    return XD_OK;
}

static const struct xd_x12__step steps_824[] = {
    STEP_REQ("BGN", XD_X12__SC_ROOT, T(bgn)),
    STEP("N1", XD_X12__SC_ROOT, xd_x12__w_parties, NO_BINDS, NO_MEMB, &party_list),
    STEP_REQ("OTI", XD_X12__SC_ROOT, T(oti)),
    STEP("REF", XD_X12__SC_ROOT, xd_x12__w_refs, NO_BINDS, T(refs), NULL),
    STEP("DTM", XD_X12__SC_ROOT, xd_x12__w_dtms, NO_BINDS, T(dates), NULL),
    STEP("TED", XD_X12__SC_ROOT, w_reason, NO_BINDS, NO_MEMB, NULL),
    STEP("TED", XD_X12__SC_ROOT, w_problems, T(ted), NO_MEMB, NULL),
};

const struct xd_x12__tspec xd_x12__spec_824 = {.set_id = "824",
                                               .group = "AG",
                                               .type = XD_CANON_APPLICATION_ADVICE,
                                               .rules = rules_824,
                                               .nrules = COUNT(rules_824),
                                               .begin = begin_824,
                                               .steps = steps_824,
                                               .nsteps = COUNT(steps_824)};
