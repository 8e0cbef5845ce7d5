/* cli/kill: `oya kill [-s SIGNAL|-SIGNAL] [--kill-whom=main|control|all] NAME...` sends a signal to the
 * processes of the services, as systemctl kill does. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_kill(struct cli *c, int argc, char **argv)
{
    const char *sig = "TERM", *whom = NULL;
    struct strv fields = {0};
    strv_add(&fields, "kill");
    strv_add(&fields, sig);
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--signal") == 0) && i + 1 < argc) {
            sig = argv[++i];
        } else if (str_startswith(argv[i], "--signal=")) {
            sig = argv[i] + 9;
        } else if (str_startswith(argv[i], "--kill-whom=") || str_startswith(argv[i], "--kill-who=")) {
            whom = strchr(argv[i], '=') + 1;
            if (strcmp(whom, "main") && strcmp(whom, "control") && strcmp(whom, "all")) {
                fprintf(stderr, "oya kill: %s: use main, control or all\n", argv[i]);
                strv_clear(&fields);
                return 2;
            }
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: oya kill [-s SIGNAL|-SIGNAL] [--kill-whom=main|control|all] NAME...\nSend SIGNAL "
                   "(default TERM; -9, -KILL, -SIGKILL, --signal=KILL alike) to every process of the\nservices, "
                   "or only to the main or the control process.\n");
            strv_clear(&fields);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] && signal_from_name(argv[i] + 1) > 0) {
            sig = argv[i] + 1; /* -9, -KILL, -SIGKILL, as kill(1) */
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "oya kill: unknown option %s; see oya kill --help\n", argv[i]);
            strv_clear(&fields);
            return 2;
        } else {
            strv_add(&fields, argv[i]);
        }
    }
    free(fields.v[1]);
    fields.v[1] = xstrdup(sig);
    if (whom) { /* "kill SIG whom=W NAME...": the names move one place on */
        struct strv with = {0};
        char *w = xasprintf("whom=%s", whom);
        for (size_t i = 0; i < fields.n; i++) {
            strv_add(&with, fields.v[i]);
            if (i == 1)
                strv_add(&with, w);
        }
        free(w);
        strv_clear(&fields);
        fields = with;
    }
    if (fields.n < 3 + (whom != NULL)) {
        fprintf(stderr, "oya kill: name at least one service\n");
        strv_clear(&fields);
        return 2;
    }
    struct ctl_reply rep;
    int rc = cli_call(c, fields.v, fields.n, &rep);
    strv_clear(&fields);
    bool missing = false;
    for (size_t i = 0; rc == 0 && i < rep.n; i++) {
        if (strcmp(rep.recs[i].type, "missing") == 0) {
            fprintf(stderr, "oya: %s\n", ctl_get(&rep.recs[i], "error"));
            missing = true;
            continue;
        }
        long long n = ctl_get_ll(&rep.recs[i], "count", 0);
        if (n == 0) {
            fprintf(stderr, "oya: %s: no process to signal\n", ctl_get(&rep.recs[i], "name"));
            rc = 1;
        } else {
            const char *name = signal_name(signal_from_name(sig)); /* -9, KILL, SIGKILL: said as SIGKILL */
            printf("%s: sent %s%s to %lld process%s\n", ctl_get(&rep.recs[i], "name"), name ? "SIG" : "",
                   name ? name : sig, n, n == 1 ? "" : "es");
        }
    }
    ctl_reply_free(&rep);
    return rc ? rc : missing ? 4 : 0;
}
