/* cli/status: `oya status [NAME...] [--json]`, laid out like `systemctl status`. Exit status as
 * systemctl's: 0 when every named service is active, 3 when one is not, 4 when one is unknown. */
#include "cli.h"

#include "../logs/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The next "logline" field of a service record from *k on, parsed; false when there is none left */
static bool next_logline(const struct ctl_record *r, size_t *k, struct log_rec *rec)
{
    for (; *k < r->keys.n; ++*k) {
        const char *line = r->values.v[*k];
        if (strcmp(r->keys.v[*k], "logline") == 0 && log_rec_parse(line, strlen(line), rec))
            return true;
    }
    return false;
}

static void active_line(const struct cli *c, const struct ctl_record *r, struct buf *out)
{
    const char *active = ctl_get(r, "active"), *sub = ctl_get(r, "sub"), *result = ctl_get(r, "result");
    uint64_t since = (uint64_t)ctl_get_ll(r, "since", 0);
    bool color = c->color && (strcmp(active, "active") == 0 || strcmp(active, "failed") == 0);
    bool failed = strcmp(active, "failed") == 0;
    /* as systemctl: "failed (Result: exit-code)", "activating (auto-restart) (Result: signal)" */
    buf_printf(out, "     Active: %s%s", color ? (failed ? "\033[0;1;31m" : "\033[0;1;32m") : "", active);
    if (!failed)
        buf_printf(out, " (%s)", sub);
    buf_puts(out, color ? "\033[0m" : "");
    const char *fz = ctl_get(r, "freezer");
    if (fz && strcmp(fz, "frozen") == 0)
        buf_puts(out, " (frozen)"); /* as systemctl, after `oya freeze` */
    if (strcmp(result, "success") != 0 && strcmp(active, "active") != 0)
        buf_printf(out, " (Result: %s)", result);
    if (since) {
        char ts[64], rel[64];
        fmt_timestamp(ts, sizeof(ts), since);
        fmt_relative(rel, sizeof(rel), since, clock_real_usec());
        buf_printf(out, " since %s; %s", ts, rel);
    }
    buf_putc(out, '\n');
    const char *in = ctl_get(r, "restart_in_usec");
    if (in && *in) {
        char left[64];
        fmt_timespan(left, sizeof(left), strtoull(in, NULL, 10), USEC_PER_MSEC * 100);
        buf_printf(out, "    Restart: next in %s (try %s)\n", left, ctl_get(r, "restart_try"));
    }
}

