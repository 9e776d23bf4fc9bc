/* Test support: spawn and control the real hub, plus a small libcurl HTTP client. */
#include "hub.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

extern char **environ;

static const char *bin_path(void)
{
    const char *b = getenv("CROSSDOCK_BIN");
    return b != NULL ? b : "build-asan/crossdock";
}

int hub_run_cli(const struct test_hub *h, const char *const *args, char *out, size_t cap)
{
    int pfd[2];
    if (pipe(pfd) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        const char *argv[32];
        size_t n = 0;
        argv[n++] = h->bin;
        for (size_t i = 0; args[i] != NULL && n < 31; i++) {
            argv[n++] = args[i];
        }
        argv[n] = NULL;
        execv(h->bin, (char *const *)argv);
        _exit(127);
    }
    close(pfd[1]);
    size_t got = 0;
    char tmp[4096];
    for (;;) {
        ssize_t r = read(pfd[0], tmp, sizeof tmp);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        for (ssize_t i = 0; i < r && out != NULL && got + 1 < cap; i++) {
            out[got++] = tmp[i];
        }
    }
    if (out != NULL && cap > 0) {
        out[got] = '\0';
    }
    close(pfd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int hub_setup(struct test_hub *h, const char *data_dir)
{
    memset(h, 0, sizeof *h);
    snprintf(h->bin, sizeof h->bin, "%s", bin_path());
    snprintf(h->dir, sizeof h->dir, "/tmp/crossdock-test.XXXXXX");
    if (mkdtemp(h->dir) == NULL) {
        return -1;
    }
    if (data_dir != NULL) {
        snprintf(h->data, sizeof h->data, "%s", data_dir);
    } else {
        snprintf(h->data, sizeof h->data, "%s/data", h->dir);
    }
    snprintf(h->log, sizeof h->log, "%s/hub.log", h->dir);
    const char *args[] = {"token", "create", "--data", h->data, "--name", "test-admin", NULL};
    char out[sizeof h->token];
    if (hub_run_cli(h, args, out, sizeof out) != 0) {
        return -1;
    }
    out[strcspn(out, "\n")] = '\0';
    snprintf(h->token, sizeof h->token, "%s", out);
    return h->token[0] ? 0 : -1;
}

/* The port from the "listening on http://127.0.0.1:PORT" log line, or 0. */
static uint16_t find_port(const char *log)
{
    FILE *f = fopen(log, "r");
    if (f == NULL) {
        return 0;
    }
    char line[4096];
    uint16_t port = 0;
    while (port == 0 && fgets(line, sizeof line, f) != NULL) {
        const char *p = strstr(line, "listening on http://");
        if (p == NULL) {
            continue;
        }
        p = strchr(p + strlen("listening on http://"), ':');
        if (p != NULL) {
            port = (uint16_t)strtoul(p + 1, NULL, 10);
        }
    }
    fclose(f);
    return port;
}

int hub_start(struct test_hub *h, const char *const *extra_args, const char *const *env)
{
    /* A fresh log per start so the port line is this run's; earlier ones are kept numbered. */
    static int starts;
    char old[600];
    snprintf(old, sizeof old, "%s.%d", h->log, ++starts);
    rename(h->log, old);
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        /* A test that fails half-way must not leave its hub running. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(h->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            close(fd);
        }
        for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
            putenv((char *)env[i]);
        }
        const char *argv[40];
        size_t n = 0;
        argv[n++] = h->bin;
        argv[n++] = "serve";
        argv[n++] = "--data";
        argv[n++] = h->data;
        argv[n++] = "--listen";
        argv[n++] = "127.0.0.1:0";
        for (size_t i = 0; extra_args != NULL && extra_args[i] != NULL && n < 39; i++) {
            argv[n++] = extra_args[i];
        }
        argv[n] = NULL;
        execv(h->bin, (char *const *)argv);
        _exit(127);
    }
    h->pid = pid;
    for (int i = 0; i < 600; i++) { /* up to 30 s: ASan builds start slowly */
        h->port = find_port(h->log);
        if (h->port != 0) {
            snprintf(h->url, sizeof h->url, "http://127.0.0.1:%u", (unsigned)h->port);
            return 0;
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            h->pid = 0;
            return -1;
        }
        usleep(50000);
    }
    return -1;
}

int rcv_start(struct test_rcv *r, const struct test_hub *h, const char *dir, uint16_t port,
              const char *const *args)
{
    return sim_start(r, h, dir, "receiver", port, args);
}

int sim_start(struct test_rcv *r, const struct test_hub *h, const char *dir, const char *kind,
              uint16_t port, const char *const *args)
{
    static int starts;
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%u", (unsigned)port);
    snprintf(r->log, sizeof r->log, "%s/%s-%d.log", dir, kind, ++starts);
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(r->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            close(fd);
        }
        const char *argv[40];
        size_t n = 0;
        argv[n++] = h->bin;
        argv[n++] = "sim";
        argv[n++] = kind;
        argv[n++] = "--listen";
        argv[n++] = listen;
        for (size_t i = 0; args != NULL && args[i] != NULL && n < 39; i++) {
            argv[n++] = args[i];
        }
        argv[n] = NULL;
        execv(h->bin, (char *const *)argv);
        _exit(127);
    }
    r->pid = pid;
    for (int i = 0; i < 600; i++) {
        r->port = find_port(r->log);
        if (r->port != 0) {
            snprintf(r->url, sizeof r->url, "http://127.0.0.1:%u", (unsigned)r->port);
            return 0;
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            r->pid = 0;
            return -1;
        }
        usleep(50000);
    }
    return -1;
}

