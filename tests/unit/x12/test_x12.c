/* SPDX-License-Identifier: MIT
 * Unit tests of src/x12: tokenizer quirks, every envelope check (one failing interchange each,
 * asserting the exact code and position), set validation, 997/999/TA1 contents, the writer,
 * and the parser under allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "x12/spec_segments.h"
#include "x12/x12.h"

#define ISA4010                                                                                    \
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "                        \
    "*260101*1200*U*00401*000000001*0*P*>~"
#define ISA5010                                                                                    \
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "                        \
    "*260101*1200*^*00501*000000001*0*P*:~"
#define GS_PO   "GS*PO*SENDER*RECEIVER*20260101*1200*1*X*004010~"
#define PO_BODY "ST*850*0001~BEG*00*SA*PO-1**20260101~PO1*1*10*EA*2.5**VP*SKU-1~CTT*1*10~SE*5*0001~"
#define TRAILER "GE*1*1~IEA*1*000000001~"

struct result {
    struct xd_x12_report rep;
    enum xd_status st;
};

static void validate_text(const char *text, size_t len, struct result *res)
{
    struct xd_x12_reader *r = NULL;
    xd_x12_report_init(&res->rep, 100);
    assert_int_equal(xd_x12_reader_create_mem(text, len, &r), XD_OK);
    res->st = xd_x12_validate(r, NULL, &res->rep, NULL, NULL);
    xd_x12_reader_destroy(r);
}

static void validate_str(const char *text, struct result *res)
{
    validate_text(text, strlen(text), res);
}

/* The first error (not warning or notice) of the report, or NULL. */
static const struct xd_x12_error *first_error(const struct result *res)
{
    for (size_t i = 0; i < res->rep.count; i++) {
        if (res->rep.items[i].severity == XD_X12_ERROR) {
            return &res->rep.items[i];
        }
    }
    return NULL;
}

static void expect_one(const char *text, enum xd_x12_level level, const char *code,
                       const char *segment, unsigned element, uint64_t position)
{
    struct result res;
    validate_str(text, &res);
    assert_int_equal(res.st, XD_EINVALDOC);
    const struct xd_x12_error *e = first_error(&res);
    assert_non_null(e);
    assert_int_equal(e->level, level);
    assert_string_equal(e->code, code);
    assert_string_equal(e->segment_id, segment);
    assert_int_equal(e->element, element);
    assert_int_equal(e->segment_position, position);
    assert_int_equal(res.rep.errors, 1);
    xd_x12_report_cleanup(&res.rep);
}

static char *ack_of(const char *text, enum xd_x12_ack_kind kind, bool ta1);

/* ---- Tokenizer ----------------------------------------------------------------------------- */

static void test_valid_minimal(void **state)
{
    (void)state;
    struct result res;
    validate_str(ISA4010 GS_PO PO_BODY TRAILER, &res);
    assert_int_equal(res.st, XD_OK);
    assert_int_equal(res.rep.errors, 0);
    assert_int_equal(res.rep.sets, 1);
    assert_int_equal(res.rep.segments, 9);
    xd_x12_report_cleanup(&res.rep);
}

static void test_bom_crlf_indent_no_final_terminator(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBF" ISA4010 "\r\n  " GS_PO "\r\n\t" PO_BODY "\r\nGE*1*1~\r\n"
                       "IEA*1*000000001\r\n";
    struct result res;
    validate_str(text, &res);
    assert_int_equal(res.st, XD_OK);
    assert_int_equal(res.rep.segments, 9);
    xd_x12_report_cleanup(&res.rep);
}

static void test_odd_delimiters(void **state)
{
    (void)state;
    /* element '|', component '}', terminator NAK (0x15) then CRLF */
    const char *text = "ISA|00|          |00|          |ZZ|SENDER         |ZZ|RECEIVER       "
                       "|260101|1200|U|00401|000000001|0|P|}\x15\r\n"
                       "GS|PO|SENDER|RECEIVER|20260101|1200|1|X|004010\x15"
                       "ST|850|0001\x15"
                       "BEG|00|SA|PO-1||20260101\x15PO1|1|10|EA\x15SE|4|0001\x15GE|1|1\x15"
                       "IEA|1|000000001\x15";
    struct result res;
    validate_str(text, &res);
    assert_int_equal(res.st, XD_OK);
    xd_x12_report_cleanup(&res.rep);
}

static void test_not_x12(void **state)
{
    (void)state;
    struct result res;
    validate_str("Tk9OIEVESSBGSUxFISAasadsdfs", &res);
    assert_int_equal(res.st, XD_EPARSE);
    assert_int_equal(res.rep.errors, 1);
    assert_non_null(strstr(res.rep.items[0].message, "not X12"));
    assert_string_equal(res.rep.items[0].code, "022");
    xd_x12_report_cleanup(&res.rep);
    validate_str("", &res);
    assert_int_equal(res.st, XD_EPARSE);
    xd_x12_report_cleanup(&res.rep);
}

static void test_bad_terminators(void **state)
{
    (void)state;
    struct result res;
    /* the byte after ISA16 is a letter: there is no terminator */
    validate_str("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*"
                 "1200*U*00401*000000001*0*P*>GS*PO",
                 &res);
    assert_int_equal(res.st, XD_EPARSE);
    assert_string_equal(res.rep.items[0].code, "004");
    xd_x12_report_cleanup(&res.rep);
    /* a multi-byte UTF-8 terminator */
    validate_str("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*"
                 "1200*U*00401*000000001*0*P*:\xE2\x80\xA6GS",
                 &res);
    assert_int_equal(res.st, XD_EPARSE);
    assert_non_null(strstr(res.rep.items[0].message, "UTF-8"));
    xd_x12_report_cleanup(&res.rep);
}

static void test_ebcdic(void **state)
{
    (void)state;
    const char *ascii = ISA4010 GS_PO PO_BODY TRAILER;
    size_t n = strlen(ascii);
    char ebcdic[1024];
    assert_true(n < sizeof ebcdic);
    /* Encode by inverting the decode table (ASCII is a subset of cp037). */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)ascii[i];
        for (unsigned b = 0; b < 256; b++) {
            if (xd_x12__cp037[b] == c && b != 0x25) {
                ebcdic[i] = (char)b;
                break;
            }
        }
    }
    struct result res;
    validate_text(ebcdic, n, &res);
    assert_int_equal(res.st, XD_OK);
    assert_string_equal(res.rep.encoding, "ebcdic-cp037");
    assert_int_equal(res.rep.notices, 1);
    xd_x12_report_cleanup(&res.rep);
}

struct chunks {
    const char *p;
    size_t left, step;
};

static enum xd_status chunk_read(void *ctx, char *buf, size_t cap, size_t *got,
                                 struct xd_error *err)
{
    (void)err;
    struct chunks *c = ctx;
    size_t n = c->left < c->step ? c->left : c->step;
    n = n < cap ? n : cap;
    memcpy(buf, c->p, n);
    c->p += n;
    c->left -= n;
    *got = n;
    return XD_OK;
}

