/* unit/keys: the table of every key oya reads from a unit file, with one parser per kind of value.
 * (Over 800 lines for a reason: the table's rows name some 40 parsers that are static to this file; split
 * in two, each would be exported for its one user, and a key's row would stand apart from its parser.)
 * Each parser names what is wrong and what is accepted (diagnostics go into the parse context); the
 * names of enum values are in one table each, shared by parsing and printing. */
#include "unit_int.h"

#include "../bus/bus.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void unit_diag_add(struct unit_diag *d, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_puts(&d->text, "oya: ");
    buf_vprintf(&d->text, fmt, ap);
    buf_putc(&d->text, '\n');
    va_end(ap);
    if (error)
        d->errors++;
    else
        d->warnings++;
}

/* "oya: FILE:LINE: KEY=VALUE: <what>" */
static int bad_value(struct parse_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad_value(struct parse_ctx *c, const char *fmt, ...)
{
    struct buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    unit_diag_add(c->diag, true, "%s:%u: %s=%s: %s", c->path, c->line, c->key, c->value, msg.p);
    buf_free(&msg);
    return -EINVAL;
}

struct key;
typedef int (*key_parser)(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c);

struct key {
    const char *section;
    const char *name;
    key_parser parse;
    size_t offset; /* of the field in struct unit */
    int arg;       /* parser-specific: an RLIMIT_* index, an enum table, ... */
};

#define FIELD(f) offsetof(struct unit, f)
#define AT(u, k, type) ((type *)((char *)(u) + (k)->offset))

/* Split a value into words; on a quoting error, report it against the key and return -EINVAL. */
static int split_value(struct parse_ctx *c, const char *v, struct strv *words)
{
    const char *why;
    if (unit_split_words(v, words, &why) < 0) {
        strv_clear(words);
        return bad_value(c, "%s", why);
    }
    return 0;
}

static int parse_string(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)c;
    char **f = AT(u, k, char *);
    free(*f);
    *f = *v ? mem_strdup(v) : NULL; /* NULL for want of memory: unit_parse sees the failure */
    return 0;
}

static int parse_list(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    struct strv *f = AT(u, k, struct strv);
    if (!*v) {
        strv_clear(f); /* an empty assignment resets the list */
        return 0;
    }
    struct strv words = {0};
    if (split_value(c, v, &words) < 0)
        return -EINVAL;
    for (size_t i = 0; i < words.n; i++)
        strv_add(f, words.v[i]);
    strv_clear(&words);
    return 0;
}

int unit_parse_bool(const char *v, bool *out)
{
    static const char *yes[] = {"1", "yes", "y", "true", "t", "on"};
    static const char *no[] = {"0", "no", "n", "false", "f", "off"};
    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -EINVAL;
}

static int parse_bool(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    if (unit_parse_bool(v, AT(u, k, bool)) < 0)
        return bad_value(c, "not a boolean; use yes or no (also true/false, on/off, 1/0)");
    return 0;
}

static int parse_timespan_key(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    uint64_t t;
    if (unit_parse_timespan(v, &t) < 0)
        return bad_value(c, "not a time span; use e.g. 500ms, 5s, 1min 30s, 2h or infinity");
    /* arg 1: "0" means no timeout, as for TimeoutStopSec= */
    if (k->arg == 1 && t == 0)
        t = USEC_INFINITY;
    *AT(u, k, uint64_t) = t;
    return 0;
}

static int parse_timeout_both(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    uint64_t t;
    if (unit_parse_timespan(v, &t) < 0)
        return bad_value(c, "not a time span; use e.g. 500ms, 5s, 1min 30s, 2h or infinity");
    if (t == 0)
        t = USEC_INFINITY;
    u->timeout_start = u->timeout_stop = t;
    return 0;
}

static int parse_unsigned(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    uint64_t n;
    if (!str_to_u64(v, &n) || n > UINT_MAX)
        return bad_value(c, "not a whole number; use e.g. 5");
    *AT(u, k, unsigned) = (unsigned)n;
    return 0;
}

static int parse_type(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    if (strcmp(v, "simple") == 0)
        u->type = UNIT_SIMPLE;
    else if (strcmp(v, "exec") == 0)
        u->type = UNIT_EXEC;
    else if (strcmp(v, "oneshot") == 0)
        u->type = UNIT_ONESHOT;
    else if (strcmp(v, "notify") == 0)
        u->type = UNIT_NOTIFY;
    else if (strcmp(v, "forking") == 0)
        u->type = UNIT_FORKING;
    else if (strcmp(v, "idle") == 0)
        u->type = UNIT_SIMPLE; /* idle waits for systemd's job queue to drain; oya has none: simple */
    else if (strcmp(v, "dbus") == 0)
        u->type = UNIT_DBUS;
    else if (strcmp(v, "notify-reload") == 0)
        u->type = UNIT_NOTIFY_RELOAD;
    else
        return bad_value(c, "unknown type; accepted: simple, exec, forking, oneshot, notify, notify-reload, dbus");
    return 0;
}

/* Names of the enum values, in enum order: parsed here, printed by unit_*_name(). */
static const char *const restart_names[] = {"no", "always", "on-success", "on-failure", "on-abnormal", "on-abort",
                                            "on-watchdog"};
static const char *const kill_mode_names[] = {"control-group", "mixed", "process", "none"};
static const char *const notify_access_names[] = {"none", "main", "exec", "all"};

static const char *const oom_policy_names[] = {"stop", "continue", "kill"};

static int name_index(const char *v, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v, names[i]) == 0)
            return (int)i;
    return -1;
}

/* The keys whose value is one of a list of names, each into an enum field (k->arg picks the row): one
 * parser, and the error lists what is accepted */
enum { ENUM_RESTART, ENUM_KILL_MODE, ENUM_NOTIFY_ACCESS, ENUM_OOM_POLICY };
static const struct enum_key {
    const char *const *names;
    size_t n;
    const char *what; /* "unknown WHAT; accepted: ..." */
} enum_keys[] = {
    [ENUM_RESTART] = {restart_names, ARRAY_SIZE(restart_names), "policy"},
    [ENUM_KILL_MODE] = {kill_mode_names, ARRAY_SIZE(kill_mode_names), "mode"},
    [ENUM_NOTIFY_ACCESS] = {notify_access_names, ARRAY_SIZE(notify_access_names), "value"},
    [ENUM_OOM_POLICY] = {oom_policy_names, ARRAY_SIZE(oom_policy_names), "policy"},
};

static int parse_enum(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    const struct enum_key *e = &enum_keys[k->arg];
    int i = name_index(v, e->names, e->n);
    if (i < 0) {
        struct buf list = {0};
        for (size_t j = 0; j < e->n; j++)
            buf_printf(&list, "%s%s", j ? ", " : "", e->names[j]);
        bad_value(c, "unknown %s; accepted: %s", e->what, list.p);
        buf_free(&list);
        return -EINVAL;
    }
    *AT(u, k, int) = i; /* every one of these enums starts at 0 with the table's order */
    if (k->arg == ENUM_NOTIFY_ACCESS)
        c->notify_access_set = true;
    return 0;
}

/* Delegate=: a boolean, or a list of controllers (each then delegated; oya enables every controller its
 * subtree has, so the list only turns delegation on); empty turns it on, as systemd */
static int parse_delegate(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    if (!*v || unit_parse_bool(v, &u->delegate) == 0) {
        if (!*v)
            u->delegate = true;
        return 0;
    }
    static const char *const known[] = {"cpu",          "cpuacct",     "cpuset",      "io",
                                        "blkio",        "memory",      "devices",     "pids",
                                        "bpf-firewall", "bpf-devices", "bpf-foreign", "bpf-socket-bind",
                                        "bpf-restrict-network-interfaces"};
    char *copy = mem_strdup(v), *save = NULL;
    for (char *w = copy ? strtok_r(copy, " \t", &save) : NULL; w; w = strtok_r(NULL, " \t", &save))
        if (name_index(w, known, ARRAY_SIZE(known)) < 0)
            unit_diag_add(c->diag, false, "%s:%u: Delegate=%s: %s is not a cgroup controller, ignored", c->path,
                          c->line, v, w);
    free(copy);
    u->delegate = true;
    return 0;
}

static const char *const action_names[UA_N] = {
    "none", "exit", "exit-force", "reboot", "reboot-force", "reboot-immediate", "poweroff", "poweroff-force",
    "poweroff-immediate", "halt", "halt-force", "halt-immediate", "kexec", "kexec-force", "soft-reboot",
    "soft-reboot-force"};

const char *unit_action_name(enum unit_action a)
{
    return a < UA_N ? action_names[a] : "?";
}

int unit_action_from_name(const char *name)
{
    return name_index(name, action_names, UA_N);
}

