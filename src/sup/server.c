/* sup/server: the control socket's requests. One request per connection; start/stop/restart hold the
 * connection until the services settle, then answer and close. A bad request gets an error reply. The
 * connections themselves are clients.c's. */
#include "sup_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What a status reply says of the processes: one /proc scan and one ownership pass for the whole
 * request, however many services it names (taken the first time a service needs it). */
struct pid_view {
    size_t log_lines; /* the last lines of each service's log to add ("logline"), as systemctl status */
    bool pressure;    /* the cgroup's PSI figures too */
    bool read, ok;
    struct proc_snapshot snap;
    int *owner;
};

static void pid_view_free(struct pid_view *v)
{
    if (v->ok) {
        proc_snapshot_free(&v->snap);
        free(v->owner);
    }
}

static void put_pids(struct sup *s, struct buf *b, const struct service *svc, struct pid_view *v)
{
    struct buf pids = {0};
    int *cg_pids;
    ssize_t n = sup_cgroup_pids(svc, &cg_pids);
    if (n >= 0) {
        /* its cgroup lists them: no /proc scan (oya status NAME with 200 services reads one file) */
        for (ssize_t i = 0; i < n; i++)
            buf_printf(&pids, "%s%d", pids.len ? " " : "", cg_pids[i]);
        free(cg_pids);
        ctl_reply_kv(b, "pids", pids.p ? pids.p : "");
        sup_cgroup_put_accounting(s, svc, v->pressure, b);
        b->failed |= pids.failed;
        buf_free(&pids);
        return;
    }
    /* a service that is down and holds no process needs no scan (10,000 inactive services cost none) */
    bool has_processes = svc->st.main_pid || svc->sid || (svc->st.state != SVC_DEAD && svc->st.state != SVC_FAILED);
    if (has_processes && !v->read) {
        v->read = true;
        int r = sup_scan_owners(s, &v->snap, &v->owner);
        v->ok = r == 0;
        if (r == -ENOMEM)
            b->failed = true; /* no list is not an empty list: the reply says out of memory */
    }
    if (has_processes && v->ok)
        for (size_t i = 0; i < v->snap.n; i++)
            if (v->owner[i] == (int)svc->index)
                buf_printf(&pids, "%s%d", pids.len ? " " : "", v->snap.procs[i].pid);
    ctl_reply_kv(b, "pids", pids.p ? pids.p : "");
    b->failed |= pids.failed;
    buf_free(&pids);
}

/* Each line of lines (records of the log format) as a field named key */
void sup_put_lines(struct buf *b, const struct buf *lines, const char *key)
{
    for (size_t at = 0; at < lines->len;) {
        const char *nl = memchr(lines->p + at, '\n', lines->len - at);
        size_t len = nl ? (size_t)(nl - lines->p) - at : lines->len - at;
        char *one = mem_strndup(lines->p + at, len);
        if (one)
            ctl_reply_kv(b, key, one);
        else
            b->failed = true;
        free(one);
        at += len + 1;
    }
}

