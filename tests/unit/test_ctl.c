/* ctl: the control protocol's fields (escaping both ways) and replies (records, errors, truncation);
 * exec: the report a failed child sends, decoded for every step */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ctl/ctl.h"
#include "exec/exec.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void test_fields_round_trip(void **state)
{
    (void)state;
    static const char *const fields[] = {"status", "a\tb", "line\nbreak", "back\\slash", "", "\\t literal"};
    struct buf line = {0};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (i)
            buf_putc(&line, '\t');
        ctl_put_field(&line, fields[i]);
    }
    assert_null(memchr(line.p, '\n', line.len)); /* one request is one line */
    struct strv got = {0};
    ctl_split(line.p, &got);
    assert_int_equal(got.n, sizeof(fields) / sizeof(fields[0]));
    for (size_t i = 0; i < got.n; i++)
        assert_string_equal(got.v[i], fields[i]);
    strv_clear(&got);
    buf_free(&line);
}

static void test_replies(void **state)
{
    (void)state;
    struct buf b = {0};
    ctl_reply_ok(&b);
    ctl_reply_record(&b, "service");
    ctl_reply_kv(&b, "name", "web");
    ctl_reply_kv(&b, "status_text", "serving\tall\nday");
    ctl_reply_kvf(&b, "main_pid", "%d", 42);
    ctl_reply_record(&b, "missing");
    ctl_reply_kv(&b, "name", "nosuch");
    ctl_reply_end(&b);
    struct ctl_reply rep;
    assert_int_equal(ctl_parse_reply(b.p, &rep), 0);
    assert_true(rep.ok);
    assert_int_equal(rep.n, 2);
    assert_string_equal(rep.recs[0].type, "service");
    assert_string_equal(ctl_get(&rep.recs[0], "status_text"), "serving\tall\nday");
    assert_int_equal(ctl_get_ll(&rep.recs[0], "main_pid", 0), 42);
    assert_null(ctl_get(&rep.recs[0], "absent"));
    assert_int_equal(ctl_get_ll(&rep.recs[0], "absent", -7), -7);
    assert_string_equal(rep.recs[1].type, "missing");
    ctl_reply_free(&rep);
    buf_free(&b);
    /* an error reply */
    ctl_reply_error(&b, "no such service '%s'", "x");
    ctl_reply_end(&b);
    assert_int_equal(ctl_parse_reply(b.p, &rep), 0);
    assert_false(rep.ok);
    assert_string_equal(rep.error, "no such service 'x'");
    ctl_reply_free(&rep);
    buf_free(&b);
    /* cut short (a connection reset): no "end", not a reply */
    assert_int_equal(ctl_parse_reply("ok\nrecord\tservice\nname\tweb\n", &rep), -EPROTO);
    ctl_reply_free(&rep);
    assert_int_equal(ctl_parse_reply("", &rep), -EPROTO);
    ctl_reply_free(&rep);
}

/* What a child writes on its report pipe when a step fails: {step, errno, warning} as ints */
static int report(int step, int err, int warning, char *msg, size_t size, unsigned *got)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    int rep[3] = {step, err, warning};
    assert_int_equal(write(p[1], rep, sizeof(rep)), (ssize_t)sizeof(rep));
    close(p[1]);
    int r = exec_read_report(p[0], msg, size, got);
    close(p[0]);
    return r;
}

static void test_exec_reports(void **state)
{
    (void)state;
    char msg[300];
    unsigned step = 0;
    for (int i = 0; i < exec_step_count(); i++) {
        int code;
        const char *name = exec_step_name_at(i, &code);
        assert_int_equal(report(i, ENOENT, 0, msg, sizeof(msg), &step), 1);
        assert_int_equal(step, (unsigned)i);
        char tail[64];
        snprintf(tail, sizeof(tail), "(status=%d/%s)", code, name);
        if (!strstr(msg, tail) || !strstr(msg, "No such file or directory"))
            fail_msg("step %d: %s", i, msg);
        assert_int_equal(report(i, EPERM, 1, msg, sizeof(msg), &step), 2); /* skipped, as systemd */
        assert_non_null(strstr(msg, "going on without it"));
    }
    /* beyond the table, or cut short: garbled, never an out-of-bounds name */
    assert_int_equal(report(exec_step_count(), EPERM, 0, msg, sizeof(msg), &step), 1);
    assert_string_equal(msg, "the child sent a garbled report");
    assert_int_equal(report(-1, EPERM, 0, msg, sizeof(msg), &step), 1);
    assert_string_equal(msg, "the child sent a garbled report");
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "ab", 2), 2);
    close(p[1]);
    assert_int_equal(exec_read_report(p[0], msg, sizeof(msg), &step), 1);
    assert_string_equal(msg, "the child sent a garbled report");
    close(p[0]);
    /* nothing at all: exec went through */
    assert_int_equal(pipe(p), 0);
    close(p[1]);
    assert_int_equal(exec_read_report(p[0], msg, sizeof(msg), &step), 0);
    close(p[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_round_trip),
        cmocka_unit_test(test_replies),
        cmocka_unit_test(test_exec_reports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
