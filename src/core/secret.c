/* SPDX-License-Identifier: MIT
 * Secret values and the master key: AES-256-GCM through OpenSSL's EVP interface. Plaintext
 * lives only in struct xd_secret (wiped on destroy) and in the caller's input. */
#include "core/secret.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/alloc.h"
#include "core/crypto.h"
#include "core/util.h"

#define SEAL_MAGIC     "XS1"
#define SEAL_MAGIC_LEN 3
#define KEY_TEXT_MAX   256 /* a key file holds one line of at most this */
#define KEY_ID_DOMAIN  "crossdock-secret-key-id:"

struct xd_secret {
    size_t len;
    uint8_t bytes[]; /* len bytes and a NUL */
};

struct xd_secret_key {
    uint8_t key[XD_SECRET_KEY_LEN];
    uint8_t id[XD_SECRET_KEY_ID_LEN];
};

/* ------------------------------------------------------------------------------------------ */
/* Values */

enum xd_status xd_secret_create(const void *value, size_t len, struct xd_secret **out)
{
    if (value == NULL || len == 0 || len > XD_SECRET_MAX) {
        return XD_EINVAL;
    }
    struct xd_secret *s = xd_malloc(sizeof *s + len + 1);
    if (s == NULL) {
        return XD_ENOMEM;
    }
    s->len = len;
    memcpy(s->bytes, value, len);
    s->bytes[len] = '\0';
    *out = s;
    return XD_OK;
}

void xd_secret_destroy(struct xd_secret *s)
{
    if (s == NULL) {
        return;
    }
    OPENSSL_cleanse(s->bytes, s->len + 1);
    s->len = 0;
    xd_free(s);
}

const uint8_t *xd_secret_reveal(const struct xd_secret *s, size_t *len)
{
    *len = s->len;
    return s->bytes;
}

const char *xd_secret_redacted(const struct xd_secret *s)
{
    (void)s;
    return "***";
}