/* One service's record; with view, also its processes */
static void put_service(struct sup *s, struct buf *b, const struct service *svc, struct pid_view *view)
{
    const struct unit *u = svc->unit;
    const struct svc *st = &svc->st;
    ctl_reply_record(b, "service");
    ctl_reply_kv(b, "name", u->name);
    ctl_reply_kv(b, "description", u->description ? u->description : "");
    ctl_reply_kv(b, "identifier", u->syslog_identifier ? u->syslog_identifier : u->name);
    ctl_reply_kv(b, "path", u->path);
    ctl_reply_kv(b, "load", svc->removed ? "not-found" : "loaded");
    ctl_reply_kv(b, "active", svc_active_state(st));
    ctl_reply_kv(b, "sub", svc_sub_state(st));
    ctl_reply_kv(b, "result", svc_result_name(st->result));
    ctl_reply_kv(b, "type", unit_type_name(u->type));
    ctl_reply_kv(b, "restart", unit_restart_name(u->restart));
    ctl_reply_kvf(b, "since", "%llu", (unsigned long long)st->since_real);
    ctl_reply_kvf(b, "active_since", "%llu", (unsigned long long)(svc_is_active(st) ? st->active_since_real : 0));
    ctl_reply_kvf(b, "main_pid", "%d", st->main_pid);
    ctl_reply_kvf(b, "control_pid", "%d", st->control_pid);
    ctl_reply_kv(b, "reload_result", svc_result_name(st->reload_result));
    ctl_reply_kvf(b, "last_pid", "%d", st->last_pid);
    ctl_reply_kvf(b, "exit_code", "%d", st->exit_code);
    ctl_reply_kvf(b, "exit_status", "%d", st->exit_status);
    ctl_reply_kvf(b, "restarts", "%u", st->restarts);
    if (st->deadline && st->deadline != USEC_INFINITY) { /* what a waiting `oya stop` shows (progress) */
        uint64_t t = clock_mono_usec();
        ctl_reply_kvf(b, "deadline_in_usec", "%llu", (unsigned long long)(st->deadline > t ? st->deadline - t : 0));
    }
    if (st->state == SVC_AUTO_RESTART && st->deadline && st->deadline != USEC_INFINITY) {
        uint64_t now = clock_mono_usec();
        ctl_reply_kvf(b, "restart_in_usec", "%llu", (unsigned long long)(st->deadline > now ? st->deadline - now : 0));
        ctl_reply_kvf(b, "restart_try", "%u", st->restarts + 1);
    }
    if (svc->cg_fd >= 0) {
        ctl_reply_kvf(b, "cgroup", "%s%s%s.service", s->cg_path, strcmp(s->cg_path, "/") ? "/" : "", u->name);
        ctl_reply_kv(b, "freezer", sup_cgroup_frozen(svc) == 1 ? "frozen" : "running");
    }
    ctl_reply_kv(b, "exec_error", svc->exec_error);
    ctl_reply_kv(b, "invocation", svc->invocation);
    ctl_reply_kv(b, "status_text", st->status_text);
    ctl_reply_kv(b, "condition", st->condition_failed ? st->condition_text : "");
    ctl_reply_kv(b, "condition_kind", !st->condition_failed ? "" : st->assert_failed ? "assert" : "condition");
    ctl_reply_kvf(b, "status_errno", "%d", st->notify_errno);
    if (svc->log_file_failed)
        ctl_reply_kvf(b, "log_problem", "memory only: cannot write %s (%s); %llu records not on disk", s->log_dir,
                      strerror(svc->log_file_errno), (unsigned long long)svc->log_not_on_disk);
    if (view)
        put_pids(s, b, svc, view);
    if (view && view->log_lines && svc->log_ring.len) {
        struct buf lines = {0};
        sup_journal_tail(svc, view->log_lines, &lines);
        sup_put_lines(b, &lines, "logline");
        b->failed |= lines.failed;
        buf_free(&lines);
    }
}

/* A unit file that did not load: as systemctl shows one (LOAD bad-setting, or error when unreadable) */
static void put_bad(struct buf *b, const struct bad_unit *bad)
{
    ctl_reply_record(b, "service");
    ctl_reply_kv(b, "name", bad->name);
    ctl_reply_kv(b, "description", "");
    ctl_reply_kv(b, "path", bad->path);
    ctl_reply_kv(b, "load", strstr(bad->error, "cannot read") ? "error" : "bad-setting");
    ctl_reply_kv(b, "active", "inactive");
    ctl_reply_kv(b, "sub", "dead");
    ctl_reply_kv(b, "result", "success");
    ctl_reply_kv(b, "load_error", bad->error);
    ctl_reply_kv(b, "pids", "");
}

static void put_oya(struct sup *s, struct buf *b)
{
    ctl_reply_record(b, "oya");
    ctl_reply_kvf(b, "pid", "%d", s->self_pid);
    ctl_reply_kvf(b, "since", "%llu", (unsigned long long)s->started_real);
    ctl_reply_kv(b, "socket", s->socket_path);
    bool cg = s->cg_fd >= 0 && !s->cg_fake;
    ctl_reply_kv(b, "cgroup", cg ? s->cg_self : "");
    ctl_reply_kv(b, "cgroup_subtree", cg ? s->cg_path : "");
    ctl_reply_kv(b, "cgroup_why", cg ? "" : s->cg_why);
    struct buf paths = {0};
    for (size_t i = 0; i < s->opts->npaths; i++)
        buf_printf(&paths, "%s%s", i ? " " : "", s->opts->paths[i]);
    ctl_reply_kv(b, "paths", paths.p ? paths.p : "");
    buf_free(&paths);
    ctl_reply_kvf(b, "services", "%zu", s->nsvcs);
    ctl_reply_kv(b, "state", s->shutting_down ? "stopping" : "running");
}

