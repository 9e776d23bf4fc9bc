/* SPDX-License-Identifier: MIT
 * Fixed-width lines: one record per line, fields at 1-based character positions. Positions
 * count characters, so a UTF-8 file whose sender padded by characters lines up; in the
 * single-byte encodings characters are bytes. */
#include <string.h>

#include "flat/flat_int.h"

enum xd_status xd_flat__line_read(const struct xd_flat_map *m, const char *data, size_t len,
                                  size_t *pos, int *line, struct xd_flat__rec *rec,
                                  struct xd_error *err)
{
    size_t start = *pos;
    size_t room = len - start;
    /* two bytes of slack for the CR LF after a line of exactly the cap */
    size_t look = room > m->lim.record_bytes + 2 ? m->lim.record_bytes + 2 : room;
    const char *nl = memchr(data + start, '\n', look);
    size_t end = nl ? (size_t)(nl - data) : start + look;
    size_t next = nl ? end + 1 : end;
    size_t n = end - start;
    if (n > 0 && data[end - 1] == '\r') {
        n--;
    }
    if (n > m->lim.record_bytes || (nl == NULL && look < room)) {
        xd_error_set(err, XD_ETOOBIG, "line is longer than %zu bytes", m->lim.record_bytes);
        xd_error_at(err, NULL, -1, *line);
        return XD_ETOOBIG;
    }
    rec->raw = data + start;
    rec->raw_len = n;
    rec->line = *line;
    rec->ncells = 0;
    rec->too_many = false;
    *pos = next;
    (*line)++;
    return XD_OK;
}

/* Byte offset of character <k>, or the line's end. */
static size_t char_to_byte(const struct xd_flat__rec *rec, bool bytes_are_chars,
                           struct xd_flat__cursor *cur, size_t k)
{
    if (bytes_are_chars) {
        return k < rec->raw_len ? k : rec->raw_len;
    }
    if (k < cur->ch) {
        *cur = (struct xd_flat__cursor){0, 0};
    }
    while (cur->ch < k && cur->byte < rec->raw_len) {
        cur->byte++;
        while (cur->byte < rec->raw_len && ((unsigned char)rec->raw[cur->byte] & 0xC0) == 0x80) {
            cur->byte++;
        }
        cur->ch++;
    }
    return cur->byte;
}

struct xd_slice xd_flat__line_slice(const struct xd_flat__rec *rec, bool bytes_are_chars,
                                    struct xd_flat__cursor *cur, size_t start, size_t length)
{
    size_t from = char_to_byte(rec, bytes_are_chars, cur, start - 1);
    size_t to = char_to_byte(rec, bytes_are_chars, cur, start - 1 + length);
    return (struct xd_slice){rec->raw + from, to - from};
}

bool xd_flat__blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t') {
            return false;
        }
    }
    return true;
}
