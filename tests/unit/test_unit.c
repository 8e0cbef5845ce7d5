/* Unit tests for unit/: every key, time spans, quoting and expansion, environment files, and the exact
 * text of every diagnostic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "exec/exec.h"
#include "unit/unit.h"
#include "unit/unit_int.h"

#include <errno.h>
#include <limits.h>
#include <grp.h>
#include <pwd.h>
#include <sys/utsname.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct unit *parse(const char *text, struct unit_diag *d)
{
    memset(d, 0, sizeof(*d));
    return unit_parse("t", "t.service", text, d);
}

/* Parse text that must fail and return the diagnostics (caller frees). */
static char *parse_error(const char *text)
{
    struct unit_diag d;
    struct unit *u = parse(text, &d);
    assert_null(u);
    assert_true(d.errors > 0);
    return buf_steal(&d.text);
}

static struct unit *parse_ok(const char *text)
{
    struct unit_diag d;
    struct unit *u = parse(text, &d);
    if (!u)
        fprintf(stderr, "unexpected: %s", d.text.p ? d.text.p : "");
    assert_non_null(u);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.warnings, 0);
    buf_free(&d.text);
    return u;
}

#define SVC(body) "[Service]\nExecStart=/bin/true\n" body

static void test_timespans(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        uint64_t usec;
    } ok[] = {
        {"0", 0}, {"5", 5 * USEC_PER_SEC}, {"100ms", 100 * USEC_PER_MSEC}, {"100msec", 100 * USEC_PER_MSEC},
        {"5s", 5 * USEC_PER_SEC}, {"5sec", 5 * USEC_PER_SEC}, {"5 seconds", 5 * USEC_PER_SEC},
        {"1second", USEC_PER_SEC}, {"2min", 2 * USEC_PER_MINUTE}, {"2m", 2 * USEC_PER_MINUTE},
        {"2minutes", 2 * USEC_PER_MINUTE}, {"1min 30s", 90 * USEC_PER_SEC}, {"1min30s", 90 * USEC_PER_SEC},
        {"2h", 2 * USEC_PER_HOUR}, {"2hr", 2 * USEC_PER_HOUR}, {"1hour", USEC_PER_HOUR}, {"3hours", 3 * USEC_PER_HOUR},
        {"1d", USEC_PER_DAY}, {"2days", 2 * USEC_PER_DAY}, {"1w", USEC_PER_WEEK}, {"2weeks", 2 * USEC_PER_WEEK},
        {"1M", USEC_PER_MONTH}, {"1month", USEC_PER_MONTH}, {"1y", USEC_PER_YEAR}, {"2years", 2 * USEC_PER_YEAR},
        {"10us", 10}, {"10usec", 10}, {"1.5s", 1500 * USEC_PER_MSEC}, {"0.25min", 15 * USEC_PER_SEC},
        {".5s", 500 * USEC_PER_MSEC}, {"  7s  ", 7 * USEC_PER_SEC}, {"1h 2min 3s 4ms 5us", USEC_PER_HOUR +
        2 * USEC_PER_MINUTE + 3 * USEC_PER_SEC + 4 * USEC_PER_MSEC + 5}, {"infinity", USEC_INFINITY},
    };
    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        uint64_t t = 1;
        if (unit_parse_timespan(ok[i].in, &t) != 0)
            fail_msg("'%s' did not parse", ok[i].in);
        if (t != ok[i].usec)
            fail_msg("'%s' gave %llu, expected %llu", ok[i].in, (unsigned long long)t, (unsigned long long)ok[i].usec);
    }
    static const char *bad[] = {"", "abc", "5x", "s", "1..5s", "-5s", "5s garbage", "infinity s"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        uint64_t t;
        if (unit_parse_timespan(bad[i], &t) == 0)
            fail_msg("'%s' should not parse", bad[i]);
    }
}

static void test_timespan_format(void **state)
{
    (void)state;
    char b[64];
    fmt_timespan(b, sizeof(b), 123 * USEC_PER_MSEC, USEC_PER_MSEC);
    assert_string_equal(b, "123ms");
    fmt_timespan(b, sizeof(b), 1234 * USEC_PER_MSEC, USEC_PER_MSEC);
    assert_string_equal(b, "1.234s");
    fmt_timespan(b, sizeof(b), 62 * USEC_PER_SEC + 500 * USEC_PER_MSEC, USEC_PER_MSEC);
    assert_string_equal(b, "1min 2.500s");
    fmt_timespan(b, sizeof(b), 3 * USEC_PER_MINUTE + 2 * USEC_PER_SEC, USEC_PER_SEC);
    assert_string_equal(b, "3min 2s");
    fmt_timespan(b, sizeof(b), 0, USEC_PER_MSEC);
    assert_string_equal(b, "0");
    fmt_timespan(b, sizeof(b), USEC_INFINITY, USEC_PER_MSEC);
    assert_string_equal(b, "infinity");
    fmt_relative(b, sizeof(b), 0, 3 * USEC_PER_MINUTE + 2 * USEC_PER_SEC);
    assert_string_equal(b, "3min 2s ago");
    fmt_relative(b, sizeof(b), 0, 2 * USEC_PER_HOUR + 5 * USEC_PER_MINUTE);
    assert_string_equal(b, "2h 5min ago");
    fmt_relative(b, sizeof(b), 0, 3 * USEC_PER_DAY);
    assert_string_equal(b, "3 days ago");
    fmt_relative(b, sizeof(b), 0, 12 * USEC_PER_SEC);
    assert_string_equal(b, "12s ago");
    fmt_bytes(b, sizeof(b), 1300000);
    assert_string_equal(b, "1.2M");
    fmt_bytes(b, sizeof(b), 512);
    assert_string_equal(b, "512B");
    fmt_bytes(b, sizeof(b), 372736);
    assert_string_equal(b, "364.0K");
}

static void test_words_quoting(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *out[6];
    } cases[] = {
        {"a b  c", {"a", "b", "c"}},
        {"\"a b\" 'c d'", {"a b", "c d"}},
        {"x\"y z\"w", {"xy zw"}},
        {"'it\\'s'", {"it's"}},
        {"\"tab\\there\" nl\\n", {"tab\there", "nl\n"}},
        {"\\x41\\102\\u00e9 a\\sb", {"AB\xc3\xa9", "a b"}},
        {"back\\\\slash \\\"q\\\"", {"back\\slash", "\"q\""}},
        {"  lead trail  ", {"lead", "trail"}},
        {"\"\"", {""}},
        {"$$HOME ${X}", {"$$HOME", "${X}"}},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct strv w = {0};
        const char *why = NULL;
        assert_int_equal(unit_split_words(cases[i].in, &w, &why), 0);
        size_t n = 0;
        while (n < 6 && cases[i].out[n])
            n++;
        if (w.n != n)
            fail_msg("'%s': %zu words, expected %zu", cases[i].in, w.n, n);
        for (size_t k = 0; k < n; k++)
            assert_string_equal(w.v[k], cases[i].out[k]);
        strv_clear(&w);
    }
    static const struct {
        const char *in, *why;
    } bad[] = {
        {"\"open", "a double quote is not closed"},
        {"'open", "a single quote is not closed"},
        {"bad\\q", "unknown escape after a backslash; write \\\\ for a backslash"},
        {"end\\", "the line ends with a lone backslash"},
        {"\\x4", "\\x needs two hex digits"},
        {"\\x00", "a NUL byte (\\x00) cannot be passed"},
        {"\\u12", "\\u needs four hex digits"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct strv w = {0};
        const char *why = NULL;
        assert_int_equal(unit_split_words(bad[i].in, &w, &why), -22);
        assert_string_equal(why, bad[i].why);
        strv_clear(&w);
    }
}

static void test_expansion(void **state)
{
    (void)state;
    char *env[] = {"WORDS=a b  c", "ONE=x y", "EMPTY=", "PATH=/bin", NULL};
    char *words[] = {"/bin/echo", "$WORDS", "${ONE}", "pre${ONE}post", "$$HOME", "$UNSET", "${UNSET}",
                     "mid$ONE", "$EMPTY", "${ONE", "cost$$5", NULL};
    struct strv out = {0};
    unit_expand_argv(words, env, &out);
    const char *expect[] = {"/bin/echo", "a", "b", "c", "x y", "prex ypost", "$HOME", "", "midx y", "${ONE",
                            "cost$5"};
    assert_int_equal(out.n, ARRAY_SIZE(expect));
    for (size_t i = 0; i < ARRAY_SIZE(expect); i++)
        assert_string_equal(out.v[i], expect[i]);
    strv_clear(&out);
}

static void test_env_file(void **state)
{
    (void)state;
    char path[] = "/tmp/oya-envfile-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# comment\n; also a comment\n\nA=1\nexport B=two words  \nC=\"quoted \\\"x\\\" $y\"\n"
                       "D='single $x'\nE=multi\\\nline\nnot an assignment\nF = spaced\nA=override # note\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct strv env = {0};
    assert_int_equal(unit_read_env_file(path, &env), 0);
    unlink(path);
    char **e = strv_array(&env);
    assert_string_equal(unit_env_get(e, "A"), "override");
    assert_string_equal(unit_env_get(e, "B"), "two words");
    assert_string_equal(unit_env_get(e, "C"), "quoted \"x\" $y");
    assert_string_equal(unit_env_get(e, "D"), "single $x");
    assert_string_equal(unit_env_get(e, "E"), "multiline");
    assert_string_equal(unit_env_get(e, "F"), "spaced");
    assert_int_equal(env.n, 6);
    strv_clear(&env);
    assert_int_equal(unit_read_env_file("/nonexistent/env", &env), -2);
}

