/* Unit tests for svc/: the state machine's transitions, driven with synthetic events and times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "svc/svc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define SEC USEC_PER_SEC

static struct unit *mk(const char *service_body)
{
    struct unit_diag d = {0};
    char *text = xasprintf("[Service]\n%s\n", service_body);
    struct unit *u = unit_parse("t", "t.service", text, &d);
    free(text);
    if (!u)
        fail_msg("unit: %s", d.text.p);
    buf_free(&d.text);
    return u;
}

struct world {
    struct unit *u;
    struct svc s;
    uint64_t now;
    int next_pid;
};

static struct svc_actions start(struct world *w)
{
    struct svc_actions a = {0};
    svc_start(&w->s, w->u, w->now, w->now, &a);
    return a;
}

/* The supervisor's part: a spawn action becomes a process. */
static struct svc_actions spawned(struct world *w, struct svc_actions a)
{
    assert_true(a.spawn);
    struct svc_actions b = {0};
    svc_spawned(&w->s, w->u, ++w->next_pid, a.spawn_main, w->now, w->now, &b);
    return b;
}

static struct svc_actions exited(struct world *w, int code, int status)
{
    struct svc_actions a = {0};
    svc_main_exited(&w->s, w->u, code, status, w->now, w->now, &a);
    return a;
}

static struct svc_actions empty(struct world *w)
{
    struct svc_actions a = {0};
    svc_group_empty(&w->s, w->u, w->now, w->now, &a);
    return a;
}

static struct svc_actions timer(struct world *w)
{
    struct svc_actions a = {0};
    svc_timer(&w->s, w->u, w->now, w->now, &a);
    return a;
}

static struct svc_actions stop(struct world *w)
{
    struct svc_actions a = {0};
    svc_stop(&w->s, w->u, STOP_USER, w->now, w->now, &a);
    return a;
}

static void world_init(struct world *w, const char *body)
{
    memset(w, 0, sizeof(*w));
    w->u = mk(body);
    w->now = 1000 * SEC;
    w->next_pid = 100;
    svc_init(&w->s, w->now);
}

static void world_free(struct world *w)
{
    unit_free(w->u);
}

static void test_simple_runs_at_spawn(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/bin/sleep 1");
    assert_int_equal(w.s.state, SVC_DEAD);
    spawned(&w, start(&w));
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_int_equal(w.s.main_pid, 101);
    assert_true(svc_is_active(&w.s));
    assert_string_equal(svc_active_state(&w.s), "active");
    assert_string_equal(svc_sub_state(&w.s), "running");
    /* a second start is a no-op */
    struct svc_actions a = start(&w);
    assert_false(a.spawn);
    world_free(&w);
}

static void test_exec_waits_for_exec(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "Type=exec\nExecStart=/bin/sleep 1");
    spawned(&w, start(&w));
    assert_int_equal(w.s.state, SVC_START);
    assert_string_equal(svc_active_state(&w.s), "activating");
    struct svc_actions a = {0};
    svc_exec_ok(&w.s, w.u, w.now, w.now, &a);
    assert_int_equal(w.s.state, SVC_RUNNING);
    world_free(&w);
}

static void test_clean_exit_stops_leftovers_then_dead(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/bin/true");
    spawned(&w, start(&w));
    struct svc_actions a = exited(&w, CLD_EXITED, 0);
    /* KillMode=control-group: what the main process left behind gets KillSignal */
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    assert_int_equal(a.kill_signal, SIGTERM);
    assert_int_equal(a.kill_scope, KILL_SCOPE_ALL);
    assert_true(a.check_group);
    assert_int_equal(w.s.deadline, w.now + 90 * SEC);
    empty(&w);
    assert_int_equal(w.s.state, SVC_DEAD);
    assert_int_equal(w.s.result, RESULT_SUCCESS);
    assert_int_equal(w.s.deadline, 0);
    world_free(&w);
}

static void test_failure_restarts_after_restart_sec(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/bin/false\nRestart=on-failure\nRestartSec=2s\nKillMode=process");
    spawned(&w, start(&w));
    exited(&w, CLD_EXITED, 1);
    assert_int_equal(w.s.state, SVC_AUTO_RESTART);
    assert_int_equal(w.s.result, RESULT_EXIT_CODE);
    assert_int_equal(w.s.deadline, w.now + 2 * SEC);
    assert_string_equal(svc_sub_state(&w.s), "auto-restart");
    w.now += SEC; /* too early */
    struct svc_actions a = timer(&w);
    assert_false(a.spawn);
    w.now += SEC;
    a = timer(&w);
    assert_true(a.spawn);
    assert_int_equal(w.s.restarts, 1);
    spawned(&w, a);
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_int_equal(w.s.result, RESULT_SUCCESS);
    world_free(&w);
}

/* Restart= as systemd's table, for each kind of ending. */
static void test_restart_table(void **state)
{
    (void)state;
    enum { CLEAN, UNCLEAN_CODE, UNCLEAN_SIGNAL, CLEAN_SIGNAL, DUMP, NK };
    static const int codes[NK][2] = {{CLD_EXITED, 0}, {CLD_EXITED, 1}, {CLD_KILLED, SIGKILL},
                                     {CLD_KILLED, SIGTERM}, {CLD_DUMPED, SIGSEGV}};
    static const struct {
        const char *policy;
        bool restart[NK];
    } table[] = {
        {"no", {0, 0, 0, 0, 0}},          {"always", {1, 1, 1, 1, 1}},      {"on-success", {1, 0, 0, 1, 0}},
        {"on-failure", {0, 1, 1, 0, 1}},  {"on-abnormal", {0, 0, 1, 0, 1}}, {"on-abort", {0, 0, 1, 0, 1}},
    };
    for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
        for (int k = 0; k < NK; k++) {
            struct world w;
            char body[128];
            snprintf(body, sizeof(body), "ExecStart=/x\nRestart=%s\nKillMode=process", table[i].policy);
            world_init(&w, body);
            spawned(&w, start(&w));
            exited(&w, codes[k][0], codes[k][1]);
            bool restarted = w.s.state == SVC_AUTO_RESTART;
            if (restarted != table[i].restart[k])
                fail_msg("Restart=%s, ending %d: restarted=%d", table[i].policy, k, restarted);
            if (!restarted)
                assert_int_equal(w.s.state, k == CLEAN || k == CLEAN_SIGNAL ? SVC_DEAD : SVC_FAILED);
            world_free(&w);
        }
    }
}

static void test_timeout_counts_as_abnormal(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/x\nRestart=on-abnormal\nTimeoutStopSec=1s");
    spawned(&w, start(&w));
    exited(&w, CLD_EXITED, 0);  /* main gone, a leftover remains */
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    w.now += SEC;
    struct svc_actions a = timer(&w);
    assert_int_equal(w.s.state, SVC_STOP_SIGKILL);
    assert_int_equal(a.kill_signal, SIGKILL);
    assert_int_equal(a.kill_scope, KILL_SCOPE_ALL);
    assert_int_equal(w.s.result, RESULT_TIMEOUT);
    empty(&w);
    assert_int_equal(w.s.state, SVC_AUTO_RESTART);
    world_free(&w);
}

