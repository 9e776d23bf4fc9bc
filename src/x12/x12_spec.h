/* SPDX-License-Identifier: MIT
 * Shorthands for the translation specifications (spec_*.c) and their registry (specs.c). */
#ifndef XD_X12_X12_SPEC_H
#define XD_X12_X12_SPEC_H

#include "x12/x12_tr.h"

#define OFF(st, m) XD_X12__OFF(st, m)
#define HAS(st, m) XD_X12__HAS(st, m)
#define SIZE(st)   XD_X12__SIZE(st)
#define B          XD_X12__B
#define BH         XD_X12__BH
#define BC         XD_X12__BC
#define BCA        XD_X12__BCA
#define BF         XD_X12__BF
#define M          XD_X12__M
#define MH         XD_X12__MH

/* Table arguments of the rule and step macros: T(x) for a table, NO_BINDS / NO_MEMB for none;
 * each expands to the pointer and the count. */
#define COUNT(x) (sizeof(x) / sizeof((x)[0]))
#define T(x)     x, COUNT(x)
#define NO_BINDS NULL, 0
#define NO_MEMB  NULL, 0

#define RULE_KEY(seg, loop, parent, fn, scope, binds, members, arg, kel, key)                      \
    {                                                                                              \
        seg, loop, parent, fn, scope, kel, key, 0, binds, members, arg                             \
    }
#define RULE(seg, loop, parent, fn, scope, binds, members, arg)                                    \
    {                                                                                              \
        seg, loop, parent, fn, scope, 0, NULL, 0, binds, members, arg                              \
    }
/* Only under an HL (856) or LX (945) of kind <lv>. */
#define RULE_AT(lv, seg, loop, parent, fn, scope, binds, members, arg)                             \
    {                                                                                              \
        seg, loop, parent, fn, scope, 0, NULL, lv, binds, members, arg                             \
    }
#define RULE_AT_KEY(lv, seg, loop, parent, fn, scope, binds, members, arg, kel, key)               \
    {                                                                                              \
        seg, loop, parent, fn, scope, kel, key, lv, binds, members, arg                            \
    }

#define STEP(seg, scope, fn, binds, members, arg)                                                  \
    {                                                                                              \
        seg, scope, false, 0, fn, binds, members, arg                                              \
    }
#define STEP_REQ(seg, scope, binds)                                                                \
    {                                                                                              \
        seg, scope, true, 0, NULL, binds, NO_MEMB, NULL                                            \
    }
#define STEP_IDS(seg, scope, binds, members, from)                                                 \
    {                                                                                              \
        seg, scope, false, from, NULL, binds, members, NULL                                        \
    }

/* Bindings shared between sets. */
extern const struct xd_x12__bind xd_x12__td5_in[3], xd_x12__td5_scac[1], xd_x12__td5_out[5];

extern const struct xd_x12__tspec xd_x12__spec_850, xd_x12__spec_860, xd_x12__spec_855,
    xd_x12__spec_810, xd_x12__spec_180, xd_x12__spec_856, xd_x12__spec_940, xd_x12__spec_945,
    xd_x12__spec_944, xd_x12__spec_846, xd_x12__spec_824;

#endif
