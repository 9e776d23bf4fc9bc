/* SPDX-License-Identifier: MIT
 * Private to src/canon: the length of the plain ASCII at the start of a NUL-terminated string,
 * sixteen bytes at a time with SSE2 (a byte loop elsewhere). Inline, so the walk that checks
 * and writes every string of a document (canon_encode.c) scans each without a call. */
#ifndef XD_CANON_CANON_SPAN_H
#define XD_CANON_CANON_SPAN_H

#include <stddef.h>
#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>

/* The span of <s> up to the first byte below 0x20 (the NUL included), 0x7F or above, <q> or
 * <b> (pass 0x7F for both to stop at no other byte), sixteen bytes at a time from the aligned
 * block holding <s> on. An aligned load never crosses a page, so reading the rest of the block
 * the terminating NUL sits in is safe, though those bytes are no part of the string: the
 * address sanitizer, which checks every byte read against its object, is told not to look
 * here (glibc's strlen reads the same way); where it checks the caller, it does not inline
 * this. */
__attribute__((no_sanitize_address)) static inline size_t
xd_canon__span(const char *s, unsigned char q, unsigned char b)
{
    const __m128i low = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7F);
    const __m128i vq = _mm_set1_epi8((char)q), vb = _mm_set1_epi8((char)b);
    uintptr_t skip = (uintptr_t)s & 15; /* bytes of the first block before <s> */
    const __m128i *p = (const __m128i *)(const void *)((uintptr_t)s - skip);
    size_t n = 0; /* bytes of <s> in the blocks before p */
    for (;; p++) {
        __m128i v = _mm_load_si128(p);
        /* signed: bytes 0x80-0xFF are negative, so below 0x20 too */
        __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, low), _mm_cmpeq_epi8(v, del)),
                                    _mm_or_si128(_mm_cmpeq_epi8(v, vq), _mm_cmpeq_epi8(v, vb)));
        unsigned mask = (unsigned)_mm_movemask_epi8(stop) >> skip;
        if (mask != 0) {
            return n + (size_t)__builtin_ctz(mask);
        }
        n += 16 - skip;
        skip = 0;
    }
}
#else
/* The span of <s> up to the first byte below 0x20 (the NUL included), 0x7F or above, <q> or
 * <b> (pass 0x7F for both to stop at no other byte). */
static inline size_t xd_canon__span(const char *s, unsigned char q, unsigned char b)
{
    for (size_t n = 0;; n++) {
        unsigned char c = (unsigned char)s[n];
        if (c < 0x20 || c >= 0x7F || c == q || c == b) {
            return n;
        }
    }
}
#endif

/* Bytes at the start of <s> that are printable ASCII (0x20-0x7E): its length when s[result]
 * is the NUL. */
static inline size_t xd_canon__printable_span(const char *s)
{
    return xd_canon__span(s, 0x7F, 0x7F);
}

/* ... and that JSON takes as they are: not '"' or '\\' either. */
static inline size_t xd_canon__json_plain_span(const char *s)
{
    return xd_canon__span(s, '"', '\\');
}

#endif