static void test_start_limit(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/x\nRestart=always\nRestartSec=0\nKillMode=process\n"
                   "StartLimitIntervalSec=10s\nStartLimitBurst=3");
    spawned(&w, start(&w));
    for (int i = 0; i < 2; i++) {
        exited(&w, CLD_EXITED, 1);
        assert_int_equal(w.s.state, SVC_AUTO_RESTART);
        w.now += 1;
        spawned(&w, timer(&w));
    }
    exited(&w, CLD_EXITED, 1);
    w.now += 1;
    struct svc_actions a = timer(&w);
    assert_false(a.spawn);
    assert_int_equal(w.s.state, SVC_FAILED);
    assert_int_equal(w.s.result, RESULT_START_LIMIT);
    assert_string_equal(svc_result_name(w.s.result), "start-limit-hit");
    /* an explicit start clears the failure and the count */
    a = start(&w);
    assert_true(a.spawn);
    world_free(&w);

    /* outside the interval the count starts again */
    world_init(&w, "ExecStart=/x\nRestart=always\nRestartSec=0\nKillMode=process\n"
                   "StartLimitIntervalSec=10s\nStartLimitBurst=2");
    spawned(&w, start(&w));
    for (int i = 0; i < 5; i++) {
        exited(&w, CLD_EXITED, 1);
        w.now += 6 * SEC;
        spawned(&w, timer(&w));
    }
    assert_int_equal(w.s.state, SVC_RUNNING);
    world_free(&w);
}

static void test_stop_sequence(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/x\nRestart=always\nKillSignal=SIGINT\nTimeoutStopSec=5s");
    spawned(&w, start(&w));
    struct svc_actions a = stop(&w);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    assert_int_equal(a.kill_signal, SIGINT);
    assert_int_equal(a.kill_scope, KILL_SCOPE_ALL);
    assert_string_equal(svc_sub_state(&w.s), "stop-sigterm");
    a = exited(&w, CLD_KILLED, SIGINT);
    assert_true(a.check_group);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM); /* waits for the rest of the group */
    empty(&w);
    assert_int_equal(w.s.state, SVC_DEAD); /* a stop never restarts, even with Restart=always */
    assert_int_equal(w.s.result, RESULT_SUCCESS);
    /* a stop of a dead service does nothing */
    a = stop(&w);
    assert_int_equal(a.kill_signal, 0);
    world_free(&w);
}

static void test_stop_timeout_is_failure(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/x\nTimeoutStopSec=2s");
    spawned(&w, start(&w));
    stop(&w);
    w.now += 2 * SEC;
    struct svc_actions a = timer(&w);
    assert_int_equal(a.kill_signal, SIGKILL);
    assert_int_equal(w.s.state, SVC_STOP_SIGKILL);
    exited(&w, CLD_KILLED, SIGKILL);
    empty(&w);
    assert_int_equal(w.s.state, SVC_FAILED);
    assert_int_equal(w.s.result, RESULT_TIMEOUT);
    world_free(&w);
}

/* SendSIGKILL=, FinalKillSignal=, RestartKillSignal=, SendSIGHUP=, as systemd's */
static void test_kill_signal_keys(void **state)
{
    (void)state;
    struct world w;
    /* SendSIGKILL=no: at the timeout nothing more is sent; what is left is left, the unit is down */
    world_init(&w, "ExecStart=/x\nTimeoutStopSec=2s\nSendSIGKILL=no");
    spawned(&w, start(&w));
    stop(&w);
    w.now += 2 * SEC;
    struct svc_actions a = timer(&w);
    assert_int_equal(a.kill_signal, 0);
    assert_int_equal(w.s.state, SVC_FAILED);
    assert_int_equal(w.s.result, RESULT_TIMEOUT);
    assert_int_equal(w.s.main_pid, 0);
    world_free(&w);

    /* FinalKillSignal=SIGQUIT at the timeout, and a death by it is the stop working */
    world_init(&w, "ExecStart=/x\nTimeoutStopSec=2s\nFinalKillSignal=SIGQUIT\nSendSIGHUP=yes");
    spawned(&w, start(&w));
    a = stop(&w);
    assert_int_equal(a.kill_signal, SIGTERM);
    assert_true(a.also_sighup);
    w.now += 2 * SEC;
    a = timer(&w);
    assert_int_equal(a.kill_signal, SIGQUIT);
    assert_false(a.also_sighup);
    world_free(&w);

    /* RestartKillSignal=: the stop half of a restart uses it; a plain stop keeps KillSignal= */
    world_init(&w, "ExecStart=/x\nRestartKillSignal=SIGUSR2");
    spawned(&w, start(&w));
    a = (struct svc_actions){0};
    svc_restart(&w.s, w.u, w.now, w.now, &a);
    assert_int_equal(a.kill_signal, SIGUSR2);
    world_free(&w);
}

static void test_kill_modes(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/x\nKillMode=process");
    spawned(&w, start(&w));
    struct svc_actions a = stop(&w);
    assert_int_equal(a.kill_scope, KILL_SCOPE_MAIN);
    exited(&w, CLD_KILLED, SIGTERM);
    assert_int_equal(w.s.state, SVC_DEAD); /* only the main process counts */
    world_free(&w);

    world_init(&w, "ExecStart=/x\nKillMode=mixed");
    spawned(&w, start(&w));
    a = stop(&w);
    assert_int_equal(a.kill_scope, KILL_SCOPE_MAIN);
    a = exited(&w, CLD_KILLED, SIGTERM);
    assert_int_equal(a.kill_signal, SIGTERM); /* then the rest of the group */
    assert_int_equal(a.kill_scope, KILL_SCOPE_ALL);
    empty(&w);
    assert_int_equal(w.s.state, SVC_DEAD);
    world_free(&w);

    world_init(&w, "ExecStart=/x\nKillMode=none\nTimeoutStopSec=1s");
    spawned(&w, start(&w));
    a = stop(&w);
    assert_int_equal(a.kill_signal, 0);
    assert_int_equal(w.s.state, SVC_DEAD); /* stopped at once; its processes are let go */
    assert_int_equal(w.s.main_pid, 0);
    w.now += 10 * SEC;
    assert_int_equal(timer(&w).kill_signal, 0);
    world_free(&w);
}

static void test_restart_request(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/x");
    spawned(&w, start(&w));
    struct svc_actions a = {0};
    svc_restart(&w.s, w.u, w.now, w.now, &a);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    assert_true(w.s.start_after_stop);
    exited(&w, CLD_KILLED, SIGTERM);
    a = empty(&w);
    assert_true(a.spawn); /* started again once stopped */
    spawned(&w, a);
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_int_equal(w.s.main_pid, 102);
    /* restart of a dead service is a start */
    stop(&w);
    exited(&w, CLD_KILLED, SIGTERM);
    empty(&w);
    memset(&a, 0, sizeof(a));
    svc_restart(&w.s, w.u, w.now, w.now, &a);
    assert_true(a.spawn);
    world_free(&w);
}

static void test_stop_during_auto_restart(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/x\nRestart=always\nKillMode=process");
    spawned(&w, start(&w));
    exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_AUTO_RESTART);
    stop(&w);
    assert_int_equal(w.s.state, SVC_DEAD);
    assert_int_equal(w.s.deadline, 0);
    w.now += 10 * SEC;
    assert_false(timer(&w).spawn);
    world_free(&w);
}

static void test_oneshot_commands_in_order(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "Type=oneshot\nExecStart=/a\nExecStart=-/b\nExecStart=/c\nRemainAfterExit=yes");
    spawned(&w, start(&w));
    assert_int_equal(w.s.state, SVC_START);
    struct svc_actions a = exited(&w, CLD_EXITED, 0);
    assert_true(a.spawn);
    assert_int_equal(w.s.cmd_index, 1);
    spawned(&w, a);
    a = exited(&w, CLD_EXITED, 7); /* '-': the failure is ignored */
    assert_true(a.spawn);
    assert_int_equal(w.s.cmd_index, 2);
    spawned(&w, a);
    exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_EXITED);
    assert_string_equal(svc_sub_state(&w.s), "exited");
    assert_true(svc_is_active(&w.s));
    stop(&w);
    empty(&w);
    assert_int_equal(w.s.state, SVC_DEAD);
    world_free(&w);

    world_init(&w, "Type=oneshot\nExecStart=/a\nExecStart=/b");
    spawned(&w, start(&w));
    exited(&w, CLD_EXITED, 3);
    empty(&w);
    assert_int_equal(w.s.state, SVC_FAILED);
    assert_int_equal(w.s.cmd_index, 0); /* /b never ran */
    world_free(&w);
}

