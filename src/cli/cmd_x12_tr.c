/* SPDX-License-Identifier: MIT
 * crossdock x12 translate and render: X12 to canonical JSON lines and back. Translation
 * streams the file (memory stays flat); rendering reads its JSON input whole (documents are
 * bounded by XD_CANON_MAX_INPUT each). A partner mapping comes from --map FILE.json. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "canon/canon.h"
#include "cli/cli_x12.h"
#include "x12/x12.h"

#define RENDER_INPUT_MAX  ((size_t)1 << 30) /* JSON read by render */
#define RENDER_OUTPUT_MAX ((size_t)1 << 30) /* X12 written by render */
#define STDOUT_BUFFER     (1u << 20)

static bool parse_u64_arg(const char *s, uint64_t max, uint64_t *out)
{
    return s != NULL && xd_parse_u64(s, strlen(s), max, out) == XD_OK;
}

/* The map of --map FILE, or the defaults. Exit status 2 (message printed) on failure. */
static int load_map(const char *path, struct xd_x12_map **out)
{
    json_t *spec = NULL;
    if (path != NULL) {
        json_error_t jerr;
        spec = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        if (spec == NULL) {
            fprintf(stderr, "crossdock x12: %s:%d: %s\n", path, jerr.line, jerr.text);
            return 2;
        }
    }
    struct xd_diags diags;
    xd_diags_init(&diags, XD_DIAGS_DEFAULT_LIMIT);
    enum xd_status st = xd_x12_map_create(spec, out, &diags);
    for (size_t i = 0; i < diags.count; i++) {
        fprintf(stderr, "crossdock x12: %s: %s: %s\n", path, diags.items[i].path,
                diags.items[i].message);
    }
    xd_diags_cleanup(&diags);
    json_decref(spec);
    if (st != XD_OK) {
        fprintf(stderr, "crossdock x12: %s: %s\n", path ? path : "map", xd_strerror(st));
        return 2;
    }
    return 0;
}

/* ---- translate ----------------------------------------------------------------------------- */

struct tr_ctx {
    const char *path;
    uint64_t translated, failed, skipped;
    bool write_failed;
};

static void print_problems(const struct tr_ctx *c, const struct xd_x12_translation *t)
{
    const char *why = t->status == XD_EINVALDOC ? "has X12 errors (above), not translated"
                      : t->status == XD_EINVAL  ? "is not a valid canonical document"
                                                : "has no canonical document, skipped";
    fprintf(stderr, "%s: ISA %s GS %s ST %s %s %s\n", c->path, t->interchange, t->group, t->set_id,
            t->control, why);
    for (size_t i = 0; t->status == XD_EINVAL && i < t->problems->count; i++) {
        const struct xd_diag *d = &t->problems->items[i];
        fprintf(stderr, "%s: ST %s %s: %s: %s (%s)\n", c->path, t->set_id, t->control, d->path,
                d->message, d->code);
    }
}

static enum xd_status on_doc(void *ctx, const struct xd_x12_translation *t)
{
    struct tr_ctx *c = ctx;
    for (size_t i = 0; i < t->notes->count; i++) {
        fprintf(stderr, "%s: note: ST %s %s: %s: %s\n", c->path, t->set_id, t->control,
                t->notes->items[i].path, t->notes->items[i].message);
    }
    for (size_t i = 0; i < t->warnings->count; i++) {
        fprintf(stderr, "%s: translation warning: ST %s %s: %s: %s\n", c->path, t->set_id,
                t->control, t->warnings->items[i].path, t->warnings->items[i].message);
    }
    if (t->warnings->dropped > 0) {
        fprintf(stderr, "%s: translation warning: ST %s %s: %zu more not shown\n", c->path,
                t->set_id, t->control, t->warnings->dropped);
    }
    if (t->status == XD_ETOOBIG || t->status == XD_ENOMEM) {
        /* valid, but its JSON did not fit */
        fprintf(stderr, "%s: ST %s %s: %s\n", c->path, t->set_id, t->control,
                xd_strerror(t->status));
        c->failed++;
        return XD_OK;
    }
    if (t->status != XD_OK) {
        c->failed += t->status != XD_EUNSUPPORTED;
        c->skipped += t->status == XD_EUNSUPPORTED;
        print_problems(c, t);
        return XD_OK;
    }
    if (fwrite(t->json, 1, t->json_len, stdout) != t->json_len || putchar('\n') == EOF) {
        c->write_failed = true;
        return XD_EIO;
    }
    c->translated++;
    return XD_OK;
}

