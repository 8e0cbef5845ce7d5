/* proc: the one /proc reader shared by the supervisor, `oya status` and the inspection commands. */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#ifndef OYA_NO_THREADS
#include <pthread.h>
#endif
#include <unistd.h>

int proc_open_root(void)
{
    int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

/* The new mount API's numbers are the same on every architecture (Linux 5.2); older libcs lack them */
#ifndef SYS_fsopen
#define SYS_fsopen 430
#define SYS_fsconfig 431
#define SYS_fsmount 432
#endif
enum { OYA_FSOPEN_CLOEXEC = 1, OYA_FSCONFIG_CMD_CREATE = 6, OYA_FSMOUNT_CLOEXEC = 1 };
enum { OYA_MOUNT_ATTR_NOSUID = 0x2, OYA_MOUNT_ATTR_NODEV = 0x4, OYA_MOUNT_ATTR_NOEXEC = 0x8 };

/* Does the proc instance at fd show the caller's PID namespace ("self" names the caller's own PID) */
static bool proc_is_own(int fd)
{
    char link[32];
    ssize_t n = readlinkat(fd, "self", link, sizeof(link) - 1);
    if (n <= 0)
        return false;
    link[n] = 0;
    return atoi(link) == (int)getpid();
}

int proc_open_own_root(bool *own)
{
    int fd = proc_open_root();
    *own = fd >= 0 && proc_is_own(fd);
    if (*own)
        return fd;
    /* a private instance of this namespace, attached nowhere: nothing changes in the mount table */
    int fs = (int)syscall(SYS_fsopen, "proc", OYA_FSOPEN_CLOEXEC);
    if (fs < 0)
        return fd;
    int mnt = -1;
    if (syscall(SYS_fsconfig, fs, OYA_FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
        mnt = (int)syscall(SYS_fsmount, fs, OYA_FSMOUNT_CLOEXEC,
                           OYA_MOUNT_ATTR_NOSUID | OYA_MOUNT_ATTR_NODEV | OYA_MOUNT_ATTR_NOEXEC);
    close(fs);
    if (mnt < 0)
        return fd;
    if (!proc_is_own(mnt)) {
        close(mnt);
        return fd;
    }
    if (fd >= 0)
        close(fd);
    *own = true;
    return mnt;
}

/* Parse the next space-separated unsigned field; false on garbage. */
static bool next_u64(const char **pp, uint64_t *out)
{
    const char *p = *pp;
    while (*p == ' ')
        p++;
    bool neg = *p == '-';
    if (neg)
        p++;
    if (*p < '0' || *p > '9')
        return false;
    uint64_t v = 0;
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (uint64_t)(*p++ - '0');
    *out = neg ? 0 - v : v; /* unsigned: -9223372036854775808 and beyond wrap, never overflow */
    *pp = p;
    return true;
}

int proc_parse_stat(const char *text, struct proc_stat *out)
{
    memset(out, 0, sizeof(*out));
    const char *open_paren = strchr(text, '(');
    const char *close_paren = strrchr(text, ')');
    if (!open_paren || !close_paren || close_paren < open_paren)
        return -EINVAL;
    out->pid = atoi(text);
    size_t n = (size_t)(close_paren - open_paren - 1);
    if (n >= sizeof(out->comm))
        n = sizeof(out->comm) - 1;
    memcpy(out->comm, open_paren + 1, n);
    out->comm[n] = 0;
    const char *p = close_paren + 1;
    while (*p == ' ')
        p++;
    if (!*p)
        return -EINVAL;
    out->state = *p++;
    /* fields 4.. after the state, numbered as in proc(5) */
    uint64_t f[53] = {0};
    int got = 3;
    for (int i = 4; i <= 52; i++) {
        if (!next_u64(&p, &f[i]))
            break;
        got = i;
    }
    if (got < 24)
        return -EINVAL;
    out->ppid = (int)f[4];
    out->pgrp = (int)f[5];
    out->session = (int)f[6];
    out->tty_nr = (int)f[7];
    out->tpgid = (int)f[8];
    out->flags = (unsigned long)f[9];
    out->utime = f[14];
    out->stime = f[15];
    out->cutime = f[16];
    out->cstime = f[17];
    out->priority = (long)(int64_t)f[18];
    out->nice = (long)(int64_t)f[19];
    out->num_threads = (long)f[20];
    out->starttime = f[22];
    out->vsize = f[23];
    out->rss = f[24];
    out->rsslim = f[25];
    out->processor = (int)f[39];
    out->rt_priority = (int)f[40];
    out->policy = got >= 41 ? (int)f[41] : -1;
    out->minflt = f[10];
    out->cminflt = f[11];
    out->majflt = f[12];
    out->cmajflt = f[13];
    out->startcode = f[26];
    out->endcode = f[27];
    out->startstack = f[28];
    out->kstkesp = f[29];
    out->kstkeip = f[30];
    return 0;
}

int proc_list_tasks(int procfd, int pid, int **tids, size_t *n)
{
    char path[32];
    snprintf(path, sizeof(path), "%d/task", pid);
    *tids = NULL;
    *n = 0;
    int fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = -errno;
        close(fd);
        return e;
    }
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        *tids = xrealloc(*tids, (*n + 1) * sizeof(int));
        (*tids)[(*n)++] = atoi(e->d_name);
    }
    closedir(d);
    return 0;
}

int proc_read_stat_in(int procfd, const char *dir, struct proc_stat *out)
{
    char path[96], text[1024];
    snprintf(path, sizeof(path), "%s/stat", dir);
    ssize_t n = file_read_at(procfd, path, text, sizeof(text));
    if (n < 0)
        return (int)n;
    return proc_parse_stat(text, out);
}

int proc_read_stat(int procfd, int pid, struct proc_stat *out)
{
    char dir[16];
    snprintf(dir, sizeof(dir), "%d", pid);
    return proc_read_stat_in(procfd, dir, out);
}

static int cmp_pid(const void *a, const void *b)
{
    const struct proc_stat *x = a, *y = b;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int proc_list_pids(int procfd, int **pids, size_t *n)
{
    *pids = NULL;
    *n = 0;
    size_t cap = 0;
    int dfd = openat(procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -errno;
    char dents[32768];
    for (;;) {
        long got = syscall(SYS_getdents64, dfd, dents, sizeof(dents));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        for (long off = 0; off < got;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(dents + off);
            off += d->d_reclen;
            if (d->d_name[0] < '1' || d->d_name[0] > '9')
                continue;
            if (*n == cap) {
                int *more = mem_grow(*pids, cap ? cap * 2 : 512, sizeof(int));
                if (!more) {
                    close(dfd);
                    free(*pids);
                    *pids = NULL;
                    *n = 0;
                    return -ENOMEM;
                }
                *pids = more;
                cap = cap ? cap * 2 : 512;
            }
            (*pids)[(*n)++] = atoi(d->d_name);
        }
    }
    close(dfd);
    qsort(*pids, *n, sizeof(int), cmp_int);
    return 0;
}

#ifdef OYA_NO_THREADS
/* The static binary (what runs as PID 1 in images) has no threads at all: no thread code in it, and no
 * thread in a process that also forks with raw clone3 */
void proc_parallel(size_t n, void (*fn)(void *arg, size_t begin, size_t end), void *arg)
{
    fn(arg, 0, n);
}

void proc_no_threads(void)
{
}
#else
struct chunk {
    void (*fn)(void *arg, size_t begin, size_t end);
    void *arg;
    size_t begin, end;
};

static void *chunk_run(void *p)
{
    struct chunk *c = p;
    c->fn(c->arg, c->begin, c->end);
    return NULL;
}

static bool threads_allowed = true;

void proc_no_threads(void)
{
    threads_allowed = false;
}

void proc_parallel(size_t n, void (*fn)(void *arg, size_t begin, size_t end), void *arg)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = cpus > 1 ? (size_t)(cpus < 4 ? cpus : 4) : 1;
    if (n < 512 || !threads_allowed)
        threads = 1; /* not worth a thread, or a process that must have none */
    struct chunk chunks[4];
    pthread_t tids[4];
    bool started[4] = {false};
    for (size_t i = 0; i < threads; i++)
        chunks[i] = (struct chunk){fn, arg, n * i / threads, n * (i + 1) / threads};
    for (size_t i = 1; i < threads; i++)
        started[i] = pthread_create(&tids[i], NULL, chunk_run, &chunks[i]) == 0;
    chunk_run(&chunks[0]);
    for (size_t i = 1; i < threads; i++) {
        if (started[i])
            pthread_join(tids[i], NULL);
        else
            chunk_run(&chunks[i]); /* no thread to be had: do it here */
    }
}
#endif

struct snap_job {
    int procfd;
    const int *pids;
    struct proc_stat *out;
    bool *ok;
};

static void snap_range(void *arg, size_t begin, size_t end)
{
    struct snap_job *j = arg;
    for (size_t i = begin; i < end; i++)
        j->ok[i] = proc_read_stat(j->procfd, j->pids[i], &j->out[i]) == 0; /* gone: skipped */
}

/* An empty snapshot with room for every process /proc lists now (its PIDs in *pids, to free) */
static int snapshot_begin(int procfd, struct proc_snapshot *snap, int **pids, size_t *n)
{
    snap->procs = NULL;
    snap->n = 0;
    int r = proc_list_pids(procfd, pids, n);
    if (r < 0)
        return r;
    snap->procs = mem_zalloc(*n, sizeof(*snap->procs));
    if (!snap->procs) {
        free(*pids);
        return -ENOMEM;
    }
    return 0;
}

int proc_snapshot_read(int procfd, struct proc_snapshot *snap)
{
    int *pids;
    size_t n;
    int r = snapshot_begin(procfd, snap, &pids, &n);
    if (r < 0)
        return r;
    bool *ok = mem_zalloc(n, sizeof(bool));
    if (!ok) {
        free(pids);
        proc_snapshot_free(snap);
        return -ENOMEM;
    }
    struct snap_job job = {procfd, pids, snap->procs, ok};
    proc_parallel(n, snap_range, &job);
    for (size_t i = 0; i < n; i++)
        if (ok[i])
            snap->procs[snap->n++] = snap->procs[i];
    free(ok);
    free(pids);
    return 0;
}

void proc_snapshot_free(struct proc_snapshot *snap)
{
    free(snap->procs);
    snap->procs = NULL;
    snap->n = 0;
}

int proc_snapshot_kept(int procfd, struct proc_keeper *k, struct proc_snapshot *snap)
{
    int *pids;
    size_t n;
    int r = snapshot_begin(procfd, snap, &pids, &n);
    if (r < 0)
        return r;
    int *fds = xmalloc((n ? n : 1) * sizeof(int));
    size_t old = 0, open_now = 0;
    struct rlimit lim;
    size_t keep_max = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur > 256 ? (size_t)lim.rlim_cur - 128 : 0;
    for (size_t i = 0; i < n; i++) {
        int fd = -1;
        while (old < k->n && k->pids[old] < pids[i])
            close(k->fds[old++]); /* ended since the last snapshot */
        if (old < k->n && k->pids[old] == pids[i])
            fd = k->fds[old++];
        char text[1024];
        ssize_t got = fd >= 0 ? pread(fd, text, sizeof(text) - 1, 0) : -1;
        if (got <= 0 && fd >= 0) {
            close(fd); /* that process ended: the PID is another's now, or nobody's */
            fd = -1;
        }
        if (fd < 0) {
            char path[32];
            snprintf(path, sizeof(path), "%d/stat", pids[i]);
            fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
            got = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
        }
        fds[i] = -1;
        if (got <= 0) {
            if (fd >= 0)
                close(fd);
            continue;
        }
        text[got] = 0;
        bool parsed = proc_parse_stat(text, &snap->procs[snap->n]) == 0;
        snap->n += parsed;
        if (parsed && open_now < keep_max) {
            fds[i] = fd;
            open_now++;
        } else {
            close(fd); /* (past what fds allow: read, not kept) */
        }
    }
    while (old < k->n)
        close(k->fds[old++]);
    /* keep what is open, in pid order */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (fds[i] < 0)
            continue;
        pids[kept] = pids[i];
        fds[kept++] = fds[i];
    }
    free(k->pids);
    free(k->fds);
    k->pids = pids;
    k->fds = fds;
    k->n = kept;
    return 0;
}

void proc_keeper_free(struct proc_keeper *k)
{
    for (size_t i = 0; i < k->n; i++)
        close(k->fds[i]);
    free(k->pids);
    free(k->fds);
    memset(k, 0, sizeof(*k));
}

const struct proc_stat *proc_snapshot_find(const struct proc_snapshot *snap, int pid)
{
    struct proc_stat key = {.pid = pid};
    return bsearch(&key, snap->procs, snap->n, sizeof(*snap->procs), cmp_pid);
}

int proc_read_rss(int procfd, int pid, uint64_t *bytes)
{
    char path[32], text[256];
    snprintf(path, sizeof(path), "%d/statm", pid);
    ssize_t n = file_read_at(procfd, path, text, sizeof(text));
    if (n < 0)
        return (int)n;
    const char *p = text;
    uint64_t size, resident;
    if (!next_u64(&p, &size) || !next_u64(&p, &resident))
        return -EINVAL;
    *bytes = resident * (uint64_t)proc_page_size();
    return 0;
}

ssize_t proc_read_cmdline(int procfd, int pid, char *buf, size_t size)
{
    char path[32];
    snprintf(path, sizeof(path), "%d/cmdline", pid);
    ssize_t n = file_read_at(procfd, path, buf, size);
    if (n < 0) {
        buf[0] = 0;
        return n;
    }
    while (n > 0 && buf[n - 1] == 0)
        n--;
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] == 0)
            buf[i] = ' ';
    buf[n] = 0;
    return n;
}

