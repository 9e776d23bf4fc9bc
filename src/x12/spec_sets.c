/* SPDX-License-Identifier: MIT
 * Transaction set tables: for each set, its segments and loops in order with requirement and
 * maximum use (0 = unbounded, X12's ">1"), the group it travels in, the versions it checks,
 * and which segments the CTT totals count. Written from the public X12 004010 tables; the
 * same layout serves 005010 for these sets (005010 elements are optional trailing positions
 * in the dictionary). The rarely used segments and loops of each set (SPI, ADV, CN1, LM/LQ outside
 * the 824 ...) are left out: a set that uses one gets "segment not in defined transaction set". */
#include <string.h>

#include "x12/spec_segments.h"

#define S(seg, req, max)                                                                           \
    {                                                                                              \
        &xd_x12__seg_##seg, (req), (max), NULL, NULL, 0                                            \
    }
#define L(id, seg, req, max, body)                                                                 \
    {                                                                                              \
        &xd_x12__seg_##seg, (req), (max), (id), (body), XD_ARRAY_LEN(body)                         \
    }
#define BODY(name) name, XD_ARRAY_LEN(name)

static const char *const v4010_5010[] = {"004010", "005010", NULL};
static const char *const v5010[] = {"005010", NULL};

/* ---- Loops shared by several sets ----------------------------------------------------- */

static const struct xd_x12__node sac_loop[] = {S(SAC, 'O', 1), S(CUR, 'O', 1)};
static const struct xd_x12__node n9_loop[] = {S(N9, 'O', 1), S(DTM, 'O', 0), S(MSG, 'O', 1000)};
static const struct xd_x12__node amt_loop[] = {S(AMT, 'O', 1), S(REF, 'O', 0), S(DTM, 'O', 1)};
static const struct xd_x12__node ctt_loop[] = {S(CTT, 'O', 1), S(AMT, 'O', 1)};
static const struct xd_x12__node ctp_loop[] = {S(CTP, 'O', 1), S(CUR, 'O', 1)};
static const struct xd_x12__node pid_loop[] = {S(PID, 'O', 1), S(MEA, 'O', 10)};
static const struct xd_x12__node qty_loop[] = {S(QTY, 'O', 1), S(SI, 'O', 0)};
static const struct xd_x12__node sch_loop[] = {S(SCH, 'O', 1),  S(TD1, 'O', 2), S(TD5, 'O', 12),
                                               S(TD3, 'O', 12), S(TD4, 'O', 5), S(REF, 'O', 0)};
static const struct xd_x12__node po_n1_loop[] = {
    S(N1, 'O', 1),   S(N2, 'O', 2),  S(N3, 'O', 2),   S(N4, 'O', 0),  S(REF, 'O', 12),
    S(PER, 'O', 0),  S(SI, 'O', 0),  S(FOB, 'O', 1),  S(TD1, 'O', 2), S(TD5, 'O', 12),
    S(TD3, 'O', 12), S(TD4, 'O', 5), S(PKG, 'O', 200)};
static const struct xd_x12__node po_line_n1_loop[] = {
    S(N1, 'O', 1),   S(N2, 'O', 2),   S(N3, 'O', 2),    S(N4, 'O', 1),
    S(QTY, 'O', 0),  S(REF, 'O', 12), S(PER, 'O', 3),   S(SI, 'O', 0),
    S(DTM, 'O', 1),  S(FOB, 'O', 1),  S(SCH, 'O', 200), S(TD1, 'O', 2),
    S(TD5, 'O', 12), S(TD3, 'O', 12), S(TD4, 'O', 5),   S(PKG, 'O', 200)};
static const struct xd_x12__node sln_loop[] = {S(SLN, 'O', 1),
                                               S(MSG, 'O', 0),
                                               S(SI, 'O', 0),
                                               L("PID", PID, 'O', 1000, pid_loop),
                                               S(PO3, 'O', 104),
                                               S(TC2, 'O', 0),
                                               L("CTP", CTP, 'O', 25, ctp_loop),
                                               S(PO4, 'O', 1),
                                               S(TAX, 'O', 3),
                                               S(DTM, 'O', 10),
                                               L("N9", N9, 'O', 1000, n9_loop),
                                               L("SAC", SAC, 'O', 25, sac_loop),
                                               L("QTY", QTY, 'O', 0, qty_loop)};
