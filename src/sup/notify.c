/* sup/notify: the sd_notify socket. One datagram socket for every service (like systemd's
 * /run/systemd/notify), handed to services as NOTIFY_SOCKET. SO_PASSCRED makes the kernel attach the
 * sender's PID to each message, so a message is only believed from a process NotifyAccess= allows.
 * The name is abstract by default ("@oya/notify/" and 128 random bits: reachable from any user and any
 * mount namespace, no file to clean up, and not guessable, so no local user can bind it first);
 * `oya up --notify-socket PATH` binds a path instead (or another "@name"). */
#include "sup_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Fill addr from "@name" (abstract) or a path; returns the address length, or -ENAMETOOLONG. */
static int notify_addr(const char *name, struct sockaddr_un *addr)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof(addr->sun_path))
        return -ENAMETOOLONG;
    memcpy(addr->sun_path, name, n);
    if (name[0] == '@')
        addr->sun_path[0] = 0; /* abstract: no terminating NUL, the length says where it ends */
    else
        n++;
    return (int)(offsetof(struct sockaddr_un, sun_path) + n);
}

/* The default name: abstract, with 128 random bits. Abstract names belong to whoever binds first, and
 * any local user may bind; a name nobody can guess cannot be taken before oya binds it. */
static int random_name(char *out, size_t size)
{
    unsigned char r[16];
    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
        return -1;
    int n = snprintf(out, size, "@oya/notify/");
    for (size_t i = 0; i < sizeof(r); i++)
        n += snprintf(out + n, size - (size_t)n, "%02x", r[i]);
    return 0;
}

static int notify_bind(struct sup *s)
{
    struct sockaddr_un addr;
    int len = notify_addr(s->notify_name, &addr);
    if (len < 0) {
        fprintf(stderr, "oya: notify socket %s: the name is too long (at most %zu bytes)\n", s->notify_name,
                sizeof(addr.sun_path) - 1);
        errno = ENAMETOOLONG;
        return -1;
    }
    if (s->notify_name[0] != '@')
        unlink(s->notify_name); /* a socket left by an oya that was killed */
    return bind(s->notify_fd, (struct sockaddr *)&addr, (socklen_t)len);
}

