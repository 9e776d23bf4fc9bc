/* SPDX-License-Identifier: MIT
 * Segment dictionary: element positions, requirement, type, lengths (004010, with the 005010
 * maximum where it grew), code lists of the key qualifiers, composites and syntax notes.
 * Elements added in 005010 are optional trailing positions, so one definition serves both.
 * Written from the public X12 dictionaries; where a position is rarely used and its type
 * uncertain it is AN, so it is counted and length-checked but never wrongly rejected. */
#include "x12/spec_segments.h"

#include <string.h>

#define E_(r, t, mn, mx)                                                                           \
    {                                                                                              \
        .req = (r), .type = XD_X12__##t, .min = (mn), .max = (mx), .repeat = 1                     \
    }
#define E5(r, t, mn, mx, m5)                                                                       \
    {                                                                                              \
        .req = (r), .type = XD_X12__##t, .min = (mn), .max = (mx), .max5 = (m5), .repeat = 1       \
    }
#define EN(r, d, mn, mx)                                                                           \
    {                                                                                              \
        .req = (r), .type = XD_X12__N, .decimals = (d), .min = (mn), .max = (mx), .repeat = 1      \
    }
#define EC(r, mn, mx, list)                                                                        \
    {                                                                                              \
        .req = (r), .type = XD_X12__ID, .min = (mn), .max = (mx), .repeat = 1, .codes = (list)     \
    }
#define EK(r, c)                                                                                   \
    {                                                                                              \
        .req = (r), .type = XD_X12__COMP, .comp = &(c), .repeat = 1                                \
    }
#define EKR(r, c, n)                                                                               \
    {                                                                                              \
        .req = (r), .type = XD_X12__COMP, .comp = &(c), .repeat = (n)                              \
    }
/* A qualifier of the next element, and a unit (or basis) of the previous one. */
#define QN(r, t, mn, mx)                                                                           \
    {                                                                                              \
        .req = (r), .type = XD_X12__##t, .min = (mn), .max = (mx), .repeat = 1,                    \
        .qual = XD_X12__Q_NEXT                                                                     \
    }
#define QP(r, t, mn, mx)                                                                           \
    {                                                                                              \
        .req = (r), .type = XD_X12__##t, .min = (mn), .max = (mx), .repeat = 1,                    \
        .qual = XD_X12__Q_PREV                                                                     \
    }
#define BIT(n) ((uint64_t)1 << (n))
#define N2(k, a, b)                                                                                \
    {                                                                                              \
        (k), (a), (b), BIT(a) | BIT(b)                                                             \
    }
#define N3(k, a, b, c)                                                                             \
    {                                                                                              \
        (k), (a), (b), BIT(a) | BIT(b) | BIT(c)                                                    \
    }
#define N4(k, a, b, c, d)                                                                          \
    {                                                                                              \
        (k), (a), (b), BIT(a) | BIT(b) | BIT(c) | BIT(d)                                           \
    }
#define N5(k, a, b, c, d, e)                                                                       \
    {                                                                                              \
        (k), (a), (b), BIT(a) | BIT(b) | BIT(c) | BIT(d) | BIT(e)                                  \
    }
#define NOTES(...) ((const struct xd_x12__note[]){__VA_ARGS__, {0, 0, 0, 0}})
#define PAIR       QN('X', ID, 2, 2), E_('X', AN, 1, 48)
#define PAIRS5     PAIR, PAIR, PAIR, PAIR, PAIR
#define COMPDEF(name, notes)                                                                       \
    static const struct xd_x12__composite name = {name##_e, (unsigned char)XD_ARRAY_LEN(name##_e), \
                                                  notes}
#define SEG(name, notes)                                                                           \
    const struct xd_x12__segdef xd_x12__seg_##name = {#name,                                       \
                                                      XD_X12__SEGORD_##name,                       \
                                                      name##_e,                                    \
                                                      (unsigned char)XD_ARRAY_LEN(name##_e),       \
                                                      notes,                                       \
                                                      NULL}
#define SEG_OBSOLETE(name, notes, obs)                                                             \
    const struct xd_x12__segdef xd_x12__seg_##name = {                                             \
        #name, XD_X12__SEGORD_##name, name##_e, (unsigned char)XD_ARRAY_LEN(name##_e), notes,      \
        &(obs)}

/* ---- Code lists of key qualifiers ------------------------------------------------------ */

/* 353 Transaction Set Purpose Code */
static const char *const c353[] = {
    "00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13",
    "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27",
    "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "40", "41",
    "42", "43", "44", "45", "46", "47", "48", "49", "50", "51", "52", "53", "54", "55",
    "56", "5C", "77", "CN", "CO", "EX", "GR", "PR", "RH", "RV", "SU", "ZZ", NULL};
/* 587 Acknowledgment Type */
static const char *const c587[] = {"AC", "AD", "AE", "AH", "AK", "AP", "AT", "NA",
                                   "RD", "RF", "RJ", "RN", "RO", "RV", "ZZ", NULL};
/* 668 Line Item Status Code */
static const char *const c668[] = {"AC", "AR", "BP", "DR", "IA", "IB", "IC", "ID", "IE",
                                   "IF", "IH", "IP", "IQ", "IR", "IS", "IW", "R1", "R2",
                                   "R3", "R4", "R5", "R6", "R7", "R8", "SP", NULL};
/* 110 Application Acknowledgment Code (OTI01): accept, accept with data content change, with
 * error, partial accept/reject, reject, on hold (GH, TH: later releases, harmless earlier), of
 * a batch, functional group, item or set. */
static const char *const c110[] = {"BA", "BC", "BE", "BP", "BR", "GA", "GC", "GE",
                                   "GH", "GP", "GR", "IA", "IC", "IE", "IP", "IR",
                                   "TA", "TC", "TE", "TH", "TP", "TR", NULL};
/* 248 Allowance or Charge Indicator */
static const char *const c248[] = {"A", "C", "N", "P", "Q", "R", "S", NULL};
/* 715/717 acknowledgment codes */
static const char *const c715[] = {"A", "E", "M", "P", "R", "W", "X", NULL};
static const char *const c717[] = {"A", "E", "M", "R", "W", "X", NULL};
/* 716 Functional Group Syntax Error Code */
static const char *const c716[] = {"1",  "2",  "3",  "4",  "5",  "6",  "10", "11",
                                   "12", "13", "14", "15", "16", "17", "18", "19",
                                   "20", "21", "22", "23", "24", "25", "26", NULL};
/* 718 Transaction Set Syntax Error Code (and 618 of the 999, which adds I5/I6) */
static const char *const c718[] = {"1",  "2",  "3",  "4",  "5",  "6",  "7",  "8",  "9",  "10",
                                   "11", "12", "13", "15", "16", "17", "18", "19", "20", "21",
                                   "22", "23", "24", "25", "26", "27", "I5", "I6", NULL};
/* 720 Segment Syntax Error Code (and 620 of the 999) */
static const char *const c720[] = {"1", "2",  "3",  "4",  "5",  "6",  "7",
                                   "8", "I4", "I6", "I7", "I8", "I9", NULL};
