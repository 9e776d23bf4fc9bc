/* SPDX-License-Identifier: MIT
 * crossdock partner: apply, list and show talk to a running hub over HTTP (--url and --token,
 * or CROSSDOCK_URL and CROSSDOCK_TOKEN); test is the offline onboarding harness, which reads
 * the profile and sample files and touches nothing else.
 *
 * apply sends each file whole: the hub applies it or refuses it with every problem, printed as
 * FILE:LINE:COLUMN: path: message. With --secrets, credential values come from a separate file
 * (partner id -> credential name -> value) and the profile goes as its JSON form; problem
 * positions are then looked up in the profile file itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libfyaml.h>

#include "cli/cli.h"
#include "core/core.h"
#include "partner/partner.h"

#define RESPONSE_MAX ((size_t)64 * 1024 * 1024)
#define FILE_MAX     XD_PARTNER_MAX_BYTES
#define DEFAULT_URL  "http://127.0.0.1:8080"

static void usage(FILE *f)
{
    fprintf(
        f, "usage: crossdock partner apply FILE... [--secrets FILE] [--url URL] [--token T]\n"
           "       crossdock partner list [--url URL] [--token T]\n"
           "       crossdock partner show ID [--yaml] [--version N] [--url URL] [--token T]\n"
           "       crossdock partner test PROFILE SAMPLE... [--format F] [--type T] [--quiet]\n"
           "\n"
           "apply   sends each profile (YAML, or JSON for *.json) to the hub: created, updated or\n"
           "        unchanged with its version, or every problem as FILE:LINE:COLUMN. --secrets\n"
           "        takes credential values from a YAML file: partner-id: {credential: value}.\n"
           "list    the partners in effect.\n"
           "show    a profile as the hub holds it (secrets shown as ***), JSON or --yaml.\n"
           "test    runs sample partner files through PROFILE offline: the format (detected,\n"
           "        or --format json|x12|csv|fixed_width, --type DOCUMENT_TYPE for flat files),\n"
           "        the mapping and canonical validation; prints what the ERP would receive.\n"
           "        Exit 0 only when every sample passes.\n"
           "The hub is --url (or CROSSDOCK_URL, default " DEFAULT_URL "); the token --token\n"
           "(or CROSSDOCK_TOKEN).\n");
}

/* ------------------------------------------------------------------------------------------ */
/* Options */

struct opts {
    const char *url;
    const char *token;
    const char *secrets;
    const char *format;
    const char *type;
    const char *version;
    bool yaml;
    bool quiet;
    const char *args[256];
    size_t n_args;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof *o);
    o->url = getenv("CROSSDOCK_URL");
    o->token = getenv("CROSSDOCK_TOKEN");
    static const struct {
        const char *name;
        size_t offset;
    } valued[] = {
        {"--url", offsetof(struct opts, url)},
        {"--token", offsetof(struct opts, token)},
        {"--secrets", offsetof(struct opts, secrets)},
        {"--format", offsetof(struct opts, format)},
        {"--type", offsetof(struct opts, type)},
        {"--version", offsetof(struct opts, version)},
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--yaml") == 0) {
            o->yaml = true;
            continue;
        }
        if (strcmp(a, "--quiet") == 0) {
            o->quiet = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        size_t k = 0;
        while (k < XD_ARRAY_LEN(valued) && strcmp(a, valued[k].name) != 0) {
            k++;
        }
        if (k < XD_ARRAY_LEN(valued)) {
            if (i + 1 >= argc) {
                fprintf(stderr, "crossdock partner: missing value for %s\n", a);
                return 2;
            }
            *(const char **)((char *)o + valued[k].offset) = argv[++i];
            continue;
        }
        if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "crossdock partner: unknown option '%s'\n", a);
            return 2;
        }
        if (o->n_args == XD_ARRAY_LEN(o->args)) {
            fprintf(stderr, "crossdock partner: too many arguments\n");
            return 2;
        }
        o->args[o->n_args++] = a;
    }
    if (o->url == NULL || o->url[0] == '\0') {
        o->url = DEFAULT_URL;
    }
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* HTTP */

struct http {
    long status;
    struct xd_buf body;
    char content_type[128];
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct http *h = arg;
    size_t n = size * nmemb;
    return xd_buf_append(&h->body, data, n) == XD_OK ? n : 0;
}