static void test_defaults(void **state)
{
    (void)state;
    struct unit *u = parse_ok("[Service]\nExecStart=/bin/true\n");
    assert_string_equal(u->name, "t");
    assert_int_equal(u->type, UNIT_SIMPLE);
    assert_int_equal(u->restart, RESTART_NO);
    assert_int_equal(u->restart_sec, 100 * USEC_PER_MSEC);
    assert_int_equal(u->start_limit_interval, 10 * USEC_PER_SEC);
    assert_int_equal(u->start_limit_burst, 5);
    assert_int_equal(u->timeout_stop, 90 * USEC_PER_SEC);
    assert_int_equal(u->kill_signal, SIGTERM);
    assert_int_equal(u->kill_mode, KILL_CONTROL_GROUP);
    assert_int_equal(u->umask, -1);
    assert_false(u->remain_after_exit);
    assert_null(u->description);
    unit_free(u);
}

static void test_unit_section_keys(void **state)
{
    (void)state;
    struct unit *u = parse_ok("[Unit]\nDescription=My  service\nDocumentation=man:x(8) https://e.org\n"
                              "Documentation=file:/y\nAfter=a.service b.service\nAfter=c.service\nBefore=d\n"
                              "Wants=w1\nRequires=r1 r2\nRequires=\nRequires=r3\nStartLimitIntervalSec=1min\n"
                              "StartLimitBurst=3\n" SVC(""));
    assert_string_equal(u->description, "My  service");
    assert_int_equal(u->documentation.n, 3);
    assert_string_equal(u->documentation.v[2], "file:/y");
    assert_int_equal(u->after.n, 3);
    assert_string_equal(u->after.v[2], "c.service");
    assert_int_equal(u->before.n, 1);
    assert_int_equal(u->wants.n, 1);
    assert_int_equal(u->requires.n, 1); /* the empty assignment reset the list */
    assert_string_equal(u->requires.v[0], "r3");
    assert_int_equal(u->start_limit_interval, USEC_PER_MINUTE);
    assert_int_equal(u->start_limit_burst, 3);
    unit_free(u);
}

static void test_service_keys(void **state)
{
    (void)state;
    struct unit *u = parse_ok("[Service]\nType=oneshot\nExecStart=-/bin/echo \"a b\" c\n"
                              "ExecStart=@/bin/sh mysh -c 'exit 0'\nExecStart=:/bin/echo $HOME\n"
                              "WorkingDirectory=-/srv\nUser=nobody\nGroup=nogroup\nUMask=0027\n"
                              "Restart=on-abnormal\nRestartSec=2.5s\nTimeoutStartSec=1min\nTimeoutStopSec=0\n"
                              "KillSignal=SIGINT\nKillMode=mixed\nSuccessExitStatus=3 75 SIGUSR1\n"
                              "RemainAfterExit=yes\n");
    assert_int_equal(u->type, UNIT_ONESHOT);
    assert_int_equal(u->exec[UEXEC_START].n, 3);
    assert_int_equal(u->exec[UEXEC_START].v[0].flags, EXEC_IGNORE_FAILURE);
    assert_string_equal(u->exec[UEXEC_START].v[0].path, "/bin/echo");
    assert_int_equal(u->exec[UEXEC_START].v[0].argv.n, 3);
    assert_string_equal(u->exec[UEXEC_START].v[0].argv.v[1], "a b");
    assert_int_equal(u->exec[UEXEC_START].v[1].flags, EXEC_ARGV0);
    assert_string_equal(u->exec[UEXEC_START].v[1].path, "/bin/sh");
    assert_string_equal(u->exec[UEXEC_START].v[1].argv.v[0], "mysh");
    assert_string_equal(u->exec[UEXEC_START].v[1].argv.v[2], "exit 0");
    assert_int_equal(u->exec[UEXEC_START].v[2].flags, EXEC_NO_ENV_EXPAND);
    assert_string_equal(u->working_directory, "/srv");
    assert_true(u->working_directory_optional);
    assert_string_equal(u->user, "nobody");
    assert_string_equal(u->group, "nogroup");
    assert_int_equal(u->umask, 027);
    assert_int_equal(u->restart, RESTART_ON_ABNORMAL);
    assert_int_equal(u->restart_sec, 2500 * USEC_PER_MSEC);
    assert_int_equal(u->timeout_start, USEC_PER_MINUTE);
    assert_int_equal(u->timeout_stop, USEC_INFINITY);
    assert_int_equal(u->kill_signal, SIGINT);
    assert_int_equal(u->kill_mode, KILL_MIXED);
    assert_true(u->success_status[3] && u->success_status[75] && !u->success_status[4]);
    assert_true(u->success_signal[SIGUSR1] && !u->success_signal[SIGUSR2]);
    assert_true(u->remain_after_exit);
    unit_free(u);

    u = parse_ok(SVC("TimeoutSec=5s\nKillSignal=9\nKillMode=process\nRestart=always\nRemainAfterExit=off\n"
                     "SuccessExitStatus=1\nSuccessExitStatus=\nTimeoutStopSec=infinity\nWorkingDirectory=~\n"));
    assert_int_equal(u->timeout_start, 5 * USEC_PER_SEC);
    assert_int_equal(u->timeout_stop, USEC_INFINITY);
    assert_int_equal(u->kill_signal, SIGKILL);
    assert_int_equal(u->kill_mode, KILL_PROCESS);
    assert_int_equal(u->restart, RESTART_ALWAYS);
    assert_false(u->success_status[1]);
    assert_string_equal(u->working_directory, "~");
    unit_free(u);

    static const char *restarts[] = {"no", "always", "on-success", "on-failure", "on-abnormal", "on-abort"};
    for (size_t i = 0; i < ARRAY_SIZE(restarts); i++) {
        char text[128];
        snprintf(text, sizeof(text), SVC("Restart=%s\n"), restarts[i]);
        u = parse_ok(text);
        assert_int_equal(u->restart, (int)i);
        assert_string_equal(unit_restart_name(u->restart), restarts[i]);
        unit_free(u);
    }
    static const char *modes[] = {"control-group", "mixed", "process", "none"};
    for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
        char text[128];
        snprintf(text, sizeof(text), SVC("KillMode=%s\n"), modes[i]);
        u = parse_ok(text);
        assert_int_equal(u->kill_mode, (int)i);
        unit_free(u);
    }
    static const char *types[] = {"simple", "exec", "oneshot"};
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        char text[128];
        snprintf(text, sizeof(text), SVC("Type=%s\n"), types[i]);
        u = parse_ok(text);
        assert_int_equal(u->type, (int)i);
        assert_string_equal(unit_type_name(u->type), types[i]);
        unit_free(u);
    }
}

/* systemd-escape --unescape: "-" is "/", "\xNN" exactly two hex digits; anything else stays as written */
/* every step of a start has systemd's code and name, so its failure is reported by name (a step added
 * without one does not compile: exec.c checks the table's size against the enum) */
static void test_exec_steps_are_named(void **state)
{
    (void)state;
    assert_true(exec_step_count() >= 16);
    for (int i = 0; i < exec_step_count(); i++) {
        int code = 0;
        const char *name = exec_step_name_at(i, &code);
        assert_non_null(name);
        assert_true(code >= 200 && code < 256);
        assert_non_null(exit_status_name(code));
    }
    assert_string_equal(exit_status_name(215), "CPUAFFINITY");
    assert_string_equal(exit_status_name(211), "IOPRIO"); /* systemd's EXIT_IOPRIO (213 is SECUREBITS) */
    assert_string_equal(exit_status_name(227), "NO_NEW_PRIVILEGES");
}

/* RequiresMountsFor=: the fstab mount points on the path must be mounted; a path none covers needs nothing */
/* StandardInput= and its companions, as systemd reads them */
static void test_standard_input(void **state)
{
    (void)state;
    struct unit *u = parse_ok(SVC("StandardInputText=hello\\tworld\nStandardInputText=%n\nStandardInputData=AAEC/w==\n"
                                  "StandardInputData=SG k=\n"));
    assert_int_equal(u->std_input, IN_DATA); /* data alone makes it data */
    assert_int_equal(u->input_data.len, 28);
    assert_memory_equal(u->input_data.p, "hello\tworld\nt.service\n\x00\x01\x02\xffHi", 28);
    assert_int_equal(u->std_output, OUT_LOG);
    unit_free(u);
    u = parse_ok(SVC("StandardInputText=gone\nStandardInputText=\nStandardInputText=kept"));
    assert_int_equal(u->input_data.len, 5);
    assert_memory_equal(u->input_data.p, "kept\n", 5);
    unit_free(u);
    /* a terminal: output and errors go there unless said otherwise */
    u = parse_ok(SVC("StandardInput=tty-force\nTTYPath=/dev/tty7\nTTYRows=24\nTTYColumns=80"));
    assert_int_equal(u->std_input, IN_TTY_FORCE);
    assert_string_equal(u->tty_path, "/dev/tty7");
    assert_int_equal(u->tty_rows, 24);
    assert_int_equal(u->tty_columns, 80);
    assert_int_equal(u->std_output, OUT_INHERIT);
    assert_int_equal(u->std_error, OUT_INHERIT);
    unit_free(u);
    u = parse_ok(SVC("StandardOutput=tty\nStandardInput=tty\nStandardError=journal"));
    assert_int_equal(u->std_input, IN_TTY);
    assert_null(u->tty_path); /* /dev/console */
    assert_int_equal(u->std_output, OUT_INHERIT);
    assert_int_equal(u->std_error, OUT_LOG);
    unit_free(u);
    u = parse_ok(SVC("StandardInput=file:/etc/hostname\nStandardInput=tty-fail\nStandardInput=file:/srv/%N.in"));
    assert_int_equal(u->std_input, IN_FILE);
    assert_string_equal(u->input_path, "/srv/t.in");
    assert_int_equal(u->std_output, OUT_LOG);
    unit_free(u);
    u = parse_ok(SVC("StandardOutput=tty\nStandardError=tty")); /* no terminal to inherit: oya's log */
    assert_int_equal(u->std_output, OUT_LOG);
    assert_int_equal(u->std_error, OUT_LOG);
    unit_free(u);
    /* its errors are in test_diagnostics */
}