bool xd_secret_equals(const struct xd_secret *s, const void *value, size_t len)
{
    return s != NULL && s->len == len && CRYPTO_memcmp(s->bytes, value, len) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The master key */

static void key_set_id(struct xd_secret_key *k)
{
    uint8_t h[XD_SHA256_LEN];
    uint8_t in[sizeof KEY_ID_DOMAIN - 1 + XD_SECRET_KEY_LEN];
    memcpy(in, KEY_ID_DOMAIN, sizeof KEY_ID_DOMAIN - 1);
    memcpy(in + sizeof KEY_ID_DOMAIN - 1, k->key, XD_SECRET_KEY_LEN);
    xd_sha256(in, sizeof in, h);
    OPENSSL_cleanse(in, sizeof in);
    memcpy(k->id, h, XD_SECRET_KEY_ID_LEN);
}

static enum xd_status key_from_bytes(const uint8_t *raw, struct xd_secret_key **out)
{
    struct xd_secret_key *k = xd_malloc(sizeof *k);
    if (k == NULL) {
        return XD_ENOMEM;
    }
    memcpy(k->key, raw, XD_SECRET_KEY_LEN);
    key_set_id(k);
    *out = k;
    return XD_OK;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

enum xd_status xd_secret_key_parse(const char *text, size_t len, struct xd_secret_key **out,
                                   struct xd_error *err)
{
    while (len > 0 && is_blank(text[0])) {
        text++;
        len--;
    }
    while (len > 0 && is_blank(text[len - 1])) {
        len--;
    }
    uint8_t raw[XD_SECRET_KEY_LEN + 3]; /* base64 decodes in groups of three */
    bool ok = false;
    if (len == 2 * XD_SECRET_KEY_LEN) {
        ok = xd_hex_decode(text, len, raw, XD_SECRET_KEY_LEN);
    } else if (len == 44) {
        size_t n = 0;
        ok = xd_base64_decode(text, len, raw, &n) == XD_OK && n == XD_SECRET_KEY_LEN;
    }
    enum xd_status st = XD_OK;
    if (!ok) {
        /* Never quote the text: it may be a real key with one character wrong. */
        st = xd_error_set(err, XD_EINVAL,
                          "the secret key must be 64 hex digits or the base64 of 32 bytes "
                          "(got %zu characters)",
                          len);
    } else {
        st = key_from_bytes(raw, out);
        if (st != XD_OK) {
            xd_error_set(err, st, "secret key: %s", xd_strerror(st));
        }
    }
    OPENSSL_cleanse(raw, sizeof raw);
    return st;
}

enum xd_status xd_secret_key_generate(struct xd_secret_key **out,
                                      char hex_out[2 * XD_SECRET_KEY_LEN + 1])
{
    uint8_t raw[XD_SECRET_KEY_LEN];
    enum xd_status st = xd_random_bytes(raw, sizeof raw);
    if (st == XD_OK) {
        st = key_from_bytes(raw, out);
    }
    if (st == XD_OK && hex_out != NULL) {
        xd_hex_encode(raw, sizeof raw, hex_out);
    }
    OPENSSL_cleanse(raw, sizeof raw);
    return st;
}

void xd_secret_key_destroy(struct xd_secret_key *k)
{
    if (k == NULL) {
        return;
    }
    OPENSSL_cleanse(k, sizeof *k);
    xd_free(k);
}

void xd_secret_key_id(const struct xd_secret_key *k, char out[XD_SECRET_KEY_ID_HEX + 1])
{
    xd_hex_encode(k->id, XD_SECRET_KEY_ID_LEN, out);
}

enum xd_status xd_secret_key_read_file(const char *path, struct xd_secret_key **out,
                                       struct xd_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return xd_error_set(err, e == ENOENT ? XD_ENOTFOUND : XD_EIO, "%s: %s", path, strerror(e));
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return xd_error_set(err, XD_EIO, "%s: %s", path, strerror(e));
    }
    if ((sb.st_mode & 077) != 0) {
        close(fd);
        return xd_error_set(err, XD_EINVAL,
                            "%s: group or others may access it (mode %04o); run chmod 600 %s", path,
                            (unsigned)(sb.st_mode & 07777), path);
    }
    char text[KEY_TEXT_MAX + 1];
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fd, text + got, sizeof text - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
        if (got == sizeof text) {
            break;
        }
    }
    close(fd);
    enum xd_status st;
    if (got > KEY_TEXT_MAX) {
        st = xd_error_set(err, XD_EINVAL, "%s: not a key file (too long)", path);
    } else {
        struct xd_error e2 = {0};
        st = xd_secret_key_parse(text, got, out, &e2);
        if (st != XD_OK) {
            xd_error_set(err, st, "%s: %s", path, e2.message);
        }
    }
    OPENSSL_cleanse(text, sizeof text);
    return st;
}

static enum xd_status write_fd_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return XD_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    return XD_OK;
}

/* Write a new key into <path> unless one appeared meanwhile: the key goes into a private
 * temporary file, is fsynced, then hard-linked to <path>, which fails when the name exists,
 * so of two processes racing exactly one key wins and both use it. */
static enum xd_status key_file_create(const char *dir, const char *path, struct xd_error *err)
{
    char tmp[4096];
    uint8_t rnd[8];
    char rhex[17];
    if (xd_random_bytes(rnd, sizeof rnd) != XD_OK) {
        return xd_error_set(err, XD_EIO, "no randomness for a secret key");
    }
    xd_hex_encode(rnd, sizeof rnd, rhex);
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.%s", path, rhex);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        return xd_error_set(err, XD_EINVAL, "data directory path too long");
    }
    struct xd_secret_key *k = NULL;
    char hex[2 * XD_SECRET_KEY_LEN + 2];
    if (xd_secret_key_generate(&k, hex) != XD_OK) {
        return xd_error_set(err, XD_EIO, "cannot generate a secret key");
    }
    xd_secret_key_destroy(k);
    hex[2 * XD_SECRET_KEY_LEN] = '\n';
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    enum xd_status st = XD_OK;
    if (fd < 0) {
        st = xd_error_set(err, XD_EIO, "create %s: %s", tmp, strerror(errno));
    } else {
        if (write_fd_all(fd, hex, 2 * XD_SECRET_KEY_LEN + 1) != XD_OK || fsync(fd) != 0) {
            st = xd_error_set(err, XD_EIO, "write %s: %s", tmp, strerror(errno));
        }
        close(fd);
        if (st == XD_OK && link(tmp, path) != 0 && errno != EEXIST) {
            st = xd_error_set(err, XD_EIO, "link %s: %s", path, strerror(errno));
        }
        unlink(tmp);
    }
    OPENSSL_cleanse(hex, sizeof hex);
    return st == XD_OK ? xd_fsync_dir(dir, err) : st;
}

