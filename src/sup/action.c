/* sup/action: what the end of a service sets off, as systemd's unit_notify does: FailureAction=,
 * SuccessAction= and StartLimitAction= (exit oya, or as PID 1 of the machine reboot, power off or halt),
 * OnFailure= and OnSuccess= (start the units they name), and the status oya exits with (the table in
 * docs/supervision.md). */
#include "sup_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

/* The status a service's end stands for: its main process's exit code, 128+N for signal N, and for a
 * failure without a code of its own (a timeout, the start limit, a dependency: 0 or none) 1 */
static int status_of(const struct service *svc, bool failure)
{
    const struct svc *st = &svc->st;
    int code = 0;
    if (st->exit_code == CLD_EXITED)
        code = st->exit_status;
    else if (st->exit_code == CLD_KILLED || st->exit_code == CLD_DUMPED)
        code = 128 + st->exit_status;
    if (failure && code == 0)
        code = 1;
    return code & 0xff;
}

/* Is oya the machine's init (PID 1 of the initial PID namespace), where reboot and poweroff mean the
 * machine; anywhere else (a container) they mean: exit */
static bool machine_init(const struct sup *s)
{
    struct stat st;
    return s->pid1 && stat("/proc/self/ns/pid", &st) == 0 && st.st_ino == 0xEFFFFFFCu;
}

static void say(struct sup *s, struct service *svc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(struct sup *s, struct service *svc, const char *fmt, ...)
{
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    fprintf(stderr, "oya: %s: %s\n", svc->unit->name, text);
    sup_journal_add(s, svc, LOG_OYA, 5, text, strlen(text));
}

static void run_action(struct sup *s, struct service *svc, enum unit_action act, const char *key, int status,
                       bool failure)
{
    if (act == UA_NONE || s->shutting_down)
        return;
    int rc = status >= 0 ? status : status_of(svc, failure);
    bool force = act == UA_EXIT_FORCE || act == UA_REBOOT_FORCE || act == UA_POWEROFF_FORCE ||
                 act == UA_HALT_FORCE || act == UA_KEXEC_FORCE || act == UA_SOFT_REBOOT_FORCE;
    bool immediate = act == UA_REBOOT_IMMEDIATE || act == UA_POWEROFF_IMMEDIATE || act == UA_HALT_IMMEDIATE;
    int cmd = 0;
    if (act != UA_EXIT && act != UA_EXIT_FORCE && machine_init(s)) {
        cmd = act == UA_POWEROFF || act == UA_POWEROFF_FORCE || act == UA_POWEROFF_IMMEDIATE ? RB_POWER_OFF
              : act == UA_HALT || act == UA_HALT_FORCE || act == UA_HALT_IMMEDIATE         ? RB_HALT_SYSTEM
                                                                                         : RB_AUTOBOOT;
    }
    if (cmd && immediate) {
        say(s, svc, "%s=%s: now, without stopping anything", key, unit_action_name(act));
        sync();
        reboot(cmd);
        say(s, svc, "%s=%s failed: %s; stopping every service instead", key, unit_action_name(act), strerror(errno));
    }
    say(s, svc, "%s=%s: %s every service, then %s", key, unit_action_name(act),
        force || immediate ? "killing" : "stopping",
        cmd == (int)RB_POWER_OFF ? "powering off" : cmd == (int)RB_HALT_SYSTEM ? "halting" : cmd ? "rebooting" : "exiting");
    if (!s->exit_rc_set) {
        s->exit_rc = rc;
        s->exit_rc_set = true;
    }
    s->reboot_cmd = cmd;
    sup_shutdown(s, force || immediate);
}

/* OnFailure=/OnSuccess=: each unit named (a template's instance is made, as `oya start` makes it) */
static void start_units(struct sup *s, struct service *svc, const struct strv *names, const char *key)
{
    for (size_t i = 0; i < names->n; i++) {
        const char *name = names->v[i];
        char base[300];
        snprintf(base, sizeof(base), "%.*s", (int)(str_endswith(name, ".service") ? strlen(name) - 8 : strlen(name)),
                 name);
        struct service *other = sup_lookup(s, base);
        if (!other && strchr(base, '@'))
            other = sup_instantiate(s, base);
        if (!other) {
            say(s, svc, "%s=%s: no such service loaded, not started", key, name);
            continue;
        }
        say(s, svc, "%s: starting %s", key, other->unit->name);
        sup_job_start(s, other);
    }
}

void sup_unit_transition(struct sup *s, struct service *svc, enum svc_state before)
{
    enum svc_state now = svc->st.state;
    const struct unit *u = svc->unit;
    if (now == before || s->init)
        return;
    if (now == SVC_FAILED) {
        if (!s->first_failure_set) {
            s->first_failure_rc = status_of(svc, true);
            s->first_failure_set = true;
        }
        /* a failed dependency leaves the unit as it was in systemd: nothing is set off */
        if (s->shutting_down || svc->st.result == RESULT_DEPENDENCY)
            return;
        start_units(s, svc, &u->on_failure, "OnFailure");
        if (svc->st.result == RESULT_START_LIMIT)
            run_action(s, svc, u->start_limit_action, "StartLimitAction", u->failure_action_exit_status, true);
        enum unit_action fa = u->failure_action_set ? u->failure_action : (enum unit_action)s->opts->failure_action;
        run_action(s, svc, fa, u->failure_action_set ? "FailureAction" : "--failure-action",
                   u->failure_action_exit_status, true);
    } else if (now == SVC_DEAD && before != SVC_FAILED && !svc->st.condition_failed && !s->shutting_down) {
        /* (a start skipped by a condition never left inactive, as systemd has it) */
        start_units(s, svc, &u->on_success, "OnSuccess");
        run_action(s, svc, u->success_action, "SuccessAction", u->success_action_exit_status, false);
    }
}

int sup_exit_status(const struct sup *s)
{
    if (s->exit_rc_set)
        return s->exit_rc;
    if (s->opts->exit_when_idle && !s->shutdown_asked)
        return s->first_failure_set ? s->first_failure_rc : 0;
    return 0;
}

void sup_finish_action(struct sup *s)
{
    if (!s->reboot_cmd)
        return;
    sync();
    reboot(s->reboot_cmd);
    fprintf(stderr, "oya: reboot(2) failed: %s\n", strerror(errno));
}