/* One request; false (after a message) when no answer came. */
static bool http_do(const struct opts *o, const char *method, const char *path,
                    const char *content_type, const char *accept, const char *body, size_t len,
                    struct http *out)
{
    if (o->token == NULL || o->token[0] == '\0') {
        fprintf(stderr, "crossdock partner: no token (--token or CROSSDOCK_TOKEN)\n");
        return false;
    }
    out->status = 0;
    out->content_type[0] = '\0';
    xd_buf_init(&out->body, RESPONSE_MAX);
    CURL *c = curl_easy_init();
    if (c == NULL) {
        fprintf(stderr, "crossdock partner: cannot start an HTTP client\n");
        return false;
    }
    struct xd_buf url, auth, ct, acc;
    xd_buf_init(&url, 8192);
    xd_buf_init(&auth, 1024);
    xd_buf_init(&ct, 256);
    xd_buf_init(&acc, 256);
    bool ok = xd_buf_printf(&url, "%s%s", o->url, path) == XD_OK &&
              xd_buf_printf(&auth, "Authorization: Bearer %s", o->token) == XD_OK &&
              xd_buf_printf(&ct, "Content-Type: %s", content_type ? content_type : "") == XD_OK &&
              xd_buf_printf(&acc, "Accept: %s", accept ? accept : "application/json") == XD_OK;
    struct curl_slist *hl = NULL;
    hl = curl_slist_append(hl, auth.data);
    hl = curl_slist_append(hl, acc.data);
    hl = curl_slist_append(hl, "Expect:");
    if (content_type != NULL) {
        hl = curl_slist_append(hl, ct.data);
    }
    CURLcode rc = CURLE_OUT_OF_MEMORY;
    if (ok && hl != NULL) {
        curl_easy_setopt(c, CURLOPT_URL, url.data);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        if (body != NULL) {
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        }
        rc = curl_easy_perform(c);
    }
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
        char *t = NULL;
        if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &t) == CURLE_OK && t != NULL) {
            snprintf(out->content_type, sizeof out->content_type, "%s", t);
        }
    } else {
        fprintf(stderr, "crossdock partner: %s: %s\n", o->url, curl_easy_strerror(rc));
    }
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    xd_buf_cleanup(&url);
    xd_buf_cleanup(&auth);
    xd_buf_cleanup(&ct);
    xd_buf_cleanup(&acc);
    return rc == CURLE_OK;
}

/* The detail of a problem+json answer, or the body. */
static void print_failure(const char *what, const struct http *h)
{
    json_t *j = json_loadb(h->body.data ? h->body.data : "", h->body.len, 0, NULL);
    const char *detail = json_string_value(json_object_get(j, "detail"));
    fprintf(stderr, "%s: HTTP %ld: %s\n", what, h->status,
            detail != NULL ? detail : (h->body.data ? h->body.data : ""));
    json_decref(j);
}

/* ------------------------------------------------------------------------------------------ */
/* apply */

static bool is_json_file(const char *path)
{
    size_t n = strlen(path);
    return n > 5 && strcmp(path + n - 5, ".json") == 0;
}

/* Set credential values from the secrets file's entry for <id> into the JSON form <prof>. */
static enum xd_status merge_secrets(json_t *prof, struct fy_node *secrets_root, const char *id,
                                    const char *secrets_path)
{
    struct fy_node *mine = fy_node_mapping_lookup_by_string(secrets_root, id, FY_NT);
    if (mine == NULL) {
        return XD_OK;
    }
    json_t *creds = json_object_get(prof, "credentials");
    void *iter = NULL;
    struct fy_node_pair *pair;
    while ((pair = fy_node_mapping_iterate(mine, &iter)) != NULL) {
        const char *name = fy_node_get_scalar0(fy_node_pair_key(pair));
        size_t vlen = 0;
        const char *value = fy_node_get_scalar(fy_node_pair_value(pair), &vlen);
        json_t *cred = json_object_get(creds, name != NULL ? name : "");
        if (name == NULL || value == NULL) {
            fprintf(stderr, "%s: %s: each credential must be name: value\n", secrets_path, id);
            return XD_EINVAL;
        }
        if (cred == NULL) {
            fprintf(stderr, "%s: %s: the profile has no credential '%s'\n", secrets_path, id, name);
            return XD_EINVAL;
        }
        if (json_object_set_new(cred, "value", json_stringn(value, vlen)) != 0) {
            return XD_ENOMEM;
        }
    }
    return XD_OK;
}

