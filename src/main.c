/* oya: a process supervisor, container init and process inspector. main dispatches subcommands. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>


static void usage(FILE *f)
{
    fprintf(f, "usage: oya [--socket PATH] COMMAND [ARGS...]\n"
               "\n"
               "  up DIR|FILE.service...     supervise services (foreground)\n"
               "  init [OPTIONS] -- CMD...   run CMD as a container's PID 1 (reap, forward signals)\n"
               "  verify FILE|DIR...         check unit files, start nothing\n"
               "  condition EXPR...          check ConditionNAME=/AssertNAME= on this machine\n"
               "  status [--json] [NAME...]  show the supervisor or services\n"
               "  list [--state=S] [--json]  one line per service\n"
               "  start|stop|restart NAME... change services and wait for the outcome\n"
               "  reload NAME...             run ExecReload= and wait for it\n"
               "  freeze|thaw NAME...        stop every process of services in place, and resume them\n"
               "  kill [-s SIGNAL] NAME...   signal every process of services\n"
               "  daemon-reload              read the unit files again (as SIGHUP)\n"
               "  shutdown [--now]           stop every service and end oya\n"
               "  logs [NAME...] [-n N]      what services said, merged by time, as journalctl -u\n"
               "  ps [OPTIONS]               list processes like procps ps (aux, -ef, -o ...)\n"
               "  tree [OPTIONS] [PID|USER]  the process tree like psmisc pstree; --services by service\n"
               "  explain PID                one process in plain words: state, reaper, ancestry, service\n"
               "  trace [NAME...] [-p PID]   processes born and dying, live: fork, exec, exit, by service\n"
               "  top [-b] [-n N] [-d SECS]  processes live, by service (CPU, memory, switches, states)\n"
               "\n"
               "The control socket is --socket PATH, else $OYA_SOCKET, else /run/oya/oya.sock (root)\n"
               "or $XDG_RUNTIME_DIR/oya/oya.sock. oya COMMAND --help tells more.\n");
}

static const struct {
    const char *name;
    int (*run)(struct cli *c, int argc, char **argv);
} commands[] = {
    {"up", cli_up},       {"verify", cli_verify}, {"status", cli_status},   {"list", cli_list},
    {"start", cli_start}, {"stop", cli_start},    {"restart", cli_start},   {"reload", cli_start},
    {"kill", cli_kill},   {"ps", cli_ps},         {"tree", cli_tree},       {"init", cli_init},
    {"condition", cli_condition}, {"logs", cli_logs}, {"explain", cli_explain},
    {"trace", cli_trace}, {"top", cli_top}, {"freeze", cli_start}, {"thaw", cli_start},
    {"daemon-reload", cli_daemon_reload}, {"shutdown", cli_shutdown},
};

int main(int argc, char **argv)
{
    struct cli c = {0};
    /* called as ps or pstree (a link named so): that tool, its command line untouched */
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (!strcmp(base, "ps") || !strcmp(base, "pstree")) {
        c.socket_private = ctl_socket_path(NULL, c.socket, sizeof(c.socket));
        const char *nc = getenv("NO_COLOR");
        c.color = isatty(1) && !(nc && *nc);
        return base[2] ? cli_tree(&c, argc, argv) : cli_ps(&c, argc, argv);
    }
    /* --socket may stand before or after the command; but `oya init` runs a command line of its own,
     * and nothing after its first non-option word may be taken (init reads its --socket itself) */
    int out = 1;
    bool subcommand_seen = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
            c.socket_opt = argv[++i];
        } else if (str_startswith(argv[i], "--socket=")) {
            c.socket_opt = argv[i] + 9;
        } else if (strcmp(argv[i], "--") == 0 || (!subcommand_seen && strcmp(argv[i], "init") == 0)) {
            while (i < argc)
                argv[out++] = argv[i++];
            break;
        } else {
            subcommand_seen = subcommand_seen || argv[i][0] != '-';
            argv[out++] = argv[i];
        }
    }
    argc = out;
    argv[argc] = NULL;
    c.socket_private = ctl_socket_path(c.socket_opt, c.socket, sizeof(c.socket));
    const char *nc = getenv("NO_COLOR");
    c.color = isatty(1) && !(nc && *nc);
    struct winsize ws;
    if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        c.columns = ws.ws_col;
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("oya %s\n", OYA_VERSION);
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(&c, argc - 1, argv + 1);
    fprintf(stderr, "oya: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
