/* proc/fields: every format specifier procps-ng 4.0's ps knows (its header, width, justification, which
 * lines of a thread display print it), how its value prints and what it sorts by; and the files read
 * for the rarer ones. (Over 800 lines for a reason: one table of ~275 specifiers and their printers.) */
#include "format_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PRF(...) snprintf(a->out, a->size, __VA_ARGS__)

enum ps_item {
    I_UTILIZATION,
    I_VM_RSS,
    I_noop,
    I_AUTOGRP_ID,
    I_AUTOGRP_NICE,
    I_CMDLINE,
    I_TIME_ALL,
    I_SIGBLOCKED,
    I_TICS_BEGAN,
    I_TICS_ALL,
    I_SIGCATCH,
    I_CGNAME,
    I_CGROUP,
    I_NS_CGROUP,
    I_SCHED_CLASS,
    I_CMD,
    I_ID_TGID,
    I_PROCESSOR,
    I_UTILIZATION_C,
    I_TICS_USER_C,
    I_VSIZE_BYTES,
    I_ID_EGID,
    I_ID_EGROUP,
    I_ADDR_CURR_EIP,
    I_ADDR_CODE_END,
    I_ADDR_CURR_ESP,
    I_TIME_ELAPSED,
    I_ID_EUID,
    I_ID_EUSER,
    I_EXE,
    I_FLAGS,
    I_ID_FGROUP,
    I_ID_FGID,
    I_ID_FUID,
    I_ID_FUSER,
    I_SIGIGNORE,
    I_PRIORITY,
    I_NS_IPC,
    I_RSS_RLIM,
    I_TTY_NAME,
    I_SD_SESS,
    I_ID_LOGIN,
    I_ID_PID,
    I_LXCNAME,
    I_MEM_RES_PGS,
    I_MEM_SHR_PGS,
    I_SD_MACH,
    I_FLT_MAJ,
    I_FLT_MIN,
    I_NS_MNT,
    I_NS_NET,
    I_NICE,
    I_NLWP,
    I_PROCESSOR_NODE,
    I_OOM_SCORE,
    I_OOM_ADJ,
    I_SD_OUID,
    I_SIGNALS,
    I_ID_PGRP,
    I_NS_PID,
    I_ID_PPID,
    I_SMAP_PSS,
    I_IO_READ_BYTES,
    I_IO_READ_CHARS,
    I_ID_RGID,
    I_ID_RGROUP,
    I_IO_READ_OPS,
    I_PRIORITY_RT,
    I_ID_RUID,
    I_ID_RUSER,
    I_STATE,
    I_SD_SEAT,
    I_ID_SESSION,
    I_ID_SGID,
    I_ID_SGROUP,
    I_SD_SLICE,
    I_ADDR_STACK_START,
    I_ADDR_CODE_START,
    I_ID_SUID,
    I_SUPGIDS,
    I_SUPGROUPS,
    I_ID_SUSER,
    I_VM_SIZE,
    I_NS_TIME,
    I_ID_TPGID,
    I_SIGPENDING,
    I_SD_UNIT,
    I_NS_USER,
    I_SMAP_PRV_TOTAL,
    I_TICS_USER,
    I_NS_UTS,
    I_SD_UUNIT,
    I_VM_DATA,
    I_VM_EXE,
    I_VM_LIB,
    I_VM_RSS_LOCKED,
    I_VM_STACK,
    I_IO_WRITE_BYTES,
    I_IO_WRITE_CBYTES,
    I_WCHAN_NAME,
    I_IO_WRITE_CHARS,
    I_IO_WRITE_OPS,
    I_SERVICE,
    I_TICS_ALL_C,
    I_ENVIRON,
    I_FLT_MAJ_C,
    I_FLT_MIN_C,
    I_TTY_NUMBER,
    I_END,
};
/* ---------- values ---------- */


/* Elapsed time the way procps 4.0 computes it: boot_tics = uptime * hz made integral, then
 * (boot_tics - start) / hz in floating point; the same operations give the same roundings. */
static double elapsed_real(const struct ps_ctx *c, const struct ps_proc *p)
{
    uint64_t boot_tics = (uint64_t)(c->sys.uptime * (double)c->sys.hz);
    double t = (double)boot_tics - (double)p->st.starttime;
    return t > 0 ? t / (double)c->sys.hz : 0;
}

static uint64_t elapsed_seconds(const struct ps_ctx *c, const struct ps_proc *p)
{
    return (uint64_t)elapsed_real(c, p);
}

static uint64_t tics_all(const struct ps_ctx *c, const struct ps_proc *p)
{
    uint64_t t = p->st.utime + p->st.stime;
    return c->cumulative ? t + p->st.cutime + p->st.cstime : t;
}

static unsigned cpu_permille(const struct ps_ctx *c, const struct ps_proc *p, unsigned scale)
{
    uint64_t jiffies = (uint64_t)(elapsed_real(c, p) * (double)c->sys.hz);
    uint64_t total = tics_all(c, p);
    return jiffies ? (unsigned)(total * scale / jiffies) : 0;
}

static time_t start_epoch(const struct ps_ctx *c, const struct ps_proc *p)
{
    return (time_t)(c->sys.boot_time + p->st.starttime / (uint64_t)c->sys.hz);
}


static int pr_pid(struct pr_args *a) { return PRF("%d", a->p->tgid); }
static int pr_ppid(struct pr_args *a) { return PRF("%d", a->p->st.ppid); }
static int pr_pgid(struct pr_args *a) { return PRF("%d", a->p->st.pgrp); }
static int pr_sid(struct pr_args *a) { return PRF("%d", a->p->st.session); }
static int pr_tpgid(struct pr_args *a) { return PRF("%d", a->p->st.tpgid); }
static int pr_nlwp(struct pr_args *a) { return PRF("%ld", a->p->st.num_threads); }
static int pr_euid(struct pr_args *a) { return PRF("%u", a->p->status.euid); }
static int pr_ruid(struct pr_args *a) { return PRF("%u", a->p->status.ruid); }
static int pr_egid(struct pr_args *a) { return PRF("%u", a->p->status.egid); }
static int pr_rgid(struct pr_args *a) { return PRF("%u", a->p->status.rgid); }
static int pr_vsz(struct pr_args *a) { return PRF("%llu", (unsigned long long)(a->p->st.vsize / 1024)); }
static int pr_rss(struct pr_args *a) { return PRF("%llu", (unsigned long long)a->p->rss_kb); }
static int pr_psr(struct pr_args *a) { return PRF("%d", a->p->st.processor); }
static int pr_pri(struct pr_args *a) { return PRF("%ld", 39 - a->p->st.priority); }
static int pr_opri(struct pr_args *a) { return PRF("%ld", 60 + a->p->st.priority); }
static int pr_priority(struct pr_args *a) { return PRF("%ld", a->p->st.priority); }
static int pr_nop(struct pr_args *a) { return PRF("-"); }
static int pr_flag(struct pr_args *a) { return PRF("%o", (unsigned)(a->p->st.flags >> 6U) & 0x7U); }
static int pr_state(struct pr_args *a) { return PRF("%c", a->p->st.state); }
static int pr_sz(struct pr_args *a)
{
    long kb_per_page = a->c->sys.page_size / 1024;
    return PRF("%llu", (unsigned long long)(a->p->st.vsize / 1024 / (uint64_t)(kb_per_page ? kb_per_page : 4)));
}

static int pr_nice(struct pr_args *a)
{
    int pol = a->p->st.policy;
    if (pol != 0 && pol != 3 && pol != -1)
        return PRF("-");
    return PRF("%ld", a->p->st.nice);
}

static int pr_rtprio(struct pr_args *a)
{
    int pol = a->p->st.policy;
    if (pol == 0 || pol == -1)
        return PRF("-");
    return PRF("%d", a->p->st.rt_priority);
}

static int pr_pcpu(struct pr_args *a)
{
    unsigned pcpu = cpu_permille(a->c, a->p, 1000);
    if (pcpu > 999U)
        return PRF("%u", pcpu / 10U);
    return PRF("%u.%u", pcpu / 10U, pcpu % 10U);
}

static int pr_c(struct pr_args *a)
{
    unsigned pcpu = cpu_permille(a->c, a->p, 100);
    if (pcpu > 99U)
        pcpu = 99U;
    return PRF("%2u", pcpu);
}

static int pr_pmem(struct pr_args *a)
{
    uint64_t total = a->c->sys.mem_total_kb ? a->c->sys.mem_total_kb : 1;
    unsigned long pmem = (unsigned long)(a->p->rss_kb * 1000ULL / total);
    if (pmem > 999)
        pmem = 999;
    return PRF("%2u.%u", (unsigned)(pmem / 10), (unsigned)(pmem % 10));
}

static int pr_stat(struct pr_args *a)
{
    const struct ps_proc *p = a->p;
    int n = 0;
    a->out[n++] = p->st.state;
    if (p->st.nice < 0)
        a->out[n++] = '<';
    if (p->st.nice > 0)
        a->out[n++] = 'N';
    if (p->status.vm_lock_kb)
        a->out[n++] = 'L';
    if (p->st.session == p->tgid)
        a->out[n++] = 's';
    if (p->st.num_threads > 1)
        a->out[n++] = 'l';
    if (p->st.pgrp == p->st.tpgid)
        a->out[n++] = '+';
    a->out[n] = 0;
    return n;
}

static int pr_tty(struct pr_args *a)
{
    char name[64];
    ps_tty_name(a->p->st.tty_nr, name, sizeof(name));
    return PRF("%s", name);
}

static void split_time(uint64_t t, unsigned *dd, unsigned *hh, unsigned *mm, unsigned *ss)
{
    *ss = (unsigned)(t % 60);
    t /= 60;
    *mm = (unsigned)(t % 60);
    t /= 60;
    *hh = (unsigned)(t % 24);
    *dd = (unsigned)(t / 24);
}

static int pr_time(struct pr_args *a)
{
    unsigned dd, hh, mm, ss;
    split_time((a->p->st.utime + a->p->st.stime) / (uint64_t)a->c->sys.hz, &dd, &hh, &mm, &ss);
    int n = dd ? snprintf(a->out, a->size, "%u-", dd) : 0;
    return n + snprintf(a->out + n, a->size - (size_t)n, "%02u:%02u:%02u", hh, mm, ss);
}

static int pr_times(struct pr_args *a)
{
    return PRF("%llu", (unsigned long long)((a->p->st.utime + a->p->st.stime) / (uint64_t)a->c->sys.hz));
}

static int pr_bsdtime(struct pr_args *a)
{
    unsigned u = (unsigned)(tics_all(a->c, a->p) / (uint64_t)a->c->sys.hz);
    return PRF("%3u:%02u", u / 60U, u % 60U);
}

static int pr_etime(struct pr_args *a)
{
    unsigned dd, hh, mm, ss;
    split_time(elapsed_seconds(a->c, a->p), &dd, &hh, &mm, &ss);
    int n = 0;
    if (dd)
        n += snprintf(a->out + n, a->size - (size_t)n, "%u-", dd);
    if (dd || hh)
        n += snprintf(a->out + n, a->size - (size_t)n, "%02u:", hh);
    return n + snprintf(a->out + n, a->size - (size_t)n, "%02u:%02u", mm, ss);
}

static int pr_etimes(struct pr_args *a)
{
    return PRF("%llu", (unsigned long long)elapsed_seconds(a->c, a->p));
}

