/* SPDX-License-Identifier: MIT
 * Thin wrappers over OpenSSL's EVP interfaces, plus UUIDv7 identifiers. */
#include "core/crypto.h"

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/clock.h"

/* OpenSSL 3 looks the algorithm up on every EVP_Digest(EVP_sha256()) call and allocates a
 * context each time; hashing is on the hot path of every request (tokens, audit chain), so the
 * algorithm is fetched once and each thread keeps one context. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static pthread_key_t sha256_ctx_key;

static void free_ctx(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void sha256_init(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    pthread_key_create(&sha256_ctx_key, free_ctx);
}

void xd_sha256(const void *data, size_t len, uint8_t out[XD_SHA256_LEN])
{
    pthread_once(&sha256_once, sha256_init);
    EVP_MD_CTX *ctx = pthread_getspecific(sha256_ctx_key);
    if (ctx == NULL && sha256_md != NULL) {
        ctx = EVP_MD_CTX_new();
        if (ctx != NULL) {
            pthread_setspecific(sha256_ctx_key, ctx);
        }
    }
    unsigned int n = XD_SHA256_LEN;
    if (ctx == NULL || EVP_DigestInit_ex2(ctx, sha256_md, NULL) != 1 ||
        EVP_DigestUpdate(ctx, data, len) != 1 || EVP_DigestFinal_ex(ctx, out, &n) != 1) {
        /* Out of memory for a context: the slow path cannot fail for lack of one. */
        EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
    }
}

enum xd_status xd_sha256_begin(struct xd_sha256_ctx *c)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL) {
        return XD_ENOMEM;
    }
    pthread_once(&sha256_once, sha256_init);
    if (EVP_DigestInit_ex2(md, sha256_md != NULL ? sha256_md : EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return XD_EIO;
    }
    c->md = md;
    return XD_OK;
}

void xd_sha256_update(struct xd_sha256_ctx *c, const void *data, size_t len)
{
    EVP_DigestUpdate(c->md, data, len);
}

void xd_sha256_end(struct xd_sha256_ctx *c, uint8_t out[XD_SHA256_LEN])
{
    unsigned int n = XD_SHA256_LEN;
    EVP_DigestFinal_ex(c->md, out, &n);
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
}

enum xd_status xd_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                              uint8_t out[XD_SHA256_LEN])
{
    unsigned int n = XD_SHA256_LEN;
    if (key_len > INT32_MAX) {
        return XD_EINVAL;
    }
    if (HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n) == NULL) {
        return XD_EIO;
    }
    return XD_OK;
}

enum xd_status xd_random_bytes(void *out, size_t n)
{
    if (n > INT32_MAX) {
        return XD_EINVAL;
    }
    return RAND_bytes(out, (int)n) == 1 ? XD_OK : XD_EIO;
}

/* Each thread's pool of generator output for identifiers; emptied in a forked child, whose
 * only thread would otherwise hand out the bytes its parent's thread hands out. */
#define ID_POOL 512
static _Thread_local unsigned char id_pool[ID_POOL];
static _Thread_local size_t id_pool_left;
static pthread_once_t id_pool_once = PTHREAD_ONCE_INIT;

static void id_pool_forget(void)
{
    id_pool_left = 0;
}

static void id_pool_init(void)
{
    (void)pthread_atfork(NULL, NULL, id_pool_forget);
}

enum xd_status xd_random_id_bytes(void *out, size_t n)
{
    if (n > ID_POOL / 4) {
        return xd_random_bytes(out, n);
    }
    if (id_pool_left < n) {
        pthread_once(&id_pool_once, id_pool_init);
        if (RAND_bytes(id_pool, ID_POOL) != 1) {
            return XD_EIO;
        }
        id_pool_left = ID_POOL;
    }
    unsigned char *from = id_pool + ID_POOL - id_pool_left;
    memcpy(out, from, n);
    memset(from, 0, n); /* handed out once */
    id_pool_left -= n;
    return XD_OK;
}

void xd_hex_encode(const uint8_t *in, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * len] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool xd_hex_decode(const char *in, size_t in_len, uint8_t *out, size_t out_len)
{
    if (in_len != 2 * out_len) {
        return false;
    }
    for (size_t i = 0; i < out_len; i++) {
        int hi = hexval(in[2 * i]);
        int lo = hexval(in[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

size_t xd_base64_encode(const uint8_t *in, size_t len, char *out)
{
    /* EVP_EncodeBlock takes an int; callers encode keys and signatures, never gigabytes. */
    return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

enum xd_status xd_base64_decode(const char *in, size_t in_len, uint8_t *out, size_t *out_len)
{
    if (in_len % 4 != 0 || in_len > INT32_MAX) {
        return XD_EPARSE;
    }
    int n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)in_len);
    if (n < 0) {
        return XD_EPARSE;
    }
    /* EVP_DecodeBlock counts padding bytes as data: take them off. */
    size_t pad = 0;
    if (in_len >= 1 && in[in_len - 1] == '=') {
        pad++;
    }
    if (in_len >= 2 && in[in_len - 2] == '=') {
        pad++;
    }
    *out_len = (size_t)n - pad;
    return XD_OK;
}

bool xd_ct_equal(const void *a, const void *b, size_t len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}

enum xd_status xd_id_new(char out[XD_ID_LEN + 1])
{
    uint8_t b[16];
    if (xd_random_id_bytes(b, sizeof b) != XD_OK) {
        return XD_EIO;
    }
    uint64_t ms = (uint64_t)xd_now_ms();
    for (int i = 0; i < 6; i++) {
        b[i] = (uint8_t)(ms >> (40 - 8 * i));
    }
    b[6] = (uint8_t)(0x70 | (b[6] & 0x0F)); /* version 7 */
    b[8] = (uint8_t)(0x80 | (b[8] & 0x3F)); /* RFC 9562 variant */
    char hex[33];
    xd_hex_encode(b, 16, hex);
    memcpy(out, hex, 8);
    out[8] = '-';
    memcpy(out + 9, hex + 8, 4);
    out[13] = '-';
    memcpy(out + 14, hex + 12, 4);
    out[18] = '-';
    memcpy(out + 19, hex + 16, 4);
    out[23] = '-';
    memcpy(out + 24, hex + 20, 12);
    out[36] = '\0';
    return XD_OK;
}

bool xd_id_valid(const char *s, size_t len)
{
    if (len != XD_ID_LEN) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return false;
            }
        } else if (hexval(s[i]) < 0) {
            return false;
        }
    }
    return true;
}
