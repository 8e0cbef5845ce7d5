/* sup/files: the files oya keeps for a service. RuntimeDirectory=, StateDirectory=, CacheDirectory=,
 * LogsDirectory= and ConfigurationDirectory= are created before the first command of a start, with their
 * *Mode= and owned by User=/Group= (ConfigurationDirectory= stays root's, as in systemd);
 * RuntimeDirectory= is removed when the service stops, as RuntimeDirectoryPreserve= says. PIDFile= is read
 * to learn a forking service's main process and removed once the service is down. */
#include "sup_int.h"

#include "../exec/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Open the directory rel below the directory fd base, one component at a time: openat with
 * O_NOFOLLOW|O_DIRECTORY, so a symlink a service planted on the way is never followed (ENOTDIR instead).
 * With make, missing components are made first (mkdirat): root's, 0755, as systemd makes them.
 * Returns a directory fd or -errno. */
static int open_dir_path(int base, const char *rel, bool make)
{
    int fd = fcntl(base, F_DUPFD_CLOEXEC, 3);
    if (fd < 0)
        return -errno;
    char copy[PATH_MAX], *save = NULL;
    if (snprintf(copy, sizeof(copy), "%s", rel) >= (int)sizeof(copy)) {
        close(fd);
        return -ENAMETOOLONG;
    }
    int r = 0;
    for (char *comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
        if (!strcmp(comp, "."))
            continue;
        if (make && mkdirat(fd, comp, 0755) < 0 && errno != EEXIST) {
            r = -errno;
            break;
        }
        int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) {
            r = errno == ELOOP ? -ENOTDIR : -errno;
            break;
        }
        close(fd);
        fd = next;
    }
    if (r < 0) {
        close(fd);
        return r;
    }
    return fd;
}

/* The base of a directory kind (/var/lib, or ~/.local/state for a user's oya), made with its parents
 * (0755) when missing, as systemd makes them: a minimal image may have no /var/cache, a new user no
 * ~/.cache. These are the manager's own directories, so links on the way are followed. */
static int open_base(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0 || errno != ENOENT)
        return fd >= 0 ? fd : -errno;
    char p[PATH_MAX];
    if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p))
        return -ENAMETOOLONG;
    for (char *slash = strchr(p + 1, '/');; slash = strchr(slash + 1, '/')) {
        if (slash)
            *slash = 0;
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            return -errno;
        if (!slash)
            break;
        *slash = '/';
    }
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

int sup_dirs_create(const struct unit *u, struct strv *env, struct buf *err)
{
    uid_t uid;
    gid_t gid;
    int r = exec_owner(u, &uid, &gid, err);
    if (r < 0)
        return r;
    for (int d = 0; d < UDIR_N; d++) {
        if (!u->dirs[d].n)
            continue;
        struct buf list = {0};
        int base = open_base(unit_dir_base(d));
        if (base < 0)
            r = base;
        for (size_t i = 0; r == 0 && i < u->dirs[d].n; i++) {
            char path[PATH_MAX];
            snprintf(path, sizeof(path), "%s/%s", unit_dir_base(d), u->dirs[d].v[i]);
            int fd = open_dir_path(base, u->dirs[d].v[i], true);
            r = fd < 0 ? fd : 0;
            /* on the fd: what is changed is the directory oya opened, whatever the path leads to now */
            if (r == 0 && fchmod(fd, (mode_t)u->dir_mode[d]) < 0)
                r = -errno;
            if (r == 0 && d != UDIR_CONFIGURATION && (uid != (uid_t)-1 || gid != (gid_t)-1) &&
                fchown(fd, uid, gid) < 0)
                r = -errno;
            if (fd >= 0)
                close(fd);
            if (r < 0)
                buf_printf(err, "%s=%s: %s: %s", unit_dir_key(d), u->dirs[d].v[i], path,
                           r == -ENOTDIR ? "not a directory (a symlink or a file is in the way)" : strerror(-r));
            else
                buf_printf(&list, "%s%s", i ? ":" : "", path);
        }
        if (r < 0 && base < 0)
            buf_printf(err, "%s=: %s: %s", unit_dir_key(d), unit_dir_base(d), strerror(-r));
        if (base >= 0)
            close(base);
        if (r < 0) {
            buf_free(&list);
            return r;
        }
        char *a = list.failed ? NULL : mem_asprintf("%s=%s", unit_dir_env(d), buf_str(&list));
        if (a)
            strv_add(env, a);
        free(a);
        buf_free(&list);
        if (!a || env->failed) {
            buf_printf(err, "%s=: out of memory while preparing the directories", unit_dir_key(d));
            return -ENOMEM;
        }
    }
    return 0;
}