static void print_service(const struct cli *c, const struct ctl_record *r, struct buf *out)
{
    const char *desc = ctl_get(r, "description");
    buf_printf(out, "%s %s%s%s\n", cli_dot(c, ctl_get(r, "active")), ctl_get(r, "name"), desc && *desc ? " - " : "",
               desc ? desc : "");
    buf_printf(out, "     Loaded: %s (%s)\n", ctl_get(r, "load"), ctl_get(r, "path"));
    const char *load_error = ctl_get(r, "load_error");
    for (const char *p = load_error; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        buf_printf(out, "      Error: %.*s\n", (int)len, p);
        p += len + (nl ? 1 : 0);
    }
    active_line(c, r, out);
    struct cli_procs p;
    cli_procs_read(&p, ctl_get(r, "pids"));
    long long main_pid = ctl_get_ll(r, "main_pid", 0), last = ctl_get_ll(r, "last_pid", 0);
    char ex[96];
    cli_exit_text(r, ex, sizeof(ex));
    if (main_pid > 0)
        buf_printf(out, "   Main PID: %lld (%s)\n", main_pid, p.n && p.pids[0] == main_pid ? p.comm : "?");
    else if (last > 0 && ex[0])
        buf_printf(out, "   Main PID: %lld (%s)\n", last, ex);
    const char *cond = ctl_get(r, "condition"), *kind = ctl_get(r, "condition_kind");
    if (cond && *cond)
        buf_printf(out, "  %s: start %s: %s\n", strcmp(kind, "assert") == 0 ? "   Assert" : "Condition",
                   strcmp(kind, "assert") == 0 ? "assertion failed" : "condition unmet, skipped", cond);
    const char *st = ctl_get(r, "status_text");
    if (st && *st)
        buf_printf(out, "     Status: \"%s\"\n", st);
    const char *err = ctl_get(r, "exec_error");
    long long eno = ctl_get_ll(r, "status_errno", 0);
    if (err && *err)
        buf_printf(out, "      Error: %s\n", err);
    else if (eno > 0)
        buf_printf(out, "      Error: %lld (%s)\n", eno, strerror((int)eno));
    const char *lp = ctl_get(r, "log_problem");
    if (lp && *lp)
        buf_printf(out, "        Log: %s\n", lp);
    long long restarts = ctl_get_ll(r, "restarts", 0);
    if (restarts > 0)
        buf_printf(out, "   Restarts: %lld\n", restarts);
    if (p.n) {
        char mem[96], cpu[64];
        /* the cgroup's figures where there is one, as systemctl shows them */
        const char *cg_cpu = ctl_get(r, "cpu_usec"), *cg_mem = ctl_get(r, "memory_current");
        fmt_bytes(mem, sizeof(mem), cg_mem ? strtoull(cg_mem, NULL, 10) : p.memory);
        if (cg_mem && ctl_get(r, "memory_peak")) {
            char peak[32];
            fmt_bytes(peak, sizeof(peak), (uint64_t)ctl_get_ll(r, "memory_peak", 0));
            snprintf(mem + strlen(mem), sizeof(mem) - strlen(mem), " (peak: %s)", peak);
        }
        fmt_timespan(cpu, sizeof(cpu), cg_cpu ? strtoull(cg_cpu, NULL, 10) : p.cpu, USEC_PER_MSEC);
        const char *cg = ctl_get(r, "cgroup");
        buf_printf(out, "      Tasks: %ld\n     Memory: %s\n        CPU: %s\n", p.tasks, mem, cpu);
        if (ctl_get(r, "io_read_bytes")) {
            char rd[32], wr[32];
            fmt_bytes(rd, sizeof(rd), (uint64_t)ctl_get_ll(r, "io_read_bytes", 0));
            fmt_bytes(wr, sizeof(wr), (uint64_t)ctl_get_ll(r, "io_write_bytes", 0));
            buf_printf(out, "         IO: %s read, %s written\n", rd, wr);
        }
        /* as systemctl: the tree under the service's cgroup; without one, its processes as /proc shows them */
        if (cg && *cg)
            buf_printf(out, "     CGroup: %s\n", cg);
        else
            buf_puts(out, "  Processes:\n");
        cli_procs_tree(c, &p, "             ", out);
    }
    cli_procs_free(&p);
    /* the service's last log lines, as systemctl status ends with its journal's */
    char host[256] = "localhost";
    gethostname(host, sizeof(host) - 1);
    bool first = true;
    struct log_rec rec;
    for (size_t k = 0; next_logline(r, &k, &rec); k++) {
        if (first)
            buf_putc(out, '\n');
        first = false;
        cli_log_line(c, out, &rec, ctl_get(r, "identifier"), ctl_get(r, "name"), 0, host);
    }
}

static void print_overview(const struct cli *c, const struct ctl_reply *rep, struct buf *out)
{
    const struct ctl_record *o = &rep->recs[0];
    char pid[32], ts[64], rel[64], mem[32], cpu[64];
    uint64_t since = (uint64_t)ctl_get_ll(o, "since", 0);
    snprintf(pid, sizeof(pid), "%lld", ctl_get_ll(o, "pid", 0));
    struct cli_procs p;
    cli_procs_read(&p, pid);
    fmt_timestamp(ts, sizeof(ts), since);
    fmt_relative(rel, sizeof(rel), since, clock_real_usec());
    fmt_bytes(mem, sizeof(mem), p.memory);
    fmt_timespan(cpu, sizeof(cpu), p.cpu, USEC_PER_MSEC);
    buf_printf(out, "%s oya - supervising %s services from %s\n", cli_dot(c, "active"), ctl_get(o, "services"),
               ctl_get(o, "paths"));
    buf_printf(out, "      State: %s since %s; %s\n", ctl_get(o, "state"), ts, rel);
    buf_printf(out, "        PID: %s\n     Socket: %s\n     Memory: %s\n        CPU: %s\n", pid, ctl_get(o, "socket"),
               mem, cpu);
    const char *cg = ctl_get(o, "cgroup"), *why = ctl_get(o, "cgroup_why");
    if (cg && *cg)
        buf_printf(out, "     CGroup: %s (services in %s)\n", cg, ctl_get(o, "cgroup_subtree"));
    else if (why && *why)
        buf_printf(out, "     CGroup: none: %s; services are tracked by /proc\n", why);
    cli_procs_free(&p);
    size_t w = 4;
    for (size_t i = 1; i < rep->n; i++)
        if (strlen(ctl_get(&rep->recs[i], "name")) > w)
            w = strlen(ctl_get(&rep->recs[i], "name"));
    buf_puts(out, "   Services:\n");
    for (size_t i = 1; i < rep->n; i++) {
        const struct ctl_record *r = &rep->recs[i];
        char state[64];
        snprintf(state, sizeof(state), "%s (%s)", ctl_get(r, "active"), ctl_get(r, "sub"));
        long long main_pid = ctl_get_ll(r, "main_pid", 0);
        buf_printf(out, "             %s %-*s %-26s ", cli_dot(c, ctl_get(r, "active")), (int)w, ctl_get(r, "name"),
                   state);
        if (main_pid > 0)
            buf_printf(out, "%-8lld", main_pid);
        else
            buf_printf(out, "%-8s", "-");
        buf_printf(out, " %s\n", ctl_get(r, "description"));
    }
}

