/* cli/kill: `oya kill [-s SIGNAL] NAME...` sends a signal to every process of the services. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_kill(struct cli *c, int argc, char **argv)
{
    const char *sig = "TERM";
    struct strv fields = {0};
    strv_add(&fields, "kill");
    strv_add(&fields, sig);
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--signal") == 0) && i + 1 < argc) {
            sig = argv[++i];
        } else if (str_startswith(argv[i], "--signal=")) {
            sig = argv[i] + 9;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: oya kill [-s SIGNAL] NAME...\nSend SIGNAL (default TERM) to every process of the "
                   "services.\n");
            strv_clear(&fields);
            return 0;
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
    if (fields.n < 3) {
        fprintf(stderr, "oya kill: name at least one service\n");
        strv_clear(&fields);
        return 2;
    }
    struct ctl_reply rep;
    int rc = cli_call(c, fields.v, fields.n, &rep);
    strv_clear(&fields);
    for (size_t i = 0; rc == 0 && i < rep.n; i++) {
        long long n = ctl_get_ll(&rep.recs[i], "count", 0);
        if (n == 0) {
            fprintf(stderr, "oya: %s: no process to signal\n", ctl_get(&rep.recs[i], "name"));
            rc = 1;
        } else {
            printf("%s: sent %s to %lld process%s\n", ctl_get(&rep.recs[i], "name"), sig, n, n == 1 ? "" : "es");
        }
    }
    ctl_reply_free(&rep);
    return rc;
}