static void test_stream_two_interchanges_small_reads(void **state)
{
    (void)state;
    /* The second interchange switches delimiters; reads of 7 bytes split every segment. */
    const char *text = ISA4010 GS_PO PO_BODY TRAILER
        "\n"
        "ISA|00|          |00|          |ZZ|SENDER         |ZZ|RECEIVER       "
        "|260101|1200|U|00401|000000002|0|P|}!"
        "GS|PO|SENDER|RECEIVER|20260101|1200|1|X|004010!ST|850|0001!"
        "BEG|00|SA|PO-1||20260101!PO1|1|10|EA!SE|4|0001!GE|1|1!IEA|1|000000002!";
    struct chunks c = {text, strlen(text), 7};
    struct xd_x12_reader *r = NULL;
    assert_int_equal(xd_x12_reader_create(chunk_read, &c, 0, &r), XD_OK);
    struct xd_x12_report rep;
    xd_x12_report_init(&rep, 10);
    assert_int_equal(xd_x12_validate(r, NULL, &rep, NULL, NULL), XD_OK);
    assert_int_equal(rep.interchanges, 2);
    assert_int_equal(rep.sets, 2);
    xd_x12_report_cleanup(&rep);
    xd_x12_reader_destroy(r);
}

static void test_segment_slices(void **state)
{
    (void)state;
    const char *text = ISA4010 "GS*PO*A*B*20260101*1200*1*X*004010~";
    struct xd_x12_reader *r = NULL;
    struct xd_x12_segment seg;
    assert_int_equal(xd_x12_reader_create_mem(text, strlen(text), &r), XD_OK);
    assert_int_equal(xd_x12_reader_next(r, &seg, NULL), XD_OK);
    assert_int_equal(seg.count, 17);
    assert_int_equal(seg.delims->component, '>');
    assert_int_equal(seg.delims->repetition, 0);
    assert_int_equal(xd_x12_reader_next(r, &seg, NULL), XD_OK);
    assert_int_equal(seg.count, 9);
    assert_true(seg.elements[2].p >= text && seg.elements[2].p < text + strlen(text));
    assert_int_equal(seg.offset, 106);
    assert_int_equal(xd_x12_reader_next(r, &seg, NULL), XD_ENOTFOUND);
    xd_x12_reader_destroy(r);
}

/* The masks the reader fills while splitting, for elements long and short (the wide path
 * reads 16 bytes at a time) and past the 63rd. */
static void test_segment_masks(void **state)
{
    (void)state;
    char text[1024];
    int n = snprintf(text, sizeof text,
                     "%sGS*PO*A*B*20260101*1200*1*X*005010~"
                     "N9*A:B*%s*x^y**LONG VALUE WITH A^REPEAT INSIDE IT*\x01~%s",
                     ISA5010, "A VERY LONG ELEMENT WITHOUT DELIMITERS", "");
    assert_true(n > 0 && (size_t)n < sizeof text);
    struct xd_x12_reader *r = NULL;
    struct xd_x12_segment seg;
    assert_int_equal(xd_x12_reader_create_mem(text, (size_t)n, &r), XD_OK);
    assert_int_equal(xd_x12_reader_next(r, &seg, NULL), XD_OK);
    assert_int_equal(xd_x12_reader_next(r, &seg, NULL), XD_OK);
    assert_int_equal(xd_x12_reader_next(r, &seg, NULL), XD_OK);
    assert_int_equal(seg.count, 7);
    assert_int_equal(seg.elements[2].len, strlen("A VERY LONG ELEMENT WITHOUT DELIMITERS"));
    assert_int_equal(seg.present, 0x6F); /* ID, 1, 2, 3, 5, 6; 4 is empty */
    assert_int_equal(seg.components, 0x2);
    assert_int_equal(seg.repetitions, 0x28);
    assert_int_equal(seg.controls, 0x40);
    xd_x12_reader_destroy(r);

    /* 70 elements: bit 63 stands for all from the 63rd on */
    struct xd_buf b;
    xd_buf_init(&b, 4096);
    assert_int_equal(xd_buf_append_str(&b, ISA4010 "GS*PO*A*B*20260101*1200*1*X*004010~REF"),
                     XD_OK);
    for (int i = 1; i <= 70; i++) {
        assert_int_equal(xd_buf_append_str(&b, i == 66 ? "*a>b" : "*v"), XD_OK);
    }
    assert_int_equal(xd_buf_append_str(&b, "~"), XD_OK);
    assert_int_equal(xd_x12_reader_create_mem(b.data, b.len, &r), XD_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(xd_x12_reader_next(r, &seg, NULL), XD_OK);
    }
    assert_int_equal(seg.count, 71);
    assert_int_equal(seg.present, UINT64_MAX);
    assert_int_equal(seg.components, (uint64_t)1 << 63);
    assert_int_equal(seg.repetitions, 0);
    xd_x12_reader_destroy(r);
    xd_buf_cleanup(&b);
}

/* ---- Envelope checks: one failing interchange each ----------------------------------------- */

static void test_isa_width(void **state)
{
    (void)state;
    expect_one("ISA*00*          *00*          *ZZ*SENDER        *ZZ*RECEIVER       *260101*"
               "1200*U*00401*000000001*0*P*>~" GS_PO PO_BODY TRAILER,
               XD_X12_LEVEL_INTERCHANGE, "006", "ISA", 6, 0);
}

static void test_isa_qualifier_code(void **state)
{
    (void)state;
    expect_one("ISA*00*          *00*          *Q9*SENDER         *ZZ*RECEIVER       *260101*"
               "1200*U*00401*000000001*0*P*>~" GS_PO PO_BODY TRAILER,
               XD_X12_LEVEL_INTERCHANGE, "005", "ISA", 5, 0);
}

static void test_iea01_groups(void **state)
{
    (void)state;
    expect_one(ISA4010 GS_PO PO_BODY "GE*1*1~IEA*2*000000001~", XD_X12_LEVEL_INTERCHANGE, "021",
               "IEA", 1, 0);
}

static void test_iea02_control(void **state)
{
    (void)state;
    expect_one(ISA4010 GS_PO PO_BODY "GE*1*1~IEA*1*000000009~", XD_X12_LEVEL_INTERCHANGE, "001",
               "IEA", 2, 0);
}

static void test_iea_missing(void **state)
{
    (void)state;
    expect_one(ISA4010 GS_PO PO_BODY "GE*1*1~", XD_X12_LEVEL_INTERCHANGE, "023", "", 0, 0);
}

static void test_ge01_sets(void **state)
{
    (void)state;
    expect_one(ISA4010 GS_PO PO_BODY "GE*2*1~IEA*1*000000001~", XD_X12_LEVEL_GROUP, "5", "GE", 1,
               0);
}

static void test_ge02_control(void **state)
{
    (void)state;
    expect_one(ISA4010 GS_PO PO_BODY "GE*1*7~IEA*1*000000001~", XD_X12_LEVEL_GROUP, "4", "GE", 2,
               0);
}

static void test_leading_zero_counts(void **state)
{
    (void)state;
    struct result res;
    validate_str(ISA4010 "GS*PO*SENDER*RECEIVER*20260101*1200*000001*X*004010~"
                         "ST*850*0001~BEG*00*SA*PO-1**20260101~PO1*1*10*EA~SE*0000000004*0001~"
                         "GE*000001*1~IEA*00001*000000001~",
                 &res);
    assert_int_equal(res.st, XD_OK);
    xd_x12_report_cleanup(&res.rep);
}

