/* Standard Webhooks signatures against the specification's published example, verification
 * with several signatures (key rotation), and secret decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "deliver/deliver.h"

/* The example of the Standard Webhooks reference libraries' tests. */
#define VECTOR_SECRET    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define VECTOR_ID        "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define VECTOR_TIMESTAMP 1614265330
#define VECTOR_BODY      "{\"test\": 2432232314}"
#define VECTOR_SIG       "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

static void test_known_vector(void **state)
{
    (void)state;
    uint8_t key[XD_DELIVER_SECRET_MAX];
    size_t len = 0;
    assert_int_equal(xd_deliver_secret_decode(VECTOR_SECRET, key, &len), XD_OK);
    assert_int_equal(len, 24);
    char sig[XD_DELIVER_SIGNATURE_MAX];
    assert_int_equal(xd_deliver_sign(key, len, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY,
                                     strlen(VECTOR_BODY), sig),
                     XD_OK);
    assert_string_equal(sig, VECTOR_SIG);
}

static void test_verify(void **state)
{
    (void)state;
    uint8_t key[XD_DELIVER_SECRET_MAX];
    size_t len = 0;
    assert_int_equal(xd_deliver_secret_decode(VECTOR_SECRET, key, &len), XD_OK);
    const char *body = VECTOR_BODY;
    size_t n = strlen(body);
    assert_true(xd_deliver_verify(key, len, VECTOR_ID, VECTOR_TIMESTAMP, body, n, VECTOR_SIG));
    /* Among several (rotation), in any position. */
    assert_true(xd_deliver_verify(key, len, VECTOR_ID, VECTOR_TIMESTAMP, body, n,
                                  "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " VECTOR_SIG));
    /* Anything changed fails: body, id, timestamp, key, signature. */
    assert_false(
        xd_deliver_verify(key, len, VECTOR_ID, VECTOR_TIMESTAMP, "{\"test\": 2}", 11, VECTOR_SIG));
    assert_false(xd_deliver_verify(key, len, "msg_other", VECTOR_TIMESTAMP, body, n, VECTOR_SIG));
    assert_false(xd_deliver_verify(key, len, VECTOR_ID, VECTOR_TIMESTAMP + 1, body, n, VECTOR_SIG));
    key[0] ^= 1;
    assert_false(xd_deliver_verify(key, len, VECTOR_ID, VECTOR_TIMESTAMP, body, n, VECTOR_SIG));
    key[0] ^= 1;
    assert_false(xd_deliver_verify(key, len, VECTOR_ID, VECTOR_TIMESTAMP, body, n,
                                   "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE"));
    assert_false(xd_deliver_verify(key, len, VECTOR_ID, VECTOR_TIMESTAMP, body, n, ""));
    assert_false(xd_deliver_verify(key, len, VECTOR_ID, VECTOR_TIMESTAMP, body, n, NULL));
}

static void test_secret_decode(void **state)
{
    (void)state;
    uint8_t key[XD_DELIVER_SECRET_MAX];
    size_t len = 0;
    const char *bad[] = {
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",       "whsec_", "whsec_not base64!", "whsec_abc",
        "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (xd_deliver_secret_decode(bad[i], key, &len) == XD_OK) {
            fail_msg("'%s' was accepted", bad[i] ? bad[i] : "(null)");
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vector),
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_secret_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
