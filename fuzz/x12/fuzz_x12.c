/* SPDX-License-Identifier: MIT
 * libFuzzer target over the X12 engine: the tokenizer in both modes (whole buffer, and a
 * stream cut into small reads so segments straddle refills), the validator, and the 997 and
 * 999 builders (with TA1) fed by it. Anything the input makes them do must end cleanly. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "x12/x12.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct chunks {
    const uint8_t *p;
    size_t left;
    size_t step;
};

static enum xd_status chunk_read(void *ctx, char *buf, size_t cap, size_t *got,
                                 struct xd_error *err)
{
    (void)err;
    struct chunks *c = ctx;
    size_t n = c->left < c->step ? c->left : c->step;
    n = n < cap ? n : cap;
    if (n > 0) {
        memcpy(buf, c->p, n);
    }
    c->p += n;
    c->left -= n;
    *got = n;
    return XD_OK;
}

static void run(struct xd_x12_reader *r, enum xd_x12_ack_kind kind)
{
    struct xd_buf out;
    struct xd_x12_report rep;
    struct xd_x12_ack *ack = NULL;
    struct xd_x12_ack_options opt = {.kind = kind,
                                     .ta1 = true,
                                     .isa_control = 1,
                                     .gs_control = 1,
                                     .st_control = 1,
                                     .date = "20260101",
                                     .time = "1200"};
    xd_buf_init(&out, (size_t)64 << 20);
    xd_x12_report_init(&rep, 50);
    if (xd_x12_ack_create(&opt, &out, &ack) == XD_OK) {
        struct xd_x12_validate_options vopt = {.strict_totals = kind == XD_X12_ACK_999};
        enum xd_status st = xd_x12_validate(r, &vopt, &rep, xd_x12_ack_sink(ack), NULL);
        /* Properties: only these outcomes, and "valid" means no error was recorded. */
        if ((st != XD_OK && st != XD_EINVALDOC && st != XD_EPARSE && st != XD_ETOOBIG) ||
            (st == XD_OK && rep.errors != 0) || (st == XD_EINVALDOC && rep.errors == 0)) {
            fprintf(stderr, "fuzz_x12: status %s with %llu errors\n", xd_status_name(st),
                    (unsigned long long)rep.errors);
            __builtin_trap();
        }
        for (size_t i = 0; i < rep.count; i++) {
            struct xd_buf line;
            xd_buf_init(&line, 4096);
            if (xd_x12_error_format(&rep.items[i], &line) != XD_OK) {
                __builtin_trap();
            }
            xd_buf_cleanup(&line);
        }
    }
    xd_x12_ack_destroy(ack);
    xd_x12_report_cleanup(&rep);
    xd_buf_cleanup(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xd_x12_reader *r = NULL;
    if (xd_x12_reader_create_mem((const char *)data, size, &r) == XD_OK) {
        run(r, XD_X12_ACK_997);
    }
    xd_x12_reader_destroy(r);
    r = NULL;
    struct chunks c = {data, size, size > 0 ? 1 + data[0] % 97 : 1};
    if (xd_x12_reader_create(chunk_read, &c, 0, &r) == XD_OK) {
        run(r, XD_X12_ACK_999);
    }
    xd_x12_reader_destroy(r);
    return 0;
}