static void json_service(const struct ctl_record *r, struct buf *out)
{
    struct cli_procs p;
    cli_procs_read(&p, ctl_get(r, "pids"));
    buf_puts(out, "{");
    static const char *strings[] = {"name", "description", "path", "load", "active", "sub", "freezer", "result", "type",
                                    "restart", "exec_error", "invocation", "status_text", "condition",
                                    "condition_kind", "load_error"};
    for (size_t i = 0; i < ARRAY_SIZE(strings); i++) {
        json_quote(out, strings[i]);
        buf_putc(out, ':');
        json_quote(out, ctl_get(r, strings[i]) ? ctl_get(r, strings[i]) : "");
        buf_putc(out, ',');
    }
    static const char *numbers[] = {"main_pid", "last_pid", "restarts", "exit_code", "exit_status", "since",
                                    "active_since", "status_errno"};
    for (size_t i = 0; i < ARRAY_SIZE(numbers); i++)
        buf_printf(out, "\"%s\":%lld,", numbers[i], ctl_get_ll(r, numbers[i], 0));
    char ex[96];
    cli_exit_text(r, ex, sizeof(ex));
    buf_puts(out, "\"exit\":");
    json_quote(out, ex);
    /* the cgroup's own figures where oya has one (CPU then counts processes that ended too, as systemd's) */
    const char *cg_cpu = ctl_get(r, "cpu_usec");
    buf_printf(out, ",\"tasks\":%ld,\"memory_bytes\":%llu,\"cpu_usec\":%llu,\"cgroup\":", p.tasks,
               (unsigned long long)p.memory, cg_cpu ? strtoull(cg_cpu, NULL, 10) : (unsigned long long)p.cpu);
    const char *cg = ctl_get(r, "cgroup");
    if (cg && *cg)
        json_quote(out, cg);
    else
        buf_puts(out, "null");
    static const char *const cg_numbers[] = {"memory_current", "memory_peak", "io_read_bytes", "io_write_bytes"};
    for (size_t i = 0; i < ARRAY_SIZE(cg_numbers); i++)
        if (ctl_get(r, cg_numbers[i]))
            buf_printf(out, ",\"%s\":%lld", cg_numbers[i], ctl_get_ll(r, cg_numbers[i], 0));
    static const char *const psi[] = {"pressure_cpu", "pressure_memory", "pressure_io"};
    for (size_t i = 0; i < ARRAY_SIZE(psi); i++) {
        const char *v = ctl_get(r, psi[i]);
        if (v && *v && v[strspn(v, "0123456789.")] == 0) /* a number as the kernel writes it ("0.00") */
            buf_printf(out, ",\"%s_some_avg10\":%s", psi[i], v);
        else if (v)
            buf_printf(out, ",\"%s_some_avg10\":null", psi[i]);
    }
    buf_puts(out, ",\"processes\":[");
    for (size_t i = 0; i < p.n; i++) {
        buf_printf(out, "%s{\"pid\":%d,\"ppid\":%d,\"command\":", i ? "," : "", p.pids[i], p.ppids[i]);
        json_quote(out, p.cmdlines[i]);
        buf_putc(out, '}');
    }
    buf_puts(out, "],\"log\":[");
    bool first = true;
    struct log_rec rec;
    for (size_t k = 0; next_logline(r, &k, &rec); k++) {
        char *text = xstrndup(rec.text, rec.text_len);
        buf_printf(out, "%s{\"usec\":%llu,\"stream\":\"%s\",\"priority\":%d,\"pid\":%d,\"message\":",
                   first ? "" : ",", (unsigned long long)rec.usec, log_stream_name(rec.stream), rec.prio, rec.pid);
        json_quote(out, text);
        buf_putc(out, '}');
        free(text);
        first = false;
    }
    buf_puts(out, "]}");
    cli_procs_free(&p);
}