static void test_exit_classification(void **state)
{
    (void)state;
    struct unit *u = mk("ExecStart=/x\nSuccessExitStatus=3 SIGUSR1");
    assert_true(svc_exit_clean(u, CLD_EXITED, 0));
    assert_true(svc_exit_clean(u, CLD_EXITED, 3));
    assert_false(svc_exit_clean(u, CLD_EXITED, 4));
    assert_true(svc_exit_clean(u, CLD_KILLED, SIGTERM));
    assert_true(svc_exit_clean(u, CLD_KILLED, SIGHUP));
    assert_true(svc_exit_clean(u, CLD_KILLED, SIGINT));
    assert_true(svc_exit_clean(u, CLD_KILLED, SIGPIPE));
    assert_true(svc_exit_clean(u, CLD_KILLED, SIGUSR1));
    assert_false(svc_exit_clean(u, CLD_KILLED, SIGKILL));
    assert_false(svc_exit_clean(u, CLD_DUMPED, SIGSEGV));
    unit_free(u);
    u = mk("Type=oneshot\nExecStart=/x");
    assert_false(svc_exit_clean(u, CLD_KILLED, SIGTERM)); /* oneshot: only exit 0 is clean */
    unit_free(u);
}

static void test_spawn_failure(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/x\nRestart=on-failure");
    start(&w);
    struct svc_actions a = {0};
    svc_spawn_failed(&w.s, w.u, true, w.now, w.now, &a);
    assert_int_equal(w.s.result, RESULT_RESOURCES);
    assert_int_equal(w.s.state, SVC_AUTO_RESTART);
    world_free(&w);
    world_init(&w, "ExecStart=/x");
    start(&w);
    memset(&a, 0, sizeof(a));
    svc_spawn_failed(&w.s, w.u, true, w.now, w.now, &a);
    assert_int_equal(w.s.state, SVC_FAILED);
    world_free(&w);
}

static struct svc_actions notify(struct world *w, const char *text)
{
    struct svc_notify_msg m;
    svc_notify_parse(text, strlen(text), &m);
    struct svc_actions a = {0};
    svc_notify(&w->s, w->u, &m, w->now, w->now, &a);
    return a;
}

static void test_notify_parse(void **state)
{
    (void)state;
    struct svc_notify_msg m;
    const char *t = "READY=1\nSTATUS=Ready to accept connections\nMAINPID=4242\nERRNO=2\n"
                    "EXTEND_TIMEOUT_USEC=5000000\nWATCHDOG_USEC=300\nnonsense\nX_OTHER=1";
    svc_notify_parse(t, strlen(t), &m);
    assert_true(m.ready);
    assert_false(m.reloading || m.stopping || m.watchdog || m.watchdog_trigger);
    assert_true(m.has_status);
    assert_string_equal(m.status, "Ready to accept connections");
    assert_int_equal(m.main_pid, 4242);
    assert_true(m.has_errno);
    assert_int_equal(m.errno_value, 2);
    assert_int_equal(m.extend_timeout_usec, 5000000);
    assert_int_equal(m.watchdog_usec, 300);
    /* values that are not exactly right are ignored, as systemd ignores them */
    t = "READY=yes\nMAINPID=1\nMAINPID=x\nERRNO=-1\nWATCHDOG=trigger";
    svc_notify_parse(t, strlen(t), &m);
    assert_false(m.ready);
    assert_int_equal(m.main_pid, 0);
    assert_false(m.has_errno);
    assert_true(m.watchdog_trigger);
    /* no trailing newline, a NUL-free datagram cut anywhere */
    svc_notify_parse("STOPPING=1", 10, &m);
    assert_true(m.stopping);
    svc_notify_parse("STATUS=", 7, &m);
    assert_true(m.has_status);
    assert_string_equal(m.status, "");
}

static void test_notify_ready_and_start_timeout(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "Type=notify\nExecStart=/bin/daemon\nTimeoutStartSec=5s");
    assert_int_equal(w.u->notify_access, NOTIFY_MAIN);
    spawned(&w, start(&w));
    assert_int_equal(w.s.state, SVC_START);
    assert_int_equal(w.s.deadline, w.now + 5 * SEC);
    struct svc_actions none = {0};
    svc_exec_ok(&w.s, w.u, w.now, w.now, &none); /* exec alone is not ready */
    assert_int_equal(w.s.state, SVC_START);
    w.now += SEC;
    notify(&w, "STATUS=loading\nEXTEND_TIMEOUT_USEC=10000000");
    assert_string_equal(w.s.status_text, "loading");
    assert_int_equal(w.s.deadline, w.now + 10 * SEC);
    notify(&w, "READY=1\nSTATUS=serving");
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_int_equal(w.s.deadline, 0);
    assert_string_equal(w.s.status_text, "serving");
    /* RELOADING=1 shows as active (reloading) until READY=1 */
    notify(&w, "RELOADING=1");
    assert_string_equal(svc_active_state(&w.s), "reloading");
    assert_string_equal(svc_sub_state(&w.s), "reload");
    notify(&w, "READY=1");
    assert_string_equal(svc_active_state(&w.s), "active");
    world_free(&w);

    /* never ready: at TimeoutStartSec the start fails with Result: timeout and Restart= decides */
    world_init(&w, "Type=notify\nExecStart=/bin/daemon\nTimeoutStartSec=2s\nRestart=on-failure");
    spawned(&w, start(&w));
    w.now += 2 * SEC;
    struct svc_actions a = timer(&w);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    assert_int_equal(w.s.result, RESULT_TIMEOUT);
    assert_int_equal(a.kill_signal, SIGTERM);
    exited(&w, CLD_KILLED, SIGTERM);
    empty(&w);
    assert_int_equal(w.s.state, SVC_AUTO_RESTART);
    world_free(&w);
}

static void test_notify_exit_before_ready_is_protocol(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "Type=notify\nExecStart=/bin/true\nKillMode=process");
    spawned(&w, start(&w));
    exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_FAILED);
    assert_int_equal(w.s.result, RESULT_PROTOCOL);
    assert_string_equal(svc_result_name(w.s.result), "protocol");
    world_free(&w);
    /* a failing exit stays an exit-code failure */
    world_init(&w, "Type=notify\nExecStart=/bin/false\nKillMode=process");
    spawned(&w, start(&w));
    exited(&w, CLD_EXITED, 1);
    assert_int_equal(w.s.result, RESULT_EXIT_CODE);
    world_free(&w);
}

static void test_notify_stopping_sends_no_signal(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "Type=notify\nExecStart=/bin/daemon\nTimeoutStopSec=7s");
    spawned(&w, start(&w));
    notify(&w, "READY=1");
    struct svc_actions a = notify(&w, "STOPPING=1");
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    assert_int_equal(a.kill_signal, 0);
    assert_int_equal(w.s.deadline, w.now + 7 * SEC);
    exited(&w, CLD_EXITED, 0);
    empty(&w);
    assert_int_equal(w.s.state, SVC_DEAD);
    assert_int_equal(w.s.result, RESULT_SUCCESS);
    world_free(&w);
}