/* 723 Data Element Syntax Error Code (and 621 of the 999) */
static const char *const c723[] = {"1",  "2",  "3",  "4",  "5",   "6",   "7",   "8",   "9", "10",
                                   "12", "13", "I6", "I9", "I10", "I11", "I12", "I13", NULL};

/* ---- Composites -------------------------------------------------------------------------- */

/* C001 Composite Unit of Measure */
static const struct xd_x12__elem C001_e[] = {
    E_('M', ID, 2, 2), E_('O', R, 1, 15), E_('O', R, 1, 10), E_('O', ID, 2, 2), E_('O', R, 1, 15),
    E_('O', R, 1, 10), E_('O', ID, 2, 2), E_('O', R, 1, 15), E_('O', R, 1, 10), E_('O', ID, 2, 2),
    E_('O', R, 1, 15), E_('O', R, 1, 10), E_('O', ID, 2, 2), E_('O', R, 1, 15), E_('O', R, 1, 10)};
COMPDEF(C001, NULL);
/* C040 Reference Identifier */
static const struct xd_x12__elem C040_e[] = {QN('M', ID, 2, 3), E5('M', AN, 1, 30, 50),
                                             QN('X', ID, 2, 3), E5('X', AN, 1, 30, 50),
                                             QN('X', ID, 2, 3), E5('X', AN, 1, 30, 50)};
COMPDEF(C040, NOTES(N2('P', 3, 4), N2('P', 5, 6)));
/* C030 Position in Segment */
static const struct xd_x12__elem C030_e[] = {EN('M', 0, 1, 2), EN('O', 0, 1, 2), EN('O', 0, 1, 4)};
COMPDEF(C030, NULL);
/* C998 Context Identification, C999 Reference in Segment (999) */
static const struct xd_x12__elem C998_e[] = {E_('M', AN, 1, 35), E_('O', AN, 1, 35)};
COMPDEF(C998, NULL);
static const struct xd_x12__elem C999_e[] = {EN('M', 0, 1, 4), EN('O', 0, 1, 4)};
COMPDEF(C999, NULL);

/* ---- Envelopes (the envelope checks add their own TA1/AK9 codes) ------------------------ */

static const struct xd_x12__elem ISA_e[] = {
    E_('M', ID, 2, 2), E_('M', AN, 10, 10), E_('M', ID, 2, 2), E_('M', AN, 10, 10),
    E_('M', ID, 2, 2), E_('M', AN, 15, 15), E_('M', ID, 2, 2), E_('M', AN, 15, 15),
    E_('M', DT, 6, 6), E_('M', TM, 4, 4),   E_('M', AN, 1, 1), E_('M', ID, 5, 5),
    EN('M', 0, 9, 9),  E_('M', ID, 1, 1),   E_('M', ID, 1, 1), E_('M', AN, 1, 1)};
SEG(ISA, NULL);
static const struct xd_x12__elem IEA_e[] = {EN('M', 0, 1, 5), EN('M', 0, 9, 9)};
SEG(IEA, NULL);
static const struct xd_x12__elem GS_e[] = {
    E_('M', ID, 2, 2), E_('M', AN, 2, 15), E_('M', AN, 2, 15), E_('M', DT, 8, 8),
    E_('M', TM, 4, 8), EN('M', 0, 1, 9),   E_('M', ID, 1, 2),  E_('M', AN, 1, 12)};
SEG(GS, NULL);
static const struct xd_x12__elem GE_e[] = {EN('M', 0, 1, 6), EN('M', 0, 1, 9)};
SEG(GE, NULL);
static const struct xd_x12__elem ST_e[] = {E_('M', ID, 3, 3), E_('M', AN, 4, 9),
                                           E_('O', AN, 1, 35)};
SEG(ST, NULL);
static const struct xd_x12__elem SE_e[] = {EN('M', 0, 1, 10), E_('M', AN, 4, 9)};
SEG(SE, NULL);

/* ---- Common segments ---------------------------------------------------------------------- */

static const struct xd_x12__elem AMT_e[] = {E_('M', ID, 1, 3), E_('M', R, 1, 18),
                                            E_('O', ID, 1, 1)};
SEG(AMT, NULL);
static const struct xd_x12__elem CAD_e[] = {
    E_('O', ID, 1, 2),  E_('O', AN, 1, 4), E_('O', AN, 1, 10), E_('X', ID, 2, 4),
    E_('X', AN, 1, 35), E_('O', ID, 2, 2), QN('X', ID, 2, 3),  E_('X', AN, 1, 30),
    E_('O', ID, 2, 2),  E_('O', AN, 1, 30)};
SEG(CAD, NOTES(N2('R', 4, 5), N2('P', 7, 8)));
static const struct xd_x12__elem CSH_e[] = {
    E_('O', ID, 1, 2), E_('X', ID, 1, 1), E_('X', R, 1, 18),  E_('O', AN, 1, 35), E_('X', DT, 8, 8),
    E_('O', ID, 1, 2), E_('O', R, 1, 10), E_('O', AN, 1, 15), E_('O', AN, 1, 3)};
SEG(CSH, NULL);
static const struct xd_x12__elem CTP_e[] = {
    E_('O', ID, 2, 2), E_('X', ID, 3, 3),  E_('X', R, 1, 17), E_('X', R, 1, 15),
    EK('X', C001),     E_('O', ID, 3, 3),  E_('X', R, 1, 10), E_('O', R, 1, 18),
    E_('O', ID, 2, 2), E_('O', AN, 1, 10), EN('O', 0, 1, 2)};
SEG(CTP, NOTES(N2('P', 4, 5), N2('C', 6, 7), N2('C', 9, 2), N2('C', 10, 2), N2('C', 11, 3)));
static const struct xd_x12__elem CTT_e[] = {EN('M', 0, 1, 6),  E_('O', R, 1, 10), E_('X', R, 1, 10),
                                            QP('X', ID, 2, 2), E_('X', R, 1, 8),  QP('X', ID, 2, 2),
                                            E_('O', AN, 1, 80)};
SEG(CTT, NOTES(N2('P', 3, 4), N2('P', 5, 6)));
static const struct xd_x12__elem CUR_e[] = {
    E_('M', ID, 2, 3), E_('M', ID, 3, 3), E_('O', R, 4, 10), E_('O', ID, 2, 3), E_('O', ID, 3, 3),
    E_('O', ID, 3, 3), E_('X', ID, 3, 3), E_('X', DT, 8, 8), E_('X', TM, 4, 8), E_('X', ID, 3, 3),
    E_('X', DT, 8, 8), E_('X', TM, 4, 8), E_('X', ID, 3, 3), E_('X', DT, 8, 8), E_('X', TM, 4, 8),
    E_('X', ID, 3, 3), E_('X', DT, 8, 8), E_('X', TM, 4, 8), E_('X', ID, 3, 3), E_('X', DT, 8, 8),
    E_('X', TM, 4, 8)};
