/* SPDX-License-Identifier: MIT
 * The segments of the X12 dictionary that the set tables use, as one X-macro list kept in
 * alphabetical order (xd_x12__segdef_find searches it by bisection; a unit test checks the
 * order). Adding a segment: define it in spec_segments.c and add its name here. */
#ifndef XD_X12_SPEC_SEGMENTS_H
#define XD_X12_SPEC_SEGMENTS_H

#include "x12/x12_int.h"

/* clang-format off */
#define XD_X12__SEGMENTS(X) \
    X(ACK) X(AK1) X(AK2) X(AK3) X(AK4) X(AK5) X(AK9) X(AMT) X(BAK) X(BCH) X(BEG) X(BGN) \
    X(BIA) X(BIG) X(BLI) X(BSN) X(CAD) X(CSH) X(CTP) X(CTT) X(CTX) X(CUR) X(DTM) X(FOB) \
    X(G62) X(G69) X(GE) X(GS) X(HL) X(IEA) X(IK3) X(IK4) X(IK5) X(ISA) X(ISS) X(IT1) \
    X(IT8) X(ITD) X(LIN) X(LM) X(LQ) X(LX) X(MAN) X(MEA) X(MSG) X(N1) X(N2) X(N3) X(N4) \
    X(N9) X(NM1) X(NTE) X(OTI) X(PER) X(PID) X(PKG) X(PO1) X(PO3) X(PO4) X(POC) X(PRF) \
    X(PWK) X(QTY) X(RDR) X(RED) X(REF) X(SAC) X(SCH) X(SDQ) X(SE) X(SI) X(SLN) X(SN1) \
    X(ST) X(TAX) X(TC2) X(TD1) X(TD3) X(TD4) X(TD5) X(TDS) X(TED) X(TXI) X(UIT) X(W01) \
    X(W03) X(W05) X(W06) X(W07) X(W12) X(W13) X(W14) X(W17) X(W20) X(W27) X(W66) X(W76)
/* clang-format on */

/* Each segment's ordinal (struct xd_x12__segdef's <ordinal>), for caches indexed by it. */
#define XD_X12__SEG_ORDINAL(name) XD_X12__SEGORD_##name,
enum { XD_X12__SEGMENTS(XD_X12__SEG_ORDINAL) XD_X12__SEG_ORDINALS };
#undef XD_X12__SEG_ORDINAL

#define XD_X12__SEG_EXTERN(name) extern const struct xd_x12__segdef xd_x12__seg_##name;
XD_X12__SEGMENTS(XD_X12__SEG_EXTERN)
#undef XD_X12__SEG_EXTERN

/* The whole list, for tests. */
extern const struct xd_x12__segdef *const xd_x12__segdefs[];
extern const size_t xd_x12__segdef_count;

#endif