int rcv_stop(struct test_rcv *r, int sig)
{
    if (r->pid <= 0) {
        return -1;
    }
    kill(r->pid, sig);
    int status = 0;
    while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR) {
    }
    r->pid = 0;
    return status;
}

int hub_stop(struct test_hub *h, int sig)
{
    if (h->pid <= 0) {
        return -1;
    }
    kill(h->pid, sig);
    int status = 0;
    while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR) {
    }
    h->pid = 0;
    return status;
}

void hub_teardown(struct test_hub *h)
{
    if (h->pid > 0) {
        hub_stop(h, SIGKILL);
    }
    if (h->dir[0] != '\0' && getenv("CROSSDOCK_KEEP_TEST_DIRS") == NULL) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", h->dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "could not remove %s\n", h->dir);
        }
    }
}

int hub_log_count(const struct test_hub *h, const char *needle)
{
    FILE *f = fopen(h->log, "r");
    if (f == NULL) {
        return 0;
    }
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        n += strstr(line, needle) != NULL;
    }
    fclose(f);
    return n;
}

struct sink {
    char *p;
    size_t len;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct sink *s = arg;
    size_t n = size * nmemb;
    char *q = realloc(s->p, s->len + n + 1);
    if (q == NULL) {
        return 0;
    }
    memcpy(q + s->len, data, n);
    s->p = q;
    s->len += n;
    s->p[s->len] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    struct http_resp *r = arg;
    size_t n = size * nmemb;
    size_t have = strlen(r->headers);
    if (have + n + 1 < sizeof r->headers) {
        memcpy(r->headers + have, data, n);
        r->headers[have + n] = '\0';
    }
    return n;
}

int http_request(const char *method, const char *url, const char *token, const char *body,
                 size_t body_len, const char *const *headers, struct http_resp *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (c == NULL) {
        return -1;
    }
    struct curl_slist *hl = NULL;
    char auth[300];
    if (token != NULL) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        hl = curl_slist_append(hl, auth);
    }
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        hl = curl_slist_append(hl, headers[i]);
    }
    hl = curl_slist_append(hl, "Expect:");
    struct sink s = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    }
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(c);
    out->curl_code = (int)rc;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    out->body = s.p != NULL ? s.p : strdup("");
    out->len = s.len;
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? 0 : -1;
}

void http_resp_free(struct http_resp *r)
{
    free(r->body);
    r->body = NULL;
}

bool http_header(const struct http_resp *r, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *p = r->headers;
    while (*p != '\0') {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
            const char *v = p + nl + 1;
            while (*v == ' ') {
                v++;
            }
            size_t vl = len - (size_t)(v - p);
            if (vl >= cap) {
                vl = cap - 1;
            }
            memcpy(out, v, vl);
            out[vl] = '\0';
            return true;
        }
        p += len;
        if (*p != '\0') {
            p += 2;
        }
    }
    return false;
}

char *test_read_src_file(const char *rel, size_t *len)
{
    const char *src = getenv("CROSSDOCK_SRC");
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0;
    char tmp[8192];
    size_t r;
    while ((r = fread(tmp, 1, sizeof tmp, f)) > 0) {
        char *q = realloc(buf, n + r + 1);
        if (q == NULL) {
            free(buf);
            fclose(f);
            return NULL;
        }
        buf = q;
        memcpy(buf + n, tmp, r);
        n += r;
    }
    fclose(f);
    if (buf == NULL) {
        buf = calloc(1, 1);
    } else {
        buf[n] = '\0';
    }
    if (len != NULL) {
        *len = n;
    }
    return buf;
}