/* CPUSchedulingPolicy=, CPUSchedulingPriority=, CPUSchedulingResetOnFork=, as systemd reads them */
static void test_cpu_scheduling(void **state)
{
    (void)state;
    struct unit *u = parse_ok(SVC("CPUSchedulingPolicy=idle"));
    assert_true(u->cpu_sched_set);
    assert_int_equal(u->cpu_sched_policy, SCHED_IDLE);
    assert_int_equal(u->cpu_sched_priority, 0);
    unit_free(u);
    u = parse_ok(SVC("CPUSchedulingPolicy=rr")); /* a real-time policy runs at 1 at least */
    assert_int_equal(u->cpu_sched_policy, SCHED_RR);
    assert_int_equal(u->cpu_sched_priority, 1);
    unit_free(u);
    u = parse_ok(SVC("CPUSchedulingPriority=50\nCPUSchedulingPolicy=fifo\nCPUSchedulingResetOnFork=yes"));
    assert_int_equal(u->cpu_sched_policy, SCHED_FIFO);
    assert_int_equal(u->cpu_sched_priority, 50);
    assert_true(u->cpu_sched_reset_on_fork);
    unit_free(u);
    u = parse_ok(SVC("CPUSchedulingPriority=50\nCPUSchedulingPolicy=batch")); /* 0 is the only one of batch */
    assert_int_equal(u->cpu_sched_priority, 0);
    unit_free(u);
    u = parse_ok(SVC(""));
    assert_false(u->cpu_sched_set);
    unit_free(u);
    char *got = parse_error(SVC("CPUSchedulingPolicy=deadline\n"));
    assert_string_equal(got, "oya: t.service:3: CPUSchedulingPolicy=deadline: use other, batch, idle, fifo or rr\n");
    free(got);
    got = parse_error(SVC("CPUSchedulingPriority=100\n"));
    assert_string_equal(got, "oya: t.service:3: CPUSchedulingPriority=100: not a priority from 0 to 99 (1 to 99 for "
                             "fifo and rr)\n");
    free(got);
}

/* ProtectSystem=, ProtectHome= and the path lists, as systemd reads them; DynamicUser= implies the strict ones */
static void test_protect(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int system, home;
    } cases[] = {
        {SVC("ProtectSystem=yes"), 1, 0},        {SVC("ProtectSystem=true\nProtectSystem=off"), 0, 0},
        {SVC("ProtectSystem=full"), 2, 0},       {SVC("ProtectSystem=strict\nProtectHome=tmpfs"), 3, 3},
        {SVC("ProtectHome=1"), 0, 1},            {SVC("ProtectHome=read-only"), 0, 2},
        {SVC("DynamicUser=yes"), 3, 2},          {SVC("DynamicUser=yes\nProtectSystem=full\nProtectHome=yes"), 2, 1},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct unit *u = parse_ok(cases[i].text);
        if (u->protect_system != cases[i].system || u->protect_home != cases[i].home)
            fail_msg("case %zu: %d %d", i, u->protect_system, u->protect_home);
        unit_free(u);
    }
    struct unit *u = parse_ok(SVC("ReadWritePaths=/a -/b +/c\nReadWriteDirectories=-+/d\nReadOnlyPaths=/x\n"
                                  "ReadOnlyPaths=\nReadOnlyPaths=\"/with space\"\nInaccessiblePaths=/%N"));
    assert_int_equal(u->read_write_paths.n, 4);
    assert_string_equal(u->read_write_paths.v[0], "/a");
    assert_string_equal(u->read_write_paths.v[1], "-/b");
    assert_string_equal(u->read_write_paths.v[2], "/c");
    assert_string_equal(u->read_write_paths.v[3], "-/d");
    assert_int_equal(u->read_only_paths.n, 1);
    assert_string_equal(u->read_only_paths.v[0], "/with space");
    assert_string_equal(u->inaccessible_paths.v[0], "/t");
    unit_free(u);
}

static void test_mounts_for(void **state)
{
    (void)state;
    char dir[] = "/tmp/oya-fstab-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fstab[PATH_MAX], data[PATH_MAX], deeper[PATH_MAX], alike[PATH_MAX], un[PATH_MAX];
    snprintf(fstab, sizeof(fstab), "%s/fstab", dir);
    snprintf(data, sizeof(data), "%s/data", dir);
    snprintf(deeper, sizeof(deeper), "%s/data/db/x", dir);
    snprintf(alike, sizeof(alike), "%s/database", dir);
    FILE *f = fopen(fstab, "w");
    assert_non_null(f);
    fprintf(f, "# <file system> <mount point> <type> <options> <dump> <pass>\n"
               "UUID=1234 / ext4 errors=remount-ro 0 1\n"
               "proc\t/proc/\tproc defaults 0 0\n"
               "/dev/vdz1 %s ext4 noauto 0 2\n"
               "/swapfile none swap sw 0 0\n"
               "server:/x /srv/with\\040space nfs defaults 0 0\n"
               "\n  # indented comment /srv\n",
            data);
    fclose(f);
    assert_int_equal(machine_mounts_for("/run/lldpd", fstab, un, sizeof(un)), 1); /* no mount covers it */
    assert_int_equal(machine_mounts_for("/proc/self", fstab, un, sizeof(un)), 1);  /* mounted */
    assert_int_equal(machine_mounts_for(alike, fstab, un, sizeof(un)), 1);         /* a prefix, not a parent */
    assert_int_equal(machine_mounts_for(deeper, fstab, un, sizeof(un)), 0);
    assert_string_equal(un, data);
    assert_int_equal(machine_mounts_for(data, fstab, un, sizeof(un)), 0);
    assert_int_equal(machine_mounts_for("/srv/with space/a", fstab, un, sizeof(un)), 0);
    assert_string_equal(un, "/srv/with space");
    assert_int_equal(machine_mounts_for("/srv/with", fstab, un, sizeof(un)), 1);
    unlink(fstab);
    assert_int_equal(machine_mounts_for(deeper, fstab, un, sizeof(un)), 1); /* no fstab: no mount units */
    rmdir(dir);
    /* through a unit: the reason names the mount point */
    char *text = xasprintf("[Unit]\nRequiresMountsFor=/run/lldpd\n[Service]\nExecStart=/x\n");
    struct unit *u = parse_ok(text);
    char why[256] = "";
    assert_true(unit_conditions_met(u, false, why, sizeof(why)));
    unit_free(u);
    free(text);
}

/* systemd's defaults: NotifyAccess=main with a watchdog, IgnoreSIGPIPE=yes, DynamicUser=yes's user named
 * after the unit and its implied settings */
static void test_systemd_defaults(void **state)
{
    (void)state;
    struct unit *u = parse_ok(SVC("WatchdogSec=5s\n"));
    assert_int_equal(u->notify_access, NOTIFY_MAIN);
    assert_true(u->ignore_sigpipe);
    unit_free(u);
    u = parse_ok(SVC("IgnoreSIGPIPE=no\nDynamicUser=no\n"));
    assert_false(u->ignore_sigpipe);
    assert_int_equal(u->notify_access, NOTIFY_NONE);
    unit_free(u);
    u = parse_ok(SVC("DynamicUser=yes\n"));
    assert_true(u->dynamic_user && u->no_new_privileges && u->private_tmp);
    assert_string_equal(u->user, u->name);
    unit_free(u);
    u = parse_ok(SVC("User=svc-user\nDynamicUser=yes\n"));
    assert_string_equal(u->user, "svc-user");
    unit_free(u);
    struct unit_diag dd = {0};
    u = unit_parse("worker@1", "worker@.service", SVC("DynamicUser=yes\n"), &dd); /* '@': not a user name */
    assert_non_null(u);
    assert_true(strlen(u->user) == 19 && strncmp(u->user, "_du", 3) == 0);
    unit_free(u);
    buf_free(&dd.text);
    /* TasksMax= takes no specifiers (a % is a percentage); it is applied to the cgroup, not listed as not applied */
    struct unit_diag d = {0};
    u = unit_parse("t", "t.service", SVC("TasksMax=99%\n"), &d);
    assert_non_null(u);
    assert_int_equal(d.errors, 0);
    assert_true(u->tasks_max == 99 && u->tasks_max_percent);
    assert_false(strv_contains(&u->not_applied, "TasksMax"));
    unit_free(u);
    buf_free(&d.text);
    d = (struct unit_diag){0};
    u = unit_parse("t", "t.service", SVC("TasksMax=infinity\nTasksMax=512\n"), &d);
    assert_non_null(u);
    assert_true(u->tasks_max == 512 && !u->tasks_max_percent);
    unit_free(u);
    buf_free(&d.text);
    char *e = parse_error(SVC("TasksMax=101%\n"));
    free(e);
}