static void test_se01_count(void **state)
{
    (void)state;
    expect_one(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~PO1*1*10*EA~SE*9*0001~" TRAILER,
               XD_X12_LEVEL_SET, "4", "SE", 1, 4);
}

static void test_se02_control(void **state)
{
    (void)state;
    expect_one(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~PO1*1*10*EA~SE*4*0002~" TRAILER,
               XD_X12_LEVEL_SET, "3", "SE", 2, 4);
}

static void test_se_missing(void **state)
{
    (void)state;
    expect_one(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~PO1*1*10*EA~" TRAILER,
               XD_X12_LEVEL_SET, "2", "GE", 0, 3);
}

static void test_st02_unique(void **state)
{
    (void)state;
    expect_one(ISA4010 GS_PO PO_BODY PO_BODY "GE*2*1~IEA*1*000000001~", XD_X12_LEVEL_SET, "23",
               "ST", 2, 1);
}

static void test_gs06_unique(void **state)
{
    (void)state;
    expect_one(ISA4010 GS_PO PO_BODY "GE*1*1~" GS_PO PO_BODY "GE*1*1~IEA*2*000000001~",
               XD_X12_LEVEL_GROUP, "19", "GS", 6, 0);
}

static void test_gs04_date_by_version(void **state)
{
    (void)state;
    expect_one(ISA4010 "GS*PO*SENDER*RECEIVER*260101*1200*1*X*004010~" PO_BODY TRAILER,
               XD_X12_LEVEL_INTERCHANGE, "024", "GS", 4, 0);
    struct result res; /* YYMMDD is right before 004010 (no table there: a notice) */
    validate_str(ISA4010 "GS*PO*SENDER*RECEIVER*260101*1200*1*X*003060~" PO_BODY TRAILER, &res);
    assert_int_equal(res.st, XD_OK);
    assert_int_equal(res.rep.notices, 1);
    assert_non_null(strstr(res.rep.items[0].message, "envelope and syntax level"));
    xd_x12_report_cleanup(&res.rep);
}

static void test_gs01_group_of_set(void **state)
{
    (void)state;
    expect_one(ISA4010 "GS*OW*SENDER*RECEIVER*20260101*1200*1*X*004010~" PO_BODY TRAILER,
               XD_X12_LEVEL_SET, "6", "ST", 1, 1);
}

static void test_duplicate_interchange_warns(void **state)
{
    (void)state;
    struct result res;
    validate_str(ISA4010 GS_PO PO_BODY TRAILER ISA4010 GS_PO PO_BODY TRAILER, &res);
    assert_int_equal(res.st, XD_OK);
    assert_int_equal(res.rep.warnings, 1);
    assert_string_equal(res.rep.items[0].code, "025");
    xd_x12_report_cleanup(&res.rep);
}

/* ---- Set validation ------------------------------------------------------------------------- */

static void test_mandatory_segment_missing(void **state)
{
    (void)state;
    expect_one(ISA4010 GS_PO "ST*850*0001~PO1*1*10*EA~SE*3*0001~" TRAILER, XD_X12_LEVEL_SEGMENT,
               "3", "BEG", 0, 2);
}

static void test_segment_out_of_sequence(void **state)
{
    (void)state;
    expect_one(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~PO1*1*10*EA~BEG*00*SA*PO-2**"
                             "20260101~SE*5*0001~" TRAILER,
               XD_X12_LEVEL_SEGMENT, "7", "BEG", 0, 4);
}

static void test_segment_not_in_set(void **state)
{
    (void)state;
    expect_one(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~BSN*00*1*20260101*1200~"
                             "PO1*1*10*EA~SE*5*0001~" TRAILER,
               XD_X12_LEVEL_SEGMENT, "6", "BSN", 0, 3);
}

static void test_unrecognized_segment(void **state)
{
    (void)state;
    expect_one(ISA4010 GS_PO
               "ST*850*0001~BEG*00*SA*PO-1**20260101~b@d*1~PO1*1*10*EA~SE*5*0001~" TRAILER,
               XD_X12_LEVEL_SEGMENT, "1", "b@d", 0, 3);
}

static void test_element_checks(void **state)
{
    (void)state;
    /* mandatory missing, too long, invalid code, invalid date, not numeric, too many elements */
    expect_one(ISA4010 GS_PO "ST*850*0001~BEG*00**PO-1**20260101~PO1*1*10*EA~SE*4*0001~" TRAILER,
               XD_X12_LEVEL_ELEMENT, "1", "BEG", 2, 2);
    expect_one(ISA4010 GS_PO "ST*850*0001~BEG*00*SAX*PO-1**20260101~PO1*1*10*EA~SE*4*0001~" TRAILER,
               XD_X12_LEVEL_ELEMENT, "5", "BEG", 2, 2);
    expect_one(ISA4010 GS_PO "ST*850*0001~BEG*99*SA*PO-1**20260101~PO1*1*10*EA~SE*4*0001~" TRAILER,
               XD_X12_LEVEL_ELEMENT, "7", "BEG", 1, 2);
    expect_one(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260230~PO1*1*10*EA~SE*4*0001~" TRAILER,
               XD_X12_LEVEL_ELEMENT, "8", "BEG", 5, 2);
    expect_one(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~PO1*1*1O*EA~SE*4*0001~" TRAILER,
               XD_X12_LEVEL_ELEMENT, "6", "PO1", 2, 3);
    expect_one(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~PO1*1*10*EA~CTT*1*10*1*LB*9*"
                             "LB*x*EXTRA~SE*5*0001~" TRAILER,
               XD_X12_LEVEL_ELEMENT, "3", "CTT", 8, 4);
}

#define GS_AG "GS*AG*SENDER*RECEIVER*20260101*1200*1*X*004010~"

/* The 824's OTI loop as X12 defines it: NM1, per TED its CTX (005010), NTE and RED, then LM
 * loops whose LQ loops carry RED. An LM without its LQ lacks a mandatory loop. */
