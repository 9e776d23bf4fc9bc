/* SPDX-License-Identifier: MIT
 * crossdock x12: validate and acknowledge X12 files from the shell. The library does no I/O;
 * this file streams each file through a read callback, so memory stays flat however large
 * the file. "-" reads standard input. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_x12.h"
#include "core/core.h"
#include "x12/x12.h"

#define OUT_MAX ((size_t)1 << 30) /* acknowledgement output cap */

enum xd_status xd_cli__fd_read(void *ctx, char *buf, size_t cap, size_t *got, struct xd_error *err)
{
    struct xd_cli__fd_source *src = ctx;
    for (;;) {
        ssize_t n = read(src->fd, buf, cap);
        if (n >= 0) {
            *got = (size_t)n;
            return XD_OK;
        }
        if (errno != EINTR) {
            return xd_error_set(err, XD_EIO, "%s: %s", src->path, strerror(errno));
        }
    }
}

int xd_cli__open_input(const char *path)
{
    if (strcmp(path, "-") == 0) {
        return STDIN_FILENO;
    }
    return open(path, O_RDONLY | O_CLOEXEC);
}

void xd_cli__close_input(int fd)
{
    if (fd != STDIN_FILENO) {
        close(fd);
    }
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: crossdock x12 validate [--json] [--strict] [--strict-totals] [--max-errors N]\n"
            "                              FILE...\n"
            "       crossdock x12 translate [--map FILE.json] [--strict] FILE\n"
            "       crossdock x12 render [--version V] [--element-sep C] [--segment-term C]\n"
            "                            [--component-sep C] [--repetition-sep C]\n"
            "                            --sender-qual Q --sender-id ID --receiver-qual Q\n"
            "                            --receiver-id ID [--control-number N]\n"
            "                            [--group-control N] [--set-control N] [--test]\n"
            "                            [--no-newline] [--map FILE.json] FILE.json\n"
            "       crossdock x12 ack [--999] [--ta1 | --ta1-only] [--control-number N]\n"
            "                         [--group-control N] [--set-control N]\n"
            "                         [--sender-qualifier Q --sender-id ID] [--version V] FILE\n"
            "\n"
            "validate  checks envelopes and each transaction set against its table (850, 855,\n"
            "          856, 810, 860, 940, 945, 944, 846, 180, 997, 999 in 004010 and 005010);\n"
            "          one line per problem; exit 0 when every file is valid, 1 otherwise.\n"
            "          Deviations partners commonly produce that still read one way are\n"
            "          warnings; --strict makes them errors (docs/x12.md, Severity).\n"
            "translate writes one canonical document per transaction set as JSON lines;\n"
            "          problems go to standard error; exit 1 when any set is not translated.\n"
            "render    writes one interchange from canonical JSON documents (one or more,\n"
            "          JSON lines, or an array), one transaction set per document.\n"
            "ack       writes the 997 (or 999) the sender should receive, with a TA1 when asked.\n"
            "          Control numbers default to 1 (interchange, group, first set); pass the\n"
            "          partner's next numbers with --control-number, --group-control and\n"
            "          --set-control. Our ID defaults to the inbound receiver.\n"
            "FILE may be - for standard input.\n");
}

/* ---- validate ------------------------------------------------------------------------------ */

static const char *level_name(enum xd_x12_level l)
{
    static const char *const names[] = {"interchange", "group", "set", "segment", "element"};
    return (size_t)l < XD_ARRAY_LEN(names) ? names[l] : "?";
}

static const char *severity_name(enum xd_x12_severity s)
{
    return s == XD_X12_ERROR ? "error" : (s == XD_X12_WARNING ? "warning" : "notice");
}

static enum xd_status json_str_member(struct xd_buf *b, const char *name, const char *v, bool comma)
{
    enum xd_status st = xd_buf_printf(b, "%s\"%s\":\"", comma ? "," : "", name);
    if (st == XD_OK) {
        st = xd_buf_append_json_str(b, v, strlen(v));
    }
    return st == XD_OK ? xd_buf_append_char(b, '"') : st;
}

