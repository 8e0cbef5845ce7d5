/* proc/events: the kernel's process events connector (netlink, CN_PROC): fork, exec, uid and gid
 * changes, setsid, ptrace, comm changes, core dumps and exits, as they happen, for every process of the
 * machine. It needs CAP_NET_ADMIN and the initial user, PID and network namespaces; elsewhere
 * proc_events_open says why it cannot be used. The ABI is the kernel's (linux/cn_proc.h), written out
 * here so that no kernel headers are needed to build. */
#ifndef OYA_PROC_EVENTS_H
#define OYA_PROC_EVENTS_H

#include "../base/base.h"

enum proc_ev_kind {
    PEV_FORK, PEV_EXEC, PEV_UID, PEV_GID, PEV_SID, PEV_PTRACE, PEV_COMM, PEV_COREDUMP, PEV_EXIT, PEV_OTHER
};

struct proc_ev {
    enum proc_ev_kind kind;
    unsigned cpu;
    uint32_t seq;          /* the kernel counts per CPU: a gap is events lost */
    uint64_t mono_ns;      /* CLOCK_MONOTONIC */
    int pid, tgid;         /* the process (thread) the event is about */
    int ppid, ptgid;       /* fork: the parent; exit and coredump: the parent then */
    int tracer;            /* ptrace: the tracer's tgid (0: detached) */
    unsigned rid, eid;     /* uid/gid: the real and effective ids */
    int exit_code;         /* exit: the wait status (code << 8 | signal) */
    int exit_signal;       /* exit: the signal the parent gets (SIGCHLD; 0 or other for clones) */
    char comm[17];
};

/* A connector socket subscribed to process events, close-on-exec and non-blocking. Returns the fd, or
 * -errno with why in err (no privilege, not the initial namespaces, a kernel without CONFIG_PROC_EVENTS). */
int proc_events_open(struct buf *err);
/* Parse one datagram (one or more netlink messages) into evs (at most max). Returns the count, and
 * *lost the events the per-CPU sequence numbers say were missed (last_seq: one slot per CPU, 0 unset;
 * a slot holds seq + 1). */
size_t proc_events_parse(const void *data, size_t len, struct proc_ev *evs, size_t max, uint32_t *last_seq,
                         size_t ncpus, uint64_t *lost);

#endif