/* FailureAction=, SuccessAction=, StartLimitAction= (k->offset), the first also marking itself given */
static int parse_action(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    int a = *v ? unit_action_from_name(v) : UA_NONE;
    if (a < 0)
        return bad_value(c, "unknown action; accepted: none, exit, exit-force, reboot, poweroff, halt (each also "
                            "-force, -immediate), kexec, soft-reboot");
    *AT(u, k, enum unit_action) = (enum unit_action)a;
    if (k->arg == 1)
        u->failure_action_set = *v != 0;
    return 0;
}

/* FailureActionExitStatus=, SuccessActionExitStatus=: 0-255, empty for the main process's own */
static int parse_action_status(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    uint64_t n = 0;
    if (*v && (!str_to_u64(v, &n) || n > 255))
        return bad_value(c, "an exit status is 0 to 255 (empty: the main process's own)");
    *AT(u, k, int) = *v ? (int)n : -1;
    return 0;
}

static int parse_signal(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    int sig = signal_from_name(v);
    if (sig <= 0)
        return bad_value(c, "not a signal; use a name like SIGTERM, TERM or a number like 15");
    *AT(u, k, int) = sig;
    return 0;
}

static int parse_umask(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    char *end;
    errno = 0;
    long m = *v ? strtol(v, &end, 8) : -1;
    if (!*v || errno || *end || m < 0 || m > 0777)
        return bad_value(c, "not an octal mask; use e.g. 0022 or 0077 (0000 to 0777)");
    u->umask = (int)m;
    return 0;
}

static bool valid_env_assignment(const char *a)
{
    if (!(a[0] == '_' || isalpha((unsigned char)a[0])))
        return false;
    const char *p = a + 1;
    while (*p == '_' || isalnum((unsigned char)*p))
        p++;
    return *p == '=';
}

static int parse_environment(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    if (!*v) {
        strv_clear(&u->environment);
        return 0;
    }
    struct strv words = {0};
    int r = split_value(c, v, &words);
    if (r < 0)
        return r;
    for (size_t i = 0; i < words.n; i++) {
        if (!valid_env_assignment(words.v[i])) {
            r = bad_value(c, "'%s' is not an assignment; write NAME=VALUE (quote it if the value has spaces)",
                          words.v[i]);
            goto out;
        }
    }
    for (size_t i = 0; i < words.n; i++)
        strv_add(&u->environment, words.v[i]); /* made unique once the file is read (validate) */
out:
    strv_clear(&words);
    return r;
}

static int parse_env_file(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    if (!*v) {
        for (size_t i = 0; i < u->n_env_files; i++)
            free(u->env_files[i].path);
        free(u->env_files);
        u->env_files = NULL;
        u->n_env_files = 0;
        return 0;
    }
    bool optional = v[0] == '-';
    const char *path = optional ? v + 1 : v;
    if (path[0] != '/')
        return bad_value(c, "not an absolute path; write /path/to/file (a leading - makes it optional)");
    struct env_file *more = mem_grow(u->env_files, u->n_env_files + 1, sizeof(*more));
    char *copy = more ? mem_strdup(path) : NULL;
    if (more)
        u->env_files = more;
    if (copy)
        u->env_files[u->n_env_files++] = (struct env_file){copy, optional};
    return 0;
}

static int parse_working_dir(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    free(u->working_directory);
    u->working_directory = NULL;
    u->working_directory_optional = false;
    if (!*v)
        return 0;
    bool optional = v[0] == '-';
    const char *path = optional ? v + 1 : v;
    if (path[0] != '/' && strcmp(path, "~") != 0)
        return bad_value(c, "not an absolute path; write /path, ~ for the user's home, "
                            "or a leading - to ignore a missing directory");
    u->working_directory = mem_strdup(path);
    u->working_directory_optional = optional;
    return 0;
}

static bool valid_user_name(const char *s)
{
    if (!*s || strlen(s) > 64 || s[0] == '-')
        return false;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.' || *p == '$'))
            return false;
    return true;
}

static int parse_user(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    if (*v && !valid_user_name(v))
        return bad_value(c, "not a valid name; use a user or group name, or a numeric id");
    return parse_string(u, k, v, c);
}

void unit_exec_list_clear(struct exec_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].path);
        strv_clear(&l->v[i].argv);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* ExecStart= and its kin (k->arg: which list). Prefixes as systemd: '-' a failure counts as success, '@'
 * the next word is argv[0], ':' no $VAR expansion, '+' and '!' (also "!!") without User=/Group=. */
static int parse_exec(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    struct exec_list *list = &u->exec[k->arg];
    if (!*v) {
        unit_exec_list_clear(list);
        return 0;
    }
    int flags = 0;
    const char *p = v;
    for (;; p++) {
        if (*p == '-')
            flags |= EXEC_IGNORE_FAILURE;
        else if (*p == '@')
            flags |= EXEC_ARGV0;
        else if (*p == ':')
            flags |= EXEC_NO_ENV_EXPAND;
        else if (*p == '+')
            flags |= EXEC_PRIVILEGED | EXEC_FULL_PRIVILEGES;
        else if (*p == '!')
            flags |= EXEC_PRIVILEGED;
        else
            break;
    }
    struct strv words = {0};
    if (split_value(c, p, &words) < 0)
        return -EINVAL;
    if (words.n == 0 || ((flags & EXEC_ARGV0) && words.n < 2)) {
        strv_clear(&words);
        return bad_value(c, (flags & EXEC_ARGV0) ? "with '@' give the program and then argv[0]"
                                                 : "no command; give a program and its arguments");
    }
    const char *path = words.v[0];
    if (path[0] != '/' && strchr(path, '/')) {
        int r = bad_value(c, "'%s' is a relative path; use an absolute path or a plain name looked up in PATH",
                          path);
        strv_clear(&words);
        return r;
    }
    struct exec_cmd cmd = {.flags = flags, .path = mem_strdup(path)};
    for (size_t i = (flags & EXEC_ARGV0) ? 1 : 0; i < words.n; i++)
        strv_add(&cmd.argv, words.v[i]);
    strv_clear(&words);
    struct exec_cmd *more = cmd.path ? mem_grow(list->v, list->n + 1, sizeof(*list->v)) : NULL;
    if (!more) { /* out of memory: unit_parse sees it */
        free(cmd.path);
        strv_clear(&cmd.argv);
        return 0;
    }
    list->v = more;
    list->v[list->n++] = cmd;
    if (k->arg == UEXEC_START)
        c->exec_start_line = c->line;
    return 0;
}

static int parse_pid_file(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    free(u->pid_file);
    u->pid_file = NULL;
    if (!*v)
        return 0;
    if (strstr(v, "/../") || str_endswith(v, "/.."))
        return bad_value(c, "a path with '..'; give an absolute path such as /run/NAME.pid");
    /* as systemd: a relative name is below /run */
    u->pid_file = v[0] == '/' ? mem_strdup(v) : mem_asprintf("/run/%s", v);
    return 0;
}

static const char *const dir_envs[UDIR_N] = {"RUNTIME_DIRECTORY", "STATE_DIRECTORY", "CACHE_DIRECTORY",
                                             "LOGS_DIRECTORY", "CONFIGURATION_DIRECTORY"};

/* As systemd's system manager: /run, /var/lib, ...; as its user manager when oya is not root (what
 * systemd.exec(5) tabulates): $XDG_RUNTIME_DIR, $XDG_STATE_HOME (~/.local/state), $XDG_CACHE_HOME
 * (~/.cache), $XDG_STATE_HOME/log, $XDG_CONFIG_HOME (~/.config) */
const char *unit_dir_base(enum unit_dir d)
{
    static const char *const system[UDIR_N] = {"/run", "/var/lib", "/var/cache", "/var/log", "/etc"};
    static char user[UDIR_N][4096 + 64];
    if (geteuid() == 0)
        return system[d];
    static const struct {
        const char *env, *fallback, *suffix;
    } xdg[UDIR_N] = {{"XDG_RUNTIME_DIR", NULL, ""},
                     {"XDG_STATE_HOME", ".local/state", ""},
                     {"XDG_CACHE_HOME", ".cache", ""},
                     {"XDG_STATE_HOME", ".local/state", "/log"},
                     {"XDG_CONFIG_HOME", ".config", ""}};
    const char *v = getenv(xdg[d].env);
    if (v && v[0] == '/') /* the XDG rule: a relative value is ignored */
        snprintf(user[d], sizeof(user[d]), "%s%s", v, xdg[d].suffix);
    else if (xdg[d].fallback)
        snprintf(user[d], sizeof(user[d]), "%s/%s%s", unit_self()->home, xdg[d].fallback, xdg[d].suffix);
    else /* no $XDG_RUNTIME_DIR: where pam_systemd would have made it */
        snprintf(user[d], sizeof(user[d]), "/run/user/%u", (unsigned)geteuid());
    return user[d];
}

const char *unit_dir_env(enum unit_dir d)
{
    return dir_envs[d];
}