static enum xd_status json_error(struct xd_buf *b, const struct xd_x12_error *e)
{
    enum xd_status st = xd_buf_append_char(b, '{');
    if (st == XD_OK) {
        st = json_str_member(b, "severity", severity_name(e->severity), false);
    }
    if (st == XD_OK) {
        st = json_str_member(b, "level", level_name(e->level), true);
    }
    if (st == XD_OK) {
        st = json_str_member(b, "ack_segment", xd_x12_error_ack_segment(e), true);
    }
    if (st == XD_OK) {
        st = json_str_member(b, "code", e->code, true);
    }
    if (st == XD_OK) {
        st = json_str_member(b, "interchange", e->interchange_control, true);
    }
    if (st == XD_OK) {
        st = json_str_member(b, "group", e->group_control, true);
    }
    if (st == XD_OK) {
        st = json_str_member(b, "set", e->set_control, true);
    }
    if (st == XD_OK) {
        st = json_str_member(b, "set_id", e->set_id, true);
    }
    if (st == XD_OK) {
        st = json_str_member(b, "segment_id", e->segment_id, true);
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b,
                           ",\"segment_position\":%llu,\"segment_index\":%llu,\"offset\":%llu,"
                           "\"element\":%u,\"component\":%u,\"repetition\":%u",
                           (unsigned long long)e->segment_position,
                           (unsigned long long)e->segment_index, (unsigned long long)e->offset,
                           e->element, e->component, e->repetition);
    }
    if (st == XD_OK) {
        st = json_str_member(b, "value", e->value, true);
    }
    if (st == XD_OK) {
        st = json_str_member(b, "message", e->message, true);
    }
    if (st == XD_OK) {
        st = json_str_member(b, "deviation", e->deviation ? e->deviation : "", true);
    }
    return st == XD_OK ? xd_buf_append_char(b, '}') : st;
}

static enum xd_status json_report(struct xd_buf *b, const char *path,
                                  const struct xd_x12_report *rep, bool valid)
{
    enum xd_status st = xd_buf_append_char(b, '{');
    if (st == XD_OK) {
        st = json_str_member(b, "file", path, false);
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b,
                           ",\"valid\":%s,\"encoding\":\"%s\",\"interchanges\":%llu,"
                           "\"groups\":%llu,\"sets\":%llu,\"sets_rejected\":%llu,"
                           "\"segments\":%llu,\"error_count\":%llu,\"warning_count\":%llu,"
                           "\"dropped\":%llu,\"problems\":[",
                           valid ? "true" : "false", rep->encoding,
                           (unsigned long long)rep->interchanges, (unsigned long long)rep->groups,
                           (unsigned long long)rep->sets, (unsigned long long)rep->sets_rejected,
                           (unsigned long long)rep->segments, (unsigned long long)rep->errors,
                           (unsigned long long)rep->warnings, (unsigned long long)rep->dropped);
    }
    for (size_t i = 0; st == XD_OK && i < rep->count; i++) {
        if (i > 0) {
            st = xd_buf_append_char(b, ',');
        }
        if (st == XD_OK) {
            st = json_error(b, &rep->items[i]);
        }
    }
    return st == XD_OK ? xd_buf_append_str(b, "]}\n") : st;
}

static enum xd_status text_report(struct xd_buf *b, const char *path,
                                  const struct xd_x12_report *rep, bool valid)
{
    enum xd_status st = XD_OK;
    for (size_t i = 0; st == XD_OK && i < rep->count; i++) {
        st = xd_buf_printf(b, "%s: ", path);
        if (st == XD_OK) {
            st = xd_x12_error_format(&rep->items[i], b);
        }
        if (st == XD_OK) {
            st = xd_buf_append_char(b, '\n');
        }
    }
    if (st == XD_OK && rep->dropped > 0) {
        st = xd_buf_printf(b, "%s: ... %llu more problems not shown\n", path,
                           (unsigned long long)rep->dropped);
    }
    if (st == XD_OK) {
        st = xd_buf_printf(b,
                           "%s: %s: %llu interchanges, %llu groups, %llu sets (%llu rejected), "
                           "%llu errors, %llu warnings\n",
                           path, valid ? "valid" : "INVALID", (unsigned long long)rep->interchanges,
                           (unsigned long long)rep->groups, (unsigned long long)rep->sets,
                           (unsigned long long)rep->sets_rejected, (unsigned long long)rep->errors,
                           (unsigned long long)rep->warnings);
    }
    return st;
}