static void test_824_oti_loop(void **state)
{
    (void)state;
    struct result res;
    validate_str(ISA5010 "GS*AG*SENDER*RECEIVER*20260101*1200*1*X*005010~ST*824*0001~"
                         "BGN*00*AA-1*20260101~N1*FR*Acme*92*AC1~OTI*TE*IV*I-1~REF*PO*P-1~"
                         "NM1*BY*1*Okafor*Ngozi****92*B-117~"
                         "TED*011*PRICE*IT1*14*4**0.19*0.15~CTX*IT1:2~NTE*LIN*price #2~RED*B-1*AI~"
                         "TED*007~RED*remit-to**VI**0*RTL-1~"
                         "LM*VI~LQ*0*RTL-412~RED*held*AI~LQ*0*RTL-415~LM*AR*T1~LQ*0*X~"
                         "SE*19*0001~" TRAILER,
                 &res);
    assert_int_equal(res.st, XD_OK);
    assert_int_equal(res.rep.errors, 0);
    assert_int_equal(res.rep.warnings, 0);
    xd_x12_report_cleanup(&res.rep);
    expect_one(ISA4010 GS_AG
               "ST*824*0001~BGN*00*AA-1*20260101~OTI*TA*IV*I-1~LM*VI~SE*5*0001~" TRAILER,
               XD_X12_LEVEL_SEGMENT, "3", "LQ", 0, 5);
    /* RED's syntax notes: RED05 (the code list) without the code it qualifies is an error;
     * RED02 and RED06 both present (E0206) a relational warning, as each reads one way */
    expect_one(ISA4010 GS_AG "ST*824*0001~BGN*00*AA-1*20260101~OTI*TA*IV*I-1~TED*007~"
                             "RED*x*AI*VI**0~SE*6*0001~" TRAILER,
               XD_X12_LEVEL_ELEMENT, "2", "RED", 6, 5);
    validate_str(ISA4010 GS_AG "ST*824*0001~BGN*00*AA-1*20260101~OTI*TA*IV*I-1~TED*007~"
                               "RED*x*AI*VI**0*C1~SE*6*0001~" TRAILER,
                 &res);
    assert_int_equal(res.st, XD_OK);
    assert_int_equal(res.rep.warnings, 1);
    assert_string_equal(res.rep.items[0].deviation, "relational");
    assert_string_equal(res.rep.items[0].code, "10");
    xd_x12_report_cleanup(&res.rep);
}

/* OTI01 is checked against 110: an unknown code is an error naming the segment, its position,
 * the element and the value. TED01 (647, numbered and lettered codes of every trade, more with
 * each release) is checked for its form only (ID 1/3). */
static void test_824_code_lists(void **state)
{
    (void)state;
    static const char *const c110[] = {"BA", "BC", "BE", "BP", "BR", "GA", "GC", "GE",
                                       "GH", "GP", "GR", "IA", "IC", "IE", "IP", "IR",
                                       "TA", "TC", "TE", "TH", "TP", "TR"};
    static const char *const c647[] = {"001", "011", "024", "101", "848", "ZZZ", "MB", "A", "RU"};
    char text[512];
    struct result res;
    for (size_t i = 0; i < XD_ARRAY_LEN(c110) + XD_ARRAY_LEN(c647); i++) {
        bool oti = i < XD_ARRAY_LEN(c110);
        snprintf(text, sizeof text,
                 ISA4010 GS_AG
                 "ST*824*0001~BGN*00*AA-1*20260101~OTI*%s*IV*I-1~TED*%s~SE*5*0001~" TRAILER,
                 oti ? c110[i] : "TR", oti ? "011" : c647[i - XD_ARRAY_LEN(c110)]);
        validate_str(text, &res);
        assert_int_equal(res.st, XD_OK);
        xd_x12_report_cleanup(&res.rep);
    }
    static const struct {
        const char *oti01, *line;
    } bad[] = {
        {"XX", "ST 824 0001 segment 3 OTI OTI01 (byte 186): invalid code value [\"XX\"] (AK4 7)"},
        {"T", "ST 824 0001 segment 3 OTI OTI01 (byte 186): invalid code value [\"T\"] (AK4 7)"},
    };
    for (size_t i = 0; i < XD_ARRAY_LEN(bad); i++) {
        snprintf(text, sizeof text,
                 ISA4010 GS_AG
                 "ST*824*0001~BGN*00*AA-1*20260101~OTI*%s*IV*I-1~TED*011~SE*5*0001~" TRAILER,
                 bad[i].oti01);
        validate_str(text, &res);
        assert_int_equal(res.st, XD_EINVALDOC);
        assert_int_equal(res.rep.errors, 1);
        const struct xd_x12_error *e = first_error(&res);
        assert_int_equal(e->level, XD_X12_LEVEL_ELEMENT);
        assert_string_equal(e->code, "7");
        assert_string_equal(e->segment_id, "OTI");
        assert_int_equal(e->element, 1);
        assert_string_equal(e->value, bad[i].oti01);
        struct xd_buf b;
        xd_buf_init(&b, 1024);
        assert_int_equal(xd_x12_error_format(e, &b), XD_OK);
        assert_int_equal(xd_buf_append(&b, "", 1), XD_OK);
        if (strstr(b.data, bad[i].line) == NULL) {
            fprintf(stderr, "%s\n", b.data);
        }
        assert_non_null(strstr(b.data, bad[i].line));
        xd_buf_cleanup(&b);
        xd_x12_report_cleanup(&res.rep);
    }
}

static void validate_opt(const char *text, bool strict, struct result *res)
{
    struct xd_x12_reader *r = NULL;
    struct xd_x12_validate_options opt = {.strict = strict};
    xd_x12_report_init(&res->rep, 100);
    assert_int_equal(xd_x12_reader_create_mem(text, strlen(text), &r), XD_OK);
    res->st = xd_x12_validate(r, &opt, &res->rep, NULL, NULL);
    xd_x12_reader_destroy(r);
}

/* <text> holds exactly one deviation: by default a warning with that code, deviation name and
 * position, and nothing else wrong; under strict validation the same problem as an error. */
static void expect_deviation(const char *text, const char *code, const char *deviation,
                             const char *segment, unsigned element, uint64_t position)
{
    for (int strict = 0; strict <= 1; strict++) {
        struct result res;
        validate_opt(text, strict, &res);
        assert_int_equal(res.st, strict ? XD_EINVALDOC : XD_OK);
        assert_int_equal(res.rep.errors + res.rep.warnings, 1);
        const struct xd_x12_error *e = NULL;
        for (size_t i = 0; i < res.rep.count; i++) {
            e = res.rep.items[i].severity != XD_X12_NOTICE ? &res.rep.items[i] : e;
        }
        assert_non_null(e);
        assert_int_equal(e->severity, strict ? XD_X12_ERROR : XD_X12_WARNING);
        assert_string_equal(e->code, code);
        assert_string_equal(e->deviation, deviation);
        assert_string_equal(e->segment_id, segment);
        assert_int_equal(e->element, element);
        assert_int_equal(e->segment_position, position);
        xd_x12_report_cleanup(&res.rep);
    }
}

#define GS_IN   "GS*IN*SENDER*RECEIVER*20260101*1200*1*X*004010~"
#define INV_END "TDS*0~SE*5*0001~" TRAILER

