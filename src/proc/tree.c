/* proc/tree: pstree-compatible tree building and drawing. */
#include "tree.h"

#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COMM_LEN 64 /* psmisc 23: the kernel's names in full (a kworker's is longer than 16) */

const char *const pstree_ns_names[8] = {"cgroup", "ipc", "mnt", "net", "pid", "user", "uts", "time"};

struct node {
    char comm[COMM_LEN + 3];
    int pid, pgid;
    unsigned uid;
    bool thread;
    int argc; /* -1: no command line (kernel thread, zombie) */
    bool hilite;
    double age;         /* seconds since it started (-C age) */
    uint64_t ns[8];     /* namespace inodes (-N, -S), in pstree_ns_names order */
    char **argv;
    struct node **kids;
    size_t nkids, capkids;
    struct node *parent;
};

struct tree {
    const struct pstree_opts *o;
    int procfd;
    double uptime;
    struct node **all; /* in creation order */
    size_t n, cap;
    struct node **hash; /* pid -> node, open addressing */
    size_t hcap;
    /* drawing state */
    struct buf *out;
    int cur_x, charlen;
    int *width, *more;
    size_t levels;
};

struct syms {
    const char *empty_2, *branch_2, *vert_2, *last_2, *single_3, *first_3;
};
static const struct syms sym_ascii = {"  ", "|-", "| ", "`-", "---", "-+-"};
static const struct syms sym_utf = {"  ", "\342\224\234\342\224\200", "\342\224\202 ", "\342\224\224\342\224\200",
                                    "\342\224\200\342\224\200\342\224\200", "\342\224\200\342\224\254\342\224\200"};
/* VT100: switch to the graphics set, draw, switch back */
static const struct syms sym_vt100 = {"  ", "\033(0\017tq\033(B", "\033(0\017x\033(B ", "\033(0\017mq\033(B",
                                      "\033(0\017qqq\033(B", "\033(0\017qwq\033(B"};

static size_t hash_slot(const struct tree *t, int pid)
{
    return ((size_t)(unsigned)pid * 2654435761u) & (t->hcap - 1);
}

static struct node *find_node(const struct tree *t, int pid)
{
    if (!t->hcap)
        return NULL;
    for (size_t i = hash_slot(t, pid);; i = (i + 1) & (t->hcap - 1)) {
        if (!t->hash[i])
            return NULL;
        if (t->hash[i]->pid == pid)
            return t->hash[i];
    }
}

static void hash_put(struct tree *t, struct node *nd)
{
    if ((t->n + 1) * 2 > t->hcap) {
        size_t old = t->hcap;
        struct node **oh = t->hash;
        t->hcap = old ? old * 2 : 1024;
        t->hash = xcalloc(t->hcap, sizeof(*t->hash));
        for (size_t i = 0; i < old; i++)
            if (oh[i])
                for (size_t k = hash_slot(t, oh[i]->pid);; k = (k + 1) & (t->hcap - 1))
                    if (!t->hash[k]) {
                        t->hash[k] = oh[i];
                        break;
                    }
        free(oh);
    }
    for (size_t k = hash_slot(t, nd->pid);; k = (k + 1) & (t->hcap - 1))
        if (!t->hash[k]) {
            t->hash[k] = nd;
            return;
        }
}

static void set_comm(struct node *nd, const char *comm)
{
    snprintf(nd->comm, sizeof(nd->comm), "%.*s", COMM_LEN + 2, comm);
}

static struct node *new_node(struct tree *t, const char *comm, int pid, unsigned uid)
{
    struct node *nd = xcalloc(1, sizeof(*nd));
    set_comm(nd, comm);
    nd->pid = pid;
    nd->uid = uid;
    if (t->o->ns_changes || t->o->ns_sort >= 0) {
        for (int i = 0; i < 8; i++) {
            char path[64];
            struct stat sb;
            snprintf(path, sizeof(path), "%d/ns/%s", pid, pstree_ns_names[i]);
            nd->ns[i] = fstatat(t->procfd, path, &sb, 0) == 0 ? (uint64_t)sb.st_ino : 0;
        }
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->all = xrealloc(t->all, t->cap * sizeof(*t->all));
    }
    hash_put(t, nd);
    t->all[t->n++] = nd;
    return nd;
}

