/* cli/ps_formats: the formats and sort orders a ps command line defers (-o o -O O k --sort --format,
 * PS_FORMAT), merged as procps merges them, and the default lists: the SysV list built from -f -l -F -y -c
 * -j -L -T -P -M, the BSD and personality macros, and the -j/-y/-c/-L/-T/-M changes to them. */
#include "ps_args.h"

#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *format_list(struct parser *p, const char *arg, struct ps_column **cols, size_t *n)
{
    if (ps_format_parse(p->ctx, arg, cols, n, p->errbuf, sizeof(p->errbuf)) < 0)
        return p->errbuf;
    return NULL;
}

static const char *long_sort(struct parser *p, const char *arg)
{
    bool trailing;
    int items = ps_list_items(arg, " ,\t\n", &trailing);
    if (items < 0)
        return "improper sort list";
    if (!items)
        return "empty sort list";
    char *copy = xstrdup(arg), *walk = copy;
    if (trailing)
        copy[strlen(copy) - 1] = 0;
    const char *err = NULL;
    for (int k = 0; k < items && !err; k++) {
        char *sep = strpbrk(walk, " ,\t\n");
        if (sep)
            *sep = 0;
        int order = 1;
        const char *spec = walk;
        if (*spec == '-' || *spec == '+')
            order = *spec++ == '-' ? -1 : 1;
        struct ps_sort_key key;
        if (!ps_sort_lookup(spec, &key, &p->sort_needs)) {
            err = "unknown sort specifier";
            break;
        }
        key.order = order;
        p->sorts = xrealloc(p->sorts, (p->nsorts + 1) * sizeof(*p->sorts));
        p->sorts[p->nsorts++] = key;
        walk = sep ? sep + 1 : walk + strlen(walk);
    }
    free(copy);
    return err;
}

static const char *short_sort_spec(char code)
{
    static const struct {
        char code;
        const char *spec;
    } codes[] = {{'C', "pcpu"}, {'G', "tpgid"}, {'J', "cstime"}, {'M', "maj_flt"}, {'N', "cmaj_flt"},
                 {'P', "ppid"}, {'R', "resident"}, {'S', "share"}, {'T', "start_time"}, {'U', "uid"},
                 {'c', "cmd"}, {'f', "flags"}, {'g', "pgrp"}, {'j', "cutime"}, {'k', "utime"}, {'m', "min_flt"},
                 {'n', "cmin_flt"}, {'o', "session"}, {'p', "pid"}, {'r', "rss"}, {'s', "size"}, {'t', "tty"},
                 {'u', "user"}, {'v', "vsize"}, {'y', "priority"}};
    for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
        if (codes[i].code == code)
            return codes[i].spec;
    return NULL;
}

/* O's sort codes ("O-p+r"): checked first, since O is also a format */
static const char *verify_short_sort(struct parser *p, const char *arg)
{
    const char *all = "CGJKMNPRSTUcfgjkmnoprstuvy+-";
    bool seen[256] = {false};
    if (strspn(arg, all) != strlen(arg))
        return "bad sorting code";
    for (const char *w = arg; *w; w++) {
        if (*w == '+' || *w == '-') {
            if (!w[1] || w[1] == '+' || w[1] == '-')
                return "bad sorting code";
            continue;
        }
        if (*w == 'P' && p->forest)
            return "PPID sort and forest output conflict";
        if (seen[(unsigned char)*w])
            return "bad sorting code";
        seen[(unsigned char)*w] = true;
    }
    return NULL;
}

static const char *short_sort(struct parser *p, const char *arg)
{
    int order = 1;
    for (const char *w = arg; *w; w++) {
        if (*w == '+' || *w == '-') {
            order = *w == '-' ? -1 : 1;
            continue;
        }
        const char *spec = short_sort_spec(*w);
        struct ps_sort_key key;
        if (!spec || !ps_sort_lookup(spec, &key, &p->sort_needs))
            return "unknown sort specifier";
        key.order = order;
        p->sorts = xrealloc(p->sorts, (p->nsorts + 1) * sizeof(*p->sorts));
        p->sorts[p->nsorts++] = key;
        order = 0; /* as procps: a code without its own sign after the first compares nothing */
    }
    return NULL;
}