/* X12 problems of the file, as validate prints them (errors only: warnings are accepted). */
static void print_report(const char *path, const struct xd_x12_report *rep)
{
    struct xd_buf b;
    xd_buf_init(&b, 1 << 20);
    for (size_t i = 0; i < rep->count; i++) {
        if (rep->items[i].severity == XD_X12_NOTICE) {
            continue;
        }
        xd_buf_reset(&b);
        if (xd_x12_error_format(&rep->items[i], &b) == XD_OK) {
            fprintf(stderr, "%s: %s\n", path, b.data);
        }
    }
    xd_buf_cleanup(&b);
}

static int translate_file(const char *path, const struct xd_x12_map *map,
                          const struct xd_x12_validate_options *opt)
{
    int fd = xd_cli__open_input(path);
    if (fd < 0) {
        fprintf(stderr, "crossdock x12: %s: %s\n", path, strerror(errno));
        return 2;
    }
    struct xd_cli__fd_source src = {fd, path};
    struct xd_x12_reader *r = NULL;
    struct xd_x12_report rep;
    struct tr_ctx c = {.path = path};
    struct xd_error err;
    xd_error_clear(&err);
    xd_x12_report_init(&rep, XD_X12_DEFAULT_MAX_ERRORS);
    int rc = 2;
    enum xd_status st = xd_x12_reader_create(xd_cli__fd_read, &src, 0, &r);
    if (st == XD_OK) {
        st = xd_x12_translate(r, map, opt, &rep, on_doc, &c, &err);
    }
    print_report(path, &rep);
    if (st == XD_EIO || st == XD_ENOMEM || c.write_failed) {
        fprintf(stderr, "crossdock x12: %s: %s\n", path,
                c.write_failed   ? "cannot write standard output"
                : err.message[0] ? err.message
                                 : xd_strerror(st));
    } else {
        rc = st == XD_OK && c.failed == 0 ? 0 : 1;
        if (rc != 0 && c.translated == 0 && c.failed == 0 && rep.count > 0) {
            fprintf(stderr, "%s: not translated: %s\n", path, rep.items[0].message);
        }
    }
    xd_x12_report_cleanup(&rep);
    xd_x12_reader_destroy(r);
    xd_cli__close_input(fd);
    return rc;
}

int xd_cli__x12_translate(int argc, char **argv)
{
    struct xd_x12_validate_options opt = {0};
    const char *map_path = NULL, *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--map") == 0 && i + 1 < argc) {
            map_path = argv[++i];
        } else if (strcmp(argv[i], "--strict") == 0) {
            opt.strict = true;
        } else if ((argv[i][0] != '-' || argv[i][1] == '\0') && path == NULL) {
            path = argv[i];
        } else {
            fprintf(stderr, "crossdock x12 translate: unknown or incomplete option '%s'\n",
                    argv[i]);
            return 2;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "usage: crossdock x12 translate [--map FILE.json] [--strict] FILE\n");
        return 2;
    }
    struct xd_x12_map *map = NULL;
    int rc = load_map(map_path, &map);
    if (rc != 0) {
        return rc;
    }
    static char out_buffer[STDOUT_BUFFER];
    setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);
    rc = translate_file(path, map, &opt);
    if (fflush(stdout) != 0 && rc == 0) {
        fprintf(stderr, "crossdock x12 translate: cannot write standard output\n");
        rc = 2;
    }
    xd_x12_map_destroy(map);
    return rc;
}

/* ---- render -------------------------------------------------------------------------------- */

struct render_args {
    struct xd_x12_writer_options w;
    struct xd_x12_render_options r;
    const char *map_path, *path;
};

static bool one_byte(const char *s, unsigned char *out)
{
    if (s == NULL || strlen(s) != 1) {
        return false;
    }
    *out = (unsigned char)s[0];
    return true;
}