/* Children are kept sorted: by PID with -n, else by name, then uid; equal ones in arrival order. */
static bool goes_after(const struct tree *t, const struct node *k, const struct node *child)
{
    if (t->o->by_pid)
        return k->pid > child->pid;
    int cmp = strcmp(k->comm, child->comm);
    return cmp > 0 || (cmp == 0 && k->uid > child->uid);
}

static void add_child(struct tree *t, struct node *parent, struct node *child)
{
    /* the first sibling that sorts after the new one (binary search: siblings are kept sorted) */
    size_t lo = 0, hi = parent->nkids;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (goes_after(t, parent->kids[mid], child))
            hi = mid;
        else
            lo = mid + 1;
    }
    size_t at = lo;
    if (parent->nkids == parent->capkids) {
        parent->capkids = parent->capkids ? parent->capkids * 2 : 4;
        parent->kids = xrealloc(parent->kids, parent->capkids * sizeof(*parent->kids));
    }
    memmove(parent->kids + at + 1, parent->kids + at, (parent->nkids - at) * sizeof(*parent->kids));
    parent->kids[at] = child;
    parent->nkids++;
}

static void add_kid_last(struct node *parent, struct node *child)
{
    if (parent->nkids == parent->capkids) {
        parent->capkids = parent->capkids ? parent->capkids * 2 : 4;
        parent->kids = xrealloc(parent->kids, parent->capkids * sizeof(*parent->kids));
    }
    parent->kids[parent->nkids++] = child;
}

/* A placeholder parent got its real name: one bubble pass over its siblings, as pstree does. */
static void rename_node(struct tree *t, struct node *nd, const char *comm, unsigned uid)
{
    set_comm(nd, comm);
    nd->uid = uid;
    if (t->o->by_pid || !nd->parent)
        return;
    struct node *p = nd->parent;
    for (size_t i = 0; i + 1 < p->nkids; i++)
        if (strcmp(p->kids[i]->comm, p->kids[i + 1]->comm) > 0) {
            struct node *tmp = p->kids[i];
            p->kids[i] = p->kids[i + 1];
            p->kids[i + 1] = tmp;
        }
}

/* pstree's reading of the command line: argv after the program name, with its exact NUL counting */
static void set_args(struct node *nd, const char *args, int size)
{
    if (!size) {
        nd->argc = -1;
        return;
    }
    nd->argc = 0;
    for (int i = 0; i < size - 1; i++)
        if (!args[i]) {
            nd->argc++;
            while (!args[i] && i < size - 1)
                i++;
        }
    if (!nd->argc)
        return;
    nd->argv = xcalloc((size_t)nd->argc, sizeof(char *));
    const char *start = strchr(args, 0) + 1;
    int rest = size - (int)(start - args);
    char *copy = xmalloc((size_t)(rest > 0 ? rest : 1));
    memcpy(copy, start, (size_t)(rest > 0 ? rest : 0));
    nd->argv[0] = copy;
    for (int i = 1; i < nd->argc; i++)
        nd->argv[i] = copy = strchr(copy, 0) + 1;
}

static void add_proc(struct tree *t, const char *comm, int pid, int ppid, int pgid, unsigned uid, const char *args,
                     int size, bool thread, double age)
{
    struct node *nd = find_node(t, pid);
    if (!nd)
        nd = new_node(t, comm, pid, uid);
    else
        rename_node(t, nd, comm, uid);
    if (args)
        set_args(nd, args, size);
    if (pid == ppid)
        ppid = 0;
    nd->pgid = pgid;
    nd->age = age;
    if (thread)
        nd->thread = true;
    struct node *parent = find_node(t, ppid);
    if (!parent)
        parent = new_node(t, "?", ppid, 0);
    if (pid != 0) {
        add_child(t, parent, nd);
        nd->parent = parent;
    }
}