/* ctime()'s layout, always in English as procps's ctime() is: "Tue Nov  4 23:26:16 2026" */
static void ctime_like(time_t t, char *out, size_t size)
{
    static const char days[] = "SunMonTueWedThuFriSat", months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    struct tm tm;
    if (!localtime_r(&t, &tm)) {
        snprintf(out, size, "??? ??? ?? ??:??:?? ????");
        return;
    }
    snprintf(out, size, "%.3s %.3s%3d %.2d:%.2d:%.2d %d", days + 3 * tm.tm_wday, months + 3 * tm.tm_mon, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

/* START: hh:mm:ss within a day, else "  Mon dd" (day zero-padded, as procps patches ctime's) */
static int pr_start(struct pr_args *a)
{
    time_t t = start_epoch(a->c, a->p);
    char str[64];
    ctime_like(t, str, sizeof(str));
    if (str[8] == ' ')
        str[8] = '0';
    if ((unsigned long)t + 60 * 60 * 24 > (unsigned long)a->c->now)
        return PRF("%8.8s", str + 11);
    return PRF("  %6.6s", str + 4);
}

static int pr_lstart(struct pr_args *a)
{
    time_t t = start_epoch(a->c, a->p);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return 0;
    size_t n = strftime(a->out, a->size, "%a %b %e %H:%M:%S %Y", &tm);
    return (int)n;
}

static int pr_stime(struct pr_args *a)
{
    time_t t = start_epoch(a->c, a->p);
    struct tm now, tm;
    if (!localtime_r(&a->c->now, &now) || !localtime_r(&t, &tm))
        return 0;
    const char *fmt = "%H:%M";
    if (now.tm_yday != tm.tm_yday)
        fmt = "%b%d";
    if (now.tm_year != tm.tm_year)
        fmt = "%Y";
    return (int)strftime(a->out, a->size, fmt, &tm);
}

static int pr_bsdstart(struct pr_args *a)
{
    time_t t = start_epoch(a->c, a->p);
    char str[64];
    ctime_like(t, str, sizeof(str));
    long ago = (long)(a->c->now - t);
    return PRF("%.6s", ago > 3600 * 24 ? str + 4 : str + 10);
}

static int pr_name(struct pr_args *a, const char *name, unsigned id)
{
    char num[16];
    if (!name) {
        /* not in the database: the number stands for the name, and is cut like one */
        snprintf(num, sizeof(num), "%u", id);
        name = num;
    }
    if (!a->c->user_is_number) {
        int cells = PS_OUTBUF;
        ps_escape_cells(a->c, a->out, a->size, name, &cells);
        int len = PS_OUTBUF - cells;
        if (len <= a->max_cells)
            return len;
        /* too long: cut with a '+', unless that would split a multi-byte character */
        if (a->max_cells >= 1 && (unsigned char)a->out[a->max_cells - 1] < 127) {
            a->out[a->max_cells - 1] = '+';
            a->out[a->max_cells] = 0;
            return a->max_cells;
        }
    }
    return PRF("%u", id);
}

static int pr_euser(struct pr_args *a) { return pr_name(a, ps_user_name(a->c, a->p->status.euid), a->p->status.euid); }
static int pr_ruser(struct pr_args *a) { return pr_name(a, ps_user_name(a->c, a->p->status.ruid), a->p->status.ruid); }
static int pr_egroup(struct pr_args *a) { return pr_name(a, ps_group_name(a->c, a->p->status.egid), a->p->status.egid); }
static int pr_rgroup(struct pr_args *a) { return pr_name(a, ps_group_name(a->c, a->p->status.rgid), a->p->status.rgid); }

static int pr_wchan(struct pr_args *a)
{
    const char *w = a->p->wchan ? a->p->wchan : "-";
    size_t len = strlen(w);
    if ((int)len > a->max_cells)
        len = (size_t)(a->max_cells > 0 ? a->max_cells : 0);
    memcpy(a->out, w, len);
    a->out[len] = 0;
    return (int)len;
}

/* The text "args" shows: the command line, or "[comm]" for kernel threads and zombies (which also get
 * " <defunct>"). */
static void args_text(const struct ps_proc *p, struct buf *b)
{
    if (p->args && p->args_len) {
        /* arguments are joined with spaces; a newline inside one also shows as a space, as procps */
        buf_add(b, p->args, p->args_len);
        for (size_t i = 0; i < b->len; i++)
            if (b->p[i] == 0 || b->p[i] == '\n')
                b->p[i] = ' ';
    } else {
        buf_printf(b, "[%s]", p->st.comm);
    }
    if (p->st.state == 'Z')
        buf_puts(b, " <defunct>");
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates), or -1. */
static int utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        return (s[1] & 0xc0) == 0x80 ? 2 : -1;
    if (s[0] >= 0xe0 && s[0] <= 0xef) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
            return -1;
        unsigned cp = ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
        return cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff) ? 3 : -1;
    }
    if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return -1;
        unsigned cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3fu) << 12) | ((s[2] & 0x3fu) << 6) | (s[3] & 0x3fu);
        return cp >= 0x10000 && cp <= 0x10ffff ? 4 : -1;
    }
    return -1;
}

/* procps's library pass over a command line in a UTF-8 locale: from the first invalid UTF-8 sequence
 * on, every byte that is not printable becomes '?'. */
static void escape_after_invalid(char *text)
{
    unsigned char *s = (unsigned char *)text;
    while (*s) {
        int n = utf8_len(s);
        if (n < 0) {
            for (; *s; s++)
                if (!isprint(*s))
                    *s = '?';
            return;
        }
        s += n;
    }
}

/* The tree drawn before a command in forest mode (f, --forest, -H), as procps draws it */
static int forest_text(struct pr_args *a, int *cells)
{
    const char *p = a->c->forest_prefix;
    int n = 0;
    if (!a->c->forest_type || !p)
        return 0;
    int step = a->c->forest_type == 'u' ? 2 : 4;
    for (; *p && *cells >= step; p++) {
        const char *s = step == 2 ? "  " : *p == ' ' ? "    " : *p == '|' ? " |  " : " \\_ ";
        memcpy(a->out + n, s, (size_t)step);
        n += step;
        *cells -= step;
    }
    a->out[n] = 0;
    return n;
}

/* text escaped after the forest prefix, then " environment" for BSD e */
static int pr_command_text(struct pr_args *a, const char *text)
{
    int cells = a->max_cells < PS_OUTBUF ? a->max_cells : PS_OUTBUF - 1;
    int start = cells;
    int n = forest_text(a, &cells);
    n += ps_escape_cells(a->c, a->out + n, a->size - (size_t)n, text, &cells);
    if (a->c->bsd_e && cells > 1 && a->p->env && a->p->env_len) {
        struct buf e = {0};
        buf_add(&e, a->p->env, a->p->env_len);
        for (size_t i = 0; i < e.len; i++)
            if (e.p[i] == 0)
                e.p[i] = ' ';
        a->out[n++] = ' ';
        cells--;
        ps_escape_cells(a->c, a->out + n, a->size - (size_t)n, e.p, &cells);
        buf_free(&e);
    }
    return start - cells;
}

static int pr_escaped(struct pr_args *a, const char *text)
{
    int cells = a->max_cells;
    ps_escape_cells(a->c, a->out, a->size, text, &cells);
    return a->max_cells - cells;
}

static char *cmdline_text(const struct ps_ctx *c, const struct ps_proc *p)
{
    struct buf b = {0};
    args_text(p, &b);
    if (c->utf8)
        escape_after_invalid(b.p);
    return b.p;
}

static int pr_args(struct pr_args *a)
{
    if (a->c->bsd_c)
        return pr_command_text(a, a->p->st.comm);
    char *t = cmdline_text(a->c, a->p);
    int r = pr_command_text(a, t);
    free(t);
    return r;
}

static int pr_comm(struct pr_args *a)
{
    if (!a->c->unix_f)
        return pr_command_text(a, a->p->st.comm);
    return pr_args(a);
}

static int pr_fname(struct pr_args *a)
{
    /* procps cuts the name at 8 cells but counts from the column's whole width: a wider column reports
     * more than it printed, and the next column starts sooner (as procps's does) */
    int cells = a->max_cells < PS_OUTBUF ? a->max_cells : PS_OUTBUF - 1;
    int start = cells;
    int n = forest_text(a, &cells);
    if (cells > 8)
        cells = 8;
    ps_escape_cells(a->c, a->out + n, a->size - (size_t)n, a->p->st.comm, &cells);
    return start - cells;
}

static int pr_service(struct pr_args *a)
{
    return pr_escaped(a, a->p->service ? a->p->service : ""); /* blank when no service owns it */
}

/* ---------- the one-off files: read on first use, kept with the process ---------- */

struct ps_more {
    char exe[1024], cgroup[2048], label[256];
    const char *cgname;
    char sd_unit[256], sd_slice[256], sd_uunit[256], sd_ouid[16], sd_sess[64], lxc[256];
    uint64_t ns[8];
    uint64_t io[7]; /* rchar wchar syscr syscw read_bytes write_bytes cancelled_write_bytes */
    int oom_score, oom_adj, ag_id, ag_nice, luid, numa;
    uint64_t pss, uss;
};

static const char *const ns_names[8] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};

void ps_proc_dir(const struct ps_proc *p, char *out, size_t size)
{
    if (p->task)
        snprintf(out, size, "%d/task/%d", p->tgid, p->st.pid);
    else
        snprintf(out, size, "%d", p->tgid);
}

static ssize_t read_in(const struct ps_ctx *c, const struct ps_proc *p, const char *name, char *buf, size_t size)
{
    char dir[40], path[96];
    ps_proc_dir(p, dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    ssize_t n = file_read_at(c->procfd, path, buf, size);
    if (n < 0)
        buf[0] = 0;
    return n;
}

static uint64_t keyed(const char *text, const char *key)
{
    const char *q = strstr(text, key);
    if (!q)
        return 0;
    q += strlen(key);
    while (*q == ' ' || *q == '\t')
        q++;
    return strtoull(q, NULL, 10);
}

/* systemd's reading of a cgroup path: the slices it starts with, the unit after them, a user's units
 * below user@UID.service, the session scope and the owner from user-UID.slice */
static void sd_from_cgroup(struct ps_more *m, const char *path)
{
    strcpy(m->sd_unit, "-");
    strcpy(m->sd_uunit, "-");
    strcpy(m->sd_ouid, "-");
    strcpy(m->sd_sess, "-");
    strcpy(m->sd_slice, "-");
    if (!path)
        return;
    strcpy(m->sd_slice, "-.slice");
    char copy[2048];
    snprintf(copy, sizeof(copy), "%s", path);
    bool in_user = false;
    char *save = NULL;
    for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        size_t len = strlen(t);
        bool slice = len > 6 && strcmp(t + len - 6, ".slice") == 0;
        if (slice && !strcmp(m->sd_unit, "-")) {
            snprintf(m->sd_slice, sizeof(m->sd_slice), "%s", t);
            unsigned uid;
            if (sscanf(t, "user-%u.slice", &uid) == 1)
                snprintf(m->sd_ouid, sizeof(m->sd_ouid), "%u", uid);
            continue;
        }
        if (!strchr(t, '.'))
            break;
        if (!strcmp(m->sd_unit, "-")) {
            snprintf(m->sd_unit, sizeof(m->sd_unit), "%s", t);
            if (!strncmp(t, "session-", 8) && len > 14 && !strcmp(t + len - 6, ".scope"))
                snprintf(m->sd_sess, sizeof(m->sd_sess), "%.*s", (int)(len - 14), t + 8);
            in_user = !strncmp(t, "user@", 5);
            continue;
        }
        if (in_user && !slice) {
            snprintf(m->sd_uunit, sizeof(m->sd_uunit), "%s", t);
            break;
        }
    }
}

static struct ps_more *more_of(struct ps_ctx *c, const struct ps_proc *cp)
{
    struct ps_proc *p = (struct ps_proc *)cp;
    if (p->more)
        return p->more;
    struct ps_more *m = p->more = xcalloc(1, sizeof(*m));
    char text[8192], path[96], dir[40];
    ps_proc_dir(p, dir, sizeof(dir));
    /* exe */
    snprintf(path, sizeof(path), "%s/exe", dir);
    ssize_t n = readlinkat(c->procfd, path, text, sizeof(text) - 1);
    if (n > 0) {
        text[n] = 0;
        int cells = PS_OUTBUF;
        ps_escape_cells(c, m->exe, sizeof(m->exe), text, &cells);
    } else {
        strcpy(m->exe, "-");
    }
    /* namespaces: the inode of each link */
    for (int i = 0; i < 8; i++) {
        char link[64];
        snprintf(path, sizeof(path), "%s/ns/%s", dir, ns_names[i]);
        n = readlinkat(c->procfd, path, link, sizeof(link) - 1);
        if (n > 0) {
            link[n] = 0;
            const char *b = strchr(link, '[');
            m->ns[i] = b ? strtoull(b + 1, NULL, 10) : 0;
        }
    }
    /* cgroup: the lines that are not a root, joined with commas */
    const char *sd_path = NULL;
    char sd_buf[2048] = "";
    if (read_in(c, p, "cgroup", text, sizeof(text)) > 0) {
        size_t len = 0;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char *path_part = strchr(line, ':');
            path_part = path_part ? strchr(path_part + 1, ':') : NULL;
            if (path_part && (!strncmp(line, "0::", 3) || strstr(line, ":name=systemd:")) &&
                (!sd_buf[0] || strstr(line, ":name=systemd:")))
                snprintf(sd_buf, sizeof(sd_buf), "%s", path_part + 1);
            size_t l = strlen(line);
            if (!l || line[l - 1] == '/')
                continue;
            int cells = (int)(sizeof(m->cgroup) - len - 2);
            if (cells <= 1)
                break;
            if (len)
                m->cgroup[len++] = ',';
            len += (size_t)ps_escape_cells(c, m->cgroup + len, sizeof(m->cgroup) - len, line, &cells);
        }
        if (sd_buf[0])
            sd_path = sd_buf;
    }
    if (!m->cgroup[0])
        strcpy(m->cgroup, "-");
    const char *name = strstr(m->cgroup, ":name=");
    m->cgname = name && name[6] ? name + 6 : m->cgroup;
    sd_from_cgroup(m, sd_path);
    const char *lxc = sd_buf[0] ? strstr(m->cgroup, "/lxc/") : NULL;
    if (lxc) {
        lxc += 5;
        snprintf(m->lxc, sizeof(m->lxc), "%.*s", (int)strcspn(lxc, "/,"), lxc);
    } else {
        strcpy(m->lxc, "-");
    }
    /* io */
    if (read_in(c, p, "io", text, sizeof(text)) > 0) {
        static const char *const keys[7] = {"rchar:", "wchar:", "syscr:", "syscw:", "read_bytes:", "write_bytes:",
                                            "cancelled_write_bytes:"};
        for (int i = 0; i < 7; i++)
            m->io[i] = keyed(text, keys[i]);
    }
    m->oom_score = read_in(c, p, "oom_score", text, sizeof(text)) > 0 ? atoi(text) : 0;
    m->oom_adj = read_in(c, p, "oom_score_adj", text, sizeof(text)) > 0 ? atoi(text) : 0;
    if (read_in(c, p, "smaps_rollup", text, sizeof(text)) > 0) {
        m->pss = keyed(text, "\nPss:");
        m->uss = keyed(text, "\nPrivate_Clean:") + keyed(text, "\nPrivate_Dirty:");
    }
    m->ag_id = -1;
    if (read_in(c, p, "autogroup", text, sizeof(text)) > 0)
        sscanf(text, "/autogroup-%d nice %d", &m->ag_id, &m->ag_nice);
    m->luid = read_in(c, p, "loginuid", text, sizeof(text)) > 0 ? atoi(text) : -1;
    /* the security label (the process's, for a thread too): attr/current up to its first unprintable byte */
    snprintf(path, sizeof(path), "%d/attr/current", p->tgid);
    n = file_read_at(c->procfd, path, text, sizeof(text));
    size_t len = 0;
    while (n > 0 && len + 1 < sizeof(m->label) && isprint((unsigned char)text[len]))
        len++;
    memcpy(m->label, text, len);
    m->label[len] = 0;
    if (!len)
        strcpy(m->label, "-");
    /* the NUMA node of the CPU it last ran on */
    m->numa = -1;
    char cpu_dir[64];
    snprintf(cpu_dir, sizeof(cpu_dir), "/sys/devices/system/cpu/cpu%d", p->st.processor);
    DIR *d = opendir(cpu_dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (!strncmp(e->d_name, "node", 4) && isdigit((unsigned char)e->d_name[4]))
                m->numa = atoi(e->d_name + 4);
        closedir(d);
    }
    return m;
}