static void test_watchdog(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "Type=notify\nExecStart=/bin/daemon\nWatchdogSec=3s\nRestart=on-watchdog");
    spawned(&w, start(&w));
    assert_int_equal(w.s.watchdog_deadline, w.now + 3 * SEC);
    notify(&w, "READY=1");
    w.now += 2 * SEC;
    notify(&w, "WATCHDOG=1");
    assert_int_equal(w.s.watchdog_deadline, w.now + 3 * SEC);
    assert_int_equal(svc_next_deadline(&w.s), w.now + 3 * SEC);
    w.now += 3 * SEC;
    struct svc_actions a = timer(&w);
    assert_int_equal(w.s.result, RESULT_WATCHDOG);
    assert_int_equal(a.kill_signal, SIGABRT);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    exited(&w, CLD_DUMPED, SIGABRT);
    empty(&w);
    assert_int_equal(w.s.state, SVC_AUTO_RESTART);
    world_free(&w);

    /* WATCHDOG=trigger fires at once; WATCHDOG_USEC= changes the interval */
    world_init(&w, "Type=notify\nExecStart=/bin/daemon\nWatchdogSec=3s");
    spawned(&w, start(&w));
    notify(&w, "READY=1\nWATCHDOG_USEC=10000000");
    assert_int_equal(w.s.watchdog_deadline, w.now + 10 * SEC);
    a = notify(&w, "WATCHDOG=trigger");
    assert_int_equal(a.kill_signal, SIGABRT);
    assert_int_equal(w.s.result, RESULT_WATCHDOG);
    world_free(&w);
}

static struct svc_actions oom(struct world *w)
{
    struct svc_actions a = {0};
    svc_oom(&w->s, w->u, false, w->now, w->now, &a);
    return a;
}

/* The OOM killer (systemd's OOMPolicy=): stop and kill end the service with Result: oom-kill, ExecStop=
 * first for a running one, Restart= deciding (on-abnormal counts it); continue leaves it alone, so a
 * main process the kernel killed ends with Result: signal, as TEST-32-OOMPOLICY expects */
static void test_oom_policy(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/x\nExecStop=/bin/stop\nRestart=on-abnormal");
    assert_int_equal(w.u->oom_policy, OOM_STOP);
    spawned(&w, start(&w));
    assert_int_equal(w.s.state, SVC_RUNNING);
    struct svc_actions a = oom(&w);
    assert_int_equal(w.s.state, SVC_STOP);
    assert_true(a.spawn && a.spawn_list == UEXEC_STOP);
    assert_int_equal(w.s.result, RESULT_OOM_KILL);
    assert_string_equal(svc_result_name(w.s.result), "oom-kill");
    struct svc_actions b = {0};
    svc_spawned(&w.s, w.u, ++w.next_pid, false, w.now, w.now, &b);
    exited(&w, CLD_KILLED, SIGKILL); /* the main process: the kernel's SIGKILL */
    struct svc_actions c = {0};
    svc_control_exited(&w.s, w.u, CLD_EXITED, 0, w.now, w.now, &c);
    empty(&w);
    assert_int_equal(w.s.state, SVC_AUTO_RESTART);
    assert_int_equal(w.s.result, RESULT_OOM_KILL);
    world_free(&w);

    /* during the start: the start fails; with no Restart= the service is failed */
    world_init(&w, "Type=notify\nExecStart=/x\nOOMPolicy=kill");
    assert_int_equal(w.u->oom_policy, OOM_KILL);
    spawned(&w, start(&w));
    a = oom(&w);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    assert_int_equal(a.kill_scope, KILL_SCOPE_ALL);
    exited(&w, CLD_KILLED, SIGKILL);
    empty(&w);
    assert_int_equal(w.s.state, SVC_FAILED);
    assert_int_equal(w.s.result, RESULT_OOM_KILL);
    world_free(&w);

    /* continue: nothing changes; the main process killed by the kernel is a plain signal */
    world_init(&w, "ExecStart=/x\nOOMPolicy=continue\nKillMode=process");
    spawned(&w, start(&w));
    a = oom(&w);
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_false(a.spawn || a.kill_signal);
    exited(&w, CLD_KILLED, SIGKILL);
    assert_int_equal(w.s.state, SVC_FAILED);
    assert_int_equal(w.s.result, RESULT_SIGNAL);
    world_free(&w);

    /* the kill ended the main process (its SIGKILL comes next): the result is taken, the exit does the rest */
    world_init(&w, "ExecStart=/x\nKillMode=process\nRestart=on-failure");
    spawned(&w, start(&w));
    a = (struct svc_actions){0};
    svc_oom(&w.s, w.u, true, w.now, w.now, &a);
    assert_false(a.spawn || a.kill_signal);
    assert_int_equal(w.s.state, SVC_RUNNING);
    exited(&w, CLD_KILLED, SIGKILL);
    assert_int_equal(w.s.state, SVC_AUTO_RESTART);
    assert_int_equal(w.s.result, RESULT_OOM_KILL);
    world_free(&w);

    /* a service already down is not touched */
    world_init(&w, "ExecStart=/x\nKillMode=process");
    spawned(&w, start(&w));
    exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_DEAD);
    oom(&w);
    assert_int_equal(w.s.state, SVC_DEAD);
    assert_int_equal(w.s.result, RESULT_SUCCESS);
    world_free(&w);
}

/* RestartSteps=/RestartMaxDelaySec=: geometric from RestartSec= to the maximum, as systemd 254 */
static void test_restart_backoff(void **state)
{
    (void)state;
    struct unit *u = mk("ExecStart=/x\nRestart=always\nRestartSec=100ms\nRestartSteps=3\nRestartMaxDelaySec=800ms");
    static const uint64_t want[] = {100, 200, 400, 800, 800};
    for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
        uint64_t got = svc_restart_delay(u, i);
        if (got + 1000 < want[i] * 1000 || got > want[i] * 1000 + 1000)
            fail_msg("step %u: %llu usec, want %llu ms", i, (unsigned long long)got, (unsigned long long)want[i]);
    }
    unit_free(u);
    /* no steps, or no maximum: RestartSec= every time */
    u = mk("ExecStart=/x\nRestartSec=2s\nRestartMaxDelaySec=10s");
    assert_int_equal(svc_restart_delay(u, 5), 2 * SEC);
    unit_free(u);
    /* the machine: each automatic restart waits the next delay; a long run starts over */
    struct world w;
    world_init(&w, "ExecStart=/x\nRestart=always\nRestartSec=1s\nRestartSteps=2\nRestartMaxDelaySec=4s\n"
                   "KillMode=process\nStartLimitBurst=0");
    spawned(&w, start(&w));
    exited(&w, CLD_EXITED, 1);
    assert_int_equal(w.s.deadline, w.now + 1 * SEC);
    w.now = w.s.deadline;
    spawned(&w, timer(&w));
    exited(&w, CLD_EXITED, 1);
    assert_int_equal(w.s.deadline, w.now + 2 * SEC);
    w.now = w.s.deadline;
    spawned(&w, timer(&w));
    exited(&w, CLD_EXITED, 1);
    assert_int_equal(w.s.deadline, w.now + 4 * SEC);
    w.now = w.s.deadline;
    spawned(&w, timer(&w));
    w.now += 5 * SEC; /* up longer than the longest delay */
    exited(&w, CLD_EXITED, 1);
    assert_int_equal(w.s.deadline, w.now + 1 * SEC);
    world_free(&w);
}

