/* sup/syslog: /dev/log. When oya is PID 1 (a container has no syslog daemon) or is given --syslog, it
 * serves the datagram socket daemons send syslog(3) messages to, and records each in the log of the
 * service its sender belongs to (the kernel tells the sender's PID: SO_PASSCRED), as stream "syslog",
 * with the message's priority, and its tag in front when it is not the service's own name. A sender that
 * is gone already (`logger` exits at once) is matched by its tag, else by its user. What comes from no
 * service goes into oya's own log ("@oya": `oya logs @oya`) and on its stderr. The message formats are logs/'s (RFC 3164 and 5424). */
#include "sup_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Is something already serving path (a syslog daemon)? */
static bool served(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    bool live = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return live;
}

void sup_syslog_setup(struct sup *s)
{
    const char *path = s->opts->syslog_path;
    if (!path && s->pid1 && !s->init)
        path = "/dev/log";
    if (!path || strcmp(path, "none") == 0)
        return;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(a.sun_path)) {
        fprintf(stderr, "oya: syslog: %s: path too long\n", path);
        return;
    }
    if (served(path)) {
        fprintf(stderr, "oya: syslog: %s is served by another process already; oya leaves it\n", path);
        return;
    }
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path); /* a dead socket a previous run left */
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        fprintf(stderr, "oya: syslog: cannot serve %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    chmod(path, 0666); /* every daemon, whatever its user, may log */
    s->syslog_w = (struct watch){W_SYSLOG, NULL};
    int r = sup_epoll_add(s, fd, EPOLLIN, &s->syslog_w);
    if (r < 0) {
        fprintf(stderr, "oya: syslog: cannot watch %s: %s\n", path, strerror(-r));
        close(fd);
        unlink(path);
        return;
    }
    s->syslog_fd = fd;
    snprintf(s->syslog_path, sizeof(s->syslog_path), "%s", path);
}

/* The service a message is from when its sender is gone already (`logger` exits at once): the one whose
 * name or SyslogIdentifier= is the tag, else the one running service that runs as the sender's user */
static struct service *guess_sender(struct sup *s, const char *tag, unsigned uid)
{
    struct service *by_uid = NULL;
    size_t users = 0;
    for (size_t i = 0; i < s->nsvcs; i++) {
        struct service *svc = s->svcs[i];
        const char *ident = svc->unit->syslog_identifier ? svc->unit->syslog_identifier : svc->unit->name;
        if (tag[0] && (strcmp(tag, ident) == 0 || strcmp(tag, svc->unit->name) == 0))
            return svc;
        if (uid && svc->run_uid == uid && svc->st.state != SVC_DEAD && svc->st.state != SVC_FAILED)
            by_uid = svc, users++;
    }
    return users == 1 ? by_uid : NULL;
}

static void record(struct sup *s, struct proc_snapshot *snap, bool *have_snap, int pid, unsigned uid,
                   const char *msg, size_t n)
{
    int prio, tag_pid;
    char tag[64];
    const char *text;
    size_t len;
    if (!log_syslog_parse(msg, n, &prio, tag, sizeof(tag), &tag_pid, &text, &len))
        return;
    if (!*have_snap)
        *have_snap = proc_snapshot_read(s->procfd, snap) == 0;
    struct service *svc = *have_snap && pid > 0 ? sup_owner_of(s, snap, pid) : NULL;
    /* gone, or a zombie already, also since the snapshot (a cgroup no longer lists an exited process):
     * the tag or the user tells */
    const struct proc_stat *p = *have_snap ? proc_snapshot_find(snap, pid) : NULL;
    struct proc_stat now;
    if (!svc && (!p || p->state == 'Z' || proc_read_stat(s->procfd, pid, &now) < 0 || now.state == 'Z'))
        svc = guess_sender(s, tag, uid);
    if (!svc) { /* from no service: oya's own log, and its stderr */
        struct buf b = {0};
        buf_printf(&b, "%s%s", tag, tag[0] ? ": " : "");
        buf_add(&b, text, len);
        sup_journal_own(s, LOG_SYSLOG, prio, pid, b.p, b.len);
        fprintf(stderr, "oya: syslog: %s\n", b.p);
        buf_free(&b);
        return;
    }
    const char *ident = svc->unit->syslog_identifier ? svc->unit->syslog_identifier : svc->unit->name;
    struct buf b = {0};
    if (tag[0] && strcmp(tag, ident) != 0)
        buf_printf(&b, "%s: ", tag);
    buf_add(&b, text, len);
    sup_journal_add_as(s, svc, LOG_SYSLOG, prio, pid, b.p ? b.p : "", b.len);
    buf_free(&b);
}

void sup_syslog_event(struct sup *s)
{
    struct proc_snapshot snap;
    bool have_snap = false;
    for (int batch = 0; batch < 256; batch++) {
        char msg[8192];
        union {
            struct cmsghdr h;
            char buf[CMSG_SPACE(sizeof(struct ucred))];
        } ctl;
        struct iovec iov = {msg, sizeof(msg)};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                            .msg_controllen = sizeof(ctl.buf)};
        ssize_t n = recvmsg(s->syslog_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        int pid = 0;
        unsigned uid = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
                struct ucred cr;
                memcpy(&cr, CMSG_DATA(c), sizeof(cr));
                pid = cr.pid;
                uid = cr.uid;
            }
        record(s, &snap, &have_snap, pid, uid, msg, (size_t)n);
    }
    if (have_snap)
        proc_snapshot_free(&snap);
}

void sup_syslog_close(struct sup *s)
{
    if (s->syslog_fd < 0)
        return;
    sup_epoll_close(s, &s->syslog_fd);
    unlink(s->syslog_path);
}
