/* cli/admin: `oya daemon-reload` (read the unit files again, as systemctl daemon-reload) and `oya shutdown`
 * (stop every service and end oya; --now kills them). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cli_daemon_reload(struct cli *c, int argc, char **argv)
{
    if (argc > 1) {
        bool help = strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0;
        fprintf(help ? stdout : stderr,
                "usage: oya daemon-reload\nRead the unit files again: new ones start, changed ones apply at their "
                "next start,\nremoved ones stop; says which were added, changed, removed and unchanged.\n");
        return help ? 0 : 2;
    }
    char *fields[] = {"daemon-reload"};
    struct ctl_reply rep;
    int rc = cli_call(c, fields, 1, &rep);
    if (rc)
        return rc;
    static const char *const groups[] = {"added", "changed", "removed", "unchanged"};
    for (size_t i = 0; i < rep.n; i++)
        for (size_t g = 0; g < 4; g++) {
            const char *names = ctl_get(&rep.recs[i], groups[g]);
            size_t n = str_count_words(names);
            printf("%-9s %zu%s%s\n", groups[g], n, n ? ": " : "", n ? names : "");
        }
    ctl_reply_free(&rep);
    return 0;
}

int cli_shutdown(struct cli *c, int argc, char **argv)
{
    bool now = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--now") == 0) {
            now = true;
        } else {
            bool help = strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0;
            fprintf(help ? stdout : stderr,
                    "usage: oya shutdown [--now]\nStop every service, each within its TimeoutStopSec=, and end oya; "
                    "returns once all are down.\n--now: kill them at once (SIGKILL).\n");
            return help ? 0 : 2;
        }
    }
    char *fields[] = {"shutdown", "now"};
    struct ctl_reply rep;
    int rc = cli_call(c, fields, now ? 2 : 1, &rep);
    if (rc)
        return rc;
    ctl_reply_free(&rep);
    printf("every service is down; oya has ended\n");
    return 0;
}
