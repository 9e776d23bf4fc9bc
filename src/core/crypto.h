/* SPDX-License-Identifier: MIT
 * Hashes, MACs, randomness and identifiers (OpenSSL libcrypto underneath). */
#ifndef XD_CORE_CRYPTO_H
#define XD_CORE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define XD_SHA256_LEN     32
#define XD_SHA256_HEX_LEN 64
#define XD_ID_LEN         36 /* canonical UUID text, without NUL */

void xd_sha256(const void *data, size_t len, uint8_t out[XD_SHA256_LEN]);

/* Incremental SHA-256 over several pieces (hash chains, request fingerprints). */
struct xd_sha256_ctx {
    void *md; /* EVP_MD_CTX, private */
};
enum xd_status xd_sha256_begin(struct xd_sha256_ctx *c) XD_NODISCARD;
void xd_sha256_update(struct xd_sha256_ctx *c, const void *data, size_t len);
void xd_sha256_end(struct xd_sha256_ctx *c, uint8_t out[XD_SHA256_LEN]);

enum xd_status xd_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                              uint8_t out[XD_SHA256_LEN]) XD_NODISCARD;

/* Cryptographically secure random bytes. XD_EIO when the generator fails. */
enum xd_status xd_random_bytes(void *out, size_t n) XD_NODISCARD;
/* The same generator's bytes for identifiers (UUIDs, trace ids), drawn from a pool per thread
 * that is refilled 512 bytes at a time: RAND_bytes per identifier cost the hub more than the
 * identifiers themselves. Not for keys, tokens or nonces: use xd_random_bytes. */
enum xd_status xd_random_id_bytes(void *out, size_t n) XD_NODISCARD;

/* Lower-case hex of <len> bytes into <out> (2*len+1 bytes). */
void xd_hex_encode(const uint8_t *in, size_t len, char *out);
/* Decode exactly 2*out_len hex digits; false on any other input. */
bool xd_hex_decode(const char *in, size_t in_len, uint8_t *out, size_t out_len);

/* Standard base64 with padding. <out> needs 4*((len+2)/3)+1 bytes; returns the length. */
size_t xd_base64_encode(const uint8_t *in, size_t len, char *out);
/* Decode base64 (standard alphabet, padding required); XD_EPARSE when malformed.
 * <out> needs 3*(in_len/4) bytes. */
enum xd_status xd_base64_decode(const char *in, size_t in_len, uint8_t *out,
                                size_t *out_len) XD_NODISCARD;

/* Compare in time independent of where the inputs differ (tokens, signatures). */
bool xd_ct_equal(const void *a, const void *b, size_t len);

/* A new UUIDv7 (time-ordered, 74 random bits) as text into <out> (XD_ID_LEN + 1 bytes). */
enum xd_status xd_id_new(char out[XD_ID_LEN + 1]) XD_NODISCARD;
/* True for a well-formed UUID text (any version), lower or upper case. */
bool xd_id_valid(const char *s, size_t len);

#endif