static const struct xd_x12__node line_n9_loop[] = {S(N9, 'O', 1), S(DTM, 'O', 0), S(MEA, 'O', 40),
                                                   S(MSG, 'O', 1000)};
static const struct xd_x12__node ack_loop[] = {S(ACK, 'O', 1), S(DTM, 'O', 0)};

/* ---- 850 Purchase Order ------------------------------------------------------------------- */

static const struct xd_x12__node po1_850[] = {S(PO1, 'M', 1),
                                              S(LIN, 'O', 0),
                                              S(SI, 'O', 0),
                                              S(CUR, 'O', 1),
                                              S(PO3, 'O', 25),
                                              L("CTP", CTP, 'O', 0, ctp_loop),
                                              S(MEA, 'O', 40),
                                              L("PID", PID, 'O', 1000, pid_loop),
                                              S(PWK, 'O', 25),
                                              S(PO4, 'O', 0),
                                              S(REF, 'O', 0),
                                              S(PER, 'O', 3),
                                              L("SAC", SAC, 'O', 25, sac_loop),
                                              S(IT8, 'O', 1),
                                              S(CSH, 'O', 0),
                                              S(ITD, 'O', 2),
                                              S(TAX, 'O', 0),
                                              S(FOB, 'O', 0),
                                              S(SDQ, 'O', 500),
                                              S(DTM, 'O', 10),
                                              S(TC2, 'O', 0),
                                              S(TD1, 'O', 1),
                                              S(TD5, 'O', 12),
                                              S(TD3, 'O', 12),
                                              S(TD4, 'O', 5),
                                              S(MAN, 'O', 10),
                                              S(MSG, 'O', 0),
                                              S(TXI, 'O', 0),
                                              L("QTY", QTY, 'O', 0, qty_loop),
                                              L("SCH", SCH, 'O', 200, sch_loop),
                                              S(PKG, 'O', 200),
                                              L("N9", N9, 'O', 1000, line_n9_loop),
                                              L("N1", N1, 'O', 200, po_line_n1_loop),
                                              L("SLN", SLN, 'O', 1000, sln_loop),
                                              L("AMT", AMT, 'O', 0, amt_loop)};
static const struct xd_x12__node body_850[] = {S(BEG, 'M', 1),
                                               S(CUR, 'O', 1),
                                               S(REF, 'O', 0),
                                               S(PER, 'O', 3),
                                               S(TAX, 'O', 0),
                                               S(FOB, 'O', 0),
                                               S(CTP, 'O', 0),
                                               S(CSH, 'O', 5),
                                               S(TC2, 'O', 0),
                                               L("SAC", SAC, 'O', 25, sac_loop),
                                               S(ITD, 'O', 0),
                                               S(DTM, 'O', 10),
                                               S(LIN, 'O', 5),
                                               S(SI, 'O', 0),
                                               S(PID, 'O', 200),
                                               S(MEA, 'O', 40),
                                               S(PWK, 'O', 25),
                                               S(PKG, 'O', 200),
                                               S(TD1, 'O', 2),
                                               S(TD5, 'O', 0),
                                               S(TD3, 'O', 12),
                                               S(TD4, 'O', 5),
                                               S(MAN, 'O', 10),
                                               S(TXI, 'O', 0),
                                               L("AMT", AMT, 'O', 0, amt_loop),
                                               L("N9", N9, 'O', 1000, n9_loop),
                                               L("N1", N1, 'O', 200, po_n1_loop),
                                               L("PO1", PO1, 'M', 100000, po1_850),
                                               L("CTT", CTT, 'O', 1, ctt_loop)};

/* ---- 855 Purchase Order Acknowledgment ---------------------------------------------------- */

