/* unit: systemd-style .service files parsed into an immutable spec. No side effects beyond reading
 * the file; diagnostics are collected as text ("oya: FILE:LINE: ...") for the caller to print. */
#ifndef OYA_UNIT_H
#define OYA_UNIT_H

#include "../base/base.h"

#include <sys/resource.h>

enum unit_type {
    UNIT_SIMPLE, UNIT_EXEC, UNIT_ONESHOT, UNIT_NOTIFY, UNIT_FORKING, UNIT_TARGET, UNIT_DBUS, UNIT_NOTIFY_RELOAD
};
/* NotifyAccess=: who may send sd_notify messages for the service (default: main for Type=notify) */
enum unit_notify_access { NOTIFY_NONE, NOTIFY_MAIN, NOTIFY_EXEC, NOTIFY_ALL };
enum unit_restart {
    RESTART_NO,
    RESTART_ALWAYS,
    RESTART_ON_SUCCESS,
    RESTART_ON_FAILURE,
    RESTART_ON_ABNORMAL,
    RESTART_ON_ABORT,
    RESTART_ON_WATCHDOG,
};
enum unit_kill_mode { KILL_CONTROL_GROUP, KILL_MIXED, KILL_PROCESS, KILL_NONE };
/* FailureAction=, SuccessAction=, StartLimitAction=: what the end of a unit does to oya (systemd's
 * emergency actions); in a container the reboot family means exit (see sup/action.c) */
enum unit_action {
    UA_NONE, UA_EXIT, UA_EXIT_FORCE, UA_REBOOT, UA_REBOOT_FORCE, UA_REBOOT_IMMEDIATE, UA_POWEROFF,
    UA_POWEROFF_FORCE, UA_POWEROFF_IMMEDIATE, UA_HALT, UA_HALT_FORCE, UA_HALT_IMMEDIATE, UA_KEXEC,
    UA_KEXEC_FORCE, UA_SOFT_REBOOT, UA_SOFT_REBOOT_FORCE, UA_N
};
const char *unit_action_name(enum unit_action a);
int unit_action_from_name(const char *name); /* an enum unit_action, or -1 */
/* OOMPolicy=: what a kill by the OOM killer does to the service (systemd's default: stop) */
enum unit_oom_policy { OOM_STOP, OOM_CONTINUE, OOM_KILL };