/* "infinity" saturates: it never wraps around into a deadline in the past (systemd's usec_add) */
static void test_infinity_never_wraps(void **state)
{
    (void)state;
    struct world w;
    /* RestartSec=infinity: the restart waits forever (for a start by hand), it does not happen at once */
    world_init(&w, "ExecStart=/x\nRestart=always\nRestartSec=infinity\nKillMode=process");
    spawned(&w, start(&w));
    exited(&w, CLD_EXITED, 1);
    assert_int_equal(w.s.state, SVC_AUTO_RESTART);
    assert_int_equal(svc_next_deadline(&w.s), 0);
    w.now += 1000 * SEC;
    assert_false(timer(&w).spawn);
    assert_int_equal(w.s.state, SVC_AUTO_RESTART);
    assert_true(start(&w).spawn);
    world_free(&w);

    /* WatchdogSec=infinity: no watchdog deadline, and a keep-alive does not arm one */
    world_init(&w, "Type=notify\nExecStart=/x\nWatchdogSec=infinity");
    spawned(&w, start(&w));
    assert_int_equal(w.s.watchdog_deadline, 0);
    notify(&w, "READY=1\nWATCHDOG=1");
    assert_int_equal(w.s.watchdog_deadline, 0);
    w.now += 1000 * SEC;
    assert_int_equal(timer(&w).kill_signal, 0);
    assert_int_equal(w.s.state, SVC_RUNNING);
    /* a huge EXTEND_TIMEOUT_USEC= or WATCHDOG_USEC= from the service saturates too */
    notify(&w, "WATCHDOG_USEC=18446744073709551614");
    assert_int_equal(w.s.watchdog_deadline, 0);
    world_free(&w);

    /* StartLimitIntervalSec=infinity: the burst counts forever, the limit is not turned off */
    world_init(&w, "ExecStart=/x\nRestart=always\nRestartSec=0\nKillMode=process\n"
                   "StartLimitIntervalSec=infinity\nStartLimitBurst=3");
    spawned(&w, start(&w));
    for (int i = 0; i < 2; i++) {
        exited(&w, CLD_EXITED, 1);
        w.now += 100000 * SEC;
        spawned(&w, timer(&w));
    }
    exited(&w, CLD_EXITED, 1);
    w.now += 100000 * SEC;
    assert_false(timer(&w).spawn);
    assert_int_equal(w.s.result, RESULT_START_LIMIT);
    world_free(&w);

    /* TimeoutStartSec= near the end of time: far in the future or none, never in the past */
    world_init(&w, "Type=notify\nExecStart=/x\nTimeoutStartSec=584000y");
    w.now = UINT64_MAX / 2;
    spawned(&w, start(&w));
    assert_int_equal(w.s.deadline, 0);
    world_free(&w);
}

static void test_oneshot_has_no_start_timeout_by_default(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "Type=oneshot\nExecStart=/bin/true");
    assert_int_equal(w.u->timeout_start, USEC_INFINITY);
    spawned(&w, start(&w));
    assert_int_equal(w.s.deadline, 0);
    world_free(&w);
    world_init(&w, "ExecStart=/bin/true");
    assert_int_equal(w.u->timeout_start, 90 * SEC);
    assert_int_equal(w.u->notify_access, NOTIFY_NONE);
    world_free(&w);
}

static struct svc_actions control_exited(struct world *w, int code, int status)
{
    struct svc_actions a = {0};
    svc_control_exited(&w->s, w->u, code, status, w->now, w->now, &a);
    return a;
}

static void test_start_pre_start_post_stop_post_in_order(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStartPre=/pre1\nExecStartPre=-/pre2\nExecStart=/main\nExecStartPost=/post\n"
                   "ExecStop=/stop\nExecStopPost=/stoppost");
    struct svc_actions a = start(&w);
    assert_true(a.new_invocation);
    assert_int_equal(w.s.state, SVC_START_PRE);
    assert_int_equal(a.spawn_list, UEXEC_START_PRE);
    assert_false(a.spawn_main);
    spawned(&w, a);
    assert_int_equal(w.s.control_pid, 101);
    a = control_exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.cmd_index, 1);
    spawned(&w, a);
    a = control_exited(&w, CLD_EXITED, 1); /* '-': a failure counts as success */
    assert_int_equal(w.s.state, SVC_START);
    assert_int_equal(a.spawn_list, UEXEC_START);
    assert_true(a.spawn_main);
    a = spawned(&w, a); /* simple: up once forked, then ExecStartPost= */
    assert_int_equal(w.s.state, SVC_START_POST);
    assert_int_equal(a.spawn_list, UEXEC_START_POST);
    assert_int_equal(w.s.main_pid, 103);
    spawned(&w, a);
    control_exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_RUNNING);
    /* stop: ExecStop= with the main process still there, then KillSignal=, then ExecStopPost= */
    a = stop(&w);
    assert_int_equal(w.s.state, SVC_STOP);
    assert_int_equal(a.spawn_list, UEXEC_STOP);
    assert_int_equal(a.kill_signal, 0);
    spawned(&w, a);
    a = control_exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    assert_int_equal(a.kill_signal, SIGTERM);
    exited(&w, CLD_KILLED, SIGTERM);
    a = empty(&w);
    assert_int_equal(w.s.state, SVC_STOP_POST);
    assert_int_equal(a.spawn_list, UEXEC_STOP_POST);
    spawned(&w, a);
    a = control_exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_DEAD);
    assert_true(a.cleanup);
    assert_int_equal(w.s.result, RESULT_SUCCESS);
    world_free(&w);
}

static void test_failing_start_pre_fails_the_start(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStartPre=/check\nExecStart=/main\nExecStopPost=/cleanup\nExecStop=/stop");
    spawned(&w, start(&w));
    struct svc_actions a = control_exited(&w, CLD_EXITED, 1);
    assert_int_equal(w.s.result, RESULT_EXIT_CODE);
    /* no ExecStart=, no ExecStop=: what the check left is stopped, then ExecStopPost= runs */
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    a = empty(&w);
    assert_int_equal(w.s.state, SVC_STOP_POST);
    spawned(&w, a);
    control_exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_FAILED);
    assert_string_equal(svc_result_name(w.s.result), "exit-code");
    world_free(&w);
}

/* ExecCondition= runs first: 0 goes on to ExecStartPre=, 1-254 skips the start (inactive, not failed,
 * no restart), 255 fails it as any failing start command does */
static void test_exec_condition(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecCondition=/c1\nExecCondition=/c2\nExecStartPre=/pre\nExecStart=/main\nRestart=always");
    struct svc_actions a = start(&w);
    assert_int_equal(w.s.state, SVC_CONDITION);
    assert_string_equal(svc_sub_state(&w.s), "condition");
    assert_string_equal(svc_active_state(&w.s), "activating");
    assert_int_equal(a.spawn_list, UEXEC_CONDITION);
    assert_false(a.spawn_main);
    spawned(&w, a);
    a = control_exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.cmd_index, 1); /* the second condition command */
    spawned(&w, a);
    a = control_exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_START_PRE);
    assert_int_equal(a.spawn_list, UEXEC_START_PRE);
    world_free(&w);

    world_init(&w, "ExecCondition=/c\nExecStart=/main\nRestart=always");
    spawned(&w, start(&w));
    a = control_exited(&w, CLD_EXITED, 1);
    assert_int_equal(w.s.state, SVC_DEAD);
    assert_true(w.s.condition_failed);
    assert_false(w.s.assert_failed);
    assert_string_equal(w.s.condition_text, "ExecCondition= exited with status 1");
    assert_true(a.cleanup);
    assert_false(a.spawn);
    assert_int_equal(svc_next_deadline(&w.s), 0); /* no restart is pending */
    world_free(&w);

    world_init(&w, "ExecCondition=/c\nExecStart=/main");
    spawned(&w, start(&w));
    control_exited(&w, CLD_EXITED, 255);
    assert_int_equal(w.s.result, RESULT_EXIT_CODE);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    empty(&w);
    assert_int_equal(w.s.state, SVC_FAILED);
    world_free(&w);

    world_init(&w, "ExecCondition=-/c\nExecStart=/main"); /* '-': any exit goes on */
    spawned(&w, start(&w));
    control_exited(&w, CLD_EXITED, 3);
    assert_int_equal(w.s.state, SVC_START);
    world_free(&w);
}