static const struct xd_x12__node po1_855[] = {S(PO1, 'M', 1),
                                              S(LIN, 'O', 0),
                                              S(SI, 'O', 0),
                                              S(CUR, 'O', 1),
                                              S(PO3, 'O', 25),
                                              L("CTP", CTP, 'O', 0, ctp_loop),
                                              S(MEA, 'O', 40),
                                              L("PID", PID, 'O', 1000, pid_loop),
                                              S(PWK, 'O', 25),
                                              S(PO4, 'O', 0),
                                              S(REF, 'O', 0),
                                              S(PER, 'O', 3),
                                              L("SAC", SAC, 'O', 25, sac_loop),
                                              S(IT8, 'O', 1),
                                              S(CSH, 'O', 0),
                                              S(ITD, 'O', 2),
                                              S(TAX, 'O', 0),
                                              S(FOB, 'O', 0),
                                              S(DTM, 'O', 10),
                                              S(TC2, 'O', 0),
                                              S(TD1, 'O', 1),
                                              S(TD5, 'O', 12),
                                              S(TD3, 'O', 12),
                                              S(TD4, 'O', 5),
                                              S(MAN, 'O', 10),
                                              S(MSG, 'O', 0),
                                              S(TXI, 'O', 0),
                                              L("ACK", ACK, 'O', 104, ack_loop),
                                              L("QTY", QTY, 'O', 0, qty_loop),
                                              L("SCH", SCH, 'O', 104, sch_loop),
                                              S(PKG, 'O', 200),
                                              L("N9", N9, 'O', 1000, line_n9_loop),
                                              L("N1", N1, 'O', 200, po_line_n1_loop),
                                              L("SLN", SLN, 'O', 1000, sln_loop),
                                              L("AMT", AMT, 'O', 0, amt_loop)};
static const struct xd_x12__node body_855[] = {S(BAK, 'M', 1),
                                               S(CUR, 'O', 1),
                                               S(REF, 'O', 0),
                                               S(PER, 'O', 3),
                                               S(TAX, 'O', 0),
                                               S(FOB, 'O', 0),
                                               S(CTP, 'O', 0),
                                               S(CSH, 'O', 5),
                                               S(TC2, 'O', 0),
                                               L("SAC", SAC, 'O', 25, sac_loop),
                                               S(ITD, 'O', 0),
                                               S(DTM, 'O', 10),
                                               S(LIN, 'O', 5),
                                               S(SI, 'O', 0),
                                               S(PID, 'O', 200),
                                               S(MEA, 'O', 40),
                                               S(PWK, 'O', 25),
                                               S(PKG, 'O', 200),
                                               S(TD1, 'O', 2),
                                               S(TD5, 'O', 0),
                                               S(TD3, 'O', 12),
                                               S(TD4, 'O', 5),
                                               S(MAN, 'O', 10),
                                               S(TXI, 'O', 0),
                                               L("AMT", AMT, 'O', 0, amt_loop),
                                               L("N9", N9, 'O', 1000, n9_loop),
                                               L("N1", N1, 'O', 200, po_n1_loop),
                                               L("PO1", PO1, 'O', 100000, po1_855),
                                               L("CTT", CTT, 'O', 1, ctt_loop)};

/* ---- 860 Purchase Order Change Request - Buyer Initiated --------------------------------- */

static const struct xd_x12__node poc_860[] = {S(POC, 'M', 1),
                                              S(LIN, 'O', 0),
                                              S(SI, 'O', 0),
                                              S(CUR, 'O', 1),
                                              S(PO3, 'O', 25),
                                              L("CTP", CTP, 'O', 0, ctp_loop),
                                              S(MEA, 'O', 40),
                                              L("PID", PID, 'O', 1000, pid_loop),
                                              S(PWK, 'O', 25),
                                              S(PO4, 'O', 0),
                                              S(REF, 'O', 0),
                                              S(PER, 'O', 3),
                                              L("SAC", SAC, 'O', 25, sac_loop),
                                              S(IT8, 'O', 1),
                                              S(CSH, 'O', 0),
                                              S(ITD, 'O', 2),
                                              S(TAX, 'O', 0),
                                              S(FOB, 'O', 0),
                                              S(DTM, 'O', 10),
                                              S(TC2, 'O', 0),
                                              S(TD1, 'O', 1),
                                              S(TD5, 'O', 12),
                                              S(TD3, 'O', 12),
                                              S(TD4, 'O', 5),
                                              S(MAN, 'O', 10),
                                              S(MSG, 'O', 0),
                                              S(TXI, 'O', 0),
                                              L("QTY", QTY, 'O', 0, qty_loop),
                                              L("SCH", SCH, 'O', 104, sch_loop),
                                              S(PKG, 'O', 200),
                                              L("N9", N9, 'O', 1000, line_n9_loop),
                                              L("N1", N1, 'O', 200, po_line_n1_loop),
                                              L("SLN", SLN, 'O', 1000, sln_loop),
                                              L("AMT", AMT, 'O', 0, amt_loop)};