enum xd_status xd_secret_key_load(const char *data_dir, struct xd_secret_key **out,
                                  char *source_buf, size_t source_cap, struct xd_error *err)
{
    const char *env = getenv(XD_SECRET_KEY_ENV);
    if (env != NULL && env[0] != '\0') {
        if (source_buf != NULL && source_cap > 0) {
            snprintf(source_buf, source_cap, "environment (%s)", XD_SECRET_KEY_ENV);
        }
        struct xd_error e2 = {0};
        enum xd_status st = xd_secret_key_parse(env, strlen(env), out, &e2);
        if (st != XD_OK) {
            xd_error_set(err, st, "%s: %s", XD_SECRET_KEY_ENV, e2.message);
        }
        return st;
    }
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", data_dir, XD_SECRET_KEY_FILE);
    if (n < 0 || (size_t)n >= sizeof path) {
        return xd_error_set(err, XD_EINVAL, "data directory path too long");
    }
    if (source_buf != NULL && source_cap > 0) {
        snprintf(source_buf, source_cap, "%s", path);
    }
    enum xd_status st = xd_secret_key_read_file(path, out, err);
    if (st != XD_ENOTFOUND) {
        return st;
    }
    st = xd_mkdirs(data_dir, 0700, err);
    if (st == XD_OK) {
        st = key_file_create(data_dir, path, err);
    }
    return st == XD_OK ? xd_secret_key_read_file(path, out, err) : st;
}

/* ------------------------------------------------------------------------------------------ */
/* Sealing */

static bool int_sized(size_t n)
{
    return n <= (size_t)INT32_MAX;
}

enum xd_status xd_secret_seal(const struct xd_secret_key *k, const void *aad, size_t aad_len,
                              const void *plain, size_t len, struct xd_buf *out)
{
    if (k == NULL || plain == NULL || len == 0 || len > XD_SECRET_MAX || !int_sized(aad_len) ||
        (aad == NULL && aad_len > 0)) {
        return XD_EINVAL;
    }
    uint8_t sealed[XD_SECRET_SEALED_LEN(XD_SECRET_MAX)];
    uint8_t *nonce = sealed + SEAL_MAGIC_LEN + XD_SECRET_KEY_ID_LEN;
    uint8_t *ct = nonce + XD_SECRET_NONCE_LEN;
    memcpy(sealed, SEAL_MAGIC, SEAL_MAGIC_LEN);
    memcpy(sealed + SEAL_MAGIC_LEN, k->id, XD_SECRET_KEY_ID_LEN);
    if (xd_random_bytes(nonce, XD_SECRET_NONCE_LEN) != XD_OK) {
        return XD_EIO;
    }
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (c == NULL) {
        return XD_ENOMEM;
    }
    int outl = 0;
    int fin = 0;
    bool ok = EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, XD_SECRET_NONCE_LEN, NULL) == 1 &&
              EVP_EncryptInit_ex(c, NULL, NULL, k->key, nonce) == 1 &&
              (aad_len == 0 || EVP_EncryptUpdate(c, NULL, &outl, aad, (int)aad_len) == 1) &&
              EVP_EncryptUpdate(c, ct, &outl, plain, (int)len) == 1 && (size_t)outl == len &&
              EVP_EncryptFinal_ex(c, ct + outl, &fin) == 1 && fin == 0 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, XD_SECRET_TAG_LEN, ct + len) == 1;
    EVP_CIPHER_CTX_free(c);
    enum xd_status st = ok ? xd_buf_append(out, sealed, XD_SECRET_SEALED_LEN(len)) : XD_EIO;
    OPENSSL_cleanse(sealed, sizeof sealed);
    return st;
}

