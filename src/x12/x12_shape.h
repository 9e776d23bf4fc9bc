/* SPDX-License-Identifier: MIT
 * Canonical document shapes for the X12 translator's messages (trshape.c). */
#ifndef XD_X12_X12_SHAPE_H
#define XD_X12_X12_SHAPE_H

#include <stddef.h>

#include "canon/canon.h"

/* The objects a JSON path ("$.lines[2].quantity") passes through in <body> of type <t>, from
 * the document itself down to the deepest one (here the line), into objs[0..cap-1]. Returns
 * how many; 0 for a path that is not one of this document. */
size_t xd_x12__shape_walk(enum xd_canon_type t, const void *body, const char *path,
                          const void **objs, size_t cap);

#endif