/* O and -O: the format goes between PID and the default trailer */
static void o_wrap(struct parser *p, struct ps_column *cols, size_t n, char otype)
{
    ps_format_add(p->ctx, "pid", &p->cols, &p->ncols);
    for (size_t i = 0; i < n; i++) {
        p->cols = xrealloc(p->cols, (p->ncols + 1) * sizeof(*p->cols));
        p->cols[p->ncols++] = cols[i];
    }
    ps_format_add(p->ctx, otype == 'b' ? "END_BSD" : "END_SYS5", &p->cols, &p->ncols);
    free(cols);
}

static void append_cols(struct parser *p, struct ps_column *cols, size_t n)
{
    p->cols = xrealloc(p->cols, (p->ncols + n + 1) * sizeof(*p->cols));
    memcpy(p->cols + p->ncols, cols, n * sizeof(*cols));
    p->ncols += n;
    free(cols);
}

static const char *one_sf(struct parser *p, const struct sf *sf)
{
    struct ps_column *cols = NULL;
    size_t n = 0;
    const char *err;
    switch (sf->code) {
    case SF_B_o: case SF_G_format: case SF_U_o:
        if ((err = format_list(p, sf->arg, &cols, &n))) {
            free(cols);
            return err;
        }
        p->parsed_format = true;
        append_cols(p, cols, n);
        return NULL;
    case SF_U_O:
        if (p->parsed_format)
            return "option -O can not follow other format options";
        if ((err = format_list(p, sf->arg, &cols, &n))) {
            free(cols);
            return err;
        }
        p->parsed_format = true;
        o_wrap(p, cols, n, 'u');
        return NULL;
    case SF_B_O:
        err = p->have_gnu_sort || p->parsed_sort ? "multiple sort options" : verify_short_sort(p, sf->arg);
        if (!err) {
            short_sort(p, sf->arg);
            p->parsed_sort = true;
            return NULL;
        }
        if (p->parsed_format)
            return "option O is neither first format nor sort order";
        if (!format_list(p, sf->arg, &cols, &n)) {
            p->parsed_format = true;
            o_wrap(p, cols, n, 'b');
            return NULL;
        }
        ps_columns_free(cols, n);
        return err;
    case SF_G_sort: case SF_B_m:
        err = p->parsed_sort ? "multiple sort options" : long_sort(p, sf->arg);
        p->parsed_sort = true;
        return err;
    }
    return NULL;
}

static ssize_t col_find(struct parser *p, const char *head)
{
    for (size_t i = 0; i < p->ncols; i++)
        if (!strcmp(p->cols[i].head, head))
            return (ssize_t)i;
    return -1;
}

static bool col_add_after(struct parser *p, const char *head, const char *spec)
{
    ssize_t at = col_find(p, head);
    if (at < 0)
        return false;
    struct ps_column *one = NULL;
    size_t n = 0;
    ps_format_add(p->ctx, spec, &one, &n);
    p->cols = xrealloc(p->cols, (p->ncols + 1) * sizeof(*p->cols));
    memmove(p->cols + at + 2, p->cols + at + 1, (p->ncols - (size_t)at - 1) * sizeof(*p->cols));
    p->cols[at + 1] = one[0];
    p->ncols++;
    free(one);
    return true;
}

static bool col_delete(struct parser *p, const char *head)
{
    ssize_t at = col_find(p, head);
    if (at < 0)
        return false;
    free(p->cols[at].head);
    memmove(p->cols + at, p->cols + at + 1, (p->ncols - (size_t)at - 1) * sizeof(*p->cols));
    p->ncols--;
    return true;
}

static void col_add_front(struct parser *p, const char *spec)
{
    struct ps_column *one = NULL;
    size_t n = 0;
    ps_format_add(p->ctx, spec, &one, &n);
    p->cols = xrealloc(p->cols, (p->ncols + 1) * sizeof(*p->cols));
    memmove(p->cols + 1, p->cols, p->ncols * sizeof(*p->cols));
    p->cols[0] = one[0];
    p->ncols++;
    free(one);
}