SEG(CUR,
    NOTES(N2('C', 8, 7), N2('C', 9, 7), N3('L', 10, 11, 12), N2('C', 11, 10), N2('C', 12, 10),
          N3('L', 13, 14, 15), N2('C', 14, 13), N2('C', 15, 13), N3('L', 16, 17, 18),
          N2('C', 17, 16), N2('C', 18, 16), N3('L', 19, 20, 21), N2('C', 20, 19), N2('C', 21, 19)));
static const struct xd_x12__elem DTM_e[] = {QN('M', ID, 3, 3), E_('X', DT, 8, 8),
                                            E_('X', TM, 4, 8), E_('O', ID, 2, 2),
                                            QN('X', ID, 2, 3), E_('X', AN, 1, 35)};
/* DTM05 was the century (element 624) before 004010; partners still write "19" or "20". */
static const struct xd_x12__obsolete dtm_obsolete = {5, XD_X12__OBS_CENTURY, 2};
SEG_OBSOLETE(DTM, NOTES(N3('R', 2, 3, 5), N2('C', 4, 3), N2('P', 5, 6)), dtm_obsolete);
static const struct xd_x12__elem FOB_e[] = {
    E_('M', ID, 2, 2), QN('X', ID, 2, 2),  E_('X', AN, 1, 80), QN('O', ID, 2, 2), E_('X', ID, 3, 3),
    QN('X', ID, 2, 2), E_('X', AN, 1, 80), E_('O', ID, 2, 2),  E_('X', ID, 1, 2)};
SEG(FOB, NOTES(N2('C', 3, 2), N2('C', 4, 5), N2('C', 7, 6), N2('C', 8, 9)));
static const struct xd_x12__elem ITD_e[] = {
    E_('O', ID, 2, 2), E_('O', ID, 1, 2),  E_('O', R, 1, 6),  E_('X', DT, 8, 8), EN('X', 0, 1, 3),
    E_('X', DT, 8, 8), EN('O', 0, 1, 3),   EN('O', 2, 1, 10), EN('O', 2, 1, 10), EN('O', 2, 1, 10),
    EN('O', 0, 1, 3),  E_('O', AN, 1, 80), EN('O', 0, 1, 2),  E_('O', ID, 1, 2), E_('O', R, 1, 10)};
SEG(ITD, NULL);
static const struct xd_x12__elem LIN_e[] = {E_('O', AN, 1, 20),
                                            E_('M', ID, 2, 2),
                                            E_('M', AN, 1, 48),
                                            PAIRS5,
                                            PAIRS5,
                                            PAIRS5,
                                            PAIR,
                                            PAIR,
                                            PAIR,
                                            PAIR,
                                            PAIR,
                                            PAIR,
                                            PAIR,
                                            PAIR,
                                            PAIR,
                                            PAIR};
SEG(LIN, NOTES(N2('P', 4, 5), N2('P', 6, 7), N2('P', 8, 9), N2('P', 10, 11), N2('P', 12, 13),
               N2('P', 14, 15), N2('P', 16, 17), N2('P', 18, 19), N2('P', 20, 21), N2('P', 22, 23),
               N2('P', 24, 25), N2('P', 26, 27), N2('P', 28, 29), N2('P', 30, 31)));
static const struct xd_x12__elem MAN_e[] = {E_('M', ID, 1, 2),  E_('M', AN, 1, 48),
                                            E_('O', AN, 1, 48), QN('X', ID, 1, 2),
                                            E_('X', AN, 1, 48), E_('O', AN, 1, 48)};
SEG(MAN, NOTES(N2('P', 4, 5), N2('C', 6, 5)));
static const struct xd_x12__elem MEA_e[] = {
    E_('O', ID, 2, 2), E_('O', ID, 1, 3), E_('X', R, 1, 20), EK('X', C001),      E_('X', R, 1, 20),
    E_('X', R, 1, 20), E_('O', ID, 2, 2), E_('X', ID, 1, 2), E_('O', AN, 1, 10), E_('O', ID, 1, 2)};
SEG(MEA,
    NOTES(N4('R', 3, 5, 6, 8), N2('C', 5, 4), N2('C', 6, 4), N4('L', 7, 3, 5, 6), N2('E', 8, 3)));
static const struct xd_x12__elem MSG_e[] = {E_('M', AN, 1, 264), E_('X', ID, 2, 2),
                                            EN('O', 0, 1, 9)};
SEG(MSG, NOTES(N2('C', 3, 2)));
static const struct xd_x12__elem N1_e[] = {E_('M', ID, 2, 3), E5('X', AN, 1, 35, 60),
                                           QN('X', ID, 1, 2), E_('X', AN, 2, 80),
                                           E_('O', ID, 2, 2), E_('O', ID, 2, 3)};
SEG(N1, NOTES(N2('R', 2, 3), N2('P', 3, 4)));
static const struct xd_x12__elem N2_e[] = {E5('M', AN, 1, 35, 60), E5('O', AN, 1, 35, 60)};
SEG(N2, NULL);
static const struct xd_x12__elem N3_e[] = {E_('M', AN, 1, 55), E_('O', AN, 1, 55)};
SEG(N3, NULL);
static const struct xd_x12__elem N4_e[] = {
    E_('O', AN, 2, 30), E_('O', ID, 2, 2),  E_('O', ID, 3, 15), E_('O', ID, 2, 3),
    QN('X', ID, 1, 2),  E_('O', AN, 1, 30), E_('O', ID, 1, 3)};
SEG(N4, NOTES(N2('C', 6, 5)));
static const struct xd_x12__elem N9_e[] = {
    QN('M', ID, 2, 3), E5('X', AN, 1, 30, 50), E_('X', AN, 1, 45), E_('O', DT, 8, 8),
    E_('X', TM, 4, 8), E_('O', ID, 2, 2),      EK('O', C040)};
SEG(N9, NOTES(N2('R', 2, 3), N2('C', 6, 5)));
static const struct xd_x12__elem NTE_e[] = {E_('O', ID, 3, 3), E_('M', AN, 1, 80)};
SEG(NTE, NULL);
static const struct xd_x12__elem PER_e[] = {
    E_('M', ID, 2, 2),       E5('O', AN, 1, 35, 60),  QN('X', ID, 2, 2),
    E5('X', AN, 1, 80, 256), QN('X', ID, 2, 2),       E5('X', AN, 1, 80, 256),
    QN('X', ID, 2, 2),       E5('X', AN, 1, 80, 256), E_('O', AN, 1, 20)};
SEG(PER, NOTES(N2('P', 3, 4), N2('P', 5, 6), N2('P', 7, 8)));
static const struct xd_x12__elem PID_e[] = {
    E_('M', ID, 1, 1), E_('O', ID, 2, 3), E_('X', ID, 2, 3), E_('X', AN, 1, 12), E_('X', AN, 1, 80),
    E_('O', ID, 2, 2), E_('O', ID, 1, 1), E_('O', ID, 1, 1), E_('O', ID, 2, 3)};