static const struct xd_x12__node body_860[] = {S(BCH, 'M', 1),
                                               S(CUR, 'O', 1),
                                               S(REF, 'O', 0),
                                               S(PER, 'O', 3),
                                               S(TAX, 'O', 0),
                                               S(FOB, 'O', 0),
                                               S(CTP, 'O', 0),
                                               S(CSH, 'O', 5),
                                               S(TC2, 'O', 0),
                                               L("SAC", SAC, 'O', 25, sac_loop),
                                               S(ITD, 'O', 0),
                                               S(DTM, 'O', 10),
                                               S(LIN, 'O', 5),
                                               S(SI, 'O', 0),
                                               S(PID, 'O', 200),
                                               S(MEA, 'O', 40),
                                               S(PWK, 'O', 25),
                                               S(PKG, 'O', 200),
                                               S(TD1, 'O', 2),
                                               S(TD5, 'O', 0),
                                               S(TD3, 'O', 12),
                                               S(TD4, 'O', 5),
                                               S(MAN, 'O', 10),
                                               S(TXI, 'O', 0),
                                               L("AMT", AMT, 'O', 0, amt_loop),
                                               L("N9", N9, 'O', 1000, n9_loop),
                                               L("N1", N1, 'O', 200, po_n1_loop),
                                               L("POC", POC, 'O', 100000, poc_860),
                                               L("CTT", CTT, 'O', 1, ctt_loop)};

/* ---- 856 Ship Notice/Manifest -------------------------------------------------------------- */

static const struct xd_x12__node asn_n1_loop[] = {S(N1, 'O', 1), S(N2, 'O', 2),   S(N3, 'O', 2),
                                                  S(N4, 'O', 1), S(REF, 'O', 12), S(PER, 'O', 3),
                                                  S(FOB, 'O', 1)};
static const struct xd_x12__node hl_856[] = {S(HL, 'M', 1),
                                             S(LIN, 'O', 1),
                                             S(SN1, 'O', 1),
                                             S(SLN, 'O', 1000),
                                             S(PRF, 'O', 1),
                                             S(PO3, 'O', 1000),
                                             S(PO4, 'O', 1),
                                             S(PID, 'O', 200),
                                             S(MEA, 'O', 40),
                                             S(PWK, 'O', 25),
                                             S(PKG, 'O', 25),
                                             S(TD1, 'O', 20),
                                             S(TD5, 'O', 12),
                                             S(TD3, 'O', 12),
                                             S(TD4, 'O', 5),
                                             S(REF, 'O', 0),
                                             S(PER, 'O', 3),
                                             S(MAN, 'O', 0),
                                             S(DTM, 'O', 10),
                                             S(FOB, 'O', 1),
                                             L("N1", N1, 'O', 200, asn_n1_loop),
                                             S(CUR, 'O', 1),
                                             L("SAC", SAC, 'O', 0, sac_loop)};
static const struct xd_x12__node body_856[] = {S(BSN, 'M', 1), S(DTM, 'O', 10),
                                               L("HL", HL, 'M', 200000, hl_856), S(CTT, 'O', 1)};

/* ---- 810 Invoice ------------------------------------------------------------------------- */

static const struct xd_x12__node inv_n1_loop[] = {S(N1, 'O', 1), S(N2, 'O', 2),   S(N3, 'O', 2),
                                                  S(N4, 'O', 1), S(REF, 'O', 12), S(PER, 'O', 3)};
static const struct xd_x12__node inv_sac_loop[] = {S(SAC, 'O', 1), S(TXI, 'O', 10)};
static const struct xd_x12__node inv_sln_loop[] = {
    S(SLN, 'O', 1),  S(DTM, 'O', 1), S(REF, 'O', 0), S(PID, 'O', 1000),
    S(SAC, 'O', 25), S(TC2, 'O', 2), S(TXI, 'O', 10)};
