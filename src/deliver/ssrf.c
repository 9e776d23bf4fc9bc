/* SPDX-License-Identifier: MIT
 * What an endpoint may reach (server-side request forgery guard): the special-purpose address
 * ranges of IPv4 and IPv6 as one table, the IPv6 forms that carry an IPv4 address, allow-list
 * ranges, and the URL split and redaction the engine needs to check a host and show it.
 * The engine resolves a host itself, checks every address here, and pins the one it checked
 * (CURLOPT_CONNECT_TO) so a second DNS answer cannot take the connection elsewhere.
 * Pure functions; no thread owns anything here. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "deliver/deliver_int.h"

#define NO_EMBED (-1)

/* The special-purpose ranges (IANA IPv4 and IPv6 Special-Purpose Address Registries, plus
 * multicast). The longest matching prefix decides. <embed>: offset of an IPv4 address carried
 * inside the IPv6 one, which is then classified instead. */
static const struct range {
    int family;
    uint8_t prefix[16];
    unsigned len;
    enum xd_deliver__addr_class c;
    int embed;
} ranges[] = {
    {AF_INET, {0}, 8, XD_DELIVER__ADDR_UNSPECIFIED, NO_EMBED},   /* "this network" */
    {AF_INET, {10}, 8, XD_DELIVER__ADDR_PRIVATE, NO_EMBED},      /* RFC 1918 */
    {AF_INET, {100, 64}, 10, XD_DELIVER__ADDR_SHARED, NO_EMBED}, /* RFC 6598 CGNAT */
    {AF_INET, {127}, 8, XD_DELIVER__ADDR_LOOPBACK, NO_EMBED},
    {AF_INET, {169, 254}, 16, XD_DELIVER__ADDR_LINK_LOCAL, NO_EMBED},
    {AF_INET, {172, 16}, 12, XD_DELIVER__ADDR_PRIVATE, NO_EMBED},       /* RFC 1918 */
    {AF_INET, {192, 0, 0}, 24, XD_DELIVER__ADDR_RESERVED, NO_EMBED},    /* IETF assignments */
    {AF_INET, {192, 0, 2}, 24, XD_DELIVER__ADDR_RESERVED, NO_EMBED},    /* TEST-NET-1 */
    {AF_INET, {192, 88, 99}, 24, XD_DELIVER__ADDR_RESERVED, NO_EMBED},  /* 6to4 relays */
    {AF_INET, {192, 168}, 16, XD_DELIVER__ADDR_PRIVATE, NO_EMBED},      /* RFC 1918 */
    {AF_INET, {198, 18}, 15, XD_DELIVER__ADDR_RESERVED, NO_EMBED},      /* benchmarking */
    {AF_INET, {198, 51, 100}, 24, XD_DELIVER__ADDR_RESERVED, NO_EMBED}, /* TEST-NET-2 */
    {AF_INET, {203, 0, 113}, 24, XD_DELIVER__ADDR_RESERVED, NO_EMBED},  /* TEST-NET-3 */
    {AF_INET, {224}, 4, XD_DELIVER__ADDR_MULTICAST, NO_EMBED},
    {AF_INET, {240}, 4, XD_DELIVER__ADDR_RESERVED, NO_EMBED},
    {AF_INET, {255, 255, 255, 255}, 32, XD_DELIVER__ADDR_BROADCAST, NO_EMBED},

    {AF_INET6, {0}, 128, XD_DELIVER__ADDR_UNSPECIFIED, NO_EMBED},
    {AF_INET6, {[15] = 1}, 128, XD_DELIVER__ADDR_LOOPBACK, NO_EMBED},
    {AF_INET6, {0}, 96, XD_DELIVER__ADDR_PUBLIC, 12},                        /* IPv4-compatible */
    {AF_INET6, {[10] = 0xff, [11] = 0xff}, 96, XD_DELIVER__ADDR_PUBLIC, 12}, /* IPv4-mapped */
    {AF_INET6, {0, 0x64, 0xff, 0x9b}, 96, XD_DELIVER__ADDR_PUBLIC, 12},      /* NAT64 well-known */
    {AF_INET6, {0, 0x64, 0xff, 0x9b, 0, 1}, 48, XD_DELIVER__ADDR_PRIVATE, NO_EMBED}, /* local */
    {AF_INET6, {1, 0}, 64, XD_DELIVER__ADDR_RESERVED, NO_EMBED},       /* discard-only */
    {AF_INET6, {0x20, 0x01}, 23, XD_DELIVER__ADDR_RESERVED, NO_EMBED}, /* IETF assignments */
    {AF_INET6, {0x20, 0x01, 0, 0}, 32, XD_DELIVER__ADDR_TRANSLATED, NO_EMBED},     /* Teredo */
    {AF_INET6, {0x20, 0x01, 0x0d, 0xb8}, 32, XD_DELIVER__ADDR_RESERVED, NO_EMBED}, /* docs */
    {AF_INET6, {0x20, 0x02}, 16, XD_DELIVER__ADDR_PUBLIC, 2},                      /* 6to4 */
    {AF_INET6, {0x3f, 0xff}, 20, XD_DELIVER__ADDR_RESERVED, NO_EMBED}, /* documentation */
    {AF_INET6, {0x5f, 0x00}, 16, XD_DELIVER__ADDR_RESERVED, NO_EMBED}, /* SRv6 SIDs */
    {AF_INET6, {0xfc}, 7, XD_DELIVER__ADDR_PRIVATE, NO_EMBED},         /* unique local */
    {AF_INET6, {0xfe, 0x80}, 10, XD_DELIVER__ADDR_LINK_LOCAL, NO_EMBED},
    {AF_INET6, {0xfe, 0xc0}, 10, XD_DELIVER__ADDR_PRIVATE, NO_EMBED}, /* site-local */
    {AF_INET6, {0xff}, 8, XD_DELIVER__ADDR_MULTICAST, NO_EMBED},
};