/* The body to send: the file as it is, or with --secrets its JSON form with values merged. */
static enum xd_status apply_body(const struct xd_buf *text, bool json, struct fy_node *secrets_root,
                                 const char *secrets_path, char **body, size_t *len,
                                 const char **content_type)
{
    if (secrets_root == NULL) {
        *body = NULL;
        *len = text->len;
        *content_type = json ? "application/json" : "application/yaml";
        return XD_OK;
    }
    struct xd_partner_problems pr;
    xd_partner_problems_init(&pr, 1);
    struct xd_partner_profile *p = NULL;
    /* Read locally only to learn the id and the JSON form; the hub does the checking. */
    enum xd_status st = xd_partner_parse(text->data ? text->data : "", text->len,
                                         json ? XD_PARTNER_JSON : XD_PARTNER_YAML, &p, &pr);
    xd_partner_problems_cleanup(&pr);
    if (st != XD_OK) {
        return XD_EAGAIN; /* send it as it is: the hub reports its problems */
    }
    struct xd_buf out;
    xd_buf_init(&out, FILE_MAX * 2);
    st = xd_partner_to_json(p, XD_PARTNER_EMIT_REDACTED, &out);
    json_t *j = st == XD_OK ? json_loadb(out.data, out.len, 0, NULL) : NULL;
    xd_buf_cleanup(&out);
    if (j == NULL) {
        xd_partner_profile_unref(p);
        return XD_ENOMEM;
    }
    /* The JSON form never carries values: put back those the file itself gives (this is the
     * one place a value is written out on purpose: into the request to the hub). */
    json_t *creds = json_object_get(j, "credentials");
    for (size_t i = 0; i < p->n_credentials; i++) {
        const struct xd_partner_credential *cr = &p->credentials[i];
        if (cr->value == NULL) {
            json_object_del(json_object_get(creds, cr->name), "value");
            continue;
        }
        size_t vlen;
        const uint8_t *v = xd_secret_reveal(cr->value, &vlen);
        if (json_object_set_new(json_object_get(creds, cr->name), "value",
                                json_stringn((const char *)v, vlen)) != 0) {
            st = XD_ENOMEM;
        }
    }
    if (st == XD_OK) {
        st = merge_secrets(j, secrets_root, p->id, secrets_path);
    }
    xd_partner_profile_unref(p);
    if (st == XD_OK) {
        *body = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        st = *body != NULL ? XD_OK : XD_ENOMEM;
        *len = *body != NULL ? strlen(*body) : 0;
        *content_type = "application/json";
    }
    json_decref(j);
    return st;
}

/* Print each problem of a 422 as FILE:LINE:COLUMN: path: message. */
static void print_problems(const char *path, const struct http *h, const struct xd_buf *text,
                           bool json_text, bool sent_json_form)
{
    json_t *j = json_loadb(h->body.data ? h->body.data : "", h->body.len, 0, NULL);
    json_t *errs = json_object_get(j, "errors");
    struct xd_partner_problems pr;
    xd_partner_problems_init(&pr, 1000);
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e)
    {
        int line = (int)json_integer_value(json_object_get(e, "line"));
        int col = (int)json_integer_value(json_object_get(e, "column"));
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *p = json_string_value(json_object_get(e, "path"));
        const char *m = json_string_value(json_object_get(e, "message"));
        if (xd_partner_problems_add(&pr, code ? code : "", p ? p : "", sent_json_form ? 0 : line,
                                    sent_json_form ? 0 : col, "%s", m ? m : "") != XD_OK) {
            break;
        }
    }
    if (sent_json_form && !json_text) {
        /* The hub saw the JSON form: find the lines in the file itself. */
        xd_partner_problems_locate(&pr, text->data ? text->data : "", text->len, XD_PARTNER_YAML);
    }
    for (i = 0; i < pr.count; i++) {
        const struct xd_partner_problem *p = &pr.items[i];
        if (p->line > 0) {
            printf("%s:%d:%d: %s: %s\n", path, p->line, p->column,
                   p->path[0] ? p->path : "(profile)", p->message);
        } else {
            printf("%s: %s: %s\n", path, p->path[0] ? p->path : "(profile)", p->message);
        }
    }
    json_int_t omitted = json_integer_value(json_object_get(j, "errors_omitted"));
    printf("%s: refused, %zu problem(s)%s; nothing was applied\n", path, pr.count + (size_t)omitted,
           omitted > 0 ? " (not all shown)" : "");
    xd_partner_problems_cleanup(&pr);
    json_decref(j);
}