const char *unit_dir_key(enum unit_dir d)
{
    static const char *const keys[UDIR_N] = {"RuntimeDirectory", "StateDirectory", "CacheDirectory",
                                             "LogsDirectory", "ConfigurationDirectory"};
    return keys[d];
}

/* RuntimeDirectory= and its kin (k->arg: which): relative names, below the kind's base directory */
static int parse_dirs(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    struct strv *dirs = &u->dirs[k->arg];
    if (!*v) {
        strv_clear(dirs);
        return 0;
    }
    struct strv words = {0};
    int r = split_value(c, v, &words);
    for (size_t i = 0; r == 0 && i < words.n; i++) {
        const char *d = words.v[i];
        if (d[0] == '/' || !strcmp(d, "..") || str_startswith(d, "../") || strstr(d, "/../") ||
            str_endswith(d, "/.."))
            r = bad_value(c, "'%s': give a name relative to %s, without '..', e.g. %s", d, unit_dir_base((enum unit_dir)k->arg),
                          u->name);
        else
            strv_add(dirs, d);
    }
    strv_clear(&words);
    return r;
}

static int parse_dir_mode(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    char *end;
    errno = 0;
    long m = *v ? strtol(v, &end, 8) : -1;
    if (!*v || errno || *end || m < 0 || m > 07777)
        return bad_value(c, "not an octal mode; use e.g. 0755 or 2750 (0000 to 7777)");
    u->dir_mode[k->arg] = (int)m;
    return 0;
}

static int parse_preserve(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    bool b;
    if (strcmp(v, "restart") == 0)
        u->runtime_preserve = PRESERVE_RESTART;
    else if (unit_parse_bool(v, &b) == 0)
        u->runtime_preserve = b ? PRESERVE_YES : PRESERVE_NO;
    else
        return bad_value(c, "use yes, no or restart");
    return 0;
}

static int parse_alias(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    struct strv words = {0};
    int r = split_value(c, v, &words);
    for (size_t i = 0; r == 0 && i < words.n; i++) {
        const char *a = words.v[i];
        if (!str_endswith(a, ".service")) {
            unit_diag_add(c->diag, false, "%s:%u: Alias=%s: only .service aliases name a service, ignored", c->path,
                     c->line, a);
            continue;
        }
        char *name = mem_strndup(a, strlen(a) - strlen(".service"));
        if (!name)
            break;
        if (unit_name_valid(name))
            strv_add(&u->aliases, name);
        else
            r = bad_value(c, "'%s' is not a valid service name", a);
        free(name);
    }
    strv_clear(&words);
    return r;
}

static void add_condition(struct unit *u, struct unit_condition cond, const char *value, unsigned line)
{
    cond.value = mem_strdup(value);
    cond.line = line;
    struct unit_condition *more = cond.value ? mem_grow(u->conds, u->n_conds + 1, sizeof(*more)) : NULL;
    if (!more) { /* out of memory: unit_parse sees it */
        free(cond.value);
        return;
    }
    u->conds = more;
    u->conds[u->n_conds++] = cond;
}

/* An empty Condition*= drops every condition before it, an empty Assert*= every assert (and an empty
 * RequiresMountsFor= its paths) */
static void clear_conditions(struct unit *u, bool assert, bool mounts)
{
    size_t kept = 0;
    for (size_t i = 0; i < u->n_conds; i++) {
        struct unit_condition *c = &u->conds[i];
        if ((c->kind == COND_MOUNTS_FOR) == mounts && (mounts || c->assert == assert))
            free(c->value);
        else
            u->conds[kept++] = *c;
    }
    u->n_conds = kept;
}

/* Condition*= and Assert*= (kind from the name after the prefix): "|" triggering, "!" negated, then the
 * value; a path where the condition takes one must be absolute (systemd ignores it otherwise) */
static int parse_condition(struct unit *u, enum unit_cond_kind kind, const char *v, struct parse_ctx *c)
{
    struct unit_condition cond = {.kind = kind, .assert = str_startswith(c->key, "Assert")};
    if (!*v) {
        clear_conditions(u, cond.assert, false);
        return 0;
    }
    const char *p = v;
    for (;; p++) {
        if (*p == '|')
            cond.trigger = true;
        else if (*p == '!')
            cond.negate = true;
        else
            break;
    }
    while (*p == ' ')
        p++;
    if (kind <= COND_NEEDS_UPDATE && p[0] != '/') {
        unit_diag_add(c->diag, false, "%s:%u: %s=%s: not an absolute path, the condition is ignored (write /path, "
                      "with '!' to negate and '|' to make it triggering)", c->path, c->line, c->key, v);
        return 0;
    }
    add_condition(u, cond, p, c->line);
    return 0;
}

/* RequiresMountsFor=: oya has no mount units to order after or start; the fstab mount points on each
 * path must be mounted when the service starts, else the start is skipped as for a condition
 * (machine_mounts_for) */
static int parse_mounts_for(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    if (!*v) {
        clear_conditions(u, false, true);
        return 0;
    }
    struct strv words = {0};
    int r = split_value(c, v, &words);
    for (size_t i = 0; r == 0 && i < words.n; i++) {
        if (words.v[i][0] != '/')
            r = bad_value(c, "'%s' is not an absolute path", words.v[i]);
        else
            add_condition(u, (struct unit_condition){.kind = COND_MOUNTS_FOR}, words.v[i], c->line);
    }
    strv_clear(&words);
    return r;
}

/* The exit status names systemd accepts: the LSB init script codes and BSD's sysexits.h; 0 if unknown */
static uint64_t exit_status_from_name(const char *v)
{
    static const struct {
        const char *name;
        int code;
    } names[] = {
        {"INVALIDARGUMENT", 2}, {"NOTIMPLEMENTED", 3}, {"NOPERMISSION", 4}, {"NOTINSTALLED", 5},
        {"NOTCONFIGURED", 6},   {"NOTRUNNING", 7},     {"USAGE", 64},       {"DATAERR", 65},
        {"NOINPUT", 66},        {"NOUSER", 67},        {"NOHOST", 68},      {"UNAVAILABLE", 69},
        {"SOFTWARE", 70},       {"OSERR", 71},         {"OSFILE", 72},      {"CANTCREAT", 73},
        {"IOERR", 74},          {"TEMPFAIL", 75},      {"PROTOCOL", 76},    {"NOPERM", 77},
        {"CONFIG", 78},
    };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (strcmp(v, names[i].name) == 0)
            return (uint64_t)names[i].code;
    return 0;
}

/* A list of exit codes (numbers or names like DATAERR) and signal names into the two tables; an empty
 * value clears both. Shared by SuccessExitStatus=, RestartPreventExitStatus= and RestartForceExitStatus=. */
static int parse_exit_list(struct parse_ctx *c, const char *v, bool codes[256], bool sigs[65])
{
    if (!*v) {
        memset(codes, 0, 256 * sizeof(bool));
        memset(sigs, 0, 65 * sizeof(bool));
        return 0;
    }
    struct strv words = {0};
    int r = split_value(c, v, &words);
    for (size_t i = 0; r == 0 && i < words.n; i++) {
        uint64_t n;
        int sig;
        if (str_to_u64(words.v[i], &n) && n <= 255)
            codes[n] = true;
        else if ((n = exit_status_from_name(words.v[i])) > 0)
            codes[n] = true;
        else if (!isdigit((unsigned char)words.v[i][0]) && (sig = signal_from_name(words.v[i])) > 0 && sig < 65)
            sigs[sig] = true;
        else
            r = bad_value(c, "'%s' is neither an exit code (0-255 or a name like DATAERR) nor a signal name like "
                             "SIGUSR1", words.v[i]);
    }
    strv_clear(&words);
    return r;
}

/* RestartPreventExitStatus= and RestartForceExitStatus= (k->arg 0: prevent, 1: force) */
static int parse_restart_status(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    return k->arg ? parse_exit_list(c, v, u->restart_force_status, u->restart_force_signal)
                  : parse_exit_list(c, v, u->restart_prevent_status, u->restart_prevent_signal);
}