/* A request's name without ".service" */
void sup_service_name(const char *arg, char name[static SUP_NAME_MAX])
{
    size_t n = strlen(arg);
    if (n >= SUP_NAME_MAX)
        n = 0; /* no service is called that: "" matches none */
    memcpy(name, arg, n);
    name[n] = 0;
    if (str_endswith(name, ".service") && n > 8)
        name[n - 8] = 0;
}

/* An unknown name: "no such service 'x'", with the closest service, bad unit or template name when one is
 * a likely typo; appended to out */
static void no_such_text(struct sup *s, const char *given, struct buf *out)
{
    char name[SUP_NAME_MAX];
    sup_service_name(given, name);
    struct suggest sg;
    suggest_init(&sg, name);
    for (size_t i = 0; i < s->nsvcs; i++)
        suggest_try(&sg, s->svcs[i]->unit->name);
    for (size_t i = 0; i < s->nbad; i++)
        suggest_try(&sg, s->bad[i].name);
    const char *best = suggest_result(&sg);
    if (best)
        buf_printf(out, "no such service '%s'; did you mean '%s'? (`oya list` shows the services)", given, best);
    else
        buf_printf(out, "no such service '%s'; `oya list` shows the services", given);
}

void sup_reply_no_such(struct sup *s, struct client *c, const char *given)
{
    struct buf text = {0};
    no_such_text(s, given, &text);
    ctl_reply_error(&c->out, "%s", buf_str(&text));
    c->out.failed |= text.failed;
    buf_free(&text);
}

/* Resolve names (with or without ".service"), making instances from templates. As systemctl, a command
 * acts on the names it knows and says which it does not: each unknown one (or one whose file did not
 * load) becomes a "missing" record in c->missing, sent with the reply. Only when none is known is the
 * request refused (NULL, the first one's error replied). *found is how many indexes came back. */
static size_t *resolve(struct sup *s, struct client *c, char **names, size_t n, size_t *found)
{
    size_t *idx = mem_zalloc(n, sizeof(size_t));
    *found = 0;
    buf_free(&c->missing);
    if (!idx) {
        c->out.failed = true; /* answered "out of memory" (sup_client_flush) */
        return NULL;
    }
    struct buf first = {0};
    for (size_t i = 0; i < n; i++) {
        char name[SUP_NAME_MAX];
        sup_service_name(names[i], name);
        struct service *svc = sup_lookup(s, name);
        unsigned long failures = mem_failures();
        if (!svc)
            svc = sup_instantiate(s, name); /* postgresql@15-main from postgresql@.service */
        if (!svc && mem_failures() != failures) { /* the instance could not be made: not "no such" */
            c->out.failed = true;
            buf_free(&first);
            free(idx);
            return NULL;
        }
        const struct bad_unit *bad = svc ? NULL : sup_find_bad(s, name);
        if (svc) {
            bool dup = false;
            for (size_t k = 0; k < *found; k++)
                dup = dup || idx[k] == svc->index;
            if (!dup)
                idx[(*found)++] = svc->index;
            continue;
        }
        struct buf msg = {0};
        if (bad) {
            const char *nl = strchr(bad->error, '\n');
            buf_printf(&msg, "%s did not load: %.*s (`oya status %s` tells all)", names[i],
                       (int)(nl ? nl - bad->error : (long)strlen(bad->error)), bad->error, names[i]);
        } else {
            no_such_text(s, names[i], &msg);
        }
        if (!first.len)
            buf_add(&first, msg.p, msg.len);
        ctl_reply_record(&c->missing, "missing");
        ctl_reply_kv(&c->missing, "name", names[i]);
        ctl_reply_kv(&c->missing, "error", msg.p ? msg.p : "");
        buf_free(&msg);
    }
    if (first.failed || c->missing.failed)
        c->out.failed = true;
    if (*found == 0 || c->out.failed) {
        ctl_reply_error(&c->out, "%s", first.p ? first.p : "name at least one service");
        buf_free(&c->missing);
        free(idx);
        idx = NULL;
    }
    buf_free(&first);
    return idx;
}