#define RM_MAX_DEPTH 256

/* Remove what the directory fd dir holds, through fds only (unlinkat, openat O_NOFOLLOW): a symlink is
 * removed, never followed, and a directory swapped for a link while this runs is not entered. Stays on
 * the file system dev (a mount inside is left alone). */
static void remove_contents(int dir, dev_t dev, int depth)
{
    DIR *d = fdopendir(dir);
    if (!d) {
        close(dir);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0 || (errno != EISDIR && errno != EPERM))
            continue;
        int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0)
            continue;
        struct stat st;
        if (depth < RM_MAX_DEPTH && fstat(sub, &st) == 0 && st.st_dev == dev) {
            remove_contents(sub, dev, depth + 1);
            unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
        } else {
            close(sub);
        }
    }
    closedir(d);
}

static void remove_moved(int base, const struct strv *moved)
{
    struct stat bst;
    if (fstat(base, &bst) < 0)
        return;
    for (size_t i = 0; i < moved->n; i++) {
        int fd = openat(base, moved->v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0)
            remove_contents(fd, bst.st_dev, 0);
        unlinkat(base, moved->v[i], fd >= 0 ? AT_REMOVEDIR : 0);
    }
}

/* RuntimeDirectory= goes when the service stops. The directory is first renamed out of the way (to a
 * hidden name in its base, so a start that follows at once makes a fresh one), then emptied by a child
 * process: a service can fill it with a million files, and that must not hold up the loop. The child is
 * reaped by the one reaper like any other. */
int sup_dirs_remove_runtime(const struct unit *u, bool for_restart)
{
    if (u->runtime_preserve == PRESERVE_YES || (for_restart && u->runtime_preserve == PRESERVE_RESTART))
        return 0;
    if (!u->dirs[UDIR_RUNTIME].n)
        return 0;
    int base = open(unit_dir_base(UDIR_RUNTIME), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (base < 0)
        return 0;
    struct strv moved = {0};
    /* the deepest first: RuntimeDirectory=a a/b moves a/b out before a */
    for (size_t i = u->dirs[UDIR_RUNTIME].n; i-- > 0;) {
        const char *rel = u->dirs[UDIR_RUNTIME].v[i];
        char parent[PATH_MAX];
        snprintf(parent, sizeof(parent), "%s", rel);
        char *slash = strrchr(parent, '/');
        const char *name = slash ? slash + 1 : rel;
        if (slash)
            *slash = 0;
        int pfd = slash ? open_dir_path(base, parent, false) : fcntl(base, F_DUPFD_CLOEXEC, 3);
        char tmp[80];
        snprintf(tmp, sizeof(tmp), ".oya-removing-%d-%llx", getpid(), (unsigned long long)clock_mono_usec());
        if (pfd >= 0 && renameat(pfd, name, base, tmp) == 0)
            strv_add(&moved, tmp);
        if (pfd >= 0)
            close(pfd);
    }
    pid_t pid = moved.n ? fork() : 0;
    if (pid == 0 && moved.n)
        remove_moved(base, &moved);
    if (pid == 0 && moved.n)
        _exit(0);
    if (pid < 0)
        remove_moved(base, &moved); /* no process to do it: here, then */
    strv_clear(&moved);
    close(base);
    return pid > 0 ? pid : 0;
}

/* PIDFile=: read without blocking (a FIFO there must not stall the loop) and without trusting what a
 * service could have written. *trusted says whether the file alone may name a process outside the
 * service: only a root-owned file reached through root-owned directories and links (systemd's rule
 * since CVE-2018-16888); anything else must name one of the service's own processes. */
int sup_pidfile_read(const struct unit *u, bool *trusted)
{
    *trusted = false;
    if (!u->pid_file)
        return -ENOENT;
    char buf[64];
    bool unsafe;
    uid_t owner;
    ssize_t n = fs_read_small(u->pid_file, buf, sizeof(buf), &unsafe, &owner);
    if (n < 0)
        return (int)n;
    int pid;
    if (!str_to_int(str_strip(buf), &pid) || pid <= 1)
        return -EINVAL;
    *trusted = !unsafe && owner == 0;
    return pid;
}

/* Removed only where the way to it is root's: a service that owns a directory on the way could have
 * made it lead anywhere, and can remove its own PID file itself. */
void sup_pidfile_remove(const struct unit *u)
{
    if (!u->pid_file)
        return;
    bool unsafe;
    int fd = fs_chase(u->pid_file, false, &unsafe);
    if (fd < 0)
        return;
    close(fd);
    if (!unsafe)
        unlink(u->pid_file);
}
