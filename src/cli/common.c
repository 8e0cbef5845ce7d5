/* cli/common: helpers several subcommands share: calling the supervisor, exit texts, state dots,
 * and the process facts and tree that `oya status` shows. */
#include "cli.h"

#include "../proc/proc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int cli_call(struct cli *c, char *const *fields, size_t n, struct ctl_reply *rep)
{
    struct buf err = {0};
    int r = ctl_call_default(c->socket, c->socket_private, fields, n, rep, &err);
    return cli_reply_check(r, &err, rep);
}

int cli_reply_check(int r, struct buf *err, struct ctl_reply *rep)
{
    if (r < 0) {
        fprintf(stderr, "oya: %s\n", err->p ? err->p : "the supervisor sent an incomplete reply");
        buf_free(err);
        ctl_reply_free(rep);
        return 1;
    }
    buf_free(err);
    if (!rep->ok) {
        fprintf(stderr, "oya: %s\n", rep->error ? rep->error : "the supervisor refused the request");
        r = strstr(rep->error ? rep->error : "", "no such service") ? 4 : 1;
        ctl_reply_free(rep);
        return r;
    }
    return 0;
}

void cli_log_dir_default(char *out, size_t size)
{
    const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    if (geteuid() == 0)
        snprintf(out, size, "/var/log/oya");
    else if (state && state[0] == '/')
        snprintf(out, size, "%s/oya/log", state);
    else if (home && home[0] == '/')
        snprintf(out, size, "%s/.local/state/oya/log", home);
    else
        out[0] = 0; /* no home of its own: memory only, never a shared place such as /tmp */
}

void cli_exit_text(const struct ctl_record *r, char *out, size_t size)
{
    exit_text(out, size, (int)ctl_get_ll(r, "exit_code", 0), (int)ctl_get_ll(r, "exit_status", 0));
}

const char *cli_dot(const struct cli *c, const char *active)
{
    if (strcmp(active, "active") == 0)
        return c->color ? "\033[0;1;32m●\033[0m" : "●";
    if (strcmp(active, "failed") == 0)
        return c->color ? "\033[0;1;31m×\033[0m" : "×";
    if (strcmp(active, "inactive") == 0)
        return "○";
    return c->color ? "\033[0;1;33m●\033[0m" : "●";
}

const char *cli_color_end(const struct cli *c)
{
    return c->color ? "\033[0m" : "";
}

void cli_procs_read(struct cli_procs *p, const char *pid_list)
{
    memset(p, 0, sizeof(*p));
    int procfd = proc_open_root();
    if (procfd < 0 || !pid_list)
        goto out;
    size_t cap = 0;
    for (const char *q = pid_list; *q;) {
        char *end;
        long pid = strtol(q, &end, 10);
        if (end == q)
            break;
        q = end;
        while (*q == ' ')
            q++;
        struct proc_stat st;
        if (proc_read_stat(procfd, (int)pid, &st) < 0)
            continue; /* exited since the supervisor listed it */
        if (p->n == cap) {
            cap = cap ? cap * 2 : 16;
            p->pids = xrealloc(p->pids, cap * sizeof(int));
            p->ppids = xrealloc(p->ppids, cap * sizeof(int));
            p->cmdlines = xrealloc(p->cmdlines, cap * sizeof(char *));
        }
        char cmd[4096];
        if (proc_read_cmdline(procfd, (int)pid, cmd, sizeof(cmd)) <= 0)
            snprintf(cmd, sizeof(cmd), "[%s]", st.comm); /* zombie or kernel thread: no cmdline */
        if (p->n == 0)
            snprintf(p->comm, sizeof(p->comm), "%s", st.comm);
        p->pids[p->n] = st.pid;
        p->ppids[p->n] = st.ppid;
        p->cmdlines[p->n] = xstrdup(cmd);
        p->n++;
        p->tasks += st.num_threads;
        uint64_t rss;
        p->memory += proc_read_rss(procfd, (int)pid, &rss) == 0 ? rss : st.rss * (uint64_t)proc_page_size();
        p->cpu += (st.utime + st.stime) * USEC_PER_SEC / (uint64_t)proc_clock_ticks();
    }
out:
    if (procfd >= 0)
        close(procfd);
}

void cli_procs_free(struct cli_procs *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->cmdlines[i]);
    free(p->pids);
    free(p->ppids);
    free(p->cmdlines);
    memset(p, 0, sizeof(*p));
}

static bool has_pid(const struct cli_procs *p, int pid)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->pids[i] == pid)
            return true;
    return false;
}

/* Control characters in a command line are shown C-escaped ("\n"), as systemd does, so one process
 * is always one line. */
static void put_escaped(struct buf *out, const char *s)
{
    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        if (*q == '\n')
            buf_puts(out, "\\n");
        else if (*q == '\t')
            buf_puts(out, "\\t");
        else if (*q < 0x20 || *q == 0x7f)
            buf_printf(out, "\\x%02x", *q);
        else
            buf_putc(out, (char)*q);
    }
}

static void tree_node(const struct cli *c, const struct cli_procs *p, size_t i, struct buf *prefix, bool last,
                      const char *lead, struct buf *out)
{
    size_t start = out->len;
    buf_printf(out, "%s%s%s%d ", lead, prefix->p ? prefix->p : "", last ? "└─" : "├─", p->pids[i]);
    put_escaped(out, p->cmdlines[i]);
    if (c->columns > 0) {
        /* cut to the terminal width, counting UTF-8 characters, as systemd ellipsizes */
        size_t chars = 0, cut = 0;
        for (size_t k = start; k < out->len; k++) {
            if (((unsigned char)out->p[k] & 0xc0) != 0x80)
                chars++;
            if (chars == (size_t)c->columns) {
                cut = k;
                break;
            }
        }
        if (cut) {
            out->len = cut;
            buf_puts(out, "…");
        }
    }
    buf_putc(out, '\n');
    size_t saved = prefix->len;
    buf_puts(prefix, last ? "  " : "│ ");
    size_t lastchild = (size_t)-1;
    for (size_t k = 0; k < p->n; k++)
        if (p->ppids[k] == p->pids[i] && k != i)
            lastchild = k;
    for (size_t k = 0; k < p->n; k++)
        if (p->ppids[k] == p->pids[i] && k != i)
            tree_node(c, p, k, prefix, k == lastchild, lead, out);
    prefix->len = saved;
    if (prefix->p)
        prefix->p[saved] = 0;
}

void cli_procs_tree(const struct cli *c, const struct cli_procs *p, const char *lead, struct buf *out)
{
    /* roots: processes whose parent is not in the set; pids come sorted, so the order is by PID */
    size_t lastroot = (size_t)-1;
    for (size_t i = 0; i < p->n; i++)
        if (!has_pid(p, p->ppids[i]))
            lastroot = i;
    struct buf prefix = {0};
    for (size_t i = 0; i < p->n; i++)
        if (!has_pid(p, p->ppids[i]))
            tree_node(c, p, i, &prefix, i == lastroot, lead, out);
    buf_free(&prefix);
}