static const char *const class_names[] = {
    [XD_DELIVER__ADDR_PUBLIC] = "public",
    [XD_DELIVER__ADDR_UNSPECIFIED] = "unspecified",
    [XD_DELIVER__ADDR_LOOPBACK] = "loopback",
    [XD_DELIVER__ADDR_PRIVATE] = "private",
    [XD_DELIVER__ADDR_SHARED] = "shared (carrier-grade NAT)",
    [XD_DELIVER__ADDR_LINK_LOCAL] = "link-local",
    [XD_DELIVER__ADDR_MULTICAST] = "multicast",
    [XD_DELIVER__ADDR_BROADCAST] = "broadcast",
    [XD_DELIVER__ADDR_RESERVED] = "reserved",
    [XD_DELIVER__ADDR_TRANSLATED] = "a translation address",
};

const char *xd_deliver__addr_class_name(enum xd_deliver__addr_class c)
{
    return (size_t)c < XD_ARRAY_LEN(class_names) ? class_names[c] : "unknown";
}

static bool prefix_match(const uint8_t *a, const uint8_t *prefix, unsigned len)
{
    unsigned whole = len / 8;
    if (memcmp(a, prefix, whole) != 0) {
        return false;
    }
    unsigned bits = len % 8;
    if (bits == 0) {
        return true;
    }
    uint8_t mask = (uint8_t)(0xff << (8 - bits));
    return (a[whole] & mask) == (prefix[whole] & mask);
}

static const struct range *longest(int family, const uint8_t *addr)
{
    const struct range *best = NULL;
    for (size_t i = 0; i < XD_ARRAY_LEN(ranges); i++) {
        const struct range *r = &ranges[i];
        if (r->family == family && prefix_match(addr, r->prefix, r->len) &&
            (best == NULL || r->len > best->len)) {
            best = r;
        }
    }
    return best;
}

enum xd_deliver__addr_class xd_deliver__addr_classify(int family, const uint8_t *addr)
{
    if (family != AF_INET && family != AF_INET6) {
        return XD_DELIVER__ADDR_RESERVED;
    }
    const struct range *r = longest(family, addr);
    if (r != NULL && r->embed != NO_EMBED) {
        r = longest(AF_INET, addr + r->embed); /* an IPv4 range never embeds again */
    }
    return r != NULL ? r->c : XD_DELIVER__ADDR_PUBLIC;
}

bool xd_deliver__cidr_match(const struct xd_deliver_cidr *c, int family, const uint8_t *addr)
{
    return c->family == family && prefix_match(addr, c->addr, c->prefix);
}

bool xd_deliver__addr_allowed(const struct xd_deliver_endpoint *e, int family, const uint8_t *addr,
                              char *why, size_t why_cap)
{
    enum xd_deliver__addr_class c = xd_deliver__addr_classify(family, addr);
    if (c == XD_DELIVER__ADDR_PUBLIC) {
        return true;
    }
    const struct range *r = family == AF_INET6 ? longest(family, addr) : NULL;
    const uint8_t *v4 = r != NULL && r->embed != NO_EMBED ? addr + r->embed : NULL;
    for (size_t i = 0; i < e->n_allow; i++) {
        if (xd_deliver__cidr_match(&e->allow[i], family, addr) ||
            (v4 != NULL && xd_deliver__cidr_match(&e->allow[i], AF_INET, v4))) {
            return true;
        }
    }
    char text[INET6_ADDRSTRLEN];
    if (inet_ntop(family, addr, text, sizeof text) == NULL) {
        snprintf(text, sizeof text, "?");
    }
    snprintf(why, why_cap, "%s is %s and not in the endpoint's allow-list", text,
             xd_deliver__addr_class_name(c));
    return false;
}