static void read_threads(struct tree *t, int procfd, int pid, const char *comm, int pgid, unsigned uid, double age)
{
    int *tids;
    size_t n;
    if (proc_list_tasks(procfd, pid, &tids, &n) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        int tid = tids[i];
        if (tid == pid)
            continue;
        char name[COMM_LEN + 3], tcomm[64];
        const char *src = comm;
        if (t->o->thread_names) {
            struct proc_stat ts;
            char tpath[64];
            snprintf(tpath, sizeof(tpath), "%d/task/%d/stat", pid, tid);
            char text[1024];
            if (file_read_at(procfd, tpath, text, sizeof(text)) > 0 && proc_parse_stat(text, &ts) == 0) {
                snprintf(tcomm, sizeof(tcomm), "%s", ts.comm);
                src = tcomm;
            }
        }
        snprintf(name, sizeof(name), "{%.*s}", COMM_LEN, src);
        if (t->o->args)
            add_proc(t, name, tid, pid, pgid, uid, name, (int)strlen(name) + 1, true, age);
        else
            add_proc(t, name, tid, pid, pgid, uid, NULL, 0, true, age);
    }
    free(tids);
}

static void read_procs(struct tree *t, int procfd)
{
    int buffer_size = t->o->trunc ? t->o->width + 1 : 8192 + 1;
    char *buffer = xmalloc((size_t)buffer_size + 1);
    int dfd = openat(procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        if (end == de->d_name || *end)
            continue;
        char path[48], text[1024];
        struct proc_stat st;
        struct stat sb;
        snprintf(path, sizeof(path), "%ld", pid);
        if (fstatat(procfd, path, &sb, 0) < 0)
            continue;
        snprintf(path, sizeof(path), "%ld/stat", pid);
        if (file_read_at(procfd, path, text, sizeof(text)) <= 0 || proc_parse_stat(text, &st) < 0)
            continue; /* gone while we looked */
        double age = 0;
        if (t->o->color_age) {
            age = t->uptime - (double)st.starttime / (double)proc_clock_ticks();
            if (age < 0)
                age = 0;
        }
        if (!t->o->hide_threads && st.num_threads > 1) /* no task directory walk for one thread */
            read_threads(t, procfd, (int)pid, st.comm, st.pgrp, sb.st_uid, age);
        if (!t->o->args) {
            add_proc(t, st.comm, (int)pid, st.ppid, st.pgrp, sb.st_uid, NULL, 0, false, age);
            continue;
        }
        snprintf(path, sizeof(path), "%ld/cmdline", pid);
        int fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t size;
        do {
            size = read(fd, buffer, (size_t)buffer_size);
        } while (size < 0 && errno == EINTR);
        close(fd);
        if (size < 0)
            continue;
        if (size >= buffer_size)
            size--;
        if (size)
            buffer[size++] = 0;
        add_proc(t, st.comm, (int)pid, st.ppid, st.pgrp, sb.st_uid, buffer, (int)size, false, age);
    }
    if (d)
        closedir(d);
    free(buffer);
    /* processes whose parent was never seen (hidepid) hang under PID 1, most recent first */
    struct node *root = find_node(t, 1);
    if (!root)
        root = new_node(t, "?", 1, 0);
    for (size_t i = t->n; i-- > 0;) {
        struct node *w = t->all[i];
        if (w->pid == 1 || w->pid == 0 || w->parent)
            continue;
        add_child(t, root, w);
        w->parent = root;
    }
}

/* ---------- drawing, with pstree's column counting and truncation ---------- */

static void out_char(struct tree *t, char c)
{
    if (t->charlen == 0) {
        if ((c & 0x80) == 0)
            t->charlen = 1;
        else if ((c & 0xe0) == 0xc0)
            t->charlen = 2;
        else if ((c & 0xf0) == 0xe0)
            t->charlen = 3;
        else if ((c & 0xf8) == 0xf0)
            t->charlen = 4;
        else
            t->charlen = 1;
        t->cur_x++;
    }
    t->charlen--;
    if (!t->o->trunc || t->cur_x <= t->o->width)
        buf_putc(t->out, c);
    else if (t->cur_x == t->o->width + 1)
        buf_putc(t->out, '+');
}

static void out_string(struct tree *t, const char *s)
{
    while (*s)
        out_char(t, *s++);
}

/* pstree's number printer: non-negative only, and 0 prints as nothing */
static void out_int(struct tree *t, int x)
{
    char num[16];
    if (x <= 0)
        return;
    snprintf(num, sizeof(num), "%d", x);
    out_string(t, num);
}