/* The SysV default list, built as procps builds it from -f -l -F -y -c -j -L -T -P -M */
static const char *sysv_list(struct parser *p)
{
    unsigned ff = p->format_flags, fm = p->format_modifiers, tf = p->thread_flags;
    if ((fm & FM_y) && !(ff & FF_Ul))
        return "modifier -y without format -l makes no sense";
    const char *specs[32];
    int n = 0;
#define PUSH(s) (specs[n++] = (s))
    if (fm & FM_M)
        PUSH("label");
    if (ff & FF_Ul) {
        if (!(fm & FM_y))
            PUSH("f");
        PUSH("s");
    }
    if (ff & FF_Uf)
        PUSH(p->personality & PER_SANE_USER ? "user" : "uid_hack");
    else if (ff & FF_Ul)
        PUSH("uid");
    PUSH("pid");
    if (tf & PS_TF_U_T)
        PUSH("spid");
    if (ff & (FF_Uf | FF_Ul))
        PUSH("ppid");
    if (fm & FM_j) {
        PUSH("pgid");
        PUSH("sid");
    }
    if (tf & PS_TF_U_L)
        PUSH("lwp");
    if (fm & FM_P)
        PUSH("psr");
    if ((ff & (FF_Uf | FF_Ul)) && !(fm & FM_c))
        PUSH("c");
    if ((tf & PS_TF_U_L) && (ff & FF_Uf))
        PUSH("nlwp");
    if (fm & FM_c) {
        PUSH("class");
        PUSH("pri");
    } else if (ff & FF_Ul) {
        PUSH(p->personality & PER_IRIX_l ? "priority" : "opri");
        PUSH("ni");
    }
    if (ff & FF_Ul) {
        if (fm & FM_y)
            PUSH("rss");
        else if (p->personality & (PER_ZAP_ADDR | PER_IRIX_l))
            PUSH("sgi_p");
        else
            PUSH("addr_1");
    }
    if ((fm & FM_F) || (ff & FF_Ul))
        PUSH("sz");
    bool irix_colon = (ff & FF_Ul) && !(fm & FM_y) && (p->personality & PER_IRIX_l);
    if (irix_colon)
        PUSH("sgi_rss");
    if (ff & FF_Ul)
        PUSH("wchan");
    if (fm & FM_F) {
        if (!((ff & FF_Ul) && (fm & FM_y)))
            PUSH("rss");
        if (!(fm & FM_P))
            PUSH("psr");
    }
    if (ff & FF_Uf)
        PUSH("stime");
    PUSH("tname");
    if (p->prefer_bsd) {
        if (!(ff & FF_Ul))
            PUSH("stat");
        PUSH("bsdtime");
        PUSH(ff ? "cmd" : "args");
    } else {
        PUSH("time");
        PUSH(ff & FF_Uf ? "cmd" : "ucmd");
    }
#undef PUSH
    for (int i = 0; i < n; i++) {
        if (irix_colon && !strcmp(specs[i], "sgi_rss")) { /* IRIX's "SZ:RSS" */
            p->cols = xrealloc(p->cols, (p->ncols + 1) * sizeof(*p->cols));
            p->cols[p->ncols++] = (struct ps_column){NULL, xstrdup(":"), 1};
        }
        ps_format_add(p->ctx, specs[i], &p->cols, &p->ncols);
    }
    return NULL;
}