/* The partner id in a file, for the URL: parsed locally when possible, else the id key. */
static char *file_partner_id(const struct xd_buf *text, bool json)
{
    struct xd_partner_problems pr;
    xd_partner_problems_init(&pr, 1);
    struct xd_partner_profile *p = NULL;
    char *id = NULL;
    if (xd_partner_parse(text->data ? text->data : "", text->len,
                         json ? XD_PARTNER_JSON : XD_PARTNER_YAML, &p, &pr) == XD_OK) {
        id = xd_strdup(p->id);
        xd_partner_profile_unref(p);
    } else {
        /* Invalid, but the hub should still say why: take the id as written, if it is. */
        struct fy_document *d =
            fy_document_build_from_string(NULL, text->data ? text->data : "", text->len);
        const char *v = d != NULL ? fy_node_get_scalar0(fy_node_mapping_lookup_by_string(
                                        fy_document_root(d), "id", FY_NT))
                                  : NULL;
        id = v != NULL ? xd_strdup(v) : NULL;
        fy_document_destroy(d);
    }
    xd_partner_problems_cleanup(&pr);
    return id;
}

static bool url_safe(const char *id)
{
    return id[0] != '\0' &&
           strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
               strlen(id);
}

/* Apply one file; 0 applied, 1 refused or failed. */
static int apply_file(const struct opts *o, const char *path, struct fy_node *secrets)
{
    struct xd_buf text;
    xd_buf_init(&text, FILE_MAX);
    struct xd_error err = {0};
    if (xd_file_read(path, &text, &err) != XD_OK) {
        fprintf(stderr, "%s: %s\n", path, err.message);
        xd_buf_cleanup(&text);
        return 1;
    }
    bool json = is_json_file(path);
    char *id = file_partner_id(&text, json);
    if (id == NULL || !url_safe(id)) {
        printf("%s: refused: the profile has no valid id\n", path);
        xd_free(id);
        xd_buf_cleanup(&text);
        return 1;
    }
    char *body = NULL;
    size_t len = 0;
    const char *ct = NULL;
    enum xd_status st = apply_body(&text, json, secrets, o->secrets, &body, &len, &ct);
    bool json_form = st == XD_OK && body != NULL;
    if (st == XD_EAGAIN) {
        st = XD_OK;
        len = text.len;
        ct = json ? "application/json" : "application/yaml";
    }
    int rc = 1;
    struct xd_buf urlpath;
    xd_buf_init(&urlpath, 512);
    struct http h;
    if (st == XD_OK && xd_buf_printf(&urlpath, "/v1/partners/%s", id) == XD_OK &&
        http_do(o, "PUT", urlpath.data, ct, NULL, json_form ? body : (text.data ? text.data : ""),
                len, &h)) {
        json_t *j = json_loadb(h.body.data ? h.body.data : "", h.body.len, 0, NULL);
        if (h.status == 200 || h.status == 201) {
            bool unchanged = json_is_true(json_object_get(j, "unchanged"));
            printf("%s: %s %s, version %lld\n", path, id,
                   h.status == 201 ? "created"
                   : unchanged     ? "unchanged"
                                   : "updated",
                   (long long)json_integer_value(json_object_get(j, "version")));
            rc = 0;
        } else if (h.status == 422) {
            print_problems(path, &h, &text, json, json_form);
        } else {
            print_failure(path, &h);
        }
        json_decref(j);
        xd_buf_cleanup(&h.body);
    }
    free(body);
    xd_buf_cleanup(&urlpath);
    xd_free(id);
    xd_buf_cleanup(&text);
    return rc;
}