void ps_proc_clear(struct ps_proc *p)
{
    free(p->args);
    free(p->env);
    free(p->more);
    free(p->status.groups);
    free(p->wchan);
    p->args = p->env = p->status.groups = p->wchan = NULL;
    p->more = NULL;
}

/* ---------- printers of the rest of procps's specifiers ---------- */

#define M(a) more_of((a)->c, (a)->p)
static int pr_tasks(struct pr_args *a) { return PRF("%d", a->p->st.pid); }
static int pr_sgid(struct pr_args *a) { return PRF("%u", a->p->status.sgid); }
static int pr_fgid(struct pr_args *a) { return PRF("%u", a->p->status.fgid); }
static int pr_suid(struct pr_args *a) { return PRF("%u", a->p->status.suid); }
static int pr_fuid(struct pr_args *a) { return PRF("%u", a->p->status.fuid); }
static int pr_fuser(struct pr_args *a) { return pr_name(a, ps_user_name(a->c, a->p->status.fuid), a->p->status.fuid); }
static int pr_suser(struct pr_args *a) { return pr_name(a, ps_user_name(a->c, a->p->status.suid), a->p->status.suid); }
static int pr_fgroup(struct pr_args *a) { return pr_name(a, ps_group_name(a->c, a->p->status.fgid), a->p->status.fgid); }
static int pr_sgroup(struct pr_args *a) { return pr_name(a, ps_group_name(a->c, a->p->status.sgid), a->p->status.sgid); }
static int pr_pri_api(struct pr_args *a) { return PRF("%ld", -1 - a->p->st.priority); }
static int pr_pri_foo(struct pr_args *a) { return PRF("%ld", a->p->st.priority - 20); }
static int pr_pri_bar(struct pr_args *a) { return PRF("%ld", a->p->st.priority + 1); }
static int pr_pri_baz(struct pr_args *a) { return PRF("%ld", a->p->st.priority + 100); }
static int pr_minflt(struct pr_args *a) { return PRF("%llu", (unsigned long long)(a->c->cumulative ? a->p->st.cminflt : a->p->st.minflt)); }
static int pr_majflt(struct pr_args *a) { return PRF("%llu", (unsigned long long)(a->c->cumulative ? a->p->st.cmajflt : a->p->st.majflt)); }
static int pr_stackp(struct pr_args *a) { return PRF("%016llx", (unsigned long long)a->p->st.startstack); }
static int pr_esp(struct pr_args *a) { return PRF("%016llx", (unsigned long long)a->p->st.kstkesp); }
static int pr_eip(struct pr_args *a) { return PRF("%016llx", (unsigned long long)a->p->st.kstkeip); }
static int pr_size(struct pr_args *a) { return PRF("%llu", (unsigned long long)a->p->st.vsize); }
static int pr_swapable(struct pr_args *a)
{
    return PRF("%llu", (unsigned long long)(a->p->status.vm_data_kb + a->p->status.vm_stk_kb));
}
static uint64_t code_kb(const struct ps_proc *p) { return p->st.vsize ? (p->st.endcode - p->st.startcode) >> 10 : 0; }
static uint64_t data_kb(const struct ps_proc *p)
{
    return p->st.vsize ? (p->st.vsize - p->st.endcode + p->st.startcode) >> 10 : 0;
}
static int pr_trs(struct pr_args *a) { return PRF("%ld", (long)code_kb(a->p)); }
static int pr_drs(struct pr_args *a) { return PRF("%ld", (long)data_kb(a->p)); }
static int pr_lim(struct pr_args *a)
{
    if (a->p->st.rsslim == UINT64_MAX)
        return PRF("xx");
    return PRF("%5llu", (unsigned long long)(a->p->st.rsslim >> 10));
}
static int pr_cp(struct pr_args *a)
{
    unsigned pcpu = cpu_permille(a->c, a->p, 1000);
    return PRF("%3u", pcpu > 999U ? 999U : pcpu);
}
static int pr_class(struct pr_args *a)
{
    static const char *const names[] = {"TS", "FF", "RR", "B", "ISO", "IDL", "DLN", "#7", "#8", "#9"};
    int pol = a->p->st.policy;
    if (pol == -1)
        return PRF("-");
    return PRF("%s", pol >= 0 && pol <= 9 ? names[pol] : "?");
}
static int pr_sched(struct pr_args *a)
{
    return a->p->st.policy == -1 ? PRF("-") : PRF("%d", a->p->st.policy);
}
static int pr_tty4(struct pr_args *a)
{
    char name[64];
    ps_tty_name(a->p->st.tty_nr, name, sizeof(name));
    const char *s = name;
    if (str_startswith(s, "pts/"))
        s += 4;
    else if (str_startswith(s, "tty"))
        s += 3;
    return PRF("%s", s);
}
static int pr_sgi_p(struct pr_args *a)
{
    return a->p->st.state == 'R' ? PRF("%u", (unsigned)a->p->st.processor) : PRF("*");
}

/* signal masks: 16 digits with room to spare, else the last 8 ('<' when more were set) */
static int pr_sigmask_text(struct pr_args *a, const char *sig)
{
    size_t len = strlen(sig);
    if (a->c->wide_signals)
        return len > 8 ? PRF("%s", sig) : PRF("00000000%s", sig);
    if (len - strspn(sig, "0") > 8)
        return PRF("<%s", sig + len - 8);
    if (len < 8)
        return PRF("%.*s%s", (int)(8 - len), "00000000", sig); /* zeros up to 8 digits */
    return PRF("%s", sig + len - 8);
}
static int pr_sig(struct pr_args *a)
{
    /* a process's pending signals are its thread group's; a thread's its own */
    return pr_sigmask_text(a, a->p->task ? a->p->status.sig_pnd : a->p->status.shd_pnd);
}
static int pr_tsig(struct pr_args *a) { return pr_sigmask_text(a, a->p->status.sig_pnd); }
static int pr_sigblock(struct pr_args *a) { return pr_sigmask_text(a, a->p->status.sig_blk); }
static int pr_sigignore(struct pr_args *a) { return pr_sigmask_text(a, a->p->status.sig_ign); }
static int pr_sigcatch(struct pr_args *a) { return pr_sigmask_text(a, a->p->status.sig_cgt); }

static int pr_supgid(struct pr_args *a) { return pr_escaped(a, a->p->status.groups ? a->p->status.groups : "-"); }
static void supgroups_text(struct ps_ctx *c, const struct ps_proc *p, struct buf *b)
{
    const char *g = p->status.groups ? p->status.groups : "-";
    if (!strcmp(g, "-")) {
        buf_puts(b, "-");
        return;
    }
    for (const char *q = g; *q;) {
        unsigned gid = (unsigned)strtoul(q, NULL, 10);
        const char *name = ps_group_name(c, gid);
        if (b->len)
            buf_putc(b, ',');
        if (name)
            buf_puts(b, name);
        else
            buf_printf(b, "%u", gid);
        q += strcspn(q, ",");
        if (*q)
            q++;
    }
}
static int pr_supgrp(struct pr_args *a)
{
    struct buf b = {0};
    supgroups_text(a->c, a->p, &b);
    int r = pr_escaped(a, b.p ? b.p : "-");
    buf_free(&b);
    return r;
}

static int pr_exe(struct pr_args *a) { return pr_escaped(a, M(a)->exe); }
static int pr_cgroup(struct pr_args *a) { return pr_escaped(a, M(a)->cgroup); }
static int pr_cgname(struct pr_args *a) { return pr_escaped(a, M(a)->cgname); }
static int pr_label(struct pr_args *a) { return PRF("%s", M(a)->label); }
static int pr_lxc(struct pr_args *a) { return PRF("%s", M(a)->lxc); }
static int pr_sd_unit(struct pr_args *a) { return PRF("%s", M(a)->sd_unit); }
static int pr_sd_slice(struct pr_args *a) { return PRF("%s", M(a)->sd_slice); }
static int pr_sd_uunit(struct pr_args *a) { return PRF("%s", M(a)->sd_uunit); }
static int pr_sd_ouid(struct pr_args *a) { return PRF("%s", M(a)->sd_ouid); }
static int pr_sd_session(struct pr_args *a) { return PRF("%s", M(a)->sd_sess); }
static int pr_dash(struct pr_args *a) { return PRF("-"); } /* seat, machine: logind and machined own those */
static int pr_oom(struct pr_args *a) { return PRF("%d", M(a)->oom_score); }
static int pr_oom_adj(struct pr_args *a) { return PRF("%d", M(a)->oom_adj); }
static int pr_pss(struct pr_args *a) { return PRF("%llu", (unsigned long long)M(a)->pss); }
static int pr_uss(struct pr_args *a) { return PRF("%llu", (unsigned long long)M(a)->uss); }
static int pr_agid(struct pr_args *a) { return PRF("%d", M(a)->ag_id); }
static int pr_agnice(struct pr_args *a) { return PRF("%d", M(a)->ag_nice); }
static int pr_luid(struct pr_args *a) { return M(a)->luid == -1 ? PRF("-") : PRF("%d", M(a)->luid); }
static int pr_numa(struct pr_args *a) { return PRF("%d", M(a)->numa); }
#define PR_NS(name, i) \
    static int pr_##name(struct pr_args *a) { return M(a)->ns[i] ? PRF("%llu", (unsigned long long)M(a)->ns[i]) : PRF("-"); }
PR_NS(cgroupns, 0)
PR_NS(ipcns, 1)
PR_NS(mntns, 2)
PR_NS(netns, 3)
PR_NS(pidns, 4)
PR_NS(timens, 5)
PR_NS(userns, 6)
PR_NS(utsns, 7)
#define PR_IO(name, i) \
    static int pr_##name(struct pr_args *a) { return PRF("%llu", (unsigned long long)M(a)->io[i]); }
PR_IO(rchars, 0)
PR_IO(wchars, 1)
PR_IO(rops, 2)
PR_IO(wops, 3)
PR_IO(rbytes, 4)
PR_IO(wbytes, 5)
PR_IO(wcbytes, 6)

/* %CPU over the lifetime as procps's library computes it (a float multiplication on the way) */
static double utilization(const struct ps_ctx *c, const struct ps_proc *p, bool children)
{
    uint64_t boot_tics = (uint64_t)(c->sys.uptime * (double)c->sys.hz);
    double t = (double)boot_tics - (double)p->st.starttime;
    uint64_t tics = p->st.utime + p->st.stime + (children ? p->st.cutime + p->st.cstime : 0);
    return t > 0 ? (double)((float)tics * 100.0f) / t : 0;
}
static int pr_utilization(struct pr_args *a)
{
    double cu = utilization(a->c, a->p, false);
    return PRF("%#.3f", cu > 99.0 ? 99.999 : cu);
}
static int pr_utilization_c(struct pr_args *a)
{
    double cu = utilization(a->c, a->p, true);
    return PRF("%#.3f", cu > 99.0 ? 99.999 : cu);
}