/* The value a unit's resource control writes into a cgroup file, NULL when none */
static const char *cgroup_value(const struct unit *u, const char *file)
{
    const char *v = NULL;
    for (size_t i = 0; i < u->ncgroup_sets; i++)
        if (!strcmp(u->cgroup_sets[i].file, file))
            v = u->cgroup_sets[i].value;
    return v;
}

static void test_resource_control(void **state)
{
    (void)state;
    struct unit *u = parse_ok(SVC("MemoryMax=512M\nMemoryHigh=infinity\nMemoryLow=1G\nMemorySwapMax=0\n"
                                  "CPUWeight=200\nIOWeight=50\nAllowedCPUs=0-1 3\nAllowedMemoryNodes=0\n"
                                  "CPUQuota=150%\nCPUQuotaPeriodSec=50ms\n"
                                  "IOReadBandwidthMax=/dev/sda 10M\nIOReadBandwidthMax=/dev/sdb infinity\n"
                                  "IODeviceWeight=/dev/sda 300\n"));
    assert_string_equal(cgroup_value(u, "memory.max"), "536870912");
    assert_string_equal(cgroup_value(u, "memory.high"), "max");
    assert_string_equal(cgroup_value(u, "memory.low"), "1073741824");
    assert_string_equal(cgroup_value(u, "memory.swap.max"), "0");
    assert_string_equal(cgroup_value(u, "cpu.weight"), "200");
    assert_string_equal(cgroup_value(u, "cpuset.cpus"), "0-1,3");
    assert_string_equal(cgroup_value(u, "cpuset.mems"), "0");
    assert_true(u->cpu_quota_percent == 150 && u->cpu_quota_period_usec == 50000);
    size_t io = 0;
    for (size_t i = 0; i < u->ncgroup_sets; i++)
        io += !strcmp(u->cgroup_sets[i].file, "io.max");
    assert_int_equal(io, 2); /* one line per device */
    assert_string_equal(cgroup_value(u, "io.max"), "/dev/sdb\trbps=max");
    assert_string_equal(cgroup_value(u, "io.weight"), "/dev/sda\tweight=300");
    unit_free(u);
    /* the actions on a unit's end, in [Unit] (FailureAction= also in [Service], as systemd accepts) */
    u = parse_ok("[Unit]\nFailureAction=exit-force\nSuccessAction=poweroff\nStartLimitAction=reboot-immediate\n"
                 "FailureActionExitStatus=42\nOnFailure=a.service b@%n.service\nOnSuccess=c.service\n"
                 "[Service]\nExecStart=/bin/true\nRestartSteps=4\nRestartMaxDelaySec=1min\n");
    assert_int_equal(u->failure_action, UA_EXIT_FORCE);
    assert_true(u->failure_action_set);
    assert_int_equal(u->success_action, UA_POWEROFF);
    assert_int_equal(u->start_limit_action, UA_REBOOT_IMMEDIATE);
    assert_int_equal(u->failure_action_exit_status, 42);
    assert_int_equal(u->success_action_exit_status, -1);
    assert_int_equal(u->on_failure.n, 2);
    assert_string_equal(u->on_failure.v[1], "b@t.service.service");
    assert_string_equal(u->on_success.v[0], "c.service");
    assert_int_equal(u->restart_steps, 4);
    assert_true(u->restart_max_delay == 60 * USEC_PER_SEC);
    assert_string_equal(unit_action_name(UA_HALT_FORCE), "halt-force");
    assert_int_equal(unit_action_from_name("soft-reboot"), UA_SOFT_REBOOT);
    unit_free(u);
    char *e = parse_error("[Unit]\nFailureActionExitStatus=300\n[Service]\nExecStart=/bin/true\n");
    assert_non_null(strstr(e, "FailureActionExitStatus=300: an exit status is 0 to 255"));
    free(e);
    /* Delegate=: a boolean, a list of controllers, or empty (on, as systemd) */
    static const struct {
        const char *text;
        bool on;
    } delegate[] = {{"Delegate=yes\n", true}, {"Delegate=no\n", false}, {"Delegate=cpu memory\n", true},
                    {"Delegate=\n", true}, {"Delegate=yes\nDelegate=no\n", false}};
    for (size_t i = 0; i < ARRAY_SIZE(delegate); i++) {
        char text[128];
        snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/true\n%s", delegate[i].text);
        u = parse_ok(text);
        assert_int_equal(u->delegate, delegate[i].on);
        unit_free(u);
    }
    /* a later assignment wins; an empty one resets (memory.max back to max, the devices forgotten) */
    u = parse_ok(SVC("MemoryMax=1G\nMemoryMax=\nIOWriteIOPSMax=/dev/sda 100\nIOWriteIOPSMax=\n"));
    assert_string_equal(cgroup_value(u, "memory.max"), "max");
    assert_null(cgroup_value(u, "io.max"));
    unit_free(u);
    /* bad values are errors naming the key, with what to write */
    static const struct {
        const char *text, *hint;
    } bad[] = {
        {"MemoryMax=lots\n", "MemoryMax=lots: write bytes"},
        {"MemorySwapMax=50%\n", "MemorySwapMax=50%: write bytes (1024, 512M, 2G), or infinity"},
        {"CPUWeight=0\n", "CPUWeight=0: a weight is 1 to 10000"},
        {"CPUQuota=50\n", "CPUQuota=50: write a percentage of one CPU"},
        {"CPUQuotaPeriodSec=5s\n", "CPUQuotaPeriodSec=5s: a period is 1ms to 1s"},
        {"AllowedCPUs=a-b\n", "AllowedCPUs=a-b: write a list"},
        {"IOReadBandwidthMax=sda 1M\n", "IOReadBandwidthMax=sda 1M: write a device path and a value"},
        {"IODeviceWeight=/dev/sda\n", "IODeviceWeight=/dev/sda: write a device path and a weight"},
        {"OOMPolicy=maybe\n", "OOMPolicy=maybe: unknown policy; accepted: stop, continue, kill"},
        {"FailureAction=explode\n", "FailureAction=explode: unknown action; accepted: none, exit"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char text[256];
        snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/true\n%s", bad[i].text);
        char *e = parse_error(text);
        if (!strstr(e, bad[i].hint))
            fail_msg("%s gave: %s", bad[i].text, e);
        free(e);
    }
}

static void test_continuation_then_comments_at_end(void **state)
{
    (void)state;
    struct unit *u = parse_ok("[Service]\nExecStart=/bin/echo one \\\n# a comment\n; another");
    assert_int_equal(u->exec[UEXEC_START].n, 1);
    assert_int_equal(u->exec[UEXEC_START].v[0].argv.n, 2);
    assert_string_equal(u->exec[UEXEC_START].v[0].argv.v[1], "one");
    unit_free(u);
}

static void test_unescape(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"a-b\\x2dc", "a/b-c"}, {"\\x41\\x62", "Ab"},   {"\\x-1", "\\x/1"}, {"\\x 1", "\\x 1"},
        {"\\x+f", "\\x+f"},     {"a\\x00b", "a\\x00b"}, {"\\x4", "\\x4"},   {"\\x", "\\x"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *u = unit_unescape(cases[i][0]);
        assert_string_equal(u, cases[i][1]);
        free(u);
    }
}

static void test_environment_keys(void **state)
{
    (void)state;
    struct unit *u = parse_ok(SVC("Environment=A=1 \"B=two words\" 'C=x'\nEnvironment=A=2\nEnvironment=D=\n"
                                  "EnvironmentFile=/etc/a\nEnvironmentFile=-/etc/b\n"));
    assert_int_equal(u->environment.n, 4);
    char **e = strv_array(&u->environment);
    assert_string_equal(unit_env_get(e, "A"), "2");
    assert_string_equal(unit_env_get(e, "B"), "two words");
    assert_string_equal(unit_env_get(e, "C"), "x");
    assert_string_equal(unit_env_get(e, "D"), "");
    assert_int_equal(u->n_env_files, 2);
    assert_false(u->env_files[0].optional);
    assert_true(u->env_files[1].optional);
    assert_string_equal(u->env_files[1].path, "/etc/b");
    unit_free(u);
    u = parse_ok(SVC("Environment=A=1\nEnvironment=\nEnvironmentFile=/x\nEnvironmentFile=\n"));
    assert_int_equal(u->environment.n, 0);
    assert_int_equal(u->n_env_files, 0);
    unit_free(u);
    /* a name set again keeps its first place and takes its last value, as one unit_env_set after another */
    u = parse_ok(SVC("Environment=A=1 B=1 C=1\nEnvironment=B=2 D=1\nEnvironment=A=3 AB=x B=3\n"));
    const char *want[] = {"A=3", "B=3", "C=1", "D=1", "AB=x"};
    assert_int_equal(u->environment.n, ARRAY_SIZE(want));
    for (size_t i = 0; i < ARRAY_SIZE(want); i++)
        assert_string_equal(u->environment.v[i], want[i]);
    assert_null(u->environment.v[u->environment.n]);
    unit_free(u);
}

