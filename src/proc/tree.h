/* proc/tree: the process tree as psmisc's pstree draws it (sorting, thread nodes, merging of identical
 * siblings as N*[name], truncation at the output width), byte-identical to pstree for the same
 * processes and options. */
#ifndef OYA_PROC_TREE_H
#define OYA_PROC_TREE_H

#include "../base/base.h"

struct pstree_opts {
    bool args;         /* -a */
    bool pids;         /* -p (turns compaction off) */
    bool pgids;        /* -g */
    bool uid_changes;  /* -u */
    bool by_pid;       /* -n */
    bool hide_threads; /* -T */
    bool thread_names; /* -t */
    bool compact;      /* on unless -c or -p */
    bool trunc;        /* off with -l */
    bool unicode;      /* line drawing: UTF-8 (-U) or ASCII (-A) */
    bool vt100;        /* -G: the VT100 line-drawing character set */
    bool color_age;    /* -C age: green under a minute, yellow under an hour, red */
    bool ns_changes;   /* -S */
    bool scontext;     /* -Z */
    int ns_sort;       /* -N TYPE: index into pstree_ns_names, or -1 */
    int highlight_pid; /* -h / -H PID: this process and its ancestors in bold (0: none) */
    const char *bold_on, *bold_off; /* the terminal's bold and normal sequences (-h, -H) */
    int parents_of;    /* -s with a PID: only that process's ancestors above it (0: off) */
    int width;         /* output width */
    int root_pid;      /* PID argument (default 1) */
    bool by_user;      /* USER argument given */
    unsigned user_uid;
};

/* psmisc's namespace order (-N, -S) */
extern const char *const pstree_ns_names[8];

/* Read /proc and render. Returns 0, or 1 when a USER had no processes (message on stderr). */
int pstree_render(int procfd, const struct pstree_opts *o, struct buf *out);


#endif
