/* Status names, error records and their truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/status.h"

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(xd_status_name(XD_ETOOBIG), "ETOOBIG");
    assert_string_equal(xd_strerror(XD_ENOMEM), "out of memory");
    assert_string_equal(xd_status_name((enum xd_status) - 999), "EUNKNOWN");
}

static void test_error_set(void **state)
{
    (void)state;
    struct xd_error e;
    xd_error_clear(&e);
    assert_int_equal(e.offset, -1);
    assert_int_equal(xd_error_set(&e, XD_EPARSE, "bad %s at %d", "ISA", 3), XD_EPARSE);
    assert_string_equal(e.message, "bad ISA at 3");
    assert_int_equal(xd_error_set(NULL, XD_EIO, "ignored"), XD_EIO);
    char longmsg[600];
    memset(longmsg, 'x', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    xd_error_set(&e, XD_EINVAL, "%s", longmsg);
    assert_int_equal(strlen(e.message), XD_ERROR_MESSAGE_MAX - 1);
    assert_string_equal(e.message + XD_ERROR_MESSAGE_MAX - 4, "...");
    xd_error_at(&e, "$.lines[0]", 12, 3);
    assert_string_equal(e.where, "$.lines[0]");
    assert_int_equal(e.line, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_error_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