static void test_forking_finds_its_main_process(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "Type=forking\nPIDFile=/run/d.pid\nExecStart=/daemon\nTimeoutStartSec=3s");
    struct svc_actions a = start(&w);
    assert_false(a.spawn_main); /* the start command is a control process */
    spawned(&w, a);
    assert_int_equal(w.s.state, SVC_START);
    assert_int_equal(w.s.deadline, w.now + 3 * SEC);
    a = control_exited(&w, CLD_EXITED, 0);
    assert_true(a.find_main);
    assert_int_equal(w.s.state, SVC_START);
    a = (struct svc_actions){0};
    svc_main_found(&w.s, w.u, 4242, w.now, w.now, &a);
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_int_equal(w.s.main_pid, 4242);
    assert_int_equal(w.s.deadline, 0);
    exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    world_free(&w);

    /* the start command fails: the start fails */
    world_init(&w, "Type=forking\nExecStart=/daemon\nKillMode=process");
    spawned(&w, start(&w));
    control_exited(&w, CLD_EXITED, 1);
    assert_int_equal(w.s.state, SVC_FAILED);
    world_free(&w);

    /* no main process found: up while any process is left */
    world_init(&w, "Type=forking\nExecStart=/daemon");
    spawned(&w, start(&w));
    control_exited(&w, CLD_EXITED, 0);
    a = (struct svc_actions){0};
    svc_main_found(&w.s, w.u, 0, w.now, w.now, &a);
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_true(w.s.main_unknown);
    empty(&w);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    empty(&w);
    assert_int_equal(w.s.state, SVC_DEAD);
    world_free(&w);

    /* the PID file never appears: TimeoutStartSec= fails the start */
    world_init(&w, "Type=forking\nPIDFile=/run/d.pid\nExecStart=/daemon\nTimeoutStartSec=1s");
    spawned(&w, start(&w));
    control_exited(&w, CLD_EXITED, 0);
    w.now += SEC;
    timer(&w);
    assert_int_equal(w.s.result, RESULT_TIMEOUT);
    world_free(&w);
}

static void test_reload(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/main\nExecReload=/bin/kill -HUP $MAINPID\nExecReload=/second");
    spawned(&w, start(&w));
    struct svc_actions a = {0};
    assert_true(svc_reload(&w.s, w.u, w.now, w.now, &a));
    assert_int_equal(w.s.state, SVC_RELOAD);
    assert_string_equal(svc_active_state(&w.s), "reloading");
    assert_true(svc_is_active(&w.s));
    spawned(&w, a);
    a = control_exited(&w, CLD_EXITED, 0);
    spawned(&w, a);
    control_exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_true(w.s.reload_done);
    assert_int_equal(w.s.reload_result, RESULT_SUCCESS);
    /* a failing reload keeps the service running and says so */
    a = (struct svc_actions){0};
    svc_reload(&w.s, w.u, w.now, w.now, &a);
    spawned(&w, a);
    control_exited(&w, CLD_EXITED, 2);
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_int_equal(w.s.reload_result, RESULT_EXIT_CODE);
    world_free(&w);
    /* without ExecReload= there is nothing to do */
    world_init(&w, "ExecStart=/main");
    spawned(&w, start(&w));
    a = (struct svc_actions){0};
    assert_false(svc_reload(&w.s, w.u, w.now, w.now, &a));
    assert_false(a.spawn);
    world_free(&w);
}

/* Type=notify-reload: ReloadSignal= to the main process, then RELOADING=1 with a MONOTONIC_USEC= not before the
 * signal, then READY=1 (systemd's reload-signal and reload-notify states); TimeoutStartSec= bounds the wait */
static struct svc_actions reload(struct world *w)
{
    struct svc_actions a = {0};
    assert_true(svc_reload(&w->s, w->u, w->now, w->now, &a));
    return a;
}

static void test_notify_reload(void **state)
{
    (void)state;
    struct world w;
    char msg[96];
    world_init(&w, "Type=notify-reload\nExecStart=/bin/daemon\nTimeoutStartSec=5s");
    assert_int_equal(w.u->notify_access, NOTIFY_MAIN);
    assert_true(svc_can_reload(w.u));
    spawned(&w, start(&w));
    assert_int_equal(w.s.state, SVC_START); /* up at READY=1, as Type=notify */
    notify(&w, "READY=1");
    assert_int_equal(w.s.state, SVC_RUNNING);
    w.now += SEC;
    struct svc_actions a = reload(&w);
    assert_int_equal(a.kill_signal, SIGHUP);
    assert_int_equal(a.kill_scope, KILL_SCOPE_MAIN);
    assert_false(a.spawn);
    assert_int_equal(w.s.state, SVC_RELOAD);
    assert_string_equal(svc_active_state(&w.s), "reloading");
    assert_string_equal(svc_sub_state(&w.s), "reload-signal");
    assert_int_equal(w.s.deadline, w.now + 5 * SEC);
    /* a RELOADING=1 without a time, or from before the signal, is not the answer */
    notify(&w, "RELOADING=1");
    assert_string_equal(svc_sub_state(&w.s), "reload-signal");
    snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)(w.now - 1));
    notify(&w, msg);
    assert_string_equal(svc_sub_state(&w.s), "reload-signal");
    notify(&w, "READY=1"); /* the end of that earlier reload */
    assert_int_equal(w.s.state, SVC_RELOAD);
    snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)(w.now + 10));
    notify(&w, msg);
    assert_string_equal(svc_sub_state(&w.s), "reload-notify");
    assert_int_equal(w.s.state, SVC_RELOAD);
    notify(&w, "READY=1");
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_string_equal(svc_active_state(&w.s), "active");
    assert_string_equal(svc_sub_state(&w.s), "running");
    assert_true(w.s.reload_done);
    assert_int_equal(w.s.reload_result, RESULT_SUCCESS);
    assert_int_equal(w.s.deadline, 0);
    /* both at once: reloaded */
    w.now += SEC;
    reload(&w);
    snprintf(msg, sizeof(msg), "RELOADING=1\nREADY=1\nMONOTONIC_USEC=%llu", (unsigned long long)w.now);
    notify(&w, msg);
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_int_equal(w.s.reload_result, RESULT_SUCCESS);
    /* no answer: at TimeoutStartSec= the reload fails, the service runs on; nothing is killed */
    reload(&w);
    w.now += 5 * SEC;
    a = timer(&w);
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_int_equal(w.s.reload_result, RESULT_TIMEOUT);
    assert_int_equal(a.kill_signal, 0);
    /* a stop while it waits stops it as from running */
    reload(&w);
    a = stop(&w);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    assert_int_equal(a.kill_signal, SIGTERM);
    assert_string_equal(svc_sub_state(&w.s), "stop-sigterm");
    world_free(&w);

    /* ReloadSignal=; the main process dies of it: the reload failed, Restart= decides as after a crash */
    world_init(&w, "Type=notify-reload\nExecStart=/bin/daemon\nReloadSignal=SIGUSR2\nRestart=on-failure");
    spawned(&w, start(&w));
    notify(&w, "READY=1");
    a = reload(&w);
    assert_int_equal(a.kill_signal, SIGUSR2);
    exited(&w, CLD_KILLED, SIGUSR2);
    assert_int_equal(w.s.reload_result, RESULT_SIGNAL);
    assert_int_equal(w.s.result, RESULT_SIGNAL);
    assert_true(svc_is_stopping(&w.s));
    empty(&w);
    assert_int_equal(w.s.state, SVC_AUTO_RESTART);
    world_free(&w);

    /* with ExecReload= too: the signal, then the command; a RELOADING=1 still open when it ends is waited for */
    world_init(&w, "Type=notify-reload\nExecStart=/bin/daemon\nExecReload=/bin/reload-helper");
    spawned(&w, start(&w));
    notify(&w, "READY=1");
    a = reload(&w);
    assert_int_equal(a.kill_signal, SIGHUP);
    assert_true(a.spawn);
    assert_int_equal(a.spawn_list, UEXEC_RELOAD);
    spawned(&w, a);
    assert_string_equal(svc_sub_state(&w.s), "reload");
    notify(&w, "RELOADING=1");
    control_exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_RELOAD);
    assert_string_equal(svc_sub_state(&w.s), "reload-notify");
    notify(&w, "READY=1");
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_int_equal(w.s.reload_result, RESULT_SUCCESS);
    /* and one that said nothing is done when the command is */
    spawned(&w, reload(&w));
    control_exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_RUNNING);
    world_free(&w);

    /* Type=notify without ExecReload= cannot be reloaded */
    world_init(&w, "Type=notify\nExecStart=/bin/daemon");
    assert_false(svc_can_reload(w.u));
    world_free(&w);
}

