/* proc/format: procps-compatible columns for `oya ps`: the table of format specifiers (headers, widths,
 * justification), how each value is printed and sorted, and the layout rule that places values on a
 * line (a value wider than its column pushes the line right and the following columns win the space
 * back). Output is meant to be byte-identical to procps-ng 4.0's `ps` for the same processes.
 * format.c: names, terminals, escaping, format lists (-o, macros, AIX %-codes) and the layout;
 * fields.c: the table of every specifier, its printer and its sort key. */
#ifndef OYA_PROC_FORMAT_H
#define OYA_PROC_FORMAT_H

#include "proc.h"

#include <time.h>

/* What a column or sort key needs read beyond /proc/PID/stat and the first lines of status. */
#define PS_NEED_STATUS 1u  /* the whole status file: signal masks, groups, memory sizes */
#define PS_NEED_ARGS 4u
#define PS_NEED_WCHAN 8u
#define PS_NEED_SERVICE 16u
#define PS_NEED_MORE 32u /* one-off files read when printed (exe, ns, cgroup, io, smaps...) */
#define PS_NEED_ENV 64u

struct ps_more; /* the one-off files, read on first use (fields.c) */

/* One process, or one thread of it (then st is the thread's and tgid the process's). */
struct ps_proc {
    struct proc_stat st;
    struct proc_status status;
    int tgid;
    bool task;         /* read from PID/task/TID (st.pid is the TID) */
    uint64_t rss_kb;   /* VmRSS */
    char *args;        /* cmdline, NUL-separated, or NULL when empty */
    size_t args_len;
    char *env;         /* environ, NUL-separated (BSD e), or NULL */
    size_t env_len;
    char *wchan;       /* as procps's library reads it ("?" unreadable, "-" none), when a column asks */
    const char *service; /* oya service that owns it, or NULL */
    struct ps_more *more;
};

/* Formatting context: system facts, options that change how values print, caches. */
struct ps_ctx {
    struct proc_sys sys;
    time_t now;
    bool utf8;
    bool user_is_number;  /* BSD n */
    bool wchan_is_number; /* BSD n */
    bool unix_f;          /* -f: comm shows the command line */
    bool bsd_c;           /* BSD c: the command name where the command line would be */
    bool bsd_e;           /* BSD e: the environment after the command */
    bool cumulative;      /* S: dead children's time and faults counted */
    bool wide_signals;    /* room for 16-digit signal masks */
    char forest_type;     /* 0, 'b' (f), 'g' (--forest), 'u' (-H) */
    const char *forest_prefix;
    int lines_to_next_header;
    int procfd;
    struct ps_names *names; /* uid/gid -> name cache */
};

enum ps_just { PS_AIX, PS_LEFT, PS_RIGHT, PS_USER, PS_WCHAN, PS_UNLIMITED, PS_SIGNAL };
/* which lines of `m` / `-m` (a process, then its threads) print a column */
enum ps_print { PS_PO, PS_TO, PS_AN, PS_ET };

struct ps_field;
struct ps_column {
    const struct ps_field *f; /* NULL: AIX filler text (the head) */
    char *head;
    int width;
};

void ps_ctx_init(struct ps_ctx *c, int procfd);
void ps_ctx_free(struct ps_ctx *c);
void ps_proc_clear(struct ps_proc *p); /* frees what a process holds */
/* Its directory relative to /proc: "PID", or "PID/task/TID" for a thread read as one */
void ps_proc_dir(const struct ps_proc *p, char *out, size_t size);

/* Parse a format list as -o takes it: "pid,user:12,comm=CMD" (a header override takes the rest of the
 * item), macros (DefBSD, OL_j...) and AIX descriptors ("%p %c"). Appends columns; returns 0 or -1 with
 * err set (procps's wording). */
int ps_format_parse(const struct ps_ctx *c, const char *list, struct ps_column **cols, size_t *n, char *err,
                    size_t errsize);
/* Count the items of a ps list as procps does (its first character is looked at even when it is empty; a
 * separator where an item should start is an error): the number, or -1 for an empty item; *trailing says
 * it ended on a separator. seps: the separators besides the terminating NUL. */
int ps_list_items(const char *s, const char *seps, bool *trailing);
/* One specifier or macro, appended (false when unknown) */
bool ps_format_add(const struct ps_ctx *c, const char *spec, struct ps_column **cols, size_t *n);
void ps_columns_free(struct ps_column *cols, size_t n);
unsigned ps_columns_needs(const struct ps_column *cols, size_t n);
bool ps_field_known(const char *spec);
/* the header procps gives a specifier ("" when unknown), for the -j/-L/-T insertions */
enum ps_print ps_column_print(const struct ps_column *col);
/* `ps L`: every specifier that prints something, with its header */
void ps_list_fields(struct buf *out);

/* The width procps grows the line to: screen columns times the smallest factor fitting the columns;
 * also decides whether signal masks get 16 digits. */
int ps_active_cols(struct ps_ctx *c, const struct ps_column *cols, size_t n, int screen_cols);
/* Render one line (p NULL: the header) and append it, newline included. A column whose print rule
 * excludes this line (m: threads under their process) prints "-" (mask PS_PO/PS_TO, or -1 for all). */
void ps_render(struct ps_ctx *c, const struct ps_column *cols, size_t n, const struct ps_proc *p, int skip,
               int active_cols, struct buf *out);

/* Sort: a key is a specifier's underlying value (every specifier is one, as in procps). */
struct ps_sort_key {
    const struct ps_field *f;
    int item;
    int order; /* 1 ascending, -1 descending, 0 compares nothing (procps's O after its first code) */
};
bool ps_sort_lookup(const char *spec, struct ps_sort_key *key, unsigned *needs);
/* procps sorts by a value only when some column, sort key or its own selection asked its library for
 * that value; the other keys compare nothing (`--sort=vsize` alone leaves the order as it was) */
void ps_sort_prune(struct ps_sort_key *keys, size_t n, const struct ps_column *cols, size_t ncols);
int ps_sort_compare(struct ps_ctx *c, const struct ps_sort_key *k, const struct ps_proc *a, const struct ps_proc *b);

/* Names and terminals, as ps prints them. */
const char *ps_user_name(struct ps_ctx *c, unsigned uid);  /* NULL when unknown */
const char *ps_group_name(struct ps_ctx *c, unsigned gid);
void ps_tty_name(int tty_nr, char *out, size_t size); /* "pts/3", "tty1", "?" */

#endif