/* StandardOutput=, StandardError= (k->arg 0: output, 1: error) */
static int parse_output(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    enum unit_output *o = k->arg ? &u->std_error : &u->std_output;
    char **path = k->arg ? &u->error_path : &u->output_path;
    static const char *const logs[] = {"journal", "syslog", "kmsg", "journal+console", "syslog+console",
                                       "kmsg+console", "console", "tty"};
    free(*path);
    *path = NULL;
    *(k->arg ? &u->std_error_set : &u->std_output_set) = true;
    *(k->arg ? &u->std_error_tty : &u->std_output_tty) = strcmp(v, "tty") == 0;
    for (size_t i = 0; i < ARRAY_SIZE(logs); i++) {
        if (strcmp(v, logs[i]) == 0) {
            *o = OUT_LOG; /* oya's own log: the lines behind the service's name */
            return 0;
        }
    }
    if (strcmp(v, "inherit") == 0) {
        *o = OUT_INHERIT;
    } else if (strcmp(v, "null") == 0) {
        *o = OUT_NULL;
    } else if (str_startswith(v, "file:") || str_startswith(v, "append:") || str_startswith(v, "truncate:")) {
        const char *p = strchr(v, ':') + 1;
        if (p[0] != '/')
            return bad_value(c, "give an absolute path after '%.*s'", (int)(p - v), v);
        *o = v[0] == 'f' ? OUT_FILE : v[0] == 'a' ? OUT_APPEND : OUT_TRUNCATE;
        *path = mem_strdup(p);
    } else {
        return bad_value(c, "use inherit, null, journal (oya's log), file:PATH, append:PATH or truncate:PATH");
    }
    return 0;
}

static int parse_standard_input(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    static const char *const names[] = {"null", "tty", "tty-force", "tty-fail"}; /* enum unit_input's order */
    free(u->input_path);
    u->input_path = NULL;
    u->std_input = IN_NULL;
    u->std_input_set = true;
    int i = name_index(v, names, ARRAY_SIZE(names));
    if (i >= 0)
        u->std_input = (enum unit_input)i;
    else if (strcmp(v, "data") == 0)
        u->std_input = IN_DATA;
    else if (str_startswith(v, "file:")) {
        if (v[5] != '/')
            return bad_value(c, "give an absolute path after 'file:'");
        u->std_input = IN_FILE;
        u->input_path = mem_strdup(v + 5); /* NULL for want of memory: unit_parse sees the failure */
    } else if (strcmp(v, "socket") == 0 || str_startswith(v, "fd:"))
        unit_diag_add(c->diag, false, "%s:%u: StandardInput=%s comes from a socket unit, and oya does not activate by "
                                      "socket; the service reads /dev/null", c->path, c->line, v);
    else
        return bad_value(c, "use null, tty, tty-force, tty-fail, data or file:PATH");
    return 0;
}

/* StandardInputText= (k->arg 0: a line, C escapes resolved) and StandardInputData= (1: base64), appended in
 * order to what StandardInput=data gives; an empty one clears it. At most 64 MiB, systemd's bound. */
static int parse_input_data(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    struct buf *b = &u->input_data;
    if (!*v) {
        buf_free(b);
        return 0;
    }
    size_t before = b->len;
    if (k->arg == 0) {
        const char *why = NULL;
        if (unit_c_unescape(v, b, &why) < 0) {
            b->len = before;
            return bad_value(c, "%s", why);
        }
        buf_putc(b, '\n');
    } else {
        /* base64 (RFC 4648), white space anywhere ignored, as systemd */
        static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        uint32_t acc = 0;
        int bits = 0, pad = 0;
        for (const char *p = v; *p; p++) {
            if (isspace((unsigned char)*p))
                continue;
            const char *at = *p && !pad ? strchr(alphabet, *p) : NULL;
            if (*p == '=' && bits) {
                pad++;
                continue;
            }
            if (!at || pad) {
                b->len = before;
                return bad_value(c, "not base64: '%c' where A-Z, a-z, 0-9, + or / belongs", *p);
            }
            acc = acc << 6 | (uint32_t)(at - alphabet);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                buf_putc(b, (char)(acc >> bits));
                acc &= (1u << bits) - 1;
            }
        }
        if (bits >= 6 || (bits && acc)) {
            b->len = before;
            return bad_value(c, "not base64: it ends in the middle of a byte");
        }
    }
    if (b->len > 64u << 20) {
        b->len = before;
        return bad_value(c, "more than 64 MiB to read in all; give a file (StandardInput=file:PATH)");
    }
    return 0;
}

/* TTYPath=: an absolute path */
static int parse_tty_path(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    if (v[0] != '/')
        return bad_value(c, "give the terminal's absolute path, e.g. /dev/tty1 or /dev/console");
    free(u->tty_path);
    u->tty_path = mem_strdup(v); /* NULL for want of memory: unit_parse sees the failure */
    return 0;
}

/* TTYRows= and TTYColumns= (k->arg 0: rows, 1: columns) */
static int parse_tty_size(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    uint64_t n;
    if (!str_to_u64(v, &n) || n > 65535)
        return bad_value(c, "not a number from 0 to 65535");
    *(k->arg ? &u->tty_columns : &u->tty_rows) = (int)n;
    return 0;
}

/* a signed integer in [lo, hi] (k->arg selects Nice= or OOMScoreAdjust=) */
static int parse_int_range(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    int lo = k->arg ? -1000 : -20, hi = k->arg ? 1000 : 19, n;
    if (!str_to_int(v, &n) || n < lo || n > hi)
        return bad_value(c, "not a number from %d to %d", lo, hi);
    if (k->arg) {
        u->oom_score_adjust = n;
        u->oom_score_adjust_set = true;
    } else {
        u->nice = n;
        u->nice_set = true;
    }
    return 0;
}

static int parse_io_class(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    static const char *const names[] = {"none", "realtime", "best-effort", "idle"};
    int i = name_index(v, names, ARRAY_SIZE(names));
    if (i < 0 && !(str_to_int(v, &i) && i >= 0 && i <= 3))
        return bad_value(c, "use realtime, best-effort, idle (or 1 to 3)");
    u->io_class = i;
    return 0;
}

/* ProtectSystem= (k->arg 0) and ProtectHome= (1): a boolean or one of their words */
static int parse_protect(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    static const char *const system[] = {"", "", "full", "strict"}, *const home[] = {"", "", "read-only", "tmpfs"};
    int *f = k->arg ? &u->protect_home : &u->protect_system;
    bool b;
    int i = *v ? name_index(v, k->arg ? home : system, 4) : -1;
    if (i >= 2)
        *f = i;
    else if (unit_parse_bool(v, &b) == 0)
        *f = b;
    else
        return bad_value(c, k->arg ? "use yes, no, read-only or tmpfs" : "use yes, no, full or strict");
    return 0;
}

/* ReadWritePaths=, ReadOnlyPaths=, InaccessiblePaths= (and their old names, ...Directories=): absolute paths,
 * each with an optional '-' (a missing one is no error) and '+' (below RootDirectory=, which oya does not
 * have: dropped) in front; an empty one clears the list */
static int parse_paths(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    struct strv *f = AT(u, k, struct strv);
    if (!*v) {
        strv_clear(f);
        return 0;
    }
    struct strv words = {0};
    if (split_value(c, v, &words) < 0)
        return -EINVAL;
    int r = 0;
    for (size_t i = 0; i < words.n && r == 0; i++) {
        const char *w = words.v[i];
        bool optional = false;
        for (; *w == '-' || *w == '+'; w++)
            optional |= *w == '-';
        if (w[0] != '/')
            r = bad_value(c, "'%s': give an absolute path (with '-' in front when it may be missing)", words.v[i]);
        else
            strv_push(f, mem_asprintf("%s%s", optional ? "-" : "", w));
    }
    strv_clear(&words);
    return r;
}

/* CPUSchedulingPolicy= (k->arg 0), CPUSchedulingPriority= (1), CPUSchedulingResetOnFork= (2) */
static int parse_cpu_sched(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    static const char *const names[] = {"other", "fifo", "rr", "batch", "", "idle"}; /* SCHED_* by number */
    int n;
    bool b;
    if (k->arg == 0) {
        if ((n = name_index(v, names, ARRAY_SIZE(names))) < 0 || !*v)
            return bad_value(c, "use other, batch, idle, fifo or rr");
        u->cpu_sched_policy = n;
    } else if (k->arg == 1) {
        if (!str_to_int(v, &n) || n < 0 || n > 99)
            return bad_value(c, "not a priority from 0 to 99 (1 to 99 for fifo and rr)");
        u->cpu_sched_priority = n;
    } else {
        if (unit_parse_bool(v, &b) < 0)
            return bad_value(c, "not a boolean; use yes or no (also true/false, on/off, 1/0)");
        u->cpu_sched_reset_on_fork = b;
    }
    u->cpu_sched_set = true;
    return 0;
}

static int parse_io_priority(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    int n;
    if (!str_to_int(v, &n) || n < 0 || n > 7)
        return bad_value(c, "not a priority from 0 (highest) to 7 (lowest)");
    u->io_priority = n;
    return 0;
}

