/* sup/files: the files oya keeps for a service. RuntimeDirectory=, StateDirectory=, CacheDirectory=,
 * LogsDirectory= and ConfigurationDirectory= are created before the first command of a start, with their
 * *Mode= and owned by User=/Group= (ConfigurationDirectory= stays root's, as in systemd);
 * RuntimeDirectory= is removed when the service stops, as RuntimeDirectoryPreserve= says. PIDFile= is read
 * to learn a forking service's main process and removed once the service is down. */
#include "sup_int.h"

#include "../exec/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p of path; the directories on the way are root's, 0755 (as systemd makes them) */
static int make_path(const char *path)
{
    char *p = xstrdup(path);
    int r = 0;
    for (char *slash = strchr(p + 1, '/');; slash = strchr(slash + 1, '/')) {
        if (slash)
            *slash = 0;
        if (mkdir(p, 0755) < 0 && errno != EEXIST) {
            r = -errno;
            break;
        }
        if (!slash)
            break;
        *slash = '/';
    }
    free(p);
    return r;
}

int sup_dirs_create(const struct unit *u, struct strv *env, struct buf *err)
{
    uid_t uid;
    gid_t gid;
    int r = exec_owner(u, &uid, &gid, NULL, err);
    if (r < 0)
        return r;
    for (int d = 0; d < UDIR_N; d++) {
        struct buf list = {0};
        for (size_t i = 0; i < u->dirs[d].n; i++) {
            char *path = xasprintf("%s/%s", unit_dir_base(d), u->dirs[d].v[i]);
            struct stat st;
            r = make_path(path);
            if (r == 0 && lstat(path, &st) == 0 && !S_ISDIR(st.st_mode))
                r = -ENOTDIR;
            if (r == 0 && chmod(path, (mode_t)u->dir_mode[d]) < 0)
                r = -errno;
            if (r == 0 && d != UDIR_CONFIGURATION && (uid != (uid_t)-1 || gid != (gid_t)-1) &&
                chown(path, uid, gid) < 0)
                r = -errno;
            if (r < 0) {
                buf_printf(err, "%s=%s: %s: %s", unit_dir_key(d), u->dirs[d].v[i], path, strerror(-r));
                free(path);
                buf_free(&list);
                return r;
            }
            buf_printf(&list, "%s%s", i ? ":" : "", path);
            free(path);
        }
        if (list.len) {
            char *a = xasprintf("%s=%s", unit_dir_env(d), list.p);
            strv_add(env, a);
            free(a);
        }
        buf_free(&list);
    }
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    remove(path);
    return 0;
}

void sup_dirs_remove_runtime(const struct unit *u, bool for_restart)
{
    if (u->runtime_preserve == PRESERVE_YES || (for_restart && u->runtime_preserve == PRESERVE_RESTART))
        return;
    for (size_t i = 0; i < u->dirs[UDIR_RUNTIME].n; i++) {
        char *path = xasprintf("%s/%s", unit_dir_base(UDIR_RUNTIME), u->dirs[UDIR_RUNTIME].v[i]);
        /* depth first, never following a link out of the directory */
        nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
        free(path);
    }
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
