/* The child between clone and execve: session, signals, stdio, limits, tuning, credentials, output files,
 * working directory, exec; a failed step is reported through the close-on-exec pipe with systemd's exit
 * code.
 *
 * Where exec_clone3_vm is available the child shares oya's memory until execve (no page tables copied, no
 * copy-on-write faults in oya afterwards: a start costs oya half the CPU of a fork), while oya goes on.
 * So this file makes raw system calls only: a libc call could write errno or other libc state oya is
 * using at that moment. It is built without sanitizers for the same reason (their shadow memory is
 * oya's), and reads nothing but the plan, which oya keeps until the child has executed or exited. */
#include "exec_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define CHILD __attribute__((no_sanitize("address", "undefined")))

#if defined(__x86_64__)
static inline CHILD long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

/* exec_clone3_vm(args, size, fn, arg): fn and arg ride in r8 and r9, which the system call keeps in
 * both processes; the child starts on the new stack, calls fn(arg) and exits with its result. */
__asm__(".text\n"
        ".globl exec_clone3_vm\n"
        ".type exec_clone3_vm,@function\n"
        "exec_clone3_vm:\n"
        "    mov %rdx, %r8\n"
        "    mov %rcx, %r9\n"
        "    mov $435, %eax\n" /* SYS_clone3 */
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jz 1f\n"
        "    ret\n"
        "1:  xor %ebp, %ebp\n"
        "    mov %r9, %rdi\n"
        "    and $-16, %rsp\n"
        "    call *%r8\n"
        "    mov %eax, %edi\n"
        "    mov $231, %eax\n" /* SYS_exit_group */
        "    syscall\n"
        "    hlt\n"
        ".size exec_clone3_vm, .-exec_clone3_vm\n");
#elif defined(__aarch64__)
static inline CHILD long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c,
                  x3 __asm__("x3") = d, x4 __asm__("x4") = e, x5 __asm__("x5") = f;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory", "cc");
    return x0;
}

/* as on x86_64, with fn and arg in x9 and x10 */
__asm__(".text\n"
        ".globl exec_clone3_vm\n"
        ".type exec_clone3_vm,%function\n"
        "exec_clone3_vm:\n"
        "    mov x9, x2\n"
        "    mov x10, x3\n"
        "    mov x8, #435\n" /* SYS_clone3 */
        "    svc 0\n"
        "    cbz x0, 1f\n"
        "    ret\n"
        "1:  mov x29, xzr\n"
        "    mov x30, xzr\n"
        "    mov x0, x10\n"
        "    blr x9\n"
        "    mov x8, #94\n" /* SYS_exit_group */
        "    svc 0\n"
        "    brk #0\n"
        ".size exec_clone3_vm, .-exec_clone3_vm\n");
#else
/* elsewhere the child is always a copy (fork), so libc's wrapper is safe */
static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    long r = syscall(n, a, b, c, d, e, f);
    return r < 0 ? -errno : r;
}
#endif

#define sys0(n) sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys5(n, a, b, c, d, e) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

static CHILD void report(int rfd, enum exec_step step, int err, int warning)
{
    struct exec_report rep = {step, err, warning};
    while (sys3(SYS_write, rfd, &rep, sizeof(rep)) == -EINTR)
        ;
}

/* A privileged setting that cannot be applied where oya lacks the capability (a container): systemd
 * goes on ("assuming containerized execution"), and so does oya, saying so through the report pipe. */
static CHILD void child_warn(int rfd, enum exec_step step, int err)
{
    report(rfd, step, err, 1);
}

static CHILD _Noreturn void child_fail(int rfd, enum exec_step step, long err)
{
    report(rfd, step, (int)-err, 0);
    for (;;)
        sys1(SYS_exit_group, exec_steps[step].code);
}

static CHILD bool is_privilege_error(long r)
{
    return r == -EPERM || r == -EACCES;
}

static CHILD bool in_set(const sigset_t *set, int sig)
{
    const unsigned long *w = (const unsigned long *)(const void *)set;
    return (w[(unsigned)(sig - 1) / (8 * sizeof(long))] >> ((unsigned)(sig - 1) % (8 * sizeof(long)))) & 1;
}

/* the kernel's struct sigaction (its sigset is 8 bytes, not libc's 128) */
struct ksigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};

static CHILD void set_ignored(int sig, bool ignore)
{
    struct ksigaction k = {.handler = ignore ? SIG_IGN : SIG_DFL};
    sys4(SYS_rt_sigaction, sig, &k, 0, sizeof(k.mask));
}