/* The "missing" records of the names the request did not know, appended to a reply */
static void put_missing(struct client *c)
{
    buf_add(&c->out, c->missing.p ? c->missing.p : "", c->missing.len);
    c->out.failed |= c->missing.failed;
    buf_free(&c->missing);
}

/* Status looks and keeps nothing: an instance of a template that is not running is shown as its
 * template would make it (inactive), without adding a service for every name asked about. */
static void do_status(struct sup *s, struct client *c, char **args, size_t n)
{
    /* options first: "--lines=N", how many of each service's last log lines; "--pressure", the PSI
     * figures too (status --json shows them; three more files per service to read) */
    uint64_t log_lines = 10;
    bool pressure = false;
    for (; n && str_startswith(args[0], "--"); args++, n--) {
        if (strcmp(args[0], "--pressure") == 0) {
            pressure = true;
        } else if (!str_startswith(args[0], "--lines=")) {
            ctl_reply_error(&c->out, "unknown status option %s (--lines=N, --pressure)", args[0]);
            return;
        } else if (!str_to_u64(args[0] + 8, &log_lines) || log_lines > 100000) {
            ctl_reply_error(&c->out, "%s: give a number of lines", args[0]);
            return;
        }
    }
    struct service **found = mem_zalloc(n, sizeof(*found));
    struct unit **preview = mem_zalloc(n, sizeof(*preview));
    const struct bad_unit **bad = mem_zalloc(n, sizeof(*bad));
    if (!found || !preview || !bad) {
        n = 0; /* nothing to free in preview */
        c->out.failed = true;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char name[SUP_NAME_MAX];
        sup_service_name(args[i], name);
        found[i] = sup_lookup(s, name);
        unsigned long failures = mem_failures();
        if (!found[i])
            preview[i] = sup_instance_unit(s, name);
        if (!found[i] && !preview[i] && mem_failures() != failures) {
            c->out.failed = true;
            goto out;
        }
        bad[i] = found[i] || preview[i] ? NULL : sup_find_bad(s, name);
        if (!found[i] && !preview[i] && !bad[i]) {
            sup_reply_no_such(s, c, args[i]);
            goto out;
        }
    }
    ctl_reply_ok(&c->out);
    struct pid_view view = {.log_lines = n ? (size_t)log_lines : 0, /* the overview shows no log lines */
                            .pressure = pressure};
    if (n == 0) {
        put_oya(s, &c->out);
        for (size_t i = 0; i < s->nsvcs; i++)
            put_service(s, &c->out, s->svcs[i], &view);
    }
    for (size_t i = 0; i < n; i++) {
        if (found[i]) {
            put_service(s, &c->out, found[i], &view);
            continue;
        }
        if (bad[i]) {
            put_bad(&c->out, bad[i]);
            continue;
        }
        struct service tmp = {.unit = preview[i], .index = SIZE_MAX, .pidfd = -1, .report_fd = -1,
                              .control_report_fd = -1, .log_file = {.fd = -1}};
        svc_init(&tmp.st, clock_real_usec());
        put_service(s, &c->out, &tmp, NULL);
        ctl_reply_kv(&c->out, "pids", "");
    }
    pid_view_free(&view);
    ctl_reply_end(&c->out);
out:
    for (size_t i = 0; preview && i < n; i++)
        unit_free(preview[i]);
    free(preview);
    free(bad);
    free(found);
}

static void do_list(struct sup *s, struct client *c)
{
    ctl_reply_ok(&c->out);
    for (size_t i = 0; i < s->nsvcs; i++)
        put_service(s, &c->out, s->svcs[i], NULL);
    for (size_t i = 0; i < s->nbad; i++)
        put_bad(&c->out, &s->bad[i]);
    ctl_reply_end(&c->out);
}