SEG(PID, NOTES(N2('C', 4, 3), N2('R', 4, 5), N2('C', 7, 3), N2('C', 8, 4), N2('C', 9, 5)));
static const struct xd_x12__elem PKG_e[] = {E_('X', ID, 1, 1),  E_('O', ID, 2, 3),
                                            E_('O', ID, 2, 2),  E_('X', AN, 1, 7),
                                            E_('X', AN, 1, 80), E_('O', ID, 2, 2)};
SEG(PKG, NOTES(N2('R', 4, 5), N2('C', 4, 1), N2('C', 5, 1), N2('C', 6, 2)));
static const struct xd_x12__elem PWK_e[] = {
    E_('M', ID, 2, 2), E_('O', ID, 1, 2),  EN('O', 0, 1, 2),   E_('O', ID, 2, 2),
    QN('X', ID, 1, 2), E_('X', AN, 2, 80), E_('O', AN, 1, 80), E_('O', ID, 1, 2)};
SEG(PWK, NOTES(N2('P', 5, 6)));
static const struct xd_x12__elem QTY_e[] = {E_('M', ID, 2, 2), E_('X', R, 1, 15), EK('O', C001),
                                            E_('X', AN, 1, 30)};
SEG(QTY, NOTES(N2('R', 2, 4), N2('E', 2, 4)));
static const struct xd_x12__elem REF_e[] = {QN('M', ID, 2, 3), E5('X', AN, 1, 30, 50),
                                            E_('X', AN, 1, 80), EK('O', C040)};
SEG(REF, NOTES(N2('R', 2, 3)));
static const struct xd_x12__elem SAC_e[] = {
    EC('M', 1, 1, c248), E_('X', ID, 4, 4),  QN('X', ID, 2, 2),  E_('X', AN, 1, 10),
    EN('O', 2, 1, 15),   QN('X', ID, 1, 1),  E_('X', R, 1, 6),   E_('O', R, 1, 9),
    QP('X', ID, 2, 2),   E_('X', R, 1, 15),  E_('O', R, 1, 15),  E_('O', ID, 2, 2),
    E_('X', AN, 1, 30),  E_('O', AN, 1, 30), E_('X', AN, 1, 80), E_('O', ID, 2, 3)};
SEG(SAC, NOTES(N2('R', 2, 3), N2('P', 3, 4), N2('P', 6, 7), N2('P', 9, 10), N2('C', 11, 10),
               N2('C', 14, 13), N3('L', 13, 2, 4), N2('C', 16, 15)));
static const struct xd_x12__elem SI_e[] = {
    E_('M', ID, 2, 2),  E_('M', ID, 2, 2),  E_('M', AN, 1, 30),
    QN('X', ID, 2, 2),  E_('X', AN, 1, 30), QN('X', ID, 2, 2),
    E_('X', AN, 1, 30), QN('X', ID, 2, 2),  E_('X', AN, 1, 30)};
SEG(SI, NOTES(N2('P', 4, 5), N2('P', 6, 7), N2('P', 8, 9)));
static const struct xd_x12__elem TAX_e[] = {
    E_('X', AN, 1, 20), E_('X', ID, 2, 2), E_('X', AN, 2, 30), E_('X', ID, 2, 2),
    E_('X', AN, 2, 30), E_('X', ID, 2, 2), E_('X', AN, 2, 30), E_('X', ID, 2, 2),
    E_('X', AN, 2, 30), E_('X', ID, 2, 2), E_('X', AN, 2, 30), E_('O', ID, 1, 1),
    E_('O', ID, 2, 3),  E_('X', ID, 2, 2), E_('X', AN, 1, 30), E_('O', ID, 1, 1)};
SEG(TAX, NOTES(N2('R', 1, 3), N2('P', 2, 3), N2('P', 4, 5), N2('P', 6, 7), N2('P', 8, 9),
               N2('P', 10, 11)));
static const struct xd_x12__elem TC2_e[] = {E_('M', ID, 1, 1), E_('M', AN, 1, 30)};
SEG(TC2, NULL);
static const struct xd_x12__elem TD1_e[] = {
    E_('O', AN, 3, 5), EN('X', 0, 1, 7),  E_('O', ID, 1, 1), E_('X', ID, 2, 2), E_('O', AN, 1, 50),
    QN('X', ID, 1, 2), E_('X', R, 1, 10), QP('X', ID, 2, 2), E_('X', R, 1, 8),  QP('X', ID, 2, 2)};
SEG(TD1, NOTES(N2('C', 1, 2), N2('C', 3, 4), N2('C', 6, 7), N2('P', 7, 8), N2('P', 9, 10)));
static const struct xd_x12__elem TD3_e[] = {
    E_('X', ID, 2, 2),  E_('O', AN, 1, 4), E_('X', AN, 1, 10), E_('X', ID, 1, 2),
    E_('X', R, 1, 10),  E_('X', ID, 2, 2), E_('O', R, 1, 8),   E_('O', ID, 1, 1),
    E_('O', AN, 2, 15), E_('O', ID, 2, 2)};
SEG(TD3, NOTES(N2('E', 1, 10), N2('C', 2, 3), N2('C', 4, 5), N2('P', 5, 6)));
static const struct xd_x12__elem TD4_e[] = {E_('X', ID, 2, 3), E_('X', ID, 1, 3),
                                            E_('X', AN, 2, 10), E_('X', AN, 1, 80),
                                            E_('O', ID, 1, 1)};
SEG(TD4, NOTES(N3('R', 1, 2, 4), N2('C', 2, 3)));
static const struct xd_x12__elem TD5_e[] = {
    E_('O', ID, 1, 2), QN('X', ID, 1, 2), E_('X', AN, 2, 80), E_('X', ID, 1, 2), E_('X', AN, 1, 35),
    E_('X', ID, 2, 2), QN('O', ID, 1, 2), E_('X', AN, 2, 30), E_('X', ID, 2, 2), QN('X', ID, 2, 2),
    E_('O', ID, 2, 2), E_('X', ID, 2, 2), E_('X', ID, 2, 3),  E_('X', ID, 2, 3), E_('O', ID, 2, 2)};
SEG(TD5, NOTES(N5('R', 2, 4, 5, 6, 12), N2('C', 2, 3), N2('C', 7, 8), N2('C', 10, 11),
               N2('C', 13, 12), N2('C', 14, 13), N2('C', 15, 12)));
static const struct xd_x12__elem TXI_e[] = {
    E_('M', ID, 2, 2),  E_('X', R, 1, 18), E_('X', R, 1, 10), QN('X', ID, 2, 2),
    E_('X', AN, 1, 30), E_('X', ID, 1, 1), E_('O', ID, 1, 1), E_('O', R, 1, 15),
    E_('O', AN, 1, 20), E_('O', AN, 1, 10)};
SEG(TXI, NOTES(N3('R', 2, 3, 6), N2('P', 4, 5), N2('C', 8, 4)));
static const struct xd_x12__elem UIT_e[] = {EK('M', C001), E_('X', R, 1, 17), E_('O', ID, 2, 2)};
SEG(UIT, NOTES(N2('C', 3, 2)));

/* ---- 850 / 855 / 860 ------------------------------------------------------------------ */

