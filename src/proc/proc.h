/* proc: reads /proc fast (openat on one dirfd, one read per file, no stdio). A snapshot of every
 * process's stat line, and helpers for the few per-process files callers need (cmdline, environ).
 * It knows nothing about services: callers join processes to services. */
#ifndef OYA_PROC_H
#define OYA_PROC_H

#include "../base/base.h"

struct proc_stat {
    int pid, ppid, pgrp, session, tty_nr, tpgid;
    char state;
    char comm[64];
    unsigned long flags;           /* PF_* */
    uint64_t utime, stime;         /* clock ticks */
    uint64_t cutime, cstime;
    long priority, nice, num_threads;
    uint64_t starttime; /* clock ticks after boot */
    uint64_t vsize;     /* bytes */
    uint64_t rss;       /* pages (an approximate counter on recent kernels: see proc_read_rss) */
    uint64_t rsslim;
    int processor, rt_priority, policy;
    uint64_t minflt, cminflt, majflt, cmajflt;
    uint64_t startcode, endcode, startstack, kstkesp, kstkeip;
};

struct proc_snapshot {
    struct proc_stat *procs; /* sorted by pid */
    size_t n;
};

int proc_open_root(void); /* an O_DIRECTORY fd on /proc (or -errno) */
/* An fd on a proc of the caller's own PID namespace: /proc, or where /proc shows another namespace (a
 * PID namespace made without a proc mount of its own), a private proc instance attached nowhere (needs
 * CAP_SYS_ADMIN). *own is false when neither could be had: then /proc (or -errno) is returned. */
int proc_open_own_root(bool *own);
/* Parse one /proc/PID/stat text; comm may hold spaces and parentheses (the last ')' ends it). */
int proc_parse_stat(const char *text, struct proc_stat *out);
int proc_read_stat(int procfd, int pid, struct proc_stat *out);
/* The same for a directory named relative to procfd: "PID" or "PID/task/TID" (a thread). */
int proc_read_stat_in(int procfd, const char *dir, struct proc_stat *out);
/* The PIDs in /proc, ascending. Returns 0 or -errno. */
int proc_list_pids(int procfd, int **pids, size_t *n);
/* The thread IDs of a process (its task directory) in the kernel's order, the leader first, as ps and
 * pstree list them. Returns 0 or -errno. */
int proc_list_tasks(int procfd, int pid, int **tids, size_t *n);
/* Run fn over [0, n) in contiguous chunks, on as many threads as there are CPUs (at most 4) when n is
 * large enough to be worth it: reading /proc is kernel work that both cores can share. */
void proc_parallel(size_t n, void (*fn)(void *arg, size_t begin, size_t end), void *arg);
/* From now on this process starts no thread (the supervisor: it forks with raw clone3, and a thread in
 * it would be one more thing a fork must reason about); the scans run on the calling thread */
void proc_no_threads(void);
/* Read every process. Processes that vanish during the scan are skipped. */
int proc_snapshot_read(int procfd, struct proc_snapshot *snap);
void proc_snapshot_free(struct proc_snapshot *snap);
/* The same read again and again (top: a frame a second): each process's stat file is kept open from one
 * snapshot to the next and read again with pread, which spares the kernel a path walk and an inode per
 * process (about half the cost). A process that ended reads as gone; its PID, if reused, is opened anew.
 * Files are kept only while fds last (the soft RLIMIT_NOFILE is raised to the hard one by the caller). */
struct proc_keeper {
    int *pids, *fds; /* sorted by pid */
    size_t n;
};
int proc_snapshot_kept(int procfd, struct proc_keeper *k, struct proc_snapshot *snap);
void proc_keeper_free(struct proc_keeper *k);
const struct proc_stat *proc_snapshot_find(const struct proc_snapshot *snap, int pid);
/* Resident set size in bytes from /proc/PID/statm: exact, where stat's rss field is an approximate
 * per-CPU counter read on recent kernels. Returns 0 or -errno. */
int proc_read_rss(int procfd, int pid, uint64_t *bytes);
/* cmdline with NULs turned into spaces; empty for kernel threads and zombies. */
ssize_t proc_read_cmdline(int procfd, int pid, char *buf, size_t size);
/* The value of NAME in /proc/PID/environ (the first 64 KiB): 0, -ENOENT, -ERANGE (too long), -errno. */
int proc_environ_get(int procfd, int pid, const char *name, char *out, size_t size);

/* What /proc/PID/status tells beyond stat: the four uids and gids, locked and resident memory; with
 * `full`, also the thread group, memory sizes, signal masks (as the kernel prints them: 16 hex digits)
 * and supplementary groups ("-" for none, else comma-separated). */
struct proc_status {
    unsigned ruid, euid, suid, fuid;
    unsigned rgid, egid, sgid, fgid;
    uint64_t vm_lock_kb, vm_rss_kb;
    bool full;
    int tgid;
    uint64_t vm_size_kb, vm_data_kb, vm_stk_kb;
    char sig_pnd[17], shd_pnd[17], sig_blk[17], sig_ign[17], sig_cgt[17];
    char *groups; /* allocated with `full` (the caller frees it), else NULL */
};
int proc_read_status(int procfd, int pid, struct proc_status *out);
int proc_read_status_in(int procfd, const char *dir, bool full, struct proc_status *out);
/* The raw cmdline (NUL-separated, trailing NULs dropped); returns its length, 0 for kernel threads and
 * zombies, or -errno. buf is grown as needed. */
ssize_t proc_read_cmdline_raw(int procfd, int pid, struct buf *buf);
ssize_t proc_read_file_in(int procfd, const char *dir, const char *name, struct buf *buf);
/* /proc/PID/wchan: "" when not waiting in the kernel ("0"). */
int proc_read_wchan(int procfd, int pid, char *out, size_t size);

/* System facts, read once. */
struct proc_sys {
    uint64_t boot_time;    /* seconds since the epoch (btime in /proc/stat) */
    double uptime;         /* seconds (/proc/uptime), read when the snapshot is taken */
    uint64_t mem_total_kb; /* MemTotal */
    long hz, page_size;
    int pid_digits;        /* digits of /proc/sys/kernel/pid_max */
};
int proc_read_sys(int procfd, struct proc_sys *out);

/* The machine's counters, for rates between two readings (top, as vmstat reads them) */
struct proc_load {
    uint64_t cpu[8];                /* /proc/stat "cpu": user nice system idle iowait irq softirq steal, ticks */
    uint64_t ctxt, intr, forks;     /* context switches, interrupts, processes forked: since boot */
    double load[3];                 /* /proc/loadavg */
    double uptime;                  /* seconds */
    uint64_t mem_total_kb, mem_free_kb, mem_avail_kb, buffers_kb, cached_kb, sreclaimable_kb;
    uint64_t swap_total_kb, swap_free_kb;
};
int proc_read_load(int procfd, struct proc_load *out);
/* voluntary and involuntary context switches of pid (the last lines of /proc/PID/status): 0 or -errno */
int proc_read_switches(int procfd, int pid, uint64_t *vol, uint64_t *invol);

long proc_clock_ticks(void);
long proc_page_size(void);

#endif