/* the test columns procps keeps for checking its layout: values cycle with the line */
static const char *cycle(const struct pr_args *a, const char *const *vals, unsigned n)
{
    return vals[(unsigned)a->c->lines_to_next_header % n];
}
static int pr_t_left(struct pr_args *a)
{
    static const char *const v[] = {"tty7", "pts/9999", "iseries/vtty42", "ttySMX0", "3270/tty4"};
    return PRF("%s", cycle(a, v, 5));
}
static int pr_t_left2(struct pr_args *a)
{
    static const char *const v[] = {"tty7", "pts/9999", "ttySMX0", "3270/tty4"};
    return PRF("%s", cycle(a, v, 4));
}
static int pr_t_right(struct pr_args *a)
{
    static const char *const v[] = {"999-23:59:59", "99-23:59:59", "9-23:59:59", "59:59"};
    return PRF("%s", cycle(a, v, 4));
}
static int pr_t_right2(struct pr_args *a)
{
    static const char *const v[] = {"999-23:59:59", "99-23:59:59", "9-23:59:59"};
    return PRF("%s", cycle(a, v, 3));
}
static int pr_t_unlimited(struct pr_args *a)
{
    static const char *const v[] = {"[123456789-12345] <defunct>", "ps", "123456789-123456"};
    return snprintf(a->out, (size_t)a->max_cells + 1, "%s", cycle(a, v, 3)) > a->max_cells ? a->max_cells
                                                                                          : (int)strlen(a->out);
}
static int pr_t_unlimited2(struct pr_args *a)
{
    static const char *const v[] = {"unlimited", "[123456789-12345] <defunct>", "ps", "123456789-123456"};
    return snprintf(a->out, (size_t)a->max_cells + 1, "%s", cycle(a, v, 4)) > a->max_cells ? a->max_cells
                                                                                          : (int)strlen(a->out);
}

/* ---------- sorting: by a specifier's underlying value, as procps's library sorts ---------- */

static const char *user_text(struct ps_ctx *c, unsigned id, char *tmp)
{
    const char *n = ps_user_name(c, id);
    if (n)
        return n;
    snprintf(tmp, 32, "%u", id);
    return tmp;
}

static const char *group_text(struct ps_ctx *c, unsigned id, char *tmp)
{
    const char *n = ps_group_name(c, id);
    if (n)
        return n;
    snprintf(tmp, 32, "%u", id);
    return tmp;
}

static const char *tty_text(const struct ps_proc *p, char *tmp)
{
    ps_tty_name(p->st.tty_nr, tmp, 64);
    return tmp;
}

static unsigned item_needs(int item)
{
    switch (item) {
    case I_AUTOGRP_ID: return PS_NEED_MORE;
    case I_AUTOGRP_NICE: return PS_NEED_MORE;
    case I_CMDLINE: return PS_NEED_ARGS;
    case I_SIGBLOCKED: return PS_NEED_STATUS;
    case I_SIGCATCH: return PS_NEED_STATUS;
    case I_CGNAME: return PS_NEED_MORE;
    case I_CGROUP: return PS_NEED_MORE;
    case I_NS_CGROUP: return PS_NEED_MORE;
    case I_EXE: return PS_NEED_MORE;
    case I_SIGIGNORE: return PS_NEED_STATUS;
    case I_NS_IPC: return PS_NEED_MORE;
    case I_SD_SESS: return PS_NEED_MORE;
    case I_ID_LOGIN: return PS_NEED_MORE;
    case I_LXCNAME: return PS_NEED_MORE;
    case I_NS_MNT: return PS_NEED_MORE;
    case I_NS_NET: return PS_NEED_MORE;
    case I_PROCESSOR_NODE: return PS_NEED_MORE;
    case I_OOM_SCORE: return PS_NEED_MORE;
    case I_OOM_ADJ: return PS_NEED_MORE;
    case I_SD_OUID: return PS_NEED_MORE;
    case I_SIGNALS: return PS_NEED_STATUS;
    case I_NS_PID: return PS_NEED_MORE;
    case I_SMAP_PSS: return PS_NEED_MORE;
    case I_IO_READ_BYTES: return PS_NEED_MORE;
    case I_IO_READ_CHARS: return PS_NEED_MORE;
    case I_IO_READ_OPS: return PS_NEED_MORE;
    case I_SD_SLICE: return PS_NEED_MORE;
    case I_SUPGIDS: return PS_NEED_STATUS;
    case I_SUPGROUPS: return PS_NEED_STATUS;
    case I_NS_TIME: return PS_NEED_MORE;
    case I_SIGPENDING: return PS_NEED_STATUS;
    case I_SD_UNIT: return PS_NEED_MORE;
    case I_NS_USER: return PS_NEED_MORE;
    case I_SMAP_PRV_TOTAL: return PS_NEED_MORE;
    case I_NS_UTS: return PS_NEED_MORE;
    case I_SD_UUNIT: return PS_NEED_MORE;
    case I_VM_DATA: return PS_NEED_STATUS;
    case I_VM_STACK: return PS_NEED_STATUS;
    case I_IO_WRITE_BYTES: return PS_NEED_MORE;
    case I_IO_WRITE_CBYTES: return PS_NEED_MORE;
    case I_WCHAN_NAME: return PS_NEED_WCHAN;
    case I_IO_WRITE_CHARS: return PS_NEED_MORE;
    case I_IO_WRITE_OPS: return PS_NEED_MORE;
    case I_SERVICE: return PS_NEED_SERVICE;
    default: return 0;
    }
}

/* a numeric value (kind 'n', signed 's' or real 'r'), a string ('t', versions 'v') or nothing (0) */
struct item_value {
    char kind;
    int64_t s;
    uint64_t n;
    double r;
    const char *t;
    char *owned;
    char tmp[64];
};

static void item_value(struct ps_ctx *c, int item, const struct ps_proc *p, struct item_value *v)
{
    char *tmp = v->tmp;
    (void)tmp;
    v->owned = NULL;
    switch (item) {
    case I_noop: v->kind = 0; return;
    case I_UTILIZATION: v->kind = 'r'; v->r = utilization(c, p, false); return;
    case I_UTILIZATION_C: v->kind = 'r'; v->r = utilization(c, p, true); return;
    case I_TIME_ALL: v->kind = 'r'; v->r = (double)(p->st.utime + p->st.stime) / (double)c->sys.hz; return;
    case I_TIME_ELAPSED: v->kind = 'r'; v->r = elapsed_real(c, p); return;
    case I_CMDLINE: v->kind = 't'; v->t = v->owned = cmdline_text(c, p); return;
    case I_SUPGROUPS: {
        struct buf b = {0};
        supgroups_text(c, p, &b);
        v->kind = 't';
        v->t = v->owned = b.p ? b.p : xstrdup("-");
        return;
    }
    case I_TTY_NAME: v->kind = 'v'; v->t = tty_text(p, tmp); return;
    case I_VM_RSS: v->kind = 'n'; v->n = (uint64_t)(p->rss_kb); return;
    case I_AUTOGRP_ID: v->kind = 's'; v->s = (int64_t)(more_of(c, p)->ag_id); return;
    case I_AUTOGRP_NICE: v->kind = 's'; v->s = (int64_t)(more_of(c, p)->ag_nice); return;
    case I_SIGBLOCKED: v->kind = 't'; v->t = p->status.sig_blk; return;
    case I_TICS_BEGAN: v->kind = 'n'; v->n = (uint64_t)(p->st.starttime); return;
    case I_TICS_ALL: v->kind = 'n'; v->n = (uint64_t)(p->st.utime + p->st.stime); return;
    case I_SIGCATCH: v->kind = 't'; v->t = p->status.sig_cgt; return;
    case I_CGNAME: v->kind = 't'; v->t = more_of(c, p)->cgname; return;
    case I_CGROUP: v->kind = 't'; v->t = more_of(c, p)->cgroup; return;
    case I_NS_CGROUP: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->ns[0]); return;
    case I_SCHED_CLASS: v->kind = 's'; v->s = (int64_t)(p->st.policy); return;
    case I_CMD: v->kind = 't'; v->t = p->st.comm; return;
    case I_ID_TGID: v->kind = 's'; v->s = (int64_t)(p->tgid); return;
    case I_PROCESSOR: v->kind = 's'; v->s = (int64_t)(p->st.processor); return;
    case I_TICS_USER_C: v->kind = 'n'; v->n = (uint64_t)(p->st.utime + p->st.cutime); return;
    case I_VSIZE_BYTES: v->kind = 'n'; v->n = (uint64_t)(p->st.vsize); return;
    case I_ID_EGID: v->kind = 'n'; v->n = (uint64_t)(p->status.egid); return;
    case I_ID_EGROUP: v->kind = 't'; v->t = group_text(c, p->status.egid, tmp); return;
    case I_ADDR_CURR_EIP: v->kind = 'n'; v->n = (uint64_t)(p->st.kstkeip); return;
    case I_ADDR_CODE_END: v->kind = 'n'; v->n = (uint64_t)(p->st.endcode); return;
    case I_ADDR_CURR_ESP: v->kind = 'n'; v->n = (uint64_t)(p->st.kstkesp); return;
    case I_ID_EUID: v->kind = 'n'; v->n = (uint64_t)(p->status.euid); return;
    case I_ID_EUSER: v->kind = 't'; v->t = user_text(c, p->status.euid, tmp); return;
    case I_EXE: v->kind = 't'; v->t = more_of(c, p)->exe; return;
    case I_FLAGS: v->kind = 'n'; v->n = (uint64_t)(p->st.flags); return;
    case I_ID_FGROUP: v->kind = 't'; v->t = group_text(c, p->status.fgid, tmp); return;
    case I_ID_FGID: v->kind = 'n'; v->n = (uint64_t)(p->status.fgid); return;
    case I_ID_FUID: v->kind = 'n'; v->n = (uint64_t)(p->status.fuid); return;
    case I_ID_FUSER: v->kind = 't'; v->t = user_text(c, p->status.fuid, tmp); return;
    case I_SIGIGNORE: v->kind = 't'; v->t = p->status.sig_ign; return;
    case I_PRIORITY: v->kind = 's'; v->s = (int64_t)(p->st.priority); return;
    case I_NS_IPC: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->ns[1]); return;
    case I_RSS_RLIM: v->kind = 'n'; v->n = (uint64_t)(p->st.rsslim); return;
    case I_SD_SESS: v->kind = 't'; v->t = more_of(c, p)->sd_sess; return;
    case I_ID_LOGIN: v->kind = 's'; v->s = (int64_t)(more_of(c, p)->luid); return;
    case I_ID_PID: v->kind = 's'; v->s = (int64_t)(p->st.pid); return;
    case I_LXCNAME: v->kind = 't'; v->t = more_of(c, p)->lxc; return;
    case I_MEM_RES_PGS: v->kind = 'n'; v->n = (uint64_t)(p->rss_kb); return;
    case I_MEM_SHR_PGS: v->kind = 'n'; v->n = (uint64_t)(0); return;
    case I_SD_MACH: v->kind = 't'; v->t = "-"; return;
    case I_FLT_MAJ: v->kind = 'n'; v->n = (uint64_t)(p->st.majflt); return;
    case I_FLT_MIN: v->kind = 'n'; v->n = (uint64_t)(p->st.minflt); return;
    case I_NS_MNT: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->ns[2]); return;
    case I_NS_NET: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->ns[3]); return;
    case I_NICE: v->kind = 's'; v->s = (int64_t)(p->st.nice); return;
    case I_NLWP: v->kind = 's'; v->s = (int64_t)(p->st.num_threads); return;
    case I_PROCESSOR_NODE: v->kind = 's'; v->s = (int64_t)(more_of(c, p)->numa); return;
    case I_OOM_SCORE: v->kind = 's'; v->s = (int64_t)(more_of(c, p)->oom_score); return;
    case I_OOM_ADJ: v->kind = 's'; v->s = (int64_t)(more_of(c, p)->oom_adj); return;
    case I_SD_OUID: v->kind = 't'; v->t = more_of(c, p)->sd_ouid; return;
    case I_SIGNALS: v->kind = 't'; v->t = (p->task ? p->status.sig_pnd : p->status.shd_pnd); return;
    case I_ID_PGRP: v->kind = 's'; v->s = (int64_t)(p->st.pgrp); return;
    case I_NS_PID: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->ns[4]); return;
    case I_ID_PPID: v->kind = 's'; v->s = (int64_t)(p->st.ppid); return;
    case I_SMAP_PSS: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->pss); return;
    case I_IO_READ_BYTES: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->io[4]); return;
    case I_IO_READ_CHARS: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->io[0]); return;
    case I_ID_RGID: v->kind = 'n'; v->n = (uint64_t)(p->status.rgid); return;
    case I_ID_RGROUP: v->kind = 't'; v->t = group_text(c, p->status.rgid, tmp); return;
    case I_IO_READ_OPS: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->io[2]); return;
    case I_PRIORITY_RT: v->kind = 's'; v->s = (int64_t)(p->st.rt_priority); return;
    case I_ID_RUID: v->kind = 'n'; v->n = (uint64_t)(p->status.ruid); return;
    case I_ID_RUSER: v->kind = 't'; v->t = user_text(c, p->status.ruid, tmp); return;
    case I_STATE: v->kind = 's'; v->s = (int64_t)(p->st.state); return;
    case I_SD_SEAT: v->kind = 't'; v->t = "-"; return;
    case I_ID_SESSION: v->kind = 's'; v->s = (int64_t)(p->st.session); return;
    case I_ID_SGID: v->kind = 'n'; v->n = (uint64_t)(p->status.sgid); return;
    case I_ID_SGROUP: v->kind = 't'; v->t = group_text(c, p->status.sgid, tmp); return;
    case I_SD_SLICE: v->kind = 't'; v->t = more_of(c, p)->sd_slice; return;
    case I_ADDR_STACK_START: v->kind = 'n'; v->n = (uint64_t)(p->st.startstack); return;
    case I_ADDR_CODE_START: v->kind = 'n'; v->n = (uint64_t)(p->st.startcode); return;
    case I_ID_SUID: v->kind = 'n'; v->n = (uint64_t)(p->status.suid); return;
    case I_SUPGIDS: v->kind = 't'; v->t = p->status.groups ? p->status.groups : "-"; return;
    case I_ID_SUSER: v->kind = 't'; v->t = user_text(c, p->status.suid, tmp); return;
    case I_VM_SIZE: v->kind = 'n'; v->n = (uint64_t)(p->st.vsize / 1024); return;
    case I_NS_TIME: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->ns[5]); return;
    case I_ID_TPGID: v->kind = 's'; v->s = (int64_t)(p->st.tpgid); return;
    case I_SIGPENDING: v->kind = 't'; v->t = p->status.sig_pnd; return;
    case I_SD_UNIT: v->kind = 't'; v->t = more_of(c, p)->sd_unit; return;
    case I_NS_USER: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->ns[6]); return;
    case I_SMAP_PRV_TOTAL: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->uss); return;
    case I_TICS_USER: v->kind = 'n'; v->n = (uint64_t)(p->st.utime); return;
    case I_NS_UTS: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->ns[7]); return;
    case I_SD_UUNIT: v->kind = 't'; v->t = more_of(c, p)->sd_uunit; return;
    case I_VM_DATA: v->kind = 'n'; v->n = (uint64_t)(p->status.vm_data_kb); return;
    case I_VM_EXE: v->kind = 'n'; v->n = (uint64_t)(0); return;
    case I_VM_LIB: v->kind = 'n'; v->n = (uint64_t)(0); return;
    case I_VM_RSS_LOCKED: v->kind = 'n'; v->n = (uint64_t)(p->status.vm_lock_kb); return;
    case I_VM_STACK: v->kind = 'n'; v->n = (uint64_t)(p->status.vm_stk_kb); return;
    case I_IO_WRITE_BYTES: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->io[5]); return;
    case I_IO_WRITE_CBYTES: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->io[6]); return;
    case I_WCHAN_NAME: v->kind = 't'; v->t = p->wchan ? p->wchan : "-"; return;
    case I_IO_WRITE_CHARS: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->io[1]); return;
    case I_IO_WRITE_OPS: v->kind = 'n'; v->n = (uint64_t)(more_of(c, p)->io[3]); return;
    case I_SERVICE: v->kind = 't'; v->t = (p->service ? p->service : ""); return;
    }
    v->kind = 0;
}