/* One option; returns how many arguments it took (0 = unknown or incomplete). */
static int render_option(struct render_args *a, const char *o, const char *v)
{
    uint64_t n;
    struct xd_x12_writer_options *w = &a->w;
    const struct {
        const char *name;
        const char **dst;
    } strings[] = {{"--version", &a->r.version},       {"--sender-qual", &w->sender_qualifier},
                   {"--sender-id", &w->sender_id},     {"--receiver-qual", &w->receiver_qualifier},
                   {"--receiver-id", &w->receiver_id}, {"--map", &a->map_path}};
    for (size_t i = 0; i < XD_ARRAY_LEN(strings); i++) {
        if (strcmp(o, strings[i].name) == 0 && v != NULL) {
            *strings[i].dst = v;
            return 2;
        }
    }
    const struct {
        const char *name;
        unsigned char *dst;
    } delims[] = {{"--element-sep", &w->delims.element},
                  {"--segment-term", &w->delims.segment},
                  {"--component-sep", &w->delims.component},
                  {"--repetition-sep", &w->delims.repetition}};
    for (size_t i = 0; i < XD_ARRAY_LEN(delims); i++) {
        if (strcmp(o, delims[i].name) == 0 && one_byte(v, delims[i].dst)) {
            return 2;
        }
    }
    if (strcmp(o, "--control-number") == 0 && parse_u64_arg(v, 999999999, &n) && n) {
        w->isa_control = n;
    } else if (strcmp(o, "--group-control") == 0 && parse_u64_arg(v, 999999999, &n) && n) {
        a->r.group_control = n;
    } else if (strcmp(o, "--set-control") == 0 && parse_u64_arg(v, 999999999, &n) && n) {
        a->r.set_control = n;
    } else if (strcmp(o, "--test") == 0) {
        w->usage = 'T';
        return 1;
    } else if (strcmp(o, "--no-newline") == 0) {
        w->newline = false;
        return 1;
    } else {
        return 0;
    }
    return 2;
}

static int parse_render_args(int argc, char **argv, struct render_args *a)
{
    a->w.isa_control = 1;
    a->w.newline = true;
    for (int i = 1; i < argc; i++) {
        int took = render_option(a, argv[i], i + 1 < argc ? argv[i + 1] : NULL);
        if (took == 0 && (argv[i][0] != '-' || argv[i][1] == '\0') && a->path == NULL) {
            a->path = argv[i];
        } else if (took == 0) {
            fprintf(stderr, "crossdock x12 render: unknown or incomplete option '%s'\n", argv[i]);
            return 2;
        }
        i += took > 1 ? took - 1 : 0;
    }
    if (a->path == NULL || a->w.sender_id == NULL || a->w.receiver_id == NULL ||
        a->w.sender_qualifier == NULL || a->w.receiver_qualifier == NULL) {
        fprintf(stderr, "crossdock x12 render: FILE.json, --sender-qual, --sender-id, "
                        "--receiver-qual and --receiver-id are required\n");
        return 2;
    }
    if (a->w.delims.element || a->w.delims.segment || a->w.delims.component) {
        const struct xd_x12_delims def = {'*', '>', 0, '~'};
        a->w.delims.element = a->w.delims.element ? a->w.delims.element : def.element;
        a->w.delims.segment = a->w.delims.segment ? a->w.delims.segment : def.segment;
        a->w.delims.component = a->w.delims.component ? a->w.delims.component : def.component;
    }
    if (a->w.delims.element == 0) {
        a->w.delims = (struct xd_x12_delims){'*', '>', 0, '~'}; /* 004010's usual component '>' */
    }
    if (a->w.delims.repetition == 0) {
        a->w.delims.repetition = '^';
    }
    bool v5 = a->r.version != NULL && strncmp(a->r.version, "005010", 6) >= 0;
    a->w.isa_version = v5 ? "00501" : "00401";
    return -1;
}

static enum xd_status read_all(const char *path, struct xd_buf *b, struct xd_error *err)
{
    if (strcmp(path, "-") != 0) {
        return xd_file_read(path, b, err);
    }
    char chunk[1 << 16];
    for (;;) {
        ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
        if (n == 0) {
            return XD_OK;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return xd_error_set(err, XD_EIO, "-: %s", strerror(errno));
        }
        enum xd_status st = xd_buf_append(b, chunk, (size_t)n);
        if (st != XD_OK) {
            return xd_error_set(err, st, "-: %s", xd_strerror(st));
        }
    }
}

/* Decode one document's JSON and render it; problems printed. */
static enum xd_status render_json(struct xd_x12_renderer *rd, const char *path, size_t index,
                                  const char *json, size_t len)
{
    struct xd_arena *a = xd_arena_create(0, XD_CANON_MAX_INPUT * 8);
    struct xd_diags diags;
    struct xd_canon_doc *doc = NULL;
    struct xd_error err;
    xd_error_clear(&err);
    xd_diags_init(&diags, XD_DIAGS_DEFAULT_LIMIT);
    enum xd_status st = a ? xd_canon_decode(json, len, a, &doc, &diags) : XD_ENOMEM;
    for (size_t i = 0; i < diags.count; i++) {
        fprintf(stderr, "%s: document %zu: %s: %s\n", path, index, diags.items[i].path,
                diags.items[i].message);
    }
    if (st == XD_OK) {
        st = xd_x12_render(rd, doc, &err);
        if (st != XD_OK) {
            fprintf(stderr, "%s: document %zu: %s\n", path, index,
                    err.message[0] ? err.message : xd_strerror(st));
        }
    } else if (diags.count == 0) {
        fprintf(stderr, "%s: document %zu: %s\n", path, index, xd_strerror(st));
    }
    xd_diags_cleanup(&diags);
    xd_arena_destroy(a);
    return st;
}