/* set an rlimit as systemd does: without CAP_SYS_RESOURCE a hard limit cannot be raised, so take the
 * closest value allowed (both limits at most the current hard one) rather than fail the start */
static CHILD long set_limit(int r, rlim_t soft, rlim_t hard)
{
    struct rlimit rl = {soft, hard}, cur;
    long e = sys4(SYS_prlimit64, 0, r, &rl, 0);
    if (e != -EPERM)
        return e;
    if ((e = sys4(SYS_prlimit64, 0, r, 0, &cur)) < 0)
        return e;
    if (cur.rlim_max != RLIM_INFINITY && (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > cur.rlim_max))
        rl.rlim_max = cur.rlim_max;
    if (rl.rlim_max != RLIM_INFINITY && (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > rl.rlim_max))
        rl.rlim_cur = rl.rlim_max;
    return sys4(SYS_prlimit64, 0, r, &rl, 0);
}

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

static CHILD size_t child_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Whether path is at or below dir */
static CHILD bool child_below(const char *path, const char *dir)
{
    size_t n = child_strlen(dir);
    if (n == 1) /* "/" */
        return true;
    for (size_t i = 0; i < n; i++)
        if (path[i] != dir[i])
            return false;
    return path[n] == 0 || path[n] == '/';
}

/* The kind of the deepest sandboxing path over a mount point (MOUNT_KEEP when none): of two at the same
 * depth, the stricter */
static CHILD int child_cover(const struct plan *pl, const unsigned char *skip, const char *mp)
{
    size_t best = 0;
    int kind = MOUNT_KEEP;
    for (size_t i = 0; i < pl->nmounts; i++) {
        const struct mount_entry *e = &pl->mounts[i];
        if (skip[i] || !child_below(mp, e->path))
            continue;
        size_t n = child_strlen(e->path);
        if (n > best || (n == best && e->kind > kind)) {
            best = n;
            kind = e->kind;
        }
    }
    return kind;
}

/* Read-only: one mount, not those below it. mount_setattr (5.12); before it a remount with the mount's own
 * flags, which a bind remount must repeat */
static CHILD long child_read_only(const char *mp, const char *opts)
{
    struct {
        uint64_t set, clr, propagation, userns;
    } attr = {1 /* MOUNT_ATTR_RDONLY */, 0, 0, 0};
    long r = sys5(SYS_mount_setattr, AT_FDCWD, mp, 0x100 /* AT_SYMLINK_NOFOLLOW */, &attr, sizeof(attr));
    if (r != -ENOSYS)
        return r;
    static const struct {
        const char *name;
        unsigned long flag;
    } known[] = {{"nosuid", MS_NOSUID}, {"nodev", MS_NODEV}, {"noexec", MS_NOEXEC}, {"noatime", MS_NOATIME},
                 {"nodiratime", MS_NODIRATIME}, {"relatime", MS_RELATIME}};
    unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
    for (const char *o = opts; *o;) {
        const char *end = o;
        while (*end && *end != ',')
            end++;
        for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
            size_t n = child_strlen(known[k].name);
            bool same = (size_t)(end - o) == n;
            for (size_t i = 0; same && i < n; i++)
                same = o[i] == known[k].name[i];
            if (same)
                flags |= known[k].flag;
        }
        o = *end ? end + 1 : end;
    }
    return sys5(SYS_mount, 0, mp, 0, flags, 0);
}

/* A field of a mountinfo line, its octal escapes (\040 for a space) decoded into out; the next field after */
static CHILD const char *child_field(const char *p, char *out, size_t size)
{
    size_t n = 0;
    for (; *p && *p != ' '; p++) {
        char c = *p;
        if (c == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
            c = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
        }
        if (n + 1 < size)
            out[n++] = c;
    }
    out[n] = 0;
    return *p ? p + 1 : p;
}

/* The capabilities of caps (a bit per CAP_*) out of the bounding set; one the kernel does not have is none */
static CHILD void child_drop_bounding(uint64_t caps, int rfd, enum exec_step step)
{
    for (int cap = 0; cap < 64; cap++) {
        long r = caps & (1ULL << cap) ? sys2(SYS_prctl, PR_CAPBSET_DROP, cap) : 0;
        if (r < 0 && r != -EINVAL) /* EINVAL: the kernel has no such cap */
            child_fail(rfd, step, r);
    }
}