int ps_sort_compare(struct ps_ctx *c, const struct ps_sort_key *k, const struct ps_proc *a, const struct ps_proc *b)
{
    if (!k->order)
        return 0;
    struct item_value x, y;
    item_value(c, k->item, a, &x);
    item_value(c, k->item, b, &y);
    int r = 0;
    switch (x.kind) {
    case 'n': r = (x.n > y.n) - (x.n < y.n); break;
    case 's': r = (x.s > y.s) - (x.s < y.s); break;
    case 'r': r = (x.r > y.r) - (x.r < y.r); break;
    case 't': r = strcoll(x.t, y.t); break;
    case 'v': r = strverscmp(x.t, y.t); break;
    }
    free(x.owned);
    free(y.owned);
    return k->order * (r > 0 ? 1 : r < 0 ? -1 : 0);
}

/* ---------- the table (procps's order: `ps L` lists it as it is) ---------- */

/* the values each printer asks procps's library for: a sort key works only when its value was asked for */
static const unsigned char reg_agid[] = {I_AUTOGRP_ID, I_END};
static const unsigned char reg_agnice[] = {I_AUTOGRP_NICE, I_END};
static const unsigned char reg_args[] = {I_CMDLINE, I_ENVIRON, I_END};
static const unsigned char reg_bsdstart[] = {I_TICS_BEGAN, I_END};
static const unsigned char reg_bsdtime[] = {I_TICS_ALL, I_TICS_ALL_C, I_END};
static const unsigned char reg_c[] = {I_TICS_ALL, I_TICS_ALL_C, I_TIME_ELAPSED, I_UTILIZATION, I_END};
static const unsigned char reg_cgname[] = {I_CGNAME, I_END};
static const unsigned char reg_cgroup[] = {I_CGROUP, I_END};
static const unsigned char reg_cgroupns[] = {I_NS_CGROUP, I_END};
static const unsigned char reg_class[] = {I_SCHED_CLASS, I_END};
static const unsigned char reg_comm[] = {I_CMD, I_CMDLINE, I_ENVIRON, I_END};
static const unsigned char reg_context[] = {I_ID_TGID, I_END};
static const unsigned char reg_cp[] = {I_TICS_ALL, I_TICS_ALL_C, I_TIME_ELAPSED, I_UTILIZATION, I_END};
static const unsigned char reg_drs[] = {I_VSIZE_BYTES, I_ADDR_CODE_END, I_ADDR_CODE_START, I_END};
static const unsigned char reg_dsiz[] = {I_VSIZE_BYTES, I_ADDR_CODE_END, I_ADDR_CODE_START, I_END};
static const unsigned char reg_egid[] = {I_ID_EGID, I_END};
static const unsigned char reg_egroup[] = {I_ID_EGROUP, I_ID_EGID, I_END};
static const unsigned char reg_eip[] = {I_ADDR_CURR_EIP, I_END};
static const unsigned char reg_esp[] = {I_ADDR_CURR_ESP, I_END};
static const unsigned char reg_etime[] = {I_TIME_ELAPSED, I_END};
static const unsigned char reg_etimes[] = {I_TIME_ELAPSED, I_END};
static const unsigned char reg_euid[] = {I_ID_EUID, I_END};
static const unsigned char reg_euser[] = {I_ID_EUSER, I_ID_EUID, I_END};
static const unsigned char reg_exe[] = {I_EXE, I_END};
static const unsigned char reg_fgid[] = {I_ID_FGID, I_END};
static const unsigned char reg_fgroup[] = {I_ID_FGROUP, I_ID_FGID, I_END};
static const unsigned char reg_flag[] = {I_FLAGS, I_END};
static const unsigned char reg_fname[] = {I_CMD, I_END};
static const unsigned char reg_fuid[] = {I_ID_FUID, I_END};
static const unsigned char reg_fuser[] = {I_ID_FUSER, I_ID_FUID, I_END};
static const unsigned char reg_ipcns[] = {I_NS_IPC, I_END};
static const unsigned char reg_lim[] = {I_RSS_RLIM, I_END};
static const unsigned char reg_lstart[] = {I_TICS_BEGAN, I_END};
static const unsigned char reg_luid[] = {I_ID_LOGIN, I_END};
static const unsigned char reg_lxcname[] = {I_LXCNAME, I_END};
static const unsigned char reg_majflt[] = {I_FLT_MAJ, I_FLT_MAJ_C, I_END};
static const unsigned char reg_minflt[] = {I_FLT_MIN, I_FLT_MIN_C, I_END};
static const unsigned char reg_mntns[] = {I_NS_MNT, I_END};
static const unsigned char reg_netns[] = {I_NS_NET, I_END};
static const unsigned char reg_nice[] = {I_NICE, I_SCHED_CLASS, I_END};
static const unsigned char reg_nlwp[] = {I_NLWP, I_END};
static const unsigned char reg_nop[] = {I_noop, I_END};
static const unsigned char reg_numa[] = {I_PROCESSOR_NODE, I_END};
static const unsigned char reg_oom[] = {I_OOM_SCORE, I_END};
static const unsigned char reg_oom_adj[] = {I_OOM_ADJ, I_END};
static const unsigned char reg_opri[] = {I_PRIORITY, I_END};
static const unsigned char reg_pcpu[] = {I_TICS_ALL, I_TICS_ALL_C, I_TIME_ELAPSED, I_UTILIZATION, I_END};
static const unsigned char reg_pgid[] = {I_ID_PGRP, I_END};
static const unsigned char reg_pidns[] = {I_NS_PID, I_END};
static const unsigned char reg_pmem[] = {I_VM_RSS, I_END};
static const unsigned char reg_ppid[] = {I_ID_PPID, I_END};
static const unsigned char reg_pri[] = {I_PRIORITY, I_END};
static const unsigned char reg_pri_api[] = {I_PRIORITY, I_END};
static const unsigned char reg_pri_bar[] = {I_PRIORITY, I_END};
static const unsigned char reg_pri_baz[] = {I_PRIORITY, I_END};
static const unsigned char reg_pri_foo[] = {I_PRIORITY, I_END};
static const unsigned char reg_priority[] = {I_PRIORITY, I_END};
static const unsigned char reg_procs[] = {I_ID_TGID, I_END};
static const unsigned char reg_psr[] = {I_PROCESSOR, I_END};
static const unsigned char reg_pss[] = {I_SMAP_PSS, I_END};
static const unsigned char reg_rbytes[] = {I_IO_READ_BYTES, I_END};
static const unsigned char reg_rchars[] = {I_IO_READ_CHARS, I_END};
static const unsigned char reg_rgid[] = {I_ID_RGID, I_END};
static const unsigned char reg_rgroup[] = {I_ID_RGROUP, I_ID_RGID, I_END};
static const unsigned char reg_rops[] = {I_IO_READ_OPS, I_END};
static const unsigned char reg_rss[] = {I_VM_RSS, I_END};
static const unsigned char reg_rtprio[] = {I_SCHED_CLASS, I_PRIORITY_RT, I_END};
static const unsigned char reg_ruid[] = {I_ID_RUID, I_END};
static const unsigned char reg_ruser[] = {I_ID_RUSER, I_ID_RUID, I_END};
static const unsigned char reg_s[] = {I_STATE, I_END};
static const unsigned char reg_sched[] = {I_SCHED_CLASS, I_END};
static const unsigned char reg_sd_machine[] = {I_SD_MACH, I_END};
static const unsigned char reg_sd_ouid[] = {I_SD_OUID, I_END};
static const unsigned char reg_sd_seat[] = {I_SD_SEAT, I_END};
static const unsigned char reg_sd_session[] = {I_SD_SESS, I_END};
static const unsigned char reg_sd_slice[] = {I_SD_SLICE, I_END};
static const unsigned char reg_sd_unit[] = {I_SD_UNIT, I_END};
static const unsigned char reg_sd_uunit[] = {I_SD_UUNIT, I_END};
static const unsigned char reg_sess[] = {I_ID_SESSION, I_END};
static const unsigned char reg_sgi_p[] = {I_STATE, I_PROCESSOR, I_END};
static const unsigned char reg_sgid[] = {I_ID_SGID, I_END};
static const unsigned char reg_sgroup[] = {I_ID_SGROUP, I_ID_SGID, I_END};
static const unsigned char reg_sig[] = {I_SIGNALS, I_END};
static const unsigned char reg_sigcatch[] = {I_SIGCATCH, I_END};
static const unsigned char reg_sigignore[] = {I_SIGIGNORE, I_END};
static const unsigned char reg_sigmask[] = {I_SIGBLOCKED, I_END};
static const unsigned char reg_size[] = {I_VSIZE_BYTES, I_END};
static const unsigned char reg_stackp[] = {I_ADDR_STACK_START, I_END};
static const unsigned char reg_start[] = {I_TICS_BEGAN, I_END};
static const unsigned char reg_stat[] = {I_STATE, I_NICE, I_VM_RSS_LOCKED, I_ID_SESSION, I_ID_TGID, I_NLWP, I_ID_PGRP, I_ID_TPGID, I_END};
static const unsigned char reg_stime[] = {I_TICS_BEGAN, I_END};
static const unsigned char reg_suid[] = {I_ID_SUID, I_END};
static const unsigned char reg_supgid[] = {I_SUPGIDS, I_END};
static const unsigned char reg_supgrp[] = {I_SUPGROUPS, I_END};
static const unsigned char reg_suser[] = {I_ID_SUSER, I_ID_SUID, I_END};
static const unsigned char reg_swapable[] = {I_VM_DATA, I_VM_STACK, I_VSIZE_BYTES, I_END};
static const unsigned char reg_sz[] = {I_VM_SIZE, I_END};
static const unsigned char reg_t_left[] = {I_END};
static const unsigned char reg_t_left2[] = {I_END};
static const unsigned char reg_t_right[] = {I_END};
static const unsigned char reg_t_right2[] = {I_END};
static const unsigned char reg_t_unlimited[] = {I_END};
static const unsigned char reg_t_unlimited2[] = {I_END};
static const unsigned char reg_tasks[] = {I_ID_PID, I_END};
static const unsigned char reg_time[] = {I_TIME_ALL, I_END};
static const unsigned char reg_timens[] = {I_NS_TIME, I_END};
static const unsigned char reg_times[] = {I_TIME_ALL, I_END};
static const unsigned char reg_tpgid[] = {I_ID_TPGID, I_END};
static const unsigned char reg_trs[] = {I_VSIZE_BYTES, I_ADDR_CODE_END, I_ADDR_CODE_START, I_END};
static const unsigned char reg_tsig[] = {I_SIGPENDING, I_END};
static const unsigned char reg_tsiz[] = {I_VSIZE_BYTES, I_ADDR_CODE_END, I_ADDR_CODE_START, I_END};
static const unsigned char reg_tty4[] = {I_TTY_NUMBER, I_END};
static const unsigned char reg_tty8[] = {I_TTY_NAME, I_END};
static const unsigned char reg_userns[] = {I_NS_USER, I_END};
static const unsigned char reg_uss[] = {I_SMAP_PRV_TOTAL, I_END};
static const unsigned char reg_utilization[] = {I_UTILIZATION, I_END};
static const unsigned char reg_utilization_c[] = {I_UTILIZATION_C, I_END};
static const unsigned char reg_utsns[] = {I_NS_UTS, I_END};
static const unsigned char reg_vsz[] = {I_VM_SIZE, I_END};
static const unsigned char reg_wbytes[] = {I_IO_WRITE_BYTES, I_END};
static const unsigned char reg_wcbytes[] = {I_IO_WRITE_CBYTES, I_END};
static const unsigned char reg_wchan[] = {I_WCHAN_NAME, I_END};
static const unsigned char reg_wchars[] = {I_IO_WRITE_CHARS, I_END};
static const unsigned char reg_wops[] = {I_IO_WRITE_OPS, I_END};