static int parse_cpu_affinity(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    memset(u->cpu_affinity, 0, sizeof(u->cpu_affinity));
    struct strv words = {0};
    char *commas = mem_strdup(v);
    if (!commas)
        return 0; /* out of memory: unit_parse sees it */
    for (char *p = commas; *p; p++)
        if (*p == ',')
            *p = ' ';
    int r = split_value(c, commas, &words);
    free(commas);
    for (size_t i = 0; r == 0 && i < words.n; i++) {
        int a, b;
        char *dash = strchr(words.v[i], '-');
        if (dash)
            *dash = 0;
        if (!str_to_int(words.v[i], &a) || !str_to_int(dash ? dash + 1 : words.v[i], &b) || a < 0 || b < a ||
            b >= 1024) {
            r = bad_value(c, "use CPU numbers and ranges, e.g. 0 2-3 (below 1024)");
            break;
        }
        for (int cpu = a; cpu <= b; cpu++)
            u->cpu_affinity[cpu / 64] |= 1ULL << (cpu % 64);
    }
    strv_clear(&words);
    return r;
}

int unit_cap_from_name(const char *name)
{
    static const char *const caps[] = {
        "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap",
        "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
        "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
        "sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write", "audit_control", "setfcap",
        "mac_override", "mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf",
        "checkpoint_restore"};
    if (strncasecmp(name, "cap_", 4) != 0)
        return -1;
    for (size_t i = 0; i < ARRAY_SIZE(caps); i++)
        if (strcasecmp(name + 4, caps[i]) == 0)
            return (int)i;
    return -1;
}

/* A capability list: names, or "~" then the names not wanted; the bits named go in *set */
static int cap_list(struct parse_ctx *c, const char *v, uint64_t *set, bool *invert)
{
    *invert = v[0] == '~';
    *set = 0;
    struct strv words = {0};
    int r = split_value(c, *invert ? v + 1 : v, &words);
    for (size_t i = 0; r == 0 && i < words.n; i++) {
        int cap = unit_cap_from_name(words.v[i]);
        if (cap < 0)
            r = bad_value(c, "'%s' is not a capability; use names like CAP_NET_BIND_SERVICE", words.v[i]);
        else
            *set |= 1ULL << cap;
    }
    strv_clear(&words);
    return r;
}

/* CapabilityBoundingSet= (k->arg 0) and AmbientCapabilities= (1): names kept, "~" all but those, empty none.
 * Lines add up. */
static int parse_caps(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    uint64_t set;
    bool invert;
    int r = cap_list(c, v, &set, &invert);
    if (r < 0)
        return r;
    uint64_t *field = k->arg ? &u->cap_ambient : &u->cap_bounding;
    bool *had = k->arg ? &u->cap_ambient_set : &u->cap_bounding_set;
    if (!*v)
        *field = 0;
    else if (invert)
        *field = (*had ? *field : ~0ULL) & ~set;
    else
        *field = (*had ? *field : 0) | set;
    *had = true;
    return 0;
}

/* Sandboxing keys: systemd builds namespaces, seccomp filters and mounts from them; oya does not (yet).
 * The unit loads and runs; `oya verify` lists what was not applied, once per unit. */
static int parse_not_applied(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k, (void)v;
    for (size_t i = 0; i < u->not_applied.n; i++)
        if (strcmp(u->not_applied.v[i], c->key) == 0)
            return 0;
    strv_add(&u->not_applied, c->key);
    return 0;
}

/* TasksMax=: N, N% (of the system's limit) or infinity; pids.max of the service's cgroup */
static int parse_tasks_max(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    uint64_t n;
    size_t len = strlen(v);
    if (strcmp(v, "infinity") == 0) {
        u->tasks_max = UINT64_MAX;
        u->tasks_max_percent = false;
    } else if (len > 1 && v[len - 1] == '%') {
        char *num = mem_strndup(v, len - 1);
        if (!num)
            return 0;
        bool ok = str_to_u64(num, &n) && n <= 100;
        free(num);
        if (!ok)
            return bad_value(c, "a percentage is 0%% to 100%%");
        u->tasks_max = n;
        u->tasks_max_percent = true;
    } else if (str_to_u64(v, &n)) {
        u->tasks_max = n;
        u->tasks_max_percent = false;
    } else {
        return bad_value(c, "write a number of tasks, a percentage like 80%%, or infinity");
    }
    (void)k;
    return 0;
}

/* The resource-control keys (resource.c): cgroup v2 settings the supervisor writes at each start */
static int parse_resource(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    char err[256] = "";
    int r = unit_resource_parse(u, k->name, v, err, sizeof(err));
    return r < 0 ? bad_value(c, "%s", err) : 0;
}

/* rlimit values: "N", "soft:hard", "infinity"; bytes take K/M/G/T/P/E (1024-based), LimitCPU takes
 * seconds or a time span, LimitRTTIME microseconds or a time span. */
enum limit_kind { LIM_PLAIN, LIM_BYTES, LIM_SECONDS, LIM_USEC };

static int limit_value(const char *s, enum limit_kind kind, rlim_t *out)
{
    if (strcmp(s, "infinity") == 0) {
        *out = RLIM_INFINITY;
        return 0;
    }
    uint64_t n;
    if (kind == LIM_SECONDS || kind == LIM_USEC) {
        if (str_to_u64(s, &n)) {
            *out = (rlim_t)n;
            return 0;
        }
        if (unit_parse_timespan(s, &n) < 0)
            return -EINVAL;
        *out = (rlim_t)(kind == LIM_SECONDS ? (n + USEC_PER_SEC - 1) / USEC_PER_SEC : n);
        return 0;
    }
    char num[64];
    size_t len = strlen(s);
    if (len == 0 || len >= sizeof(num))
        return -EINVAL;
    memcpy(num, s, len + 1);
    uint64_t mult = 1;
    if (kind == LIM_BYTES) {
        static const char units[] = "KMGTPE";
        const char *u = strchr(units, num[len - 1]);
        if (u && num[len - 1]) {
            mult = 1ULL << (10 * (u - units + 1));
            num[--len] = 0;
        }
    }
    if (!str_to_u64(num, &n) || (mult > 1 && n > UINT64_MAX / mult))
        return -EINVAL;
    *out = (rlim_t)(n * mult);
    return 0;
}

static const struct {
    const char *key;
    int resource;
    enum limit_kind kind;
} limit_keys[] = {
    {"LimitCPU", RLIMIT_CPU, LIM_SECONDS},          {"LimitFSIZE", RLIMIT_FSIZE, LIM_BYTES},
    {"LimitDATA", RLIMIT_DATA, LIM_BYTES},          {"LimitSTACK", RLIMIT_STACK, LIM_BYTES},
    {"LimitCORE", RLIMIT_CORE, LIM_BYTES},          {"LimitRSS", RLIMIT_RSS, LIM_BYTES},
    {"LimitNOFILE", RLIMIT_NOFILE, LIM_PLAIN},      {"LimitAS", RLIMIT_AS, LIM_BYTES},
    {"LimitNPROC", RLIMIT_NPROC, LIM_PLAIN},        {"LimitMEMLOCK", RLIMIT_MEMLOCK, LIM_BYTES},
    {"LimitLOCKS", RLIMIT_LOCKS, LIM_PLAIN},        {"LimitSIGPENDING", RLIMIT_SIGPENDING, LIM_PLAIN},
    {"LimitMSGQUEUE", RLIMIT_MSGQUEUE, LIM_BYTES},  {"LimitNICE", RLIMIT_NICE, LIM_PLAIN},
    {"LimitRTPRIO", RLIMIT_RTPRIO, LIM_PLAIN},      {"LimitRTTIME", RLIMIT_RTTIME, LIM_USEC},
};

static int parse_limit(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    int i = k->arg;
    struct unit_limit *l = &u->limits[limit_keys[i].resource];
    if (!*v) {
        l->set = false;
        return 0;
    }
    const char *colon = strchr(v, ':');
    rlim_t soft, hard;
    char *s = colon ? mem_strndup(v, (size_t)(colon - v)) : mem_strdup(v);
    if (!s)
        return 0;
    int r = limit_value(s, limit_keys[i].kind, &soft);
    free(s);
    if (r == 0)
        r = colon ? limit_value(colon + 1, limit_keys[i].kind, &hard) : (hard = soft, 0);
    if (r < 0) {
        const char *ex = limit_keys[i].kind == LIM_BYTES     ? "e.g. 1024, 64M, 1G"
                         : limit_keys[i].kind == LIM_PLAIN   ? "e.g. 1024"
                         : limit_keys[i].kind == LIM_SECONDS ? "seconds or a time span, e.g. 60 or 1h"
                                                             : "microseconds or a time span, e.g. 500ms";
        return bad_value(c, "not a limit; use N, SOFT:HARD or infinity (%s)", ex);
    }
    if (hard != RLIM_INFINITY && (soft == RLIM_INFINITY || soft > hard))
        return bad_value(c, "the soft limit is above the hard limit; write SOFT:HARD with SOFT <= HARD");
    *l = (struct unit_limit){true, soft, hard};
    return 0;
}

static int parse_success_status(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    return parse_exit_list(c, v, u->success_status, u->success_signal);
}

static int parse_ignored(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)u, (void)k, (void)v, (void)c;
    return 0;
}