static void test_limits(void **state)
{
    (void)state;
    struct unit *u = parse_ok(SVC("LimitNOFILE=1024:4096\nLimitCORE=infinity\nLimitAS=1G\nLimitSTACK=8M\n"
                                  "LimitMEMLOCK=64K:infinity\nLimitCPU=1h\nLimitRTTIME=500ms\nLimitNPROC=100\n"
                                  "LimitFSIZE=10\nLimitDATA=2T\nLimitRSS=1P\nLimitLOCKS=7\nLimitSIGPENDING=9\n"
                                  "LimitMSGQUEUE=1K\nLimitNICE=30\nLimitRTPRIO=5\n"));
    assert_true(u->limits[RLIMIT_NOFILE].set);
    assert_int_equal(u->limits[RLIMIT_NOFILE].soft, 1024);
    assert_int_equal(u->limits[RLIMIT_NOFILE].hard, 4096);
    assert_int_equal(u->limits[RLIMIT_CORE].soft, RLIM_INFINITY);
    assert_int_equal(u->limits[RLIMIT_AS].soft, 1ULL << 30);
    assert_int_equal(u->limits[RLIMIT_STACK].hard, 8ULL << 20);
    assert_int_equal(u->limits[RLIMIT_MEMLOCK].soft, 64 << 10);
    assert_int_equal(u->limits[RLIMIT_MEMLOCK].hard, RLIM_INFINITY);
    assert_int_equal(u->limits[RLIMIT_CPU].soft, 3600);
    assert_int_equal(u->limits[RLIMIT_RTTIME].soft, 500000);
    assert_int_equal(u->limits[RLIMIT_NPROC].soft, 100);
    assert_int_equal(u->limits[RLIMIT_FSIZE].soft, 10);
    assert_int_equal(u->limits[RLIMIT_DATA].soft, 2ULL << 40);
    assert_int_equal(u->limits[RLIMIT_RSS].soft, 1ULL << 50);
    assert_int_equal(u->limits[RLIMIT_LOCKS].soft, 7);
    assert_int_equal(u->limits[RLIMIT_SIGPENDING].soft, 9);
    assert_int_equal(u->limits[RLIMIT_MSGQUEUE].soft, 1024);
    assert_int_equal(u->limits[RLIMIT_NICE].soft, 30);
    assert_int_equal(u->limits[RLIMIT_RTPRIO].soft, 5);
    unit_free(u);
    u = parse_ok(SVC("LimitNOFILE=5\nLimitNOFILE=\n"));
    assert_false(u->limits[RLIMIT_NOFILE].set);
    unit_free(u);
}

static void test_syntax(void **state)
{
    (void)state;
    /* comments, blank lines, CRLF, continuation (with a comment line inside), X- sections and keys */
    struct unit *u = parse_ok("# leading comment\n; another\n\n[Unit]\r\nDescription=one \\\n"
                              "# skipped inside the continuation\n  two \\\n three\n[X-Custom]\nAnything=goes\n"
                              "[Service]\nX-Private=1\nExecStart=/bin/echo \\\n  a \\\n  b\n[Install]\n"
                              "WantedBy=multi-user.target\n");
    assert_string_equal(u->description, "one    two   three");
    assert_int_equal(u->exec[UEXEC_START].v[0].argv.n, 3);
    assert_string_equal(u->exec[UEXEC_START].v[0].argv.v[2], "b");
    unit_free(u);
}