#define PF_OYA 4u /* oya's own: not in `ps L` */
static const struct ps_field fields[] = {
    {"%cpu", "%CPU", pr_pcpu, I_UTILIZATION, 4, PS_RIGHT, PS_ET, 0, reg_pcpu},
    {"%mem", "%MEM", pr_pmem, I_VM_RSS, 4, PS_RIGHT, PS_PO, 0, reg_pmem},
    {"_left", "LLLLLLLL", pr_t_left, I_noop, 8, PS_LEFT, PS_ET, 0, reg_t_left},
    {"_left2", "L2L2L2L2", pr_t_left2, I_noop, 8, PS_LEFT, PS_ET, 0, reg_t_left2},
    {"_right", "RRRRRRRRRRR", pr_t_right, I_noop, 11, PS_RIGHT, PS_ET, 0, reg_t_right},
    {"_right2", "R2R2R2R2R2R", pr_t_right2, I_noop, 11, PS_RIGHT, PS_ET, 0, reg_t_right2},
    {"_unlimited", "U", pr_t_unlimited, I_noop, 16, PS_UNLIMITED, PS_ET, 0, reg_t_unlimited},
    {"_unlimited2", "U2", pr_t_unlimited2, I_noop, 16, PS_UNLIMITED, PS_ET, 0, reg_t_unlimited2},
    {"acflag", "ACFLG", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"acflg", "ACFLG", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"addr", "ADDR", pr_nop, I_noop, 4, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"addr_1", "ADDR", pr_nop, I_noop, 1, PS_LEFT, PS_AN, PF_NOP, reg_nop},
    {"ag_id", "AGID", pr_agid, I_AUTOGRP_ID, 5, PS_RIGHT, PS_AN, 0, reg_agid},
    {"ag_nice", "AGNI", pr_agnice, I_AUTOGRP_NICE, 4, PS_RIGHT, PS_AN, 0, reg_agnice},
    {"alarm", "ALARM", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"argc", "ARGC", pr_nop, I_noop, 4, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"args", "COMMAND", pr_args, I_CMDLINE, 27, PS_UNLIMITED, PS_PO, 0, reg_args},
    {"atime", "TIME", pr_time, I_TIME_ALL, 8, PS_RIGHT, PS_ET, 0, reg_time},
    {"blocked", "BLOCKED", pr_sigblock, I_SIGBLOCKED, 9, PS_SIGNAL, PS_TO, 0, reg_sigmask},
    {"bnd", "BND", pr_nop, I_noop, 1, PS_RIGHT, PS_TO, PF_NOP, reg_nop},
    {"bsdstart", "START", pr_bsdstart, I_TICS_BEGAN, 6, PS_RIGHT, PS_ET, 0, reg_bsdstart},
    {"bsdtime", "TIME", pr_bsdtime, I_TICS_ALL, 6, PS_RIGHT, PS_ET, 0, reg_bsdtime},
    {"c", "C", pr_c, I_UTILIZATION, 2, PS_RIGHT, PS_ET, 0, reg_c},
    {"caught", "CAUGHT", pr_sigcatch, I_SIGCATCH, 9, PS_SIGNAL, PS_TO, 0, reg_sigcatch},
    {"cgname", "CGNAME", pr_cgname, I_CGNAME, 27, PS_UNLIMITED, PS_PO, 0, reg_cgname},
    {"cgroup", "CGROUP", pr_cgroup, I_CGROUP, 27, PS_UNLIMITED, PS_PO, 0, reg_cgroup},
    {"cgroupns", "CGROUPNS", pr_cgroupns, I_NS_CGROUP, 10, PS_RIGHT, PS_ET, 0, reg_cgroupns},
    {"class", "CLS", pr_class, I_SCHED_CLASS, 3, PS_LEFT, PS_TO, 0, reg_class},
    {"cls", "CLS", pr_class, I_SCHED_CLASS, 3, PS_RIGHT, PS_TO, 0, reg_class},
    {"cmaj_flt", "-", pr_nop, I_noop, 1, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"cmd", "CMD", pr_args, I_CMDLINE, 27, PS_UNLIMITED, PS_PO, 0, reg_args},
    {"cmin_flt", "-", pr_nop, I_noop, 1, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"cnswap", "-", pr_nop, I_noop, 1, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"comm", "COMMAND", pr_comm, I_CMD, 15, PS_UNLIMITED, PS_PO, 0, reg_comm},
    {"command", "COMMAND", pr_args, I_CMDLINE, 27, PS_UNLIMITED, PS_PO, 0, reg_args},
    {"context", "CONTEXT", pr_label, I_ID_TGID, 31, PS_LEFT, PS_ET, 0, reg_context},
    {"cp", "CP", pr_cp, I_UTILIZATION, 3, PS_RIGHT, PS_ET, 0, reg_cp},
    {"cpu", "CPU", pr_nop, I_noop, 3, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"cpuid", "CPUID", pr_psr, I_PROCESSOR, 5, PS_RIGHT, PS_TO, 0, reg_psr},
    {"cputime", "TIME", pr_time, I_TIME_ALL, 8, PS_RIGHT, PS_ET, 0, reg_time},
    {"cputimes", "TIME", pr_times, I_TIME_ALL, 8, PS_RIGHT, PS_ET, 0, reg_times},
    {"ctid", "CTID", pr_nop, I_noop, 5, PS_RIGHT, PS_ET, PF_NOP, reg_nop},
    {"cuc", "%CUC", pr_utilization_c, I_UTILIZATION_C, 7, PS_RIGHT, PS_AN, 0, reg_utilization_c},
    {"cursig", "CURSIG", pr_nop, I_noop, 6, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"cutime", "-", pr_nop, I_TICS_USER_C, 1, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"cuu", "%CUU", pr_utilization, I_UTILIZATION, 6, PS_RIGHT, PS_AN, 0, reg_utilization},
    {"cwd", "CWD", pr_nop, I_noop, 3, PS_LEFT, PS_AN, PF_NOP, reg_nop},
    {"drs", "DRS", pr_drs, I_VSIZE_BYTES, 5, PS_RIGHT, PS_PO, 0, reg_drs},
    {"dsiz", "DSIZ", pr_drs, I_VSIZE_BYTES, 4, PS_RIGHT, PS_PO, 0, reg_dsiz},
    {"egid", "EGID", pr_egid, I_ID_EGID, 5, PS_RIGHT, PS_ET, 0, reg_egid},
    {"egroup", "EGROUP", pr_egroup, I_ID_EGROUP, 8, PS_USER, PS_ET, 0, reg_egroup},
    {"eip", "EIP", pr_eip, I_ADDR_CURR_EIP, 16, PS_RIGHT, PS_TO, 0, reg_eip},
    {"emul", "EMUL", pr_nop, I_noop, 13, PS_LEFT, PS_PO, PF_NOP, reg_nop},
    {"end_code", "E_CODE", pr_nop, I_ADDR_CODE_END, 16, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"environ", "ENVIRONMENT", pr_nop, I_noop, 11, PS_UNLIMITED, PS_PO, PF_NOP, reg_nop},
    {"esp", "ESP", pr_esp, I_ADDR_CURR_ESP, 16, PS_RIGHT, PS_TO, 0, reg_esp},
    {"etime", "ELAPSED", pr_etime, I_TIME_ELAPSED, 11, PS_RIGHT, PS_ET, 0, reg_etime},
    {"etimes", "ELAPSED", pr_etimes, I_TIME_ELAPSED, 7, PS_RIGHT, PS_ET, 0, reg_etimes},
    {"euid", "EUID", pr_euid, I_ID_EUID, 5, PS_RIGHT, PS_ET, 0, reg_euid},
    {"euser", "EUSER", pr_euser, I_ID_EUSER, 8, PS_USER, PS_ET, 0, reg_euser},
    {"exe", "EXE", pr_exe, I_EXE, 27, PS_UNLIMITED, PS_PO, 0, reg_exe},
    {"f", "F", pr_flag, I_FLAGS, 1, PS_RIGHT, PS_ET, 0, reg_flag},
    {"fgid", "FGID", pr_fgid, I_FLAGS, 5, PS_RIGHT, PS_ET, 0, reg_fgid},
    {"fgroup", "FGROUP", pr_fgroup, I_ID_FGROUP, 8, PS_USER, PS_ET, 0, reg_fgroup},
    {"flag", "F", pr_flag, I_FLAGS, 1, PS_RIGHT, PS_ET, 0, reg_flag},
    {"flags", "F", pr_flag, I_FLAGS, 1, PS_RIGHT, PS_ET, 0, reg_flag},
    {"fname", "COMMAND", pr_fname, I_CMD, 8, PS_LEFT, PS_PO, 0, reg_fname},
    {"fsgid", "FSGID", pr_fgid, I_ID_FGID, 5, PS_RIGHT, PS_ET, 0, reg_fgid},
    {"fsgroup", "FSGROUP", pr_fgroup, I_ID_FGROUP, 8, PS_USER, PS_ET, 0, reg_fgroup},
    {"fsuid", "FSUID", pr_fuid, I_ID_FUID, 5, PS_RIGHT, PS_ET, 0, reg_fuid},
    {"fsuser", "FSUSER", pr_fuser, I_ID_FUSER, 8, PS_USER, PS_ET, 0, reg_fuser},
    {"fuid", "FUID", pr_fuid, I_ID_FUID, 5, PS_RIGHT, PS_ET, 0, reg_fuid},
    {"fuser", "FUSER", pr_fuser, I_ID_FUSER, 8, PS_USER, PS_ET, 0, reg_fuser},
    {"gid", "GID", pr_egid, I_ID_EGID, 5, PS_RIGHT, PS_ET, 0, reg_egid},
    {"group", "GROUP", pr_egroup, I_ID_EGROUP, 8, PS_USER, PS_ET, 0, reg_egroup},
    {"ignored", "IGNORED", pr_sigignore, I_SIGIGNORE, 9, PS_SIGNAL, PS_TO, 0, reg_sigignore},
    {"inblk", "INBLK", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"inblock", "INBLK", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"intpri", "PRI", pr_opri, I_PRIORITY, 3, PS_RIGHT, PS_TO, 0, reg_opri},
    {"ipcns", "IPCNS", pr_ipcns, I_NS_IPC, 10, PS_RIGHT, PS_ET, 0, reg_ipcns},
    {"jid", "JID", pr_nop, I_noop, 1, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"jobc", "JOBC", pr_nop, I_noop, 4, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"ktrace", "KTRACE", pr_nop, I_noop, 8, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"ktracep", "KTRACEP", pr_nop, I_noop, 8, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"label", "LABEL", pr_label, I_ID_TGID, 31, PS_LEFT, PS_ET, 0, reg_context},
    {"lastcpu", "C", pr_psr, I_PROCESSOR, 3, PS_RIGHT, PS_TO, 0, reg_psr},
    {"lim", "LIM", pr_lim, I_RSS_RLIM, 5, PS_RIGHT, PS_AN, 0, reg_lim},
    {"login", "LOGNAME", pr_nop, I_noop, 8, PS_LEFT, PS_AN, PF_NOP, reg_nop},
    {"logname", "LOGNAME", pr_nop, I_noop, 8, PS_LEFT, PS_AN, PF_NOP, reg_nop},
    {"longtname", "TTY", pr_tty, I_TTY_NAME, 8, PS_LEFT, PS_PO, 0, reg_tty8},
    {"lsession", "SESSION", pr_sd_session, I_SD_SESS, 11, PS_LEFT, PS_ET, 0, reg_sd_session},
    {"lstart", "STARTED", pr_lstart, I_TICS_BEGAN, 24, PS_RIGHT, PS_ET, 0, reg_lstart},
    {"luid", "LUID", pr_luid, I_ID_LOGIN, 5, PS_RIGHT, PS_ET, 0, reg_luid},
    {"luser", "LUSER", pr_nop, I_noop, 8, PS_USER, PS_ET, PF_NOP, reg_nop},
    {"lwp", "LWP", pr_tasks, I_ID_PID, 5, PS_RIGHT, PS_TO, PF_PIDMAX, reg_tasks},
    {"lxc", "LXC", pr_lxc, I_LXCNAME, 8, PS_LEFT, PS_ET, 0, reg_lxcname},
    {"m_drs", "DRS", pr_drs, I_VSIZE_BYTES, 5, PS_RIGHT, PS_PO, 0, reg_drs},
    {"m_dt", "DT", pr_nop, I_noop, 4, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"m_lrs", "LRS", pr_nop, I_noop, 5, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"m_resident", "RES", pr_nop, I_MEM_RES_PGS, 5, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"m_share", "SHRD", pr_nop, I_MEM_SHR_PGS, 5, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"m_size", "SIZE", pr_size, I_VSIZE_BYTES, 5, PS_RIGHT, PS_PO, 0, reg_size},
    {"m_swap", "SWAP", pr_nop, I_noop, 5, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"m_trs", "TRS", pr_trs, I_VSIZE_BYTES, 5, PS_RIGHT, PS_PO, 0, reg_trs},
    {"machine", "MACHINE", pr_dash, I_SD_MACH, 31, PS_LEFT, PS_ET, 0, reg_sd_machine},
    {"maj_flt", "MAJFL", pr_majflt, I_FLT_MAJ, 6, PS_RIGHT, PS_AN, 0, reg_majflt},
    {"majflt", "MAJFLT", pr_majflt, I_FLT_MAJ, 6, PS_RIGHT, PS_AN, 0, reg_majflt},
    {"min_flt", "MINFL", pr_minflt, I_FLT_MIN, 6, PS_RIGHT, PS_AN, 0, reg_minflt},
    {"minflt", "MINFLT", pr_minflt, I_FLT_MIN, 6, PS_RIGHT, PS_AN, 0, reg_minflt},
    {"mntns", "MNTNS", pr_mntns, I_NS_MNT, 10, PS_RIGHT, PS_ET, 0, reg_mntns},
    {"msgrcv", "MSGRCV", pr_nop, I_noop, 6, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"msgsnd", "MSGSND", pr_nop, I_noop, 6, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"mwchan", "MWCHAN", pr_nop, I_noop, 6, PS_WCHAN, PS_TO, PF_NOP, reg_nop},
    {"netns", "NETNS", pr_netns, I_NS_NET, 10, PS_RIGHT, PS_ET, 0, reg_netns},
    {"ni", "NI", pr_nice, I_NICE, 3, PS_RIGHT, PS_TO, 0, reg_nice},
    {"nice", "NI", pr_nice, I_NICE, 3, PS_RIGHT, PS_TO, 0, reg_nice},
    {"nivcsw", "IVCSW", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"nlwp", "NLWP", pr_nlwp, I_NLWP, 4, PS_RIGHT, PS_PO, 0, reg_nlwp},
    {"nsignals", "NSIGS", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"nsigs", "NSIGS", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"nswap", "NSWAP", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"numa", "NUMA", pr_numa, I_PROCESSOR_NODE, 4, PS_RIGHT, PS_AN, 0, reg_numa},
    {"nvcsw", "VCSW", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"nwchan", "WCHAN", pr_nop, I_noop, 6, PS_RIGHT, PS_TO, PF_NOP, reg_nop},
    {"oom", "OOM", pr_oom, I_OOM_SCORE, 4, PS_RIGHT, PS_TO, 0, reg_oom},
    {"oomadj", "OOMADJ", pr_oom_adj, I_OOM_ADJ, 5, PS_RIGHT, PS_TO, 0, reg_oom_adj},
    {"opri", "PRI", pr_opri, I_PRIORITY, 3, PS_RIGHT, PS_TO, 0, reg_opri},
    {"osz", "SZ", pr_nop, I_noop, 2, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"oublk", "OUBLK", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"oublock", "OUBLK", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"ouid", "OWNER", pr_sd_ouid, I_SD_OUID, 5, PS_LEFT, PS_ET, 0, reg_sd_ouid},
    {"p_ru", "P_RU", pr_nop, I_noop, 6, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"paddr", "PADDR", pr_nop, I_noop, 6, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"pagein", "PAGEIN", pr_majflt, I_FLT_MAJ, 6, PS_RIGHT, PS_AN, 0, reg_majflt},
    {"pcpu", "%CPU", pr_pcpu, I_UTILIZATION, 4, PS_RIGHT, PS_ET, 0, reg_pcpu},
    {"pending", "PENDING", pr_sig, I_SIGNALS, 9, PS_SIGNAL, PS_ET, 0, reg_sig},
    {"pgid", "PGID", pr_pgid, I_ID_PGRP, 5, PS_RIGHT, PS_PO, PF_PIDMAX, reg_pgid},
    {"pgrp", "PGRP", pr_pgid, I_ID_PGRP, 5, PS_RIGHT, PS_PO, PF_PIDMAX, reg_pgid},
    {"pid", "PID", pr_pid, I_ID_TGID, 5, PS_RIGHT, PS_PO, PF_PIDMAX, reg_procs},
    {"pidns", "PIDNS", pr_pidns, I_NS_PID, 10, PS_RIGHT, PS_ET, 0, reg_pidns},
    {"pmem", "%MEM", pr_pmem, I_VM_RSS, 4, PS_RIGHT, PS_PO, 0, reg_pmem},
    {"poip", "-", pr_nop, I_noop, 1, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"policy", "POL", pr_class, I_SCHED_CLASS, 3, PS_LEFT, PS_TO, 0, reg_class},
    {"ppid", "PPID", pr_ppid, I_ID_PPID, 5, PS_RIGHT, PS_PO, PF_PIDMAX, reg_ppid},
    {"pri", "PRI", pr_pri, I_PRIORITY, 3, PS_RIGHT, PS_TO, 0, reg_pri},
    {"pri_api", "API", pr_pri_api, I_PRIORITY, 3, PS_RIGHT, PS_TO, 0, reg_pri_api},
    {"pri_bar", "BAR", pr_pri_bar, I_PRIORITY, 3, PS_RIGHT, PS_TO, 0, reg_pri_bar},
    {"pri_baz", "BAZ", pr_pri_baz, I_PRIORITY, 3, PS_RIGHT, PS_TO, 0, reg_pri_baz},
    {"pri_foo", "FOO", pr_pri_foo, I_PRIORITY, 3, PS_RIGHT, PS_TO, 0, reg_pri_foo},
    {"priority", "PRI", pr_priority, I_PRIORITY, 3, PS_RIGHT, PS_TO, 0, reg_priority},
    {"prmgrp", "PRMGRP", pr_nop, I_noop, 12, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"prmid", "PRMID", pr_nop, I_noop, 12, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"project", "PROJECT", pr_nop, I_noop, 12, PS_LEFT, PS_PO, PF_NOP, reg_nop},
    {"projid", "PROJID", pr_nop, I_noop, 5, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"pset", "PSET", pr_nop, I_noop, 4, PS_RIGHT, PS_TO, PF_NOP, reg_nop},
    {"psr", "PSR", pr_psr, I_PROCESSOR, 3, PS_RIGHT, PS_TO, 0, reg_psr},
    {"pss", "PSS", pr_pss, I_SMAP_PSS, 5, PS_RIGHT, PS_PO, 0, reg_pss},
    {"psxpri", "PPR", pr_nop, I_noop, 3, PS_RIGHT, PS_TO, PF_NOP, reg_nop},
    {"rbytes", "RBYTES", pr_rbytes, I_IO_READ_BYTES, 5, PS_RIGHT, PS_TO, 0, reg_rbytes},
    {"rchars", "RCHARS", pr_rchars, I_IO_READ_CHARS, 5, PS_RIGHT, PS_TO, 0, reg_rchars},
    {"re", "RE", pr_nop, I_noop, 3, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"resident", "RES", pr_nop, I_MEM_RES_PGS, 5, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"rgid", "RGID", pr_rgid, I_ID_RGID, 5, PS_RIGHT, PS_ET, 0, reg_rgid},
    {"rgroup", "RGROUP", pr_rgroup, I_ID_RGROUP, 8, PS_USER, PS_ET, 0, reg_rgroup},
    {"rlink", "RLINK", pr_nop, I_noop, 8, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"rops", "ROPS", pr_rops, I_IO_READ_OPS, 5, PS_RIGHT, PS_TO, 0, reg_rops},
    {"rss", "RSS", pr_rss, I_VM_RSS, 5, PS_RIGHT, PS_PO, 0, reg_rss},
    {"rssize", "RSS", pr_rss, I_VM_RSS, 5, PS_RIGHT, PS_PO, 0, reg_rss},
    {"rsz", "RSZ", pr_rss, I_VM_RSS, 5, PS_RIGHT, PS_PO, 0, reg_rss},
    {"rtprio", "RTPRIO", pr_rtprio, I_PRIORITY_RT, 6, PS_RIGHT, PS_TO, 0, reg_rtprio},
    {"ruid", "RUID", pr_ruid, I_ID_RUID, 5, PS_RIGHT, PS_ET, 0, reg_ruid},
    {"ruser", "RUSER", pr_ruser, I_ID_RUSER, 8, PS_USER, PS_ET, 0, reg_ruser},
    {"s", "S", pr_state, I_STATE, 1, PS_LEFT, PS_TO, 0, reg_s},
    {"sched", "SCH", pr_sched, I_SCHED_CLASS, 3, PS_RIGHT, PS_TO, 0, reg_sched},
    {"scnt", "SCNT", pr_nop, I_noop, 4, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"scount", "SC", pr_nop, I_noop, 4, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"seat", "SEAT", pr_dash, I_SD_SEAT, 11, PS_LEFT, PS_ET, 0, reg_sd_seat},
    {"sess", "SESS", pr_sid, I_ID_SESSION, 5, PS_RIGHT, PS_PO, PF_PIDMAX, reg_sess},
    {"session", "SESS", pr_sid, I_ID_SESSION, 5, PS_RIGHT, PS_PO, PF_PIDMAX, reg_sess},
    {"sgi_p", "P", pr_sgi_p, I_STATE, 1, PS_RIGHT, PS_TO, 0, reg_sgi_p},
    {"sgi_rss", "RSS", pr_rss, I_VM_RSS, 4, PS_LEFT, PS_PO, 0, reg_rss},
    {"sgid", "SGID", pr_sgid, I_ID_SGID, 5, PS_RIGHT, PS_ET, 0, reg_sgid},
    {"sgroup", "SGROUP", pr_sgroup, I_ID_SGROUP, 8, PS_USER, PS_ET, 0, reg_sgroup},
    {"share", "-", pr_nop, I_noop, 1, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"sid", "SID", pr_sid, I_ID_SESSION, 5, PS_RIGHT, PS_PO, PF_PIDMAX, reg_sess},
    {"sig", "PENDING", pr_sig, I_SIGNALS, 9, PS_SIGNAL, PS_ET, 0, reg_sig},
    {"sig_block", "BLOCKED", pr_sigblock, I_SIGBLOCKED, 9, PS_SIGNAL, PS_TO, 0, reg_sigmask},
    {"sig_catch", "CATCHED", pr_sigcatch, I_SIGCATCH, 9, PS_SIGNAL, PS_TO, 0, reg_sigcatch},
    {"sig_ignore", "IGNORED", pr_sigignore, I_SIGIGNORE, 9, PS_SIGNAL, PS_TO, 0, reg_sigignore},
    {"sig_pend", "SIGNAL", pr_sig, I_SIGNALS, 9, PS_SIGNAL, PS_ET, 0, reg_sig},
    {"sigcatch", "CAUGHT", pr_sigcatch, I_SIGCATCH, 9, PS_SIGNAL, PS_TO, 0, reg_sigcatch},
    {"sigignore", "IGNORED", pr_sigignore, I_SIGIGNORE, 9, PS_SIGNAL, PS_TO, 0, reg_sigignore},
    {"sigmask", "BLOCKED", pr_sigblock, I_SIGBLOCKED, 9, PS_SIGNAL, PS_TO, 0, reg_sigmask},
    {"size", "SIZE", pr_swapable, I_VSIZE_BYTES, 5, PS_RIGHT, PS_PO, 0, reg_swapable},
    {"sl", "SL", pr_nop, I_noop, 3, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"slice", "SLICE", pr_sd_slice, I_SD_SLICE, 31, PS_LEFT, PS_ET, 0, reg_sd_slice},
    {"spid", "SPID", pr_tasks, I_ID_PID, 5, PS_RIGHT, PS_TO, PF_PIDMAX, reg_tasks},
    {"stackp", "STACKP", pr_stackp, I_ADDR_STACK_START, 16, PS_RIGHT, PS_PO, 0, reg_stackp},
    {"start", "STARTED", pr_start, I_TICS_BEGAN, 8, PS_RIGHT, PS_ET, 0, reg_start},
    {"start_code", "S_CODE", pr_nop, I_ADDR_CODE_START, 16, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"start_stack", "STACKP", pr_stackp, I_ADDR_STACK_START, 16, PS_RIGHT, PS_PO, 0, reg_stackp},
    {"start_time", "START", pr_stime, I_TICS_BEGAN, 5, PS_RIGHT, PS_ET, 0, reg_stime},
    {"stat", "STAT", pr_stat, I_STATE, 4, PS_LEFT, PS_TO, 0, reg_stat},
    {"state", "S", pr_state, I_STATE, 1, PS_LEFT, PS_TO, 0, reg_s},
    {"status", "STATUS", pr_nop, I_noop, 6, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"stime", "STIME", pr_stime, I_TICS_BEGAN, 5, PS_RIGHT, PS_ET, 0, reg_stime},
    {"suid", "SUID", pr_suid, I_ID_SUID, 5, PS_RIGHT, PS_ET, 0, reg_suid},
    {"supgid", "SUPGID", pr_supgid, I_SUPGIDS, 20, PS_UNLIMITED, PS_PO, 0, reg_supgid},
    {"supgrp", "SUPGRP", pr_supgrp, I_SUPGROUPS, 40, PS_UNLIMITED, PS_PO, 0, reg_supgrp},
    {"suser", "SUSER", pr_suser, I_ID_SUSER, 8, PS_USER, PS_ET, 0, reg_suser},
    {"svgid", "SVGID", pr_sgid, I_ID_SGID, 5, PS_RIGHT, PS_ET, 0, reg_sgid},
    {"svgroup", "SVGROUP", pr_sgroup, I_ID_SGROUP, 8, PS_USER, PS_ET, 0, reg_sgroup},
    {"svuid", "SVUID", pr_suid, I_ID_SUID, 5, PS_RIGHT, PS_ET, 0, reg_suid},
    {"svuser", "SVUSER", pr_suser, I_ID_SUSER, 8, PS_USER, PS_ET, 0, reg_suser},
    {"systime", "SYSTEM", pr_nop, I_noop, 6, PS_RIGHT, PS_ET, PF_NOP, reg_nop},
    {"sz", "SZ", pr_sz, I_VM_SIZE, 5, PS_RIGHT, PS_PO, 0, reg_sz},
    {"taskid", "TASKID", pr_nop, I_noop, 5, PS_RIGHT, PS_TO, PF_PIDMAX|PF_NOP, reg_nop},
    {"tdev", "TDEV", pr_nop, I_noop, 4, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"tgid", "TGID", pr_pid, I_ID_TGID, 5, PS_RIGHT, PS_PO, PF_PIDMAX, reg_procs},
    {"thcount", "THCNT", pr_nlwp, I_NLWP, 5, PS_RIGHT, PS_PO, 0, reg_nlwp},
    {"tid", "TID", pr_tasks, I_ID_PID, 5, PS_RIGHT, PS_TO, PF_PIDMAX, reg_tasks},
    {"time", "TIME", pr_time, I_TIME_ALL, 8, PS_RIGHT, PS_ET, 0, reg_time},
    {"timens", "TIMENS", pr_timens, I_NS_TIME, 10, PS_RIGHT, PS_ET, 0, reg_timens},
    {"timeout", "TMOUT", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"times", "TIME", pr_times, I_TIME_ALL, 8, PS_RIGHT, PS_ET, 0, reg_times},
    {"tmout", "TMOUT", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"tname", "TTY", pr_tty, I_TTY_NAME, 8, PS_LEFT, PS_PO, 0, reg_tty8},
    {"tpgid", "TPGID", pr_tpgid, I_ID_TPGID, 5, PS_RIGHT, PS_PO, PF_PIDMAX, reg_tpgid},
    {"trs", "TRS", pr_trs, I_VSIZE_BYTES, 4, PS_RIGHT, PS_PO, 0, reg_trs},
    {"trss", "TRSS", pr_trs, I_VSIZE_BYTES, 4, PS_RIGHT, PS_PO, 0, reg_trs},
    {"tsess", "TSESS", pr_nop, I_noop, 5, PS_RIGHT, PS_PO, PF_PIDMAX|PF_NOP, reg_nop},
    {"tsession", "TSESS", pr_nop, I_noop, 5, PS_RIGHT, PS_PO, PF_PIDMAX|PF_NOP, reg_nop},
    {"tsid", "TSID", pr_nop, I_noop, 5, PS_RIGHT, PS_PO, PF_PIDMAX|PF_NOP, reg_nop},
    {"tsig", "PENDING", pr_tsig, I_SIGPENDING, 9, PS_SIGNAL, PS_ET, 0, reg_tsig},
    {"tsiz", "TSIZ", pr_trs, I_VSIZE_BYTES, 4, PS_RIGHT, PS_PO, 0, reg_tsiz},
    {"tt", "TT", pr_tty, I_TTY_NAME, 8, PS_LEFT, PS_PO, 0, reg_tty8},
    {"tty", "TT", pr_tty, I_TTY_NAME, 8, PS_LEFT, PS_PO, 0, reg_tty8},
    {"tty4", "TTY", pr_tty4, I_TTY_NAME, 4, PS_LEFT, PS_PO, 0, reg_tty4},
    {"tty8", "TTY", pr_tty, I_TTY_NAME, 8, PS_LEFT, PS_PO, 0, reg_tty8},
    {"u_procp", "UPROCP", pr_nop, I_noop, 6, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"ucmd", "CMD", pr_comm, I_CMD, 15, PS_UNLIMITED, PS_PO, 0, reg_comm},
    {"ucomm", "COMMAND", pr_comm, I_CMD, 15, PS_UNLIMITED, PS_PO, 0, reg_comm},
    {"uid", "UID", pr_euid, I_ID_EUID, 5, PS_RIGHT, PS_ET, 0, reg_euid},
    {"uid_hack", "UID", pr_euser, I_ID_EUSER, 8, PS_USER, PS_ET, 0, reg_euser},
    {"umask", "UMASK", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"uname", "USER", pr_euser, I_ID_EUSER, 8, PS_USER, PS_ET, 0, reg_euser},
    {"unit", "UNIT", pr_sd_unit, I_SD_UNIT, 31, PS_LEFT, PS_ET, 0, reg_sd_unit},
    {"upr", "UPR", pr_nop, I_noop, 3, PS_RIGHT, PS_TO, PF_NOP, reg_nop},
    {"uprocp", "UPROCP", pr_nop, I_noop, 8, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"user", "USER", pr_euser, I_ID_EUSER, 8, PS_USER, PS_ET, 0, reg_euser},
    {"userns", "USERNS", pr_userns, I_NS_USER, 10, PS_RIGHT, PS_ET, 0, reg_userns},
    {"usertime", "USER", pr_nop, I_noop, 4, PS_RIGHT, PS_ET, PF_NOP, reg_nop},
    {"usrpri", "UPR", pr_nop, I_noop, 3, PS_RIGHT, PS_TO, PF_NOP, reg_nop},
    {"uss", "USS", pr_uss, I_SMAP_PRV_TOTAL, 5, PS_RIGHT, PS_PO, 0, reg_uss},
    {"util", "C", pr_c, I_UTILIZATION, 2, PS_RIGHT, PS_ET, 0, reg_c},
    {"utime", "UTIME", pr_nop, I_TICS_USER, 6, PS_RIGHT, PS_ET, PF_NOP, reg_nop},
    {"utsns", "UTSNS", pr_utsns, I_NS_UTS, 10, PS_RIGHT, PS_ET, 0, reg_utsns},
    {"uunit", "UUNIT", pr_sd_uunit, I_SD_UUNIT, 31, PS_LEFT, PS_ET, 0, reg_sd_uunit},
    {"vm_data", "DATA", pr_nop, I_VM_DATA, 5, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"vm_exe", "EXE", pr_nop, I_VM_EXE, 5, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"vm_lib", "LIB", pr_nop, I_VM_LIB, 5, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"vm_lock", "LCK", pr_nop, I_VM_RSS_LOCKED, 3, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"vm_stack", "STACK", pr_nop, I_VM_STACK, 5, PS_RIGHT, PS_PO, PF_NOP, reg_nop},
    {"vsize", "VSZ", pr_vsz, I_VSIZE_BYTES, 6, PS_RIGHT, PS_PO, 0, reg_vsz},
    {"vsz", "VSZ", pr_vsz, I_VM_SIZE, 6, PS_RIGHT, PS_PO, 0, reg_vsz},
    {"wbytes", "WBYTES", pr_wbytes, I_IO_WRITE_BYTES, 5, PS_RIGHT, PS_TO, 0, reg_wbytes},
    {"wcbytes", "WCBYTES", pr_wcbytes, I_IO_WRITE_CBYTES, 5, PS_RIGHT, PS_TO, 0, reg_wcbytes},
    {"wchan", "WCHAN", pr_wchan, I_WCHAN_NAME, 6, PS_WCHAN, PS_TO, 0, reg_wchan},
    {"wchars", "WCHARS", pr_wchars, I_IO_WRITE_CHARS, 5, PS_RIGHT, PS_TO, 0, reg_wchars},
    {"wname", "WCHAN", pr_wchan, I_WCHAN_NAME, 6, PS_WCHAN, PS_TO, 0, reg_wchan},
    {"wops", "WOPS", pr_wops, I_IO_WRITE_OPS, 5, PS_RIGHT, PS_TO, 0, reg_wops},
    {"xstat", "XSTAT", pr_nop, I_noop, 5, PS_RIGHT, PS_AN, PF_NOP, reg_nop},
    {"zone", "ZONE", pr_label, I_ID_TGID, 31, PS_LEFT, PS_ET, 0, reg_context},
    {"zoneid", "ZONEID", pr_nop, I_noop, 31, PS_RIGHT, PS_ET, PF_NOP, reg_nop},
    {"service", "SERVICE", pr_service, I_SERVICE, 10, PS_LEFT, PS_ET, PF_OYA, reg_nop},
};