/* SyslogLevel=: the priority of a line with no <N> prefix (emerg .. debug); default info */
static int parse_syslog_level(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    static const char *const names[] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
    for (int i = 0; i < 8; i++) {
        if (strcmp(v, names[i]) == 0) {
            u->syslog_level = i;
            return 0;
        }
    }
    return bad_value(c, "not a level; use emerg, alert, crit, err, warning, notice, info or debug");
}

static int parse_bus_name(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)k;
    free(u->bus_name);
    u->bus_name = NULL;
    if (!*v)
        return 0;
    if (!bus_name_valid(v))
        return bad_value(c, "not a bus name; write one like org.example.Daemon");
    u->bus_name = mem_strdup(v);
    return 0;
}

static int parse_not_yet(struct unit *u, const struct key *k, const char *v, struct parse_ctx *c)
{
    (void)u, (void)k, (void)v;
    unit_diag_add(c->diag, false, "%s:%u: %s= is not supported yet, ignored", c->path, c->line, c->key);
    return 0;
}

#define LIMIT_KEY(i) {"Service", NULL, parse_limit, 0, i}

static struct key keys[] = {
    {"Unit", "Description", parse_string, FIELD(description), 0},
    {"Unit", "Documentation", parse_list, FIELD(documentation), 0},
    {"Unit", "After", parse_list, FIELD(after), 0},
    {"Unit", "Before", parse_list, FIELD(before), 0},
    {"Unit", "Wants", parse_list, FIELD(wants), 0},
    {"Unit", "OnFailure", parse_list, FIELD(on_failure), 0},
    {"Unit", "OnSuccess", parse_list, FIELD(on_success), 0},
    {"Unit", "FailureAction", parse_action, FIELD(failure_action), 1},
    {"Unit", "SuccessAction", parse_action, FIELD(success_action), 0},
    {"Unit", "StartLimitAction", parse_action, FIELD(start_limit_action), 0},
    {"Service", "FailureAction", parse_action, FIELD(failure_action), 1},
    {"Service", "StartLimitAction", parse_action, FIELD(start_limit_action), 0},
    {"Unit", "FailureActionExitStatus", parse_action_status, FIELD(failure_action_exit_status), 0},
    {"Unit", "SuccessActionExitStatus", parse_action_status, FIELD(success_action_exit_status), 0},
    {"Unit", "Requires", parse_list, FIELD(requires), 0},
    {"Unit", "BindsTo", parse_list, FIELD(binds_to), 0},
    {"Unit", "BindTo", parse_list, FIELD(binds_to), 0},                   /* systemd's old spellings */
    {"Unit", "RequiresOverridable", parse_list, FIELD(requires), 0},
    {"Unit", "RequisiteOverridable", parse_list, FIELD(requisite), 0},
    {"Unit", "PropagateReloadTo", parse_list, FIELD(propagates_reload_to), 0},
    {"Unit", "PropagateReloadFrom", parse_list, FIELD(reload_propagated_from), 0},
    {"Unit", "PartOf", parse_list, FIELD(part_of), 0},
    {"Unit", "PropagatesReloadTo", parse_list, FIELD(propagates_reload_to), 0},
    {"Unit", "ReloadPropagatedFrom", parse_list, FIELD(reload_propagated_from), 0},
    {"Unit", "Requisite", parse_list, FIELD(requisite), 0},
    {"Unit", "Conflicts", parse_list, FIELD(conflicts), 0},
    {"Unit", "RequiresMountsFor", parse_mounts_for, 0, 0},
    {"Unit", "DefaultDependencies", parse_bool, FIELD(default_dependencies), 0},
    {"Unit", "StartLimitIntervalSec", parse_timespan_key, FIELD(start_limit_interval), 0},
    {"Unit", "StartLimitInterval", parse_timespan_key, FIELD(start_limit_interval), 0},
    {"Unit", "StartLimitBurst", parse_unsigned, FIELD(start_limit_burst), 0},
    {"Service", "StartLimitIntervalSec", parse_timespan_key, FIELD(start_limit_interval), 0},
    {"Service", "StartLimitInterval", parse_timespan_key, FIELD(start_limit_interval), 0},
    {"Service", "StartLimitBurst", parse_unsigned, FIELD(start_limit_burst), 0},
    {"Service", "Type", parse_type, 0, 0},
    {"Service", "ExecStartPre", parse_exec, 0, UEXEC_START_PRE},
    {"Service", "ExecStart", parse_exec, 0, UEXEC_START},
    {"Service", "ExecStartPost", parse_exec, 0, UEXEC_START_POST},
    {"Service", "ExecReload", parse_exec, 0, UEXEC_RELOAD},
    {"Service", "ExecStop", parse_exec, 0, UEXEC_STOP},
    {"Service", "ExecStopPost", parse_exec, 0, UEXEC_STOP_POST},
    {"Service", "ExecCondition", parse_exec, 0, UEXEC_CONDITION},
    {"Service", "PIDFile", parse_pid_file, 0, 0},
    {"Service", "RuntimeDirectory", parse_dirs, 0, UDIR_RUNTIME},
    {"Service", "StateDirectory", parse_dirs, 0, UDIR_STATE},
    {"Service", "CacheDirectory", parse_dirs, 0, UDIR_CACHE},
    {"Service", "LogsDirectory", parse_dirs, 0, UDIR_LOGS},
    {"Service", "ConfigurationDirectory", parse_dirs, 0, UDIR_CONFIGURATION},
    {"Service", "RuntimeDirectoryMode", parse_dir_mode, 0, UDIR_RUNTIME},
    {"Service", "StateDirectoryMode", parse_dir_mode, 0, UDIR_STATE},
    {"Service", "CacheDirectoryMode", parse_dir_mode, 0, UDIR_CACHE},
    {"Service", "LogsDirectoryMode", parse_dir_mode, 0, UDIR_LOGS},
    {"Service", "ConfigurationDirectoryMode", parse_dir_mode, 0, UDIR_CONFIGURATION},
    {"Service", "RuntimeDirectoryPreserve", parse_preserve, 0, 0},
    {"Service", "RestartPreventExitStatus", parse_restart_status, 0, 0},
    {"Service", "RestartForceExitStatus", parse_restart_status, 0, 1},
    {"Service", "SyslogLevel", parse_syslog_level, 0, 0},
    {"Service", "SyslogLevelPrefix", parse_bool, FIELD(syslog_level_prefix), 0},
    {"Service", "SyslogIdentifier", parse_string, FIELD(syslog_identifier), 0},
    {"Service", "StandardOutput", parse_output, 0, 0},
    {"Service", "StandardError", parse_output, 0, 1},
    {"Service", "StandardInput", parse_standard_input, 0, 0},
    {"Service", "StandardInputText", parse_input_data, 0, 0},
    {"Service", "StandardInputData", parse_input_data, 0, 1},
    {"Service", "TTYPath", parse_tty_path, 0, 0},
    {"Service", "TTYRows", parse_tty_size, 0, 0},
    {"Service", "TTYColumns", parse_tty_size, 0, 1},
    {"Service", "Nice", parse_int_range, 0, 0},
    {"Service", "OOMScoreAdjust", parse_int_range, 0, 1},
    {"Service", "IOSchedulingClass", parse_io_class, 0, 0},
    {"Service", "CPUSchedulingPolicy", parse_cpu_sched, 0, 0},
    {"Service", "CPUSchedulingPriority", parse_cpu_sched, 0, 1},
    {"Service", "CPUSchedulingResetOnFork", parse_cpu_sched, 0, 2},
    {"Service", "IOSchedulingPriority", parse_io_priority, 0, 0},
    {"Service", "CPUAffinity", parse_cpu_affinity, 0, 0},
    {"Service", "NoNewPrivileges", parse_bool, FIELD(no_new_privileges), 0},
    {"Service", "PermissionsStartOnly", parse_bool, FIELD(permissions_start_only), 0},
    {"Service", "SupplementaryGroups", parse_list, FIELD(supplementary_groups), 0},
    {"Service", "UnsetEnvironment", parse_list, FIELD(unset_environment), 0},
    {"Service", "GuessMainPID", parse_bool, FIELD(guess_main_pid), 0},
    {"Service", "BusName", parse_bus_name, 0, 0},
    {"Service", "IgnoreSIGPIPE", parse_bool, FIELD(ignore_sigpipe), 0},
    {"Service", "TasksMax", parse_tasks_max, 0, 0},
    {"Service", "MemoryMin", parse_resource, 0, 0},
    {"Service", "MemoryLow", parse_resource, 0, 0},
    {"Service", "MemoryHigh", parse_resource, 0, 0},
    {"Service", "MemoryMax", parse_resource, 0, 0},
    {"Service", "MemorySwapMax", parse_resource, 0, 0},
    {"Service", "CPUWeight", parse_resource, 0, 0},
    {"Service", "CPUQuota", parse_resource, 0, 0},
    {"Service", "CPUQuotaPeriodSec", parse_resource, 0, 0},
    {"Service", "AllowedCPUs", parse_resource, 0, 0},
    {"Service", "AllowedMemoryNodes", parse_resource, 0, 0},
    {"Service", "IOWeight", parse_resource, 0, 0},
    {"Service", "IODeviceWeight", parse_resource, 0, 0},
    {"Service", "IOReadBandwidthMax", parse_resource, 0, 0},
    {"Service", "IOWriteBandwidthMax", parse_resource, 0, 0},
    {"Service", "IOReadIOPSMax", parse_resource, 0, 0},
    {"Service", "IOWriteIOPSMax", parse_resource, 0, 0},
    {"Service", "DynamicUser", parse_bool, FIELD(dynamic_user), 0},
    {"Service", "PrivateTmp", parse_bool, FIELD(private_tmp), 0},
    {"Service", "ProtectSystem", parse_protect, 0, 0},
    {"Service", "ProtectHome", parse_protect, 0, 1},
    {"Service", "ProtectControlGroups", parse_bool, FIELD(protect_control_groups), 0},
    {"Service", "ProtectKernelTunables", parse_bool, FIELD(protect_kernel_tunables), 0},
    {"Service", "ProtectKernelModules", parse_bool, FIELD(protect_kernel_modules), 0},
    {"Service", "ProtectKernelLogs", parse_bool, FIELD(protect_kernel_logs), 0},
    {"Service", "ProtectClock", parse_bool, FIELD(protect_clock), 0},
    {"Service", "ProtectHostname", parse_bool, FIELD(protect_hostname), 0},
    {"Service", "PrivateDevices", parse_bool, FIELD(private_devices), 0},
    {"Service", "ReadWritePaths", parse_paths, FIELD(read_write_paths), 0},
    {"Service", "ReadOnlyPaths", parse_paths, FIELD(read_only_paths), 0},
    {"Service", "InaccessiblePaths", parse_paths, FIELD(inaccessible_paths), 0},
    {"Service", "ReadWriteDirectories", parse_paths, FIELD(read_write_paths), 0},
    {"Service", "ReadOnlyDirectories", parse_paths, FIELD(read_only_paths), 0},
    {"Service", "InaccessibleDirectories", parse_paths, FIELD(inaccessible_paths), 0},
    {"Service", "CapabilityBoundingSet", parse_caps, 0, 0},
    {"Service", "AmbientCapabilities", parse_caps, 0, 1},
    {"Service", "Environment", parse_environment, 0, 0},
    {"Service", "EnvironmentFile", parse_env_file, 0, 0},
    {"Service", "WorkingDirectory", parse_working_dir, 0, 0},
    {"Service", "User", parse_user, FIELD(user), 0},
    {"Service", "Group", parse_user, FIELD(group), 0},
    {"Service", "UMask", parse_umask, 0, 0},
    {"Service", "Restart", parse_enum, FIELD(restart), ENUM_RESTART},
    {"Service", "RestartSec", parse_timespan_key, FIELD(restart_sec), 0},
    {"Service", "RestartSteps", parse_unsigned, FIELD(restart_steps), 0},
    {"Service", "RestartMaxDelaySec", parse_timespan_key, FIELD(restart_max_delay), 0},
    {"Service", "TimeoutStartSec", parse_timespan_key, FIELD(timeout_start), 1},
    {"Service", "TimeoutStopSec", parse_timespan_key, FIELD(timeout_stop), 1},
    {"Service", "TimeoutSec", parse_timeout_both, 0, 0},
    {"Service", "KillSignal", parse_signal, FIELD(kill_signal), 0},
    {"Service", "RestartKillSignal", parse_signal, FIELD(restart_kill_signal), 0},
    {"Service", "FinalKillSignal", parse_signal, FIELD(final_kill_signal), 0},
    {"Service", "ReloadSignal", parse_signal, FIELD(reload_signal), 0},
    {"Service", "SendSIGKILL", parse_bool, FIELD(send_sigkill), 0},
    {"Service", "SendSIGHUP", parse_bool, FIELD(send_sighup), 0},
    {"Service", "KillMode", parse_enum, FIELD(kill_mode), ENUM_KILL_MODE},
    {"Service", "OOMPolicy", parse_enum, FIELD(oom_policy), ENUM_OOM_POLICY},
    {"Service", "Delegate", parse_delegate, 0, 0},
    {"Service", "SuccessExitStatus", parse_success_status, 0, 0},
    {"Service", "RemainAfterExit", parse_bool, FIELD(remain_after_exit), 0},
    {"Service", "NotifyAccess", parse_enum, FIELD(notify_access), ENUM_NOTIFY_ACCESS},
    {"Service", "WatchdogSec", parse_timespan_key, FIELD(watchdog_usec), 0},
    {"Service", "WatchdogSignal", parse_signal, FIELD(watchdog_signal), 0},
    {"Service", "RuntimeMaxSec", parse_timespan_key, FIELD(runtime_max), 0},
    {"Service", "RuntimeRandomizedExtraSec", parse_timespan_key, FIELD(runtime_extra), 0},
    LIMIT_KEY(0), LIMIT_KEY(1), LIMIT_KEY(2), LIMIT_KEY(3), LIMIT_KEY(4), LIMIT_KEY(5), LIMIT_KEY(6),
    LIMIT_KEY(7), LIMIT_KEY(8), LIMIT_KEY(9), LIMIT_KEY(10), LIMIT_KEY(11), LIMIT_KEY(12), LIMIT_KEY(13),
    LIMIT_KEY(14), LIMIT_KEY(15),
    /* [Install] says how systemd enables a unit; oya starts every unit it is given */
    {"Install", "WantedBy", parse_ignored, 0, 0},
    {"Install", "RequiredBy", parse_ignored, 0, 0},
    {"Install", "UpheldBy", parse_ignored, 0, 0},
    {"Install", "Also", parse_ignored, 0, 0},
    {"Install", "Alias", parse_alias, 0, 0},
    {"Install", "DefaultInstance", parse_ignored, 0, 0},
};

