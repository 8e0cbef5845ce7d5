/* cli/up: `oya up [--socket PATH] DIR|FILE.service...` runs the supervisor in the foreground. */
#include "cli.h"

#include "../sup/sup.h"
#include "../unit/unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* "1M", "512K", "2G" or bytes; false if it is not a size */
static bool parse_size(const char *v, uint64_t *out)
{
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (end == v || *v == '-')
        return false;
    uint64_t mul = 1;
    if (*end == 'K' || *end == 'k')
        mul = 1024, end++;
    else if (*end == 'M')
        mul = 1024 * 1024, end++;
    else if (*end == 'G')
        mul = 1024ull * 1024 * 1024, end++;
    if (*end || n > UINT64_MAX / mul)
        return false;
    *out = n * mul;
    return true;
}

/* --NAME VALUE or --NAME=VALUE at argv[*i]: the value, or NULL */
static const char *option(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == 0 && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

/* oya up -d: the supervisor goes on in a session of its own, its output to /dev/null (the log store
 * keeps what services and oya say); this process waits until every service has started or failed and
 * says so: 0 when none failed, 1 otherwise or when oya ended first. */
static int up_detached(struct sup_options *o)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        fprintf(stderr, "oya up: %s\n", strerror(errno));
        return 1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "oya up: cannot start in the background: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        close(p[0]);
        setsid();
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int fd = 0; fd < 3 && null >= 0; fd++)
            dup2(null, fd);
        if (null > 2)
            close(null);
        o->detach = true;
        o->ready_fd = p[1];
        _exit(sup_run(o));
    }
    close(p[1]);
    char line[4096];
    size_t got = 0;
    for (;;) {
        ssize_t n = read(p[0], line + got, sizeof(line) - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == sizeof(line) - 1)
            break;
    }
    close(p[0]);
    line[got] = 0;
    line[strcspn(line, "\n")] = 0;
    const char *where = o->socket_path ? o->socket_path : "none";
    if (str_startswith(line, "ok ")) {
        printf("oya: supervising %s services in the background (pid %d), control socket %s\n", line + 3, (int)pid,
               where);
        return 0;
    }
    if (str_startswith(line, "failed ")) {
        fprintf(stderr, "oya: running in the background (pid %d, control socket %s); failed to start:%s "
                        "(oya status NAME tells why)\n", (int)pid, where, line + 6);
        return 1;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    fprintf(stderr, "oya up: oya ended before its services started (%s %d); run it in the foreground to see "
                    "why\n", WIFEXITED(status) ? "exit status" : "signal",
            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return 1;
}

int cli_up(struct cli *c, int argc, char **argv)
{
    struct strv paths = {0};
    const char *notify = NULL;
    char log_dir[4096];
    cli_log_dir_default(log_dir, sizeof(log_dir));
    uint64_t log_memory = 1024 * 1024, log_size = 8 * 1024 * 1024, log_files = 4;
    bool no_cgroups = false, exit_when_idle = false, detach = false;
    int failure_action = UA_NONE;
    const char *cgroup_root = NULL;
    bool timestamps = false;
    const char *syslog_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: oya up [--socket PATH] [--notify-socket PATH|@NAME] DIR|FILE.service...\n"
                   "Start and supervise the services in the unit files (every NAME.service in DIR).\n"
                   "SIGTERM or SIGINT stops them all; a second one kills what is left at once.\n"
                   "SIGHUP re-reads the unit files: new ones start, changed ones apply at their next start,\n"
                   "removed ones stop.\n"
                   "Type=notify services report to NOTIFY_SOCKET: by default an abstract socket with an\n"
                   "unguessable name (@oya/notify/RANDOM); --notify-socket binds that path (or @NAME) instead.\n"
                   "Logs: what each service writes, and what oya says of it, is kept in memory (--log-memory\n"
                   "SIZE per service, 1M) and in DIR/NAME.log (--log-dir DIR, /var/log/oya as root, else\n"
                   "$XDG_STATE_HOME/oya/log; none: memory only), rotated past --log-size (8M) keeping\n"
                   "--log-files (4) old ones. `oya logs` reads them.\n"
                   "Foreground: each line behind \"NAME | \" (stdout) or \"NAME ! \" (stderr, red on a terminal);\n"
                   "--timestamps puts its time in front.\n"
                   "Each service runs in a cgroup v2 of its own where the unified hierarchy is writable (its\n"
                   "processes are its cgroup's, however they fork); --no-cgroups tracks them by /proc instead.\n"
                   "--syslog[=PATH|none] serves /dev/log (or PATH) for the services' syslog(3) messages, each kept in the\n"
                   "log of the service that sent it; as PID 1 oya serves /dev/log unless something else does (none: not).\n"
                   "--failure-action=ACTION: what a service failing for good does when its unit sets no\n"
                   "FailureAction= (exit: stop everything and exit with its status; see docs/supervision.md).\n"
                   "-d, --detach: go on in the background, returning once every service has started or failed\n"
                   "(exit 1 if one failed); the log store keeps what they say.\n"
                   "--exit-when-idle: exit once no service is active, starting or waiting to restart (0 when all\n"
                   "ended well, else the status of the first that failed).\n");
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
        const char *v;
        uint64_t n;
        if (strcmp(argv[i], "--timestamps") == 0) {
            timestamps = true;
            continue;
        }
        if (strcmp(argv[i], "--no-cgroups") == 0) {
            no_cgroups = true;
            continue;
        }
        if (strcmp(argv[i], "-d") == 0 || strcmp(argv[i], "--detach") == 0) {
            detach = true;
            continue;
        }
        if (strcmp(argv[i], "--exit-when-idle") == 0) {
            exit_when_idle = true;
            continue;
        }
        if ((v = option(argc, argv, &i, "--failure-action"))) {
            failure_action = unit_action_from_name(v);
            if (failure_action < 0) {
                fprintf(stderr, "oya up: --failure-action=%s: unknown action; use none, exit, exit-force, reboot, "
                                "poweroff or halt (each also -force, -immediate)\n", v);
                strv_clear(&paths);
                return 2;
            }
            continue;
        }
        if ((v = option(argc, argv, &i, "--cgroup-root"))) {
            cgroup_root = v; /* tests: resource control written to a directory shaped like cgroupfs */
            continue;
        }
        if (strcmp(argv[i], "--syslog") == 0 || strncmp(argv[i], "--syslog=", 9) == 0) {
            syslog_path = argv[i][8] ? argv[i] + 9 : "/dev/log"; /* only --syslog=PATH takes a path */
            continue;
        }
        if ((v = option(argc, argv, &i, "--log-dir"))) {
            snprintf(log_dir, sizeof(log_dir), "%s", strcmp(v, "none") == 0 ? "" : v);
            continue;
        }
        uint64_t *target = NULL;
        bool count = false;
        if ((v = option(argc, argv, &i, "--log-memory")))
            target = &log_memory;
        else if ((v = option(argc, argv, &i, "--log-size")))
            target = &log_size;
        else if ((v = option(argc, argv, &i, "--log-files")))
            target = &log_files, count = true;
        if (target) {
            if (!(count ? str_to_u64(v, &n) : parse_size(v, &n)) || n == 0 || (count && n > 1000)) {
                fprintf(stderr, "oya up: %s: not %s\n", v, count ? "a count from 1 to 1000" : "a size like 512K or 8M");
                strv_clear(&paths);
                return 2;
            }
            *target = n;
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
    if (log_memory < 65536)
        log_memory = 65536; /* room for the longest line */
    struct sup_options o = {.socket_path = c->socket, .socket_private = c->socket_private, .paths = paths.v,
                            .npaths = paths.n, .notify_socket = notify, .log_dir = log_dir,
                            .log_memory = (size_t)log_memory, .log_file_size = log_size,
                            .log_files = (unsigned)log_files, .timestamps = timestamps, .no_cgroups = no_cgroups,
                            .cgroup_root = cgroup_root, .syslog_path = syslog_path,
                            .failure_action = failure_action, .exit_when_idle = exit_when_idle};
    int rc = detach ? up_detached(&o) : sup_run(&o);
    strv_clear(&paths);
    return rc;
}
