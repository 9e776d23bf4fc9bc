/* SPDX-License-Identifier: MIT
 * Canonical documents on one core: per-document time and MB/s of decode (which includes every
 * member check and the cross-field rules), validate alone (on a decoded document), encode (into
 * a fresh buffer, as the hub does per request), keys, and the hub's path decode + encode + keys,
 * for every example in examples/documents. Each figure is the best of several timed batches, so
 * other work on a shared machine shows up as spread, not as a slower figure.
 *
 * usage: bench_canon [--dir EXAMPLES_DIR] [--only TYPE] [--op OPERATION] [--ms MS_PER_FIGURE]
 * Defaults: the source tree's examples/documents, every type, every operation, 50 ms per figure
 * (~5 s in all). --op decode|compact|validate|encode|keys|hub|tree measures only that one (perf).
 * tree is what the workflow engine does with every document it drives: the stored canonical
 * JSON loaded into a jansson tree (xd_canon_tree_load) and freed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon/canon.h"
#include "canon/canon_tree.h"

#define BATCHES     5
#define ARENA_CHUNK (16 * 1024) /* the gateway's per-request arena */
#define OUT_MAX     (64u * 1024 * 1024)
#define KEYS_MAX    16
#define DEFAULT_MS  50
#define CHECK(expr)                                                                                \
    do {                                                                                           \
        if (!(expr)) {                                                                             \
            fprintf(stderr, "bench_canon: %s failed at line %d\n", #expr, __LINE__);               \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* decode reads the example as it is in the file (indented); compact reads the encoder's output
 * (what bench/ingest posts); hub is compact + encode + keys, the canonical share of a POST. */
enum op { OP_DECODE, OP_COMPACT, OP_VALIDATE, OP_ENCODE, OP_KEYS, OP_HUB, OP_TREE, OP_COUNT };
static const char *const op_names[OP_COUNT] = {"decode", "compact", "validate", "encode",
                                               "keys",   "hub",     "tree"};
static const char *const op_labels[OP_COUNT] = {
    "decode (as in file)", "decode (compact)",  "validate", "encode", "keys",
    "decode+encode+keys",  "tree load and free"};

struct sample {
    const char *json;
    size_t len;
    char *compact; /* the encoder's output of json */
    size_t encoded_len;
    struct xd_arena *arena; /* reset by every decode */
    struct xd_arena *keep;  /* holds <doc> for the operations that need one */
    const struct xd_canon_doc *doc;
    volatile size_t sink; /* keeps results alive */
};

static void run_once(struct sample *s, enum op op)
{
    struct xd_canon_doc *doc = NULL;
    struct xd_buf out;
    struct xd_canon_key keys[KEYS_MAX];
    size_t total = 0;
    switch (op) {
    case OP_DECODE:
    case OP_COMPACT:
        xd_arena_reset(s->arena);
        CHECK(op == OP_DECODE
                  ? xd_canon_decode(s->json, s->len, s->arena, &doc, NULL) == XD_OK
                  : xd_canon_decode(s->compact, s->encoded_len, s->arena, &doc, NULL) == XD_OK);
        s->sink += (size_t)doc->type;
        return;
    case OP_VALIDATE:
        CHECK(xd_canon_validate(s->doc, NULL) == XD_OK);
        return;
    case OP_ENCODE:
        xd_buf_init(&out, OUT_MAX);
        CHECK(xd_canon_encode(s->doc, &out) == XD_OK);
        s->sink += out.len;
        xd_buf_cleanup(&out);
        return;
    case OP_KEYS:
        s->sink += xd_canon_keys(s->doc, keys, KEYS_MAX, &total);
        return;
    case OP_HUB:
        xd_arena_reset(s->arena);
        CHECK(xd_canon_decode(s->compact, s->encoded_len, s->arena, &doc, NULL) == XD_OK);
        xd_buf_init(&out, OUT_MAX);
        CHECK(xd_canon_encode(doc, &out) == XD_OK);
        s->sink += xd_canon_keys(doc, keys, KEYS_MAX, &total) + out.len;
        xd_buf_cleanup(&out);
        return;
    case OP_TREE: {
        xd_arena_reset(s->arena);
        json_t *tree = xd_canon_tree_load(s->compact, s->encoded_len, s->arena);
        CHECK(tree != NULL);
        s->sink += json_object_size(tree);
        json_decref(tree);
        return;
    }
    case OP_COUNT:
        break;
    }
}

static double batch_ns(struct sample *s, enum op op, long n)
{
    int64_t t0 = xd_mono_ns();
    for (long i = 0; i < n; i++) {
        run_once(s, op);
    }
    return (double)(xd_mono_ns() - t0);
}

/* Best per-document time in ns over BATCHES batches sharing <ms> milliseconds. */
static double measure(struct sample *s, enum op op, long ms)
{
    long n = 1;
    double t = batch_ns(s, op, n); /* also warms caches and the arena's first block */
    while (t < 2e6 && n < (1L << 30)) {
        n *= 2;
        t = batch_ns(s, op, n);
    }
    double per = t / (double)n;
    long per_batch = (long)((double)ms * 1e6 / BATCHES / per);
    per_batch = per_batch < 1 ? 1 : per_batch;
    double best = per;
    for (int b = 0; b < BATCHES; b++) {
        double x = batch_ns(s, op, per_batch) / (double)per_batch;
        best = x < best ? x : best;
    }
    return best;
}

static char *read_example(const char *dir, const char *type, size_t *len)
{
    char path[1024];
    int w = snprintf(path, sizeof path, "%s/%s.json", dir, type);
    CHECK(w > 0 && (size_t)w < sizeof path);
    struct xd_buf b;
    struct xd_error err;
    xd_error_clear(&err);
    xd_buf_init(&b, XD_CANON_MAX_INPUT);
    if (xd_file_read(path, &b, &err) != XD_OK) {
        fprintf(stderr, "bench_canon: %s: %s\n", path, err.message);
        exit(1);
    }
    return xd_buf_steal(&b, len);
}

static void bench_type(const char *dir, enum xd_canon_type t, long ms, const char *only_op)
{
    const char *name = xd_canon_type_name(t);
    struct sample s = {0};
    char *text = read_example(dir, name, &s.len);
    s.json = text;
    s.arena = xd_arena_create(ARENA_CHUNK, 0);
    s.keep = xd_arena_create(ARENA_CHUNK, 0);
    CHECK(s.arena != NULL && s.keep != NULL);
    struct xd_canon_doc *doc = NULL;
    CHECK(xd_canon_decode(s.json, s.len, s.keep, &doc, NULL) == XD_OK);
    s.doc = doc;
    struct xd_buf out;
    xd_buf_init(&out, OUT_MAX);
    CHECK(xd_canon_encode(doc, &out) == XD_OK);
    s.compact = xd_buf_steal(&out, &s.encoded_len);
    CHECK(s.compact != NULL);

    /* The purchase order is the one the hub is measured with: give it more time. */
    long budget = t == XD_CANON_PURCHASE_ORDER ? 3 * ms : ms;
    printf("%-22s %6zu B in %6zu B out\n", name, s.len, s.encoded_len);
    for (int op = 0; op < OP_COUNT; op++) {
        if (only_op != NULL && strcmp(only_op, op_names[op]) != 0) {
            continue;
        }
        double ns = measure(&s, (enum op)op, budget);
        size_t bytes = op == OP_DECODE || op == OP_VALIDATE ? s.len : s.encoded_len;
        if (op == OP_KEYS) {
            printf("  %-20s %9.2f us/doc\n", op_labels[op], ns / 1e3);
        } else {
            printf("  %-20s %9.2f us/doc %9.1f MB/s\n", op_labels[op], ns / 1e3,
                   (double)bytes / ns * 1e3);
        }
    }
    xd_arena_destroy(s.arena);
    xd_arena_destroy(s.keep);
    xd_free(s.compact);
    xd_free(text);
}

int main(int argc, char **argv)
{
    const char *dir = XD_SOURCE_DIR "/examples/documents";
    const char *only = NULL;
    const char *only_op = NULL;
    long ms = DEFAULT_MS;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else if (strcmp(argv[i], "--op") == 0 && i + 1 < argc) {
            only_op = argv[++i];
        } else if (strcmp(argv[i], "--ms") == 0 && i + 1 < argc) {
            int64_t v = 0;
            if (xd_parse_i64(argv[i + 1], strlen(argv[i + 1]), 1, 600000, &v) != XD_OK) {
                fprintf(stderr, "bench_canon: --ms takes 1 to 600000\n");
                return 2;
            }
            ms = (long)v;
            i++;
        } else {
            fprintf(stderr, "usage: bench_canon [--dir DIR] [--only TYPE] [--op OP] [--ms MS]\n");
            return 2;
        }
    }
    printf("canonical documents, one core, best of %d batches (%ld ms per figure)\n", BATCHES, ms);
    for (int t = 0; t < XD_CANON_TYPE_COUNT; t++) {
        if (only == NULL || strcmp(only, xd_canon_type_name((enum xd_canon_type)t)) == 0) {
            bench_type(dir, (enum xd_canon_type)t, ms, only_op);
        }
    }
    return 0;
}