static void do_transition(struct sup *s, struct client *c, enum wait_kind kind, char **args, size_t n)
{
    if (n == 0) {
        ctl_reply_error(&c->out, "name at least one service");
        return;
    }
    if (s->shutting_down && kind != WAIT_STOP) {
        ctl_reply_error(&c->out, "oya is shutting down; nothing can be started");
        return;
    }
    size_t *idx = resolve(s, c, args, n, &n);
    if (!idx)
        return;
    for (size_t i = 0; i < n && kind != WAIT_STOP; i++) {
        if (s->svcs[idx[i]]->removed) {
            ctl_reply_error(&c->out, "the unit file of %s is gone (found at the last reload); it cannot be started",
                            s->svcs[idx[i]]->unit->name);
            free(idx);
            return;
        }
    }
    for (size_t i = 0; i < n && kind == WAIT_RELOAD; i++) {
        const struct service *svc = s->svcs[idx[i]];
        if (!svc_can_reload(svc->unit) || !svc_is_active(&svc->st)) {
            ctl_reply_error(&c->out, "%s cannot be reloaded: %s", svc->unit->name,
                            !svc_can_reload(svc->unit) ? "it has no ExecReload=" : "it is not active");
            free(idx);
            return;
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct service *svc = s->svcs[idx[i]];
        if (kind == WAIT_RELOAD) {
            sup_feed(s, svc, (struct sup_event){.kind = SUP_EV_RELOAD});
            if (sup_reload_propagate(s, svc) < 0)
                fprintf(stderr, "oya: %s: out of memory: the reload did not reach its PropagatesReloadTo= units\n",
                        svc->unit->name);
        } else if (kind == WAIT_START) {
            sup_job_start(s, svc); /* ordered by After=, with what it Requires= and Wants= */
        } else if (kind == WAIT_STOP) {
            sup_job_stop(s, svc); /* with what Requires= it, after what comes after it */
        } else {
            svc->job = JOB_NONE;
            sup_feed(s, svc, (struct sup_event){.kind = SUP_EV_RESTART});
            sup_restart_dependents(s, svc);
        }
    }
    sup_jobs_dispatch(s);
    c->wait = kind;
    c->waiting = idx;
    c->nwaiting = n;
}

/* freeze|thaw NAME...: cgroup.freeze, answered once cgroup.events says frozen (or thawed) */
static void do_freeze(struct sup *s, struct client *c, bool freeze, char **args, size_t n)
{
    if (n == 0) {
        ctl_reply_error(&c->out, "name at least one service");
        return;
    }
    size_t *idx = resolve(s, c, args, n, &n);
    if (!idx)
        return;
    for (size_t i = 0; i < n; i++) {
        const struct service *svc = s->svcs[idx[i]];
        if (svc->cg_fd < 0) {
            ctl_reply_error(&c->out, "%s has no cgroup, and freezing needs one: %s", svc->unit->name,
                            s->cg_fd < 0 || s->cg_fake ? s->cg_why : "it is not running");
            free(idx);
            return;
        }
        if (freeze && !svc_is_active(&svc->st)) {
            ctl_reply_error(&c->out, "%s is not active: there is nothing to freeze", svc->unit->name);
            free(idx);
            return;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int r = sup_cgroup_freeze(s->svcs[idx[i]], freeze);
        if (r < 0) {
            ctl_reply_error(&c->out, "cannot %s %s: %s", freeze ? "freeze" : "thaw", s->svcs[idx[i]]->unit->name,
                            strerror(-r));
            free(idx);
            return;
        }
    }
    c->wait = freeze ? WAIT_FREEZE : WAIT_THAW;
    c->waiting = idx;
    c->nwaiting = n;
}

static void do_kill(struct sup *s, struct client *c, char **args, size_t n)
{
    if (n < 2) {
        ctl_reply_error(&c->out, "kill needs a signal and at least one service");
        return;
    }
    int sig = signal_from_name(args[0]);
    if (sig <= 0) {
        ctl_reply_error(&c->out, "'%s' is not a signal; use a name like TERM, SIGHUP or a number", args[0]);
        return;
    }
    /* "whom=main|control|all" (systemctl kill --kill-whom=): the main process, the control process, or
     * every process of the service (the default) */
    bool has_whom = n > 2 && str_startswith(args[1], "whom=");
    const char *whom = has_whom ? args[1] + 5 : "all";
    size_t skip = has_whom ? 2 : 1;
    if (strcmp(whom, "all") && strcmp(whom, "main") && strcmp(whom, "control")) {
        ctl_reply_error(&c->out, "whom=%s: use main, control or all", whom);
        return;
    }
    size_t found;
    size_t *idx = resolve(s, c, args + skip, n - skip, &found);
    if (!idx)
        return;
    struct buf recs = {0};
    for (size_t i = 0; i < found; i++) {
        struct service *svc = s->svcs[idx[i]];
        int count = 0;
        if (whom[0] == 'c') {
            if (svc->st.control_pid && kill(svc->st.control_pid, sig) == 0) /* oya's unreaped child */
                count = 1;
        } else {
            count = sup_kill(s, svc, sig, whom[0] == 'm' ? KILL_SCOPE_MAIN : KILL_SCOPE_ALL);
        }
        ctl_reply_record(&recs, "killed");
        ctl_reply_kv(&recs, "name", svc->unit->name);
        ctl_reply_kvf(&recs, "count", "%d", count);
    }
    ctl_reply_ok(&c->out);
    buf_add(&c->out, recs.p ? recs.p : "", recs.len);
    put_missing(c);
    ctl_reply_end(&c->out);
    c->out.failed |= recs.failed;
    buf_free(&recs);
    free(idx);
}


/* `oya daemon-reload`: re-read the unit files (as SIGHUP), answered with what changed */
static void do_daemon_reload(struct sup *s, struct client *c)
{
    if (s->shutting_down) {
        ctl_reply_error(&c->out, "oya is shutting down; the unit files are not read again");
        return;
    }
    struct sup_reload r;
    if (sup_reload_units(s, true, &r) == -ENOMEM) {
        ctl_reply_error(&c->out, "out of memory while listing the unit files; nothing was reloaded (try again)");
        return;
    }
    ctl_reply_ok(&c->out);
    ctl_reply_record(&c->out, "reload");
    ctl_reply_kv(&c->out, "added", r.added.p ? r.added.p : "");
    ctl_reply_kv(&c->out, "changed", r.changed.p ? r.changed.p : "");
    ctl_reply_kv(&c->out, "removed", r.removed.p ? r.removed.p : "");
    ctl_reply_kv(&c->out, "unchanged", r.unchanged.p ? r.unchanged.p : "");
    ctl_reply_end(&c->out);
    c->out.failed |= r.added.failed || r.changed.failed || r.removed.failed || r.unchanged.failed;
    buf_free(&r.added);
    buf_free(&r.changed);
    buf_free(&r.removed);
    buf_free(&r.unchanged);
}

/* `oya shutdown [now]`: stop everything (now: kill it) and exit; the answer comes when all is down */
static void do_shutdown(struct sup *s, struct client *c, char **args, size_t n)
{
    bool now = n == 1 && strcmp(args[0], "now") == 0;
    if (n > 1 || (n == 1 && !now)) {
        ctl_reply_error(&c->out, "shutdown takes nothing, or 'now'");
        return;
    }
    fprintf(stderr, "oya: shutdown requested: %s %zu service%s\n", now ? "killing" : "stopping", s->nsvcs,
            s->nsvcs == 1 ? "" : "s");
    s->shutdown_asked = true;
    c->wait = WAIT_EXIT;
    sup_shutdown(s, now);
}

void sup_handle_request(struct sup *s, struct client *c, const char *line)
{
    struct strv f = {0};
    ctl_split(line, &f);
    if (f.failed || !f.n) {
        c->out.failed = true; /* out of memory: sup_client_flush says so */
        strv_clear(&f);
        return;
    }
    const char *verb = f.v[0];
    char **args = f.v + 1;
    size_t n = f.n - 1;
    if (strcmp(verb, "ping") == 0 && n == 0) {
        ctl_reply_ok(&c->out);
        ctl_reply_end(&c->out);
    } else if (strcmp(verb, "status") == 0) {
        do_status(s, c, args, n);
    } else if (strcmp(verb, "list") == 0 && n == 0) {
        do_list(s, c);
    } else if (strcmp(verb, "start") == 0) {
        do_transition(s, c, WAIT_START, args, n);
    } else if (strcmp(verb, "stop") == 0) {
        do_transition(s, c, WAIT_STOP, args, n);
    } else if (strcmp(verb, "restart") == 0) {
        do_transition(s, c, WAIT_RESTART, args, n);
    } else if (strcmp(verb, "reload") == 0) {
        do_transition(s, c, WAIT_RELOAD, args, n);
    } else if (strcmp(verb, "kill") == 0) {
        do_kill(s, c, args, n);
    } else if (strcmp(verb, "logs") == 0) {
        sup_do_logs(s, c, args, n);
    } else if (strcmp(verb, "freeze") == 0 || strcmp(verb, "thaw") == 0) {
        do_freeze(s, c, verb[0] == 'f', args, n);
    } else if (strcmp(verb, "trace") == 0) {
        sup_do_trace(s, c, args, n);
    } else if (strcmp(verb, "daemon-reload") == 0 && n == 0) {
        do_daemon_reload(s, c);
    } else if (strcmp(verb, "shutdown") == 0) {
        do_shutdown(s, c, args, n);
    } else if (!*verb) {
        ctl_reply_error(&c->out, "empty request; known: ping, status, list, start, stop, restart, reload, kill, logs, "
                                 "trace, daemon-reload, shutdown");
    } else {
        struct buf shown = {0};
        for (const char *p = verb; *p && shown.len < 64; p++)
            buf_putc(&shown, (*p >= 0x20 && *p < 0x7f) ? *p : '?');
        ctl_reply_error(&c->out, "unknown request '%s' (or wrong arguments); known: ping, status [NAME...], "
                        "list, start|stop|restart|reload NAME..., kill SIGNAL NAME..., logs N [NAME...], trace, "
                        "daemon-reload, shutdown [now]", buf_str(&shown));
        buf_free(&shown);
    }
    strv_clear(&f);
}

/* Has this service finished the transition the client asked for? */
static bool settled_for(const struct service *svc, enum wait_kind kind)
{
    const struct svc *st = &svc->st;
    if (kind == WAIT_FREEZE || kind == WAIT_THAW) /* frozen as asked, or gone */
        return sup_cgroup_frozen(svc) == (kind == WAIT_FREEZE) || !svc_is_active(st) || svc->cg_fd < 0;
    if (svc->job != JOB_NONE)
        return false; /* still waiting for its turn */
    if (kind == WAIT_STOP)
        return st->state == SVC_DEAD || st->state == SVC_FAILED;
    if (kind == WAIT_RELOAD)
        return st->state != SVC_RELOAD;
    if (svc->exec_pending)
        return false;
    return svc_is_settled(st) || st->state == SVC_AUTO_RESTART;
}

static bool transition_ok(const struct service *svc, enum wait_kind kind)
{
    const struct svc *st = &svc->st;
    if (kind == WAIT_FREEZE || kind == WAIT_THAW)
        return sup_cgroup_frozen(svc) == (kind == WAIT_FREEZE);
    if (kind == WAIT_STOP)
        return true;
    if (kind == WAIT_RELOAD)
        return st->reload_done && st->reload_result == RESULT_SUCCESS;
    if (st->assert_failed)
        return false;
    if (svc->exec_error[0])
        return false;
    return svc_is_active(st) || (st->state == SVC_DEAD && st->result == RESULT_SUCCESS);
}

void sup_answer_waiters(struct sup *s)
{
    for (struct client *c = s->clients, *next; c; c = next) {
        next = c->next;
        if (c->wait == WAIT_NONE || c->replying || (c->wait == WAIT_EXIT && !s->loop_done))
            continue;
        bool done = true;
        for (size_t i = 0; i < c->nwaiting && done; i++)
            done = settled_for(s->svcs[c->waiting[i]], c->wait);
        if (!done)
            continue;
        ctl_reply_ok(&c->out);
        for (size_t i = 0; i < c->nwaiting; i++) {
            const struct service *svc = s->svcs[c->waiting[i]];
            put_service(s, &c->out, svc, NULL);
            ctl_reply_kv(&c->out, "ok", transition_ok(svc, c->wait) ? "1" : "0");
        }
        put_missing(c);
        ctl_reply_end(&c->out);
        sup_reply_now(s, c);
    }
}