/* "/proc/self/fd/N": a path to what fd holds, for a bind mount (no libc formatting in the child) */
static CHILD void child_fd_path(char *out, long fd)
{
    static const char prefix[] = "/proc/self/fd/";
    char digits[24];
    int n = 0;
    do
        digits[n++] = (char)('0' + fd % 10);
    while ((fd /= 10) > 0);
    size_t at = 0;
    for (; prefix[at]; at++)
        out[at] = prefix[at];
    while (n)
        out[at++] = digits[--n];
    out[at] = 0;
}

/* ProtectSystem=, ProtectHome=, ReadWritePaths=, ReadOnlyPaths=, InaccessiblePaths= in the new mount
 * namespace (see enum mount_kind) */
static CHILD void child_protect(const struct plan *pl, int rfd)
{
    unsigned char skip[PLAN_MAX_MOUNTS] = {0};
    long r;
    /* the paths that stay writable and those made read-only become mounts of their own */
    for (size_t i = 0; i < pl->nmounts; i++) {
        const struct mount_entry *e = &pl->mounts[i];
        if ((e->kind != MOUNT_RW && e->kind != MOUNT_RO) || (e->path[0] == '/' && e->path[1] == 0))
            continue;
        r = sys5(SYS_mount, e->path, e->path, 0, MS_BIND | MS_REC, 0);
        if (r == -ENOENT && e->optional)
            skip[i] = 1;
        else if (r < 0)
            child_fail(rfd, STEP_PROTECT, r);
    }
    /* every mount whose deepest covering path is read-only, made read-only */
    long fd = sys4(SYS_openat, AT_FDCWD, "/proc/self/mountinfo", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        child_fail(rfd, STEP_PROTECT, fd);
    char buf[4096], line[8192], mp[4096], opts[512], skipped[64];
    size_t len = 0;
    bool overlong = false;
    for (;;) {
        long n = sys3(SYS_read, fd, buf, sizeof(buf));
        if (n == -EINTR)
            continue;
        if (n < 0)
            child_fail(rfd, STEP_PROTECT, n);
        for (long i = 0; i < n || (n == 0 && len); i++) {
            if (n > 0 && buf[i] != '\n') {
                if (len + 1 < sizeof(line))
                    line[len++] = buf[i];
                else
                    overlong = true;
                continue;
            }
            line[len] = 0;
            /* ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTIONS ... */
            const char *p = line;
            for (int f = 0; f < 4; f++)
                p = child_field(p, skipped, sizeof(skipped));
            p = child_field(p, mp, sizeof(mp));
            child_field(p, opts, sizeof(opts));
            if (!overlong && mp[0] == '/' && child_cover(pl, skip, mp) == MOUNT_RO &&
                (r = child_read_only(mp, opts)) < 0 && r != -ENOENT)
                child_fail(rfd, STEP_PROTECT, r);
            len = 0;
            overlong = false;
            if (n == 0)
                break;
        }
        if (n == 0)
            break;
    }
    sys1(SYS_close, fd);
    /* then the hidden ones: an empty read-only tmpfs, no way in (ProtectHome=tmpfs: one that can be read); a
     * file that is not a directory reads as empty: /dev/null over it, read-only */
    for (size_t i = 0; i < pl->nmounts; i++) {
        const struct mount_entry *e = &pl->mounts[i];
        if (e->kind != MOUNT_INACCESSIBLE && e->kind != MOUNT_TMPFS)
            continue;
        r = sys5(SYS_mount, "tmpfs", e->path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                 e->kind == MOUNT_TMPFS ? "mode=0755" : "mode=0000");
        if (r == -ENOTDIR && e->kind == MOUNT_INACCESSIBLE &&
            (r = sys5(SYS_mount, "/dev/null", e->path, 0, MS_BIND, 0)) == 0)
            r = child_read_only(e->path, "nosuid,nodev,noexec");
        if (r < 0 && !(r == -ENOENT && e->optional))
            child_fail(rfd, STEP_PROTECT, r);
    }
}

/* What fd holds (a device node, a socket), bound onto an empty file made at path */
static CHILD long child_bind_file(long fd, const char *path)
{
    char src[40];
    long f = sys4(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (f >= 0)
        sys1(SYS_close, f);
    child_fd_path(src, fd);
    return sys5(SYS_mount, src, path, 0, MS_BIND, 0);
}

/* PrivateDevices=: a /dev of its own, as systemd makes it: a read-only, noexec tmpfs with null, zero, full,
 * random, urandom and tty, the machine's /dev/pts, shm, mqueue and hugepages bound in, ptmx, the usual
 * symlinks, and /dev/log (oya's syslog socket) where there is one; CAP_MKNOD and CAP_SYS_RAWIO leave the
 * bounding set. A node is made (mknod) or, without the right to, the machine's is bound in. */
static CHILD void child_private_dev(int rfd)
{
    static const struct {
        const char *path;
        unsigned major, minor;
    } nodes[] = {{"/dev/null", 1, 3}, {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
                 {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
    static const char *const dirs[] = {"/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/hugepages"};
    enum { NODES = sizeof(nodes) / sizeof(nodes[0]), DIRS = sizeof(dirs) / sizeof(dirs[0]) };
    long node_fd[NODES], dir_fd[DIRS], log_fd, r;
    /* what is taken from the machine's /dev, held before it is covered */
    for (int i = 0; i < NODES; i++)
        node_fd[i] = sys4(SYS_openat, AT_FDCWD, nodes[i].path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
    for (int i = 0; i < DIRS; i++)
        dir_fd[i] = sys4(SYS_openat, AT_FDCWD, dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    char log_link[256];
    long log_link_len = sys4(SYS_readlinkat, AT_FDCWD, "/dev/log", log_link, sizeof(log_link) - 1);
    log_fd = log_link_len < 0 ? sys4(SYS_openat, AT_FDCWD, "/dev/log", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0) : -1;
    char ptmx_link[16];
    bool ptmx_symlink = sys4(SYS_readlinkat, AT_FDCWD, "/dev/ptmx", ptmx_link, sizeof(ptmx_link)) > 0;
    bool kcore = sys4(SYS_faccessat, AT_FDCWD, "/proc/kcore", F_OK, 0) == 0;
    if ((r = sys5(SYS_mount, "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_STRICTATIME, "mode=0755")) < 0)
        child_fail(rfd, STEP_DEVICES, r);
    long old_umask = sys1(SYS_umask, 0);
    char src[40];
    for (int i = 0; i < NODES; i++) {
        unsigned dev = (nodes[i].minor & 0xff) | (nodes[i].major << 8);
        r = sys4(SYS_mknodat, AT_FDCWD, nodes[i].path, S_IFCHR | 0666, dev);
        if (r < 0 && node_fd[i] >= 0) /* no CAP_MKNOD: the machine's node, bound in */
            r = child_bind_file(node_fd[i], nodes[i].path);
        if (r < 0)
            child_fail(rfd, STEP_DEVICES, r);
    }
    for (int i = 0; i < DIRS; i++) {
        if (dir_fd[i] < 0)
            continue;
        sys3(SYS_mkdirat, AT_FDCWD, dirs[i], 0755);
        child_fd_path(src, dir_fd[i]);
        if ((r = sys5(SYS_mount, src, dirs[i], 0, MS_BIND | MS_REC, 0)) < 0 && i == 0)
            child_fail(rfd, STEP_DEVICES, r); /* the terminals are a must; the others as there are */
    }
    /* a node as the machine has, else (a symlink there, or no CAP_MKNOD) the one of the terminals' instance */
    r = ptmx_symlink ? -1 : sys4(SYS_mknodat, AT_FDCWD, "/dev/ptmx", S_IFCHR | 0666, (5 << 8) | 2);
    if (r < 0)
        r = sys3(SYS_symlinkat, "pts/ptmx", AT_FDCWD, "/dev/ptmx");
    if (r < 0)
        child_fail(rfd, STEP_DEVICES, r);
    static const char *const links[][2] = {{"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/0", "/dev/stdin"},
                                           {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
                                           {"/proc/kcore", "/dev/core"}};
    for (int i = 0; i < 5; i++)
        if ((i < 4 || kcore) && (r = sys3(SYS_symlinkat, links[i][0], AT_FDCWD, links[i][1])) < 0)
            child_fail(rfd, STEP_DEVICES, r);
    if (log_link_len > 0) {
        log_link[log_link_len] = 0;
        sys3(SYS_symlinkat, log_link, AT_FDCWD, "/dev/log");
    } else if (log_fd >= 0 && (r = child_bind_file(log_fd, "/dev/log")) < 0) { /* oya's syslog socket */
        child_fail(rfd, STEP_DEVICES, r);
    }
    sys1(SYS_umask, old_umask);
    for (int i = 0; i < NODES; i++)
        if (node_fd[i] >= 0)
            sys1(SYS_close, node_fd[i]);
    for (int i = 0; i < DIRS; i++)
        if (dir_fd[i] >= 0)
            sys1(SYS_close, dir_fd[i]);
    if (log_fd >= 0)
        sys1(SYS_close, log_fd);
    /* read-only, the bound ones (shm, mqueue) as they were */
    if ((r = child_read_only("/dev", "nosuid,noexec")) < 0)
        child_fail(rfd, STEP_DEVICES, r);
    child_drop_bounding(1ULL << 27 /* CAP_MKNOD */ | 1ULL << 17 /* CAP_SYS_RAWIO */, rfd, STEP_DEVICES);
}

/* Nice=, OOMScoreAdjust=, CPUScheduling*=, IOScheduling*=, CPUAffinity=, PrivateTmp=, CapabilityBoundingSet= */
static CHILD void child_tune(const struct plan *pl, int rfd)
{
    const struct unit *u = pl->unit;
    long r;
    if (u->nice_set && (r = sys3(SYS_setpriority, PRIO_PROCESS, 0, u->nice)) < 0)
        child_fail(rfd, STEP_NICE, r);
    if (pl->oom_len) {
        long fd = sys4(SYS_openat, AT_FDCWD, "/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC, 0);
        r = fd < 0 ? fd : sys3(SYS_write, fd, pl->oom, pl->oom_len);
        if (r >= 0 && r != (long)pl->oom_len)
            r = -EIO;
        if (r < 0) {
            if (!is_privilege_error(r))
                child_fail(rfd, STEP_OOM, r);
            child_warn(rfd, STEP_OOM, (int)-r); /* no CAP_SYS_RESOURCE: a lower score is not allowed */
        }
        if (fd >= 0)
            sys1(SYS_close, fd);
    }
    if (u->cpu_sched_set) {
        int param = u->cpu_sched_priority; /* struct sched_param: one int */
        int policy = u->cpu_sched_policy | (u->cpu_sched_reset_on_fork ? 0x40000000 /* SCHED_RESET_ON_FORK */ : 0);
        if ((r = sys3(SYS_sched_setscheduler, 0, policy, &param)) < 0)
            child_fail(rfd, STEP_SCHED, r);
    }
    if (u->io_class || u->io_priority >= 0) {
        int class = u->io_class ? u->io_class : 2 /* best-effort */, prio = u->io_priority >= 0 ? u->io_priority : 4;
        if ((r = sys3(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (class << 13) | (class == 3 ? 0 : prio))) < 0)
            child_fail(rfd, STEP_IOPRIO, r);
    }
    if (pl->set_cpus && (r = sys3(SYS_sched_setaffinity, 0, sizeof(pl->cpus), &pl->cpus)) < 0)
        child_fail(rfd, STEP_AFFINITY, r);
    if (u->private_tmp || pl->nmounts || u->private_devices) {
        /* a mount namespace of its own, where /tmp and /var/tmp are fresh and empty and the sandboxing's
         * paths read-only or hidden; without the privilege to make one (no CAP_SYS_ADMIN), the service runs
         * without them, as systemd */
        if ((r = sys1(SYS_unshare, CLONE_NEWNS)) < 0) {
            if (!is_privilege_error(r) && r != -ENOSYS)
                child_fail(rfd, u->private_tmp ? STEP_NAMESPACE : pl->nmounts ? STEP_PROTECT : STEP_DEVICES, r);
            if (u->private_tmp)
                child_warn(rfd, STEP_NAMESPACE, (int)-r);
            if (pl->nmounts)
                child_warn(rfd, STEP_PROTECT, (int)-r);
            if (u->private_devices)
                child_warn(rfd, STEP_DEVICES, (int)-r);
        } else {
            if ((r = sys5(SYS_mount, 0, "/", 0, MS_REC | MS_SLAVE, 0)) < 0)
                child_fail(rfd, STEP_NAMESPACE, r);
            if (pl->nmounts)
                child_protect(pl, rfd);
            if (u->private_devices)
                child_private_dev(rfd);
            if (u->private_tmp &&
                ((r = sys5(SYS_mount, "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")) < 0 ||
                 (r = sys5(SYS_mount, "tmpfs", "/var/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")) < 0))
                child_fail(rfd, STEP_NAMESPACE, r);
        }
    }
    if (u->protect_hostname && (r = sys1(SYS_unshare, CLONE_NEWUTS)) < 0) {
        /* without CAP_SYS_ADMIN (a container, which has a hostname of its own): as systemd, on without it */
        if (!is_privilege_error(r) && r != -ENOSYS)
            child_fail(rfd, STEP_UTS, r);
        child_warn(rfd, STEP_UTS, (int)-r);
    }
    /* CapabilityBoundingSet= keeps what it names; the Protect*= keys take theirs */
    child_drop_bounding(pl->drop_caps | (u->cap_bounding_set ? ~u->cap_bounding : 0), rfd, STEP_CAPS);
}

/* AmbientCapabilities=: after the switch to User= (kept by PR_SET_KEEPCAPS), make the capabilities
 * permitted, inheritable and effective, then raise them into the ambient set, which survives exec. */
static CHILD void child_ambient(uint64_t caps, int rfd)
{
    /* as systemd (since 246), one outside the bounding set (a container's) is left out, not a failure */
    uint64_t kept = 0;
    for (int cap = 0; cap < 64; cap++)
        if ((caps & (1ULL << cap)) && sys2(SYS_prctl, PR_CAPBSET_READ, cap) == 1)
            kept |= 1ULL << cap;
    if (kept != caps)
        child_warn(rfd, STEP_AMBIENT, EPERM);
    caps = kept;
    if (!caps)
        return;
    struct {
        uint32_t version;
        int pid;
    } head = {0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0};
    struct {
        uint32_t effective, permitted, inheritable;
    } data[2];
    for (int i = 0; i < 2; i++) {
        uint32_t part = (uint32_t)(caps >> (32 * i));
        data[i].effective = data[i].permitted = data[i].inheritable = part;
    }
    long r = sys2(SYS_capset, &head, data);
    if (r < 0)
        child_fail(rfd, STEP_AMBIENT, r);
    for (int cap = 0; cap < 64; cap++)
        if ((caps & (1ULL << cap)) && (r = sys5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0)) < 0)
            child_fail(rfd, STEP_AMBIENT, r);
}

/* StandardOutput=file: and its kin, opened with the service's own credentials (see plan_output) */
static CHILD void child_output_files(const struct plan *pl, int rfd)
{
    for (int stream = 0; stream < 2; stream++) {
        if (!pl->file_path[stream])
            continue;
        long fd = stream == 1 && pl->same_file ? sys3(SYS_fcntl, 1, F_DUPFD_CLOEXEC, 3) /* one open file */
                                              : sys4(SYS_openat, AT_FDCWD, pl->file_path[stream],
                                                     pl->file_flags[stream], 0644);
        if (fd == stream + 1)
            continue; /* oya init with that fd closed: the file took its place */
        long r = fd < 0 ? fd : sys3(SYS_dup3, fd, stream + 1, 0);
        if (r < 0)
            child_fail(rfd, STEP_OUTPUT_FILE, r);
        sys1(SYS_close, fd);
    }
    /* StandardError=inherit follows a file on standard output */
    long r;
    if (pl->file_path[0] && !pl->file_path[1] && pl->unit->std_error == OUT_INHERIT &&
        (r = sys3(SYS_dup3, 1, 2, 0)) < 0)
        child_fail(rfd, STEP_OUTPUT_FILE, r);
}

/* StandardInput=tty and its kin: TTYPath= as the controlling terminal of the new session. tty waits while
 * another session has it (woken by each close of the device, then tried again, as systemd); tty-force takes it
 * from that session (CAP_SYS_ADMIN); tty-fail fails the start. TTYRows=/TTYColumns= set its size. */
static CHILD int child_tty(const struct plan *pl, int rfd)
{
    const struct unit *u = pl->unit;
    long fd = sys4(SYS_openat, AT_FDCWD, pl->tty_path, O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
    if (fd < 0)
        child_fail(rfd, STEP_INPUT, fd);
    long r = sys3(SYS_ioctl, fd, TIOCSCTTY, u->std_input == IN_TTY_FORCE ? 1 : 0);
    if (r == -EPERM && u->std_input == IN_TTY) {
        long in = sys1(SYS_inotify_init1, IN_CLOEXEC);
        if (in < 0 || (r = sys3(SYS_inotify_add_watch, in, pl->tty_path, IN_CLOSE)) < 0)
            child_fail(rfd, STEP_INPUT, in < 0 ? in : r);
        while ((r = sys3(SYS_ioctl, fd, TIOCSCTTY, 0)) == -EPERM) {
            char events[256];
            long n = sys3(SYS_read, in, events, sizeof(events));
            if (n < 0 && n != -EINTR)
                child_fail(rfd, STEP_INPUT, n);
        }
        sys1(SYS_close, in);
    }
    if (r < 0)
        child_fail(rfd, STEP_INPUT, r);
    struct winsize ws;
    if ((u->tty_rows >= 0 || u->tty_columns >= 0) && sys3(SYS_ioctl, fd, TIOCGWINSZ, &ws) == 0) {
        if (u->tty_rows >= 0)
            ws.ws_row = (unsigned short)u->tty_rows;
        if (u->tty_columns >= 0)
            ws.ws_col = (unsigned short)u->tty_columns;
        if ((r = sys3(SYS_ioctl, fd, TIOCSWINSZ, &ws)) < 0)
            child_fail(rfd, STEP_INPUT, r);
    }
    return (int)fd;
}

/* StandardInput=file:, opened with the service's own credentials, as the output files */
static CHILD void child_input_file(const struct plan *pl, int rfd)
{
    long fd = sys4(SYS_openat, AT_FDCWD, pl->input_path, O_RDONLY | O_NOCTTY | O_CLOEXEC, 0);
    if (fd == 0)
        return; /* fd 0 was closed: the file took its place */
    long r = fd < 0 ? fd : sys3(SYS_dup3, fd, 0, 0);
    if (r < 0)
        child_fail(rfd, STEP_INPUT, r);
    sys1(SYS_close, fd);
}

/* fds 0, 1 and 2 from the plan; the sources are moved above 2 first, so one dup cannot clobber the
 * source of the next. With a terminal as input, output that inherits goes to it too. */
static CHILD void child_stdio(const struct plan *pl, int rfd, int tty)
{
    const struct unit *u = pl->unit;
    int fds[3] = {tty >= 0 ? tty : pl->stdin_fd, pl->stdout_fd, pl->stderr_fd};
    if (tty >= 0 && u->std_output == OUT_INHERIT)
        fds[1] = tty;
    if (tty >= 0 && u->std_output == OUT_INHERIT && u->std_error == OUT_INHERIT)
        fds[2] = tty;
    long r;
    for (int i = 0; i < 3; i++)
        if (fds[i] <= 2) {
            if ((r = sys3(SYS_fcntl, fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
                child_fail(rfd, STEP_STDIO, r);
            fds[i] = (int)r;
        }
    for (int i = 0; i < 3; i++)
        if ((r = sys3(SYS_dup3, fds[i], i, 0)) < 0)
            child_fail(rfd, STEP_STDIO, r);
}

static CHILD void child_signals(const struct plan *pl)
{
    /* oya ignores SIGPIPE; a service starts with default dispositions, oya init's command with those
     * oya was started with. IgnoreSIGPIPE= (systemd's default yes) adds SIGPIPE; oya init's command
     * keeps what oya was started with. Only what differs from oya's own is changed. */
    for (int sig = 1; sig < 65; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        bool want = pl->has_sigignore ? in_set(&pl->sigignore, sig)
                                      : sig == SIGPIPE && pl->unit->ignore_sigpipe;
        if (!pl->has_parent_ignored || want != in_set(&pl->parent_ignored, sig))
            set_ignored(sig, want); /* a handler needs no reset: exec does that */
    }
}

static CHILD void child_session(const struct plan *pl, int rfd)
{
    long r;
    if (!pl->process_group) {
        if ((r = sys0(SYS_setsid)) < 0)
            child_fail(rfd, STEP_SETSID, r);
        return;
    }
    /* oya init: a process group of its own in oya's session, and the terminal's foreground, so Ctrl-C
     * and job control reach it (SIGTTOU would stop a background group asking for that) */
    if ((r = sys2(SYS_setpgid, 0, 0)) < 0)
        child_fail(rfd, STEP_SETSID, r);
    if (pl->take_terminal) {
        set_ignored(SIGTTOU, true);
        int pid = (int)sys0(SYS_getpid);
        r = sys3(SYS_ioctl, 0, TIOCSPGRP, &pid);
        if (r < 0 && r != -ENOTTY && r != -EBADF && r != -ENXIO)
            child_fail(rfd, STEP_SETSID, r);
        set_ignored(SIGTTOU, false);
    }
}

static CHILD void child_limits(const struct plan *pl, int rfd)
{
    /* oya raised its own soft limit on open files; a service starts with the one oya was given (many
     * programs still use select(), which cannot see fds past 1024), then LimitNOFILE= applies */
    struct rlimit nofile;
    long r;
    if (pl->nofile_soft && sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, &nofile) == 0 &&
        nofile.rlim_cur != pl->nofile_soft) {
        nofile.rlim_cur = pl->nofile_soft;
        if ((r = sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, &nofile, 0)) < 0)
            child_fail(rfd, STEP_LIMITS, r);
    }
    for (int i = 0; i < UNIT_MAX_LIMITS; i++) {
        const struct unit_limit *l = &pl->unit->limits[i];
        if (l->set && (r = set_limit(i, l->soft, l->hard)) < 0)
            child_fail(rfd, STEP_LIMITS, r);
    }
}

static CHILD void child_credentials(const struct plan *pl, int rfd)
{
    long r;
    if ((r = sys2(SYS_setgroups, pl->ngroups, pl->groups)) < 0 && r != -EPERM)
        child_fail(rfd, STEP_GROUP, r);
    if ((r = sys3(SYS_setresgid, pl->gid, pl->gid, pl->gid)) < 0)
        child_fail(rfd, STEP_GROUP, r);
    if ((r = sys3(SYS_setresuid, pl->uid, pl->uid, pl->uid)) < 0)
        child_fail(rfd, STEP_USER, r);
}

CHILD _Noreturn void exec_child_run(const struct plan *pl)
{
    int rfd = pl->report_fd;
    long r;
    if (pl->cgroup_in_child) {
        long fd = sys4(SYS_openat, pl->cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC, 0);
        r = fd < 0 ? fd : sys3(SYS_write, fd, "0", 1);
        if (r < 0)
            child_fail(rfd, STEP_CGROUP, r);
        sys1(SYS_close, fd);
    }
    if (pl->unit->delegate && pl->cgroup_fd >= 0 && pl->set_creds) {
        /* Delegate=: the cgroup and the files that manage its subtree belong to the service's user, as
         * the kernel's delegation model has it (still root here, before the credentials change) */
        static const char *const files[] = {"", "cgroup.procs", "cgroup.threads", "cgroup.subtree_control"};
        for (int i = 0; i < 4; i++)
            if ((r = sys5(SYS_fchownat, pl->cgroup_fd, files[i], pl->uid, pl->gid, i == 0 ? AT_EMPTY_PATH : 0)) < 0)
                child_fail(rfd, STEP_CGROUP, r);
    }
    child_signals(pl);
    child_session(pl, rfd);
    unsigned long none = 0;
    sys4(SYS_rt_sigprocmask, SIG_SETMASK, pl->has_sigmask ? (const void *)&pl->sigmask : (const void *)&none, 0, 8);
    /* move the report pipe above 2 so the dups below cannot clobber it */
    if (rfd <= 2) {
        if ((r = sys3(SYS_fcntl, rfd, F_DUPFD_CLOEXEC, 3)) < 0)
            child_fail(rfd, STEP_STDIO, r);
        rfd = (int)r;
    }
    if (!pl->inherit_stdio)
        child_stdio(pl, rfd, pl->tty_path ? child_tty(pl, rfd) : -1);
    /* anything inherited from whoever started oya must not reach the service: mark every fd above 2
     * close-on-exec (the report pipe included, so exec closes it and the parent sees EOF) */
    if (sys3(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) < 0)
        for (int fd = 3; fd < 65536; fd++)
            if (fd != rfd)
                sys3(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
    if (pl->umask >= 0)
        sys1(SYS_umask, pl->umask);
    child_limits(pl, rfd);
    child_tune(pl, rfd);
    uint64_t ambient = pl->unit->cap_ambient;
    if (ambient && pl->set_creds && (r = sys2(SYS_prctl, PR_SET_KEEPCAPS, 1)) < 0)
        child_fail(rfd, STEP_CAPS, r);
    if (pl->set_creds)
        child_credentials(pl, rfd);
    if (ambient)
        child_ambient(ambient, rfd);
    child_output_files(pl, rfd);
    if (pl->input_path)
        child_input_file(pl, rfd);
    /* after the credentials change, so the directory is reached with the service's own rights */
    if (pl->cwd && (r = sys1(SYS_chdir, pl->cwd)) < 0 && !(pl->cwd_optional && r == -ENOENT))
        child_fail(rfd, STEP_CHDIR, r);
    if (pl->unit->no_new_privileges && (r = sys5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) < 0)
        child_fail(rfd, STEP_NNP, r);
    r = sys3(SYS_execve, pl->path, pl->argv, pl->envp);
    if (r == -ENOEXEC && pl->sh_argv)
        r = sys3(SYS_execve, "/bin/sh", pl->sh_argv, pl->envp); /* no #!: a shell script, as execvp runs it */
    child_fail(rfd, STEP_EXEC, r);
}

#if EXEC_CLONE_VM
CHILD int exec_child_entry(void *plan)
{
    exec_child_run(plan);
}
#endif
