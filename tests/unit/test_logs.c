/* Unit tests for logs/store: the record line reads back, priorities, the ring drops whole lines oldest
 * first, files rotate to the configured count, and journalctl's time forms parse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "logs/logs.h"
#include "logs/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void test_record_round_trip(void **state)
{
    (void)state;
    static const char text[] = "hello\nworld\0end"; /* a newline and a NUL inside */
    struct log_rec r = {.usec = 1796042580036572ULL, .stream = LOG_ERR, .prio = 3, .pid = 4242, .text = text,
                        .text_len = sizeof(text) - 1};
    struct buf b = {0};
    log_rec_format(&b, &r);
    assert_string_equal(b.p, "2026-11-30T12:43:00.036572Z err 3 4242 hello world\\x00end\n");
    struct log_rec back;
    assert_true(log_rec_parse(b.p, b.len - 1, &back));
    assert_int_equal(back.usec, r.usec);
    assert_int_equal(back.stream, LOG_ERR);
    assert_int_equal(back.prio, 3);
    assert_int_equal(back.pid, 4242);
    assert_int_equal(back.text_len, strlen("hello world\\x00end"));
    assert_memory_equal(back.text, "hello world\\x00end", back.text_len);
    buf_free(&b);
    static const char *const bad[] = {"", "2026-11-30 12:43:00.036572Z out 6 1 x", "2026-11-30T12:43:00.036572Z xyz 6 1 x",
                                      "2026-11-30T12:43:00.036572Z out 9 1 x", "2026-11-30T12:43:00.036572Z out 6 x x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(log_rec_parse(bad[i], strlen(bad[i]), &back));
}

static void test_priorities(void **state)
{
    (void)state;
    const char *t = "<3>disk";
    size_t n = strlen(t);
    assert_int_equal(log_prio_prefix(&t, &n), 3);
    assert_int_equal(n, 4);
    t = "<8>no";
    n = strlen(t);
    assert_int_equal(log_prio_prefix(&t, &n), -1);
    assert_int_equal(log_prio_from_name("warning"), 4);
    assert_int_equal(log_prio_from_name("7"), 7);
    assert_int_equal(log_prio_from_name("loud"), -1);
}

static void test_ring_drops_oldest_whole_lines(void **state)
{
    (void)state;
    struct log_ring r = {0};
    char line[64];
    for (int i = 0; i < 10000; i++) {
        int n = snprintf(line, sizeof(line), "line %d\n", i);
        log_ring_add(&r, line, (size_t)n, 65536);
    }
    assert_true(r.len <= 65536);
    assert_true(r.dropped > 0);
    struct buf b = {0};
    log_ring_copy(&r, &b);
    assert_int_equal(b.len, r.len);
    assert_true(b.p[b.len - 1] == '\n');
    assert_true(strncmp(b.p, "line ", 5) == 0); /* it starts on a whole line */
    assert_non_null(strstr(b.p, "line 9999\n"));
    /* every line left is whole and they follow each other */
    int prev = -1, count = 0;
    for (char *p = b.p; *p; p = strchr(p, '\n') + 1, count++) {
        int v = atoi(p + 5);
        assert_true(prev < 0 || v == prev + 1);
        prev = v;
    }
    assert_int_equal((uint64_t)count + r.dropped, 10000);
    buf_free(&b);
    log_ring_free(&r);
}

static void test_files_rotate_to_the_count(void **state)
{
    (void)state;
    char dir[] = "/tmp/oya-test-logs-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *sub = xasprintf("%s/a/b", dir);
    struct log_file f = {.fd = -1};
    assert_int_equal(log_file_open(&f, sub, "svc"), 0);
    struct log_file_opts o = {.max_size = 100, .keep = 2};
    for (int i = 0; i < 50; i++)
        assert_int_equal(log_file_write(&f, "0123456789012345678\n", 20, &o), 0);
    log_file_close(&f);
    struct stat st;
    for (int k = 0; k <= 3; k++) {
        char *p = k ? xasprintf("%s/svc.log.%d", sub, k) : xasprintf("%s/svc.log", sub);
        int r = stat(p, &st);
        assert_int_equal(r == 0, k <= 2);
        if (r == 0)
            assert_true(st.st_size <= 100);
        unlink(p);
        free(p);
    }
    char *a = xasprintf("%s/a", dir);
    rmdir(sub);
    rmdir(a);
    rmdir(dir);
    free(a);
    free(sub);
}