/* Validate one file; returns 0 valid, 1 invalid, 2 when it could not be read. */
static int validate_one(const char *path, bool json, const struct xd_x12_validate_options *opt,
                        size_t max_errors)
{
    int fd = xd_cli__open_input(path);
    if (fd < 0) {
        fprintf(stderr, "crossdock x12: %s: %s\n", path, strerror(errno));
        return 2;
    }
    struct xd_cli__fd_source src = {fd, path};
    struct xd_x12_reader *r = NULL;
    struct xd_x12_report rep;
    struct xd_error err;
    struct xd_buf out;
    xd_error_clear(&err);
    xd_x12_report_init(&rep, max_errors);
    xd_buf_init(&out, OUT_MAX);
    int rc = 2;
    enum xd_status st = xd_x12_reader_create(xd_cli__fd_read, &src, 0, &r);
    if (st != XD_OK) {
        fprintf(stderr, "crossdock x12: %s: %s\n", path, xd_strerror(st));
        goto done;
    }
    st = xd_x12_validate(r, opt, &rep, NULL, &err);
    if (st == XD_EIO || st == XD_ENOMEM) {
        fprintf(stderr, "crossdock x12: %s: %s\n", path,
                err.message[0] ? err.message : xd_strerror(st));
        goto done;
    }
    bool valid = st == XD_OK;
    st = json ? json_report(&out, path, &rep, valid) : text_report(&out, path, &rep, valid);
    if (st != XD_OK) {
        fprintf(stderr, "crossdock x12: %s: %s\n", path, xd_strerror(st));
        goto done;
    }
    fwrite(out.data, 1, out.len, stdout);
    rc = valid ? 0 : 1;
done:
    xd_buf_cleanup(&out);
    xd_x12_report_cleanup(&rep);
    xd_x12_reader_destroy(r);
    xd_cli__close_input(fd);
    return rc;
}

static bool parse_u64_arg(const char *s, uint64_t max, uint64_t *out)
{
    return s != NULL && xd_parse_u64(s, strlen(s), max, out) == XD_OK;
}

static int cmd_validate(int argc, char **argv)
{
    bool json = false;
    struct xd_x12_validate_options opt = {0};
    uint64_t max_errors = XD_X12_DEFAULT_MAX_ERRORS;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--strict-totals") == 0) {
            opt.strict_totals = true;
        } else if (strcmp(argv[i], "--strict") == 0) {
            opt.strict = true;
        } else if (strcmp(argv[i], "--max-errors") == 0 && i + 1 < argc &&
                   parse_u64_arg(argv[i + 1], 1000000, &max_errors) && max_errors > 0) {
            i++;
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "crossdock x12 validate: unknown or incomplete option '%s'\n", argv[i]);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    int worst = 0;
    for (; i < argc; i++) {
        int rc = validate_one(argv[i], json, &opt, (size_t)max_errors);
        worst = rc > worst ? rc : worst;
    }
    return worst;
}

/* ---- ack ----------------------------------------------------------------------------------- */

struct ack_args {
    struct xd_x12_ack_options opt;
    const char *path;
};