/* RuntimeMaxSec=: a service active that long is stopped as asked (ExecStop=, then KillSignal=) but fails with
 * Result: timeout, and Restart= decides; EXTEND_TIMEOUT_USEC= moves it; a reload does not reset it */
static void expect_text(const struct world *w, enum svc_state before, const char *exec_error, const char *want);

static void test_runtime_max(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "Type=notify\nExecStart=/main\nExecStop=/stop\nRuntimeMaxSec=10s\nRestart=on-failure");
    spawned(&w, start(&w));
    assert_int_equal(svc_next_deadline(&w.s), w.now + 90 * SEC); /* TimeoutStartSec= while it starts */
    w.now += 3 * SEC;
    notify(&w, "READY=1");
    uint64_t up = w.now;
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_int_equal(svc_next_deadline(&w.s), up + 10 * SEC); /* counted from active */
    w.now = up + 9 * SEC;
    struct svc_actions a = timer(&w);
    assert_int_equal(w.s.state, SVC_RUNNING);
    notify(&w, "EXTEND_TIMEOUT_USEC=5000000");
    assert_int_equal(svc_next_deadline(&w.s), w.now + 5 * SEC);
    w.now += 5 * SEC;
    a = timer(&w);
    assert_int_equal(w.s.state, SVC_STOP);
    assert_int_equal(w.s.result, RESULT_TIMEOUT);
    assert_true(a.spawn);
    assert_int_equal(a.spawn_list, UEXEC_STOP);
    spawned(&w, a);
    expect_text(&w, SVC_RUNNING, "", "ran for RuntimeMaxSec=; stopping: ExecStop=, pid 102");
    a = control_exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    expect_text(&w, SVC_STOP, "", "ran for RuntimeMaxSec=; stopping");
    exited(&w, CLD_KILLED, SIGTERM);
    empty(&w);
    assert_int_equal(w.s.state, SVC_AUTO_RESTART);
    assert_int_equal(w.s.result, RESULT_TIMEOUT);
    world_free(&w);

    /* the deadline waits for a reload under way (its own timeout), then applies */
    world_init(&w, "ExecStart=/main\nExecReload=/reload\nRuntimeMaxSec=2s");
    spawned(&w, start(&w));
    w.now += SEC;
    a = (struct svc_actions){0};
    assert_true(svc_reload(&w.s, w.u, w.now, w.now, &a));
    spawned(&w, a);
    assert_int_equal(svc_next_deadline(&w.s), w.now + 90 * SEC);
    w.now += 2 * SEC;
    timer(&w);
    assert_int_equal(w.s.state, SVC_RELOAD);
    control_exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_RUNNING);
    assert_true(svc_next_deadline(&w.s) <= w.now);
    timer(&w);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    assert_int_equal(w.s.result, RESULT_TIMEOUT);
    world_free(&w);

    /* RuntimeRandomizedExtraSec=: somewhere in [max, max + extra] */
    world_init(&w, "ExecStart=/main\nRuntimeMaxSec=1min\nRuntimeRandomizedExtraSec=30s");
    spawned(&w, start(&w));
    uint64_t d = svc_next_deadline(&w.s);
    assert_true(d >= w.now + 60 * SEC && d <= w.now + 90 * SEC);
    world_free(&w);

    /* none by default; WatchdogSignal= replaces SIGABRT */
    world_init(&w, "ExecStart=/main\nWatchdogSec=1s\nWatchdogSignal=SIGQUIT");
    spawned(&w, start(&w));
    assert_int_equal(svc_next_deadline(&w.s), w.now + SEC);
    w.now += SEC;
    a = timer(&w);
    assert_int_equal(a.kill_signal, SIGQUIT);
    assert_int_equal(w.s.result, RESULT_WATCHDOG);
    expect_text(&w, SVC_RUNNING, "", "watchdog timeout (WatchdogSec=, no WATCHDOG=1); sending SIGQUIT");
    world_free(&w);
}

static void test_stop_command_timeout_goes_on(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/main\nExecStop=/slow-stop\nTimeoutStopSec=2s");
    spawned(&w, start(&w));
    spawned(&w, stop(&w));
    w.now += 2 * SEC;
    struct svc_actions a = timer(&w);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    assert_int_equal(a.kill_signal, SIGTERM);
    assert_true(a.kill_control); /* the stop command is still there: it gets the signal too */
    world_free(&w);
    /* a hanging ExecStopPost= is killed at the timeout, and the service is down */
    world_init(&w, "ExecStart=/main\nExecStopPost=/slow\nTimeoutStopSec=1s\nKillMode=process");
    spawned(&w, start(&w));
    a = stop(&w);
    exited(&w, CLD_KILLED, SIGTERM);
    assert_int_equal(w.s.state, SVC_STOP_POST);
    w.now += SEC;
    spawned(&w, (struct svc_actions){.spawn = true});
    w.now += SEC;
    a = timer(&w);
    assert_true(a.kill_control);
    assert_int_equal(a.kill_signal, SIGKILL);
    assert_int_equal(w.s.state, SVC_DEAD);
    control_exited(&w, CLD_KILLED, SIGKILL); /* reaped later: ignored */
    assert_int_equal(w.s.state, SVC_DEAD);
    world_free(&w);
    /* a main process that ends by itself runs ExecStop= after a clean exit, not after a crash */
    world_init(&w, "ExecStart=/main\nExecStop=/stop");
    spawned(&w, start(&w));
    a = exited(&w, CLD_EXITED, 0);
    assert_int_equal(w.s.state, SVC_STOP);
    world_free(&w);
    world_init(&w, "ExecStart=/main\nExecStop=/stop");
    spawned(&w, start(&w));
    exited(&w, CLD_KILLED, SIGSEGV);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    world_free(&w);
}

