/* SPDX-License-Identifier: MIT
 * Crossdock core: the one header other parts include for statuses, memory, buffers, exact
 * decimals, time, hashes and identifiers, secrets, logging and checked helpers. */
#ifndef XD_CORE_CORE_H
#define XD_CORE_CORE_H

#include "core/alloc.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/check.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/decimal.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/slice.h"
#include "core/status.h"
#include "core/util.h"

#endif