static const struct xd_x12__node inv_iss_loop[] = {S(ISS, 'O', 1), S(PID, 'O', 1)};
static const struct xd_x12__node inv_n9_loop[] = {S(N9, 'O', 1), S(MSG, 'O', 10)};
static const struct xd_x12__node it1_810[] = {S(IT1, 'O', 1),
                                              S(QTY, 'O', 5),
                                              S(CUR, 'O', 1),
                                              S(TXI, 'O', 10),
                                              S(CTP, 'O', 25),
                                              S(MEA, 'O', 40),
                                              L("PID", PID, 'O', 1000, pid_loop),
                                              S(PWK, 'O', 25),
                                              S(PKG, 'O', 25),
                                              S(PO4, 'O', 1),
                                              S(ITD, 'O', 2),
                                              S(REF, 'O', 0),
                                              S(PER, 'O', 5),
                                              S(DTM, 'O', 10),
                                              S(CAD, 'O', 0),
                                              L("SAC", SAC, 'O', 25, inv_sac_loop),
                                              L("SLN", SLN, 'O', 1000, inv_sln_loop),
                                              L("N1", N1, 'O', 200, inv_n1_loop)};
static const struct xd_x12__node body_810[] = {S(BIG, 'M', 1),
                                               S(NTE, 'O', 100),
                                               S(CUR, 'O', 1),
                                               S(REF, 'O', 12),
                                               S(PER, 'O', 3),
                                               L("N1", N1, 'O', 200, inv_n1_loop),
                                               S(ITD, 'O', 0),
                                               S(DTM, 'O', 10),
                                               S(FOB, 'O', 1),
                                               S(PID, 'O', 200),
                                               S(MEA, 'O', 40),
                                               S(PWK, 'O', 25),
                                               S(PKG, 'O', 25),
                                               L("N9", N9, 'O', 0, inv_n9_loop),
                                               L("IT1", IT1, 'O', 200000, it1_810),
                                               S(TDS, 'M', 1),
                                               S(TXI, 'O', 10),
                                               S(CAD, 'O', 1),
                                               S(AMT, 'O', 0),
                                               L("SAC", SAC, 'O', 25, inv_sac_loop),
                                               L("ISS", ISS, 'O', 0, inv_iss_loop),
                                               S(CTT, 'O', 1)};

/* ---- 940 Warehouse Shipping Order ---------------------------------------------------------- */

static const struct xd_x12__node wh_n1_loop[] = {S(N1, 'O', 1), S(N2, 'O', 2),   S(N3, 'O', 2),
                                                 S(N4, 'O', 1), S(REF, 'O', 12), S(PER, 'O', 3),
                                                 S(FOB, 'O', 1)};
static const struct xd_x12__node w01_940[] = {S(W01, 'M', 1), S(G69, 'O', 5), S(N9, 'O', 200),
                                              S(W20, 'O', 1), S(QTY, 'O', 0), S(AMT, 'O', 10),
                                              S(MEA, 'O', 0), S(DTM, 'O', 10)};
static const struct xd_x12__node lx_940[] = {S(LX, 'M', 1), L("W01", W01, 'M', 9999, w01_940)};
static const struct xd_x12__node body_940[] = {S(W05, 'M', 1),
                                               L("N1", N1, 'O', 10, wh_n1_loop),
                                               S(N9, 'O', 10),
                                               S(G62, 'O', 10),
                                               S(NTE, 'O', 10),
                                               S(W66, 'M', 1),
                                               L("LX", LX, 'M', 9999, lx_940),
                                               S(W76, 'O', 1)};

/* ---- 945 Warehouse Shipping Advice ---------------------------------------------------------- */

static const struct xd_x12__node w12_945[] = {S(W12, 'M', 1), S(G69, 'O', 5), S(N9, 'O', 20),
                                              S(W20, 'O', 1), S(QTY, 'O', 0), S(AMT, 'O', 10),
                                              S(MEA, 'O', 0)};
static const struct xd_x12__node lx_945[] = {S(LX, 'M', 1), S(MAN, 'O', 0), S(N9, 'O', 0),
                                             L("W12", W12, 'M', 9999, w12_945)};
static const struct xd_x12__node body_945[] = {S(W06, 'M', 1),
                                               L("N1", N1, 'O', 10, wh_n1_loop),
                                               S(N9, 'O', 10),
                                               S(G62, 'O', 10),
                                               S(W27, 'M', 1),
                                               S(NTE, 'O', 10),
                                               L("LX", LX, 'M', 9999, lx_945),
                                               S(W03, 'M', 1)};

/* ---- 944 Warehouse Stock Transfer Receipt Advice ------------------------------------------- */

static const struct xd_x12__node w13_944[] = {S(W13, 'O', 1), S(N9, 'O', 0)};
static const struct xd_x12__node w07_944[] = {S(W07, 'M', 1), S(G69, 'O', 5), S(N9, 'O', 200),
                                              S(W20, 'O', 1), L("W13", W13, 'O', 10, w13_944)};
