/* SPDX-License-Identifier: MIT
 * Standard Webhooks signatures (https://www.standardwebhooks.com, "Signature scheme"): the
 * signed content is "<webhook-id>.<webhook-timestamp>.<body>", the MAC is HMAC-SHA256 with the
 * secret's bytes, and the header carries "v1," + base64 of the MAC; several signatures are
 * separated by spaces (key rotation). Secrets travel as "whsec_" + base64. Pure functions. */
#include <stdio.h>
#include <string.h>

#include "deliver/deliver.h"
#include "store/store.h"

#define SECRET_PREFIX "whsec_"
#define SIG_PREFIX    "v1,"

enum xd_status xd_deliver_secret_decode(const char *secret, uint8_t *key, size_t *key_len)
{
    size_t plen = strlen(SECRET_PREFIX);
    if (secret == NULL || strncmp(secret, SECRET_PREFIX, plen) != 0) {
        return XD_EINVAL;
    }
    const char *b64 = secret + plen;
    size_t n = strlen(b64);
    /* base64 of at most XD_DELIVER_SECRET_MAX bytes; 24 to 64 bytes is what issuers use. */
    if (n == 0 || n > (size_t)4 * (XD_DELIVER_SECRET_MAX / 3)) {
        return XD_EINVAL;
    }
    uint8_t tmp[XD_DELIVER_SECRET_MAX + 3];
    size_t len = 0;
    if (xd_base64_decode(b64, n, tmp, &len) != XD_OK || len == 0 || len > XD_DELIVER_SECRET_MAX) {
        return XD_EINVAL;
    }
    memcpy(key, tmp, len);
    *key_len = len;
    return XD_OK;
}

static enum xd_status mac(const uint8_t *key, size_t key_len, const char *msg_id, int64_t timestamp,
                          const void *body, size_t body_len, uint8_t out[XD_SHA256_LEN])
{
    char head[XD_STORE_IDEM_KEY_MAX + 32]; /* the id is an idempotency key */
    int n = snprintf(head, sizeof head, "%s.%lld.", msg_id, (long long)timestamp);
    if (n < 0 || (size_t)n >= sizeof head) {
        return XD_ETOOBIG;
    }
    /* The core's HMAC is one-shot: the signed content is assembled once (bodies are capped by
     * XD_STORE_OUTBOUND_BODY_MAX). */
    struct xd_buf buf;
    xd_buf_init(&buf, (size_t)n + body_len + 1);
    enum xd_status st = xd_buf_append(&buf, head, (size_t)n);
    if (st == XD_OK && body_len > 0) {
        st = xd_buf_append(&buf, body, body_len);
    }
    if (st == XD_OK) {
        st = xd_hmac_sha256(key, key_len, buf.data, buf.len, out);
    }
    xd_buf_cleanup(&buf);
    return st;
}

enum xd_status xd_deliver_sign(const uint8_t *key, size_t key_len, const char *msg_id,
                               int64_t timestamp, const void *body, size_t body_len,
                               char out[XD_DELIVER_SIGNATURE_MAX])
{
    uint8_t m[XD_SHA256_LEN];
    enum xd_status st = mac(key, key_len, msg_id, timestamp, body, body_len, m);
    if (st != XD_OK) {
        return st;
    }
    memcpy(out, SIG_PREFIX, sizeof SIG_PREFIX);
    xd_base64_encode(m, sizeof m, out + strlen(SIG_PREFIX));
    return XD_OK;
}

bool xd_deliver_verify(const uint8_t *key, size_t key_len, const char *msg_id, int64_t timestamp,
                       const void *body, size_t body_len, const char *header)
{
    char want[XD_DELIVER_SIGNATURE_MAX];
    if (header == NULL ||
        xd_deliver_sign(key, key_len, msg_id, timestamp, body, body_len, want) != XD_OK) {
        return false;
    }
    size_t wlen = strlen(want);
    bool ok = false;
    for (const char *p = header; *p != '\0';) {
        size_t n = strcspn(p, " ");
        /* Compare every candidate fully, so time does not tell which one matched. */
        ok |= n == wlen && xd_ct_equal(p, want, wlen);
        p += n;
        p += strspn(p, " ");
    }
    return ok;
}
