/* SPDX-License-Identifier: MIT
 * Bearer tokens: the store keeps only SHA-256 hashes; a small cache in front of it spares a
 * database read per request. Entries live TOKEN_TTL_MS, so a revoked token stops working within
 * that time.
 * Threads: the cache is shared by the pool threads under one mutex held for a copy only. */
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "gateway/gw_int.h"

#define TOKEN_CACHE_SLOTS 256
#define TOKEN_TTL_MS      5000
#define TOKEN_FIELD_MAX   128

struct token_slot {
    uint8_t hash[XD_SHA256_LEN];
    int64_t expires_ms;
    char id[TOKEN_FIELD_MAX];
    char name[TOKEN_FIELD_MAX];
    char role[TOKEN_FIELD_MAX];
    char partner[TOKEN_FIELD_MAX];
    bool has_partner;
};

struct gw_token_cache {
    pthread_mutex_t mu;
    struct token_slot slots[TOKEN_CACHE_SLOTS];
};

struct gw_token_cache *xd_gw__tokens_create(void)
{
    struct gw_token_cache *c = xd_calloc(1, sizeof *c);
    if (c != NULL) {
        pthread_mutex_init(&c->mu, NULL);
    }
    return c;
}

void xd_gw__tokens_destroy(struct gw_token_cache *c)
{
    if (c == NULL) {
        return;
    }
    pthread_mutex_destroy(&c->mu);
    xd_free(c);
}

static bool cache_get(struct gw_token_cache *c, const uint8_t *hash, struct xd_gw_request *r)
{
    struct token_slot *s = &c->slots[hash[0]];
    bool hit = false;
    pthread_mutex_lock(&c->mu);
    if (s->expires_ms > xd_now_ms() && memcmp(s->hash, hash, XD_SHA256_LEN) == 0) {
        r->token.id = xd_arena_strdup(r->arena, s->id);
        r->token.name = xd_arena_strdup(r->arena, s->name);
        r->token.role = xd_arena_strdup(r->arena, s->role);
        r->token.partner = s->has_partner ? xd_arena_strdup(r->arena, s->partner) : NULL;
        hit = r->token.id != NULL && r->token.name != NULL && r->token.role != NULL;
    }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

static void copy_field(char *dst, const char *src)
{
    size_t n = strlen(src);
    if (n >= TOKEN_FIELD_MAX) {
        n = TOKEN_FIELD_MAX - 1;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void cache_put(struct gw_token_cache *c, const uint8_t *hash, const struct xd_store_token *t)
{
    /* Fields longer than a slot holds are not cached (the next request reads the store). */
    if (strlen(t->id) >= TOKEN_FIELD_MAX || strlen(t->name) >= TOKEN_FIELD_MAX ||
        strlen(t->role) >= TOKEN_FIELD_MAX ||
        (t->partner != NULL && strlen(t->partner) >= TOKEN_FIELD_MAX)) {
        return;
    }
    struct token_slot *s = &c->slots[hash[0]];
    pthread_mutex_lock(&c->mu);
    memcpy(s->hash, hash, XD_SHA256_LEN);
    copy_field(s->id, t->id);
    copy_field(s->name, t->name);
    copy_field(s->role, t->role);
    s->has_partner = t->partner != NULL;
    copy_field(s->partner, t->partner ? t->partner : "");
    s->expires_ms = xd_now_ms() + TOKEN_TTL_MS;
    pthread_mutex_unlock(&c->mu);
}

static void unauthorized(struct xd_gw_request *r, const char *detail)
{
    xd_gw__problem(r, 401, "unauthorized", "Unauthorized", NULL, "%s", detail);
    xd_gw__add_header(r, "WWW-Authenticate", "Bearer realm=\"crossdock\"");
}

bool xd_gw__authenticate(struct xd_gw_request *r)
{
    const char *h = xd_gw__header(r, "Authorization");
    if (h == NULL) {
        unauthorized(r, "this endpoint needs an Authorization: Bearer token");
        return false;
    }
    if (strncasecmp(h, "Bearer ", 7) != 0) {
        unauthorized(r, "the Authorization header must use the Bearer scheme");
        return false;
    }
    const char *tok = h + 7;
    while (*tok == ' ') {
        tok++;
    }
    size_t n = strlen(tok);
    if (n == 0 || n > 512) {
        unauthorized(r, "the bearer token is empty or too long");
        return false;
    }
    uint8_t hash[XD_SHA256_LEN];
    xd_sha256(tok, n, hash);
    if (cache_get(r->gw->tokens, hash, r)) {
        return true;
    }
    struct xd_error err;
    xd_error_clear(&err);
    enum xd_status st = xd_store_token_find(r->gw->store, hash, r->arena, &r->token, &err);
    if (st == XD_ENOTFOUND) {
        unauthorized(r, "the bearer token is not valid");
        return false;
    }
    if (st != XD_OK) {
        XD_LOG_ERROR("http", NULL, "token lookup failed: %s", err.message);
        xd_gw__unavailable(r, "cannot check the token right now");
        return false;
    }
    cache_put(r->gw->tokens, hash, &r->token);
    return true;
}