static const struct xd_x12__elem BEG_e[] = {
    EC('M', 2, 2, c353), E_('M', ID, 2, 2),  E_('M', AN, 1, 22), E_('O', AN, 1, 30),
    E_('M', DT, 8, 8),   E_('O', AN, 1, 30), E_('O', ID, 2, 2),  E_('O', ID, 3, 3),
    E_('O', ID, 2, 2),   E_('O', ID, 2, 2),  E_('O', ID, 2, 2),  E_('O', ID, 2, 2)};
SEG(BEG, NULL);
static const struct xd_x12__elem PO1_e[] = {E_('O', AN, 1, 20),
                                            E_('X', R, 1, 15),
                                            QP('O', ID, 2, 2),
                                            E_('X', R, 1, 17),
                                            QP('O', ID, 2, 2),
                                            PAIRS5,
                                            PAIRS5};
SEG(PO1, NOTES(N2('C', 3, 2), N2('C', 5, 4), N2('P', 6, 7), N2('P', 8, 9), N2('P', 10, 11),
               N2('P', 12, 13), N2('P', 14, 15), N2('P', 16, 17), N2('P', 18, 19), N2('P', 20, 21),
               N2('P', 22, 23), N2('P', 24, 25)));
static const struct xd_x12__elem PO3_e[] = {E_('M', ID, 2, 2), E_('O', DT, 8, 8), E_('X', ID, 3, 3),
                                            E_('X', R, 1, 17), E_('M', R, 1, 15), EK('M', C001),
                                            E_('O', ID, 2, 2), E_('O', AN, 1, 80)};
SEG(PO3, NOTES(N2('C', 4, 3)));
static const struct xd_x12__elem PO4_e[] = {
    EN('O', 0, 1, 6),   E_('X', R, 1, 8), QP('X', ID, 2, 2),  E_('X', AN, 3, 5),
    QN('X', ID, 1, 2),  E_('X', R, 1, 9), QP('X', ID, 2, 2),  E_('X', R, 1, 9),
    QP('X', ID, 2, 2),  E_('X', R, 1, 8), E_('X', R, 1, 8),   E_('X', R, 1, 8),
    E_('X', ID, 2, 2),  EN('O', 0, 1, 6), E_('O', AN, 1, 15), E_('O', AN, 1, 15),
    E_('X', AN, 1, 15), EN('O', 0, 1, 3)};
SEG(PO4, NOTES(N2('C', 2, 3), N2('C', 5, 6), N2('P', 6, 7), N2('P', 8, 9), N2('C', 10, 13),
               N2('C', 11, 13), N2('C', 12, 13), N4('L', 13, 10, 11, 12), N2('C', 17, 16)));
static const struct xd_x12__elem IT8_e[] = {
    E_('O', ID, 1, 2),  E_('O', ID, 1, 2), E_('O', AN, 1, 80), E_('O', ID, 2, 2),
    E_('O', AN, 1, 80), E_('O', ID, 2, 2), E_('O', AN, 1, 48), PAIRS5,
    E_('O', ID, 2, 2)};
SEG(IT8, NULL);
static const struct xd_x12__elem SCH_e[] = {
    E_('M', R, 1, 15),  E_('M', ID, 2, 2), E_('X', ID, 2, 3), E_('X', AN, 1, 80), E_('M', ID, 3, 3),
    E_('M', DT, 8, 8),  E_('O', TM, 4, 8), E_('X', ID, 3, 3), E_('X', DT, 8, 8),  E_('O', TM, 4, 8),
    E_('O', AN, 1, 30), E_('O', ID, 2, 2), E_('O', ID, 1, 2)};
SEG(SCH, NOTES(N3('L', 3, 2, 4), N2('C', 3, 4), N2('C', 8, 9)));
static const struct xd_x12__elem SDQ_e[] = {
    E_('M', ID, 2, 2),  E_('O', ID, 1, 2), E_('M', AN, 1, 80), E_('M', R, 1, 15),
    E_('X', AN, 1, 80), E_('X', R, 1, 15), E_('X', AN, 1, 80), E_('X', R, 1, 15),
    E_('X', AN, 1, 80), E_('X', R, 1, 15), E_('X', AN, 1, 80), E_('X', R, 1, 15),
    E_('X', AN, 1, 80), E_('X', R, 1, 15), E_('X', AN, 1, 80), E_('X', R, 1, 15),
    E_('X', AN, 1, 80), E_('X', R, 1, 15), E_('X', AN, 1, 80), E_('X', R, 1, 15),
    E_('X', AN, 1, 80), E_('X', R, 1, 15), E_('O', AN, 1, 12)};
SEG(SDQ, NOTES(N2('P', 5, 6), N2('P', 7, 8), N2('P', 9, 10), N2('P', 11, 12), N2('P', 13, 14),
               N2('P', 15, 16), N2('P', 17, 18), N2('P', 19, 20), N2('P', 21, 22)));
static const struct xd_x12__elem SLN_e[] = {E_('M', AN, 1, 20),
                                            E_('O', AN, 1, 8),
                                            E_('M', ID, 1, 1),
                                            E_('X', R, 1, 15),
                                            EK('X', C001),
                                            E_('X', R, 1, 17),
                                            E_('X', ID, 2, 2),
                                            E_('O', ID, 1, 1),
                                            PAIRS5,
                                            PAIRS5};
SEG(SLN, NOTES(N2('P', 4, 5), N2('C', 7, 6), N2('C', 8, 6), N2('P', 9, 10), N2('P', 11, 12),
               N2('P', 13, 14), N2('P', 15, 16), N2('P', 17, 18), N2('P', 19, 20), N2('P', 21, 22),
               N2('P', 23, 24), N2('P', 25, 26), N2('P', 27, 28)));
static const struct xd_x12__elem BAK_e[] = {
    EC('M', 2, 2, c353), EC('M', 2, 2, c587), E_('M', AN, 1, 22), E_('M', DT, 8, 8),
    E_('O', AN, 1, 4),   E_('O', AN, 1, 30),  E_('O', AN, 1, 30), E_('O', AN, 1, 30),
    E_('O', DT, 8, 8),   E_('O', AN, 1, 30),  E_('O', ID, 2, 2),  E_('O', ID, 2, 2)};
SEG(BAK, NULL);
static const struct xd_x12__elem ACK_e[] = {EC('M', 2, 2, c668),
                                            E_('X', R, 1, 15),
                                            QP('X', ID, 2, 2),
                                            QN('X', ID, 3, 3),
                                            E_('X', DT, 8, 8),
                                            E_('O', AN, 1, 80),
                                            PAIRS5,
                                            PAIRS5,
                                            PAIR,
                                            E_('O', ID, 1, 2)};
SEG(ACK, NOTES(N2('C', 3, 2), N2('P', 4, 5), N2('P', 7, 8), N2('P', 9, 10), N2('P', 11, 12),
               N2('P', 13, 14), N2('P', 15, 16), N2('P', 17, 18), N2('P', 19, 20), N2('P', 21, 22),
               N2('P', 23, 24), N2('P', 25, 26), N2('P', 27, 28)));
