/* cli/ps: `oya ps`, shared by its parts: ps_args.c reads the command line the way procps-ng 4.0's ps
 * does (UNIX, BSD and GNU options, a second reading as BSD when the first fails, personalities) and
 * ps_formats.c the formats and sort orders it defers (PS_FORMAT too) into a plan; ps.c reads the
 * processes, selects, sorts, draws the forest and prints; ps_help.c holds `ps --help`. */
#ifndef OYA_CLI_PS_H
#define OYA_CLI_PS_H

#include "../proc/format.h"

#include <stdio.h>

enum ps_sel_kind {
    PS_SEL_RUID, PS_SEL_EUID, PS_SEL_RGID, PS_SEL_EGID, PS_SEL_PGRP, PS_SEL_PID, PS_SEL_PID_QUICK, PS_SEL_PPID,
    PS_SEL_TTY, PS_SEL_SESS, PS_SEL_COMM
};
struct ps_sel {
    enum ps_sel_kind kind;
    size_t n;
    long *ids;    /* numbers (ttys as device numbers) */
    char **names; /* command names */
};

/* thread display, as procps's flags */
#define PS_TF_B_H 0x1u
#define PS_TF_B_m 0x2u
#define PS_TF_U_m 0x4u
#define PS_TF_U_T 0x8u
#define PS_TF_U_L 0x10u
#define PS_TF_SHOW_PROC 0x100u
#define PS_TF_LOOSE_TASKS 0x200u
#define PS_TF_SHOW_TASK 0x400u
#define PS_TF_SHOW_BOTH 0x800u
#define PS_TF_MUST_USE 0x1000u

enum ps_header { PS_HEAD_SINGLE, PS_HEAD_MULTI, PS_HEAD_NONE };

/* What the command line asks for, ready to run. */
struct ps_plan {
    bool all, negate, running_only;
    unsigned select_bits; /* procps's table over (our euid, session leader, no tty, our tty) */
    bool use_table;       /* with a simple selection (a, x, -a, -d...) or no list */
    struct ps_sel *sels;
    size_t nsels;
    unsigned thread_flags;
    char forest; /* 0, 'b', 'g', 'u' */
    enum ps_header header;
    int screen_cols, screen_rows;
    bool bsd_c, bsd_e, cumulative, user_is_number, wchan_is_number, unix_f, services;
    struct ps_column *cols;
    size_t ncols;
    struct ps_sort_key *sorts;
    size_t nsorts;
    unsigned sort_needs;
    int my_tty;      /* the controlling terminal of ps itself (its stat's tty_nr) */
    unsigned my_euid;
    const char *warning; /* said on stderr before the output (PS_FORMAT ignored) */
};

/* Read argv into plan. Returns 0, or the exit status after printing what procps prints (help, version,
 * the specifier list, an error with the usage text); *done says ps should exit with it. */
int ps_plan_parse(struct ps_ctx *ctx, int argc, char **argv, struct ps_plan *plan, bool *done);
void ps_plan_free(struct ps_plan *plan);
void ps_help(const char *section, FILE *out);

#endif