/* What oya says at each change: driven through the machine where a path leads there, set by hand where
 * only the fields matter. */
static void expect_text(const struct world *w, enum svc_state before, const char *exec_error, const char *want)
{
    char line[1024];
    bool said = svc_transition_text(&w->s, before, w->u, exec_error, line, sizeof(line));
    assert_string_equal(line, want);
    assert_int_equal(said, want[0] != 0);
}

static void test_transition_text(void **state)
{
    (void)state;
    struct world w;
    world_init(&w, "ExecStart=/main\nRestart=on-failure\nRestartSec=100ms");
    expect_text(&w, SVC_DEAD, "", ""); /* no change, no line */
    spawned(&w, start(&w));
    expect_text(&w, SVC_DEAD, "", "started, main pid 101");
    exited(&w, CLD_EXITED, 1);
    empty(&w); /* nothing of it left */
    assert_int_equal(w.s.state, SVC_AUTO_RESTART);
    expect_text(&w, SVC_RUNNING, "", "exited (code=exited, status=1/FAILURE); restarting in 100ms");
    expect_text(&w, SVC_RUNNING, "failed to execute: No such file or directory (status=203/EXEC)",
                "exited (code=exited, status=1/FAILURE: failed to execute: No such file or directory "
                "(status=203/EXEC)); restarting in 100ms");
    world_free(&w);

    world_init(&w, "ExecStart=/main\nRestart=always\nRestartSec=1s\nRestartSteps=3\nRestartMaxDelaySec=8s");
    spawned(&w, start(&w));
    exited(&w, CLD_KILLED, SIGKILL);
    empty(&w);
    assert_int_equal(w.s.state, SVC_AUTO_RESTART);
    expect_text(&w, SVC_RUNNING, "", "exited (code=killed, signal=SIGKILL); restarting in 1s (try 1)");
    world_free(&w);

    world_init(&w, "ExecStart=/main");
    spawned(&w, start(&w));
    stop(&w);
    assert_int_equal(w.s.state, SVC_STOP_SIGTERM);
    expect_text(&w, SVC_RUNNING, "", "stopping");
    w.s.state = SVC_STOP_SIGKILL;
    expect_text(&w, SVC_STOP_SIGTERM, "", "stop timed out; sending SIGKILL");
    w.s.state = SVC_DEAD;
    expect_text(&w, SVC_STOP_SIGKILL, "", "stopped");
    /* a main process that ended by itself with a failure, its leftovers stopped */
    w.s.state = SVC_STOP_SIGTERM;
    w.s.stop_reason = STOP_MAIN_EXITED;
    w.s.main_pid = 0;
    w.s.result = RESULT_EXIT_CODE;
    w.s.exit_code = CLD_EXITED;
    w.s.exit_status = 3;
    expect_text(&w, SVC_RUNNING, "", "main process exited (code=exited, status=3); stopping what is left");
    w.s.main_pid = 42;
    w.s.result = RESULT_TIMEOUT;
    expect_text(&w, SVC_START, "", "start timed out (TimeoutStartSec=); stopping");
    w.s.result = RESULT_WATCHDOG;
    expect_text(&w, SVC_RUNNING, "", "watchdog timeout (WatchdogSec=, no WATCHDOG=1); sending SIGABRT");
    w.s.result = RESULT_SUCCESS;
    expect_text(&w, SVC_RUNNING, "", "stopping by itself (STOPPING=1)");
    w.s.result = RESULT_EXIT_CODE;
    w.s.control_list = UEXEC_START_PRE;
    expect_text(&w, SVC_START_PRE, "", "ExecStartPre failed (code=exited, status=3); stopping");
    /* the end: failed with its result, or dead after a clean exit */
    w.s.state = SVC_FAILED;
    expect_text(&w, SVC_STOP_SIGTERM, "", "failed (Result: exit-code; code=exited, status=3)");
    w.s.exit_code = 0;
    w.s.result = RESULT_TIMEOUT;
    expect_text(&w, SVC_STOP_SIGKILL, "", "failed (Result: timeout)");
    w.s.state = SVC_DEAD;
    w.s.exit_code = CLD_EXITED;
    w.s.exit_status = 0;
    expect_text(&w, SVC_RUNNING, "", "exited (code=exited, status=0/SUCCESS)");
    w.s.condition_failed = true;
    snprintf(w.s.condition_text, sizeof(w.s.condition_text), "ConditionPathExists=/x was not met");
    expect_text(&w, SVC_CONDITION, "", "start skipped: ConditionPathExists=/x was not met");
    w.s.assert_failed = true;
    expect_text(&w, SVC_CONDITION, "", "start refused, an assertion failed: ConditionPathExists=/x was not met");
    world_free(&w);

    /* Type=notify-reload: the signal sent and the answer awaited; a reload that got none */
    world_init(&w, "Type=notify-reload\nExecStart=/main\nReloadSignal=USR1\nTimeoutStartSec=2s");
    spawned(&w, start(&w));
    notify(&w, "READY=1");
    reload(&w);
    expect_text(&w, SVC_RUNNING, "", "reloading: SIGUSR1 sent to pid 101, waiting for RELOADING=1 and READY=1");
    w.now += 2 * SEC;
    timer(&w);
    expect_text(&w, SVC_RELOAD, "", "reload failed (Result: timeout); runs on");
    reload(&w);
    notify(&w, "RELOADING=1\nREADY=1\nMONOTONIC_USEC=999999999999");
    expect_text(&w, SVC_RELOAD, "", "reloaded");
    world_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_runs_at_spawn),
        cmocka_unit_test(test_transition_text),
        cmocka_unit_test(test_exec_waits_for_exec),
        cmocka_unit_test(test_clean_exit_stops_leftovers_then_dead),
        cmocka_unit_test(test_failure_restarts_after_restart_sec),
        cmocka_unit_test(test_restart_table),
        cmocka_unit_test(test_timeout_counts_as_abnormal),
        cmocka_unit_test(test_start_limit),
        cmocka_unit_test(test_stop_sequence),
        cmocka_unit_test(test_stop_timeout_is_failure),
        cmocka_unit_test(test_kill_modes),
        cmocka_unit_test(test_kill_signal_keys),
        cmocka_unit_test(test_restart_request),
        cmocka_unit_test(test_stop_during_auto_restart),
        cmocka_unit_test(test_oneshot_commands_in_order),
        cmocka_unit_test(test_exit_classification),
        cmocka_unit_test(test_spawn_failure),
        cmocka_unit_test(test_notify_parse),
        cmocka_unit_test(test_notify_ready_and_start_timeout),
        cmocka_unit_test(test_notify_exit_before_ready_is_protocol),
        cmocka_unit_test(test_notify_stopping_sends_no_signal),
        cmocka_unit_test(test_watchdog), cmocka_unit_test(test_oom_policy), cmocka_unit_test(test_restart_backoff),
        cmocka_unit_test(test_infinity_never_wraps),
        cmocka_unit_test(test_oneshot_has_no_start_timeout_by_default),
        cmocka_unit_test(test_start_pre_start_post_stop_post_in_order),
        cmocka_unit_test(test_failing_start_pre_fails_the_start),
        cmocka_unit_test(test_exec_condition),
        cmocka_unit_test(test_forking_finds_its_main_process),
        cmocka_unit_test(test_reload),
        cmocka_unit_test(test_notify_reload),
        cmocka_unit_test(test_runtime_max),
        cmocka_unit_test(test_stop_command_timeout_goes_on),
    };
    return cmocka_run_group_tests_name("svc", tests, NULL, NULL);
}