static const struct xd_x12__elem BCH_e[] = {
    EC('M', 2, 2, c353), E_('M', ID, 2, 2), E_('M', AN, 1, 22), E_('O', AN, 1, 30),
    E_('O', AN, 1, 8),   E_('M', DT, 8, 8), E_('O', AN, 1, 30), E_('O', AN, 1, 30),
    E_('O', DT, 8, 8),   E_('O', DT, 8, 8), E_('O', DT, 8, 8),  E_('O', ID, 2, 2),
    E_('O', ID, 2, 2),   E_('O', ID, 2, 2)};
SEG(BCH, NULL);
static const struct xd_x12__elem POC_e[] = {E_('M', AN, 1, 20),
                                            E_('M', ID, 2, 2),
                                            E_('X', R, 1, 15),
                                            E_('X', R, 1, 15),
                                            EK('X', C001),
                                            E_('X', R, 1, 17),
                                            E_('O', ID, 2, 2),
                                            PAIRS5,
                                            PAIRS5};
SEG(POC, NOTES(N2('C', 6, 5), N2('P', 8, 9), N2('P', 10, 11), N2('P', 12, 13), N2('P', 14, 15),
               N2('P', 16, 17), N2('P', 18, 19), N2('P', 20, 21), N2('P', 22, 23), N2('P', 24, 25),
               N2('P', 26, 27)));

/* ---- 856 ---------------------------------------------------------------------------------- */

static const struct xd_x12__elem BSN_e[] = {
    EC('M', 2, 2, c353), E_('M', AN, 2, 30), E_('M', DT, 8, 8), E_('M', TM, 4, 8),
    E_('O', ID, 4, 4),   E_('X', ID, 2, 2),  E_('O', ID, 2, 2)};
SEG(BSN, NOTES(N2('C', 7, 6)));
static const struct xd_x12__elem HL_e[] = {E_('M', AN, 1, 12), E_('O', AN, 1, 12),
                                           E_('M', ID, 1, 2), E_('O', ID, 1, 1)};
SEG(HL, NULL);
static const struct xd_x12__elem SN1_e[] = {
    E_('O', AN, 1, 20), E_('M', R, 1, 10), QP('M', ID, 2, 2), E_('O', R, 1, 15),
    E_('X', R, 1, 15),  QP('X', ID, 2, 2), E_('O', ID, 2, 2), E_('O', ID, 1, 2)};
SEG(SN1, NOTES(N2('P', 5, 6)));
static const struct xd_x12__elem PRF_e[] = {
    E_('M', AN, 1, 22), E_('O', AN, 1, 30), E_('O', AN, 1, 8), E_('O', DT, 8, 8),
    E_('O', AN, 1, 30), E_('O', ID, 2, 2),  E_('O', ID, 2, 2)};
SEG(PRF, NULL);

/* ---- 810 ---------------------------------------------------------------------------------- */

static const struct xd_x12__elem BIG_e[] = {
    E_('M', DT, 8, 8),  E_('M', AN, 1, 22), E_('O', DT, 8, 8), E_('O', AN, 1, 22),
    E_('O', AN, 1, 30), E_('O', AN, 1, 8),  E_('O', ID, 2, 2), EC('O', 2, 2, c353),
    E_('O', ID, 1, 2),  E_('O', AN, 1, 22)};
SEG(BIG, NULL);
static const struct xd_x12__elem IT1_e[] = {E_('O', AN, 1, 20),
                                            E_('X', R, 1, 10),
                                            QP('X', ID, 2, 2),
                                            E_('X', R, 1, 17),
                                            QP('O', ID, 2, 2),
                                            PAIRS5,
                                            PAIRS5};
SEG(IT1, NOTES(N3('P', 2, 3, 4), N2('P', 6, 7), N2('P', 8, 9), N2('P', 10, 11), N2('P', 12, 13),
               N2('P', 14, 15), N2('P', 16, 17), N2('P', 18, 19), N2('P', 20, 21), N2('P', 22, 23),
               N2('P', 24, 25)));
static const struct xd_x12__elem TDS_e[] = {EN('M', 2, 1, 15), EN('O', 2, 1, 15), EN('O', 2, 1, 15),
                                            EN('O', 2, 1, 15)};
SEG(TDS, NULL);
static const struct xd_x12__elem ISS_e[] = {E_('X', R, 1, 10), E_('X', ID, 2, 2),
                                            E_('X', R, 1, 10), E_('X', ID, 2, 2),
                                            E_('X', R, 1, 8),  E_('X', ID, 2, 2)};
SEG(ISS, NOTES(N2('P', 1, 2), N2('P', 3, 4), N2('P', 5, 6)));

/* ---- 940 / 945 / 944 ---------------------------------------------------------------------- */

static const struct xd_x12__elem W05_e[] = {
    E_('M', ID, 1, 1),  E_('M', AN, 1, 22), E_('O', AN, 1, 30), E_('O', AN, 1, 30),
    E_('O', AN, 1, 30), E_('O', ID, 2, 2),  E_('O', ID, 2, 2)};
SEG(W05, NULL);
static const struct xd_x12__elem W66_e[] = {
    E_('M', ID, 2, 2),  E_('M', ID, 1, 2),  E_('O', ID, 2, 2),  E_('O', AN, 1, 80),
    E_('O', AN, 1, 35), E_('O', AN, 1, 30), E_('O', AN, 1, 30), E_('O', AN, 1, 30),
    E_('O', AN, 1, 30), E_('O', AN, 2, 4)};
SEG(W66, NULL);
static const struct xd_x12__elem LX_e[] = {EN('M', 0, 1, 6)};
SEG(LX, NULL);
static const struct xd_x12__elem W01_e[] = {
    E_('M', R, 1, 15),  QP('M', ID, 2, 2),  E_('X', AN, 12, 12), QN('X', ID, 2, 2),
    E_('X', AN, 1, 48), QN('O', ID, 2, 2),  E_('O', AN, 1, 48),  E_('O', ID, 1, 2),
    E_('O', ID, 1, 1),  E_('O', ID, 2, 2),  E_('O', AN, 1, 30),  E_('X', ID, 2, 2),
    E_('X', AN, 1, 48), E_('O', AN, 1, 30), E_('O', ID, 2, 2),   E_('O', AN, 1, 48),
    E_('O', AN, 1, 30)};
SEG(W01, NOTES(N2('P', 4, 5), N2('P', 6, 7)));
static const struct xd_x12__elem G69_e[] = {E_('M', AN, 1, 45)};
SEG(G69, NULL);
static const struct xd_x12__elem W20_e[] = {
    EN('O', 0, 1, 6),  E_('O', R, 1, 8), E_('O', ID, 2, 2), E_('X', R, 1, 10), QP('X', ID, 1, 1),
    E_('X', ID, 1, 1), E_('O', R, 1, 8), E_('X', ID, 2, 2), E_('O', ID, 2, 2)};
SEG(W20, NOTES(N2('P', 4, 5), N2('C', 6, 4)));
static const struct xd_x12__elem W76_e[] = {E_('M', R, 1, 10), E_('O', R, 1, 10),
                                            QP('X', ID, 2, 2), E_('X', R, 1, 9),
                                            QP('X', ID, 2, 2), E_('O', AN, 1, 30)};
