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
    fprintf(f, "usage: oya explain PID\n"
               "One process in plain words: what it is, its state and what that means, who will reap it, its\n"
               "ancestry, its oya service, its figures, signals and limits.\n");
    return code;
}

int cli_explain(struct cli *c, int argc, char **argv)
{
    if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
        return usage(argc == 2 ? stdout : stderr, argc == 2 ? 0 : 2);
    int pid;
    if (!str_to_int(argv[1], &pid) || pid <= 0) {
        fprintf(stderr, "oya explain: %s is not a PID\n", argv[1]);
        return 2;
    }
    int procfd = proc_open_root();
    struct proc_stat st;
    if (procfd < 0 || proc_read_stat(procfd, pid, &st) < 0) {
        fprintf(stderr, "oya explain: no process %d\n", pid);
        if (procfd >= 0)
            close(procfd);
        return 1;
    }
    struct buf out = {0};
    char status[8192] = "", path[64], v[512];
    snprintf(path, sizeof(path), "%d/status", pid);
    file_read_at(procfd, path, status, sizeof(status));
    bool kthread = st.flags & PF_KTHREAD;
    struct service_of svc = {0};
    int oya_pid = 0;
    bool owned = !kthread && owner_service(c, pid, &svc, &oya_pid);
    buf_printf(&out, "PID %d (%s)%s%s%s%s\n", pid, st.comm, kthread ? ", a kernel thread" : "",
               owned ? ", of the oya service " : "", owned ? svc.name : "",
               owned ? (svc.main ? " (its main process)" : " (one of its processes)") : "");
    if (status_field(status, "NSpid", v, sizeof(v)) && strchr(v, '\t'))
        buf_printf(&out, "  PID in its own namespace: %s\n", strrchr(v, '\t') + 1);
    struct buf cmd = {0};
    if (!kthread && st.state != 'Z' && proc_read_cmdline_raw(procfd, pid, &cmd) > 0) {
        for (size_t i = 0; i < cmd.len; i++)
            if (!cmd.p[i])
                cmd.p[i] = ' ';
        buf_printf(&out, "  Command:   %s\n", cmd.p);
    }
    buf_free(&cmd);
    char exe[4096];
    snprintf(path, sizeof(path), "/proc/%d/exe", pid);
    ssize_t en = kthread ? -1 : readlink(path, exe, sizeof(exe) - 1);
    if (en > 0) {
        exe[en] = 0;
        bool deleted = str_endswith(exe, " (deleted)");
        buf_printf(&out, "  Program:   %s%s\n", exe, deleted ? ": the file was deleted or replaced since it started" : "");
    } else if (!kthread && st.state != 'Z') {
        buf_printf(&out, "  Program:   not readable here (%s)\n", strerror(errno));
    }
    /* the state, and what it means */
    char wchan[128] = "";
    proc_read_wchan(procfd, pid, wchan, sizeof(wchan));
    buf_printf(&out, "  State:     %c: %s", st.state, state_words(st.state));
    if ((st.state == 'S' || st.state == 'D') && wchan[0])
        buf_printf(&out, " (in the kernel at %s)", wchan);
    buf_putc(&out, '\n');
    if (st.state == 't' && status_field(status, "TracerPid", v, sizeof(v)))
        buf_printf(&out, "             traced by PID %s\n", v);
    if (st.state == 'Z') {
        int code, sig;
        if (zombie_exit(procfd, pid, &code, &sig))
            buf_printf(&out, "             it %s; PID %d (its parent) has to collect that with wait()\n",
                       sig ? "was killed by a signal" : "exited", st.ppid);
        if (sig)
            buf_printf(&out, "             signal %d (SIG%s)\n", sig, signal_name(sig) ? signal_name(sig) : "?");
        else if (zombie_exit(procfd, pid, &code, &sig))
            buf_printf(&out, "             exit status %d\n", code);
        buf_printf(&out, "             if PID %d exits without doing so, the zombie is handed to the nearest child "
                         "subreaper among its ancestors%s, else to PID 1 of its namespace, and reaped there\n",
                   st.ppid, oya_pid ? " (oya is one)" : "");
    }
    buf_printf(&out, "  Threads:   %ld\n", st.num_threads);
    /* ancestry */
    buf_puts(&out, "  Ancestry: ");
    struct proc_stat a = st;
    for (int depth = 0; depth < 64; depth++) {
        buf_printf(&out, " %d %s", a.pid, a.comm);
        if (a.pid == oya_pid)
            buf_puts(&out, " [oya: a subreaper]");
        if (a.session == a.pid)
            buf_puts(&out, " [session leader]");
        if (a.ppid <= 0 || proc_read_stat(procfd, a.ppid, &a) < 0)
            break;
        buf_puts(&out, " <-");
    }
    buf_putc(&out, '\n');
    buf_printf(&out, "  Session:   %d%s; process group %d%s; %s\n", st.session, st.session == pid ? " (it leads it)" : "",
               st.pgrp, st.pgrp == pid ? " (it leads it)" : "",
               st.tty_nr ? "a controlling terminal" : "no controlling terminal");
    if (!kthread && !st.tty_nr && st.session == pid && (st.ppid == 1 || (oya_pid && st.ppid == oya_pid)))
        buf_printf(&out, "             a daemon by the classic definition: its own session, no terminal, and %s for "
                         "a parent (it forked away from whoever started it)\n",
                   st.ppid == 1 ? "PID 1" : "oya, a subreaper,");
    /* figures */
    long hz = proc_clock_ticks();
    char cpu[64], mem[32];
    fmt_timespan(cpu, sizeof(cpu), (st.utime + st.stime) * USEC_PER_SEC / (uint64_t)hz, USEC_PER_MSEC);
    uint64_t rss = 0;
    proc_read_rss(procfd, pid, &rss);
    fmt_bytes(mem, sizeof(mem), rss);
    buf_printf(&out, "  CPU:       %s (user %.2fs, system %.2fs)\n  Memory:    %s resident\n", cpu,
               (double)st.utime / (double)hz, (double)st.stime / (double)hz, mem);
    char vol[32] = "?", invol[32] = "?";
    status_field(status, "voluntary_ctxt_switches", vol, sizeof(vol));
    status_field(status, "nonvoluntary_ctxt_switches", invol, sizeof(invol));
    buf_printf(&out, "  Switches:  %s voluntary (it waited), %s involuntary (it was preempted)\n", vol, invol);
    long fds = count_fds(procfd, pid);
    if (fds >= 0)
        buf_printf(&out, "  Open fds:  %ld\n", fds);
    else if (!kthread && st.state != 'Z')
        buf_printf(&out, "  Open fds:  not readable here (%s)\n", strerror(errno));
    static const struct {
        const char *key, *what;
    } masks[] = {{"SigBlk", "blocked"}, {"SigIgn", "ignored"}, {"SigCgt", "caught"}};
    for (size_t i = 0; i < ARRAY_SIZE(masks); i++) {
        if (!status_field(status, masks[i].key, v, sizeof(v)))
            continue;
        buf_printf(&out, "  Signals %s: ", masks[i].what);
        signal_names(v, &out);
        buf_putc(&out, '\n');
    }
    struct buf lim = {0};
    if (!kthread)
        limits_differing(procfd, pid, &lim);
    if (lim.len)
        buf_printf(&out, "  Limits that differ from PID 1's:\n%s", lim.p);
    buf_free(&lim);
    struct proc_sys sys;
    if (proc_read_sys(procfd, &sys) == 0) {
        uint64_t started = (sys.boot_time * (uint64_t)hz + st.starttime) * USEC_PER_SEC / (uint64_t)hz;
        char ts[64], rel[64];
        fmt_timestamp(ts, sizeof(ts), started);
        fmt_relative(rel, sizeof(rel), started, clock_real_usec());
        buf_printf(&out, "  Started:   %s; %s\n", ts, rel);
    }
    fd_write_all(1, out.p, out.len);
    buf_free(&out);
    close(procfd);
    return 0;
}
