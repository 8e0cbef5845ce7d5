/* sup/previous: what an oya that was killed (SIGKILL, a crash, OOM) left running. Every start of a
 * service is noted in SOCKET.invocations (its INVOCATION_ID and name, one line, appended); a clean exit
 * removes the file. An oya that starts on the same socket and finds the file stops every process that
 * still carries one of those INVOCATION_IDs (each service's KillSignal=, SIGKILL after 5 s) before
 * starting the services afresh, and says so: no service runs twice. A process that cleared its
 * environment cannot be told apart and is not touched.
 *
 * The file lives beside the control socket and is believed only if it is oya's user's own, mode 0600,
 * a regular file reached without a symlink: a planted file could otherwise name processes to kill. Even
 * then only processes carrying a recorded 128-bit INVOCATION_ID are signalled. */
#include "sup_int.h"

#include "../exec/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREVIOUS_GRACE (5 * USEC_PER_SEC)
#define INVOCATIONS_COMPACT (1u << 20) /* rewritten with the current invocations past this size */

/* SOCKET.invocations (socket_path is at most 255 bytes: it fits) */
static void invocations_path(const struct sup *s, char path[static 300])
{
    snprintf(path, 300, "%s.invocations", s->socket_path);
}

/* The file's text, if it can be trusted (see the header); NULL otherwise (said when it is there). */
static char *read_trusted(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT)
            fprintf(stderr, "oya: %s: %s; not used\n", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    struct buf b = {0};
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) ||
        st.st_size > 16 * (off_t)INVOCATIONS_COMPACT) {
        fprintf(stderr, "oya: %s is not a regular file of uid %u with mode 0600; not used\n", path,
                (unsigned)geteuid());
    } else if (fd_read_to_buf(fd, &b) < 0) {
        buf_free(&b);
    }
    close(fd);
    return b.p;
}

struct left {
    struct proc_stat p;
    int sig;
    char *name;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The processes that carry one of the recorded invocations, with the signal that stops each */
static size_t find_left(struct sup *s, char *text, struct left **out)
{
    struct strv inv = {0};
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *sp = strchr(line, ' ');
        if (!sp || sp - line != 32)
            continue;
        *sp = 0;
        strv_push(&inv, xasprintf("%s %s", line, sp + 1)); /* sorted by the ID, the name after it */
    }
    qsort(inv.v, inv.n, sizeof(char *), cmp_str);
    size_t n = 0;
    *out = NULL;
    struct proc_snapshot snap;
    if (inv.n && proc_snapshot_read(s->procfd, &snap) == 0) {
        *out = xcalloc(snap.n ? snap.n : 1, sizeof(**out));
        for (size_t i = 0; i < snap.n; i++) {
            char id[64];
            if (snap.procs[i].pid == s->self_pid ||
                proc_environ_get(s->procfd, snap.procs[i].pid, "INVOCATION_ID", id, sizeof(id)) < 0 ||
                strlen(id) != 32)
                continue;
            /* the sorted lines start with the ID: find the first line >= id, then compare the prefix */
            size_t lo = 0, hi = inv.n;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (strncmp(inv.v[mid], id, 32) < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo == inv.n || strncmp(inv.v[lo], id, 32) != 0)
                continue;
            const char *name = inv.v[lo] + 33;
            struct service *svc = sup_find(s, name);
            (*out)[n++] = (struct left){snap.procs[i], svc ? svc->unit->kill_signal : SIGTERM, xstrdup(name)};
        }
        proc_snapshot_free(&snap);
    }
    strv_clear(&inv);
    return n;
}

/* Signal what is left and wait (at most PREVIOUS_GRACE, on pidfds) for it to go; then SIGKILL. */
static void stop_left(struct sup *s, struct left *l, size_t n)
{
    int *fds = xcalloc(n, sizeof(int));
    for (size_t i = 0; i < n; i++) {
        fds[i] = sup_pidfd_seen(s, &l[i].p);
        if (fds[i] >= 0) {
            exec_signal(fds[i], l[i].p.pid, l[i].sig);
            exec_signal(fds[i], l[i].p.pid, SIGCONT);
        }
    }
    uint64_t deadline = clock_mono_usec() + PREVIOUS_GRACE;
    for (size_t i = 0; i < n; i++) {
        while (fds[i] >= 0) {
            uint64_t now = clock_mono_usec();
            if (now >= deadline) {
                exec_signal(fds[i], l[i].p.pid, SIGKILL);
                deadline = 0; /* the rest get SIGKILL at once too */
            }
            struct pollfd p = {.fd = fds[i], .events = POLLIN};
            int r = poll(&p, 1, now >= deadline ? 1000 : (int)((deadline - now) / USEC_PER_MSEC) + 1);
            if (r != 0 || deadline == 0)
                break;
        }
        if (fds[i] >= 0)
            close(fds[i]);
    }
    free(fds);
}

void sup_previous_stop(struct sup *s)
{
    if (!s->socket_path[0])
        return;
    char path[300];
    invocations_path(s, path);
    char *text = read_trusted(path);
    if (text) {
        struct left *l;
        size_t n = find_left(s, text, &l);
        if (n) {
            struct buf names = {0};
            for (size_t i = 0; i < n; i++)
                if (!strstr(names.p ? names.p : "", l[i].name))
                    buf_printf(&names, "%s%s", names.len ? ", " : "", l[i].name);
            fprintf(stderr, "oya: the previous oya on %s did not stop its services: %zu process%s of %s still "
                            "ran; stopping them before starting afresh (SIGKILL after %llus)\n",
                    s->socket_path, n, n == 1 ? "" : "es", names.p,
                    (unsigned long long)(PREVIOUS_GRACE / USEC_PER_SEC));
            buf_free(&names);
            stop_left(s, l, n);
        }
        for (size_t i = 0; i < n; i++)
            free(l[i].name);
        free(l);
        free(text);
    }
    /* a fresh record for this oya */
    unlink(path);
    s->inv_fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (s->inv_fd < 0)
        fprintf(stderr, "oya: %s: %s; a later oya could not stop what this one leaves if it is killed\n", path,
                strerror(errno));
}

/* one line "INVOCATION NAME" (written as one: no memory needed, and the file never holds half a line) */
static void record_line(struct sup *s, const struct service *svc)
{
    char line[400];
    int n = svc->invocation[0] ? snprintf(line, sizeof(line), "%s %s\n", svc->invocation, svc->unit->name) : 0;
    if (n > 0 && n < (int)sizeof(line) && s->inv_fd >= 0 && fd_write_all(s->inv_fd, line, (size_t)n) < 0)
        fd_close(&s->inv_fd);
}

void sup_previous_record(struct sup *s, const struct service *svc)
{
    if (s->inv_fd < 0)
        return;
    struct stat st;
    if (fstat(s->inv_fd, &st) == 0 && st.st_size > (off_t)INVOCATIONS_COMPACT) {
        /* a crash loop appends a line per start: keep only the invocations that can still have processes */
        if (ftruncate(s->inv_fd, 0) == 0)
            for (size_t i = 0; i < s->nsvcs; i++)
                record_line(s, s->svcs[i]);
    } else {
        record_line(s, svc);
    }
}

void sup_previous_done(struct sup *s)
{
    if (s->inv_fd < 0)
        return;
    fd_close(&s->inv_fd);
    char path[300];
    invocations_path(s, path);
    unlink(path); /* every service stopped: nothing is left to find */
}