/* Each JSON value of the input (concatenated, JSON lines, or the items of one array). */
static enum xd_status render_values(struct xd_x12_renderer *rd, const char *path, const char *data,
                                    size_t len, size_t *count)
{
    size_t at = 0;
    while (at < len) {
        while (at < len &&
               (data[at] == ' ' || data[at] == '\n' || data[at] == '\r' || data[at] == '\t')) {
            at++;
        }
        if (at == len) {
            break;
        }
        json_error_t jerr;
        json_t *v = json_loadb(data + at, len - at, JSON_DISABLE_EOF_CHECK, &jerr);
        if (v == NULL) {
            fprintf(stderr, "%s: byte %zu: %s\n", path, at + (size_t)jerr.position, jerr.text);
            return XD_EPARSE;
        }
        size_t used = (size_t)jerr.position;
        enum xd_status st = XD_OK;
        if (json_is_array(v)) {
            size_t i;
            json_t *item;
            json_array_foreach(v, i, item)
            {
                char *text = json_dumps(item, JSON_COMPACT | JSON_PRESERVE_ORDER);
                st = text ? render_json(rd, path, ++*count, text, strlen(text)) : XD_ENOMEM;
                free(text); /* jansson's allocator */
                if (st != XD_OK) {
                    break;
                }
            }
        } else {
            st = render_json(rd, path, ++*count, data + at, used);
        }
        json_decref(v);
        if (st != XD_OK) {
            return st;
        }
        at += used;
    }
    return XD_OK;
}

static int render_run(const struct render_args *a, const struct xd_x12_map *map,
                      const struct xd_buf *in)
{
    struct xd_x12_stamp stamp = xd_x12_stamp(xd_now_ms());
    struct xd_x12_writer_options wo = a->w;
    wo.date = stamp.date;
    wo.time = stamp.time;
    struct xd_buf out;
    struct xd_error err;
    struct xd_x12_writer *w = NULL;
    struct xd_x12_renderer *rd = NULL;
    xd_error_clear(&err);
    xd_buf_init(&out, RENDER_OUTPUT_MAX);
    size_t count = 0;
    enum xd_status st = xd_x12_writer_create(&wo, &out, &w, &err);
    if (st == XD_OK) {
        st = xd_x12_renderer_create(w, map, &a->r, &rd);
    }
    if (st == XD_OK) {
        st = render_values(rd, a->path, in->data ? in->data : "", in->len, &count);
    }
    if (st == XD_OK && count == 0) {
        st = xd_error_set(&err, XD_EINVAL, "%s: no document to render", a->path);
    }
    if (st == XD_OK) {
        st = xd_x12_renderer_finish(rd, &err);
    }
    if (st == XD_OK) {
        st = xd_x12_writer_finish(w, &err);
    }
    if (st == XD_OK && fwrite(out.data, 1, out.len, stdout) != out.len) {
        st = xd_error_set(&err, XD_EIO, "cannot write standard output");
    }
    if (st != XD_OK && err.message[0]) {
        fprintf(stderr, "crossdock x12 render: %s\n", err.message);
    }
    xd_x12_renderer_destroy(rd);
    xd_x12_writer_destroy(w);
    xd_buf_cleanup(&out);
    return st == XD_OK ? 0 : 1;
}

int xd_cli__x12_render(int argc, char **argv)
{
    struct render_args a;
    memset(&a, 0, sizeof a);
    int rc = parse_render_args(argc, argv, &a);
    if (rc >= 0) {
        return rc;
    }
    struct xd_x12_map *map = NULL;
    rc = load_map(a.map_path, &map);
    if (rc != 0) {
        return rc;
    }
    struct xd_buf in;
    struct xd_error err;
    xd_error_clear(&err);
    xd_buf_init(&in, RENDER_INPUT_MAX);
    if (read_all(a.path, &in, &err) != XD_OK) {
        fprintf(stderr, "crossdock x12 render: %s\n", err.message);
        rc = 2;
    } else {
        rc = render_run(&a, map, &in);
    }
    xd_buf_cleanup(&in);
    xd_x12_map_destroy(map);
    return rc;
}
