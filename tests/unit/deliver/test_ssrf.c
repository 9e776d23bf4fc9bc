/* The address guard: every special-purpose range of IPv4 and IPv6, the IPv6 forms that carry an
 * IPv4 address, allow-lists, and the URL split the engine checks hosts with. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "deliver/deliver_int.h"

static enum xd_deliver__addr_class classify(const char *text, int *family, uint8_t addr[16])
{
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, text, addr) == 1) {
        *family = AF_INET;
    } else if (inet_pton(AF_INET6, text, addr) == 1) {
        *family = AF_INET6;
    } else {
        fail_msg("bad test address %s", text);
    }
    return xd_deliver__addr_classify(*family, addr);
}

static void test_every_range(void **state)
{
    (void)state;
    const struct {
        const char *addr;
        enum xd_deliver__addr_class c;
    } cases[] = {
        /* IPv4 */
        {"0.0.0.0", XD_DELIVER__ADDR_UNSPECIFIED},
        {"0.1.2.3", XD_DELIVER__ADDR_UNSPECIFIED},
        {"10.0.0.1", XD_DELIVER__ADDR_PRIVATE},
        {"10.255.255.255", XD_DELIVER__ADDR_PRIVATE},
        {"100.64.0.1", XD_DELIVER__ADDR_SHARED},
        {"100.127.255.255", XD_DELIVER__ADDR_SHARED},
        {"100.128.0.1", XD_DELIVER__ADDR_PUBLIC},
        {"100.63.255.255", XD_DELIVER__ADDR_PUBLIC},
        {"127.0.0.1", XD_DELIVER__ADDR_LOOPBACK},
        {"127.255.255.254", XD_DELIVER__ADDR_LOOPBACK},
        {"169.254.169.254", XD_DELIVER__ADDR_LINK_LOCAL}, /* cloud metadata */
        {"172.16.0.1", XD_DELIVER__ADDR_PRIVATE},
        {"172.31.255.255", XD_DELIVER__ADDR_PRIVATE},
        {"172.32.0.1", XD_DELIVER__ADDR_PUBLIC},
        {"172.15.255.255", XD_DELIVER__ADDR_PUBLIC},
        {"192.0.0.8", XD_DELIVER__ADDR_RESERVED},
        {"192.0.2.55", XD_DELIVER__ADDR_RESERVED},
        {"192.88.99.1", XD_DELIVER__ADDR_RESERVED},
        {"192.168.1.1", XD_DELIVER__ADDR_PRIVATE},
        {"198.18.0.1", XD_DELIVER__ADDR_RESERVED},
        {"198.19.255.255", XD_DELIVER__ADDR_RESERVED},
        {"198.20.0.1", XD_DELIVER__ADDR_PUBLIC},
        {"198.51.100.7", XD_DELIVER__ADDR_RESERVED},
        {"203.0.113.9", XD_DELIVER__ADDR_RESERVED},
        {"224.0.0.1", XD_DELIVER__ADDR_MULTICAST},
        {"239.255.255.250", XD_DELIVER__ADDR_MULTICAST},
        {"240.0.0.1", XD_DELIVER__ADDR_RESERVED},
        {"255.255.255.255", XD_DELIVER__ADDR_BROADCAST},
        {"8.8.8.8", XD_DELIVER__ADDR_PUBLIC},
        {"1.1.1.1", XD_DELIVER__ADDR_PUBLIC},
        /* IPv6 */
        {"::", XD_DELIVER__ADDR_UNSPECIFIED},
        {"::1", XD_DELIVER__ADDR_LOOPBACK},
        {"fe80::1", XD_DELIVER__ADDR_LINK_LOCAL},
        {"febf::1", XD_DELIVER__ADDR_LINK_LOCAL},
        {"fec0::1", XD_DELIVER__ADDR_PRIVATE},
        {"fc00::1", XD_DELIVER__ADDR_PRIVATE},
        {"fd12:3456:789a::1", XD_DELIVER__ADDR_PRIVATE},
        {"ff02::1", XD_DELIVER__ADDR_MULTICAST},
        {"ff05::2", XD_DELIVER__ADDR_MULTICAST},
        {"2001:db8::1", XD_DELIVER__ADDR_RESERVED},
        {"3fff::1", XD_DELIVER__ADDR_RESERVED},
        {"100::1", XD_DELIVER__ADDR_RESERVED},
        {"2001::1", XD_DELIVER__ADDR_TRANSLATED}, /* Teredo */
        {"64:ff9b:1::1", XD_DELIVER__ADDR_PRIVATE},
        {"2606:4700:4700::1111", XD_DELIVER__ADDR_PUBLIC},
        {"2a00:1450:4001::200e", XD_DELIVER__ADDR_PUBLIC},
        /* IPv4 inside IPv6: classified by the IPv4 address */
        {"::ffff:127.0.0.1", XD_DELIVER__ADDR_LOOPBACK},
        {"::ffff:10.1.2.3", XD_DELIVER__ADDR_PRIVATE},
        {"::ffff:169.254.169.254", XD_DELIVER__ADDR_LINK_LOCAL},
        {"::ffff:8.8.8.8", XD_DELIVER__ADDR_PUBLIC},
        {"::127.0.0.1", XD_DELIVER__ADDR_LOOPBACK}, /* IPv4-compatible */
        {"::192.168.0.1", XD_DELIVER__ADDR_PRIVATE},
        {"64:ff9b::7f00:1", XD_DELIVER__ADDR_LOOPBACK}, /* NAT64 of 127.0.0.1 */
        {"64:ff9b::a00:1", XD_DELIVER__ADDR_PRIVATE},
        {"64:ff9b::808:808", XD_DELIVER__ADDR_PUBLIC},
        {"2002:7f00:1::1", XD_DELIVER__ADDR_LOOPBACK}, /* 6to4 of 127.0.0.1 */
        {"2002:c0a8:101::1", XD_DELIVER__ADDR_PRIVATE},
        {"2002:808:808::1", XD_DELIVER__ADDR_PUBLIC},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int family = 0;
        uint8_t a[16];
        enum xd_deliver__addr_class c = classify(cases[i].addr, &family, a);
        if (c != cases[i].c) {
            fail_msg("%s is %s, want %s", cases[i].addr, xd_deliver__addr_class_name(c),
                     xd_deliver__addr_class_name(cases[i].c));
        }
    }
}

