/* cli/init: `oya init [-g] [-v] [-s] [-e CODE]... [--grace SECONDS] [--kill-tree] -- CMD [ARGS...]`, a
 * container's PID 1 (like tini and dumb-init) on the supervisor core: one implicit service, the command.
 * It ends when the command ends, with its status, as tini does. */
#include "cli.h"

#include "../sup/sup.h"
#include "../unit/unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

static int init_usage(int rc)
{
    fprintf(rc ? stderr : stdout,
            "usage: oya init [OPTIONS] [--] CMD [ARGS...]\n"
            "Run CMD as a container's PID 1: reap every zombie, forward signals, and exit as soon as CMD\n"
            "exits, with its status (128+N when signal N killed it). As PID 1, the kernel then ends what\n"
            "CMD left; otherwise it is left running, as tini leaves it, unless --kill-tree.\n"
            "The options of tini and of dumb-init are understood too, so either can be replaced as is.\n\n"
            "  -g              forward signals to CMD's whole process group, not only to CMD (tini -g;\n"
            "                  dumb-init's default, which -c turns off)\n"
            "  -e CODE         treat exit code CODE of CMD as 0 (repeatable)\n"
            "  -s              do not warn when not running as PID 1 (oya is then a child subreaper)\n"
            "  -v              say what oya does (signals forwarded, how CMD ended); -vv, -vvv as tini\n"
            "  -w              say when a zombie other than CMD is reaped (tini)\n"
            "  -p SIGNAL       the signal oya gets when its parent dies (tini; prctl PR_SET_PDEATHSIG)\n"
            "  -c, --single-child  signals to CMD only (dumb-init; oya's default)\n"
            "  -r, --rewrite S:R   forward signal S as R, or not at all when R is 0 (dumb-init; repeatable)\n"
            "  --grace SECONDS after SIGTERM or SIGINT, how long CMD may take before it (with -g, its\n"
            "                  process group) is SIGKILLed (default 10; a time span like 500ms works too;\n"
            "                  0: SIGKILL at once)\n"
            "  --kill-tree     when not PID 1: once CMD has exited, SIGTERM what it left below oya,\n"
            "                  SIGKILL after the grace period, then exit\n"
            "  --socket PATH   also serve the control socket (oya status works inside the container)\n"
            "  --version, -V   print oya's version;  -l  say where oya's license is (tini)\n"
            "Environment: TINI_SUBREAPER, TINI_KILL_PROCESS_GROUP (as -g), TINI_VERBOSITY (0: as -s,\n"
            "2 or more: as -v), DUMB_INIT_SETSID=0 (as -c).\n"
            "Options are read only before CMD: nothing after its first word is taken. Usage errors exit 1.\n");
    return rc;
}

/* The value of an option: "--name=VALUE", or the next word */
static const char *option_value(const char *a, size_t name_len, int argc, char **argv, int *i)
{
    if (a[name_len] == '=')
        return a + name_len + 1;
    return *i + 1 < argc ? argv[++*i] : NULL;
}

/* dumb-init's -r S:R (names or numbers; R 0 means "do not forward") */
static int parse_rewrite(const char *v, struct sup_options *o)
{
    const char *colon = v ? strchr(v, ':') : NULL;
    if (!colon)
        return -1;
    char *from = xstrndup(v, (size_t)(colon - v));
    int s = signal_from_name(from), r = strcmp(colon + 1, "0") == 0 ? 0 : signal_from_name(colon + 1);
    free(from);
    if (s <= 0 || s > 64 || r < 0 || r > 64)
        return -1;
    o->init_rewrite[s] = r ? r : -1;
    return 0;
}

/* tini's and dumb-init's environment: the same as their options */
static void init_environment(struct sup_options *o)
{
    const char *v;
    if ((v = getenv("TINI_KILL_PROCESS_GROUP")) && *v)
        o->init_group = true;
    if ((v = getenv("TINI_SUBREAPER")) && *v)
        o->init_quiet = true; /* oya always registers as a subreaper; asked for, it is no surprise */
    if ((v = getenv("TINI_VERBOSITY")) && *v) {
        o->init_quiet = o->init_quiet || strcmp(v, "0") == 0;
        o->init_verbose = atoi(v) >= 2;
    }
    if ((v = getenv("DUMB_INIT_SETSID")) && strcmp(v, "0") == 0)
        o->init_group = false;
}

/* Options are read only before the command (the POSIX "+" rule): the first word that is not an option,
 * or "--", starts CMD, and nothing after it is ever taken, --socket included. Usage errors exit 1, as
 * tini's and dumb-init's do. */
