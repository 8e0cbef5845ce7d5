/* proc/format: procps-compatible columns for `oya ps`: the table of format specifiers (headers, widths,
 * justification), how each value is printed, and the layout rule that places values on a line
 * (a value wider than its column pushes the line right and the following columns win the space back).
 * Output is meant to be byte-identical to procps-ng 4.x `ps` for the same processes. */
#ifndef OYA_PROC_FORMAT_H
#define OYA_PROC_FORMAT_H

#include "proc.h"

#include <time.h>

/* What a column needs read beyond /proc/PID/stat. */
#define PS_NEED_STATUS 1u
#define PS_NEED_RSS 2u
#define PS_NEED_ARGS 4u
#define PS_NEED_WCHAN 8u
#define PS_NEED_SERVICE 16u

/* One process as ps shows it. */
struct ps_proc {
    struct proc_stat st;
    struct proc_status status;
    uint64_t rss_kb;   /* exact, from statm */
    char *args;        /* cmdline, NUL-separated, or NULL when empty */
    size_t args_len;
    char wchan[64];
    const char *service; /* oya service that owns it, or NULL */
};

/* Formatting context: system facts and caches, shared by every line. */
struct ps_ctx {
    struct proc_sys sys;
    time_t now;
    bool utf8;
    bool user_is_number; /* BSD n */
    int procfd;
    struct ps_names *names; /* uid/gid -> name cache */
};

enum ps_just { PS_LEFT, PS_RIGHT, PS_USER, PS_WCHAN, PS_UNLIMITED };

struct ps_field;
struct ps_column {
    const struct ps_field *f;
    char *head;
    int width;
};

void ps_ctx_init(struct ps_ctx *c, int procfd);
void ps_ctx_free(struct ps_ctx *c);

/* Parse a format list as -o takes it: "pid,user:12,comm=CMD" (a header override takes the rest of the
 * item). Appends columns; returns 0 or -1 with err set (procps's wording). */
int ps_format_parse(const struct ps_ctx *c, const char *list, struct ps_column **cols, size_t *n, char *err,
                    size_t errsize);
void ps_columns_free(struct ps_column *cols, size_t n);
unsigned ps_columns_needs(const struct ps_column *cols, size_t n);
bool ps_field_known(const char *spec);

/* The width procps grows the line to: screen columns times the smallest factor fitting the columns. */
int ps_active_cols(const struct ps_column *cols, size_t n, int screen_cols);
/* Render one line (p NULL: the header) and append it, newline included. */
void ps_render(const struct ps_ctx *c, const struct ps_column *cols, size_t n, const struct ps_proc *p,
               int active_cols, struct buf *out);

/* Sort: compare two processes by a format specifier (ascending). NULL spec -> not sortable. */
typedef int (*ps_cmp_fn)(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b);
ps_cmp_fn ps_sort_key(const char *spec, unsigned *needs);

/* Names and terminals, as ps prints them. */
const char *ps_user_name(struct ps_ctx *c, unsigned uid);  /* NULL when unknown */
const char *ps_group_name(struct ps_ctx *c, unsigned gid);
void ps_tty_name(int tty_nr, char *out, size_t size); /* "pts/3", "tty1", "?" */

#endif
