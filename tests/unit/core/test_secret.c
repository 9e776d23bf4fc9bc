/* Secrets: AES-256-GCM sealing round trip, tamper detection, wrong key, wrong additional data,
 * key parsing and the key file (created 0600 once, refused when others may read it). */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"

static const char key_hex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static struct xd_secret_key *key_from(const char *text)
{
    struct xd_secret_key *k = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_secret_key_parse(text, strlen(text), &k, &err), XD_OK);
    return k;
}

/* <aad> holds a NUL between partner and name, so its length is given. */
static void seal(const struct xd_secret_key *k, const char *aad, size_t aad_len, const char *plain,
                 struct xd_buf *out)
{
    assert_int_equal(xd_secret_seal(k, aad, aad_len, plain, strlen(plain), out), XD_OK);
}

static void test_round_trip(void **state)
{
    (void)state;
    struct xd_secret_key *k = key_from(key_hex);
    struct xd_buf b;
    xd_buf_init(&b, 8192);
    seal(k, "acme\0tok", 8, "s3cret-value", &b);
    assert_int_equal(b.len, XD_SECRET_SEALED_LEN(12));
    /* The plaintext is nowhere in the sealed bytes. */
    assert_null(memmem(b.data, b.len, "s3cret", 6));
    struct xd_secret *s = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_secret_open(k, "acme\0tok", 8, b.data, b.len, &s, &err), XD_OK);
    size_t n;
    const uint8_t *v = xd_secret_reveal(s, &n);
    assert_int_equal(n, 12);
    assert_memory_equal(v, "s3cret-value", 12);
    assert_true(xd_secret_equals(s, "s3cret-value", 12));
    assert_false(xd_secret_equals(s, "s3cret-valuX", 12));
    assert_string_equal(xd_secret_redacted(s), "***");
    xd_secret_destroy(s);

    /* A random nonce per value: sealing the same value twice gives different bytes. */
    struct xd_buf b2;
    xd_buf_init(&b2, 8192);
    seal(k, "acme\0tok", 8, "s3cret-value", &b2);
    assert_int_equal(b2.len, b.len);
    assert_memory_not_equal(b2.data, b.data, b.len);
    xd_buf_cleanup(&b2);
    xd_buf_cleanup(&b);
    xd_secret_key_destroy(k);
}

static void test_tamper_detected(void **state)
{
    (void)state;
    struct xd_secret_key *k = key_from(key_hex);
    struct xd_buf b;
    xd_buf_init(&b, 8192);
    seal(k, "p\0n", 3, "value", &b);
    /* Flip one bit in each part after the header: ciphertext and tag. */
    for (size_t i = XD_SECRET_SEAL_HEADER - XD_SECRET_NONCE_LEN; i < b.len; i++) {
        char *copy = xd_memdup(b.data, b.len);
        copy[i] ^= 0x01;
        struct xd_secret *s = NULL;
        struct xd_error err = {0};
        assert_int_equal(xd_secret_open(k, "p\0n", 3, copy, b.len, &s, &err), XD_ECORRUPT);
        assert_null(s);
        xd_free(copy);
    }
    /* Other additional data: the value was sealed for another partner or name. */
    struct xd_secret *s = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_secret_open(k, "q\0n", 3, b.data, b.len, &s, &err), XD_ECORRUPT);
    /* Truncated. */
    assert_int_equal(xd_secret_open(k, "p\0n", 3, b.data, b.len - 1, &s, &err), XD_ECORRUPT);
    assert_int_equal(xd_secret_open(k, "p\0n", 3, b.data, 10, &s, &err), XD_ECORRUPT);
    xd_buf_cleanup(&b);
    xd_secret_key_destroy(k);
}

static void test_wrong_key(void **state)
{
    (void)state;
    struct xd_secret_key *k1 = key_from(key_hex);
    struct xd_secret_key *k2 = NULL;
    assert_int_equal(xd_secret_key_generate(&k2, NULL), XD_OK);
    struct xd_buf b;
    xd_buf_init(&b, 8192);
    seal(k1, "", 0, "value", &b);
    struct xd_secret *s = NULL;
    struct xd_error err = {0};
    assert_int_equal(xd_secret_open(k2, "", 0, b.data, b.len, &s, &err), XD_EPERM);
    char id1[XD_SECRET_KEY_ID_HEX + 1], id2[XD_SECRET_KEY_ID_HEX + 1];
    xd_secret_key_id(k1, id1);
    xd_secret_key_id(k2, id2);
    assert_non_null(strstr(err.message, id1));
    assert_non_null(strstr(err.message, id2));
    char sid[XD_SECRET_KEY_ID_HEX + 1];
    assert_true(xd_secret_sealed_key_id(b.data, b.len, sid));
    assert_string_equal(sid, id1);
    xd_buf_cleanup(&b);
    xd_secret_key_destroy(k1);
    xd_secret_key_destroy(k2);
}