static void out_newline(struct tree *t)
{
    buf_putc(t->out, '\n');
    t->cur_x = 1;
}

/* a name or argument: backslash doubled, anything outside printable ASCII as \ooo */
static int out_args(struct tree *t, const char *s)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\\') {
            out_string(t, "\\\\");
            n += 2;
        } else if (*p >= ' ' && *p <= '~') {
            out_char(t, (char)*p);
            n++;
        } else {
            char esc[8];
            snprintf(esc, sizeof(esc), "\\%03o", *p);
            out_string(t, esc);
            n += 4;
        }
    }
    return n;
}

/* -Z: `label' from the process's attr/current, its last character dropped (psmisc's fgets reading) */
static void out_scontext(struct tree *t, const struct node *nd)
{
    char path[48], text[1024];
    out_string(t, "`");
    snprintf(path, sizeof(path), "%d/attr/current", nd->pid);
    ssize_t n = file_read_at(t->procfd, path, text, sizeof(text));
    if (n > 0) {
        size_t len = strcspn(text, "\n");
        if (len < (size_t)n)
            len++; /* the newline is the character dropped */
        text[len ? len - 1 : 0] = 0;
        out_string(t, text);
    }
    out_string(t, "'");
}

static bool tree_equal(const struct tree *t, const struct node *a, const struct node *b)
{
    if (strcmp(a->comm, b->comm))
        return false;
    if (t->o->uid_changes && a->uid != b->uid)
        return false;
    if (t->o->ns_changes && memcmp(a->ns, b->ns, sizeof(a->ns)) != 0)
        return false;
    if (a->nkids != b->nkids)
        return false;
    for (size_t i = 0; i < a->nkids; i++)
        if (!tree_equal(t, a->kids[i], b->kids[i]))
            return false;
    return true;
}

static void ensure_levels(struct tree *t, size_t level)
{
    if (level < t->levels)
        return;
    size_t n = t->levels ? t->levels : 100;
    while (n <= level)
        n *= 2;
    t->width = xrealloc(t->width, n * sizeof(int));
    t->more = xrealloc(t->more, n * sizeof(int));
    t->levels = n;
}

/* Siblings identical to kids[i] that follow it are taken out; returns how many. */
static int take_duplicates(const struct tree *t, struct node *parent, size_t i, bool threads_only)
{
    if (!t->o->compact || (threads_only && !parent->kids[i]->thread))
        return 0;
    int count = 0;
    for (size_t k = i + 1; k < parent->nkids;) {
        if (tree_equal(t, parent->kids[i], parent->kids[k])) {
            memmove(parent->kids + k, parent->kids + k + 1, (parent->nkids - k - 1) * sizeof(*parent->kids));
            parent->nkids--;
            count++;
        } else {
            k++;
        }
    }
    return count;
}

