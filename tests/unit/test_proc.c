/* proc: /proc/PID/stat parsing (proc_parse_stat), as the kernel writes it and as a hostile comm makes it;
 * /proc/PID/status read whole (what ps's s, -o sig/blocked/supgid and size need) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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
    /* the fields ps's fault, code and stack columns read */
    assert_true(st.minflt == 121 && st.cminflt == 0 && st.majflt == 0);
    assert_true(st.startcode == 1 && st.endcode == 1);
}

/* a status file as the kernel writes it, in a directory standing for /proc/PID */
static int status_dir(const char *text, char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/oya-test-status-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char path[128];
    snprintf(path, sizeof(path), "%s/status", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    fclose(f);
    return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void status_dir_remove(const char *dir, int fd)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/status", dir);
    unlink(path);
    rmdir(dir);
    close(fd);
}

static const char status_text[] =
    "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nNgid:\t0\nPid:\t4243\nPPid:\t1\n"
    "TracerPid:\t0\nUid:\t1000\t1001\t1002\t1003\nGid:\t100\t101\t102\t103\nFDSize:\t64\n"
    "Groups:\t4 24 27 \nVmPeak:\t    8340 kB\nVmSize:\t    8336 kB\nVmLck:\t       4 kB\nVmRSS:\t    1804 kB\n"
    "VmData:\t     360 kB\nVmStk:\t     132 kB\nThreads:\t1\nSigQ:\t0/63412\nSigPnd:\t0000000000000100\n"
    "ShdPnd:\t0000000000004000\nSigBlk:\t0000000000010000\nSigIgn:\t0000000000000004\n"
    "SigCgt:\t0000000043817efb\nCapInh:\t0000000000000000\n";

static void test_status_whole(void **state)
{
    (void)state;
    char dir[64];
    int fd = status_dir(status_text, dir, sizeof(dir));
    assert_true(fd >= 0);
    struct proc_status st;
    assert_int_equal(proc_read_status_in(fd, ".", true, &st), 0);
    assert_true(st.ruid == 1000 && st.euid == 1001 && st.suid == 1002 && st.fuid == 1003);
    assert_true(st.rgid == 100 && st.egid == 101 && st.sgid == 102 && st.fgid == 103);
    assert_int_equal(st.tgid, 4242);
    assert_true(st.vm_size_kb == 8336 && st.vm_lock_kb == 4 && st.vm_rss_kb == 1804);
    assert_true(st.vm_data_kb == 360 && st.vm_stk_kb == 132);
    assert_string_equal(st.sig_pnd, "0000000000000100");
    assert_string_equal(st.shd_pnd, "0000000000004000");
    assert_string_equal(st.sig_blk, "0000000000010000");
    assert_string_equal(st.sig_ign, "0000000000000004");
    assert_string_equal(st.sig_cgt, "0000000043817efb");
    assert_string_equal(st.groups, "4,24,27");
    free(st.groups);
    /* without `full`: the ids, locked and resident memory only; nothing allocated */
    assert_int_equal(proc_read_status_in(fd, ".", false, &st), 0);
    assert_true(st.euid == 1001 && st.vm_rss_kb == 1804 && st.vm_data_kb == 0 && st.groups == NULL);
    status_dir_remove(dir, fd);
}

static void test_status_no_groups(void **state)
{
    (void)state;
    char dir[64];
    int fd = status_dir("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\nVmRSS:\t0 kB\n", dir, sizeof(dir));
    assert_true(fd >= 0);
    struct proc_status st;
    assert_int_equal(proc_read_status_in(fd, ".", true, &st), 0);
    assert_string_equal(st.groups, "-"); /* ps prints "-" for none */
    assert_string_equal(st.sig_blk, "0000000000000000");
    free(st.groups);
    status_dir_remove(dir, fd);
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
        cmocka_unit_test(test_status_whole),
        cmocka_unit_test(test_status_no_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
