/* cli/start: `oya start|stop|restart|reload NAME...`. Each waits until the services have finished the
 * transition, says how it ended, and exits non-zero when one of them failed. */
#include "cli.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What comes at the end of the wait a service is in, by its sub-state */
static const char *escalation(const char *sub)
{
    if (!strcmp(sub, "stop-sigterm"))
        return "SIGKILL";
    if (!strcmp(sub, "stop-sigkill"))
        return "giving up";
    if (!strcmp(sub, "stop") || !strcmp(sub, "stop-post"))
        return "SIGTERM";
    if (!strcmp(sub, "auto-restart"))
        return "restart";
    return "timeout";
}

/* One progress line, on stderr, for the services still in a transition: what each waits for, the time
 * left before the next step, the processes left (as systemctl shows a job running) */
static void progress(struct cli *c, char *const *names, size_t n, double waited)
{
    struct strv f = {0};
    strv_add(&f, "status");
    strv_add(&f, "--lines=0");
    for (size_t i = 0; i < n; i++)
        strv_add(&f, names[i]);
    struct ctl_reply rep;
    struct buf err = {0};
    int r = ctl_call_default(c->socket, c->socket_private, f.v, f.n, &rep, &err);
    strv_clear(&f);
    buf_free(&err);
    if (r < 0)
        return;
    struct buf line = {0};
    for (size_t i = 0; i < rep.n; i++) {
        const struct ctl_record *rec = &rep.recs[i];
        const char *active = ctl_get(rec, "active"), *sub = ctl_get(rec, "sub");
        if (!active || !sub || !strcmp(active, "active") || !strcmp(active, "inactive") || !strcmp(active, "failed"))
            continue;
        buf_printf(&line, "%s%s: %s (%s)", line.len ? "; " : "", ctl_get(rec, "name"), active, sub);
        const char *in = ctl_get(rec, "deadline_in_usec");
        if (in) {
            char left[48];
            fmt_timespan(left, sizeof(left), strtoull(in, NULL, 10), 100 * USEC_PER_MSEC);
            buf_printf(&line, ", %s in %s", escalation(sub), left);
        }
        size_t procs = str_count_words(ctl_get(rec, "pids"));
        if (procs)
            buf_printf(&line, ", %zu process%s left", procs, procs == 1 ? "" : "es");
    }
    ctl_reply_free(&rep);
    if (line.len)
        fprintf(stderr, "\r\033[Kwaiting %.0fs for %s", waited, line.p);
    buf_free(&line);
}

/* Send the request; on a terminal, while the answer is awaited, say after a second what is awaited and
 * keep it current (twice a second); the line is cleared when the answer comes */
static int call_with_progress(struct cli *c, char *const *fields, size_t n, struct ctl_reply *rep)
{
    if (!isatty(2))
        return cli_call(c, fields, n, rep);
    struct ctl_stream st;
    struct buf err = {0};
    int r = ctl_stream_open(&st, c->socket, c->socket_private, fields, n, &err);
    if (r < 0) {
        fprintf(stderr, "oya: %s\n", err.p ? err.p : strerror(-r));
        buf_free(&err);
        return 1;
    }
    memset(rep, 0, sizeof(*rep));
    uint64_t start = clock_mono_usec();
    bool shown = false;
    for (;;) {
        struct pollfd p = {.fd = st.fd, .events = POLLIN};
        int k = poll(&p, 1, shown ? 500 : 1000);
        if (k < 0 && errno == EINTR)
            continue;
        if (k == 0) {
            progress(c, fields + 1, n - 1, (double)(clock_mono_usec() - start) / 1e6);
            shown = true;
            continue;
        }
        if (ctl_stream_read(&st, rep, NULL, NULL, NULL) == 0)
            break;
    }
    if (shown)
        fprintf(stderr, "\r\033[K");
    r = ctl_stream_close(&st, &err);
    return cli_reply_check(r, &err, rep);
}

