/* cli/tree: `oya tree`, psmisc pstree compatible (-a -A -c -g -l -n -p -t -T -u -U, PID or USER), and
 * `oya tree --services`: the processes grouped under the oya service that owns them, like
 * systemd-cgls. */
#include "cli.h"

#include "../proc/proc.h"
#include "../proc/tree.h"

#include <ctype.h>
#include <langinfo.h>
#include <locale.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int tree_usage(int rc)
{
    fprintf(rc ? stderr : stdout,
            "Usage: oya tree [-acglnpStTuU] [ -A | -U ] [ PID | USER ]\n"
            "       oya tree --services\n"
            "Display a tree of processes, as psmisc's pstree.\n\n"
            "  -a, --arguments     show command line arguments\n"
            "  -A, --ascii         use ASCII line drawing characters\n"
            "  -c, --compact-not   don't compact identical subtrees\n"
            "  -g, --show-pgids    show process group ids\n"
            "  -l, --long          don't truncate long lines\n"
            "  -n, --numeric-sort  sort output by PID\n"
            "  -p, --show-pids     show PIDs; implies -c\n"
            "  -t, --thread-names  show full thread names\n"
            "  -T, --hide-threads  hide threads, show only processes\n"
            "  -u, --uid-changes   show uid transitions\n"
            "  -U, --unicode       use UTF-8 (Unicode) line drawing characters\n"
            "      --services      the processes of each oya service, like systemd-cgls\n\n"
            "  PID    start at this PID; default is 1 (init)\n"
            "  USER   show only trees rooted at processes of this user\n");
    return rc;
}

static int output_width(void)
{
    const char *env = getenv("COLUMNS");
    if (env && *env) {
        char *end;
        long t = strtol(env, &end, 0);
        if (!*end && t > 0 && t < 0x7fffffffL)
            return (int)t;
    }
    struct winsize ws;
    if (ioctl(1, TIOCGWINSZ, &ws) >= 0 && ws.ws_col)
        return ws.ws_col;
    return 132;
}

/* Each service and its processes, systemd-cgls style. */
static int tree_services(struct cli *c)
{
    char *req[] = {"status"};
    struct ctl_reply rep;
    int rc = cli_call(c, req, 1, &rep);
    if (rc)
        return rc;
    struct buf out = {0};
    for (size_t i = 0; i < rep.n; i++) {
        const struct ctl_record *r = &rep.recs[i];
        if (strcmp(r->type, "oya") == 0) {
            buf_printf(&out, "oya (pid %s, %s)\n", ctl_get(r, "pid"), ctl_get(r, "socket"));
            continue;
        }
        bool last = i + 1 == rep.n;
        buf_printf(&out, "%s%s (%s, %s)\n", last ? "└─" : "├─", ctl_get(r, "name"), ctl_get(r, "active"),
                   ctl_get(r, "sub"));
        struct cli_procs p;
        cli_procs_read(&p, ctl_get(r, "pids"));
        cli_procs_tree(c, &p, last ? "  " : "│ ", &out);
        cli_procs_free(&p);
    }
    fd_write_all(1, out.p, out.len);
    buf_free(&out);
    ctl_reply_free(&rep);
    return 0;
}

static bool long_opt(const char *a, struct pstree_opts *o, bool *services)
{
    static const struct {
        const char *name;
        char letter;
    } longs[] = {
        {"arguments", 'a'}, {"ascii", 'A'}, {"compact-not", 'c'}, {"show-pgids", 'g'}, {"long", 'l'},
        {"numeric-sort", 'n'}, {"show-pids", 'p'}, {"thread-names", 't'}, {"hide-threads", 'T'},
        {"uid-changes", 'u'}, {"unicode", 'U'},
    };
    if (strcmp(a, "services") == 0) {
        *services = true;
        return true;
    }
    (void)o;
    for (size_t i = 0; i < ARRAY_SIZE(longs); i++)
        if (strcmp(a, longs[i].name) == 0)
            return true;
    return false;
}

static char long_letter(const char *a)
{
    static const char *names[] = {"arguments", "ascii", "compact-not", "show-pgids", "long", "numeric-sort",
                                  "show-pids", "thread-names", "hide-threads", "uid-changes", "unicode"};
    static const char letters[] = "AcglnptTuU";
    if (strcmp(a, names[0]) == 0)
        return 'a';
    for (size_t i = 1; i < ARRAY_SIZE(names); i++)
        if (strcmp(a, names[i]) == 0)
            return letters[i - 1];
    return 0;
}

static int apply(struct pstree_opts *o, char ch)
{
    switch (ch) {
    case 'a': o->args = true; break;
    case 'A': o->unicode = false; break;
    case 'c': o->compact = false; break;
    case 'g': o->pgids = true; break;
    case 'l': o->trunc = false; break;
    case 'n': o->by_pid = true; break;
    case 'p': o->pids = true; o->compact = false; break;
    case 't': o->thread_names = true; break;
    case 'T': o->hide_threads = true; break;
    case 'u': o->uid_changes = true; break;
    case 'U': o->unicode = true; break;
    default: return -1;
    }
    return 0;
}

int cli_tree(struct cli *c, int argc, char **argv)
{
    setlocale(LC_ALL, "");
    const char *cs = nl_langinfo(CODESET);
    struct pstree_opts o = {.compact = true, .trunc = true, .width = output_width(), .root_pid = 1,
                            .unicode = isatty(1) && cs && strcmp(cs, "UTF-8") == 0};
    bool services = false;
    const char *target = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return tree_usage(0);
        if (str_startswith(a, "--")) {
            if (!long_opt(a + 2, &o, &services))
                return tree_usage(1);
            if (!services || strcmp(a + 2, "services"))
                apply(&o, long_letter(a + 2));
        } else if (a[0] == '-' && a[1]) {
            for (const char *p = a + 1; *p; p++)
                if (apply(&o, *p) < 0)
                    return tree_usage(1);
        } else if (!target) {
            target = a;
        } else {
            return tree_usage(1);
        }
    }
    if (services)
        return tree_services(c);
    if (target) {
        if (isdigit((unsigned char)target[0])) {
            char *end;
            o.root_pid = (int)strtol(target, &end, 10);
            if (*end)
                return tree_usage(1);
        } else {
            struct passwd *pw = getpwnam(target);
            if (!pw) {
                fprintf(stderr, "No such user name: %s\n", target);
                return 1;
            }
            o.by_user = true;
            o.user_uid = pw->pw_uid;
        }
    }
    int procfd = proc_open_root();
    if (procfd < 0) {
        fprintf(stderr, "/proc is empty (not mounted ?)\n");
        return 1;
    }
    struct buf out = {0};
    int rc = pstree_render(procfd, &o, &out);
    close(procfd);
    fd_write_all(1, out.p, out.len);
    buf_free(&out);
    return rc;
}
