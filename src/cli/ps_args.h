/* cli/ps_args: what ps_args.c (the words of a ps command line) and ps_formats.c (the formats and sort
 * orders those words defer, and the default lists) share; private to them. The names are procps's
 * (personality bits, format flags and modifiers, simple selections), so the two can be read side by side
 * with procps's own description of ps. */
#ifndef OYA_CLI_PS_ARGS_H
#define OYA_CLI_PS_ARGS_H

#include "ps.h"

#define PS_OUTBUF_COLS 131072

/* personality bits */
#define PER_BSD_h 0x1u
#define PER_BSD_m 0x2u
#define PER_FORCE_BSD 0x4u
#define PER_HPUX_x 0x8u
#define PER_IRIX_l 0x10u
#define PER_NO_DEFAULT_g 0x20u
#define PER_OLD_m 0x40u
#define PER_SANE_USER 0x80u
#define PER_SVR4_x 0x100u
#define PER_ZAP_ADDR 0x200u

/* format flags (which default list) and modifiers */
#define FF_Uf 0x1u
#define FF_Ul 0x2u
#define FF_Uj 0x4u
#define FF_Bj 0x8u
#define FF_Bl 0x10u
#define FF_Bs 0x20u
#define FF_Bu 0x40u
#define FF_Bv 0x80u
#define FF_LX 0x100u
#define FF_Lm 0x200u
#define FF_Fc 0x400u
#define FM_c 0x1u
#define FM_j 0x2u
#define FM_y 0x4u
#define FM_P 0x8u
#define FM_M 0x10u
#define FM_F 0x20u

#define SS_U_a 0x1u
#define SS_U_d 0x2u
#define SS_B_a 0x4u
#define SS_B_g 0x8u
#define SS_B_x 0x10u

enum sf_code { SF_U_o, SF_U_O, SF_B_o, SF_B_O, SF_G_format, SF_G_sort, SF_B_m };

struct sf {
    const char *arg;
    enum sf_code code;
};

struct parser {
    struct ps_ctx *ctx;
    int argc;
    char **argv;
    int thisarg;
    const char *flag; /* the option letter being read */
    bool force_bsd, prefer_bsd;
    unsigned personality;
    const char *bsd_j, *bsd_l, *bsd_s, *bsd_u, *bsd_v, *sysv_f, *sysv_fl, *sysv_j, *sysv_l;
    bool all, negate, running_only, unix_f, bsd_c, bsd_e, cumulative, user_is_number, wchan_is_number, services;
    unsigned simple, format_flags, format_modifiers, thread_flags;
    char forest;
    int header; /* -1: not yet set */
    int w_count, screen_cols, screen_rows;
    struct ps_sel *sels;
    size_t nsels;
    struct sf *sfs;
    size_t nsfs;
    bool have_gnu_sort, parsed_sort, parsed_format;
    struct ps_column *cols;
    size_t ncols;
    struct ps_sort_key *sorts;
    size_t nsorts;
    unsigned sort_needs;
    unsigned select_bits;
    int my_tty;
    const char *warning;
    const char *fatal; /* procps's internal errors: said as they are, exit 1 at once */
    char errbuf[128];
};

/* Turn the deferred -o/o/O/-O/k/--sort/--format arguments into columns and sort keys, then the default
 * list when none was given; NULL or procps's error (p->fatal set for its internal errors) */
const char *ps_process_sf(struct parser *p);

#endif