static void test_times(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    uint64_t now = 1796042580000000ULL; /* 2026-11-30 12:43:00 UTC */
    uint64_t t;
    assert_int_equal(log_time_parse("now", now, &t), 0);
    assert_int_equal(t, now);
    assert_int_equal(log_time_parse("-10min", now, &t), 0);
    assert_int_equal(t, now - 600 * USEC_PER_SEC);
    assert_int_equal(log_time_parse("+1h", now, &t), 0);
    assert_int_equal(t, now + 3600 * USEC_PER_SEC);
    assert_int_equal(log_time_parse("today", now, &t), 0);
    assert_int_equal(t, 1795996800000000ULL);
    assert_int_equal(log_time_parse("yesterday", now, &t), 0);
    assert_int_equal(t, 1795996800000000ULL - 86400 * USEC_PER_SEC);
    assert_int_equal(log_time_parse("2026-11-30 12:00:00", now, &t), 0);
    assert_int_equal(t, 1796040000000000ULL);
    assert_int_equal(log_time_parse("2026-11-30", now, &t), 0);
    assert_int_equal(t, 1795996800000000ULL);
    assert_int_equal(log_time_parse("12:00", now, &t), 0);
    assert_int_equal(t, 1796040000000000ULL);
    assert_int_equal(log_time_parse("sometime", now, &t), -EINVAL);
    assert_int_equal(log_time_parse("2026-11-30x", now, &t), -EINVAL);
}

static void test_syslog_messages(void **state)
{
    (void)state;
    int prio, pid;
    char tag[64];
    const char *text;
    size_t len;
    static const struct {
        const char *msg;
        int prio, pid;
        const char *tag, *text;
    } cases[] = {
        {"<11>Nov 30 12:43:00 mytag[42]: hello there", 3, 42, "mytag", "hello there"},
        {"<30>cron[7]: job done\n", 6, 7, "cron", "job done"},
        {"<13>no tag here: just text", 5, 0, "", "no tag here: just text"},
        {"<165>1 2026-11-30T12:43:00.000Z host app 1234 ID47 [exampleSDID@32473 iut=\"3\" x=\"a\\]b\"] BOMless msg", 5,
         1234, "app", "BOMless msg"},
        {"<14>1 - - - - - - plain", 6, 0, "", "plain"},
        {"<0>kernel: panic", 0, 0, "kernel", "panic"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_true(log_syslog_parse(cases[i].msg, strlen(cases[i].msg), &prio, tag, sizeof(tag), &pid, &text, &len));
        assert_int_equal(prio, cases[i].prio);
        assert_int_equal(pid, cases[i].pid);
        assert_string_equal(tag, cases[i].tag);
        assert_int_equal(len, strlen(cases[i].text));
        assert_memory_equal(text, cases[i].text, len);
    }
    static const char *const bad[] = {"", "no priority", "<>x", "<1000>x", "<12"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(log_syslog_parse(bad[i], strlen(bad[i]), &prio, tag, sizeof(tag), &pid, &text, &len));
}

struct lines {
    struct strv v;
};

static void collect(void *ctx, const char *line, size_t n)
{
    struct lines *l = ctx;
    char *s = xstrndup(line, n);
    strv_add(&l->v, s);
    free(s);
}

/* Framing what a service writes: whole lines behind the prefix, a partial line kept until its end (or
 * the end of the stream), a line past LOG_LINE_MAX cut into pieces, nothing lost */
static void test_framing(void **state)
{
    (void)state;
    struct lines got = {0};
    struct log_framer f = {.on_line = collect, .ctx = &got};
    struct log_prefix p;
    log_prefix_make(&p, "web", 5, 0, '|');
    struct buf out = {0};
    log_frame(&f, &p, "one\ntw", 6, &out);
    assert_int_equal(got.v.n, 1);
    log_frame(&f, &p, "o\n\nthree", 8, &out);
    assert_int_equal(got.v.n, 3); /* "three" waits for its end */
    log_flush(&f, &p, &out);      /* the stream ended: it is a last line */
    assert_int_equal(got.v.n, 4);
    static const char *const want[] = {"one", "two", "", "three"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(got.v.v[i], want[i]);
    static const char rendered[] = "web   | one\nweb   | two\nweb   | \nweb   | three\n";
    assert_int_equal(out.len, sizeof(rendered) - 1);
    assert_memory_equal(out.p, rendered, out.len);
    strv_clear(&got.v);
    buf_free(&out);
    /* a line of 10,000 bytes: pieces of LOG_LINE_MAX, all its bytes there */
    char *big = malloc(10001);
    memset(big, 'x', 10000);
    big[10000] = '\n';
    log_frame(&f, &p, big, 10001, NULL);
    log_flush(&f, &p, NULL);
    size_t total = 0;
    for (size_t i = 0; i < got.v.n; i++) {
        size_t len = strlen(got.v.v[i]);
        if (i + 1 < got.v.n) { /* every piece but the last says it was cut */
            assert_true(len >= strlen(LOG_CUT_MARK));
            assert_string_equal(got.v.v[i] + len - strlen(LOG_CUT_MARK), LOG_CUT_MARK);
            len -= strlen(LOG_CUT_MARK);
        }
        assert_true(len <= LOG_LINE_MAX);
        total += len;
    }
    assert_true(got.v.n >= 3 && total == 10000);
    free(big);
    strv_clear(&got.v);
    log_framer_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_round_trip),  cmocka_unit_test(test_priorities),
        cmocka_unit_test(test_ring_drops_oldest_whole_lines), cmocka_unit_test(test_files_rotate_to_the_count),
        cmocka_unit_test(test_times), cmocka_unit_test(test_syslog_messages), cmocka_unit_test(test_framing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
