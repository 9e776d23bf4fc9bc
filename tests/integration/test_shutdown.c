/* SIGTERM: stop accepting, finish what was accepted, exit 0. Documents answered 201 before the
 * signal are all there after a restart. */
#include <sys/wait.h>

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "docs.h"
#include "hub.h"

#define CLIENTS  3
#define MAX_DOCS 5000

static struct test_hub hub;
static atomic_int answered;
static int created[CLIENTS][MAX_DOCS];

static void *client(void *arg)
{
    int c = (int)(intptr_t)arg;
    char u[128];
    snprintf(u, sizeof u, "%s/v1/documents", hub.url);
    for (int i = 0; i < MAX_DOCS; i++) {
        char po[64], cid[96];
        snprintf(po, sizeof po, "TERM-%d-%d", c, i);
        snprintf(cid, sizeof cid, "X-Correlation-ID: term-%d-%d", c, i);
        char *doc = doc_example("purchase_order", "po_number", po, NULL);
        const char *hdr[] = {"Content-Type: application/json", cid, NULL};
        struct http_resp r;
        int rc = http_request("POST", u, hub.token, doc, strlen(doc), hdr, &r);
        free(doc);
        long status = r.status;
        http_resp_free(&r);
        if (rc != 0) {
            break; /* no longer accepting connections */
        }
        atomic_fetch_add(&answered, 1);
        assert_true(status == 201 || status == 503);
        created[c][i] = status == 201;
        if (status == 503) {
            break;
        }
    }
    return NULL;
}

static void test_sigterm_is_graceful(void **state)
{
    (void)state;
    assert_int_equal(hub_setup(&hub, NULL), 0);
    assert_int_equal(hub_start(&hub, NULL, NULL), 0);
    pthread_t th[CLIENTS];
    for (int c = 0; c < CLIENTS; c++) {
        pthread_create(&th[c], NULL, client, (void *)(intptr_t)c);
    }
    while (atomic_load(&answered) < 300) {
        usleep(1000);
    }
    int status = hub_stop(&hub, SIGTERM);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    for (int c = 0; c < CLIENTS; c++) {
        pthread_join(th[c], NULL);
    }
    assert_int_equal(hub_log_count(&hub, "stopped cleanly"), 1);
    assert_int_equal(hub_start(&hub, NULL, NULL), 0);
    int checked = 0;
    for (int c = 0; c < CLIENTS; c++) {
        for (int i = 0; i < MAX_DOCS; i++) {
            if (!created[c][i]) {
                continue;
            }
            char u[256];
            snprintf(u, sizeof u, "%s/v1/transactions/term-%d-%d", hub.url, c, i);
            struct http_resp r;
            http_request("GET", u, hub.token, NULL, 0, NULL, &r);
            assert_int_equal(r.status, 200);
            http_resp_free(&r);
            checked++;
        }
    }
    assert_true(checked >= 300 - CLIENTS);
    hub_stop(&hub, SIGTERM);
    hub_teardown(&hub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigterm_is_graceful),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