static int cmd_apply(const struct opts *o)
{
    if (o->n_args == 0) {
        usage(stderr);
        return 2;
    }
    struct fy_document *sd = NULL;
    struct fy_node *secrets = NULL;
    if (o->secrets != NULL) {
        struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET};
        sd = fy_document_build_from_file(&cfg, o->secrets);
        secrets = sd != NULL ? fy_document_root(sd) : NULL;
        if (secrets == NULL || !fy_node_is_mapping(secrets)) {
            fprintf(stderr, "%s: not a YAML mapping of partner id to credentials\n", o->secrets);
            fy_document_destroy(sd);
            return 2;
        }
    }
    int rc = 0;
    for (size_t i = 0; i < o->n_args; i++) {
        rc |= apply_file(o, o->args[i], secrets);
    }
    fy_document_destroy(sd);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* list, show */

static int cmd_list(const struct opts *o)
{
    struct http h;
    if (!http_do(o, "GET", "/v1/partners", NULL, NULL, NULL, 0, &h)) {
        return 1;
    }
    int rc = 0;
    json_t *j = json_loadb(h.body.data ? h.body.data : "", h.body.len, 0, NULL);
    if (h.status != 200 || j == NULL) {
        print_failure("crossdock partner list", &h);
        rc = 1;
    } else {
        printf("%-32s  %-12s  %7s  %-24s  %s\n", "ID", "ROLE", "VERSION", "UPDATED", "NAME");
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(j, "partners"), i, p)
        {
            printf("%-32s  %-12s  %7lld  %-24s  %s\n", json_string_value(json_object_get(p, "id")),
                   json_string_value(json_object_get(p, "role")),
                   (long long)json_integer_value(json_object_get(p, "version")),
                   json_string_value(json_object_get(p, "updated_at")),
                   json_string_value(json_object_get(p, "name")));
        }
    }
    json_decref(j);
    xd_buf_cleanup(&h.body);
    return rc;
}

static int cmd_show(const struct opts *o)
{
    if (o->n_args != 1 || !url_safe(o->args[0])) {
        usage(stderr);
        return 2;
    }
    struct xd_buf path;
    xd_buf_init(&path, 512);
    if (xd_buf_printf(&path, "/v1/partners/%s%s%s", o->args[0], o->version ? "?version=" : "",
                      o->version ? o->version : "") != XD_OK) {
        xd_buf_cleanup(&path);
        return 1;
    }
    struct http h;
    bool ok = http_do(o, "GET", path.data, NULL, o->yaml ? "application/yaml" : "application/json",
                      NULL, 0, &h);
    xd_buf_cleanup(&path);
    if (!ok) {
        return 1;
    }
    int rc = 0;
    if (h.status != 200) {
        print_failure("crossdock partner show", &h);
        rc = 1;
    } else if (o->yaml) {
        fwrite(h.body.data, 1, h.body.len, stdout);
    } else {
        json_t *j = json_loadb(h.body.data, h.body.len, 0, NULL);
        if (j != NULL && json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0) {
            fputc('\n', stdout);
        } else {
            fwrite(h.body.data, 1, h.body.len, stdout);
        }
        json_decref(j);
    }
    xd_buf_cleanup(&h.body);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* test: the offline harness */

static const char *const formats[] = {"json", "x12", "csv", "fixed_width"};

static void print_diags(const char *file, const char *label, const struct xd_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        printf("  %s %s%s%s\n", label, d->items[i].path, d->items[i].path[0] ? ": " : "",
               d->items[i].message);
    }
    if (d->dropped > 0) {
        printf("  %s %s: and %zu more\n", label, file, d->dropped);
    }
}