static void print_json(const struct ctl_reply *rep, struct buf *out)
{
    buf_puts(out, "{");
    size_t first = 0;
    if (rep->n && strcmp(rep->recs[0].type, "oya") == 0) {
        const struct ctl_record *o = &rep->recs[0];
        buf_printf(out, "\"oya\":{\"pid\":%lld,\"since\":%lld,\"services\":%lld,\"socket\":", ctl_get_ll(o, "pid", 0),
                   ctl_get_ll(o, "since", 0), ctl_get_ll(o, "services", 0));
        json_quote(out, ctl_get(o, "socket"));
        buf_puts(out, ",\"state\":");
        json_quote(out, ctl_get(o, "state"));
        buf_puts(out, "},");
        first = 1;
    }
    buf_puts(out, "\"services\":[");
    for (size_t i = first; i < rep->n; i++) {
        if (i > first)
            buf_putc(out, ',');
        json_service(&rep->recs[i], out);
    }
    buf_puts(out, "]}\n");
}

int cli_status(struct cli *c, int argc, char **argv)
{
    bool json = false;
    long long lines = -1;
    struct strv fields = {0};
    strv_add(&fields, "status");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if ((strcmp(argv[i], "-n") == 0 || strcmp(argv[i], "--lines") == 0) && i + 1 < argc) {
            uint64_t n;
            if (!str_to_u64(argv[++i], &n)) {
                fprintf(stderr, "oya status: -n %s: give a number of log lines\n", argv[i]);
                strv_clear(&fields);
                return 2;
            }
            lines = (long long)n;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: oya status [--json] [-n LINES] [NAME...]\n"
                   "Show the supervisor and its services, or the named services in detail, each with its last\n"
                   "log lines (10; -n changes it, -n 0 shows none).\n"
                   "Exit status: 0 all named services active, 3 one is not active, 4 unknown service.\n");
            strv_clear(&fields);
            return 0;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "oya status: unknown option %s; see oya status --help\n", argv[i]);
            strv_clear(&fields);
            return 2;
        } else {
            strv_add(&fields, argv[i]);
        }
    }
    bool named = fields.n > 1;
    if (lines >= 0 || json) { /* options go first, before the names */
        struct strv with = {0};
        strv_add(&with, "status");
        if (lines >= 0)
            strv_push(&with, xasprintf("--lines=%lld", lines));
        if (json)
            strv_add(&with, "--pressure");
        for (size_t i = 1; i < fields.n; i++)
            strv_add(&with, fields.v[i]);
        strv_clear(&fields);
        fields = with;
    }
    struct ctl_reply rep;
    int rc = cli_call(c, fields.v, fields.n, &rep);
    strv_clear(&fields);
    if (rc)
        return rc;
    struct buf out = {0};
    if (json) {
        print_json(&rep, &out);
    } else if (!named && rep.n && strcmp(rep.recs[0].type, "oya") == 0) {
        print_overview(c, &rep, &out);
    } else {
        for (size_t i = 0; i < rep.n; i++) {
            if (i)
                buf_putc(&out, '\n');
            print_service(c, &rep.recs[i], &out);
        }
    }
    for (size_t i = 0; named && i < rep.n; i++)
        if (strcmp(ctl_get(&rep.recs[i], "active"), "active") != 0)
            rc = 3;
    fd_write_all(1, out.p, out.len);
    buf_free(&out);
    ctl_reply_free(&rep);
    return rc;
}