int proc_environ_get(int procfd, int pid, const char *name, char *out, size_t size)
{
    char path[32];
    snprintf(path, sizeof(path), "%d/environ", pid);
    int fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char *buf = mem_alloc(65536);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    ssize_t n = fd_read_all(fd, buf, 65536);
    close(fd);
    int r = n < 0 ? (int)n : -ENOENT;
    size_t len = strlen(name);
    for (ssize_t i = 0; n > 0 && i < n && r == -ENOENT;) {
        const char *e = buf + i;
        size_t el = strnlen(e, (size_t)(n - i));
        if (el > len && e[len] == '=' && memcmp(e, name, len) == 0)
            r = snprintf(out, size, "%.*s", (int)(el - len - 1), e + len + 1) < (int)size ? 0 : -ERANGE;
        i += (ssize_t)el + 1;
    }
    free(buf);
    return r;
}

/* "Uid:\t0\t0\t0\t0" -> four numbers */
static void status_four(const char *p, unsigned v[4])
{
    for (int i = 0; i < 4; i++) {
        uint64_t x = 0;
        while (*p == '\t' || *p == ' ')
            p++;
        next_u64(&p, &x);
        v[i] = (unsigned)x;
    }
}

/* "SigBlk:\t0000000000010000" -> the hex digits, as the kernel prints them */
static void status_word(const char *p, char *out, size_t size)
{
    while (*p == '\t' || *p == ' ')
        p++;
    size_t n = strcspn(p, "\n");
    if (n >= size)
        n = size - 1;
    memcpy(out, p, n);
    out[n] = 0;
}