/* systemd keys oya knows of but does not carry out yet: a warning, never an error */
static const char *not_yet_keys[] = {
    NULL,
};

/* systemd's keys that oya accepts without carrying them out: listed once per unit as not applied
 * (parse_not_applied), never called unknown (which reads like a typo). First [Service]'s: sandboxing,
 * resource control, terminal and credential settings. */
static const char *not_applied_keys[] = {
    "LoadCredential", "LoadCredentialEncrypted", "SetCredential", "SetCredentialEncrypted", "TTYReset",
    "TTYVHangup", "TTYVTDisallocate", "FileDescriptorStoreMax",
    "Sockets", "Slice", "CPUShares", "StartupCPUWeight",
    "MemoryLimit",
    "CPUAccounting", "MemoryAccounting", "IOAccounting", "TasksAccounting", "IPAccounting",
    "ManagedOOMSwap", "ManagedOOMMemoryPressure", "LogLevelMax", "LogRateLimitIntervalSec", "LogRateLimitBurst",
    "LogExtraFields", "LogNamespace", "Personality", "TimerSlackNSec", "USBFunctionDescriptors",
    "USBFunctionStrings", "TimeoutAbortSec", "NonBlocking", "ExitType",
    "PrivateNetwork", "PrivateUsers", "PrivateIPC", "PrivateMounts",
    "ProtectProc", "ProcSubset", "RemoveIPC", "RestrictAddressFamilies",
    "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID", "RestrictFileSystems", "SystemCallArchitectures",
    "SystemCallFilter", "SystemCallErrorNumber", "SystemCallLog", "MemoryDenyWriteExecute", "LockPersonality",
    "ExecPaths", "NoExecPaths", "TemporaryFileSystem", "BindPaths", "BindReadOnlyPaths",
    "DevicePolicy", "DeviceAllow", "IPAddressDeny", "IPAddressAllow", "KeyringMode", "MountFlags",
    "SecureBits", "RootDirectory", "RootImage", "NetworkNamespacePath", "SELinuxContext",
    "AppArmorProfile", "SmackProcessLabel", "UtmpIdentifier", "UtmpMode", "PAMName",
    /* images and namespaces */
    "RootDirectoryStartOnly", "RootImageOptions", "RootHash", "RootHashSignature", "RootVerity",
    "ExtensionDirectories", "ExtensionImages", "MountImages", "IPCNamespacePath", "MountAPIVFS",
    /* process settings */
    "CoredumpFilter", "NUMAPolicy", "NUMAMask", "ExecSearchPath", "TimeoutCleanSec", "TimeoutStartFailureMode",
    "TimeoutStopFailureMode", "PassEnvironment", "SyslogFacility",
    /* what [Unit] holds, given in [Service] as systemd still accepts */
    "RebootArgument",
    /* resource control (cgroups) */
    "StartupAllowedCPUs", "StartupAllowedMemoryNodes", "StartupCPUShares",
    "DefaultMemoryMin", "DefaultMemoryLow", "StartupIOWeight",
    "IODeviceLatencyTargetSec", "BlockIOAccounting",
    "BlockIOWeight", "StartupBlockIOWeight", "BlockIODeviceWeight", "BlockIOReadBandwidth",
    "BlockIOWriteBandwidth", "DisableControllers", "IPIngressFilterPath", "IPEgressFilterPath",
    "ManagedOOMMemoryPressureLimit", "ManagedOOMPreference", "BPFProgram", "SocketBindAllow", "SocketBindDeny",
    "RestrictNetworkInterfaces", NULL,
};