static const struct xd_x12__node lx_944[] = {S(LX, 'O', 1), L("W07", W07, 'M', 9999, w07_944)};
static const struct xd_x12__node body_944[] = {S(W17, 'M', 1),
                                               L("N1", N1, 'M', 10, wh_n1_loop),
                                               S(N9, 'O', 10),
                                               S(G62, 'O', 5),
                                               S(NTE, 'O', 20),
                                               L("W07", W07, 'O', 9999, w07_944),
                                               L("LX", LX, 'O', 9999, lx_944),
                                               S(W14, 'M', 1)};

/* ---- 846 Inventory Inquiry/Advice ------------------------------------------------------------ */

static const struct xd_x12__node qty_846[] = {S(QTY, 'O', 1), S(UIT, 'O', 1), S(SCH, 'O', 25),
                                              S(DTM, 'O', 0), S(REF, 'O', 0)};
static const struct xd_x12__node lin_846[] = {S(LIN, 'M', 1),
                                              S(SI, 'O', 0),
                                              S(PID, 'O', 200),
                                              S(MEA, 'O', 40),
                                              S(PWK, 'O', 25),
                                              S(PKG, 'O', 25),
                                              S(PO4, 'O', 0),
                                              S(DTM, 'O', 10),
                                              S(CTP, 'O', 25),
                                              S(CUR, 'O', 1),
                                              S(REF, 'O', 0),
                                              S(PER, 'O', 0),
                                              S(SAC, 'O', 25),
                                              S(FOB, 'O', 0),
                                              S(TD5, 'O', 0),
                                              L("QTY", QTY, 'O', 0, qty_846),
                                              L("N1", N1, 'O', 0, inv_n1_loop)};
static const struct xd_x12__node body_846[] = {S(BIA, 'M', 1),
                                               S(CUR, 'O', 1),
                                               S(REF, 'O', 12),
                                               S(PER, 'O', 3),
                                               S(MEA, 'O', 10),
                                               S(DTM, 'O', 10),
                                               L("N1", N1, 'O', 200, inv_n1_loop),
                                               L("LIN", LIN, 'O', 10000, lin_846),
                                               S(CTT, 'O', 1)};

/* ---- 180 Return Merchandise Authorization and Notification --------------------------------- */

static const struct xd_x12__node bli_180[] = {S(BLI, 'M', 1),
                                              S(N9, 'O', 0),
                                              S(PID, 'O', 0),
                                              S(RDR, 'O', 1),
                                              S(SAC, 'O', 0),
                                              S(AMT, 'O', 0),
                                              S(NTE, 'O', 0),
                                              S(PRF, 'O', 1),
                                              S(DTM, 'O', 10),
                                              S(QTY, 'O', 0),
                                              L("N1", N1, 'O', 0, inv_n1_loop)};
static const struct xd_x12__node body_180[] = {S(BGN, 'M', 1),
                                               S(RDR, 'O', 1),
                                               S(PRF, 'O', 1),
                                               S(DTM, 'O', 10),
                                               S(N9, 'O', 10),
                                               S(PER, 'O', 2),
                                               S(NTE, 'O', 0),
                                               L("N1", N1, 'O', 0, inv_n1_loop),
                                               L("BLI", BLI, 'O', 0, bli_180)};

/* ---- 824 Application Advice -------------------------------------------------------------- */

/* The OTI loop as X12 defines it in 004010 and 005010: NM1 the people and organizations the
 * advice is about; per TED its notes and related data (RED), CTX (005010) its context; then
 * LM loops of industry codes (LQ, each with its related data). */
static const struct xd_x12__node ted_824[] = {S(TED, 'M', 1), S(CTX, 'O', 10), S(NTE, 'O', 100),
                                              S(RED, 'O', 100)};
static const struct xd_x12__node lq_824[] = {S(LQ, 'M', 1), S(RED, 'O', 100)};
static const struct xd_x12__node lm_824[] = {S(LM, 'M', 1), L("LQ", LQ, 'M', 100, lq_824)};
static const struct xd_x12__node oti_824[] = {S(OTI, 'M', 1),
                                              S(REF, 'O', 12),
                                              S(DTM, 'O', 2),
                                              S(PER, 'O', 3),
                                              S(AMT, 'O', 0),
                                              S(QTY, 'O', 0),
                                              S(NM1, 'O', 9),
                                              L("TED", TED, 'O', 0, ted_824),
                                              L("LM", LM, 'O', 0, lm_824)};