SEG(W76, NOTES(N2('P', 4, 5)));
static const struct xd_x12__elem G62_e[] = {QN('X', ID, 2, 2), E_('X', DT, 8, 8), QN('X', ID, 1, 2),
                                            E_('X', TM, 4, 8), E_('O', ID, 2, 2)};
SEG(G62, NOTES(N2('R', 1, 3), N2('P', 1, 2), N2('P', 3, 4)));
static const struct xd_x12__elem W06_e[] = {
    E_('M', ID, 1, 1),  E_('O', AN, 1, 22), E_('O', DT, 8, 8),  E_('O', AN, 1, 30),
    E_('O', AN, 1, 30), E_('O', AN, 1, 30), E_('O', AN, 1, 22), E_('O', ID, 2, 2)};
SEG(W06, NULL);
static const struct xd_x12__elem W27_e[] = {
    E_('M', ID, 1, 2), E_('O', AN, 2, 4),  E_('O', AN, 1, 35), E_('O', ID, 2, 2), E_('O', ID, 2, 2),
    E_('O', AN, 1, 4), E_('O', AN, 1, 10), E_('O', ID, 2, 2),  E_('O', AN, 1, 30)};
SEG(W27, NULL);
static const struct xd_x12__elem W12_e[] = {
    E_('M', ID, 2, 2),  E_('O', R, 1, 10),   E_('O', R, 1, 10),  E_('O', R, 1, 10),
    QP('O', ID, 2, 2),  E_('O', AN, 12, 12), QN('O', ID, 2, 2),  E_('O', AN, 1, 48),
    E_('O', AN, 1, 30), E_('O', R, 1, 10),   QP('O', ID, 1, 1),  E_('O', ID, 1, 2),
    QN('O', ID, 2, 2),  E_('O', AN, 1, 48),  E_('O', AN, 1, 30), QN('O', ID, 2, 2),
    E_('O', AN, 1, 48), E_('O', R, 1, 10),   E_('O', ID, 2, 2),  E_('O', AN, 1, 30),
    E_('O', ID, 2, 2),  E_('O', ID, 1, 2)};
SEG(W12, NOTES(N2('P', 7, 8), N2('P', 10, 11), N2('P', 13, 14), N2('P', 16, 17)));
static const struct xd_x12__elem W03_e[] = {E_('M', R, 1, 7), E_('O', R, 1, 10), QP('X', ID, 2, 2),
                                            E_('O', R, 1, 8), QP('X', ID, 2, 2), E_('O', R, 1, 7),
                                            QP('X', ID, 2, 2)};
SEG(W03, NOTES(N2('P', 4, 5), N2('P', 6, 7)));
static const struct xd_x12__elem W17_e[] = {
    E_('M', ID, 1, 1),  E_('M', DT, 8, 8), E_('M', AN, 1, 30), E_('O', AN, 1, 30),
    E_('O', AN, 1, 30), E_('O', ID, 2, 2), E_('O', AN, 1, 30)};
SEG(W17, NULL);
static const struct xd_x12__elem W07_e[] = {
    E_('M', R, 1, 10),  QP('M', ID, 2, 2),  E_('X', AN, 12, 12), QN('X', ID, 2, 2),
    E_('X', AN, 1, 48), QN('O', ID, 2, 2),  E_('O', AN, 1, 48),  E_('O', AN, 1, 12),
    E_('O', ID, 2, 2),  E_('O', AN, 1, 30), E_('O', ID, 2, 2),   E_('O', AN, 1, 48)};
SEG(W07, NOTES(N2('P', 4, 5), N2('P', 6, 7)));
static const struct xd_x12__elem W13_e[] = {
    E_('M', R, 1, 10),   QP('M', ID, 2, 2), E_('M', ID, 2, 2),
    E_('X', AN, 12, 12), QN('X', ID, 2, 2), E_('X', AN, 1, 48),
    E_('O', AN, 1, 12),  E_('O', R, 1, 10), E_('O', ID, 2, 2)};
SEG(W13, NOTES(N2('P', 5, 6)));
static const struct xd_x12__elem W14_e[] = {E_('M', R, 1, 10), E_('O', R, 1, 10), E_('O', R, 1, 10),
                                            E_('O', R, 1, 10), E_('O', R, 1, 10)};
SEG(W14, NULL);

/* ---- 846 / 180 ---------------------------------------------------------------------------- */

static const struct xd_x12__elem BIA_e[] = {EC('M', 2, 2, c353), E_('M', ID, 2, 2),
                                            E_('M', AN, 1, 30),  E_('M', DT, 8, 8),
                                            E_('O', TM, 4, 8),   E_('O', ID, 2, 2)};
SEG(BIA, NULL);
static const struct xd_x12__elem BGN_e[] = {
    EC('M', 2, 2, c353), E_('M', AN, 1, 30), E_('M', DT, 8, 8),
    E_('X', TM, 4, 8),   E_('O', ID, 2, 2),  E_('O', AN, 1, 30),
    E_('O', ID, 2, 2),   E_('O', ID, 1, 2),  E_('O', ID, 2, 2)};
SEG(BGN, NOTES(N2('C', 5, 4)));
static const struct xd_x12__elem BLI_e[] = {
    QN('M', ID, 2, 2), E_('M', AN, 1, 48), E_('M', R, 1, 15), QP('M', ID, 2, 2),
    E_('X', ID, 3, 3), E_('X', R, 1, 17),  E_('O', ID, 2, 2), PAIRS5,
    E_('O', ID, 3, 3)};
SEG(BLI, NOTES(N2('P', 5, 6)));
static const struct xd_x12__elem RDR_e[] = {E_('O', ID, 2, 2), E_('O', ID, 2, 2), E_('O', ID, 2, 2),
                                            E_('O', ID, 2, 2), E_('O', AN, 1, 80)};
SEG(RDR, NULL);

/* ---- 824 ---------------------------------------------------------------------------------- */

/* OTI Original Transaction Identification: OTI01 110, OTI02 128 (qualifies OTI03 127), OTI04
 * 142, OTI05 124, OTI06 373, OTI07 337, OTI08 28, OTI09 329, OTI10 143, OTI11 480, OTI12 353,
 * OTI13 640, OTI14 346, OTI15 306, OTI16 305, OTI17 641. */
static const struct xd_x12__elem OTI_e[] = {
    EC('M', 1, 2, c110), QN('M', ID, 2, 3), E5('M', AN, 1, 30, 50), E_('O', AN, 2, 15),
    E_('O', AN, 2, 15),  E_('X', DT, 8, 8), E_('X', TM, 4, 8),      EN('X', 0, 1, 9),
    E_('X', AN, 4, 9),   E_('X', ID, 3, 3), E_('X', AN, 1, 12),     EC('O', 2, 2, c353),
    E_('O', ID, 2, 2),   E_('O', ID, 2, 2), E_('O', ID, 1, 2),      E_('O', ID, 1, 2),
    E_('O', ID, 3, 3)};