/* [Unit]'s keys that oya accepts without carrying them out */
static const char *not_applied_unit_keys[] = {
    "AllowIsolate", "RefuseManualStart", "RefuseManualStop", "StopWhenUnneeded",
    "OnFailureJobMode", "OnSuccessJobMode", "IgnoreOnIsolate",
    "JobTimeoutSec", "JobRunningTimeoutSec", "JobTimeoutAction", "JobTimeoutRebootArgument",
    "PropagatesStopTo", "StopPropagatedFrom", "JoinsNamespaceOf", "Upholds",
    "CollectMode", "RebootArgument", "SourcePath", "OnFailureIsolate", NULL,
};

static bool in_list(const char *const *list, const char *key)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(key, list[i]) == 0)
            return true;
    return false;
}

static bool key_not_applied(const char *section, const char *key)
{
    if (!strcmp(section, "Service"))
        return in_list(not_applied_keys, key);
    return !strcmp(section, "Unit") && in_list(not_applied_unit_keys, key);
}

static void keys_init(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
        if (keys[i].parse == parse_limit)
            keys[i].name = limit_keys[keys[i].arg].key;
}

static const struct key *key_find(const char *section, const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
        if (keys[i].name && strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static bool key_not_yet(const char *name)
{
    for (size_t i = 0; not_yet_keys[i]; i++)
        if (strcmp(not_yet_keys[i], name) == 0)
            return true;
    return false;
}

void unit_keys_each(void (*fn)(void *ctx, const char *section, const char *key, const char *what), void *ctx)
{
    keys_init();
    static const char *const sections[] = {"Unit", "Service", "Install"};
    for (size_t sec = 0; sec < ARRAY_SIZE(sections); sec++) {
        const char *section = sections[sec];
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
            if (keys[i].name && strcmp(keys[i].section, section) == 0)
                fn(ctx, section, keys[i].name,
                   keys[i].parse == parse_ignored ? "ignored" : keys[i].parse == parse_not_yet ? "not supported yet"
                                                                                                 : "applied");
        if (sec == 0) {
            for (int k = 0; k < COND_N; k++) {
                char name[64];
                snprintf(name, sizeof(name), "Condition%s", unit_cond_name((enum unit_cond_kind)k));
                fn(ctx, section, name, "applied");
                snprintf(name, sizeof(name), "Assert%s", unit_cond_name((enum unit_cond_kind)k));
                fn(ctx, section, name, "applied");
            }
        }
        const char *const *na = sec == 0 ? not_applied_unit_keys : sec == 1 ? not_applied_keys : NULL;
        for (size_t i = 0; na && na[i]; i++)
            fn(ctx, section, na[i], "not applied");
        for (size_t i = 0; sec == 1 && not_yet_keys[i]; i++)
            fn(ctx, section, not_yet_keys[i], "not supported yet");
    }
}

/* ConditionFoo= or AssertFoo= of [Unit]: the kind of Foo, or -1 */
static int condition_kind(const char *section, const char *key)
{
    if (strcmp(section, "Unit") != 0)
        return -1;
    if (str_startswith(key, "Condition"))
        return unit_cond_kind_from_name(key + strlen("Condition"));
    if (str_startswith(key, "Assert"))
        return unit_cond_kind_from_name(key + strlen("Assert"));
    return -1;
}

/* The keys of oya's table whose values systemd passes through unit_full_printf (or its path, name and
 * environment forms) in load-fragment.c: names, paths, command lines, texts. Numbers, time spans, signals,
 * booleans and enumerations are taken as written: "Nice=%i" is an error there too, and a % in TasksMax=80%
 * is literal. Conditions are expanded as well (condition_kind). */
static const char *const expanding_keys[] = {
    "Description", "Documentation", "After", "Before", "Wants", "Requires", "BindsTo", "PartOf",
    "PropagatesReloadTo", "ReloadPropagatedFrom", "Requisite", "Conflicts", "RequiresMountsFor", "OnFailure",
    "OnSuccess",
    "ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost", "ExecCondition",
    "PIDFile", "RuntimeDirectory", "StateDirectory", "CacheDirectory", "LogsDirectory", "ConfigurationDirectory",
    "SyslogIdentifier", "StandardInput", "StandardInputText", "StandardOutput", "StandardError", "TTYPath",
    "ReadWritePaths", "ReadOnlyPaths", "InaccessiblePaths", "ReadWriteDirectories", "ReadOnlyDirectories",
    "InaccessibleDirectories",
    "CPUAffinity", "Environment", "EnvironmentFile",
    "SupplementaryGroups", "UnsetEnvironment", "BusName",
    "WorkingDirectory", "User", "Group", "WantedBy", "RequiredBy", "UpheldBy", "Also", "Alias", NULL,
};

bool unit_key_expands(const char *section, const char *key)
{
    if (condition_kind(section, key) >= 0)
        return true;
    return in_list(expanding_keys, key) && key_find(section, key) != NULL;
}

/* " (did you mean RestartSec=?)" for a key close to one systemd has in that section, else "" */
static void key_suggestion(const char *section, const char *key, char *out, size_t size)
{
    struct suggest sg;
    suggest_init(&sg, key);
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
        if (keys[i].name && strcmp(keys[i].section, section) == 0)
            suggest_try(&sg, keys[i].name);
    const char *const *lists[] = {not_yet_keys, strcmp(section, "Unit") == 0 ? not_applied_unit_keys : not_applied_keys};
    for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
        for (size_t i = 0; lists[l][i]; i++)
            suggest_try(&sg, lists[l][i]);
    char names[2 * COND_N][40];
    if (strcmp(section, "Unit") == 0) {
        for (int k = 0; k < COND_N; k++) {
            snprintf(names[2 * k], sizeof(names[0]), "Condition%s", unit_cond_name((enum unit_cond_kind)k));
            snprintf(names[2 * k + 1], sizeof(names[0]), "Assert%s", unit_cond_name((enum unit_cond_kind)k));
            suggest_try(&sg, names[2 * k]);
            suggest_try(&sg, names[2 * k + 1]);
        }
    }
    const char *best = suggest_result(&sg);
    if (best)
        snprintf(out, size, " (did you mean %s=?)", best);
    else
        out[0] = 0;
}

/* One KEY=VALUE of a known section, through the key table; what the table does not know is a warning
 * (keys not applied, keys not supported yet, unknown keys), never an error. */
void unit_key_set(struct unit *u, const char *section, const char *key, const char *value, struct parse_ctx *c)
{
    static bool keys_ready;
    if (!keys_ready) {
        keys_init();
        keys_ready = true;
    }
    const struct key *k = key_find(section, key);
    int cond = condition_kind(section, key);
    if (k) {
        k->parse(u, k, value, c);
    } else if (cond >= 0) {
        parse_condition(u, (enum unit_cond_kind)cond, value, c);
    } else if (key_not_applied(section, key)) {
        parse_not_applied(u, NULL, value, c);
    } else if (key_not_yet(key)) {
        parse_not_yet(u, NULL, value, c);
    } else if (!str_startswith(key, "X-")) {
        char hint[96] = "";
        /* the closest key for the first few unknown ones: a file of thousands of bogus keys must not
         * cost a search over every key name for each */
        if (c->suggestions++ < 16)
            key_suggestion(section, key, hint, sizeof(hint));
        unit_diag_add(c->diag, false, "%s:%u: unknown key %s in [%s], ignored%s", c->path, c->line, key, section,
                      hint);
    }
}

const char *unit_type_name(enum unit_type t)
{
    static const char *names[] = {"simple", "exec", "oneshot", "notify", "forking", "target", "dbus", "notify-reload"};
    return names[t];
}

const char *unit_restart_name(enum unit_restart r)
{
    return restart_names[r];
}

const char *unit_exec_name(enum unit_exec e)
{
    static const char *names[UEXEC_N] = {"ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload",
                                         "ExecStop", "ExecStopPost", "ExecCondition"};
    return names[e];
}

const char *unit_kill_mode_name(enum unit_kill_mode m)
{
    return kill_mode_names[m];
}
