/* proc/events: the kernel's process events connector (see events.h). */
#include "events.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* netlink's header and address, as linux/netlink.h has them (musl ships no kernel headers) */
struct nl_hdr {
    uint32_t len;
    uint16_t type, flags;
    uint32_t seq, pid;
};
struct nl_addr {
    sa_family_t family;
    unsigned short pad;
    uint32_t pid, groups;
};
#define NL_ALIGN(n) (((n) + 3u) & ~3u)
#define NL_HDRLEN NL_ALIGN(sizeof(struct nl_hdr))
#define NL_DONE 3

#define NETLINK_CONNECTOR_PROTO 11
#define CN_IDX_PROC 1
#define CN_VAL_PROC 1
#define PROC_CN_MCAST_LISTEN 1
#define CN_MSG_SIZE 20 /* struct cn_msg: id.idx, id.val, seq, ack (u32 each), len, flags (u16 each) */
#define PROC_INIT_PID_NS 0xEFFFFFFCu  /* the inode of the initial namespaces (PROC_PID_INIT_INO) */
#define PROC_INIT_USER_NS 0xEFFFFFFDu

enum { WHAT_NONE = 0, WHAT_FORK = 1, WHAT_EXEC = 2, WHAT_UID = 4, WHAT_GID = 0x40, WHAT_SID = 0x80,
       WHAT_PTRACE = 0x100, WHAT_COMM = 0x200, WHAT_COREDUMP = 0x40000000, WHAT_EXIT = 0x80000000u };

static uint32_t u32_at(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static int int_at(const unsigned char *p)
{
    int v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static unsigned long ns_inode(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

/* Send the subscription, then wait (1 s at most) for the kernel's answer to it: 0 or -errno */
static int subscribe(int fd)
{
    unsigned char msg[NL_HDRLEN + CN_MSG_SIZE + 4];
    memset(msg, 0, sizeof(msg));
    struct nl_hdr nh = {.len = sizeof(msg), .type = NL_DONE};
    memcpy(msg, &nh, sizeof(nh));
    unsigned char *cn = msg + NL_HDRLEN;
    uint32_t idx = CN_IDX_PROC, val = CN_VAL_PROC, op = PROC_CN_MCAST_LISTEN;
    uint16_t len = 4;
    memcpy(cn, &idx, 4);
    memcpy(cn + 4, &val, 4);
    memcpy(cn + 16, &len, 2);
    memcpy(cn + CN_MSG_SIZE, &op, 4);
    struct nl_addr to = {.family = AF_NETLINK};
    if (sendto(fd, msg, sizeof(msg), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
        return -errno;
    uint64_t deadline = clock_mono_usec() + USEC_PER_SEC;
    for (;;) {
        uint64_t now = clock_mono_usec();
        if (now >= deadline)
            return -ETIMEDOUT; /* a namespace the kernel ignores subscriptions from */
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)((deadline - now) / 1000) + 1);
        if (r < 0 && errno != EINTR)
            return -errno;
        if (r <= 0)
            continue;
        unsigned char in[8192] __attribute__((aligned(8)));
        ssize_t n = recv(fd, in, sizeof(in), 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == ENOBUFS)
                continue;
            return -errno;
        }
        for (size_t at = 0; at + NL_HDRLEN <= (size_t)n;) {
            struct nl_hdr h;
            memcpy(&h, in + at, sizeof(h));
            if (h.len < NL_HDRLEN || h.len > (size_t)n - at)
                break;
            const unsigned char *ev = in + at + NL_HDRLEN + CN_MSG_SIZE;
            if (h.len >= NL_HDRLEN + CN_MSG_SIZE + 20 && u32_at(ev) == WHAT_NONE) {
                int err = int_at(ev + 16);
                return err ? -err : 0;
            }
            at += NL_ALIGN(h.len);
        }
    }
}

int proc_events_open(struct buf *err)
{
    if (ns_inode("/proc/self/ns/user") != PROC_INIT_USER_NS || ns_inode("/proc/self/ns/pid") != PROC_INIT_PID_NS) {
        buf_printf(err, "not in the machine's initial user and PID namespaces (a container?): the kernel sends "
                        "process events only there");
        return -EPERM;
    }
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR_PROTO);
    if (fd < 0) {
        int e = errno;
        buf_printf(err, "no process events connector here: %s (a network namespace of its own, or a kernel "
                        "without CONFIG_PROC_EVENTS)", strerror(e));
        return -e;
    }
    /* a storm of short processes makes events faster than a reader wakes: a large buffer loses fewer */
    int size = 8 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    struct nl_addr me = {.family = AF_NETLINK, .groups = CN_IDX_PROC};
    if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
        int e = errno;
        buf_printf(err, "cannot listen to process events: %s", strerror(e));
        close(fd);
        return -e;
    }
    int r = subscribe(fd);
    if (r < 0) {
        if (r == -EPERM)
            buf_printf(err, "process events need CAP_NET_ADMIN (root)");
        else if (r == -ETIMEDOUT)
            buf_printf(err, "the kernel did not answer the subscription to process events");
        else
            buf_printf(err, "cannot subscribe to process events: %s", strerror(-r));
        close(fd);
        return r;
    }
    return fd;
}