const struct ps_field *ps_field_find(const char *spec)
{
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
        if (strcmp(fields[i].spec, spec) == 0)
            return &fields[i];
    return NULL;
}

bool ps_field_known(const char *spec)
{
    return ps_field_find(spec) != NULL;
}

unsigned ps_field_needs(const struct ps_field *f)
{
    unsigned n = item_needs(f->item);
    if (f->pr == pr_args || f->pr == pr_comm)
        n |= PS_NEED_ARGS | PS_NEED_ENV;
    if (f->pr == pr_swapable || f->pr == pr_sig || f->pr == pr_tsig || f->pr == pr_sigblock ||
        f->pr == pr_sigignore || f->pr == pr_sigcatch || f->pr == pr_supgid || f->pr == pr_supgrp)
        n |= PS_NEED_STATUS;
    if (f->pr == pr_wchan)
        n |= PS_NEED_WCHAN;
    if (f->pr == pr_service)
        n |= PS_NEED_SERVICE;
    return n;
}

bool ps_sort_lookup(const char *spec, struct ps_sort_key *key, unsigned *needs)
{
    const struct ps_field *f = ps_field_find(spec);
    if (!f)
        return false;
    key->f = f;
    key->item = f->item;
    *needs |= item_needs(f->item);
    return true;
}

