/* proc: /proc/PID/stat parsing (proc_parse_stat), as the kernel writes it and as a hostile comm makes it */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "proc/proc.h"

static void test_stat_fields(void **state)
{
    (void)state;
    struct proc_stat st;
    const char *text = "4242 (sleep) S 1 4242 4242 34816 4242 4194560 121 0 0 0 3 5 7 9 20 -5 1 0 123456 "
                       "8536064 230 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 2 3 0 0 0\n";
    assert_int_equal(proc_parse_stat(text, &st), 0);
    assert_int_equal(st.pid, 4242);
    assert_string_equal(st.comm, "sleep");
    assert_int_equal(st.state, 'S');
    assert_int_equal(st.ppid, 1);
    assert_int_equal(st.session, 4242);
    assert_int_equal(st.tty_nr, 34816);
    assert_true(st.utime == 3 && st.stime == 5 && st.cutime == 7 && st.cstime == 9);
    assert_int_equal(st.priority, 20);
    assert_int_equal(st.nice, -5);
    assert_true(st.starttime == 123456 && st.vsize == 8536064 && st.rss == 230);
    assert_int_equal(st.processor, 1);
    assert_int_equal(st.rt_priority, 2);
    assert_int_equal(st.policy, 3);
}

/* A comm is whatever the process set (prctl PR_SET_NAME, 15 bytes): spaces and parentheses too; the last
 * ')' ends it */
static void test_stat_odd_comm(void **state)
{
    (void)state;
    struct proc_stat st;
    assert_int_equal(proc_parse_stat("7 (a) b) (c S ) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0 0", &st), 0);
    assert_string_equal(st.comm, "a) b) (c S ");
    assert_int_equal(st.state, 'R');
    assert_int_equal(st.ppid, 1);
    assert_int_equal(st.tpgid, -1);
    /* not a stat line: no parentheses, nothing after them, too few fields */
    assert_int_equal(proc_parse_stat("7 sleep S 1", &st), -EINVAL);
    assert_int_equal(proc_parse_stat("7 (sleep)", &st), -EINVAL);
    assert_int_equal(proc_parse_stat("7 (sleep) S 1 2 3", &st), -EINVAL);
    assert_int_equal(proc_parse_stat(") (", &st), -EINVAL);
}

/* Found by tests/fuzz/fuzz_proc: a negative number past INT64_MIN was negated as a signed value (UB) */
static void test_stat_huge_negative(void **state)
{
    (void)state;
    struct proc_stat st;
    assert_int_equal(proc_parse_stat("1 (x) S -100000000000000000000000000000 1 1 0 0 0 0 0 0 0 0 0 0 0 "
                                     "-9223372036854775808 0 1 0 5 0 0 0", &st), 0);
    assert_int_equal(st.state, 'S');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stat_fields),
        cmocka_unit_test(test_stat_odd_comm),
        cmocka_unit_test(test_stat_huge_negative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
