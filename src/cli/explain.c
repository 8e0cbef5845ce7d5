/* cli/explain: `oya explain PID [--json]`, one process in plain words: what it is, its state and what
 * that means (a zombie: who has to reap it, and who will if that one never does), its ancestry with
 * services, session leaders and oya marked, whether it is a daemon by the classic definition, the oya
 * service that owns it, and its figures (CPU, memory, context switches, fds, signals, limits that differ
 * from PID 1's). Everything comes from /proc (and the running oya, for services); what cannot be read is
 * said, not failed on. */
#include "cli.h"

#include "../proc/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PF_KTHREAD 0x00200000

/* One "Key:\tvalue" of /proc/PID/status, into out; false if absent or unreadable */
static bool status_field(const char *status, const char *key, char *out, size_t size)
{
    size_t n = strlen(key);
    for (const char *p = status; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, key, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            snprintf(out, size, "%.*s", (int)strcspn(v, "\n"), v);
            return true;
        }
    }
    return false;
}

/* A signal mask from status ("0000000000004a02") as names: "HUP, PIPE, ..." or "none" */
static void signal_names(const char *hex, struct buf *out)
{
    unsigned long long mask = strtoull(hex, NULL, 16);
    size_t at = out->len;
    for (int sig = 1; sig <= 64; sig++) {
        if (!(mask >> (sig - 1) & 1))
            continue;
        const char *name = signal_name(sig);
        if (name)
            buf_printf(out, "%s%s", out->len > at ? ", " : "", name);
        else
            buf_printf(out, "%s%d", out->len > at ? ", " : "", sig);
    }
    if (out->len == at)
        buf_puts(out, "none");
}

static const char *state_words(char st)
{
    switch (st) {
    case 'R': return "running, or ready to run on a CPU";
    case 'S': return "sleeping until something it waits for happens; a signal wakes it";
    case 'D': return "in uninterruptible sleep, waiting on I/O in the kernel: signals, even SIGKILL, wait until it returns";
    case 'T': return "stopped by a signal (SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU); SIGCONT resumes it";
    case 't': return "stopped by its tracer (a debugger or strace)";
    case 'Z': return "a zombie: it has exited, and its parent has not collected its status with wait() yet";
    case 'X': return "dead, being removed";
    case 'I': return "an idle kernel thread";
    case 'P': return "parked (a kernel thread)";
    default: return "in a state this oya does not know";
    }
}

/* The exit status a zombie left, from the last field of /proc/PID/stat (the wait status) */
static bool zombie_exit(int procfd, int pid, int *code, int *sig)
{
    char path[32], text[1024];
    snprintf(path, sizeof(path), "%d/stat", pid);
    if (file_read_at(procfd, path, text, sizeof(text)) <= 0)
        return false;
    const char *last = strrchr(str_strip(text), ' ');
    if (!last)
        return false;
    int status = atoi(last + 1);
    *code = (status >> 8) & 0xff;
    *sig = status & 0x7f;
    return true;
}

struct service_of {
    char name[128];
    bool main;
};

/* Which service of the running oya holds pid (its status lists every service's processes) */
static bool owner_service(struct cli *c, int pid, struct service_of *out, int *oya_pid)
{
    char *fields[] = {"status"};
    struct ctl_reply rep;
    struct buf err = {0};
    int r = ctl_call_default(c->socket, c->socket_private, fields, 1, &rep, &err);
    buf_free(&err);
    if (r < 0 || !rep.ok) {
        if (r == 0)
            ctl_reply_free(&rep);
        return false;
    }
    bool found = false;
    for (size_t i = 0; i < rep.n; i++) {
        const struct ctl_record *rec = &rep.recs[i];
        if (!strcmp(rec->type, "oya"))
            *oya_pid = (int)ctl_get_ll(rec, "pid", 0);
        const char *pids = ctl_get(rec, "pids");
        if (found || !pids || strcmp(rec->type, "service") != 0)
            continue;
        for (const char *p = pids; *p;) {
            if (atoi(p) == pid) {
                snprintf(out->name, sizeof(out->name), "%s", ctl_get(rec, "name"));
                out->main = ctl_get_ll(rec, "main_pid", 0) == pid;
                found = true;
                break;
            }
            p += strcspn(p, " ");
            p += strspn(p, " ");
        }
    }
    ctl_reply_free(&rep);
    return found;
}

