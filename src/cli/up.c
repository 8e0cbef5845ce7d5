/* cli/up: `oya up [--socket PATH] DIR|FILE.service...` runs the supervisor in the foreground. */
#include "cli.h"

#include "../sup/sup.h"

#include <stdio.h>
#include <string.h>

int cli_up(struct cli *c, int argc, char **argv)
{
    struct strv paths = {0};
    const char *notify = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: oya up [--socket PATH] [--notify-socket PATH|@NAME] DIR|FILE.service...\n"
                   "Start and supervise the services in the unit files (every NAME.service in DIR).\n"
                   "SIGTERM or SIGINT stops them all; a second one kills what is left at once.\n"
                   "SIGHUP re-reads the unit files: new ones start, changed ones apply at their next start,\n"
                   "removed ones stop.\n"
                   "Type=notify services report to NOTIFY_SOCKET: by default an abstract socket with an\n"
                   "unguessable name (@oya/notify/RANDOM); --notify-socket binds that path (or @NAME) instead.\n");
            strv_clear(&paths);
            return 0;
        }
        if (strcmp(argv[i], "--notify-socket") == 0 && i + 1 < argc) {
            notify = argv[++i];
            continue;
        }
        if (strncmp(argv[i], "--notify-socket=", 16) == 0) {
            notify = argv[i] + 16;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "oya up: unknown option %s; see oya up --help\n", argv[i]);
            strv_clear(&paths);
            return 2;
        }
        strv_add(&paths, argv[i]);
    }
    if (paths.n == 0) {
        fprintf(stderr, "oya up: give a directory of .service files or unit files; see oya up --help\n");
        return 2;
    }
    struct sup_options o = {.socket_path = c->socket, .socket_private = c->socket_private, .paths = paths.v, .npaths = paths.n, .notify_socket = notify};
    int rc = sup_run(&o);
    strv_clear(&paths);
    return rc;
}