/* Every diagnostic, by its exact text. */
static void test_diagnostics(void **state)
{
    (void)state;
    static const struct {
        const char *text, *diag;
    } errors[] = {
        {"[Service]\nRestart=/bin/true\n",
         "oya: t.service:2: Restart=/bin/true: unknown policy; accepted: no, always, on-success, on-failure, "
         "on-abnormal, on-abort, on-watchdog\n"
         "oya: t.service: no ExecStart= in [Service]: a service needs a command to run\n"},
        {SVC("Type=dbus\n"), "oya: t.service: Type=dbus needs BusName=, the name the service takes on the bus\n"},
        {SVC("Type=notify-reload\nReloadSignal=SIGNOPE\n"),
         "oya: t.service:4: ReloadSignal=SIGNOPE: not a signal; use a name like SIGTERM, TERM or a number like 15\n"},
        {SVC("StandardInput=data\n"), "oya: t.service: StandardInput=data needs StandardInputText= or "
                                      "StandardInputData=, what the service reads\n"},
        {SVC("StandardInput=file:rel\n"), "oya: t.service:3: StandardInput=file:rel: give an absolute path after "
                                          "'file:'\n"},
        {SVC("StandardInput=keyboard\n"), "oya: t.service:3: StandardInput=keyboard: use null, tty, tty-force, "
                                          "tty-fail, data or file:PATH\n"},
        {SVC("StandardInputData=AB$C\n"), "oya: t.service:3: StandardInputData=AB$C: not base64: '$' where A-Z, "
                                          "a-z, 0-9, + or / belongs\n"},
        {SVC("StandardInputData=QUJD=\n"), "oya: t.service:3: StandardInputData=QUJD=: not base64: '=' where A-Z, "
                                           "a-z, 0-9, + or / belongs\n"},
        {SVC("StandardInputData=QUJDR\n"), "oya: t.service:3: StandardInputData=QUJDR: not base64: it ends in the "
                                           "middle of a byte\n"},
        {SVC("StandardInputText=a\\qb\n"), "oya: t.service:3: StandardInputText=a\\qb: unknown escape after a "
                                           "backslash; write \\\\ for a backslash\n"},
        {SVC("TTYPath=tty1\n"), "oya: t.service:3: TTYPath=tty1: give the terminal's absolute path, e.g. /dev/tty1 "
                                "or /dev/console\n"},
        {SVC("TTYRows=70000\n"), "oya: t.service:3: TTYRows=70000: not a number from 0 to 65535\n"},
        {SVC("ProtectSystem=maybe\n"), "oya: t.service:3: ProtectSystem=maybe: use yes, no, full or strict\n"},
        {SVC("ProtectHome=full\n"), "oya: t.service:3: ProtectHome=full: use yes, no, read-only or tmpfs\n"},
        {SVC("ReadWritePaths=/ok -rel\n"), "oya: t.service:3: ReadWritePaths=/ok -rel: '-rel': give an absolute path "
                                            "(with '-' in front when it may be missing)\n"},
        {SVC("BusName=no_dots\n"), "oya: t.service:3: BusName=no_dots: not a bus name; write one like "
                                   "org.example.Daemon\n"},
        {SVC("Type=weird\n"),
         "oya: t.service:3: Type=weird: unknown type; accepted: simple, exec, forking, oneshot, notify, "
         "notify-reload, dbus\n"},
        {SVC("RuntimeDirectory=../etc\n"),
         "oya: t.service:3: RuntimeDirectory=../etc: '../etc': give a name relative to /run, without '..', e.g. t\n"},
        {SVC("StateDirectory=/var/lib/x\n"),
         "oya: t.service:3: StateDirectory=/var/lib/x: '/var/lib/x': give a name relative to /var/lib, without "
         "'..', e.g. t\n"},
        {SVC("RuntimeDirectoryMode=999\n"),
         "oya: t.service:3: RuntimeDirectoryMode=999: not an octal mode; use e.g. 0755 or 2750 (0000 to 7777)\n"},
        {SVC("RuntimeDirectoryPreserve=maybe\n"),
         "oya: t.service:3: RuntimeDirectoryPreserve=maybe: use yes, no or restart\n"},
        {SVC("NotifyAccess=some\n"),
         "oya: t.service:3: NotifyAccess=some: unknown value; accepted: none, main, exec, all\n"},
        {SVC("WatchdogSec=often\n"),
         "oya: t.service:3: WatchdogSec=often: not a time span; use e.g. 500ms, 5s, 1min 30s, 2h or infinity\n"},
        {SVC("RestartSec=soon\n"),
         "oya: t.service:3: RestartSec=soon: not a time span; use e.g. 500ms, 5s, 1min 30s, 2h or infinity\n"},
        {SVC("TimeoutStopSec=5x\n"),
         "oya: t.service:3: TimeoutStopSec=5x: not a time span; use e.g. 500ms, 5s, 1min 30s, 2h or infinity\n"},
        {SVC("TimeoutSec=x\n"),
         "oya: t.service:3: TimeoutSec=x: not a time span; use e.g. 500ms, 5s, 1min 30s, 2h or infinity\n"},
        {SVC("KillMode=all\n"),
         "oya: t.service:3: KillMode=all: unknown mode; accepted: control-group, mixed, process, none\n"},
        {SVC("KillSignal=SIGFOO\n"),
         "oya: t.service:3: KillSignal=SIGFOO: not a signal; use a name like SIGTERM, TERM or a number like 15\n"},
        {SVC("UMask=999\n"),
         "oya: t.service:3: UMask=999: not an octal mask; use e.g. 0022 or 0077 (0000 to 0777)\n"},
        {SVC("RemainAfterExit=maybe\n"),
         "oya: t.service:3: RemainAfterExit=maybe: not a boolean; use yes or no (also true/false, on/off, 1/0)\n"},
        {SVC("StartLimitBurst=-1\n"), "oya: t.service:3: StartLimitBurst=-1: not a whole number; use e.g. 5\n"},
        {SVC("Environment=FOO\n"),
         "oya: t.service:3: Environment=FOO: 'FOO' is not an assignment; write NAME=VALUE (quote it if the value "
         "has spaces)\n"},
        {SVC("Environment=\"A=1\n"), "oya: t.service:3: Environment=\"A=1: a double quote is not closed\n"},
        {SVC("EnvironmentFile=rel/path\n"),
         "oya: t.service:3: EnvironmentFile=rel/path: not an absolute path; write /path/to/file (a leading - makes "
         "it optional)\n"},
        {SVC("WorkingDirectory=srv\n"),
         "oya: t.service:3: WorkingDirectory=srv: not an absolute path; write /path, ~ for the user's home, or a "
         "leading - to ignore a missing directory\n"},
        {SVC("User=bad user\n"),
         "oya: t.service:3: User=bad user: not a valid name; use a user or group name, or a numeric id\n"},
        {SVC("LimitNOFILE=lots\n"),
         "oya: t.service:3: LimitNOFILE=lots: not a limit; use N, SOFT:HARD or infinity (e.g. 1024)\n"},
        {SVC("LimitAS=1X\n"),
         "oya: t.service:3: LimitAS=1X: not a limit; use N, SOFT:HARD or infinity (e.g. 1024, 64M, 1G)\n"},
        {SVC("LimitCPU=forever\n"),
         "oya: t.service:3: LimitCPU=forever: not a limit; use N, SOFT:HARD or infinity (seconds or a time span, "
         "e.g. 60 or 1h)\n"},
        {SVC("LimitNOFILE=10:5\n"),
         "oya: t.service:3: LimitNOFILE=10:5: the soft limit is above the hard limit; write SOFT:HARD with SOFT <= "
         "HARD\n"},
        {SVC("SuccessExitStatus=300\n"),
         "oya: t.service:3: SuccessExitStatus=300: '300' is neither an exit code (0-255 or a name like DATAERR) nor "
         "a signal name like SIGUSR1\n"},
        {"[Service]\nExecStart=bin/true\n",
         "oya: t.service:2: ExecStart=bin/true: 'bin/true' is a relative path; use an absolute path or a plain name "
         "looked up in PATH\n"
         "oya: t.service: no ExecStart= in [Service]: a service needs a command to run\n"},
        {"[Service]\nExecStart=@/bin/true\n",
         "oya: t.service:2: ExecStart=@/bin/true: with '@' give the program and then argv[0]\n"
         "oya: t.service: no ExecStart= in [Service]: a service needs a command to run\n"},
        {"[Service]\nExecStart=-\n",
         "oya: t.service:2: ExecStart=-: no command; give a program and its arguments\n"
         "oya: t.service: no ExecStart= in [Service]: a service needs a command to run\n"},
        {"[Service]\nExecStart=/bin/a\nExecStart=/bin/b\n",
         "oya: t.service:3: ExecStart= is given 2 times: only Type=oneshot runs several commands; keep one, or "
         "reset the list with an empty ExecStart=\n"},
        {"[Service\nExecStart=/bin/true\n",
         "oya: t.service:1: '[Service': a section header is written [Name]\n"
         "oya: t.service:2: ExecStart= is outside of any section, ignored\n"
         "oya: t.service: no ExecStart= in [Service]: a service needs a command to run\n"},
        {SVC("just words\n"), "oya: t.service:3: 'just words': not KEY=VALUE, a [Section] or a comment\n"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(errors); i++) {
        char *d = parse_error(errors[i].text);
        if (strcmp(d, errors[i].diag) != 0)
            fail_msg("case %zu:\n got: %s want: %s", i, d, errors[i].diag);
        free(d);
    }
    static const struct {
        const char *text, *diag;
    } warnings[] = {
        {SVC("Frobnicate=1\n"), "oya: t.service:3: unknown key Frobnicate in [Service], ignored\n"},
        /* a likely typo gets the key it is closest to, from the same section */
        {SVC("RestartSecs=1\n"),
         "oya: t.service:3: unknown key RestartSecs in [Service], ignored (did you mean RestartSec=?)\n"},
        {SVC("execstart=/y\n"),
         "oya: t.service:3: unknown key execstart in [Service], ignored (did you mean ExecStart=?)\n"},
        {"[Unit]\nConditionPathExist=/x\n" SVC(""),
         "oya: t.service:2: unknown key ConditionPathExist in [Unit], ignored (did you mean ConditionPathExists=?)\n"},
        {SVC("PrivateTemp=yes\n"),
         "oya: t.service:3: unknown key PrivateTemp in [Service], ignored (did you mean PrivateTmp=?)\n"},
        {"[Unit]\nExecStart=/x\n" SVC(""), "oya: t.service:2: unknown key ExecStart in [Unit], ignored\n"},
        {SVC("[Bogus]\nKey=1\n"), "oya: t.service:3: unknown section [Bogus], ignored\n"},
        {SVC("BindsTo=x.service\n"), "oya: t.service:3: unknown key BindsTo in [Service], ignored\n"},
        {SVC("StandardInput=socket\n"), "oya: t.service:3: StandardInput=socket comes from a socket unit, and oya "
                                         "does not activate by socket; the service reads /dev/null\n"},
        {SVC("StandardInput=fd:foo\n"), "oya: t.service:3: StandardInput=fd:foo comes from a socket unit, and oya "
                                         "does not activate by socket; the service reads /dev/null\n"},
        {SVC("LockPersonality=yes\nSystemCallFilter=@system-service\nLockPersonality=no\n"),
         "oya: t.service: not applied (systemd settings oya does not carry out; the service runs without them): "
         "LockPersonality, SystemCallFilter\n"},
        {"[Install]\nAlias=foo.socket\n" SVC(""), "oya: t.service:2: Alias=foo.socket: only .service aliases name a "
                                                   "service, ignored\n"},
        {"[Unit]\nConditionPathExists=etc/x\n" SVC(""),
         "oya: t.service:2: ConditionPathExists=etc/x: not an absolute path, the condition is ignored (write /path, "
         "with '!' to negate and '|' to make it triggering)\n"},
        {"Key=1\n" SVC(""), "oya: t.service:1: Key= is outside of any section, ignored\n"},
        /* systemd keys oya does not carry out are not "unknown": one line lists them, [Unit]'s too */
        {"[Unit]\nOnFailureJobMode=fail\n" SVC("Slice=web.slice\n"),
         "oya: t.service: not applied (systemd settings oya does not carry out; the service runs without them): "
         "OnFailureJobMode, Slice\n"},
        {SVC("Delegate=cpu frobs\n"), "oya: t.service:3: Delegate=cpu frobs: frobs is not a cgroup controller, ignored\n"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(warnings); i++) {
        struct unit_diag d;
        struct unit *u = parse(warnings[i].text, &d);
        assert_non_null(u);
        assert_int_equal(d.errors, 0);
        assert_int_equal(d.warnings, 1);
        if (strcmp(d.text.p, warnings[i].diag) != 0)
            fail_msg("warning %zu:\n got: %s want: %s", i, d.text.p, warnings[i].diag);
        buf_free(&d.text);
        unit_free(u);
    }
}

static void test_command_lists_and_files(void **state)
{
    (void)state;
    struct unit *u = parse_ok("[Unit]\nDescription=x\n[Service]\nType=forking\nPIDFile=nginx.pid\n"
                              "ExecStartPre=/usr/sbin/nginx -t\nExecStartPre=-/bin/false\n"
                              "ExecStart=/usr/sbin/nginx -g 'daemon on;'\nExecStartPost=+/bin/true\n"
                              "ExecReload=/bin/kill -HUP $MAINPID\nExecStop=!/bin/stop\nExecStopPost=/bin/post\n"
                              "RuntimeDirectory=redis redis/sub\nRuntimeDirectoryMode=2755\n"
                              "StateDirectory=redis\nRuntimeDirectoryPreserve=restart\n"
                              "[Install]\nAlias=redis.service other.service\n");
    assert_int_equal(u->type, UNIT_FORKING);
    assert_string_equal(u->pid_file, "/run/nginx.pid");
    assert_int_equal(u->exec[UEXEC_START_PRE].n, 2);
    assert_int_equal(u->exec[UEXEC_START_PRE].v[1].flags, EXEC_IGNORE_FAILURE);
    assert_string_equal(u->exec[UEXEC_START].v[0].argv.v[2], "daemon on;");
    assert_int_equal(u->exec[UEXEC_START_POST].v[0].flags, EXEC_PRIVILEGED | EXEC_FULL_PRIVILEGES); /* '+' */
    assert_string_equal(u->exec[UEXEC_RELOAD].v[0].argv.v[2], "$MAINPID");
    assert_int_equal(u->exec[UEXEC_STOP].v[0].flags, EXEC_PRIVILEGED); /* '!': the user only */
    assert_int_equal(u->exec[UEXEC_STOP_POST].n, 1);
    assert_int_equal(u->dirs[UDIR_RUNTIME].n, 2);
    assert_string_equal(u->dirs[UDIR_RUNTIME].v[1], "redis/sub");
    assert_int_equal(u->dir_mode[UDIR_RUNTIME], 02755);
    assert_int_equal(u->dir_mode[UDIR_STATE], 0755);
    assert_int_equal(u->runtime_preserve, PRESERVE_RESTART);
    assert_int_equal(u->aliases.n, 2);
    assert_string_equal(u->aliases.v[0], "redis");
    assert_string_equal(unit_exec_name(UEXEC_STOP_POST), "ExecStopPost");
    unit_free(u);
    u = parse_ok("[Unit]\nAfter=a.service b.target\nBefore=c.service\nRequires=d.service\nWants=e.service\n"
                 "BindsTo=f.service\nPartOf=g.service\nRequisite=h.service\nConflicts=i.service\n"
                 "[Service]\nExecStart=/x\n");
    assert_int_equal(u->after.n, 2);
    assert_string_equal(u->binds_to.v[0], "f.service");
    assert_string_equal(u->part_of.v[0], "g.service");
    assert_string_equal(u->requisite.v[0], "h.service");
    assert_string_equal(u->conflicts.v[0], "i.service");
    assert_string_equal(unit_dir_env(UDIR_LOGS), "LOGS_DIRECTORY");
    unit_free(u);
    /* an empty assignment resets a list */
    u = parse_ok("[Service]\nExecStop=/a\nExecStop=\nExecStop=/b\nExecStart=/x\n");
    assert_int_equal(u->exec[UEXEC_STOP].n, 1);
    assert_string_equal(u->exec[UEXEC_STOP].v[0].path, "/b");
    unit_free(u);
    /* exit status names, as systemd-tmpfiles-setup.service uses them; Type=idle runs as simple */
    u = parse_ok("[Service]\nType=idle\nExecStart=/x\nSuccessExitStatus=DATAERR CANTCREAT 3 SIGUSR1\n");
    assert_int_equal(u->type, UNIT_SIMPLE);
    assert_true(u->success_status[65] && u->success_status[73] && u->success_status[3]);
    assert_true(u->success_signal[SIGUSR1]);
    unit_free(u);
    /* "!!" is "!" on a kernel with ambient capabilities */
    u = parse_ok("[Service]\nExecStart=!!/x\n");
    assert_int_equal(u->exec[UEXEC_START].v[0].flags, EXEC_PRIVILEGED);
    unit_free(u);
}

static void test_conditions(void **state)
{
    (void)state;
    char dir[] = "/tmp/oya-test-cond-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *file = xasprintf("%s/f", dir), *exe = xasprintf("%s/x", dir);
    FILE *f = fopen(file, "w");
    fputs("x", f);
    fclose(f);
    f = fopen(exe, "w");
    fclose(f);
    chmod(exe, 0755);
    char *text = xasprintf("[Unit]\nConditionPathExists=%s\nConditionPathIsDirectory=%s\nConditionFileNotEmpty=%s\n"
                           "ConditionDirectoryNotEmpty=%s\nConditionFileIsExecutable=%s\n"
                           "ConditionPathExists=!%s/none\nConditionPathExists=|%s/none\nConditionPathExists=|!%s/none\n"
                           "AssertPathExists=%s/none\n[Service]\nExecStart=/x\n",
                           file, dir, file, dir, exe, dir, dir, dir, dir);
    struct unit *u = parse_ok(text);
    assert_int_equal(u->n_conds, 9);
    assert_true(u->conds[6].trigger && !u->conds[6].negate);
    assert_true(u->conds[7].trigger && u->conds[7].negate);
    assert_true(u->conds[8].assert);
    char why[256];
    assert_true(unit_conditions_met(u, false, why, sizeof(why)));
    assert_false(unit_conditions_met(u, true, why, sizeof(why)));
    char *want = xasprintf("AssertPathExists=%s/none was not met", dir);
    assert_string_equal(why, want);
    free(want);
    unit_free(u);
    free(text);
    /* the executable check, and a failing triggering set */
    text = xasprintf("[Unit]\nConditionFileIsExecutable=%s\n[Service]\nExecStart=/x\n", file);
    u = parse_ok(text);
    assert_false(unit_conditions_met(u, false, why, sizeof(why)));
    unit_free(u);
    free(text);
    text = xasprintf("[Unit]\nConditionPathExists=|%s/a\nConditionPathExists=|%s/b\n[Service]\nExecStart=/x\n", dir,
                     dir);
    u = parse_ok(text);
    assert_false(unit_conditions_met(u, false, why, sizeof(why)));
    assert_non_null(strstr(why, "none of the triggering conditions"));
    unit_free(u);
    free(text);
    /* an empty Condition*= resets the conditions, not the asserts nor RequiresMountsFor=; a relative path
     * is ignored with a warning, as systemd does */
    u = parse_ok("[Unit]\nConditionPathExists=/none\nAssertPathExists=/a\nRequiresMountsFor=/m /n\n"
                 "ConditionUser=root\nConditionPathExists=\n[Service]\nExecStart=/x\n");
    assert_int_equal(u->n_conds, 3);
    assert_true(u->conds[0].assert);
    assert_int_equal(u->conds[1].kind, COND_MOUNTS_FOR);
    assert_string_equal(u->conds[2].value, "/n");
    unit_free(u);
    struct unit_diag diag;
    u = parse("[Unit]\nConditionPathExists=rel\n[Service]\nExecStart=/x\n", &diag);
    assert_int_equal(diag.warnings, 1);
    assert_int_equal(u->n_conds, 0);
    buf_free(&diag.text);
    unit_free(u);
    /* every systemd 252 condition has a name both ways, and the value after | and ! */
    u = parse_ok("[Unit]\nConditionKernelVersion=|!>=1.0\nAssertCPUs=>=1\nConditionACPower=true\n"
                 "[Service]\nExecStart=/x\n");
    assert_int_equal(u->n_conds, 3);
    assert_int_equal(u->conds[0].kind, COND_KERNEL_VERSION);
    assert_true(u->conds[0].trigger && u->conds[0].negate);
    assert_string_equal(u->conds[0].value, ">=1.0");
    assert_int_equal(u->conds[1].kind, COND_CPUS);
    assert_true(u->conds[1].assert);
    unit_free(u);
    for (int k = 0; k < COND_N; k++)
        assert_int_equal(unit_cond_kind_from_name(unit_cond_name((enum unit_cond_kind)k)), k);
    assert_int_equal(unit_cond_kind_from_name("Nonsense"), -1);
    unlink(file);
    unlink(exe);
    rmdir(dir);
    free(file);
    free(exe);
}

/* systemd's old spellings and old keys: BindTo= is BindsTo=, PropagateReloadTo= is PropagatesReloadTo=;
 * PermissionsStartOnly= is '+' on every command but ExecStart=; GuessMainPID= is kept */
static void test_old_keys(void **state)
{
    (void)state;
    struct unit *u = parse_ok("[Unit]\nBindTo=a.service\nRequiresOverridable=b.service\nPropagateReloadTo=c.service\n"
                              "PropagateReloadFrom=d.service\n[Service]\nExecStartPre=/pre\nExecStart=/x\n"
                              "ExecStop=/stop\nPermissionsStartOnly=yes\nUser=nobody\nGuessMainPID=no\n");
    assert_string_equal(u->binds_to.v[0], "a.service");
    assert_string_equal(u->requires.v[0], "b.service");
    assert_string_equal(u->propagates_reload_to.v[0], "c.service");
    assert_string_equal(u->reload_propagated_from.v[0], "d.service");
    assert_true(u->exec[UEXEC_START_PRE].v[0].flags & EXEC_PRIVILEGED);
    assert_true(u->exec[UEXEC_STOP].v[0].flags & EXEC_PRIVILEGED);
    assert_false(u->exec[UEXEC_START].v[0].flags & EXEC_PRIVILEGED);
    assert_true(u->exec[UEXEC_STOP].v[0].flags & EXEC_FULL_PRIVILEGES); /* the old form of '+' */
    assert_false(u->guess_main_pid);
    unit_free(u);
}

static void test_process_keys(void **state)
{
    (void)state;
    struct unit *u = parse_ok("[Service]\nExecStart=/x\nNice=-5\nOOMScoreAdjust=-900\nIOSchedulingClass=best-effort\n"
                              "IOSchedulingPriority=7\nCPUAffinity=0,2-3 5\nNoNewPrivileges=yes\nPrivateTmp=true\n"
                              "CapabilityBoundingSet=CAP_NET_BIND_SERVICE\nCapabilityBoundingSet=cap_kill\n"
                              "StandardOutput=append:/var/log/x.log\nStandardError=inherit\nStandardInput=null\n"
                              "SyslogIdentifier=web\nRestartPreventExitStatus=3 SIGUSR2\nRestartForceExitStatus=TEMPFAIL\n");
    assert_true(u->nice_set);
    assert_int_equal(u->nice, -5);
    assert_int_equal(u->oom_score_adjust, -900);
    assert_int_equal(u->io_class, 2);
    assert_int_equal(u->io_priority, 7);
    assert_int_equal(u->cpu_affinity[0], 0x2d); /* 0, 2, 3, 5 */
    assert_true(u->no_new_privileges && u->private_tmp);
    assert_true(u->cap_bounding_set);
    assert_int_equal(u->cap_bounding, (1ULL << 10) | (1ULL << 5));
    assert_int_equal(u->std_output, OUT_APPEND);
    assert_string_equal(u->output_path, "/var/log/x.log");
    assert_int_equal(u->std_error, OUT_INHERIT);
    assert_string_equal(u->syslog_identifier, "web");
    assert_true(u->restart_prevent_status[3] && u->restart_prevent_signal[SIGUSR2]);
    assert_true(u->restart_force_status[75]);
    unit_free(u);
    u = parse_ok("[Service]\nExecStart=/x\nCapabilityBoundingSet=~CAP_SYS_ADMIN\nStandardOutput=journal\n");
    assert_int_equal(u->cap_bounding, ~(1ULL << 21));
    assert_int_equal(u->std_output, OUT_LOG);
    unit_free(u);
    u = parse_ok("[Service]\nExecStart=/x\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nAmbientCapabilities=CAP_KILL\n");
    assert_int_equal(u->cap_ambient, (1ULL << 10) | (1ULL << 5));
    unit_free(u);
    u = parse_ok("[Service]\nExecStart=/x\nCapabilityBoundingSet=\n");
    assert_true(u->cap_bounding_set);
    assert_int_equal(u->cap_bounding, 0);
    unit_free(u);
    assert_int_equal(unit_cap_from_name("CAP_CHECKPOINT_RESTORE"), 40);
    assert_int_equal(unit_cap_from_name("NET_ADMIN"), -1);
    static const struct {
        const char *text, *diag;
    } bad[] = {
        {"[Service]\nExecStart=/x\nNice=20\n", "Nice=20: not a number from -20 to 19"},
        {"[Service]\nExecStart=/x\nOOMScoreAdjust=-1001\n", "OOMScoreAdjust=-1001: not a number from -1000 to 1000"},
        {"[Service]\nExecStart=/x\nCPUAffinity=3-1\n", "CPUAffinity=3-1: use CPU numbers and ranges"},
        {"[Service]\nExecStart=/x\nCapabilityBoundingSet=CAP_FLY\n", "'CAP_FLY' is not a capability"},
        {"[Service]\nExecStart=/x\nStandardOutput=file:rel\n", "give an absolute path after 'file:'"},
        {"[Service]\nExecStart=/x\nStandardError=socket\n", "StandardError=socket: use inherit, null, journal"},
        {"[Service]\nExecStart=/x\nIOSchedulingPriority=8\n", "not a priority from 0 (highest) to 7 (lowest)"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *d = parse_error(bad[i].text);
        if (!strstr(d, bad[i].diag))
            fail_msg("case %zu: got %s", i, d);
        free(d);
    }
}

static void test_names_and_files(void **state)
{
    (void)state;
    assert_true(unit_name_valid("web"));
    assert_true(unit_name_valid("a-b_c.d:e"));
    assert_false(unit_name_valid(""));
    assert_false(unit_name_valid("a b"));
    assert_false(unit_name_valid("a/b"));
    assert_false(unit_name_valid(".hidden"));
    struct unit_diag d = {0};
    assert_null(unit_load("/nonexistent/x.service", &d));
    assert_string_equal(d.text.p, "oya: /nonexistent/x.service: cannot read: No such file or directory\n");
    buf_free(&d.text);
    memset(&d, 0, sizeof(d));
    assert_null(unit_load("/etc/passwd", &d));
    assert_string_equal(d.text.p, "oya: /etc/passwd: not a .service or .target file; oya runs units named NAME.service\n");
    buf_free(&d.text);
    /* a link to /dev/null is masked: no unit, no error */
    char link[] = "/tmp/oya-test-masked-XXXXXX";
    assert_non_null(mkdtemp(link));
    char *path = xasprintf("%s/m.service", link);
    assert_int_equal(symlink("/dev/null", path), 0);
    memset(&d, 0, sizeof(d));
    assert_null(unit_load(path, &d));
    assert_int_equal(d.errors, 0);
    assert_non_null(strstr(d.text.p, "masked (a link to /dev/null), skipped"));
    buf_free(&d.text);
    unlink(path);
    rmdir(link);
    free(path);
}

static void test_specifiers_and_templates(void **state)
{
    (void)state;
    struct unit_diag d = {0};
    struct unit *u = unit_parse("pg@15-main", "/lib/pg@.service",
                                "[Unit]\nDescription=PostgreSQL Cluster %i (%n, %N, %p)\n"
                                "[Service]\nExecStart=/usr/bin/pg_ctlcluster --skip %I %f 100%%\n"
                                "RuntimeDirectory=pg-%i\nEnvironment=HOME=%h UID=%U T=%t\n",
                                &d);
    assert_non_null(u);
    assert_int_equal(d.errors, 0);
    assert_string_equal(u->description, "PostgreSQL Cluster 15-main (pg@15-main.service, pg@15-main, pg)");
    const struct exec_cmd *c = &u->exec[UEXEC_START].v[0];
    assert_string_equal(c->argv.v[2], "15/main");  /* %I: '-' unescapes to '/' */
    assert_string_equal(c->argv.v[3], "/15/main"); /* %f */
    assert_string_equal(c->argv.v[4], "100%");
    assert_string_equal(u->dirs[UDIR_RUNTIME].v[0], "pg-15-main");
    char *uid = xasprintf("UID=%u", (unsigned)geteuid());
    assert_string_equal(u->environment.v[1], uid);
    free(uid);
    unit_free(u);
    buf_free(&d.text);
    /* specifiers where systemd expands them: in conditions and paths, not in numbers (Nice=%i fails as in
     * systemd) nor in TasksMax=80% */
    u = unit_parse("pg@15-main", "/lib/pg@.service",
                   "[Unit]\nConditionPathExists=!/etc/%i\nRequiresMountsFor=/var/lib/%I\n"
                   "[Service]\nExecStart=/x\nTasksMax=80%\nPIDFile=/run/%i.pid\n", &d);
    assert_non_null(u);
    assert_string_equal(u->conds[0].value, "/etc/15-main");
    assert_string_equal(u->conds[1].value, "/var/lib/15/main");
    assert_string_equal(u->pid_file, "/run/15-main.pid");
    unit_free(u);
    buf_free(&d.text);
    assert_null(unit_parse("pg@15-main", "/lib/pg@.service", "[Service]\nExecStart=/x\nNice=%i\n", &d));
    assert_non_null(strstr(d.text.p, "Nice=%i: not a number"));
    buf_free(&d.text);
    char *out, bad = 0;
    assert_int_equal(unit_expand_specifiers("a-b@x\\x2dy", "%P|%I|%j|%J|%%", &out, &bad), 0);
    assert_string_equal(out, "a/b|x-y|b|b|%");
    free(out);
    assert_int_equal(unit_expand_specifiers("web", "%i|%f|%p", &out, &bad), 0);
    assert_string_equal(out, "|/web|web");
    free(out);
    /* the host, machine and user ones, against what the system says */
    char host[256] = "";
    gethostname(host, sizeof(host) - 1);
    assert_int_equal(unit_expand_specifiers("web", "%H", &out, &bad), 0);
    assert_string_equal(out, host);
    free(out);
    host[strcspn(host, ".")] = 0;
    assert_int_equal(unit_expand_specifiers("web", "%l", &out, &bad), 0);
    assert_string_equal(out, host);
    free(out);
    struct utsname un;
    uname(&un);
    assert_int_equal(unit_expand_specifiers("web", "%v", &out, &bad), 0);
    assert_string_equal(out, un.release);
    free(out);
    assert_int_equal(unit_expand_specifiers("web", "%b|%m", &out, &bad), 0);
    assert_true(strlen(out) >= 33 && strchr(out, '-') == NULL); /* 32 hex digits, then the machine ID */
    free(out);
    struct passwd *pw = getpwuid(geteuid());
    struct group *gr = getgrgid(getegid());
    char *want = xasprintf("%s|%s|%s|%u|%s", pw->pw_name, pw->pw_dir, gr->gr_name, (unsigned)getegid(),
                           pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh");
    assert_int_equal(unit_expand_specifiers("web", "%u|%h|%g|%G|%s", &out, &bad), 0);
    assert_string_equal(out, want);
    free(out);
    free(want);
    assert_int_equal(unit_expand_specifiers("web", "%S|%C|%L|%E|%T|%V", &out, &bad), 0);
    assert_string_equal(out, "/var/lib|/var/cache|/var/log|/etc|/tmp|/var/tmp");
    free(out);
    assert_int_equal(unit_expand_specifiers("web", "50%", &out, &bad), -EINVAL);
    assert_int_equal(unit_expand_specifiers("web", "%Q", &out, &bad), -EINVAL);
    assert_int_equal(bad, 'Q');
    /* an unknown specifier is an error naming file, line and key */
    memset(&d, 0, sizeof(d));
    assert_null(unit_parse("w", "w.service", "[Service]\nExecStart=/bin/echo %Q\n", &d));
    assert_string_equal(d.text.p, "oya: w.service:2: ExecStart=/bin/echo %Q: unknown specifier %Q; write %% for a "
                                  "literal %\n"
                                  "oya: w.service: no ExecStart= in [Service]: a service needs a command to run\n");
    buf_free(&d.text);
}

static void test_signal_names(void **state)
{
    (void)state;
    assert_int_equal(signal_from_name("TERM"), SIGTERM);
    assert_int_equal(signal_from_name("SIGTERM"), SIGTERM);
    assert_int_equal(signal_from_name("9"), SIGKILL);
    assert_int_equal(signal_from_name("RTMIN+2"), SIGRTMIN + 2);
    assert_int_equal(signal_from_name("SIGNOPE"), -1);
    assert_int_equal(signal_from_name("0"), -1);
    assert_string_equal(signal_name(SIGHUP), "HUP");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timespans),     cmocka_unit_test(test_timespan_format),
        cmocka_unit_test(test_words_quoting), cmocka_unit_test(test_expansion),
        cmocka_unit_test(test_env_file),      cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_unit_section_keys), cmocka_unit_test(test_service_keys),
        cmocka_unit_test(test_environment_keys), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_resource_control),
        cmocka_unit_test(test_syntax),        cmocka_unit_test(test_diagnostics),
        cmocka_unit_test(test_command_lists_and_files),
        cmocka_unit_test(test_specifiers_and_templates),
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_unescape),
        cmocka_unit_test(test_continuation_then_comments_at_end),
        cmocka_unit_test(test_exec_steps_are_named),
        cmocka_unit_test(test_mounts_for),
        cmocka_unit_test(test_standard_input),
        cmocka_unit_test(test_cpu_scheduling),
        cmocka_unit_test(test_protect),
        cmocka_unit_test(test_systemd_defaults),
        cmocka_unit_test(test_process_keys),
        cmocka_unit_test(test_old_keys),
        cmocka_unit_test(test_names_and_files), cmocka_unit_test(test_signal_names),
    };
    return cmocka_run_group_tests_name("unit", tests, NULL, NULL);
}