static const struct xd_x12__node body_824[] = {S(BGN, 'M', 1), L("N1", N1, 'O', 0, inv_n1_loop),
                                               L("OTI", OTI, 'M', 0, oti_824)};

/* ---- 997 Functional Acknowledgment, 999 Implementation Acknowledgment ----------------------- */

static const struct xd_x12__node ak3_997[] = {S(AK3, 'O', 1), S(AK4, 'O', 99)};
static const struct xd_x12__node ak2_997[] = {S(AK2, 'O', 1), L("AK3", AK3, 'O', 999999, ak3_997),
                                              S(AK5, 'M', 1)};
static const struct xd_x12__node body_997[] = {S(AK1, 'M', 1), L("AK2", AK2, 'O', 999999, ak2_997),
                                               S(AK9, 'M', 1)};
static const struct xd_x12__node ik4_999[] = {S(IK4, 'O', 1), S(CTX, 'O', 10)};
static const struct xd_x12__node ik3_999[] = {S(IK3, 'O', 1), S(CTX, 'O', 10),
                                              L("IK4", IK4, 'O', 99, ik4_999)};
static const struct xd_x12__node ak2_999[] = {S(AK2, 'O', 1), L("IK3", IK3, 'O', 0, ik3_999),
                                              S(IK5, 'M', 1)};
static const struct xd_x12__node body_999[] = {S(AK1, 'M', 1), L("AK2", AK2, 'O', 0, ak2_999),
                                               S(AK9, 'M', 1)};

/* ---- The sets ----------------------------------------------------------------------------- */

static const struct xd_x12__setdef sets[] = {
    {"180", "AN", v4010_5010, BODY(body_180), {NULL, NULL}, NULL, 0, false, false},
    {"810", "IN", v4010_5010, BODY(body_810), {"IT1", NULL}, "IT1", 2, true, false},
    {"824", "AG", v4010_5010, BODY(body_824), {NULL, NULL}, NULL, 0, false, false},
    {"846", "IB", v4010_5010, BODY(body_846), {"LIN", NULL}, NULL, 0, false, false},
    {"850", "PO", v4010_5010, BODY(body_850), {"PO1", NULL}, "PO1", 2, false, false},
    {"855", "PR", v4010_5010, BODY(body_855), {"PO1", NULL}, "PO1", 2, false, false},
    /* CTT01 of an 856 counts HL segments (X12's note); many senders count LIN items instead. */
    {"856", "SH", v4010_5010, BODY(body_856), {"HL", "LIN"}, "SN1", 2, false, true},
    {"860", "PC", v4010_5010, BODY(body_860), {"POC", NULL}, "POC", 3, false, false},
    {"940", "OW", v4010_5010, BODY(body_940), {NULL, NULL}, NULL, 0, false, false},
    {"944", "RE", v4010_5010, BODY(body_944), {NULL, NULL}, NULL, 0, false, false},
    {"945", "SW", v4010_5010, BODY(body_945), {NULL, NULL}, NULL, 0, false, false},
    {"997", "FA", v4010_5010, BODY(body_997), {NULL, NULL}, NULL, 0, false, false},
    {"999", "FA", v5010, BODY(body_999), {NULL, NULL}, NULL, 0, false, false},
};

static bool id_is(const char *id, size_t len, const char *s)
{
    return strlen(s) == len && memcmp(id, s, len) == 0;
}

const struct xd_x12__setdef *xd_x12__setdef_find(const char *set_id, size_t len,
                                                 const char *version, size_t vlen)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(sets); i++) {
        if (!id_is(set_id, len, sets[i].id)) {
            continue;
        }
        for (size_t v = 0; sets[i].versions[v] != NULL; v++) {
            if (vlen >= 6 && memcmp(version, sets[i].versions[v], 6) == 0) {
                return &sets[i];
            }
        }
        return NULL;
    }
    return NULL;
}

bool xd_x12__set_known(const char *set_id, size_t len)
{
    for (size_t i = 0; i < XD_ARRAY_LEN(sets); i++) {
        if (id_is(set_id, len, sets[i].id)) {
            return true;
        }
    }
    return false;
}