int sup_notify_open(struct sup *s)
{
    s->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    if (s->notify_fd < 0 || setsockopt(s->notify_fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
        goto fail;
    if (s->opts->notify_socket) {
        snprintf(s->notify_name, sizeof(s->notify_name), "%s", s->opts->notify_socket);
        if (notify_bind(s) < 0)
            goto fail;
    } else {
        int r = -1;
        for (int tries = 0; r < 0 && tries < 4; tries++) /* a collision of 128 random bits: try again */
            r = random_name(s->notify_name, sizeof(s->notify_name)) < 0 ? -1 : notify_bind(s);
        if (r < 0)
            goto fail;
    }
    /* services may run as other users: anyone may send, only the senders NotifyAccess= names count */
    if (s->notify_name[0] != '@' && chmod(s->notify_name, 0666) < 0)
        goto fail;
    s->notify_w = (struct watch){W_NOTIFY, NULL};
    int r = sup_epoll_add(s, s->notify_fd, EPOLLIN, &s->notify_w);
    if (r == 0)
        return 0;
    errno = -r;
fail:
    fprintf(stderr, "oya: notify socket %s: %s; Type=notify services cannot report readiness\n", s->notify_name,
            strerror(errno));
    fd_close(&s->notify_fd);
    s->notify_name[0] = 0;
    return -1;
}

void sup_notify_close(struct sup *s)
{
    if (s->notify_fd < 0)
        return;
    fd_close(&s->notify_fd);
    if (s->notify_name[0] && s->notify_name[0] != '@')
        unlink(s->notify_name);
}

static void notify_refuse(struct service *svc, int pid)
{
    if (svc->notify_refused == pid)
        return; /* said once per sender, not once per message */
    svc->notify_refused = pid;
    fprintf(stderr, "oya: %s: notification from PID %d ignored: NotifyAccess=%s allows %s\n", svc->unit->name, pid,
            svc->unit->notify_access == NOTIFY_NONE   ? "none"
            : svc->unit->notify_access == NOTIFY_MAIN ? "main"
                                                      : "exec",
            svc->unit->notify_access == NOTIFY_NONE   ? "no process"
            : svc->unit->notify_access == NOTIFY_MAIN ? "only the main process"
                                                      : "only the main and the control processes");
}

/* The users whose datagrams are worth a look: root, oya's own, every user a service process was started
 * as, and every user a main or control process has spoken as. Anything else is dropped at the cost of its
 * recvmsg and a look at the services' PIDs, so a local user who runs no service cannot make oya read /proc
 * once per datagram. */
static int cmp_uid(const void *a, const void *b)
{
    uid_t x = *(const uid_t *)a, y = *(const uid_t *)b;
    return (x > y) - (x < y);
}

static bool notify_uid_allowed(const struct sup *s, uid_t uid)
{
    return uid == 0 || uid == geteuid() ||
           (s->notify_nuids && bsearch(&uid, s->notify_uids, s->notify_nuids, sizeof(uid_t), cmp_uid));
}

int sup_notify_room(struct sup *s)
{
    return mem_reserve(&s->notify_uids, &s->notify_cap, s->notify_nuids + 1, sizeof(uid_t));
}

void sup_notify_allow_uid(struct sup *s, uid_t uid)
{
    if (notify_uid_allowed(s, uid) || s->notify_nuids == s->notify_cap) /* (room made before the start) */
        return;
    s->notify_uids[s->notify_nuids++] = uid;
    qsort(s->notify_uids, s->notify_nuids, sizeof(uid_t), cmp_uid);
}

/* A datagram from a user no service was started as. A daemon started as root that drops to a user of
 * its own before it says READY=1 speaks as that user: unbound and named from their main process, squid
 * from a worker (NotifyAccess=all). A main or control process is known by its PID alone; a worker by its
 * session (one read of /proc, and only when a service hears all its processes: a process cannot join a
 * session it was not born into). Either way its user is heard from then on. A PID found to be a stranger
 * is remembered, so a flood from it costs its receipt and a look at the services' PIDs. */
static bool notify_stranger_heard(struct sup *s, int pid, uid_t uid)
{
    if (sup_by_pid(s, pid, NULL))
        goto heard;
    bool any_all = false;
    for (size_t i = 0; i < s->nsvcs; i++)
        any_all = any_all || (s->svcs[i]->unit->notify_access == NOTIFY_ALL && s->svcs[i]->sid > 0);
    if (!any_all)
        return false;
    for (size_t k = 0; k < ARRAY_SIZE(s->notify_strangers); k++)
        if (s->notify_strangers[k] == pid)
            return false;
    struct proc_stat ps;
    if (proc_read_stat(s->procfd, pid, &ps) == 0) {
        for (size_t i = 0; i < s->nsvcs; i++) {
            const struct service *svc = s->svcs[i];
            if (svc->unit->notify_access == NOTIFY_ALL && svc->sid > 0 && ps.session == svc->sid)
                goto heard;
        }
    }
    s->notify_strangers[s->notify_next_stranger++ % ARRAY_SIZE(s->notify_strangers)] = pid;
    return false;
heard:
    if (sup_notify_room(s) == 0)
        sup_notify_allow_uid(s, uid);
    return true;
}

/* One /proc scan serves every datagram of a batch that needs one (NotifyAccess=all senders) */
struct notify_batch {
    bool scanned, ok;
    struct proc_snapshot snap;
    int *owner; /* sup_owners of snap */
};

/* Which service pid may speak for, by NotifyAccess=: main only its main process; exec also its control
 * process (ExecStartPre=, ExecStartPost=, ...); all any process of the service. */
static struct service *notify_sender(struct sup *s, int pid, struct notify_batch *batch)
{
    bool any_all = false;
    for (size_t i = 0; i < s->nsvcs; i++) {
        struct service *svc = s->svcs[i];
        if (svc->st.main_pid == pid) {
            if (svc->unit->notify_access != NOTIFY_NONE)
                return svc;
            notify_refuse(svc, pid);
            return NULL;
        }
        if (svc->st.control_pid == pid && svc->unit->notify_access >= NOTIFY_EXEC)
            return svc; /* NotifyAccess=exec (and all): ExecStartPre= and the other commands too */
        any_all = any_all || svc->unit->notify_access == NOTIFY_ALL;
    }
    /* the main process's session is where a sender usually is: one read tells whose it is */
    struct proc_stat ps;
    if (proc_read_stat(s->procfd, pid, &ps) == 0) {
        for (size_t i = 0; i < s->nsvcs; i++) {
            struct service *svc = s->svcs[i];
            if (svc->sid > 0 && ps.session == svc->sid) {
                if (svc->unit->notify_access == NOTIFY_ALL)
                    return svc;
                notify_refuse(svc, pid);
                return NULL;
            }
        }
    }
    if (!any_all) {
        /* gone already, or no process of any service: said once per sender, as systemd says it */
        if (s->notify_stray != pid)
            fprintf(stderr, "oya: notification from PID %d ignored: not the main process of a service (NotifyAccess=main "
                            "accepts only that)\n", pid);
        s->notify_stray = pid;
        return NULL; /* no service listens to other processes: not worth a scan of /proc */
    }
    if (!batch->scanned) {
        batch->scanned = true;
        batch->ok = sup_scan_owners(s, &batch->snap, &batch->owner) == 0; /* out of memory: as if gone */
    }
    const struct proc_stat *p = batch->ok ? proc_snapshot_find(&batch->snap, pid) : NULL;
    int o = p ? batch->owner[p - batch->snap.procs] : -1;
    struct service *owner = o >= 0 && (size_t)o < s->nsvcs ? s->svcs[o] : NULL;
    if (owner && owner->unit->notify_access != NOTIFY_ALL) {
        notify_refuse(owner, pid);
        owner = NULL;
    }
    return owner;
}

/* MAINPID=: the service names its new main process (a daemon that forked); believed only for a
 * process of the service, as systemd does for unprivileged senders. */
static void notify_main_pid(struct sup *s, struct service *svc, int pid)
{
    if (pid == svc->st.main_pid)
        return;
    struct proc_snapshot snap;
    if (proc_snapshot_read(s->procfd, &snap) < 0)
        return;
    bool member = sup_is_member(s, svc, &snap, pid);
    proc_snapshot_free(&snap);
    if (!member) {
        fprintf(stderr, "oya: %s: MAINPID=%d ignored: that process does not belong to the service\n", svc->unit->name,
                pid);
        return;
    }
    if (sup_watch_main(s, svc, pid) == 0)
        svc->st.main_pid = svc->st.last_pid = pid;
}

static void notify_message(struct sup *s, int pid, const char *text, size_t n, struct notify_batch *batch)
{
    struct service *svc = notify_sender(s, pid, batch);
    if (!svc)
        return;
    struct svc_notify_msg m;
    svc_notify_parse(text, n, &m);
    if (m.main_pid && (svc->st.state == SVC_START || svc->st.state == SVC_RUNNING))
        notify_main_pid(s, svc, m.main_pid);
    sup_feed(s, svc, (struct sup_event){.kind = SUP_EV_NOTIFY, .msg = &m});
}

void sup_notify_event(struct sup *s)
{
    struct notify_batch batch = {0};
    for (int round = 0; round < 64; round++) { /* bounded: the loop comes back for the rest */
        char text[4096];
        union {
            struct cmsghdr h;
            char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
        } ctl;
        struct iovec iov = {text, sizeof(text) - 1};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl)};
        ssize_t n = recvmsg(s->notify_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break; /* EAGAIN: nothing more */
        }
        int pid = 0;
        uid_t uid = (uid_t)-1;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level != SOL_SOCKET)
                continue;
            if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
                struct ucred cred;
                memcpy(&cred, CMSG_DATA(c), sizeof(cred));
                pid = cred.pid;
                uid = cred.uid;
            } else if (c->cmsg_type == SCM_RIGHTS) {
                /* FDSTORE= and the like: oya keeps no file descriptors for services; close them */
                size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < nfd; i++) {
                    int fd;
                    memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                    close(fd);
                }
            }
        }
        if (pid <= 0 || (size_t)n >= sizeof(text) || (mh.msg_flags & MSG_CTRUNC))
            continue; /* no credentials, or cut: not believed */
        if (!notify_uid_allowed(s, uid) && !notify_stranger_heard(s, pid, uid))
            continue; /* no service runs as that user: nothing it says can matter */
        notify_message(s, pid, text, (size_t)n, &batch);
    }
    if (batch.ok) {
        proc_snapshot_free(&batch.snap);
        free(batch.owner);
    }
}
