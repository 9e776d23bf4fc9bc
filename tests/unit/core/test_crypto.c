/* Hashes against published test vectors, base64, hex and identifiers. */
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/crypto.h"

static void test_sha256_vectors(void **state)
{
    (void)state;
    uint8_t h[XD_SHA256_LEN];
    char hex[XD_SHA256_HEX_LEN + 1];
    xd_sha256("abc", 3, h);
    xd_hex_encode(h, sizeof h, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    struct xd_sha256_ctx c;
    assert_int_equal(xd_sha256_begin(&c), XD_OK);
    xd_sha256_update(&c, "a", 1);
    xd_sha256_update(&c, "bc", 2);
    xd_sha256_end(&c, h);
    xd_hex_encode(h, sizeof h, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* RFC 4231 test case 2. */
    assert_int_equal(xd_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, h), XD_OK);
    xd_hex_encode(h, sizeof h, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_base64_hex(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(xd_base64_encode((const uint8_t *)"foob", 4, out), 8);
    assert_string_equal(out, "Zm9vYg==");
    uint8_t dec[8];
    size_t n = 0;
    assert_int_equal(xd_base64_decode("Zm9vYg==", 8, dec, &n), XD_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(dec, "foob", 4);
    assert_int_equal(xd_base64_decode("Zm9vY", 5, dec, &n), XD_EPARSE);
    assert_int_equal(xd_base64_decode("Zm9v!!==", 8, dec, &n), XD_EPARSE);
    uint8_t raw[2];
    assert_true(xd_hex_decode("aB0f", 4, raw, 2));
    assert_int_equal(raw[0], 0xab);
    assert_false(xd_hex_decode("zz00", 4, raw, 2));
    assert_true(xd_ct_equal("abc", "abc", 3));
    assert_false(xd_ct_equal("abc", "abd", 3));
}

static void test_ids(void **state)
{
    (void)state;
    char a[XD_ID_LEN + 1], b[XD_ID_LEN + 1];
    assert_int_equal(xd_id_new(a), XD_OK);
    assert_int_equal(xd_id_new(b), XD_OK);
    assert_true(xd_id_valid(a, strlen(a)));
    assert_string_not_equal(a, b);
    assert_int_equal(a[14], '7');
    assert_true(strchr("89ab", a[19]) != NULL);
    assert_false(xd_id_valid("not-an-id", 9));
    assert_false(xd_id_valid("0190c0de-0000-7000-8000-00000000000g", 36));
}

/* Identifier bytes: never the same twice across pool refills, and a forked child does not hand
 * out what its parent hands out next. */
static void test_id_bytes(void **state)
{
    (void)state;
    enum { N = 200 }; /* 16 bytes each: several 512-byte refills */
    static uint8_t seen[N][16];
    for (int i = 0; i < N; i++) {
        assert_int_equal(xd_random_id_bytes(seen[i], 16), XD_OK);
        for (int j = 0; j < i; j++) {
            assert_memory_not_equal(seen[i], seen[j], 16);
        }
    }
    uint8_t big[300];
    assert_int_equal(xd_random_id_bytes(big, sizeof big), XD_OK); /* past the pool: direct */

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        uint8_t child[16];
        _exit(xd_random_id_bytes(child, sizeof child) == XD_OK &&
                      write(fds[1], child, sizeof child) == (ssize_t)sizeof child
                  ? 0
                  : 1);
    }
    uint8_t parent[16], child[16];
    assert_int_equal(xd_random_id_bytes(parent, sizeof parent), XD_OK);
    assert_int_equal(read(fds[0], child, sizeof child), (ssize_t)sizeof child);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_memory_not_equal(parent, child, sizeof child);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_base64_hex),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_id_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
