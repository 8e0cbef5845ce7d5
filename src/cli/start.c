/* cli/start: `oya start|stop|restart|reload NAME...`. Each waits until the services have finished the
 * transition, says how it ended, and exits non-zero when one of them failed. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

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
                   : strcmp(verb, "reload") == 0 ? "run their ExecReload= commands"
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
    int rc = cli_call(c, fields.v, fields.n, &rep);
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