static bool parse_one(const unsigned char *ev, size_t len, struct proc_ev *out)
{
    if (len < 16)
        return false;
    memset(out, 0, sizeof(*out));
    uint32_t what = u32_at(ev);
    out->cpu = u32_at(ev + 4);
    memcpy(&out->mono_ns, ev + 8, 8);
    const unsigned char *d = ev + 16;
    size_t dl = len - 16;
    if (dl >= 8) {
        out->pid = int_at(d);
        out->tgid = int_at(d + 4);
    }
    switch (what) {
    case WHAT_FORK:
        if (dl < 16)
            return false;
        out->kind = PEV_FORK;
        out->ppid = int_at(d);
        out->ptgid = int_at(d + 4);
        out->pid = int_at(d + 8);
        out->tgid = int_at(d + 12);
        break;
    case WHAT_EXEC: out->kind = PEV_EXEC; break;
    case WHAT_UID:
    case WHAT_GID:
        if (dl < 16)
            return false;
        out->kind = what == WHAT_UID ? PEV_UID : PEV_GID;
        out->rid = u32_at(d + 8);
        out->eid = u32_at(d + 12);
        break;
    case WHAT_SID: out->kind = PEV_SID; break;
    case WHAT_PTRACE:
        if (dl < 16)
            return false;
        out->kind = PEV_PTRACE;
        out->tracer = int_at(d + 12);
        break;
    case WHAT_COMM:
        if (dl < 24)
            return false;
        out->kind = PEV_COMM;
        memcpy(out->comm, d + 8, 16);
        out->comm[16] = 0;
        break;
    case WHAT_COREDUMP:
        out->kind = PEV_COREDUMP;
        if (dl >= 16) {
            out->ppid = int_at(d + 8);
            out->ptgid = int_at(d + 12);
        }
        break;
    case WHAT_EXIT:
        if (dl < 16)
            return false;
        out->kind = PEV_EXIT;
        out->exit_code = int_at(d + 8);
        out->exit_signal = int_at(d + 12);
        if (dl >= 24) {
            out->ppid = int_at(d + 16);
            out->ptgid = int_at(d + 20);
        }
        break;
    default: out->kind = PEV_OTHER; break;
    }
    return true;
}

size_t proc_events_parse(const void *data, size_t len, struct proc_ev *evs, size_t max, uint32_t *last_seq,
                         size_t ncpus, uint64_t *lost)
{
    size_t n = 0;
    const unsigned char *in = data;
    for (size_t at = 0, next; n < max && at + NL_HDRLEN <= len; at = next) {
        struct nl_hdr h;
        memcpy(&h, in + at, sizeof(h));
        if (h.len < NL_HDRLEN || h.len > len - at)
            break;
        next = at + NL_ALIGN(h.len);
        if (h.len < NL_HDRLEN + CN_MSG_SIZE)
            continue;
        const unsigned char *cn = in + at + NL_HDRLEN;
        if (u32_at(cn) != CN_IDX_PROC || u32_at(cn + 4) != CN_VAL_PROC)
            continue;
        uint16_t plen;
        memcpy(&plen, cn + 16, 2);
        if ((size_t)plen + CN_MSG_SIZE > h.len - NL_HDRLEN)
            continue;
        if (!parse_one(cn + CN_MSG_SIZE, plen, &evs[n]))
            continue;
        evs[n].seq = u32_at(cn + 8);
        if (evs[n].kind != PEV_OTHER && evs[n].cpu < ncpus) {
            uint32_t *slot = &last_seq[evs[n].cpu];
            if (*slot && evs[n].seq > *slot) /* the slot holds the next seq expected */
                *lost += evs[n].seq - *slot;
            *slot = evs[n].seq + 1;
        }
        n++;
    }
    return n;
}