static int test_sample(const struct opts *o, const struct xd_partner_profile *p, const char *path,
                       int format, int document)
{
    struct xd_buf data;
    xd_buf_init(&data, (size_t)256 * 1024 * 1024);
    struct xd_error err = {0};
    if (xd_file_read(path, &data, &err) != XD_OK) {
        fprintf(stderr, "%s: %s\n", path, err.message);
        xd_buf_cleanup(&data);
        return 1;
    }
    const char *base = strrchr(path, '/');
    struct xd_partner_sample_options so = {
        .file_name = base != NULL ? base + 1 : path, .format = format, .document = document};
    struct xd_partner_sample s;
    xd_partner_sample_init(&s);
    enum xd_status st = xd_partner_sample_run(p, &so, data.data ? data.data : "", data.len, &s);
    int rc = 1;
    if (st != XD_OK) {
        fprintf(stderr, "%s: %s\n", path, xd_strerror(st));
    } else {
        printf("== %s (%s)\n", path, s.detail);
        if (!o->quiet && json_array_size(s.documents) > 0) {
            json_dumpf(s.documents, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            fputc('\n', stdout);
        }
        print_diags(path, "mapped:", &s.notes);
        print_diags(path, "PROBLEM", &s.problems);
        printf("%s: %s\n", path, s.passed ? "PASS" : "FAIL");
        rc = s.passed ? 0 : 1;
    }
    xd_partner_sample_cleanup(&s);
    xd_buf_cleanup(&data);
    return rc;
}

static int cmd_test(const struct opts *o)
{
    if (o->n_args < 2) {
        usage(stderr);
        return 2;
    }
    int format = -1;
    int document = -1;
    for (int i = 0; o->format != NULL && i < (int)XD_ARRAY_LEN(formats); i++) {
        format = strcmp(o->format, formats[i]) == 0 ? i : format;
    }
    enum xd_canon_type t;
    if ((o->format != NULL && format < 0) ||
        (o->type != NULL && xd_canon_type_parse(o->type, strlen(o->type), &t) != XD_OK)) {
        fprintf(stderr, "crossdock partner test: --format json|x12|csv|fixed_width, --type a "
                        "canonical document type\n");
        return 2;
    }
    document = o->type != NULL ? (int)t : -1;
    const char *ppath = o->args[0];
    struct xd_buf text;
    xd_buf_init(&text, FILE_MAX);
    struct xd_error err = {0};
    if (xd_file_read(ppath, &text, &err) != XD_OK) {
        fprintf(stderr, "%s: %s\n", ppath, err.message);
        xd_buf_cleanup(&text);
        return 1;
    }
    struct xd_partner_problems pr;
    xd_partner_problems_init(&pr, 1000);
    struct xd_partner_profile *p = NULL;
    enum xd_status st =
        xd_partner_parse(text.data ? text.data : "", text.len,
                         is_json_file(ppath) ? XD_PARTNER_JSON : XD_PARTNER_YAML, &p, &pr);
    int rc = 0;
    if (st != XD_OK) {
        for (size_t i = 0; i < pr.count; i++) {
            const struct xd_partner_problem *q = &pr.items[i];
            if (q->line > 0) {
                printf("%s:%d:%d: %s: %s\n", ppath, q->line, q->column,
                       q->path[0] ? q->path : "(profile)", q->message);
            } else {
                printf("%s: %s: %s\n", ppath, q->path[0] ? q->path : "(profile)", q->message);
            }
        }
        printf("%s: the profile is invalid (%zu problem(s)); fix it first\n", ppath,
               xd_partner_problems_total(&pr));
        rc = 1;
    }
    size_t passed = 0;
    for (size_t i = 1; p != NULL && i < o->n_args; i++) {
        int r = test_sample(o, p, o->args[i], format, document);
        passed += r == 0;
        rc |= r;
    }
    if (p != NULL) {
        printf("%zu of %zu sample(s) passed\n", passed, o->n_args - 1);
    }
    xd_partner_profile_unref(p);
    xd_partner_problems_cleanup(&pr);
    xd_buf_cleanup(&text);
    return rc;
}

int xd_cmd_partner(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(const struct opts *o);
    } subs[] = {{"apply", cmd_apply}, {"list", cmd_list}, {"show", cmd_show}, {"test", cmd_test}};
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    for (size_t i = 0; i < XD_ARRAY_LEN(subs); i++) {
        if (strcmp(argv[1], subs[i].name) != 0) {
            continue;
        }
        struct opts o;
        int rc = parse_opts(argc - 1, argv + 1, &o);
        if (rc >= 0) {
            return rc;
        }
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            fprintf(stderr, "crossdock partner: cannot initialise libcurl\n");
            return 1;
        }
        rc = subs[i].run(&o);
        curl_global_cleanup();
        return rc;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}
