/* cli: one file per subcommand; this header holds what several of them share. */
#ifndef OYA_CLI_H
#define OYA_CLI_H

#include "../base/base.h"
#include "../ctl/ctl.h"

#ifndef OYA_VERSION
#define OYA_VERSION "0.1.0"
#endif

struct cli {
    const char *socket_opt; /* --socket, or NULL */
    char socket[256];       /* the resolved path */
    bool socket_private;    /* a default place: its directory must be private (ctl_listen) */
    bool color;             /* stdout is a terminal and NO_COLOR is unset */
    int columns;            /* terminal width, 0 when not a terminal */
};

int cli_up(struct cli *c, int argc, char **argv);
int cli_logs(struct cli *c, int argc, char **argv);
int cli_explain(struct cli *c, int argc, char **argv);
int cli_trace(struct cli *c, int argc, char **argv);
int cli_top(struct cli *c, int argc, char **argv);
struct log_rec;
/* One log record as `oya logs -o FORMAT` shows it (0 short, 1 short-iso, 2 short-precise, 3 cat, 4 json) */
void cli_log_line(const struct cli *c, struct buf *out, const struct log_rec *r, const char *ident,
                  const char *unit, int fmt, const char *host);
/* Where `oya up` keeps the services' log files by default: /var/log/oya as root, else
 * $XDG_STATE_HOME/oya/log (~/.local/state/oya/log) */
void cli_log_dir_default(char *out, size_t size);
int cli_verify(struct cli *c, int argc, char **argv);
int cli_condition(struct cli *c, int argc, char **argv);
int cli_status(struct cli *c, int argc, char **argv);
int cli_list(struct cli *c, int argc, char **argv);
int cli_start(struct cli *c, int argc, char **argv); /* start, stop, restart and reload */
int cli_kill(struct cli *c, int argc, char **argv);
int cli_daemon_reload(struct cli *c, int argc, char **argv);
int cli_shutdown(struct cli *c, int argc, char **argv);
int cli_ps(struct cli *c, int argc, char **argv);
int cli_init(struct cli *c, int argc, char **argv);

/* Send a request; on failure print "oya: ...", free the reply and return the exit code to use. */
int cli_call(struct cli *c, char *const *fields, size_t n, struct ctl_reply *rep);
/* The same for a reply got otherwise: r the call's result (-errno with err set), then the reply's ok */
int cli_reply_check(int r, struct buf *err, struct ctl_reply *rep);
/* "code=exited, status=1/FAILURE" from a service record's exit fields; "" if it has not exited. */
void cli_exit_text(const struct ctl_record *r, char *out, size_t size);
/* The coloured state dot ("●", "×", "○") for a service record. */
const char *cli_dot(const struct cli *c, const char *active);
const char *cli_color_end(const struct cli *c);

/* Facts about a set of processes, read from /proc (the same reader `oya ps` uses). */
struct cli_procs {
    size_t n;
    int *pids, *ppids;
    char **cmdlines;
    char comm[64]; /* of the first pid */
    long tasks;
    uint64_t memory; /* bytes of RSS, summed */
    uint64_t cpu;    /* usec of user+system time, summed */
};
void cli_procs_read(struct cli_procs *p, const char *pid_list);
void cli_procs_free(struct cli_procs *p);
/* Print the processes as a tree (systemd's CGroup section), each line starting with lead. */
void cli_procs_tree(const struct cli *c, const struct cli_procs *p, const char *lead, struct buf *out);
int cli_tree(struct cli *c, int argc, char **argv);
struct pstree_opts;
int cli_tree_args(int argc, char **argv, struct pstree_opts *o); /* -1: draw; else the exit status */

#endif
