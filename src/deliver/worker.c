/* SPDX-License-Identifier: MIT
 * Workers: the blocking steps of attempts, off the engine thread so a slow DNS server or a
 * slow disk never stalls the transfers of other endpoints. A step is a DNS lookup (every
 * address of the host, for the engine to check), a file outbox write or an ERP post.
 * Threads: the work queue is under work_mu; an attempt belongs to the worker that took it until
 * it is handed back through the engine's inbox. The queue is bounded by the engine's in-flight
 * limit: an attempt is queued at most once. */
#include <netinet/in.h>
#include <sys/socket.h>

#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "deliver/deliver_int.h"

static void resolve(struct xd_deliver__xfer *x)
{
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    struct addrinfo *res = NULL;
    x->n_addrs = 0;
    x->resolve_error = getaddrinfo(x->url.host, NULL, &hints, &res);
    for (struct addrinfo *ai = res; ai != NULL && x->n_addrs < XD_DELIVER__DNS_ADDRS;
         ai = ai->ai_next) {
        uint8_t a[16] = {0};
        if (ai->ai_family == AF_INET) {
            memcpy(a, &((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr, 4);
        } else if (ai->ai_family == AF_INET6) {
            memcpy(a, &((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_addr, 16);
        } else {
            continue;
        }
        bool dup = false;
        for (size_t k = 0; k < x->n_addrs && !dup; k++) {
            dup = x->addrs[k].family == ai->ai_family && memcmp(x->addrs[k].addr, a, 16) == 0;
        }
        if (!dup) {
            x->addrs[x->n_addrs].family = ai->ai_family;
            memcpy(x->addrs[x->n_addrs].addr, a, 16);
            x->n_addrs++;
        }
    }
    if (res != NULL) {
        freeaddrinfo(res);
    }
}

static void write_file(struct xd_deliver__xfer *x)
{
    char dir[4096];
    char name[512];
    struct xd_error err = {0};
    int n = snprintf(dir, sizeof dir, "%s/%s/outbox", x->d->partners_dir, x->q->partner);
    if (n < 0 || (size_t)n >= sizeof dir) {
        x->file_status = XD_ETOOBIG;
        snprintf(x->file_error, sizeof x->file_error, "file outbox path too long");
        return;
    }
    x->file_status = xd_deliver__file_name(x->seq, x->q->endpoint, x->msg.id, x->msg.content_type,
                                           name, sizeof name);
    if (x->file_status == XD_OK) {
        x->file_status = xd_deliver__file_write(dir, name, x->msg.body, x->msg.body_len, &err);
    }
    if (x->file_status != XD_OK) {
        snprintf(x->file_error, sizeof x->file_error, "%s",
                 err.message[0] ? err.message : xd_strerror(x->file_status));
    }
}

/* Hand the message to the ERP connector: it blocks for as long as the ERP takes. */
static void post_erp(struct xd_deliver__xfer *x)
{
    struct xd_deliver *d = x->d;
    x->erp_detail[0] = '\0';
    if (d->opts.erp_post == NULL) {
        x->erp_result = XD_DELIVER_ERP_RETRY;
        snprintf(x->erp_detail, sizeof x->erp_detail, "no ERP connector in this process");
        return;
    }
    x->erp_result = d->opts.erp_post(d->opts.erp_arg, x->q->partner, x->msg.body, x->msg.body_len,
                                     x->cfg->timeout_ms, x->erp_detail, sizeof x->erp_detail);
}

static void *worker_main(void *arg)
{
    pthread_setname_np(pthread_self(), "xd-deliver-io"); /* shown by top -H, perf, gdb */
    struct xd_deliver *d = arg;
    for (;;) {
        pthread_mutex_lock(&d->work_mu);
        while (d->work_head == NULL && !d->work_stop) {
            pthread_cond_wait(&d->work_cv, &d->work_mu);
        }
        struct xd_deliver__xfer *x = d->work_head;
        if (x == NULL) {
            pthread_mutex_unlock(&d->work_mu);
            return NULL; /* stopping, and nothing is left */
        }
        d->work_head = x->next;
        if (d->work_head == NULL) {
            d->work_tail = NULL;
        }
        pthread_mutex_unlock(&d->work_mu);
        if (x->step == XD_DELIVER__STEP_RESOLVE) {
            resolve(x);
        } else if (x->step == XD_DELIVER__STEP_ERP) {
            post_erp(x);
        } else {
            write_file(x);
        }
        xd_deliver__inbox_step(d, x);
    }
}

void xd_deliver__workers_post(struct xd_deliver *d, struct xd_deliver__xfer *x)
{
    x->next = NULL;
    pthread_mutex_lock(&d->work_mu);
    if (d->work_tail != NULL) {
        d->work_tail->next = x;
    } else {
        d->work_head = x;
    }
    d->work_tail = x;
    pthread_cond_signal(&d->work_cv);
    pthread_mutex_unlock(&d->work_mu);
}

enum xd_status xd_deliver__workers_start(struct xd_deliver *d, unsigned n)
{
    d->workers = xd_calloc(n, sizeof *d->workers);
    if (d->workers == NULL) {
        return XD_ENOMEM;
    }
    for (unsigned i = 0; i < n; i++) {
        if (pthread_create(&d->workers[i], NULL, worker_main, d) != 0) {
            xd_deliver__workers_stop(d);
            return XD_ENOMEM;
        }
        d->n_workers++;
    }
    return XD_OK;
}

void xd_deliver__workers_stop(struct xd_deliver *d)
{
    pthread_mutex_lock(&d->work_mu);
    d->work_stop = true;
    pthread_cond_broadcast(&d->work_cv);
    pthread_mutex_unlock(&d->work_mu);
    for (unsigned i = 0; i < d->n_workers; i++) {
        pthread_join(d->workers[i], NULL);
    }
    d->n_workers = 0;
    xd_free(d->workers);
    d->workers = NULL;
}
