/* Unit tests for bus/: the D-Bus messages oya writes read back as the specification lays them out, and
 * what it reads survives truncation and garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bus/bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void test_call_reads_back(void **state)
{
    (void)state;
    struct buf b = {0};
    bus_call(&b, 7, "GetNameOwner", "org.example.Name");
    assert_int_equal(b.len % 8, (b.len % 8)); /* whatever its length, it parses whole */
    struct bus_msg m;
    long n = bus_parse(b.p, b.len, &m);
    assert_int_equal(n, (long)b.len);
    assert_int_equal(m.type, BUS_METHOD_CALL);
    assert_int_equal(m.serial, 7);
    assert_string_equal(m.member, "GetNameOwner");
    assert_string_equal(m.interface, "org.freedesktop.DBus");
    assert_int_equal(m.nargs, 1);
    assert_string_equal(m.args[0], "org.example.Name");
    /* every shorter prefix is "not yet whole" */
    for (size_t i = 0; i < b.len; i++)
        assert_int_equal(bus_parse(b.p, i, &m), 0);
    buf_free(&b);
    bus_call(&b, 1, "Hello", NULL);
    assert_int_equal(bus_parse(b.p, b.len, &m), (long)b.len);
    assert_string_equal(m.member, "Hello");
    assert_int_equal(m.nargs, 0);
    buf_free(&b);
}

/* A NameOwnerChanged signal as dbus-daemon sends it, big-endian this time: header fields, then "sss" */
static void test_signal_from_the_bus(void **state)
{
    (void)state;
    /* header (B: big-endian, 4: signal, 37 bytes of body, serial 9, 105 bytes of fields): PATH, INTERFACE,
     * MEMBER, SIGNATURE "sss"; body: "org.oya.Test1", "", ":1.5" */
    static const unsigned char sig[] = {
        0x42, 0x04, 0x01, 0x01, 0x00, 0x00, 0x00, 0x25, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x69, 0x01,
        0x01, 0x6f, 0x00, 0x00, 0x00, 0x00, 0x15, 0x2f, 0x6f, 0x72, 0x67, 0x2f, 0x66, 0x72, 0x65, 0x65, 0x64,
        0x65, 0x73, 0x6b, 0x74, 0x6f, 0x70, 0x2f, 0x44, 0x42, 0x75, 0x73, 0x00, 0x00, 0x00, 0x02, 0x01, 0x73,
        0x00, 0x00, 0x00, 0x00, 0x14, 0x6f, 0x72, 0x67, 0x2e, 0x66, 0x72, 0x65, 0x65, 0x64, 0x65, 0x73, 0x6b,
        0x74, 0x6f, 0x70, 0x2e, 0x44, 0x42, 0x75, 0x73, 0x00, 0x00, 0x00, 0x00, 0x03, 0x01, 0x73, 0x00, 0x00,
        0x00, 0x00, 0x10, 0x4e, 0x61, 0x6d, 0x65, 0x4f, 0x77, 0x6e, 0x65, 0x72, 0x43, 0x68, 0x61, 0x6e, 0x67,
        0x65, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0x67, 0x00, 0x03, 0x73, 0x73,
        0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x6f, 0x72, 0x67, 0x2e,
        0x6f, 0x79, 0x61, 0x2e, 0x54, 0x65, 0x73, 0x74, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x3a, 0x31, 0x2e, 0x35, 0x00,
    };
    struct bus_msg m;
    long n = bus_parse((const char *)sig, sizeof(sig), &m);
    assert_int_equal(n, (long)sizeof(sig));
    assert_int_equal(m.type, BUS_SIGNAL);
    assert_int_equal(m.serial, 9);
    assert_string_equal(m.member, "NameOwnerChanged");
    assert_int_equal(m.nargs, 3);
    assert_string_equal(m.args[0], "org.oya.Test1");
    assert_string_equal(m.args[1], "");
    assert_string_equal(m.args[2], ":1.5");
}

static void test_garbage_is_refused(void **state)
{
    (void)state;
    struct bus_msg m;
    char junk[64];
    memset(junk, 'x', sizeof(junk));
    assert_int_equal(bus_parse(junk, sizeof(junk), &m), -EBADMSG);
    /* a length past the limit, and a header field whose string runs past the fields */
    struct buf b = {0};
    bus_call(&b, 3, "AddMatch", "type='signal'");
    uint32_t huge = BUS_MAX_MESSAGE + 1;
    char *copy = xmalloc(b.len);
    memcpy(copy, b.p, b.len);
    memcpy(copy + 4, &huge, 4);
    assert_int_equal(bus_parse(copy, b.len, &m), -EBADMSG);
    memcpy(copy, b.p, b.len);
    uint32_t long_string = 1000; /* the PATH field's string length (after code, signature, padding) */
    memcpy(copy + 16 + 4, &long_string, 4);
    assert_int_equal(bus_parse(copy, b.len, &m), -EBADMSG);
    free(copy);
    buf_free(&b);
}

static void test_auth_and_names(void **state)
{
    (void)state;
    struct buf b = {0};
    bus_auth(&b, 0);
    assert_int_equal(b.p[0], 0);
    assert_string_equal(b.p + 1, "AUTH EXTERNAL 30\r\nBEGIN\r\n");
    buf_free(&b);
    size_t used = 0;
    assert_int_equal(bus_auth_reply("OK 1234abcd\r\nl", 15, &used), 1);
    assert_int_equal(used, 13);
    assert_int_equal(bus_auth_reply("OK 12", 5, &used), 0);
    assert_int_equal(bus_auth_reply("REJECTED EXTERNAL\r\n", 19, &used), -EACCES);
    assert_true(bus_name_valid("org.freedesktop.PackageKit"));
    assert_true(bus_name_valid("a.b-c_d"));
    assert_false(bus_name_valid("nodots"));
    assert_false(bus_name_valid(":1.5"));
    assert_false(bus_name_valid("org..x"));
    assert_false(bus_name_valid("org.1x"));
    assert_false(bus_name_valid("org.x."));
    assert_false(bus_name_valid("org.x y"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_call_reads_back),
        cmocka_unit_test(test_signal_from_the_bus),
        cmocka_unit_test(test_garbage_is_refused),
        cmocka_unit_test(test_auth_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