static void test_syntax_notes(void **state)
{
    (void)state;
    /* PO1 P0607: a qualifier without its ID is an error: what was meant is unknown */
    expect_one(ISA4010 GS_PO
               "ST*850*0001~BEG*00*SA*PO-1**20260101~PO1*1*10*EA*1**VP~SE*4*0001~" TRAILER,
               XD_X12_LEVEL_ELEMENT, "2", "PO1", 7, 3);
    /* ... and so is an ID without its qualifier */
    expect_one(ISA4010 GS_PO
               "ST*850*0001~BEG*00*SA*PO-1**20260101~PO1*1*10*EA*1***SKU-1~SE*4*0001~" TRAILER,
               XD_X12_LEVEL_ELEMENT, "2", "PO1", 6, 3);
    /* REF R0203: a qualifier with neither a value nor a description */
    expect_one(ISA4010 GS_PO
               "ST*850*0001~BEG*00*SA*PO-1**20260101~REF*DP~PO1*1*10*EA~SE*5*0001~" TRAILER,
               XD_X12_LEVEL_ELEMENT, "2", "REF", 2, 3);
    /* IT1 P020304: a quantity and its unit without a unit price is read as it is */
    expect_deviation(ISA4010 GS_IN "ST*810*0001~BIG*20260101*INV1~IT1*1*2*EA~" INV_END, "2",
                     "relational", "IT1", 4, 3);
    /* ... but a quantity and price without the unit leaves the quantity unreadable */
    expect_one(ISA4010 GS_IN
               "ST*810*0001~BIG*20260101*INV1~IT1*1*2**10~TDS*2000~SE*5*0001~" TRAILER,
               XD_X12_LEVEL_ELEMENT, "2", "IT1", 3, 3);
    /* N1 R0203: neither a name nor an ID (N3/N4 may still say where): a deviation */
    expect_deviation(ISA4010 GS_PO
                     "ST*850*0001~BEG*00*SA*PO-1**20260101~N1*ST~PO1*1*10*EA~SE*5*0001~" TRAILER,
                     "2", "relational", "N1", 2, 3);
}

static void test_obsolete_century(void **state)
{
    (void)state;
    /* DTM05 "19" with a 19xx date: the pre-004010 century, read as such */
    expect_deviation(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~DTM*037*19980205***19~"
                                   "PO1*1*10*EA~SE*5*0001~" TRAILER,
                     "7", "obsolete", "DTM", 5, 3);
    /* "20" does not match 1998: DTM05 is then a format qualifier without its period */
    expect_one(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~DTM*037*19980205***20~"
                             "PO1*1*10*EA~SE*5*0001~" TRAILER,
               XD_X12_LEVEL_ELEMENT, "2", "DTM", 6, 3);
}

static void test_order_slip(void **state)
{
    (void)state;
    /* ISS written before TDS: the summary still places both (one warning, at TDS) */
    expect_deviation(ISA4010 GS_IN "ST*810*0001~BIG*20260101*INV1~IT1*1*2*EA*10~ISS*2*EA~"
                                   "TDS*2000~SE*6*0001~" TRAILER,
                     "7", "order", "TDS", 0, 5);
    /* The TDS never comes: reported missing where ISS jumped over it */
    struct result res;
    validate_str(ISA4010 GS_IN "ST*810*0001~BIG*20260101*INV1~IT1*1*2*EA*10~ISS*2*EA~"
                               "SE*5*0001~" TRAILER,
                 &res);
    const struct xd_x12_error *e = first_error(&res);
    assert_non_null(e);
    assert_string_equal(e->segment_id, "TDS");
    assert_string_equal(e->code, "3");
    assert_int_equal(e->segment_position, 4);
    xd_x12_report_cleanup(&res.rep);
    /* A second BEG is no slip: BEG is used up */
    expect_one(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~PO1*1*10*EA~BEG*00*SA*PO-2**"
                             "20260101~SE*5*0001~" TRAILER,
               XD_X12_LEVEL_SEGMENT, "7", "BEG", 0, 4);
}

static void test_guide_group(void **state)
{
    (void)state;
    /* GS01 SC under the aerospace guide X357 (GS08 004010X357): the guide's own group code */
    expect_deviation(ISA4010 "GS*SC*SENDER*RECEIVER*20260101*1200*1*X*004010X357~" PO_BODY TRAILER,
                     "6", "group", "ST", 1, 1);
}

static void test_delimiter_as_data(void **state)
{
    (void)state;
    /* 005010: a repetition separator in N301, which does not repeat, is read as data */
    expect_deviation(ISA5010 "GS*PO*SENDER*RECEIVER*20260101*1200*1*X*005010~ST*850*0001~"
                             "BEG*00*SA*PO-1**20260101~N1*ST*DC~N3*DOCK 4^5~PO1*1*10*EA~"
                             "SE*6*0001~" TRAILER,
                     "12", "delimiter", "N3", 1, 4);
    /* 004010: a component separator in N301 likewise */
    expect_deviation(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~N1*ST*DC~"
                                   "N3*DOCK 4>5~PO1*1*10*EA~SE*6*0001~" TRAILER,
                     "6", "delimiter", "N3", 1, 4);
}

/* A segment terminator lost between two segments: the first swallowed the second, which still
 * reads one way only when exactly one split gives two segments that check cleanly. */
static void test_lost_terminator(void **state)
{
    (void)state;
    /* PO107 "SKU-1CTT" and PO108 "1": the CTT lost its terminator; SE01 counted either way */
    expect_deviation(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~"
                                   "PO1*1*10*EA*2.5**VP*SKU-1CTT*1~SE*5*0001~" TRAILER,
                     "8", "terminator", "PO1", 0, 3);
    expect_deviation(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~"
                                   "PO1*1*10*EA*2.5**VP*SKU-1CTT*1~SE*4*0001~" TRAILER,
                     "8", "terminator", "PO1", 0, 3);
    /* The CTT that follows is placed and counted: its element is checked as CTT01 */
    struct result res;
    validate_str(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~"
                               "PO1*1*10*EA*2.5**VP*SKU-1CTT*A~SE*5*0001~" TRAILER,
                 &res);
    assert_int_equal(res.st, XD_EINVALDOC);
    assert_int_equal(res.rep.warnings, 0); /* CTT*A is no segment: no split, PO108 is bad */
    assert_string_equal(first_error(&res)->segment_id, "PO1");
    xd_x12_report_cleanup(&res.rep);
    /* A valid segment is never split, whatever its values end with */
    validate_str(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~N1*ST*CASPER*92*A1~"
                               "PO1*1*10*EA~SE*5*0001~" TRAILER,
                 &res);
    assert_int_equal(res.st, XD_OK);
    assert_int_equal(res.rep.warnings, 0);
    xd_x12_report_cleanup(&res.rep);
}

/* A set with no table is checked at syntax level, control characters included. */
static void test_control_character_without_table(void **state)
{
    (void)state;
    expect_one(ISA4010 "GS*PO*SENDER*RECEIVER*20260101*1200*1*X*003060~ST*850*0001~"
                       "BEG*00*SA*PO-1**20260101~N1*ST*DOCK\x01"
                       "4~SE*4*0001~" TRAILER,
               XD_X12_LEVEL_ELEMENT, "6", "N1", 2, 3);
}

static void test_deviation_ack(void **state)
{
    (void)state;
    /* A set with only deviations is accepted with errors noted: AK5 E, its AK3/AK4 */
    char *a = ack_of(ISA4010 "GS*SC*SENDER*RECEIVER*20260101*1200*1*X*004010X357~" PO_BODY TRAILER,
                     XD_X12_ACK_997, false);
    assert_non_null(strstr(a, "AK2*850*0001~\nAK5*E*6~\nAK9*A*1*1*1~"));
    xd_free(a);
    a = ack_of(ISA4010 GS_IN "ST*810*0001~BIG*20260101*INV1~IT1*1*2*EA~" INV_END, XD_X12_ACK_997,
               false);
    assert_non_null(strstr(a, "AK2*810*0001~\nAK3*IT1*3**8~\nAK4*4**2~\nAK5*E~\nAK9*A*1*1*1~"));
    xd_free(a);
}