int cli_init(struct cli *c, int argc, char **argv)
{
    struct sup_options o = {.init_grace = 10 * USEC_PER_SEC};
    init_environment(&o);
    int *codes = NULL;
    size_t ncodes = 0;
    int i = 1, rc = 1, pdeath = 0;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            free(codes);
            return init_usage(0);
        }
        if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            free(codes);
            printf("oya %s\n", OYA_VERSION);
            return 0;
        }
        if (strcmp(a, "--grace") == 0 || str_startswith(a, "--grace=")) {
            const char *v = option_value(a, 7, argc, argv, &i);
            uint64_t t;
            if (!v || unit_parse_timespan(v, &t) < 0 || t == USEC_INFINITY) {
                fprintf(stderr, "oya init: --grace %s: not a number of seconds (or a time span like 500ms)\n",
                        v ? v : "");
                goto out;
            }
            o.init_grace = t;
            continue;
        }
        if (strcmp(a, "--kill-tree") == 0) {
            o.init_kill_tree = true;
            continue;
        }
        if (strcmp(a, "--single-child") == 0) {
            o.init_group = false;
            continue;
        }
        if (strcmp(a, "--verbose") == 0) {
            o.init_verbose = true;
            continue;
        }
        if (strcmp(a, "--rewrite") == 0 || str_startswith(a, "--rewrite=")) {
            const char *v = option_value(a, 9, argc, argv, &i);
            if (parse_rewrite(v, &o) < 0) {
                fprintf(stderr, "oya init: --rewrite %s: write S:R, two signals (R may be 0: not forwarded)\n",
                        v ? v : "");
                goto out;
            }
            continue;
        }
        if (strcmp(a, "--socket") == 0 || str_startswith(a, "--socket=")) {
            const char *v = option_value(a, 8, argc, argv, &i);
            if (!v || !*v) {
                fprintf(stderr, "oya init: --socket needs a path\n");
                goto out;
            }
            c->socket_opt = v;
            c->socket_private = ctl_socket_path(v, c->socket, sizeof(c->socket));
            continue;
        }
        if (a[0] != '-' || !a[1])
            break; /* CMD */
        if (a[1] == '-') {
            fprintf(stderr, "oya init: unknown option '%s'\n", a);
            init_usage(1);
            goto out;
        }
        for (const char *p = a + 1; *p; p++) {
            /* the letters that take a value take the rest of the word, or the next word */
            const char *v = strchr("epr", *p) ? (p[1] ? p + 1 : (i + 1 < argc ? argv[++i] : NULL)) : NULL;
            switch (*p) {
            case 'g': o.init_group = true; break;
            case 'c': o.init_group = false; break;
            case 'v': o.init_verbose = true; break;
            case 's': o.init_quiet = true; break;
            case 'w': o.init_warn_reap = true; break;
            case 'l':
                free(codes);
                printf("oya's license is the one in its source repository (README.md).\n");
                return 0;
            case 'e': {
                int code;
                if (!v || !str_to_int(v, &code) || code < 0 || code > 255) {
                    fprintf(stderr, "oya init: -e %s: give an exit code from 0 to 255\n", v ? v : "");
                    goto out;
                }
                codes = xrealloc(codes, (ncodes + 1) * sizeof(int));
                codes[ncodes++] = code;
                break;
            }
            case 'p':
                if (!v || (pdeath = signal_from_name(v)) <= 0) {
                    fprintf(stderr, "oya init: -p %s: give a signal, e.g. SIGKILL\n", v ? v : "");
                    goto out;
                }
                break;
            case 'r':
                if (parse_rewrite(v, &o) < 0) {
                    fprintf(stderr, "oya init: -r %s: write S:R, two signals (R may be 0: not forwarded)\n",
                            v ? v : "");
                    goto out;
                }
                break;
            default:
                fprintf(stderr, "oya init: unknown option '-%c'\n", *p);
                init_usage(1);
                goto out;
            }
            if (v && v == p + 1)
                break; /* the value was the rest of this word */
        }
    }
    if (i >= argc) {
        fprintf(stderr, "oya init: give the command to run: oya init [OPTIONS] [--] CMD [ARGS...]\n");
        goto out;
    }
    if (pdeath && prctl(PR_SET_PDEATHSIG, pdeath) < 0) {
        fprintf(stderr, "oya init: -p: %s\n", strerror(errno));
        goto out;
    }
    o.init_argv = argv + i;
    o.init_zero_codes = codes;
    o.init_nzero = ncodes;
    o.socket_path = c->socket_opt ? c->socket : NULL;
    rc = sup_run(&o);
out:
    free(codes);
    return rc;
}