void ps_sort_prune(struct ps_sort_key *keys, size_t n, const struct ps_column *cols, size_t ncols)
{
    /* what procps's ps asks for whatever the columns: selection, STAT, times */
    static const unsigned char always[] = {
        I_CMD, I_ID_EGID, I_ID_EUID, I_ID_FGID, I_ID_FUID, I_ID_PID, I_ID_PPID, I_ID_RGID, I_ID_RUID, I_ID_SESSION,
        I_ID_SGID, I_ID_SUID, I_ID_TGID, I_STATE, I_ID_PGRP, I_ID_TPGID, I_NICE, I_NLWP, I_VM_RSS_LOCKED,
        I_SIGBLOCKED, I_SIGCATCH, I_SIGIGNORE, I_SIGNALS, I_SIGPENDING, I_TICS_ALL, I_TICS_ALL_C, I_TIME_ALL,
        I_TIME_ELAPSED, I_TICS_BEGAN, I_noop, I_SERVICE, I_END};
    bool asked[I_END + 1] = {false};
    for (const unsigned char *r = always; *r != I_END; r++)
        asked[*r] = true;
    for (size_t i = 0; i < ncols; i++)
        for (const unsigned char *r = cols[i].f ? cols[i].f->reg : NULL; r && *r != I_END; r++)
            asked[*r] = true;
    for (size_t i = 0; i < n; i++)
        for (const unsigned char *r = keys[i].f ? keys[i].f->reg : NULL; r && *r != I_END; r++)
            asked[*r] = true;
    for (size_t i = 0; i < n; i++)
        if (!asked[keys[i].item])
            keys[i].order = 0;
}

void ps_list_fields(struct buf *out)
{
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
        if (!(fields[i].flags & (PF_NOP | PF_OYA)))
            buf_printf(out, "%-12.12s %-8.8s\n", fields[i].spec, fields[i].head);
}