SEG(OTI, NOTES(N2('C', 7, 6), N2('C', 8, 9), N2('C', 11, 10)));
/* TED Technical Error Description: TED01 647, TED02 3, TED03 721, TED04 719, TED05 722 and
 * TED06 725 (N0 1/2 and 1/4 until 004010; the composites C030 and C999 in 005010, whose first
 * components are those elements, so one definition reads both), TED07 724, TED08 961. TED01
 * has no code list here: 647 holds numbered codes of every trade (001-012, 024, 101 on for
 * retail, 801 on for payments), letter codes (A-V, MA-MQ, RU) and more with each release; a
 * partial list would refuse real advices. Translation reads the codes it knows, the rest as
 * kind other with a note. */
static const struct xd_x12__elem TED_e[] = {
    E_('M', ID, 1, 3), E_('O', AN, 1, 60), E_('O', ID, 2, 3),  E5('O', N, 1, 6, 10),
    EK('O', C030),     EK('O', C999),      E_('O', AN, 1, 99), E_('O', AN, 1, 99)};
SEG(TED, NULL);
/* NM1 Individual or Organizational Name (OTI loop): NM101 98, NM102 1065, NM103-NM107 the
 * name's parts (1035-1039; NM103 and NM104 longer in 005010), NM108 66 qualifies NM109 67,
 * NM110 706, NM111 98, NM112 1035 (005010). */
static const struct xd_x12__elem NM1_e[] = {
    E_('M', ID, 2, 3),  E_('M', ID, 1, 1),  E5('O', AN, 1, 35, 60), E5('O', AN, 1, 25, 35),
    E_('O', AN, 1, 25), E_('O', AN, 1, 10), E_('O', AN, 1, 10),     QN('X', ID, 1, 2),
    E_('X', AN, 2, 80), E_('X', ID, 2, 2),  E_('O', ID, 2, 3),      E_('O', AN, 1, 60)};
SEG(NM1, NOTES(N2('P', 8, 9), N2('C', 11, 10), N2('C', 12, 3)));
/* RED Related Data (TED and LQ loops): RED01 352 the related business data, whose nature
 * RED02 1609 (X12's code) or RED06 1271 (an industry code, from the list RED05 1270 of the
 * agency RED03 559, table RED04 822) names. */
static const struct xd_x12__elem RED_e[] = {E_('M', AN, 1, 80), E_('X', ID, 2, 3),
                                            E_('X', ID, 2, 2),  E_('O', AN, 1, 15),
                                            QN('X', ID, 1, 3),  E_('X', AN, 1, 30)};
SEG(RED, NOTES(N2('R', 2, 6), N2('E', 2, 6), N3('P', 3, 5, 6), N2('C', 4, 3)));
/* LM Code Source Information: LM01 559 the agency of the LQ codes that follow, LM02 822. */
static const struct xd_x12__elem LM_e[] = {E_('M', ID, 2, 2), E_('O', AN, 1, 15)};
SEG(LM, NULL);
/* LQ Industry Code Identification: LQ01 1270 the code list, LQ02 1271 the code. */
static const struct xd_x12__elem LQ_e[] = {QN('O', ID, 1, 3), E_('X', AN, 1, 30)};
SEG(LQ, NOTES(N2('C', 1, 2)));

/* ---- 997 / 999 ---------------------------------------------------------------------------- */

static const struct xd_x12__elem AK1_e[] = {E_('M', ID, 2, 2), EN('M', 0, 1, 9),
                                            E_('O', AN, 1, 12)};
SEG(AK1, NULL);
static const struct xd_x12__elem AK2_e[] = {E_('M', ID, 3, 3), E_('M', AN, 4, 9),
                                            E_('O', AN, 1, 35)};
SEG(AK2, NULL);
static const struct xd_x12__elem AK3_e[] = {E_('M', ID, 2, 3), E5('M', N, 1, 6, 10),
                                            E_('O', AN, 1, 4), EC('O', 1, 3, c720)};
SEG(AK3, NULL);
static const struct xd_x12__elem AK4_e[] = {EK('M', C030), EN('O', 0, 1, 4), EC('M', 1, 3, c723),
                                            E_('O', AN, 1, 99)};
SEG(AK4, NULL);
static const struct xd_x12__elem AK5_e[] = {EC('M', 1, 1, c717), EC('O', 1, 3, c718),
                                            EC('O', 1, 3, c718), EC('O', 1, 3, c718),
                                            EC('O', 1, 3, c718), EC('O', 1, 3, c718)};
SEG(AK5, NULL);
static const struct xd_x12__elem AK9_e[] = {
    EC('M', 1, 1, c715), EN('M', 0, 1, 6),    EN('M', 0, 1, 6),
    EN('M', 0, 1, 6),    EC('O', 1, 3, c716), EC('O', 1, 3, c716),
    EC('O', 1, 3, c716), EC('O', 1, 3, c716), EC('O', 1, 3, c716)};
SEG(AK9, NULL);
static const struct xd_x12__elem IK3_e[] = {E_('M', ID, 2, 3), EN('M', 0, 1, 10), E_('O', AN, 1, 4),
                                            EC('M', 1, 3, c720)};
SEG(IK3, NULL);
static const struct xd_x12__elem IK4_e[] = {EK('M', C030), EN('O', 0, 1, 4), EC('M', 1, 3, c723),
                                            E_('O', AN, 1, 99)};
SEG(IK4, NULL);
static const struct xd_x12__elem IK5_e[] = {EC('M', 1, 1, c717), EC('O', 1, 3, c718),
                                            EC('O', 1, 3, c718), EC('O', 1, 3, c718),
                                            EC('O', 1, 3, c718), EC('O', 1, 3, c718)};
SEG(IK5, NULL);
static const struct xd_x12__elem CTX_e[] = {EKR('M', C998, 10), E_('O', ID, 2, 3),
                                            EN('X', 0, 1, 10),  E_('O', AN, 1, 4),
                                            EK('O', C030),      EK('O', C999)};
SEG(CTX, NOTES(N2('P', 2, 3)));

/* ---- Lookup --------------------------------------------------------------------------------- */

#define XD_X12__SEG_ADDR(name) &xd_x12__seg_##name,
const struct xd_x12__segdef *const xd_x12__segdefs[] = {XD_X12__SEGMENTS(XD_X12__SEG_ADDR)};
#undef XD_X12__SEG_ADDR
const size_t xd_x12__segdef_count = XD_ARRAY_LEN(xd_x12__segdefs);

static int cmp_id(const char *id, size_t len, const char *def)
{
    size_t dl = strlen(def);
    int c = memcmp(id, def, len < dl ? len : dl);
    if (c != 0) {
        return c;
    }
    return len < dl ? -1 : (len > dl ? 1 : 0);
}

const struct xd_x12__segdef *xd_x12__segdef_find(const char *id, size_t len)
{
    size_t lo = 0, hi = xd_x12__segdef_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_id(id, len, xd_x12__segdefs[mid]->id);
        if (c == 0) {
            return xd_x12__segdefs[mid];
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}