static void dump_tree(struct tree *t, struct node *cur, int level, int rep, bool leaf, bool last, unsigned prev_uid,
                      int closing)
{
    const struct syms *sym = t->o->vt100 ? &sym_vt100 : t->o->unicode ? &sym_utf : &sym_ascii;
    if (!cur)
        return;
    if (!leaf)
        for (int lvl = 0; lvl < level; lvl++) {
            for (int i = t->width[lvl] + 1; i; i--)
                out_char(t, ' ');
            out_string(t, lvl == level - 1 ? (last ? sym->last_2 : sym->branch_2)
                                           : (t->more[lvl + 1] ? sym->vert_2 : sym->empty_2));
        }
    int add = 0;
    if (rep >= 2) {
        char num[16];
        add = snprintf(num, sizeof(num), "%d", rep) + 2;
        out_string(t, num);
        out_string(t, "*[");
    }
    if (t->o->color_age) /* escape sequences go out as they are: they take no column */
        buf_puts(t->out, cur->age < 60 ? "\033[32m" : cur->age < 3600 ? "\033[33m" : "\033[31m");
    if (cur->hilite && t->o->bold_on)
        buf_puts(t->out, t->o->bold_on);
    bool swapped = t->o->args;
    int info = t->o->args;
    if (swapped && cur->argc < 0)
        out_char(t, '(');
    int comm_len = out_args(t, cur->comm);
    int offset = t->cur_x;
    if (t->o->pids) {
        out_char(t, info++ ? ',' : '(');
        out_int(t, cur->pid);
    }
    if (t->o->pgids) {
        out_char(t, info++ ? ',' : '(');
        out_int(t, cur->pgid);
    }
    if (t->o->uid_changes && prev_uid != cur->uid) {
        out_char(t, info++ ? ',' : '(');
        struct passwd *pw = getpwuid(cur->uid);
        if (pw)
            out_string(t, pw->pw_name);
        else
            out_int(t, (int)cur->uid);
    }
    if (t->o->ns_changes && cur->parent) {
        for (int i = 0; i < 8; i++) {
            if (cur->ns[i] == 0 || cur->parent->ns[i] == 0 || cur->ns[i] == cur->parent->ns[i])
                continue;
            out_char(t, info++ ? ',' : '(');
            out_string(t, pstree_ns_names[i]);
        }
    }
    if (t->o->scontext) {
        out_char(t, info++ ? ',' : '(');
        out_scontext(t, cur);
    }
    if ((swapped && cur->argc < 0) || (!swapped && info))
        out_char(t, ')');
    if (cur->hilite && t->o->bold_off)
        buf_puts(t->out, t->o->bold_off);
    if (t->o->args) {
        for (int i = 0; i < cur->argc; i++) {
            if (i < cur->argc - 1) /* pstree puts no space before the last word */
                out_char(t, ' ');
            int len = 0;
            for (const char *h = cur->argv[i]; *h; h++)
                len += *h >= ' ' && *h <= '~' ? 1 : 4;
            if (t->cur_x + len <= t->o->width - (i == cur->argc - 1 ? 0 : 4) || !t->o->trunc) {
                out_args(t, cur->argv[i]);
            } else {
                out_string(t, "...");
                break;
            }
        }
    }
    if (t->o->color_age)
        buf_puts(t->out, "\033[0m");
    bool full_lines = t->o->args || t->o->scontext; /* one process a line */
    if (full_lines || cur->nkids == 0) {
        while (closing-- > 0)
            out_char(t, ']');
        out_newline(t);
    }
    ensure_levels(t, (size_t)level);
    t->more[level] = !last;
    if (full_lines) {
        t->width[level] = swapped + (comm_len > 1 ? 0 : -1);
        for (size_t i = 0; i < cur->nkids; i++) {
            int count = take_duplicates(t, cur, i, true);
            /* closing is -1 here (the loop above ran it down), hence pstree's "2 : 1" */
            dump_tree(t, cur->kids[i], level + 1, count + 1, false, i + 1 == cur->nkids, cur->uid,
                      cur->kids[i]->thread && t->o->compact ? closing + (count ? 2 : 1) : 0);
        }
        return;
    }
    t->width[level] = comm_len + t->cur_x - offset + add;
    if (t->cur_x >= t->o->width && t->o->trunc) {
        out_string(t, sym->first_3);
        out_string(t, "+");
        out_newline(t);
        return;
    }
    for (size_t i = 0; i < cur->nkids; i++) {
        int count = take_duplicates(t, cur, i, false);
        if (i == 0)
            out_string(t, i + 1 < cur->nkids ? sym->first_3 : sym->single_3);
        dump_tree(t, cur->kids[i], level + 1, count + 1, i == 0, i + 1 == cur->nkids, cur->uid,
                  closing + (count ? 1 : 0));
    }
}

static bool dump_by_user(struct tree *t, struct node *cur, unsigned uid, bool *dumped)
{
    if (!cur)
        return false;
    if (cur->uid == uid) {
        if (*dumped)
            buf_putc(t->out, '\n');
        dump_tree(t, cur, 0, 1, true, true, uid, 0);
        *dumped = true;
        return true;
    }
    for (size_t i = 0; i < cur->nkids; i++)
        dump_by_user(t, cur->kids[i], uid, dumped);
    return *dumped;
}