enum xd_status xd_deliver_cidr_parse(const char *text, struct xd_deliver_cidr *out)
{
    char host[INET6_ADDRSTRLEN];
    const char *slash = strchr(text, '/');
    size_t hlen = slash != NULL ? (size_t)(slash - text) : strlen(text);
    if (hlen == 0 || hlen >= sizeof host) {
        return XD_EINVAL;
    }
    memcpy(host, text, hlen);
    host[hlen] = '\0';
    struct xd_deliver_cidr c = {0};
    if (inet_pton(AF_INET, host, c.addr) == 1) {
        c.family = AF_INET;
    } else if (inet_pton(AF_INET6, host, c.addr) == 1) {
        c.family = AF_INET6;
    } else {
        return XD_EINVAL;
    }
    uint64_t bits = c.family == AF_INET ? 32 : 128;
    if (slash != NULL) {
        uint64_t max = bits;
        if (xd_parse_u64(slash + 1, strlen(slash + 1), max, &bits) != XD_OK) {
            return XD_EINVAL;
        }
    }
    c.prefix = (unsigned)bits;
    *out = c;
    return XD_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* URLs */

static enum xd_status url_part(CURLU *u, CURLUPart what, unsigned flags, char *out, size_t cap)
{
    char *v = NULL;
    CURLUcode rc = curl_url_get(u, what, &v, flags);
    if (rc != CURLUE_OK) {
        return XD_ENOTFOUND;
    }
    size_t n = strlen(v);
    enum xd_status st = n < cap ? XD_OK : XD_ETOOBIG;
    if (st == XD_OK) {
        memcpy(out, v, n + 1);
    }
    curl_free(v);
    return st;
}

enum xd_status xd_deliver__url_parse(const char *url, struct xd_deliver__url *out,
                                     struct xd_error *err)
{
    CURLU *u = curl_url();
    if (u == NULL) {
        return xd_error_set(err, XD_ENOMEM, "out of memory");
    }
    struct xd_deliver__url r = {0};
    char port[8];
    char user[8];
    enum xd_status st = XD_OK;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        st = xd_error_set(err, XD_EINVAL, "not an absolute URL");
    } else if (url_part(u, CURLUPART_SCHEME, 0, r.scheme, sizeof r.scheme) != XD_OK ||
               (strcmp(r.scheme, "http") != 0 && strcmp(r.scheme, "https") != 0)) {
        st = xd_error_set(err, XD_EINVAL, "the URL must be http:// or https://");
    } else if (url_part(u, CURLUPART_USER, 0, user, sizeof user) != XD_ENOTFOUND) {
        st = xd_error_set(err, XD_EINVAL,
                          "credentials belong in the authentication settings, not in the URL");
    } else if (url_part(u, CURLUPART_HOST, 0, r.host, sizeof r.host) != XD_OK) {
        st = xd_error_set(err, XD_EINVAL, "the URL has no host (or a host too long)");
    } else if (url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT, port, sizeof port) != XD_OK) {
        st = xd_error_set(err, XD_EINVAL, "the URL has no usable port");
    }
    curl_url_cleanup(u);
    if (st != XD_OK) {
        return st;
    }
    uint64_t p = 0;
    if (xd_parse_u64(port, strlen(port), 65535, &p) != XD_OK || p == 0) {
        return xd_error_set(err, XD_EINVAL, "the URL's port is not 1-65535");
    }
    r.port = (unsigned)p;
    size_t hl = strlen(r.host);
    if (hl >= 2 && r.host[0] == '[' && r.host[hl - 1] == ']') {
        memmove(r.host, r.host + 1, hl - 2);
        r.host[hl - 2] = '\0';
    }
    if (inet_pton(AF_INET, r.host, r.addr) == 1) {
        r.host_is_ip = true;
        r.family = AF_INET;
    } else if (inet_pton(AF_INET6, r.host, r.addr) == 1) {
        r.host_is_ip = true;
        r.family = AF_INET6;
    }
    *out = r;
    return XD_OK;
}

enum xd_status xd_deliver__url_redact(const char *url, char *out, size_t cap)
{
    CURLU *u = curl_url();
    if (u == NULL) {
        return XD_ENOMEM;
    }
    enum xd_status st = XD_EINVAL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_QUERY, NULL, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK) {
        st = url_part(u, CURLUPART_URL, 0, out, cap);
    }
    curl_url_cleanup(u);
    return st;
}