const char *ps_process_sf(struct parser *p)
{
    const char *err;
    for (size_t i = 0; i < p->nsfs; i++)
        if ((err = one_sf(p, &p->sfs[i])))
            return err;
    if (!p->format_flags && !p->format_modifiers && !p->ncols) {
        const char *env = getenv("PS_FORMAT");
        if (env && *env) {
            if (p->thread_flags & PS_TF_MUST_USE)
                return "tell <procps@freelists.org> what you want (-L/-T, -m/m/H, and $PS_FORMAT)";
            struct ps_column *cols = NULL;
            size_t n = 0;
            if (!(err = format_list(p, env, &cols, &n))) {
                append_cols(p, cols, n);
                return NULL;
            }
            free(cols);
            static char warn[200];
            snprintf(warn, sizeof(warn), "warning: $PS_FORMAT ignored. (%s)\n", err);
            p->warning = warn;
        }
    }
    if (p->ncols) {
        if (p->format_flags)
            return "conflicting format options";
        if (p->format_modifiers)
            return "can not use output modifiers with user-defined output";
        if (p->thread_flags & PS_TF_MUST_USE)
            return "-L/-T with H/m/-m and -o/-O/o/O is nonsense";
        return NULL;
    }
    const char *spec;
    switch (p->format_flags) {
    case 0: spec = NULL; break;
    case FF_Uf | FF_Ul: spec = p->sysv_fl; break;
    case FF_Uf: spec = p->sysv_f; break;
    case FF_Ul: spec = p->sysv_l; break;
    case FF_Uj: spec = p->sysv_j; break;
    case FF_Uj | FF_Ul: spec = "RD_lj"; break;
    case FF_Uj | FF_Uf: spec = "RD_fj"; break;
    case FF_Bj: spec = p->bsd_j; break;
    case FF_Bl: spec = p->bsd_l; break;
    case FF_Bs: spec = p->bsd_s; break;
    case FF_Bu: spec = p->bsd_u; break;
    case FF_Bv: spec = p->bsd_v; break;
    case FF_LX: spec = "OL_X"; break;
    case FF_Lm: spec = "OL_m"; break;
    case FF_Fc: spec = "FLASK_context"; break;
    default: return "conflicting format options";
    }
    if (!spec)
        return sysv_list(p);
    ps_format_add(p->ctx, spec, &p->cols, &p->ncols);
    unsigned fm = p->format_modifiers, tf = p->thread_flags;
    if (fm & FM_j) {
        if (!col_add_after(p, "PPID", "pgid") && !col_add_after(p, "PID", "pgid"))
            return p->fatal = "ps:src/ps/sortformat.c:885: internal error: no PID or PPID for -j option";
        if (!col_add_after(p, "PGID", "sid"))
            return "lost my PGID";
    }
    if (fm & FM_y) {
        col_delete(p, "F");
        if (col_add_after(p, "ADDR", "rss"))
            col_delete(p, "ADDR");
    }
    if (fm & FM_c) {
        col_delete(p, "%CPU");
        col_delete(p, "CPU");
        col_delete(p, "CP");
        col_delete(p, "C");
        col_delete(p, "NI");
        if (!col_add_after(p, "PRI", "class")) /* procps stops there, before its second reading */
            return p->fatal = "ps:src/ps/sortformat.c:900: internal error: no PRI for -c option";
        col_delete(p, "PRI");
        if (!col_add_after(p, "CLS", "pri"))
            return "lost my CLS";
    }
    if ((tf & PS_TF_U_T) && !col_add_after(p, "PID", "spid") && (tf & PS_TF_MUST_USE))
        return "-T with H/-m/m but no PID for SPID to follow";
    if (tf & PS_TF_U_L) {
        bool done = col_add_after(p, "SID", "lwp") || col_add_after(p, "SESS", "lwp") ||
                    col_add_after(p, "PGID", "lwp") || col_add_after(p, "PGRP", "lwp") ||
                    col_add_after(p, "PPID", "lwp") || col_add_after(p, "PID", "lwp");
        if (!done && (tf & PS_TF_MUST_USE))
            return "-L with H/-m/m but no PID/PGID/SID/SESS for NLWP to follow";
        col_add_after(p, "%CPU", "nlwp");
    }
    if (fm & FM_M)
        col_add_front(p, "label");
    if ((p->personality & PER_ZAP_ADDR) && (p->format_flags & FF_Ul) && col_add_after(p, "ADDR", "sgi_p"))
        col_delete(p, "ADDR");
    if ((p->personality & PER_SANE_USER) && (p->format_flags & FF_Uf) && col_add_after(p, "UID", "user"))
        col_delete(p, "UID");
    return NULL;
}