static void remove_kid(struct node *parent, const struct node *kid)
{
    for (size_t i = 0; i < parent->nkids; i++)
        if (parent->kids[i] == kid) {
            memmove(parent->kids + i, parent->kids + i + 1, (parent->nkids - i - 1) * sizeof(*parent->kids));
            parent->nkids--;
            return;
        }
}

/* -s PID: each ancestor keeps only the child on the way down */
static void trim_to_parents(struct node *cur)
{
    for (; cur && cur->parent; cur = cur->parent) {
        cur->parent->nkids = 0;
        add_kid_last(cur->parent, cur);
    }
}

/* -N TYPE: each process whose namespace differs from its parent's starts a tree under that namespace's
 * heading, namespaces in the order first met */
struct ns_group {
    uint64_t ino;
    struct node **roots;
    size_t n;
};

static void group_by_ns(struct node *cur, int id, struct ns_group **groups, size_t *ngroups)
{
    if (!cur->parent || cur->parent->ns[id] != cur->ns[id]) {
        size_t g = 0;
        while (g < *ngroups && (*groups)[g].ino != cur->ns[id])
            g++;
        if (g == *ngroups) {
            *groups = xrealloc(*groups, (*ngroups + 1) * sizeof(**groups));
            (*groups)[(*ngroups)++] = (struct ns_group){cur->ns[id], NULL, 0};
        }
        struct ns_group *gr = &(*groups)[g];
        gr->roots = xrealloc(gr->roots, (gr->n + 1) * sizeof(*gr->roots));
        gr->roots[gr->n++] = cur;
        if (cur->parent)
            remove_kid(cur->parent, cur);
        cur->parent = NULL;
    }
    struct node **kids = xmalloc((cur->nkids + 1) * sizeof(*kids));
    size_t n = cur->nkids;
    if (n)
        memcpy(kids, cur->kids, n * sizeof(*kids));
    for (size_t i = 0; i < n; i++)
        group_by_ns(kids[i], id, groups, ngroups);
    free(kids);
}

int pstree_render(int procfd, const struct pstree_opts *o, struct buf *out)
{
    struct tree t = {.o = o, .out = out, .cur_x = 1, .procfd = procfd};
    if (o->color_age) {
        struct proc_sys sys;
        proc_read_sys(procfd, &sys);
        t.uptime = sys.uptime;
    }
    read_procs(&t, procfd);
    for (struct node *h = o->highlight_pid ? find_node(&t, o->highlight_pid) : NULL; h; h = h->parent)
        h->hilite = true;
    int root_pid = o->root_pid;
    if (o->parents_of) {
        struct node *child = find_node(&t, o->parents_of);
        if (!child) {
            fprintf(stderr, "Process %d not found.\n", o->parents_of);
            root_pid = -1;
        } else {
            trim_to_parents(child);
            root_pid = 1;
        }
    }
    int rc = 0;
    if (root_pid == -1) {
        rc = 1;
    } else if (o->ns_sort >= 0) {
        struct ns_group *groups = NULL;
        size_t ngroups = 0;
        struct node *init = find_node(&t, 1);
        if (init)
            group_by_ns(init, o->ns_sort, &groups, &ngroups);
        for (size_t g = 0; g < ngroups; g++) {
            char head[32];
            snprintf(head, sizeof(head), "[%llu]\n", (unsigned long long)groups[g].ino);
            out_string(&t, head);
            for (size_t k = 0; k < groups[g].n; k++)
                dump_tree(&t, groups[g].roots[k], 0, 1, true, true, 0, 0);
            free(groups[g].roots);
        }
        free(groups);
    } else if (o->by_user) {
        bool dumped = false;
        if (!dump_by_user(&t, find_node(&t, 1), o->user_uid, &dumped)) {
            fprintf(stderr, "No processes found.\n");
            rc = 1;
        }
    } else {
        dump_tree(&t, find_node(&t, root_pid), 0, 1, true, true, 0, 0);
    }
    for (size_t i = 0; i < t.n; i++) {
        if (t.all[i]->argv) {
            free(t.all[i]->argv[0]);
            free(t.all[i]->argv);
        }
        free(t.all[i]->kids);
        free(t.all[i]);
    }
    free(t.all);
    free(t.hash);
    free(t.width);
    free(t.more);
    return rc;
}