bool xd_secret_sealed_key_id(const void *sealed, size_t len, char out[XD_SECRET_KEY_ID_HEX + 1])
{
    const uint8_t *p = sealed;
    if (sealed == NULL || len < XD_SECRET_SEALED_LEN(1) ||
        memcmp(p, SEAL_MAGIC, SEAL_MAGIC_LEN) != 0) {
        return false;
    }
    xd_hex_encode(p + SEAL_MAGIC_LEN, XD_SECRET_KEY_ID_LEN, out);
    return true;
}

enum xd_status xd_secret_open(const struct xd_secret_key *k, const void *aad, size_t aad_len,
                              const void *sealed, size_t len, struct xd_secret **out,
                              struct xd_error *err)
{
    const uint8_t *p = sealed;
    char have[XD_SECRET_KEY_ID_HEX + 1];
    if (k == NULL || !int_sized(aad_len) || (aad == NULL && aad_len > 0)) {
        return xd_error_set(err, XD_EINVAL, "secret open: bad arguments");
    }
    if (len > XD_SECRET_SEALED_LEN(XD_SECRET_MAX) || !xd_secret_sealed_key_id(sealed, len, have)) {
        return xd_error_set(err, XD_ECORRUPT, "sealed secret is malformed");
    }
    if (memcmp(p + SEAL_MAGIC_LEN, k->id, XD_SECRET_KEY_ID_LEN) != 0) {
        char want[XD_SECRET_KEY_ID_HEX + 1];
        xd_secret_key_id(k, want);
        return xd_error_set(err, XD_EPERM,
                            "secret was sealed with key %s, the current key is %s (wrong "
                            "CROSSDOCK_SECRET_KEY or key file?)",
                            have, want);
    }
    const uint8_t *nonce = p + SEAL_MAGIC_LEN + XD_SECRET_KEY_ID_LEN;
    const uint8_t *ct = nonce + XD_SECRET_NONCE_LEN;
    size_t ct_len = len - XD_SECRET_SEAL_HEADER - XD_SECRET_TAG_LEN;
    uint8_t plain[XD_SECRET_MAX];
    uint8_t tag[XD_SECRET_TAG_LEN];
    memcpy(tag, ct + ct_len, sizeof tag);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (c == NULL) {
        return xd_error_set(err, XD_ENOMEM, "secret open: out of memory");
    }
    int outl = 0;
    int fin = 0;
    bool ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, XD_SECRET_NONCE_LEN, NULL) == 1 &&
              EVP_DecryptInit_ex(c, NULL, NULL, k->key, nonce) == 1 &&
              (aad_len == 0 || EVP_DecryptUpdate(c, NULL, &outl, aad, (int)aad_len) == 1) &&
              EVP_DecryptUpdate(c, plain, &outl, ct, (int)ct_len) == 1 && (size_t)outl == ct_len &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, XD_SECRET_TAG_LEN, tag) == 1 &&
              EVP_DecryptFinal_ex(c, plain + outl, &fin) == 1;
    EVP_CIPHER_CTX_free(c);
    enum xd_status st;
    if (!ok) {
        st = xd_error_set(err, XD_ECORRUPT,
                          "sealed secret failed authentication (tampered, or sealed for "
                          "another partner or name)");
    } else {
        st = xd_secret_create(plain, ct_len, out);
        if (st != XD_OK) {
            xd_error_set(err, st, "secret open: %s", xd_strerror(st));
        }
    }
    OPENSSL_cleanse(plain, sizeof plain);
    return st;
}