static void test_hl_structure(void **state)
{
    (void)state;
    const char *head = ISA4010 "GS*SH*SENDER*RECEIVER*20260101*1200*1*X*004010~ST*856*0001~"
                               "BSN*00*A1*20260101*1200~";
    char text[1024];
    snprintf(text, sizeof text, "%sHL*1**S~HL*2*9*O~SE*5*0001~" TRAILER, head);
    expect_one(text, XD_X12_LEVEL_ELEMENT, "7", "HL", 2, 4);
    snprintf(text, sizeof text, "%sHL*1**S~HL*1*1*O~SE*5*0001~" TRAILER, head);
    expect_one(text, XD_X12_LEVEL_ELEMENT, "7", "HL", 1, 4);
    snprintf(text, sizeof text, "%sHL*1**S*0~HL*2*1*O~SE*5*0001~" TRAILER, head);
    expect_one(text, XD_X12_LEVEL_ELEMENT, "7", "HL", 2, 4);
}

static void test_totals_are_warnings(void **state)
{
    (void)state;
    struct result res;
    validate_str(ISA4010 GS_PO "ST*850*0001~BEG*00*SA*PO-1**20260101~PO1*1*10*EA~CTT*2*11~"
                               "SE*5*0001~" TRAILER,
                 &res);
    assert_int_equal(res.st, XD_OK);
    assert_int_equal(res.rep.warnings, 2);
    xd_x12_report_cleanup(&res.rep);
    /* 810: 2 x 10.00 + a 5.00 charge = 25.00, not 24.00 */
    const char *inv = ISA4010 "GS*IN*SENDER*RECEIVER*20260101*1200*1*X*004010~ST*810*0001~"
                              "BIG*20260101*INV1~IT1*1*2*EA*10**VP*SKU-1~SAC*C*D240***500~"
                              "TDS*2400~SE*6*0001~" TRAILER;
    validate_str(inv, &res);
    assert_int_equal(res.st, XD_OK);
    assert_int_equal(res.rep.warnings, 1);
    assert_string_equal(res.rep.items[0].segment_id, "TDS");
    xd_x12_report_cleanup(&res.rep);
    struct xd_x12_reader *r = NULL;
    struct xd_x12_validate_options strict = {.strict_totals = true};
    xd_x12_report_init(&res.rep, 10);
    assert_int_equal(xd_x12_reader_create_mem(inv, strlen(inv), &r), XD_OK);
    assert_int_equal(xd_x12_validate(r, &strict, &res.rep, NULL, NULL), XD_EINVALDOC);
    xd_x12_reader_destroy(r);
    xd_x12_report_cleanup(&res.rep);
}

static void test_999_composites_and_repeats(void **state)
{
    (void)state;
    struct result res;
    validate_str(ISA5010 "GS*FA*AA*BB*20260101*1200*1*X*005010X231A1~ST*999*0001*005010X231A1~"
                         "AK1*PO*1*004010~AK2*850*0001~IK3*N1*3**8~CTX*N101:ST^N102:X*N1*3**1:2~"
                         "IK4*2:1*98*7*ZZ~IK5*R*5~AK9*R*1*1*0~SE*9*0001~GE*1*1~IEA*1*000000001~",
                 &res);
    assert_int_equal(res.st, XD_OK);
    xd_x12_report_cleanup(&res.rep);
    /* More repetitions of CTX01 than its 10 */
    expect_one(ISA5010 "GS*FA*AA*BB*20260101*1200*1*X*005010X231A1~ST*999*0001*005010X231A1~"
                       "AK1*PO*1*004010~AK2*850*0001~IK3*N1*3**8~"
                       "CTX*A^B^C^D^E^F^G^H^I^J^K*N1*3~IK5*R*5~AK9*R*1*1*0~SE*8*0001~"
                       "GE*1*1~IEA*1*000000001~",
               XD_X12_LEVEL_ELEMENT, "12", "CTX", 1, 5);
    /* A repetition separator in a number that does not repeat: data, and then no number */
    expect_one(ISA5010 "GS*FA*AA*BB*20260101*1200*1*X*005010X231A1~ST*999*0001*005010X231A1~"
                       "AK1*PO*1^2~AK9*A*1*1*1~SE*4*0001~GE*1*1~IEA*1*000000001~",
               XD_X12_LEVEL_ELEMENT, "6", "AK1", 2, 2);
}

static void test_segdefs_sorted(void **state)
{
    (void)state;
    for (size_t i = 1; i < xd_x12__segdef_count; i++) {
        assert_true(strcmp(xd_x12__segdefs[i - 1]->id, xd_x12__segdefs[i]->id) < 0);
    }
    /* Ordinals index per-validation caches: each is the definition's place in the list. */
    assert_int_equal(xd_x12__segdef_count, XD_X12__SEG_ORDINALS);
    for (size_t i = 0; i < xd_x12__segdef_count; i++) {
        assert_int_equal(xd_x12__segdefs[i]->ordinal, i);
    }
    assert_non_null(xd_x12__segdef_find("BEG", 3));
    assert_null(xd_x12__segdef_find("ZZZ", 3));
}

/* The element checks skip a note whose positions are all present or all absent unless it is R
 * or E (elements.c): sound only when each note names its first position and two or more. */
static void check_note_shapes(const struct xd_x12__note *notes)
{
    for (const struct xd_x12__note *nt = notes; nt != NULL && nt->kind != 0; nt++) {
        assert_true((nt->mask >> nt->first) & 1);
        assert_true(__builtin_popcountll(nt->mask) >= 2);
        assert_non_null(strchr("PRECL", nt->kind));
    }
}

static void test_note_shapes(void **state)
{
    (void)state;
    for (size_t i = 0; i < xd_x12__segdef_count; i++) {
        const struct xd_x12__segdef *d = xd_x12__segdefs[i];
        check_note_shapes(d->notes);
        for (size_t k = 0; k < d->n; k++) {
            if (d->elems[k].comp != NULL) {
                check_note_shapes(d->elems[k].comp->notes);
            }
        }
    }
}

/* ---- Acknowledgements ------------------------------------------------------------------------ */

static char *ack_of(const char *text, enum xd_x12_ack_kind kind, bool ta1)
{
    struct xd_x12_reader *r = NULL;
    struct xd_x12_ack *ack = NULL;
    struct xd_buf out;
    struct xd_x12_ack_options opt = {.kind = kind,
                                     .ta1 = ta1,
                                     .isa_control = 7,
                                     .gs_control = 70,
                                     .st_control = 700,
                                     .date = "20260102",
                                     .time = "0930"};
    xd_buf_init(&out, 1 << 20);
    assert_int_equal(xd_x12_reader_create_mem(text, strlen(text), &r), XD_OK);
    assert_int_equal(xd_x12_ack_create(&opt, &out, &ack), XD_OK);
    enum xd_status st = xd_x12_validate(r, NULL, NULL, xd_x12_ack_sink(ack), NULL);
    assert_true(st == XD_OK || st == XD_EINVALDOC);
    xd_x12_ack_destroy(ack);
    xd_x12_reader_destroy(r);
    char *s = xd_buf_steal(&out, NULL);
    xd_buf_cleanup(&out);
    return s;
}