static long count_fds(int procfd, int pid)
{
    char path[32];
    snprintf(path, sizeof(path), "%d/fd", pid);
    int fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    long n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* The lines of /proc/PID/limits that differ from PID 1's */
static void limits_differing(int procfd, int pid, struct buf *out)
{
    char mine[4096], init[4096], path[32];
    snprintf(path, sizeof(path), "%d/limits", pid);
    if (file_read_at(procfd, path, mine, sizeof(mine)) <= 0 || file_read_at(procfd, "1/limits", init, sizeof(init)) <= 0)
        return;
    for (char *line = strchr(mine, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        char *end = strchr(line + 1, '\n');
        size_t n = end ? (size_t)(end - line - 1) : strlen(line + 1);
        char *one = xstrndup(line + 1, n);
        if (!strstr(init, one))
            buf_printf(out, "             %s\n", str_strip(one));
        free(one);
    }
}

static int usage(FILE *f, int code)
{
    fprintf(f, "usage: oya explain PID [--json]\n"
               "One process in plain words: what it is, its state and what that means, who will reap it, its\n"
               "ancestry, its oya service, its figures, signals and limits.\n");
    return code;
}

/* What explain tells of a process, gathered once, then written as text or JSON */
struct facts {
    struct proc_stat st;
    bool kthread, owned, is_main, zombie_known;
    char service[128], ns_pid[64], wchan[128], tracer[32], vol[32], invol[32];
    char *cmdline;          /* NULL: none (kernel thread, zombie) */
    char exe[4096];         /* "" when not readable */
    int exe_errno;
    int exit_code, exit_sig;
    int oya_pid;
    struct proc_stat chain[64];
    size_t nchain;
    long fds;               /* -1: not readable (fds_errno) */
    int fds_errno;
    char masks[3][32];      /* SigBlk, SigIgn, SigCgt as hex ("" when unreadable) */
    struct buf limits;      /* the lines of /proc/PID/limits that differ from PID 1's */
    uint64_t rss, started;  /* bytes; CLOCK_REALTIME usec (0: unknown) */
    long hz;
};

static void gather(struct cli *c, int procfd, int pid, struct facts *f)
{
    char status[8192] = "", path[64];
    snprintf(path, sizeof(path), "%d/status", pid);
    file_read_at(procfd, path, status, sizeof(status));
    f->kthread = f->st.flags & PF_KTHREAD;
    struct service_of svc = {0};
    f->owned = !f->kthread && owner_service(c, pid, &svc, &f->oya_pid);
    snprintf(f->service, sizeof(f->service), "%s", svc.name);
    f->is_main = svc.main;
    char v[512];
    if (status_field(status, "NSpid", v, sizeof(v)) && strchr(v, '\t'))
        snprintf(f->ns_pid, sizeof(f->ns_pid), "%s", strrchr(v, '\t') + 1);
    struct buf cmd = {0};
    if (!f->kthread && f->st.state != 'Z' && proc_read_cmdline_raw(procfd, pid, &cmd) > 0) {
        for (size_t i = 0; i < cmd.len; i++)
            if (!cmd.p[i])
                cmd.p[i] = ' ';
        f->cmdline = buf_steal(&cmd);
    }
    buf_free(&cmd);
    snprintf(path, sizeof(path), "/proc/%d/exe", pid);
    ssize_t en = f->kthread ? -1 : readlink(path, f->exe, sizeof(f->exe) - 1);
    f->exe_errno = en < 0 ? errno : 0;
    f->exe[en > 0 ? en : 0] = 0;
    proc_read_wchan(procfd, pid, f->wchan, sizeof(f->wchan));
    if (f->st.state == 't')
        status_field(status, "TracerPid", f->tracer, sizeof(f->tracer));
    if (f->st.state == 'Z')
        f->zombie_known = zombie_exit(procfd, pid, &f->exit_code, &f->exit_sig);
    struct proc_stat a = f->st;
    for (f->nchain = 0; f->nchain < ARRAY_SIZE(f->chain);) {
        f->chain[f->nchain++] = a;
        if (a.ppid <= 0 || proc_read_stat(procfd, a.ppid, &a) < 0)
            break;
    }
    f->hz = proc_clock_ticks();
    proc_read_rss(procfd, pid, &f->rss);
    snprintf(f->vol, sizeof(f->vol), "?");
    snprintf(f->invol, sizeof(f->invol), "?");
    status_field(status, "voluntary_ctxt_switches", f->vol, sizeof(f->vol));
    status_field(status, "nonvoluntary_ctxt_switches", f->invol, sizeof(f->invol));
    f->fds = count_fds(procfd, pid);
    f->fds_errno = f->fds < 0 ? errno : 0;
    static const char *const keys[3] = {"SigBlk", "SigIgn", "SigCgt"};
    for (int i = 0; i < 3; i++)
        status_field(status, keys[i], f->masks[i], sizeof(f->masks[i]));
    if (!f->kthread)
        limits_differing(procfd, pid, &f->limits);
    struct proc_sys sys;
    if (proc_read_sys(procfd, &sys) == 0)
        f->started = (sys.boot_time * (uint64_t)f->hz + f->st.starttime) * USEC_PER_SEC / (uint64_t)f->hz;
}

static bool classic_daemon(const struct facts *f)
{
    const struct proc_stat *st = &f->st;
    return !f->kthread && !st->tty_nr && st->session == st->pid && (st->ppid == 1 || (f->oya_pid && st->ppid == f->oya_pid));
}

static void write_text(const struct facts *f, struct buf *out)
{
    const struct proc_stat *st = &f->st;
    int pid = st->pid;
    buf_printf(out, "PID %d (%s)%s%s%s%s\n", pid, st->comm, f->kthread ? ", a kernel thread" : "",
               f->owned ? ", of the oya service " : "", f->owned ? f->service : "",
               f->owned ? (f->is_main ? " (its main process)" : " (one of its processes)") : "");
    if (f->ns_pid[0])
        buf_printf(out, "  PID in its own namespace: %s\n", f->ns_pid);
    if (f->cmdline)
        buf_printf(out, "  Command:   %s\n", f->cmdline);
    if (f->exe[0])
        buf_printf(out, "  Program:   %s%s\n", f->exe,
                   str_endswith(f->exe, " (deleted)") ? ": the file was deleted or replaced since it started" : "");
    else if (!f->kthread && st->state != 'Z')
        buf_printf(out, "  Program:   not readable here (%s)\n", strerror(f->exe_errno));
    buf_printf(out, "  State:     %c: %s", st->state, state_words(st->state));
    if ((st->state == 'S' || st->state == 'D') && f->wchan[0])
        buf_printf(out, " (in the kernel at %s)", f->wchan);
    buf_putc(out, '\n');
    if (f->tracer[0])
        buf_printf(out, "             traced by PID %s\n", f->tracer);
    if (st->state == 'Z') {
        if (f->zombie_known) {
            buf_printf(out, "             it %s; PID %d (its parent) has to collect that with wait()\n",
                       f->exit_sig ? "was killed by a signal" : "exited", st->ppid);
            if (f->exit_sig)
                buf_printf(out, "             signal %d (SIG%s)\n", f->exit_sig,
                           signal_name(f->exit_sig) ? signal_name(f->exit_sig) : "?");
            else
                buf_printf(out, "             exit status %d\n", f->exit_code);
        }
        buf_printf(out, "             if PID %d exits without doing so, the zombie is handed to the nearest child "
                        "subreaper among its ancestors%s, else to PID 1 of its namespace, and reaped there\n",
                   st->ppid, f->oya_pid ? " (oya is one)" : "");
    }
    buf_printf(out, "  Threads:   %ld\n  Ancestry: ", st->num_threads);
    for (size_t i = 0; i < f->nchain; i++)
        buf_printf(out, "%s %d %s%s%s", i ? " <-" : "", f->chain[i].pid, f->chain[i].comm,
                   f->chain[i].pid == f->oya_pid ? " [oya: a subreaper]" : "",
                   f->chain[i].session == f->chain[i].pid ? " [session leader]" : "");
    buf_printf(out, "\n  Session:   %d%s; process group %d%s; %s\n", st->session, st->session == pid ? " (it leads it)" : "",
               st->pgrp, st->pgrp == pid ? " (it leads it)" : "",
               st->tty_nr ? "a controlling terminal" : "no controlling terminal");
    if (classic_daemon(f))
        buf_printf(out, "             a daemon by the classic definition: its own session, no terminal, and %s for "
                        "a parent (it forked away from whoever started it)\n",
                   st->ppid == 1 ? "PID 1" : "oya, a subreaper,");
    char cpu[64], mem[32];
    fmt_timespan(cpu, sizeof(cpu), (st->utime + st->stime) * USEC_PER_SEC / (uint64_t)f->hz, USEC_PER_MSEC);
    fmt_bytes(mem, sizeof(mem), f->rss);
    buf_printf(out, "  CPU:       %s (user %.2fs, system %.2fs)\n  Memory:    %s resident\n", cpu,
               (double)st->utime / (double)f->hz, (double)st->stime / (double)f->hz, mem);
    buf_printf(out, "  Switches:  %s voluntary (it waited), %s involuntary (it was preempted)\n", f->vol, f->invol);
    if (f->fds >= 0)
        buf_printf(out, "  Open fds:  %ld\n", f->fds);
    else if (!f->kthread && st->state != 'Z')
        buf_printf(out, "  Open fds:  not readable here (%s)\n", strerror(f->fds_errno));
    static const char *const what[3] = {"blocked", "ignored", "caught"};
    for (int i = 0; i < 3; i++) {
        if (!f->masks[i][0])
            continue;
        buf_printf(out, "  Signals %s: ", what[i]);
        signal_names(f->masks[i], out);
        buf_putc(out, '\n');
    }
    if (f->limits.len)
        buf_printf(out, "  Limits that differ from PID 1's:\n%s", f->limits.p);
    if (f->started) {
        char ts[64], rel[64];
        fmt_timestamp(ts, sizeof(ts), f->started);
        fmt_relative(rel, sizeof(rel), f->started, clock_real_usec());
        buf_printf(out, "  Started:   %s; %s\n", ts, rel);
    }
}

static void json_str(struct buf *out, const char *key, const char *v)
{
    buf_printf(out, ",\"%s\":", key);
    json_quote(out, v ? v : "");
}

static void write_json(const struct facts *f, struct buf *out)
{
    const struct proc_stat *st = &f->st;
    char state[2] = {st->state, 0};
    buf_printf(out, "{\"pid\":%d", st->pid);
    json_str(out, "comm", st->comm);
    buf_printf(out, ",\"kernel_thread\":%s", f->kthread ? "true" : "false");
    buf_puts(out, ",\"service\":");
    if (f->owned)
        json_quote(out, f->service);
    else
        buf_puts(out, "null");
    buf_printf(out, ",\"main_process\":%s", f->is_main ? "true" : "false");
    buf_printf(out, ",\"pid_in_namespace\":%s", f->ns_pid[0] ? f->ns_pid : "null");
    json_str(out, "command", f->cmdline);
    json_str(out, "program", f->exe);
    if (!f->exe[0] && f->exe_errno)
        json_str(out, "program_unreadable", strerror(f->exe_errno));
    json_str(out, "state", state);
    json_str(out, "state_meaning", state_words(st->state));
    json_str(out, "wchan", f->wchan);
    buf_printf(out, ",\"tracer_pid\":%d", atoi(f->tracer));
    if (st->state == 'Z' && f->zombie_known)
        buf_printf(out, ",\"exit_status\":%d,\"exit_signal\":%d", f->exit_code, f->exit_sig);
    if (st->state == 'Z')
        buf_printf(out, ",\"reaper\":%d", st->ppid);
    buf_printf(out, ",\"ppid\":%d,\"threads\":%ld,\"ancestry\":[", st->ppid, st->num_threads);
    for (size_t i = 0; i < f->nchain; i++) {
        buf_printf(out, "%s{\"pid\":%d,\"comm\":", i ? "," : "", f->chain[i].pid);
        json_quote(out, f->chain[i].comm);
        buf_printf(out, ",\"session_leader\":%s,\"oya\":%s}", f->chain[i].session == f->chain[i].pid ? "true" : "false",
                   f->chain[i].pid == f->oya_pid ? "true" : "false");
    }
    buf_printf(out, "],\"session\":%d,\"pgrp\":%d,\"tty\":%s,\"classic_daemon\":%s", st->session, st->pgrp,
               st->tty_nr ? "true" : "false", classic_daemon(f) ? "true" : "false");
    buf_printf(out, ",\"cpu_user_usec\":%llu,\"cpu_system_usec\":%llu,\"rss_bytes\":%llu",
               (unsigned long long)(st->utime * USEC_PER_SEC / (uint64_t)f->hz),
               (unsigned long long)(st->stime * USEC_PER_SEC / (uint64_t)f->hz), (unsigned long long)f->rss);
    buf_printf(out, ",\"voluntary_switches\":%s,\"involuntary_switches\":%s", f->vol[0] != '?' ? f->vol : "null",
               f->invol[0] != '?' ? f->invol : "null");
    if (f->fds >= 0)
        buf_printf(out, ",\"open_fds\":%ld", f->fds);
    else
        buf_printf(out, ",\"open_fds\":null,\"open_fds_unreadable\":\"%s\"", strerror(f->fds_errno));
    static const char *const what[3] = {"signals_blocked", "signals_ignored", "signals_caught"};
    for (int i = 0; i < 3; i++) {
        buf_printf(out, ",\"%s\":", what[i]);
        if (!f->masks[i][0]) {
            buf_puts(out, "null");
            continue;
        }
        unsigned long long mask = strtoull(f->masks[i], NULL, 16);
        buf_putc(out, '[');
        for (int sig = 1, n = 0; sig <= 64; sig++) {
            if (!(mask >> (sig - 1) & 1))
                continue;
            if (signal_name(sig))
                buf_printf(out, "%s\"%s\"", n++ ? "," : "", signal_name(sig));
            else
                buf_printf(out, "%s\"%d\"", n++ ? "," : "", sig);
        }
        buf_putc(out, ']');
    }
    buf_puts(out, ",\"limits_differing\":[");
    for (const char *l = f->limits.p, *end; l && *l; l = *end ? end + 1 : end) {
        end = l + strcspn(l, "\n");
        const char *b = l + strspn(l, " ");
        char *one = xstrndup(b, (size_t)(end - b));
        buf_puts(out, l == f->limits.p ? "" : ",");
        json_quote(out, one);
        free(one);
    }
    buf_putc(out, ']');
    buf_printf(out, ",\"started_usec\":%llu}\n", (unsigned long long)f->started);
}

int cli_explain(struct cli *c, int argc, char **argv)
{
    bool json = false;
    const char *arg = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return usage(stdout, 0);
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (!arg)
            arg = argv[i];
        else
            return usage(stderr, 2);
    }
    int pid;
    if (!arg)
        return usage(stderr, 2);
    if (!str_to_int(arg, &pid) || pid <= 0) {
        fprintf(stderr, "oya explain: %s is not a PID\n", arg);
        return 2;
    }
    int procfd = proc_open_root();
    struct facts f = {0};
    if (procfd < 0 || proc_read_stat(procfd, pid, &f.st) < 0) {
        fprintf(stderr, "oya explain: no process %d\n", pid);
        if (procfd >= 0)
            close(procfd);
        return 1;
    }
    gather(c, procfd, pid, &f);
    struct buf out = {0};
    if (json)
        write_json(&f, &out);
    else
        write_text(&f, &out);
    fd_write_all(1, out.p, out.len);
    buf_free(&out);
    free(f.cmdline);
    buf_free(&f.limits);
    close(procfd);
    return 0;
}
