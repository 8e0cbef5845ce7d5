/* sup: the supervisor. One epoll loop over a signalfd (SIGCHLD, SIGTERM, SIGINT, SIGHUP), the main
 * processes' pidfds and exec-report pipes, one timerfd for every deadline, the services' output pipes
 * and the control socket. It is a child subreaper (or PID 1), reaps everything with waitid(P_ALL),
 * feeds events to each service's state machine (svc/) and carries out the actions it returns. */
#ifndef OYA_SUP_H
#define OYA_SUP_H

#include <stddef.h>

struct sup_options {
    const char *socket_path; /* resolved path of the control socket */
    char **paths;            /* directories of units and/or .service files */
    size_t npaths;
};

/* Runs until SIGTERM or SIGINT has stopped every service. Returns the process exit code. */
int sup_run(const struct sup_options *opts);

#endif
