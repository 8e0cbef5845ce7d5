/* sup/logreq: the control socket's side of the logs. `logs [--follow] N [NAME...]` answers the last N
 * records of each service's memory (and of oya's own log) and where the files are; with --follow the
 * client stays, and every new record of the services it follows is pushed to it as it is logged. */
#include "sup_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sup_followers_push(struct sup *s, const struct service *svc, const char *line, size_t n)
{
    for (struct client *c = s->clients, *next; c; c = next) {
        next = c->next;
        if (!c->following || c->tracing || (c->follows && (svc->index >= c->nfollows || !c->follows[svc->index])))
            continue;
        if (!sup_follower_ready(c))
            continue;
        char *one = mem_strndup(line, n);
        if (!one) {
            c->follow_dropped++; /* said with the next record that fits */
            continue;
        }
        buf_puts(&c->out, "rec\t");
        ctl_put_field(&c->out, svc->unit->name);
        buf_putc(&c->out, '\t');
        ctl_put_field(&c->out, one);
        buf_putc(&c->out, '\n');
        free(one);
        sup_client_flush(s, c); /* may close c */
    }
}

/* logs [--follow] N [NAME...]: where the files are, and the last N records (all: 0) of each service's
 * ring; with --follow the reply ends in "follow" instead of "end", and new records follow as they come */
void sup_do_logs(struct sup *s, struct client *c, char **args, size_t n)
{
    bool follow = n && strcmp(args[0], "--follow") == 0;
    if (follow)
        args++, n--;
    uint64_t last;
    if (n < 1 || !str_to_u64(args[0], &last)) {
        ctl_reply_error(&c->out, "logs needs a count of lines (0: all), then the services (none: all)");
        return;
    }
    struct service **want = mem_zalloc(n, sizeof(*want));
    if (!want) {
        c->out.failed = true;
        return;
    }
    bool own = n == 1; /* oya's own log: with every service, or asked for by its name */
    for (size_t i = 1; i < n; i++) {
        if (strcmp(args[i], SUP_OWN_LOG) == 0) {
            own = true;
            continue;
        }
        char name[SUP_NAME_MAX];
        sup_service_name(args[i], name);
        want[i] = sup_lookup(s, name);
        if (!want[i]) {
            sup_reply_no_such(s, c, args[i]);
            free(want);
            return;
        }
    }
    ctl_reply_ok(&c->out);
    ctl_reply_record(&c->out, "journal");
    ctl_reply_kv(&c->out, "dir", s->log_dir);
    ctl_reply_kvf(&c->out, "host_pid", "%d", s->self_pid);
    struct buf lines = {0};
    if (own) {
        ctl_reply_record(&c->out, "log");
        ctl_reply_kv(&c->out, "name", SUP_OWN_LOG);
        ctl_reply_kv(&c->out, "identifier", "oya");
        sup_journal_own_tail(s, (size_t)last, &lines);
        sup_put_lines(&c->out, &lines, "line");
        c->out.failed |= lines.failed;
        buf_free(&lines);
    }
    for (size_t i = 0; i < (n > 1 ? n - 1 : s->nsvcs); i++) {
        const struct service *svc = n > 1 ? want[i + 1] : s->svcs[i];
        if (!svc)
            continue; /* (the place of "@oya" among the names) */
        ctl_reply_record(&c->out, "log");
        ctl_reply_kv(&c->out, "name", svc->unit->name);
        ctl_reply_kv(&c->out, "identifier", svc->unit->syslog_identifier ? svc->unit->syslog_identifier
                                                                         : svc->unit->name);
        ctl_reply_kvf(&c->out, "dropped", "%llu", (unsigned long long)svc->log_ring.dropped);
        lines.len = 0;
        sup_journal_tail(svc, (size_t)last, &lines);
        sup_put_lines(&c->out, &lines, "line");
        c->out.failed |= lines.failed;
    }
    buf_free(&lines);
    if (follow && c->out.failed) {
        free(want); /* the records before could not all be sent: no follow on a gap (told out of memory) */
        return;
    }
    if (follow) {
        buf_puts(&c->out, "follow\n");
        c->following = true;
        s->nfollowers++;
        if (n > 1) {
            c->follows = mem_zalloc(s->nsvcs, sizeof(bool));
            c->nfollows = c->follows ? s->nsvcs : 0;
            for (size_t i = 1; c->follows && i < n; i++)
                if (want[i])
                    c->follows[want[i]->index] = true;
            if (!c->follows) { /* following all would show what was not asked: told out of memory */
                c->following = false;
                s->nfollowers--;
                c->out.failed = true;
            }
        }
    } else {
        ctl_reply_end(&c->out);
    }
    free(want);
}

