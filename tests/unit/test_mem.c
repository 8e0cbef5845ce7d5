/* Out of memory: buffers and string vectors that cannot grow keep what they had and say so; the unit
 * parser and the control protocol's splitter, with each of their allocations failing in turn, never
 * crash, never leak (ASan) and never hand back a half-made result. Built with -DOYA_ALLOC_FAULTS (the
 * sanitizer build), which lets a test fail the Nth allocation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/base.h"
#include "ctl/ctl.h"
#include "unit/unit.h"

#include <stdlib.h>
#include <string.h>

static int soft(void **state)
{
    (void)state;
    mem_soft_failures(); /* as the supervisor: failures are reported, not fatal */
    return 0;
}

static void test_buf_keeps_what_it_had(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_puts(&b, "kept");
    unsigned long before = mem_failures();
    mem_faults_arm(1, 1);
    buf_add(&b, "x", 200); /* past the first 64 bytes: grows, and that fails */
    mem_faults_arm(0, 0);
    assert_true(b.failed);
    assert_int_equal(mem_failures(), before + 1);
    assert_string_equal(b.p, "kept");
    buf_puts(&b, "more"); /* memory is back, but the text already misses a piece: stays failed */
    assert_string_equal(b.p, "kept");
    assert_null(buf_take(&b)); /* and is freed */
    assert_null(b.p);
    assert_false(b.failed);
    buf_puts(&b, "again");
    char *s = buf_take(&b);
    assert_string_equal(s, "again");
    free(s);
}

static void test_strv_drops_and_says(void **state)
{
    (void)state;
    struct strv v = {0};
    strv_add(&v, "one");
    mem_faults_arm(1, 1);
    strv_add(&v, "two"); /* its copy fails */
    mem_faults_arm(0, 0);
    assert_true(v.failed);
    assert_int_equal(v.n, 1);
    assert_string_equal(v.v[0], "one");
    assert_null(v.v[1]);
    strv_clear(&v);
    mem_faults_arm(1, 1);
    char **empty = strv_array(&v); /* even the empty array: a valid one */
    mem_faults_arm(0, 0);
    assert_non_null(empty);
    assert_null(empty[0]);
    assert_true(v.failed);
    strv_clear(&v);
}

static const char unit_text[] =
    "[Unit]\nDescription=a %n unit\nAfter=b.service\nWants=c.service\nConditionPathExistsGlob=/{a,b}*\n"
    "[Service]\nType=notify\nExecStartPre=-/bin/true one two\nExecStart=/bin/sleep 1000 ${X}\n"
    "Environment=X=1 \"Y=two words\"\nEnvironmentFile=-/nonexistent\nWorkingDirectory=~\n"
    "StandardOutput=append:/tmp/x.log\nLimitNOFILE=1024:4096\nTasksMax=50%\nCPUAffinity=0-1\nMemoryMax=1G\n"
    "PIDFile=x.pid\nRestart=on-failure\nUnknownKey=1\n[Install]\nWantedBy=multi-user.target\n";

/* Every allocation of a parse failing in turn: a unit comes back whole, or not at all with the reason */
static void test_unit_parse_each_allocation_failing(void **state)
{
    (void)state;
    struct unit_diag d = {0};
    mem_faults_arm(0, 0);
    struct unit *u = unit_parse("t", "t.service", unit_text, &d);
    unsigned long total = mem_faults_counted();
    assert_non_null(u);
    assert_int_equal(d.errors, 0);
    unit_free(u);
    buf_free(&d.text);
    assert_true(total > 20);
    for (unsigned long n = 1; n <= total; n++) {
        struct unit_diag dn = {0};
        mem_faults_arm(n, 1);
        u = unit_parse("t", "t.service", unit_text, &dn);
        mem_faults_arm(0, 0);
        if (u) { /* the failure came in a diagnostic's text only: the unit itself is whole */
            assert_int_equal(u->exec[UEXEC_START].n, 1);
            assert_int_equal(u->environment.n, 2);
            assert_false(u->environment.failed);
            unit_free(u);
        } else {
            assert_true(dn.errors > 0);
        }
        buf_free(&dn.text);
    }
}

static void test_ctl_split_each_allocation_failing(void **state)
{
    (void)state;
    mem_faults_arm(0, 0);
    struct strv f = {0};
    ctl_split("status\ta\\tb\tc", &f);
    unsigned long total = mem_faults_counted();
    assert_int_equal(f.n, 3);
    strv_clear(&f);
    for (unsigned long n = 1; n <= total; n++) {
        mem_faults_arm(n, 1);
        ctl_split("status\ta\\tb\tc", &f);
        mem_faults_arm(0, 0);
        assert_true(f.failed || f.n == 3);
        strv_clear(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_keeps_what_it_had),
        cmocka_unit_test(test_strv_drops_and_says),
        cmocka_unit_test(test_unit_parse_each_allocation_failing),
        cmocka_unit_test(test_ctl_split_each_allocation_failing),
    };
    return cmocka_run_group_tests(tests, soft, NULL);
}