static void test_key_parse(void **state)
{
    (void)state;
    /* The same 32 bytes in hex and in base64 are the same key. */
    struct xd_secret_key *a = key_from(key_hex);
    struct xd_secret_key *b = key_from("  AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
    char ia[XD_SECRET_KEY_ID_HEX + 1], ib[XD_SECRET_KEY_ID_HEX + 1];
    xd_secret_key_id(a, ia);
    xd_secret_key_id(b, ib);
    assert_string_equal(ia, ib);
    xd_secret_key_destroy(a);
    xd_secret_key_destroy(b);
    static const char *const bad[] = {
        "", "00", "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd", /* 30 bytes */
        "correct horse battery staple"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct xd_secret_key *k = NULL;
        struct xd_error err = {0};
        assert_int_equal(xd_secret_key_parse(bad[i], strlen(bad[i]), &k, &err), XD_EINVAL);
        assert_null(k);
        /* The message never quotes the (possibly almost right) key. */
        if (strlen(bad[i]) > 4) {
            assert_null(strstr(err.message, bad[i]));
        }
    }
}

static void test_value_bounds(void **state)
{
    (void)state;
    struct xd_secret *s = NULL;
    assert_int_equal(xd_secret_create("", 0, &s), XD_EINVAL);
    char big[XD_SECRET_MAX + 1];
    memset(big, 'x', sizeof big);
    assert_int_equal(xd_secret_create(big, sizeof big, &s), XD_EINVAL);
    assert_int_equal(xd_secret_create(big, XD_SECRET_MAX, &s), XD_OK);
    xd_secret_destroy(s);
    xd_secret_destroy(NULL);
}

static void test_key_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/xd-secret-test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    unsetenv(XD_SECRET_KEY_ENV);
    struct xd_secret_key *k1 = NULL, *k2 = NULL;
    struct xd_error err = {0};
    char src[512];
    assert_int_equal(xd_secret_key_load(dir, &k1, src, sizeof src, &err), XD_OK);
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, XD_SECRET_KEY_FILE);
    assert_string_equal(src, path);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* Loading again reads the same key, it does not make a new one. */
    assert_int_equal(xd_secret_key_load(dir, &k2, NULL, 0, &err), XD_OK);
    char i1[XD_SECRET_KEY_ID_HEX + 1], i2[XD_SECRET_KEY_ID_HEX + 1];
    xd_secret_key_id(k1, i1);
    xd_secret_key_id(k2, i2);
    assert_string_equal(i1, i2);
    xd_secret_key_destroy(k2);
    k2 = NULL;
    /* A key file others may read is refused. */
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(xd_secret_key_load(dir, &k2, NULL, 0, &err), XD_EINVAL);
    assert_non_null(strstr(err.message, "chmod 600"));
    assert_int_equal(chmod(path, 0600), 0);
    /* The environment wins over the file. */
    setenv(XD_SECRET_KEY_ENV, key_hex, 1);
    assert_int_equal(xd_secret_key_load(dir, &k2, src, sizeof src, &err), XD_OK);
    assert_non_null(strstr(src, "environment"));
    xd_secret_key_id(k2, i2);
    assert_string_not_equal(i1, i2);
    setenv(XD_SECRET_KEY_ENV, "not-a-key", 1);
    struct xd_secret_key *k3 = NULL;
    assert_int_equal(xd_secret_key_load(dir, &k3, NULL, 0, &err), XD_EINVAL);
    unsetenv(XD_SECRET_KEY_ENV);
    xd_secret_key_destroy(k1);
    xd_secret_key_destroy(k2);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),   cmocka_unit_test(test_tamper_detected),
        cmocka_unit_test(test_wrong_key),    cmocka_unit_test(test_key_parse),
        cmocka_unit_test(test_value_bounds), cmocka_unit_test(test_key_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