static void test_allow_list(void **state)
{
    (void)state;
    struct xd_deliver_endpoint e;
    xd_deliver_endpoint_defaults(&e);
    char why[256];
    int family = 0;
    uint8_t a[16];
    classify("127.0.0.1", &family, a);
    assert_false(xd_deliver__addr_allowed(&e, family, a, why, sizeof why));
    assert_non_null(strstr(why, "127.0.0.1 is loopback"));
    classify("8.8.8.8", &family, a);
    assert_true(xd_deliver__addr_allowed(&e, family, a, why, sizeof why));

    assert_int_equal(xd_deliver_cidr_parse("127.0.0.0/8", &e.allow[e.n_allow++]), XD_OK);
    assert_int_equal(xd_deliver_cidr_parse("fd00::/8", &e.allow[e.n_allow++]), XD_OK);
    const struct {
        const char *addr;
        bool allowed;
    } cases[] = {
        {"127.0.0.1", true},        {"127.9.9.9", true},    {"::ffff:127.0.0.1", true},
        {"64:ff9b::7f00:1", true},  {"::1", false},         {"10.0.0.1", false},
        {"169.254.169.254", false}, {"fd00::5", true},      {"fc00::5", false},
        {"::ffff:10.0.0.1", false}, {"2001:db8::1", false}, {"1.2.3.4", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        classify(cases[i].addr, &family, a);
        if (xd_deliver__addr_allowed(&e, family, a, why, sizeof why) != cases[i].allowed) {
            fail_msg("%s: allowed should be %d", cases[i].addr, cases[i].allowed);
        }
    }
}

static void test_cidr_parse(void **state)
{
    (void)state;
    struct xd_deliver_cidr c;
    assert_int_equal(xd_deliver_cidr_parse("10.0.0.0/8", &c), XD_OK);
    assert_int_equal(c.family, AF_INET);
    assert_int_equal(c.prefix, 8);
    assert_int_equal(xd_deliver_cidr_parse("1.2.3.4", &c), XD_OK);
    assert_int_equal(c.prefix, 32);
    assert_int_equal(xd_deliver_cidr_parse("::1", &c), XD_OK);
    assert_int_equal(c.prefix, 128);
    assert_int_equal(xd_deliver_cidr_parse("172.16.0.0/12", &c), XD_OK);
    uint8_t in[4] = {172, 31, 1, 1};
    uint8_t out[4] = {172, 32, 1, 1};
    assert_true(xd_deliver__cidr_match(&c, AF_INET, in));
    assert_false(xd_deliver__cidr_match(&c, AF_INET, out));
    const char *bad[] = {"10.0.0.0/33", "/8",          "abc",         "10.0.0.0/",
                         "::1/129",     "10.0.0.0/-1", "10.0.0.0/8x", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (xd_deliver_cidr_parse(bad[i], &c) == XD_OK) {
            fail_msg("'%s' was accepted", bad[i]);
        }
    }
}

static void test_urls(void **state)
{
    (void)state;
    struct xd_deliver__url u;
    struct xd_error err = {0};
    assert_int_equal(xd_deliver__url_parse("http://127.0.0.1:8080/hook", &u, &err), XD_OK);
    assert_true(u.host_is_ip);
    assert_int_equal(u.family, AF_INET);
    assert_int_equal(u.port, 8080);
    assert_int_equal(xd_deliver__url_parse("https://[::1]/x", &u, &err), XD_OK);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.family, AF_INET6);
    assert_int_equal(u.port, 443);
    assert_int_equal(xd_deliver__url_parse("https://hooks.example.com/in", &u, &err), XD_OK);
    assert_false(u.host_is_ip);
    assert_string_equal(u.host, "hooks.example.com");
    assert_int_equal(u.port, 443);
    assert_int_equal(xd_deliver__url_parse("http://example.com/", &u, &err), XD_OK);
    assert_int_equal(u.port, 80);
    const char *bad[] = {"ftp://example.com/", "file:///etc/passwd", "http://user:pw@h/",
                         "not a url",          "http://h:0/",        "gopher://h/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (xd_deliver__url_parse(bad[i], &u, &err) == XD_OK) {
            fail_msg("'%s' was accepted", bad[i]);
        }
    }
    char out[256];
    assert_int_equal(
        xd_deliver__url_redact("https://h.example:8443/p/q?token=s3cret#frag", out, sizeof out),
        XD_OK);
    assert_string_equal(out, "https://h.example:8443/p/q");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_range),
        cmocka_unit_test(test_allow_list),
        cmocka_unit_test(test_cidr_parse),
        cmocka_unit_test(test_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