int cli_start(struct cli *c, int argc, char **argv)
{
    const char *verb = argv[0];
    struct strv fields = {0};
    strv_add(&fields, verb);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: oya %s NAME...\nWaits until the services have %s and says how it ended.\n", verb,
                   strcmp(verb, "stop") == 0     ? "stopped"
                   : strcmp(verb, "freeze") == 0 ? "been frozen (cgroup.freeze: every process stopped, as systemctl freeze)"
                   : strcmp(verb, "thaw") == 0   ? "been thawed"
                   : strcmp(verb, "reload") == 0 ? "reloaded (ExecReload=; Type=notify-reload: ReloadSignal= to the "
                                                   "main process, then RELOADING=1 and READY=1 from it)"
                                                 : "started");
            strv_clear(&fields);
            return 0;
        }
        strv_add(&fields, argv[i]);
    }
    if (fields.n < 2) {
        fprintf(stderr, "oya %s: name at least one service (oya list shows them)\n", verb);
        strv_clear(&fields);
        return 2;
    }
    struct ctl_reply rep;
    int rc = call_with_progress(c, fields.v, fields.n, &rep);
    strv_clear(&fields);
    bool missing = false;
    for (size_t i = 0; rc == 0 && i < rep.n; i++) {
        const struct ctl_record *r = &rep.recs[i];
        if (strcmp(r->type, "missing") == 0) { /* a name it did not know: the others went on, as systemctl */
            fprintf(stderr, "oya: %s\n", ctl_get(r, "error"));
            missing = true;
            continue;
        }
        bool ok = strcmp(ctl_get(r, "ok") ? ctl_get(r, "ok") : "0", "1") == 0;
        const char *active = ctl_get(r, "active"), *sub = ctl_get(r, "sub"), *err = ctl_get(r, "exec_error");
        char ex[96];
        cli_exit_text(r, ex, sizeof(ex));
        if (strcmp(verb, "freeze") == 0 || strcmp(verb, "thaw") == 0) {
            bool freeze = verb[0] == 'f';
            if (ok) {
                printf("%s: %s (%s, %s)\n", ctl_get(r, "name"), freeze ? "frozen" : "thawed", active, sub);
            } else {
                fprintf(stderr, "oya: %s: %s\n", ctl_get(r, "name"),
                        freeze ? "not frozen: it ended meanwhile" : "not thawed: it ended meanwhile");
                rc = 1;
            }
        } else if (strcmp(verb, "stop") == 0) {
            printf("%s: stopped (%s, %s", ctl_get(r, "name"), active, sub);
            if (strcmp(ctl_get(r, "result"), "success") != 0)
                printf("; Result: %s", ctl_get(r, "result"));
            printf(")\n");
        } else if (strcmp(verb, "reload") == 0) {
            if (ok) {
                printf("%s: reloaded (%s, %s)\n", ctl_get(r, "name"), active, sub);
            } else {
                fprintf(stderr, "oya: %s: reload failed (Result: %s)%s%s\n", ctl_get(r, "name"),
                        ctl_get(r, "reload_result"), err && *err ? ": " : "", err ? err : "");
                rc = 1;
            }
        } else if (ctl_get(r, "condition") && *ctl_get(r, "condition")) {
            bool assert = strcmp(ctl_get(r, "condition_kind"), "assert") == 0;
            fprintf(assert ? stderr : stdout, "%s%s: %s: %s\n", assert ? "oya: " : "", ctl_get(r, "name"),
                    assert ? "start refused, an assertion failed" : "start skipped, a condition is unmet",
                    ctl_get(r, "condition"));
            if (assert)
                rc = 1;
        } else if (ok) {
            long long pid = ctl_get_ll(r, "main_pid", 0);
            printf("%s: %s (%s, %s)", ctl_get(r, "name"), strcmp(verb, "restart") == 0 ? "restarted" : "started",
                   active, sub);
            if (pid > 0)
                printf(", main pid %lld", pid);
            printf("\n");
        } else {
            fprintf(stderr, "oya: %s: failed to %s: %s (%s; Result: %s%s%s)%s%s\n", ctl_get(r, "name"), verb, active,
                    sub, ctl_get(r, "result"), ex[0] ? "; " : "", ex, err && *err ? ": " : "", err ? err : "");
            rc = 1;
        }
    }
    ctl_reply_free(&rep);
    return rc ? rc : missing ? 4 : 0;
}