static void test_997_accepted(void **state)
{
    (void)state;
    char *a = ack_of(ISA4010 GS_PO PO_BODY TRAILER, XD_X12_ACK_997, false);
    assert_string_equal(a, "ISA*00*          *00*          *ZZ*RECEIVER       *ZZ*SENDER         "
                           "*260102*0930*U*00401*000000007*0*P*>~\n"
                           "GS*FA*RECEIVER*SENDER*20260102*0930*70*X*004010~\n"
                           "ST*997*0700~\nAK1*PO*1~\nAK2*850*0001~\nAK5*A~\nAK9*A*1*1*1~\n"
                           "SE*6*0700~\nGE*1*70~\nIEA*1*000000007~\n");
    xd_free(a);
}

static void test_997_partially_accepted(void **state)
{
    (void)state;
    const char *bad = "ST*850*0002~BEG*00*SAX*PO-2**20260101~PO1*1*10*EA~BEG*00*SA*P**20260101~"
                      "SE*5*0002~";
    char text[2048];
    snprintf(text, sizeof text, "%s%s%s%sGE*2*1~IEA*1*000000001~", ISA4010, GS_PO, PO_BODY, bad);
    char *a = ack_of(text, XD_X12_ACK_997, true);
    assert_non_null(strstr(a, "TA1*000000001*260101*1200*A*000~\n"));
    assert_non_null(strstr(a, "AK2*850*0002~\nAK3*BEG*2**8~\nAK4*2**5*SAX~\nAK3*BEG*4**7~\n"
                              "AK5*R*5~\nAK9*P*2*2*1~\nSE*11*0700~"));
    xd_free(a);
}

static void test_997_group_and_interchange_errors(void **state)
{
    (void)state;
    char *a = ack_of(ISA4010 GS_PO PO_BODY "GE*3*1~IEA*1*000000002~", XD_X12_ACK_997, true);
    assert_non_null(strstr(a, "TA1*000000001*260101*1200*R*001~"));
    assert_non_null(strstr(a, "AK5*A~\nAK9*R*3*1*1*5~"));
    xd_free(a);
}

static void test_999_contents(void **state)
{
    (void)state;
    char *a = ack_of(ISA5010 "GS*PO*SENDER*RECEIVER*20260101*1200*1*X*005010~"
                             "ST*850*0001~BEG*00*SA*PO-1**20260101~PO1*1*10*EA*1**VP~"
                             "SE*4*0001~" TRAILER,
                     XD_X12_ACK_999, false);
    assert_non_null(strstr(a, "*00501*000000007*0*P*:~"));
    assert_non_null(strstr(a, "ST*999*0700*005010X231A1~\nAK1*PO*1*005010~\nAK2*850*0001~\n"
                              "IK3*PO1*3**8~\nIK4*7**2~\nIK5*R*5~\nAK9*R*1*1*0~"));
    xd_free(a);
}

/* ---- Writer --------------------------------------------------------------------------------- */

static void test_writer_round_trip(void **state)
{
    (void)state;
    struct xd_buf out;
    struct xd_x12_writer *w = NULL;
    struct xd_error err;
    struct xd_x12_writer_options opt = {.sender_qualifier = "ZZ",
                                        .sender_id = "US",
                                        .receiver_qualifier = "01",
                                        .receiver_id = "123456789",
                                        .date = "20260101",
                                        .time = "1200",
                                        .isa_control = 42,
                                        .isa_version = "00501",
                                        .newline = true};
    xd_buf_init(&out, 1 << 16);
    assert_int_equal(xd_x12_writer_create(&opt, &out, &w, &err), XD_OK);
    assert_int_equal(xd_x12_writer_group_begin(w, "PO", "US", "THEM", 9, "005010", &err), XD_OK);
    assert_int_equal(xd_x12_writer_set_begin(w, "850", 1, NULL, &err), XD_OK);
    struct xd_slice beg[5] = {XD_SLICE_LIT("00"), XD_SLICE_LIT("SA"), XD_SLICE_LIT("PO-9"),
                              XD_SLICE_LIT(""), XD_SLICE_LIT("20260101")};
    assert_int_equal(xd_x12_writer_segment(w, "BEG", beg, 5, &err), XD_OK);
    struct xd_slice po1[3] = {XD_SLICE_LIT("1"), XD_SLICE_LIT("5"), XD_SLICE_LIT("EA")};
    assert_int_equal(xd_x12_writer_segment(w, "PO1", po1, 3, &err), XD_OK);
    struct xd_slice bad[1] = {XD_SLICE_LIT("A*B")};
    assert_int_equal(xd_x12_writer_segment(w, "REF", bad, 1, &err), XD_EINVAL);
    assert_int_equal(xd_x12_writer_set_end(w, &err), XD_OK);
    assert_int_equal(xd_x12_writer_group_end(w, &err), XD_OK);
    assert_int_equal(xd_x12_writer_finish(w, &err), XD_OK);
    xd_x12_writer_destroy(w);
    struct result res;
    validate_text(out.data, out.len, &res);
    assert_int_equal(res.st, XD_OK);
    assert_int_equal(res.rep.sets, 1);
    xd_x12_report_cleanup(&res.rep);
    xd_buf_cleanup(&out);
}

/* ---- Allocation failures ----------------------------------------------------------------------
 */

static void test_oom_torture(void **state)
{
    (void)state;
    const char *text = ISA4010 GS_PO PO_BODY "ST*850*0002~BEG*00*SAX*PO-2**20260101~PO1*1*1*EA~"
                                             "SE*4*0002~GE*2*1~IEA*1*000000001~";
    bool completed = false;
    for (long n = 0; n < 500 && !completed; n++) {
        struct xd_x12_reader *r = NULL;
        struct xd_x12_ack *ack = NULL;
        struct xd_x12_report rep;
        struct xd_buf out;
        struct xd_x12_ack_options opt = {.kind = XD_X12_ACK_997,
                                         .ta1 = true,
                                         .isa_control = 1,
                                         .gs_control = 1,
                                         .st_control = 1,
                                         .date = "20260101",
                                         .time = "1200"};
        xd_buf_init(&out, 1 << 20);
        xd_x12_report_init(&rep, 10);
        xd_alloc_fail_after(n);
        enum xd_status st = xd_x12_reader_create_mem(text, strlen(text), &r);
        if (st == XD_OK) {
            st = xd_x12_ack_create(&opt, &out, &ack);
        }
        if (st == XD_OK) {
            st = xd_x12_validate(r, NULL, &rep, xd_x12_ack_sink(ack), NULL);
        }
        xd_alloc_fail_after(-1);
        if (st == XD_EINVALDOC) {
            completed = true;
            assert_int_equal(rep.errors, 1);
        } else {
            assert_int_equal(st, XD_ENOMEM);
        }
        xd_x12_ack_destroy(ack);
        xd_x12_reader_destroy(r);
        xd_x12_report_cleanup(&rep);
        xd_buf_cleanup(&out);
    }
    assert_true(completed);
}

