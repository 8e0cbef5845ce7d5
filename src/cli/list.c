/* cli/list: `oya list [--state=STATE,...] [--json] [--no-legend]`, one line per service like
 * `systemctl list-units --type=service`. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_NAME, C_LOAD, C_ACTIVE, C_SUB, C_PID, C_UPTIME, C_RESTARTS, C_DESC, NCOLS };
static const char *headers[NCOLS] = {"NAME", "LOAD", "ACTIVE", "SUB", "MAIN PID", "UPTIME", "RESTARTS",
                                     "DESCRIPTION"};

static bool state_matches(const struct ctl_record *r, const char *states)
{
    if (!states)
        return true;
    char *copy = xstrdup(states), *save = NULL;
    bool match = false;
    for (char *t = strtok_r(copy, ",", &save); t && !match; t = strtok_r(NULL, ",", &save))
        match = !strcmp(t, ctl_get(r, "load")) || !strcmp(t, ctl_get(r, "active")) || !strcmp(t, ctl_get(r, "sub"));
    free(copy);
    return match;
}

static void cells_for(const struct ctl_record *r, char cells[NCOLS][256])
{
    snprintf(cells[C_NAME], 256, "%s", ctl_get(r, "name"));
    snprintf(cells[C_LOAD], 256, "%s", ctl_get(r, "load"));
    snprintf(cells[C_ACTIVE], 256, "%s", ctl_get(r, "active"));
    snprintf(cells[C_SUB], 256, "%s", ctl_get(r, "sub"));
    long long pid = ctl_get_ll(r, "main_pid", 0);
    if (pid > 0)
        snprintf(cells[C_PID], 256, "%lld", pid);
    else
        snprintf(cells[C_PID], 256, "-");
    uint64_t since = (uint64_t)ctl_get_ll(r, "active_since", 0);
    if (since) {
        uint64_t now = clock_real_usec();
        fmt_timespan(cells[C_UPTIME], 256, now > since ? now - since : 0, USEC_PER_SEC);
    } else {
        snprintf(cells[C_UPTIME], 256, "-");
    }
    snprintf(cells[C_RESTARTS], 256, "%s", ctl_get(r, "restarts"));
    snprintf(cells[C_DESC], 256, "%s", ctl_get(r, "description"));
}

static void print_json(const struct ctl_reply *rep, const char *states, struct buf *out)
{
    buf_putc(out, '[');
    bool first = true;
    for (size_t i = 0; i < rep->n; i++) {
        const struct ctl_record *r = &rep->recs[i];
        if (!state_matches(r, states))
            continue;
        buf_puts(out, first ? "{" : ",{");
        first = false;
        static const char *strings[] = {"name", "load", "active", "sub", "result", "description"};
        for (size_t k = 0; k < ARRAY_SIZE(strings); k++) {
            json_quote(out, strings[k]);
            buf_putc(out, ':');
            json_quote(out, ctl_get(r, strings[k]));
            buf_putc(out, ',');
        }
        uint64_t since = (uint64_t)ctl_get_ll(r, "active_since", 0), now = clock_real_usec();
        buf_printf(out, "\"main_pid\":%lld,\"restarts\":%lld,\"active_since\":%llu,\"uptime_usec\":%llu}",
                   ctl_get_ll(r, "main_pid", 0), ctl_get_ll(r, "restarts", 0), (unsigned long long)since,
                   (unsigned long long)(since && now > since ? now - since : 0));
    }
    buf_puts(out, "]\n");
}

int cli_list(struct cli *c, int argc, char **argv)
{
    bool json = false, legend = true;
    const char *states = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--no-legend") == 0)
            legend = false;
        else if (str_startswith(argv[i], "--state="))
            states = argv[i] + 8;
        else if (strcmp(argv[i], "--state") == 0 && i + 1 < argc)
            states = argv[++i];
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: oya list [--state=STATE[,STATE...]] [--json] [--no-legend]\n"
                   "One line per service. STATE matches LOAD, ACTIVE or SUB (running, failed, inactive...).\n");
            return 0;
        } else {
            fprintf(stderr, "oya list: unknown argument %s; see oya list --help\n", argv[i]);
            return 2;
        }
    }
    char *req[] = {"list"};
    struct ctl_reply rep;
    int rc = cli_call(c, req, 1, &rep);
    if (rc)
        return rc;
    struct buf out = {0};
    if (json) {
        print_json(&rep, states, &out);
    } else {
        size_t w[NCOLS], shown = 0;
        for (int k = 0; k < NCOLS; k++)
            w[k] = strlen(headers[k]);
        char (*cells)[NCOLS][256] = xcalloc(rep.n ? rep.n : 1, sizeof(*cells));
        for (size_t i = 0; i < rep.n; i++) {
            cells_for(&rep.recs[i], cells[i]);
            if (!state_matches(&rep.recs[i], states))
                continue;
            for (int k = 0; k < NCOLS; k++)
                if (strlen(cells[i][k]) > w[k])
                    w[k] = strlen(cells[i][k]);
        }
        if (legend) {
            for (int k = 0; k < NCOLS - 1; k++)
                buf_printf(&out, "%-*s ", (int)w[k], headers[k]);
            buf_printf(&out, "%s\n", headers[NCOLS - 1]);
        }
        for (size_t i = 0; i < rep.n; i++) {
            if (!state_matches(&rep.recs[i], states))
                continue;
            shown++;
            for (int k = 0; k < NCOLS - 1; k++)
                buf_printf(&out, "%-*s ", (int)w[k], cells[i][k]);
            buf_printf(&out, "%s\n", cells[i][NCOLS - 1]);
        }
        if (legend)
            buf_printf(&out, "\n%zu service%s listed.\n", shown, shown == 1 ? "" : "s");
        free(cells);
    }
    fd_write_all(1, out.p, out.len);
    buf_free(&out);
    ctl_reply_free(&rep);
    return 0;
}