/* ExecStart= prefixes */
#define EXEC_IGNORE_FAILURE 1 /* '-' */
#define EXEC_ARGV0 2          /* '@' */
#define EXEC_NO_ENV_EXPAND 4  /* ':' */
#define EXEC_PRIVILEGED 8     /* '+' or '!': run as oya's own user, not User=/Group=/SupplementaryGroups= */
#define EXEC_FULL_PRIVILEGES 16 /* '+' (and PermissionsStartOnly=): nor CapabilityBoundingSet=, \
                                 * AmbientCapabilities=, NoNewPrivileges=, PrivateTmp= (systemd's sandboxing) */

/* The command lists of a service, in the order a start and a stop run them. */
enum unit_exec { UEXEC_START_PRE, UEXEC_START, UEXEC_START_POST, UEXEC_RELOAD, UEXEC_STOP, UEXEC_STOP_POST,
                 UEXEC_CONDITION, UEXEC_N };

struct exec_cmd {
    int flags;
    char *path;       /* as written (absolute, or a bare name looked up at start) */
    struct strv argv; /* words after unquoting; $VAR expansion happens at start time */
};

struct exec_list {
    struct exec_cmd *v;
    size_t n;
};

/* RuntimeDirectory= and its kin: directories below a fixed base, created at start, owned by User= */
enum unit_dir { UDIR_RUNTIME, UDIR_STATE, UDIR_CACHE, UDIR_LOGS, UDIR_CONFIGURATION, UDIR_N };
enum unit_preserve { PRESERVE_NO, PRESERVE_YES, PRESERVE_RESTART };

/* Condition*= and Assert*= of systemd 252 (and RequiresMountsFor= as a condition on the mounts of its paths): checked
 * before each start. The order is condition.c's name table. */
enum unit_cond_kind {
    COND_PATH_EXISTS, COND_PATH_EXISTS_GLOB, COND_PATH_IS_DIRECTORY, COND_PATH_IS_SYMBOLIC_LINK,
    COND_PATH_IS_MOUNT_POINT, COND_PATH_IS_READ_WRITE, COND_PATH_IS_ENCRYPTED, COND_DIRECTORY_NOT_EMPTY,
    COND_FILE_NOT_EMPTY, COND_FILE_IS_EXECUTABLE, COND_NEEDS_UPDATE, COND_FIRST_BOOT, COND_KERNEL_COMMAND_LINE,
    COND_KERNEL_VERSION, COND_CREDENTIAL, COND_ARCHITECTURE, COND_FIRMWARE, COND_VIRTUALIZATION, COND_HOST,
    COND_AC_POWER, COND_SECURITY, COND_CAPABILITY, COND_CONTROL_GROUP_CONTROLLER, COND_MEMORY, COND_CPUS,
    COND_CPU_FEATURE, COND_OS_RELEASE, COND_USER, COND_GROUP, COND_ENVIRONMENT, COND_MEMORY_PRESSURE,
    COND_CPU_PRESSURE, COND_IO_PRESSURE,
    COND_N,
    COND_MOUNTS_FOR = COND_N, /* RequiresMountsFor=: not a Condition*= key, checked like one */
};
struct unit_condition {
    enum unit_cond_kind kind;
    bool assert;  /* Assert*=: a failure fails the start; Condition*=: it skips it */
    bool negate;  /* '!' */
    bool trigger; /* '|': of all triggering conditions, one is enough */
    char *value;  /* after the '|' and '!' */
    unsigned line;
};

/* StandardOutput=/StandardError=: where the stream goes */
enum unit_output { OUT_LOG, OUT_INHERIT, OUT_NULL, OUT_FILE, OUT_APPEND, OUT_TRUNCATE };

/* StandardInput=: what the service reads. tty: TTYPath= as its controlling terminal, waiting while another
 * session has it; tty-force: taken from that session; tty-fail: the start fails instead of waiting */
enum unit_input { IN_NULL, IN_TTY, IN_TTY_FORCE, IN_TTY_FAIL, IN_FILE, IN_DATA };

struct env_file {
    char *path;
    bool optional; /* '-' prefix */
};

struct unit_limit {
    bool set;
    rlim_t soft, hard;
};

#define UNIT_MAX_LIMITS 16

/* User=, Group= and SupplementaryGroups= as numbers, looked up in the user and group databases when the
 * unit is loaded (or an instance made), so that no start waits for NSS (a slow LDAP server) in the
 * supervisor; a user made later counts from the next daemon-reload. */
struct unit_creds {
    bool resolved;
    int err;              /* -ESRCH: a name the databases do not know (text says which) */
    char *text;
    uid_t uid;            /* (uid_t)-1 where User= is unset */
    gid_t gid;            /* (gid_t)-1 where neither User= nor Group= gives one */
    char *name, *home, *shell; /* the user's entry (NULL without one: no User=, or a number it lacks) */
    gid_t *groups;        /* the user's groups, then SupplementaryGroups= */
    int ngroups;
};
void unit_creds_clear(struct unit_creds *c);

struct unit {
    char *name; /* "web" for web.service */
    char *path;
    /* [Unit] */
    char *description;
    struct strv documentation;
    /* dependencies, as written: full unit names ("redis.service", "network.target") */
    struct strv after, before, wants, requires, binds_to, part_of, requisite, conflicts;
    uint64_t text_hash; /* of the file's text (FNV-1a): a reload tells changed from unchanged by it */
    struct strv on_failure, on_success; /* OnFailure=, OnSuccess=: units started when this one fails/ends */
    enum unit_action failure_action, success_action, start_limit_action;
    bool failure_action_set;  /* FailureAction= given (else oya up --failure-action= applies) */
    int failure_action_exit_status, success_action_exit_status; /* 0-255; -1: the main process's */
    struct strv propagates_reload_to, reload_propagated_from; /* PropagatesReloadTo=, ReloadPropagatedFrom= */
    bool is_target; /* NAME.target: no processes, a synchronisation point (name keeps ".target") */
    uint64_t start_limit_interval; /* usec */
    unsigned start_limit_burst;
    /* [Service] */
    enum unit_type type;
    struct exec_list exec[UEXEC_N];
    char *pid_file;
    struct strv environment; /* NAME=VALUE, in order */
    struct env_file *env_files;
    size_t n_env_files;
    char *working_directory;
    bool working_directory_optional;
    char *user, *group;
    int umask; /* -1: inherit oya's */
    struct unit_limit limits[UNIT_MAX_LIMITS]; /* indexed by RLIMIT_* */
    enum unit_restart restart;
    uint64_t restart_sec;
    unsigned restart_steps;        /* RestartSteps=: steps from RestartSec= up to RestartMaxDelaySec= (0: none) */
    uint64_t restart_max_delay;    /* RestartMaxDelaySec= (USEC_INFINITY: unset) */
    uint64_t timeout_start; /* USEC_INFINITY: none; for the start types that wait (notify, oneshot) */
    uint64_t timeout_stop;  /* USEC_INFINITY: no timeout */
    int kill_signal;
    int restart_kill_signal; /* RestartKillSignal=: the stop signal of a restart (0: KillSignal=) */
    int final_kill_signal;   /* FinalKillSignal=: what follows when TimeoutStopSec= passes (default SIGKILL) */
    int reload_signal;       /* ReloadSignal=: what a reload of Type=notify-reload sends its main process (SIGHUP) */
    bool send_sigkill;       /* SendSIGKILL= (default yes): no: after the timeout, leave what is left */
    bool send_sighup;        /* SendSIGHUP=: SIGHUP right after KillSignal= (for shells) */
    enum unit_kill_mode kill_mode;
    enum unit_oom_policy oom_policy;
    bool success_status[256]; /* true when that exit code counts as success */
    bool success_signal[65]; /* 1 when death by that signal counts as success */
    bool remain_after_exit;
    enum unit_notify_access notify_access;
    uint64_t watchdog_usec; /* WatchdogSec=; 0: off */
    int watchdog_signal;    /* WatchdogSignal=: what a silent service gets (default SIGABRT, for a core dump) */
    uint64_t runtime_max;   /* RuntimeMaxSec=: stopped (Result: timeout) after this long active; USEC_INFINITY: never */
    uint64_t runtime_extra; /* RuntimeRandomizedExtraSec=: up to this much more, a new share at each start */
    struct strv dirs[UDIR_N]; /* relative names, e.g. "redis" or "redis/sub" */
    int dir_mode[UDIR_N];     /* default 0755 */
    enum unit_preserve runtime_preserve;
    struct strv aliases;      /* Alias= names, without ".service" */
    struct strv not_applied;  /* sandboxing keys given but not carried out, once each, in order */
    struct unit_condition *conds;
    size_t n_conds;
    /* exit codes and signals that forbid or force a restart (RestartPreventExitStatus=, ...Force...) */
    bool restart_prevent_status[256], restart_prevent_signal[65];
    bool restart_force_status[256], restart_force_signal[65];
    char *syslog_identifier;          /* the name in front of its output lines; NULL: the service's */
    enum unit_output std_output, std_error;
    char *output_path, *error_path;   /* for file:, append:, truncate: */
    bool std_output_set, std_error_set, std_input_set; /* given in the file (the defaults depend on each other) */
    bool std_output_tty, std_error_tty; /* StandardOutput=tty, StandardError=tty: the terminal of StandardInput=tty */
    enum unit_input std_input;
    char *input_path;                 /* StandardInput=file:PATH */
    struct buf input_data;            /* StandardInputText= and StandardInputData=, what StandardInput=data reads */
    char *tty_path;                   /* TTYPath=; NULL: /dev/console */
    int tty_rows, tty_columns;        /* TTYRows=, TTYColumns=; -1: as the terminal has them */
    bool nice_set;
    int nice;
    bool oom_score_adjust_set;
    int oom_score_adjust;
    int io_class, io_priority;        /* IOSchedulingClass= (0: unset), IOSchedulingPriority= (-1: unset) */
    bool cpu_sched_set;               /* CPUSchedulingPolicy=, CPUSchedulingPriority= or ...ResetOnFork= given */
    int cpu_sched_policy, cpu_sched_priority; /* SCHED_OTHER, 0 unless given */
    bool cpu_sched_reset_on_fork;
    uint64_t cpu_affinity[16];        /* CPUAffinity=: bit per CPU (1024 CPUs); all zero: unset */
    bool no_new_privileges;
    /* DynamicUser=: run as a user no database has, named by User= or after the unit (exec_resolve_creds
     * picks its number); implies NoNewPrivileges= and PrivateTmp= */
    bool dynamic_user;
    bool delegate; /* Delegate=: the service manages a cgroup subtree of its own (owned by its User=) */
    struct strv supplementary_groups; /* SupplementaryGroups=: names or numbers, added to the user's */
    struct unit_creds creds;          /* the three above, resolved when the unit is loaded (exec_resolve_creds) */
    struct strv unset_environment;    /* UnsetEnvironment=: NAME (any value) or NAME=VALUE (that one) */
    int syslog_level;            /* SyslogLevel= (6, info): the priority of a line without a <N> prefix */
    bool syslog_level_prefix;    /* SyslogLevelPrefix= (yes): a leading <N> sets a line's priority */
    char *bus_name;              /* BusName=: Type=dbus is up once this name has an owner on the system bus */
    bool permissions_start_only; /* PermissionsStartOnly=: commands other than ExecStart= run as oya (as '+') */
    bool guess_main_pid;         /* GuessMainPID= (yes): Type=forking without PIDFile= guesses its main process */
    bool ignore_sigpipe;
    bool default_dependencies; /* DefaultDependencies= (yes): on sysinit.target/basic.target when loaded */
    uint64_t tasks_max;      /* TasksMax=: UINT64_MAX infinity, 0 unset; a percentage with tasks_max_percent */
    /* resource control (resource.c): cgroup files and values; CPUQuota= as a percentage of one CPU (0:
     * unset) over CPUQuotaPeriodSec= (0: 100ms) */
    struct unit_cgroup_set *cgroup_sets;
    size_t ncgroup_sets;
    uint64_t cpu_quota_percent, cpu_quota_period_usec;
    bool tasks_max_percent; /* IgnoreSIGPIPE= (default yes): the service starts with SIGPIPE ignored */
    bool private_tmp;
    /* ProtectSystem= (0 no, 1 yes: /usr /boot /efi, 2 full: and /etc, 3 strict: all but /dev /proc /sys) and
     * ProtectHome= (0 no, 1 yes: inaccessible, 2 read-only, 3 tmpfs), with the lists of paths: each as written,
     * a '-' in front when a missing one is no error (a '+' is dropped: no RootDirectory=) */
    int protect_system, protect_home;
    bool protect_control_groups; /* ProtectControlGroups=: /sys/fs/cgroup read-only */
    bool protect_kernel_tunables; /* ProtectKernelTunables=: /proc/sys, /sys and their kin read-only */
    bool protect_kernel_modules;  /* ProtectKernelModules=: no modules to see or load (CAP_SYS_MODULE dropped) */
    bool protect_kernel_logs;     /* ProtectKernelLogs=: no kernel log to read or write (CAP_SYSLOG dropped) */
    bool protect_clock;           /* ProtectClock=: no clock to set (CAP_SYS_TIME, CAP_WAKE_ALARM dropped) */
    bool protect_hostname;        /* ProtectHostname=: a UTS namespace of its own */
    bool private_devices;        /* PrivateDevices=: a /dev of the API devices only, no CAP_MKNOD, CAP_SYS_RAWIO */
    struct strv read_write_paths, read_only_paths, inaccessible_paths;
    bool cap_bounding_set;            /* CapabilityBoundingSet= given */
    uint64_t cap_bounding;            /* the capabilities kept, a bit per CAP_* */
    bool cap_ambient_set;
    uint64_t cap_ambient;             /* AmbientCapabilities=: kept across User= into the service */
};

struct unit_diag {
    struct buf text; /* one diagnostic per line, each "oya: ..." */
    int errors, warnings;
};

/* Parse a unit from its text. name is the service name (file name without ".service"); path is used
 * in diagnostics and shown by status. Returns NULL when the unit has errors (see diag). */
struct unit *unit_parse(const char *name, const char *path, const char *text, struct unit_diag *diag);
struct unit *unit_parse_kind(const char *name, const char *path, const char *text, bool target,
                             struct unit_diag *diag);
/* Read and parse FILE. The name comes from the file name. */
struct unit *unit_load(const char *path, struct unit_diag *diag);
/* The unit files a path names, appended to files: the path itself when it is not a directory, else its
 * NAME.service and NAME.target files (not hidden ones), sorted. 0, or -errno with "PATH: why" in err. */
int unit_list_files(const char *path, struct strv *files, struct buf *err);
/* A template file (NAME@.service) made into the unit NAME@INSTANCE: its specifiers see the instance. */
struct unit *unit_load_instance(const char *path, const char *instance, struct unit_diag *diag);
bool unit_is_template_file(const char *path); /* ends in "@.service" */

/* Every key oya knows, with what it does with it: "applied", "not applied" (accepted, listed once per
 * unit), "not supported yet" (a warning) or "ignored" ([Install] data); fn is called once per key, in
 * the order of [Unit], [Service], [Install] */
void unit_keys_each(void (*fn)(void *ctx, const char *section, const char *key, const char *what), void *ctx);

/* CAP_CHOWN ... by name, "cap_chown" or "CAP_CHOWN"; -1 if unknown */
int unit_cap_from_name(const char *name);

/* condition.c: check the conditions (asserts false) or the asserts (true). Returns true when met; else
 * false with why, e.g. "ConditionPathExists=/etc/x was not met". */
bool unit_conditions_met(const struct unit *u, bool asserts, char *why, size_t size);
/* "PathExists" for COND_PATH_EXISTS ...; the kind of a name after "Condition" or "Assert", or -1 */
const char *unit_cond_name(enum unit_cond_kind k);
int unit_cond_kind_from_name(const char *name);
/* One condition now: 1 holds, 0 does not, -errno when it cannot be told (an invalid value: -EINVAL);
 * negation is not applied. */
int unit_cond_test(enum unit_cond_kind kind, const char *value);
/* Look up what specifiers and conditions need of NSS (oya's user, home, shell, groups) once, before the
 * event loop, so that a unit loaded or checked later never calls getpwuid/getgrgid. */
void unit_prepare(void);

/* specifier.c: % specifiers of systemd, for the unit called name ("prefix@instance" or "name").
 * Returns 0 with *out allocated, or -EINVAL with the unknown specifier character in *bad. */
int unit_expand_specifiers(const char *name, const char *in, char **out, char *bad); /* or -ENOMEM */
char *unit_unescape(const char *s); /* systemd-escape --unescape: "-" is "/", "\xNN" a byte; NULL: no memory */
void unit_free(struct unit *u);
/* A unit for one command given as argv (oya init): Type=simple, no $VAR expansion, defaults otherwise. */
struct unit *unit_from_argv(const char *name, char *const *argv);
bool unit_name_valid(const char *name);

/* Time spans as systemd writes them: "100ms", "1min 30s", "2h", bare number = seconds, "infinity". */
int unit_parse_timespan(const char *s, uint64_t *usec);

/* Split a command line or an Environment= value into words with systemd's quoting: double and single
 * quotes, C-style backslash escapes. Returns 0, or -EINVAL with *why set to a static message. */
int unit_split_words(const char *s, struct strv *out, const char **why);
/* The C-style escapes of s (\n, \t, \x41, \u00e9, ...) resolved, appended to out; -EINVAL with why */
int unit_c_unescape(const char *s, struct buf *out, const char **why);

/* Expand $NAME and ${NAME} in a command's words against env (NAME=VALUE strings): "$NAME" alone as a
 * word splits at whitespace into zero or more words, ${NAME} is one word, "$$" is a literal "$". */
void unit_expand_argv(char *const *words, char *const *env, struct strv *out);

/* Read an EnvironmentFile: NAME=VALUE lines, # and ; comments, quotes, "export " prefix. Appends to
 * out. Only a regular file, opened without blocking, of at most UNIT_ENV_FILE_MAX bytes. Returns 0 or
 * -errno (-EINVAL: not a regular file, -EFBIG: too large). */
#define UNIT_ENV_FILE_MAX (8u << 20)
int unit_read_env_file(const char *path, struct strv *out);

/* Set NAME=VALUE in env, replacing an earlier NAME. */
void unit_env_set(struct strv *env, const char *assignment);
/* The same as unit_env_set for each entry in order, in one pass (O(n log n)): a name given more than
 * once keeps the place of its first assignment and the value of its last. */
void unit_env_dedupe(struct strv *env);
const char *unit_env_get(char *const *env, const char *name);

const char *unit_type_name(enum unit_type t);
/* Type=notify or notify-reload: up at READY=1 (the two differ only in how a reload is asked for) */
static inline bool unit_is_notify(const struct unit *u)
{
    return u->type == UNIT_NOTIFY || u->type == UNIT_NOTIFY_RELOAD;
}
const char *unit_restart_name(enum unit_restart r);
const char *unit_kill_mode_name(enum unit_kill_mode m);
const char *unit_exec_name(enum unit_exec e); /* "ExecStartPre" ... */

/* One cgroup v2 setting from a resource-control key: the key, the controller it needs, the file and
 * the value to write; for io.weight and io.max per device the value is "DEVICE\tWHAT=VALUE" (the
 * device's numbers are looked up when it is written) */
struct unit_cgroup_set {
    const char *key, *controller, *file;
    char *value;
};
/* The resource-control key KEY=V: 1 taken, 0 not one of them, -1 a bad value (why in err) */
int unit_resource_parse(struct unit *u, const char *key, const char *v, char *err, size_t errsize);
void unit_resource_free(struct unit *u);
const char *unit_dir_base(enum unit_dir d);   /* "/run", "/var/lib", ... */
const char *unit_dir_env(enum unit_dir d);    /* "RUNTIME_DIRECTORY", ... */
const char *unit_dir_key(enum unit_dir d);    /* "RuntimeDirectory", ... */

#endif
