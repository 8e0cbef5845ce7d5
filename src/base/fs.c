/* base/fs: reaching files that someone else may control. oya runs as root; a path below a directory
 * that a service's user owns can be changed under oya's feet (a symlink, a FIFO, a renamed directory).
 * These helpers resolve a path one component at a time relative to directory fds, say whether anything
 * on the way belonged to someone other than root, and open files without blocking. */
#include "base.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FS_MAX_LINKS 40 /* as the kernel's own limit on symlinks in one lookup */

/* One step of the walk: the next component of the remaining path, copied into name. */
static const char *next_component(const char *p, char *name, size_t size, bool *too_long)
{
    while (*p == '/')
        p++;
    size_t n = strcspn(p, "/");
    *too_long = n >= size;
    if (!*too_long) {
        memcpy(name, p, n);
        name[n] = 0;
    }
    return p + n;
}

/* Walk path from "/" (or the working directory for a relative one) with O_PATH|O_NOFOLLOW at each
 * step, following symlinks by hand. *unsafe is set when a directory passed through or a link followed
 * is not root's: whoever owns it could have changed what the path leads to. With follow_last false the
 * last component is not followed. Returns an O_PATH fd of the object, or -errno. */
int fs_chase(const char *path, bool follow_last, bool *unsafe)
{
    *unsafe = false;
    if (!path || !*path)
        return -EINVAL;
    char *todo = mem_strdup(path);
    if (!todo)
        return -ENOMEM;
    int links = 0, r;
    int fd = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        r = -errno;
        goto out;
    }
    const char *p = todo;
    for (;;) {
        char name[NAME_MAX + 1];
        bool too_long;
        const char *rest = next_component(p, name, sizeof(name), &too_long);
        if (too_long) {
            r = -ENAMETOOLONG;
            goto out;
        }
        if (!name[0])
            break; /* trailing slashes: fd is the result */
        struct stat dir;
        if (fstat(fd, &dir) < 0) {
            r = -errno;
            goto out;
        }
        if (dir.st_uid != 0)
            *unsafe = true;
        int child = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (child < 0) {
            r = -errno;
            goto out;
        }
        struct stat st;
        if (fstat(child, &st) < 0) {
            r = -errno;
            close(child);
            goto out;
        }
        bool last = !*rest || rest[strspn(rest, "/")] == 0;
        if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
            char target[PATH_MAX];
            ssize_t n = readlinkat(child, "", target, sizeof(target) - 1);
            close(child);
            if (n < 0 || ++links > FS_MAX_LINKS) {
                r = n < 0 ? -errno : -ELOOP;
                goto out;
            }
            target[n] = 0;
            if (st.st_uid != 0)
                *unsafe = true;
            char *joined = mem_asprintf("%s/%s", target, rest);
            if (!joined) {
                r = -ENOMEM;
                goto out;
            }
            free(todo);
            todo = joined;
            p = todo;
            if (target[0] == '/') {
                close(fd);
                fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0) {
                    r = -errno;
                    goto out;
                }
            }
            continue;
        }
        close(fd);
        fd = child;
        p = rest;
    }
    free(todo);
    return fd;
out:
    free(todo);
    if (fd >= 0)
        close(fd);
    return r;
}

/* Open a regular file for reading without blocking on a FIFO or a device: the O_PATH fd from fs_chase
 * is checked first, then reopened through /proc/self/fd (the same inode, whatever the path is now). */
int fs_open_regular(int path_fd, struct stat *st)
{
    if (fstat(path_fd, st) < 0)
        return -errno;
    if (!S_ISREG(st->st_mode))
        return S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path_fd);
    int fd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

/* path chased (fs_chase) and opened for reading as a regular file (fs_open_regular) */
static int open_regular_path(const char *path, struct stat *st, bool *unsafe)
{
    int pfd = fs_chase(path, true, unsafe);
    if (pfd < 0)
        return pfd;
    int fd = fs_open_regular(pfd, st);
    close(pfd);
    return fd;
}

/* Read a small regular file (at most size-1 bytes, NUL-terminated), never blocking on a FIFO. */
ssize_t fs_read_small(const char *path, char *buf, size_t size, bool *unsafe, uid_t *owner)
{
    struct stat st;
    int fd = open_regular_path(path, &st, unsafe);
    if (fd < 0)
        return fd;
    if (owner)
        *owner = st.st_uid;
    ssize_t n = fd_read_all(fd, buf, size);
    close(fd);
    return n;
}

/* Read a whole regular file (up to max bytes, else -EFBIG), never blocking on a FIFO or a device. */
int fs_read_regular(const char *path, struct buf *b, size_t max)
{
    bool unsafe;
    struct stat st;
    int fd = open_regular_path(path, &st, &unsafe);
    if (fd < 0)
        return fd;
    int r = (size_t)st.st_size > max ? -EFBIG : fd_read_to_buf(fd, b);
    if (r == 0 && b->len > max)
        r = -EFBIG; /* it grew while read */
    close(fd);
    return r;
}
