/* sup/trace: the supervisor's own process events, for `oya trace`. A client that sends `trace` gets
 * oya's PID and each service's processes of the moment, then one line per event as it happens: a spawn
 * (with its role and command line), the confirmed exec of a main process, every child oya reaps (main,
 * control, helper or adopted orphan, with how it ended and how long it lived), every signal oya sends,
 * and every state change. With nobody tracing, each event costs one test of a counter. */
#include "sup_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sup_trace(struct sup *s, const char *kind, int pid, const struct service *svc, ...)
{
    if (!s->ntracers)
        return;
    struct buf line = {0};
    buf_puts(&line, "ev\t");
    ctl_put_field(&line, kind);
    buf_printf(&line, "\t%llu\t%d\t", (unsigned long long)clock_real_usec(), pid);
    ctl_put_field(&line, svc ? svc->unit->name : "");
    va_list ap;
    va_start(ap, svc);
    for (const char *f; (f = va_arg(ap, const char *));) {
        buf_putc(&line, '\t');
        ctl_put_field(&line, f);
    }
    va_end(ap);
    buf_putc(&line, '\n');
    for (struct client *c = s->clients, *next; c; c = next) {
        next = c->next;
        if (!c->tracing)
            continue;
        if (!sup_follower_ready(c))
            continue;
        buf_add(&c->out, line.p, line.len);
        sup_client_flush(s, c); /* may close c */
    }
    buf_free(&line);
}

void sup_trace_argv(struct sup *s, const char *kind, int pid, const struct service *svc, const char *role,
                    char *const *argv)
{
    if (!s->ntracers)
        return;
    struct buf cmd = {0};
    for (size_t i = 0; argv && argv[i]; i++) {
        if (i)
            buf_putc(&cmd, ' ');
        buf_puts(&cmd, argv[i]);
    }
    sup_trace(s, kind, pid, svc, role, cmd.p ? cmd.p : "", (const char *)NULL);
    buf_free(&cmd);
}

/* trace: oya's PID, then a record per service with its processes now; the reply ends in "follow" and the
 * events come after it */
void sup_do_trace(struct sup *s, struct client *c, char **args, size_t n)
{
    (void)args;
    if (n) {
        ctl_reply_error(&c->out, "trace takes no arguments (the client filters)");
        return;
    }
    struct proc_snapshot snap;
    int *owner = NULL;
    int r = sup_scan_owners(s, &snap, &owner);
    if (r == -ENOMEM) {
        ctl_reply_error(&c->out, "out of memory while listing the services' processes; try again");
        return;
    }
    ctl_reply_ok(&c->out);
    ctl_reply_record(&c->out, "oya");
    ctl_reply_kvf(&c->out, "pid", "%d", s->self_pid);
    struct buf pids = {0};
    for (size_t i = 0; i < s->nsvcs; i++) {
        ctl_reply_record(&c->out, "service");
        ctl_reply_kv(&c->out, "name", s->svcs[i]->unit->name);
        ctl_reply_kvf(&c->out, "main_pid", "%d", s->svcs[i]->st.main_pid);
        pids.len = 0;
        for (size_t k = 0; owner && k < snap.n; k++)
            if (owner[k] == (int)i)
                buf_printf(&pids, "%s%d", pids.len ? " " : "", snap.procs[k].pid);
        ctl_reply_kv(&c->out, "pids", pids.p ? pids.p : "");
    }
    bool failed = pids.failed;
    buf_free(&pids);
    if (owner) {
        free(owner);
        proc_snapshot_free(&snap);
    }
    if (failed || c->out.failed) {
        c->out.failed = true; /* sup_client_flush says out of memory */
        return;
    }
    buf_puts(&c->out, "follow\n");
    c->following = c->tracing = true;
    s->ntracers++;
}