static int parse_ack_args(int argc, char **argv, struct ack_args *a)
{
    a->opt.kind = XD_X12_ACK_997;
    a->opt.isa_control = a->opt.gs_control = a->opt.st_control = 1;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n;
        if (strcmp(o, "--999") == 0) {
            a->opt.kind = XD_X12_ACK_999;
        } else if (strcmp(o, "--ta1") == 0) {
            a->opt.ta1 = true;
        } else if (strcmp(o, "--ta1-only") == 0) {
            a->opt.ta1 = a->opt.only_ta1 = true;
        } else if (strcmp(o, "--control-number") == 0 && parse_u64_arg(val, 999999999, &n) && n) {
            a->opt.isa_control = n;
            i++;
        } else if (strcmp(o, "--group-control") == 0 && parse_u64_arg(val, 999999999, &n) && n) {
            a->opt.gs_control = n;
            i++;
        } else if (strcmp(o, "--set-control") == 0 && parse_u64_arg(val, 999999999, &n) && n) {
            a->opt.st_control = n;
            i++;
        } else if (strcmp(o, "--sender-id") == 0 && val != NULL) {
            a->opt.sender_id = val;
            a->opt.gs_sender = val;
            i++;
        } else if (strcmp(o, "--sender-qualifier") == 0 && val != NULL) {
            a->opt.sender_qualifier = val;
            i++;
        } else if (strcmp(o, "--version") == 0 && val != NULL) {
            a->opt.version = val;
            i++;
        } else if (strcmp(o, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if ((o[0] != '-' || o[1] == '\0') && a->path == NULL) {
            a->path = o;
        } else {
            fprintf(stderr, "crossdock x12 ack: unknown or incomplete option '%s'\n", o);
            return 2;
        }
    }
    if (a->path == NULL) {
        usage(stderr);
        return 2;
    }
    return -1;
}

static int cmd_ack(int argc, char **argv)
{
    struct ack_args a;
    memset(&a, 0, sizeof a);
    int prc = parse_ack_args(argc, argv, &a);
    if (prc >= 0) {
        return prc;
    }
    struct xd_x12_stamp stamp = xd_x12_stamp(xd_now_ms());
    a.opt.date = stamp.date;
    a.opt.time = stamp.time;
    int fd = xd_cli__open_input(a.path);
    if (fd < 0) {
        fprintf(stderr, "crossdock x12: %s: %s\n", a.path, strerror(errno));
        return 2;
    }
    struct xd_cli__fd_source src = {fd, a.path};
    struct xd_x12_reader *r = NULL;
    struct xd_x12_ack *ack = NULL;
    struct xd_x12_report rep;
    struct xd_buf out;
    struct xd_error err;
    xd_error_clear(&err);
    xd_x12_report_init(&rep, 1);
    xd_buf_init(&out, OUT_MAX);
    int rc = 2;
    enum xd_status st = xd_x12_reader_create(xd_cli__fd_read, &src, 0, &r);
    if (st == XD_OK) {
        st = xd_x12_ack_create(&a.opt, &out, &ack);
    }
    if (st != XD_OK) {
        fprintf(stderr, "crossdock x12 ack: %s\n", xd_strerror(st));
        goto done;
    }
    st = xd_x12_validate(r, NULL, &rep, xd_x12_ack_sink(ack), &err);
    if (st != XD_OK && st != XD_EINVALDOC && st != XD_EPARSE) {
        fprintf(stderr, "crossdock x12 ack: %s: %s\n", a.path,
                err.message[0] ? err.message : xd_strerror(st));
        goto done;
    }
    if (xd_x12_ack_interchanges(ack) == 0) {
        fprintf(stderr, "crossdock x12 ack: %s: %s\n", a.path,
                rep.count > 0 ? rep.items[0].message : "no interchange to acknowledge");
        rc = 1;
        goto done;
    }
    fwrite(out.data, 1, out.len, stdout);
    rc = 0;
done:
    xd_buf_cleanup(&out);
    xd_x12_report_cleanup(&rep);
    xd_x12_ack_destroy(ack);
    xd_x12_reader_destroy(r);
    xd_cli__close_input(fd);
    return rc;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} subcommands[] = {
    {"validate", cmd_validate},
    {"ack", cmd_ack},
    {"translate", xd_cli__x12_translate},
    {"render", xd_cli__x12_render},
};

int xd_cmd_x12(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < XD_ARRAY_LEN(subcommands); i++) {
        if (strcmp(argv[1], subcommands[i].name) == 0) {
            return subcommands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "crossdock x12: unknown subcommand '%s' (try 'crossdock x12 --help')\n",
            argv[1]);
    return 2;
}
