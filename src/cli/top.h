/* cli/top's own contract between its two halves: top.c reads frames and writes their text (batch, JSON),
 * top_screen.c runs the interactive screen (raw terminal, drawing, keys, actions). */
#ifndef OYA_CLI_TOP_H
#define OYA_CLI_TOP_H

#include "cli.h"

#include "../proc/proc.h"

#include <termios.h>

#define UNKNOWN UINT64_MAX

/* What one frame read: every process's stat, and for those shown their switches, RSS, wchan, command */
struct sample {
    struct proc_snapshot snap;
    struct proc_load load;
    uint64_t mono; /* CLOCK_MONOTONIC usec of the reading */
    int *owner;    /* per process: index in top.svcs, or -1 */
    uint64_t *vol, *invol, *rss; /* UNKNOWN when not read */
    char **wchan, **cmd;         /* NULL when not read */
};

struct svcinfo {
    char *name, *active, *sub;
    int main_pid;
    unsigned restarts;
    uint64_t active_since; /* realtime usec, 0: not active */
    /* this frame's sums over its processes */
    long tasks;
    double cpu, vcs, ics;
    uint64_t mem;
    size_t nprocs;
};

enum col { COL_NAME, COL_STATE, COL_MAIN, COL_TASKS, COL_CPU, COL_MEM, COL_VCS, COL_ICS, COL_RESTARTS, COL_UPTIME, COL_N };


enum row_kind { ROW_SERVICE, ROW_PROC, ROW_OTHER };
struct row {
    enum row_kind kind;
    int svc;   /* ROW_SERVICE, ROW_PROC: the service (-1: none) */
    size_t at; /* ROW_PROC: index in the sample */
};

struct top {
    struct cli *c;
    int procfd;
    struct proc_keeper keeper; /* each process's stat file, kept open from frame to frame */
    long hz, page;
    struct sample prev, cur;
    bool have_prev;
    struct svcinfo *svcs;
    size_t nsvcs;
    bool oya; /* a running oya answered this frame */
    char oya_error[256];
    /* what is shown */
    bool batch, json, all;
    long frames;        /* -n (0: until quit) */
    uint64_t delay;     /* -d, usec */
    enum col sort;
    char filter[128];
    struct strv expanded; /* service names expanded; "\x01" stands for the processes of no service */
    struct row *rows;
    size_t nrows, rows_cap;
    size_t sel, scroll;
    int lines, cols;
    char msg[512];
    /* interactive input */
    enum { IN_NONE, IN_FILTER, IN_SIGNAL, IN_CONFIRM } input;
    char entry[128];
    int pending_sig;
    char pending_svc[256];
    pid_t action_pid;
    char action_what[300];
    char **overlay; /* help or log lines shown over the list until a key */
    size_t noverlay;
    struct termios saved;
    bool raw;
};

#define OTHER "\x01" /* in top.expanded: the processes of no service */

struct other_sum {
    size_t n;
    long tasks;
    double cpu;
    uint64_t mem;
};

/* top.c: reading a frame, its rows and their text */
bool top_read_sample(struct top *t, struct sample *s);
void top_sample_free(struct sample *s);
void top_sum_services(struct top *t, struct other_sum *other);
void top_build_rows(struct top *t);
void top_write_header(struct top *t, struct buf *o);
int top_name_width(const struct top *t);
void top_write_columns(struct top *t, struct buf *o, int nw);
void top_write_row(struct top *t, const struct row *r, struct buf *o, int nw);
/* top_screen.c: the interactive screen */
void top_next_frame(struct top *t);
int top_interactive(struct top *t);
void top_overlay_free(struct top *t);

#endif
