/* SPDX-License-Identifier: MIT
 * Secrets: values that must never be logged or shown (tokens, passwords, HMAC keys), and the
 * master key that encrypts them at rest with AES-256-GCM.
 *
 * struct xd_secret is opaque: its bytes are reachable only through xd_secret_reveal, a name that
 * stands out in review, and are wiped when it is destroyed. Because it is a struct and not a
 * string, handing one to a printf-style function by mistake (XD_LOG_INFO(..., "%s", secret))
 * is a -Wformat error under -Werror; xd_secret_redacted gives the "***" to print instead.
 *
 * Sealed values are self-describing: "XS1" | key id (8 bytes) | nonce (12) | ciphertext | tag
 * (16). The nonce is random per value; the caller's additional data (for partner credentials
 * the partner id and the credential name) is authenticated, so a sealed value moved to another
 * partner or name no longer opens. */
#ifndef XD_CORE_SECRET_H
#define XD_CORE_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"

#define XD_SECRET_MAX         4096 /* bytes of one secret value */
#define XD_SECRET_KEY_LEN     32   /* AES-256 */
#define XD_SECRET_KEY_ID_LEN  8
#define XD_SECRET_KEY_ID_HEX  (2 * XD_SECRET_KEY_ID_LEN)
#define XD_SECRET_NONCE_LEN   12
#define XD_SECRET_TAG_LEN     16
#define XD_SECRET_SEAL_HEADER (3 + XD_SECRET_KEY_ID_LEN + XD_SECRET_NONCE_LEN)
/* Bytes a sealed value of <n> plaintext bytes takes. */
#define XD_SECRET_SEALED_LEN(n) (XD_SECRET_SEAL_HEADER + (n) + XD_SECRET_TAG_LEN)

/* The environment variable holding the master key: 64 hex digits or base64 of 32 bytes. */
#define XD_SECRET_KEY_ENV  "CROSSDOCK_SECRET_KEY"
#define XD_SECRET_KEY_FILE "secret.key" /* in the data directory, when the variable is unset */

struct xd_secret;
struct xd_secret_key;

/* A copy of <len> bytes (1..XD_SECRET_MAX) of <value>. XD_EINVAL for an empty or oversized
 * value, XD_ENOMEM. The caller owns *out (xd_secret_destroy). */
enum xd_status xd_secret_create(const void *value, size_t len, struct xd_secret **out) XD_NODISCARD;
/* Wipe and free. NULL-safe. */
void xd_secret_destroy(struct xd_secret *s);
/* The bytes, NUL-terminated for convenience (the value itself may hold NUL). Valid until
 * destroy. Use only where the value leaves the process on purpose (an Authorization header, an
 * HMAC key), never in a message. */
const uint8_t *xd_secret_reveal(const struct xd_secret *s, size_t *len);
/* What to print instead of the value: always "***". */
const char *xd_secret_redacted(const struct xd_secret *s);
/* Constant-time comparison with <len> bytes of <value> (the time depends on lengths only). */
bool xd_secret_equals(const struct xd_secret *s, const void *value, size_t len);

/* ---- the master key ---- */

/* Parse a key written as 64 hex digits or as base64 of exactly 32 bytes (surrounding blanks
 * and a final newline are ignored). XD_EINVAL with a message that never quotes the text. */
enum xd_status xd_secret_key_parse(const char *text, size_t len, struct xd_secret_key **out,
                                   struct xd_error *err) XD_NODISCARD;
/* A new random key, and its text form (64 hex digits and NUL) when <hex_out> is not NULL. */
enum xd_status xd_secret_key_generate(struct xd_secret_key **out,
                                      char hex_out[2 * XD_SECRET_KEY_LEN + 1]) XD_NODISCARD;
/* The hub's key: CROSSDOCK_SECRET_KEY when set; otherwise <data_dir>/secret.key, created with
 * a new random key (mode 0600, written and fsynced before it is linked into place, so two
 * processes starting together agree on one key) when missing. A key file that group or others
 * may read is refused. *source says which ("environment" or the file's path; static or in
 * <source_buf> of <source_cap> bytes). XD_EINVAL (malformed key, bad permissions), XD_EIO. */
enum xd_status xd_secret_key_load(const char *data_dir, struct xd_secret_key **out,
                                  char *source_buf, size_t source_cap,
                                  struct xd_error *err) XD_NODISCARD;
/* Read a key file written by xd_secret_key_load (or by an operator): same checks. */
enum xd_status xd_secret_key_read_file(const char *path, struct xd_secret_key **out,
                                       struct xd_error *err) XD_NODISCARD;
/* Wipe and free. NULL-safe. */
void xd_secret_key_destroy(struct xd_secret_key *k);
/* Identifier of a key (not secret: a truncated hash of it), lower-case hex with NUL. */
void xd_secret_key_id(const struct xd_secret_key *k, char out[XD_SECRET_KEY_ID_HEX + 1]);

/* Encrypt <len> bytes (1..XD_SECRET_MAX) with <aad> authenticated alongside; append the sealed
 * value to <out>. XD_EINVAL, XD_ETOOBIG (out's cap), XD_EIO (no randomness, OpenSSL failure). */
enum xd_status xd_secret_seal(const struct xd_secret_key *k, const void *aad, size_t aad_len,
                              const void *plain, size_t len, struct xd_buf *out) XD_NODISCARD;
/* Decrypt a sealed value. XD_EPERM when it was sealed with another key (the message names both
 * key ids); XD_ECORRUPT when it is malformed or fails authentication (tampered bytes, other
 * additional data). The caller owns *out. */
enum xd_status xd_secret_open(const struct xd_secret_key *k, const void *aad, size_t aad_len,
                              const void *sealed, size_t len, struct xd_secret **out,
                              struct xd_error *err) XD_NODISCARD;
/* The key id recorded in a sealed value (hex), false when it is too short or not sealed. */
bool xd_secret_sealed_key_id(const void *sealed, size_t len, char out[XD_SECRET_KEY_ID_HEX + 1]);

#endif