/* xd_x12__parse_amount as it was before its fast path: the general decimal parser. */
static bool amount_by_parser(struct xd_slice s, int implied, struct xd_decimal *out)
{
    struct xd_decimal d;
    if (xd_decimal_parse(s.p, s.len, XD_DECIMAL_LENIENT, &d) != XD_OK) {
        return false;
    }
    if (implied > 0) {
        if (memchr(s.p, '.', s.len) != NULL || d.scale + implied > XD_DECIMAL_MAX_SCALE) {
            return false;
        }
        d.scale = (int16_t)(d.scale + implied);
    }
    *out = d;
    return true;
}

/* The fast path for plain amounts reads every string as the decimal parser does: edge cases,
 * then strings of digits, points, signs and blanks of every length up to 21. */
/* Control numbers and HL IDs are a partner's: where a set places them depends on a seed of its
 * own, so that no one can choose identifiers that pile onto one slot. Two sets place the same
 * identifiers apart, and each knows exactly what it holds, long identifiers (hashed) too. */
static void test_idset_seeded(void **state)
{
    (void)state;
    struct xd_x12__idset a, b;
    xd_x12__idset_init(&a, 100000);
    xd_x12__idset_init(&b, 100000);
    assert_true(a.seed != b.seed);
    char k[40];
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < 5000; i++) {
            int n = snprintf(k, sizeof k, i % 2 ? "%09d" : "LONG-IDENTIFIER-%06d", i);
            struct xd_slice key = {k, (size_t)n};
            bool found = false;
            assert_int_equal(xd_x12__idset_add(&a, key, (uint8_t)i, &found, NULL), XD_OK);
            assert_int_equal(found, pass == 1);
            assert_int_equal(xd_x12__idset_add(&b, key, (uint8_t)i, &found, NULL), XD_OK);
            assert_int_equal(found, pass == 1);
        }
    }
    uint8_t v = 0;
    assert_true(xd_x12__idset_get(&a, (struct xd_slice){"LONG-IDENTIFIER-000042", 22}, &v));
    assert_int_equal(v, 42);
    assert_false(xd_x12__idset_get(&a, (struct xd_slice){"LONG-IDENTIFIER-000043", 22}, NULL));
    assert_false(xd_x12__idset_get(&a, (struct xd_slice){"000000042", 9}, NULL));
    assert_int_equal(a.mask, b.mask);
    size_t same = 0;
    for (size_t i = 0; i <= a.mask; i++) {
        same += a.slots[i] != 0 && a.slots[i] == b.slots[i];
    }
    assert_true(same < 50); /* 2,500 keys stored alike in both: each in one same slot by chance */
    xd_x12__idset_cleanup(&a);
    xd_x12__idset_cleanup(&b);
}

static void test_amounts_as_parser(void **state)
{
    (void)state;
    static const char *const fixed[] = {
        "",
        "0",
        ".",
        "1.",
        ".5",
        "9.25",
        "-1",
        "+1",
        "1.2.3",
        "007",
        "00.10",
        " 1",
        "999999999999999999",
        "9999999999999999999",
        "99999999999999999.9",
        "1.000000000000000000",
        "0.0000000000000000001",
        "9223372036854775807",
        "9223372036854775808",
    };
    uint32_t seed = 12345;
    for (size_t n = 0; n < XD_ARRAY_LEN(fixed) + 200000; n++) {
        char buf[24];
        struct xd_slice s;
        if (n < XD_ARRAY_LEN(fixed)) {
            s = xd_slice_from_cstr(fixed[n]);
        } else {
            seed = seed * 1103515245u + 12345u;
            size_t len = (seed >> 16) % 22;
            for (size_t i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                unsigned r = (seed >> 16) % 100;
                buf[i] = r < 85 ? (char)('0' + r % 10) : r < 95 ? '.' : "-+ "[r % 3];
            }
            s = (struct xd_slice){buf, len};
        }
        for (int implied = 0; implied <= 2; implied += 2) {
            struct xd_decimal want = {0, 0}, got = {0, 0};
            bool ok_want = amount_by_parser(s, implied, &want);
            bool ok_got = xd_x12__parse_amount(s, implied, &got);
            assert_int_equal(ok_got, ok_want);
            if (ok_want) {
                assert_int_equal(got.units, want.units);
                assert_int_equal(got.scale, want.scale);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_minimal),
        cmocka_unit_test(test_bom_crlf_indent_no_final_terminator),
        cmocka_unit_test(test_odd_delimiters),
        cmocka_unit_test(test_not_x12),
        cmocka_unit_test(test_bad_terminators),
        cmocka_unit_test(test_ebcdic),
        cmocka_unit_test(test_stream_two_interchanges_small_reads),
        cmocka_unit_test(test_segment_slices),
        cmocka_unit_test(test_segment_masks),
        cmocka_unit_test(test_isa_width),
        cmocka_unit_test(test_isa_qualifier_code),
        cmocka_unit_test(test_iea01_groups),
        cmocka_unit_test(test_iea02_control),
        cmocka_unit_test(test_iea_missing),
        cmocka_unit_test(test_ge01_sets),
        cmocka_unit_test(test_ge02_control),
        cmocka_unit_test(test_leading_zero_counts),
        cmocka_unit_test(test_se01_count),
        cmocka_unit_test(test_se02_control),
        cmocka_unit_test(test_se_missing),
        cmocka_unit_test(test_st02_unique),
        cmocka_unit_test(test_gs06_unique),
        cmocka_unit_test(test_gs04_date_by_version),
        cmocka_unit_test(test_gs01_group_of_set),
        cmocka_unit_test(test_duplicate_interchange_warns),
        cmocka_unit_test(test_mandatory_segment_missing),
        cmocka_unit_test(test_segment_out_of_sequence),
        cmocka_unit_test(test_segment_not_in_set),
        cmocka_unit_test(test_unrecognized_segment),
        cmocka_unit_test(test_element_checks),
        cmocka_unit_test(test_824_oti_loop),
        cmocka_unit_test(test_824_code_lists),
        cmocka_unit_test(test_syntax_notes),
        cmocka_unit_test(test_obsolete_century),
        cmocka_unit_test(test_order_slip),
        cmocka_unit_test(test_guide_group),
        cmocka_unit_test(test_delimiter_as_data),
        cmocka_unit_test(test_lost_terminator),
        cmocka_unit_test(test_control_character_without_table),
        cmocka_unit_test(test_deviation_ack),
        cmocka_unit_test(test_hl_structure),
        cmocka_unit_test(test_totals_are_warnings),
        cmocka_unit_test(test_999_composites_and_repeats),
        cmocka_unit_test(test_segdefs_sorted),
        cmocka_unit_test(test_note_shapes),
        cmocka_unit_test(test_997_accepted),
        cmocka_unit_test(test_997_partially_accepted),
        cmocka_unit_test(test_997_group_and_interchange_errors),
        cmocka_unit_test(test_999_contents),
        cmocka_unit_test(test_writer_round_trip),
        cmocka_unit_test(test_oom_torture),
        cmocka_unit_test(test_amounts_as_parser),
        cmocka_unit_test(test_idset_seeded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