static uint64_t status_kb(const char *p)
{
    uint64_t v = 0;
    while (*p == ' ' || *p == '\t')
        p++;
    next_u64(&p, &v);
    return v;
}

/* "Groups:\t4 24 27 \n" -> "4,24,27"; "-" for none */
static void status_groups(const char *p, char *out, size_t size)
{
    size_t n = 0;
    while (*p && *p != '\n' && n + 1 < size) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '\n')
            break;
        if (n)
            out[n++] = ',';
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && n + 1 < size)
            out[n++] = *p++;
    }
    if (!n)
        out[n++] = '-';
    out[n] = 0;
}

int proc_read_status_in(int procfd, const char *dir, bool full, struct proc_status *out)
{
    char path[96], text[4096];
    snprintf(path, sizeof(path), "%s/status", dir);
    ssize_t n = file_read_at(procfd, path, text, sizeof(text));
    if (n < 0)
        return (int)n;
    memset(out, 0, sizeof(*out));
    out->full = full;
    if (full) {
        char *sigs[] = {out->sig_pnd, out->shd_pnd, out->sig_blk, out->sig_ign, out->sig_cgt};
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
            strcpy(sigs[i], "0000000000000000");
    }
    /* dispatch on a line's first letter; without `full`, VmRSS is the last line needed */
    for (const char *line = text; line && *line;) {
        unsigned v[4];
        switch (line[0]) {
        case 'U':
            if (line[1] == 'i' && line[2] == 'd' && line[3] == ':') {
                status_four(line + 4, v);
                out->ruid = v[0], out->euid = v[1], out->suid = v[2], out->fuid = v[3];
            }
            break;
        case 'G':
            if (line[1] == 'i' && line[2] == 'd' && line[3] == ':') {
                status_four(line + 4, v);
                out->rgid = v[0], out->egid = v[1], out->sgid = v[2], out->fgid = v[3];
            } else if (full && str_startswith(line, "Groups:") && !out->groups) {
                size_t cap = strcspn(line, "\n") + 2;
                out->groups = xmalloc(cap);
                status_groups(line + 7, out->groups, cap);
            }
            break;
        case 'T':
            if (full && str_startswith(line, "Tgid:"))
                out->tgid = (int)status_kb(line + 5);
            break;
        case 'S':
            if (!full || line[1] == 'w')
                break;
            if (str_startswith(line, "SigPnd:"))
                status_word(line + 7, out->sig_pnd, sizeof(out->sig_pnd));
            else if (str_startswith(line, "ShdPnd:"))
                status_word(line + 7, out->shd_pnd, sizeof(out->shd_pnd));
            else if (str_startswith(line, "SigBlk:"))
                status_word(line + 7, out->sig_blk, sizeof(out->sig_blk));
            else if (str_startswith(line, "SigIgn:"))
                status_word(line + 7, out->sig_ign, sizeof(out->sig_ign));
            else if (str_startswith(line, "SigCgt:"))
                status_word(line + 7, out->sig_cgt, sizeof(out->sig_cgt));
            break;
        case 'V':
            if (str_startswith(line, "VmLck:")) {
                out->vm_lock_kb = status_kb(line + 6);
            } else if (str_startswith(line, "VmRSS:")) {
                out->vm_rss_kb = status_kb(line + 6);
                if (!full)
                    return 0;
            } else if (full && str_startswith(line, "VmSize:")) {
                out->vm_size_kb = status_kb(line + 7);
            } else if (full && str_startswith(line, "VmData:")) {
                out->vm_data_kb = status_kb(line + 7);
            } else if (full && str_startswith(line, "VmStk:")) {
                out->vm_stk_kb = status_kb(line + 6);
            }
            break;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    if (full && !out->groups)
        out->groups = xstrdup("-");
    return 0;
}

int proc_read_status(int procfd, int pid, struct proc_status *out)
{
    char dir[16];
    snprintf(dir, sizeof(dir), "%d", pid);
    return proc_read_status_in(procfd, dir, false, out);
}

/* A whole /proc file (cmdline, environ): trailing NULs dropped, NUL-terminated; its length or -errno */
ssize_t proc_read_file_in(int procfd, const char *dir, const char *name, struct buf *buf)
{
    char path[96];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    buf->len = 0;
    buf_reserve(buf, 4096);
    ssize_t n;
    do {
        n = read(fd, buf->p, buf->cap - 1);
    } while (n < 0 && errno == EINTR);
    int r = n < 0 ? -errno : 0;
    if (n > 0) {
        buf->len = (size_t)n;
        if ((size_t)n == buf->cap - 1) /* a long command line: read the rest */
            r = fd_read_to_buf(fd, buf);
    }
    close(fd);
    if (r < 0)
        return r;
    while (buf->len > 0 && buf->p[buf->len - 1] == 0)
        buf->len--;
    if (buf->p)
        buf->p[buf->len] = 0;
    return (ssize_t)buf->len;
}

ssize_t proc_read_cmdline_raw(int procfd, int pid, struct buf *buf)
{
    char dir[16];
    snprintf(dir, sizeof(dir), "%d", pid);
    return proc_read_file_in(procfd, dir, "cmdline", buf);
}

int proc_read_wchan(int procfd, int pid, char *out, size_t size)
{
    char path[32];
    snprintf(path, sizeof(path), "%d/wchan", pid);
    ssize_t n = file_read_at(procfd, path, out, size);
    if (n < 0) {
        out[0] = 0;
        return (int)n;
    }
    if (strcmp(out, "0") == 0)
        out[0] = 0;
    return 0;
}

/* /proc/uptime's first field, "SECONDS.CC": the exact integers divided once give the double strtod would
 * (one correctly rounded division), without pulling libc's float scanner into the static binary */
static double uptime_parse(const char *text)
{
    uint64_t whole = 0, frac = 0, scale = 1;
    const char *p = text;
    next_u64(&p, &whole);
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9' && scale < 1000000000; p++, scale *= 10)
            frac = frac * 10 + (uint64_t)(*p - '0');
    return (double)(whole * scale + frac) / (double)scale;
}

int proc_read_sys(int procfd, struct proc_sys *out)
{
    char text[8192];
    memset(out, 0, sizeof(*out));
    out->hz = proc_clock_ticks();
    out->page_size = proc_page_size();
    if (file_read_at(procfd, "stat", text, sizeof(text)) > 0) {
        const char *b = strstr(text, "\nbtime ");
        if (b) {
            const char *q = b + 7;
            next_u64(&q, &out->boot_time);
        }
    }
    if (file_read_at(procfd, "uptime", text, sizeof(text)) > 0)
        out->uptime = uptime_parse(text);
    if (file_read_at(procfd, "meminfo", text, sizeof(text)) > 0) {
        const char *q = strstr(text, "MemTotal:");
        if (q) {
            q += 9;
            while (*q == ' ')
                q++;
            next_u64(&q, &out->mem_total_kb);
        }
    }
    out->pid_digits = 5;
    if (file_read_at(procfd, "sys/kernel/pid_max", text, sizeof(text)) > 0) {
        size_t len = strlen(text);
        while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
            len--;
        if (len > 0)
            out->pid_digits = (int)len;
    }
    return 0;
}

/* The number after "key" in text (a line start), or 0 */
static uint64_t keyed_u64(const char *text, const char *key)
{
    const char *q = strstr(text, key);
    uint64_t v = 0;
    if (q) {
        q += strlen(key);
        while (*q == ' ' || *q == '\t' || *q == ':')
            q++;
        next_u64(&q, &v);
    }
    return v;
}

int proc_read_load(int procfd, struct proc_load *out)
{
    char text[16384];
    memset(out, 0, sizeof(*out));
    ssize_t n = file_read_at(procfd, "stat", text, sizeof(text));
    if (n <= 0)
        return n < 0 ? (int)n : -EIO;
    if (str_startswith(text, "cpu ")) {
        const char *q = text + 4;
        for (int i = 0; i < 8; i++) {
            while (*q == ' ')
                q++;
            next_u64(&q, &out->cpu[i]);
        }
    }
    out->ctxt = keyed_u64(text, "\nctxt ");
    out->intr = keyed_u64(text, "\nintr ");
    out->forks = keyed_u64(text, "\nprocesses ");
    if (file_read_at(procfd, "loadavg", text, sizeof(text)) > 0) {
        const char *q = text;
        for (int i = 0; i < 3 && *q; i++) {
            out->load[i] = uptime_parse(q); /* (the same decimal form) */
            q += strcspn(q, " ");
            q += strspn(q, " ");
        }
    }
    if (file_read_at(procfd, "uptime", text, sizeof(text)) > 0)
        out->uptime = uptime_parse(text);
    if (file_read_at(procfd, "meminfo", text, sizeof(text)) > 0) {
        out->mem_total_kb = keyed_u64(text, "MemTotal:");
        out->mem_free_kb = keyed_u64(text, "MemFree:");
        out->mem_avail_kb = keyed_u64(text, "MemAvailable:");
        out->buffers_kb = keyed_u64(text, "Buffers:");
        out->cached_kb = keyed_u64(text, "\nCached:");
        out->sreclaimable_kb = keyed_u64(text, "SReclaimable:");
        out->swap_total_kb = keyed_u64(text, "SwapTotal:");
        out->swap_free_kb = keyed_u64(text, "SwapFree:");
    }
    return 0;
}

int proc_read_switches(int procfd, int pid, uint64_t *vol, uint64_t *invol)
{
    char path[32], text[4096];
    snprintf(path, sizeof(path), "%d/status", pid);
    ssize_t n = file_read_at(procfd, path, text, sizeof(text));
    if (n <= 0)
        return n < 0 ? (int)n : -EIO;
    *vol = keyed_u64(text, "\nvoluntary_ctxt_switches:");
    *invol = keyed_u64(text, "\nnonvoluntary_ctxt_switches:");
    return 0;
}

long proc_clock_ticks(void)
{
    static long ticks;
    if (!ticks)
        ticks = sysconf(_SC_CLK_TCK);
    return ticks > 0 ? ticks : 100;
}

long proc_page_size(void)
{
    static long size;
    if (!size)
        size = sysconf(_SC_PAGESIZE);
    return size > 0 ? size : 4096;
}
