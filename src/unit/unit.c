/* unit: reads a .service file (sections, comments, continuation lines, repeated keys) and fills a
 * struct unit through the table of keys (keys.c), then checks the whole; the caller decides what to do
 * with a unit that has errors (it is not loaded). */
#include "unit_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* NULL: out of memory */
static struct unit *unit_new(const char *name, const char *path)
{
    struct unit *u = mem_zalloc(1, sizeof(*u));
    if (!u)
        return NULL;
    u->name = mem_strdup(name);
    u->path = mem_strdup(path);
    if (!u->name || !u->path) {
        free(u->name);
        free(u->path);
        free(u);
        return NULL;
    }
    u->type = UNIT_SIMPLE;
    u->umask = -1;
    u->restart = RESTART_NO;
    u->restart_sec = 100 * USEC_PER_MSEC;
    u->restart_max_delay = USEC_INFINITY;
    u->failure_action_exit_status = u->success_action_exit_status = -1;
    u->start_limit_interval = 10 * USEC_PER_SEC;
    u->start_limit_burst = 5;
    u->timeout_start = 0; /* unset: 90s, or no timeout for Type=oneshot (validate) */
    u->timeout_stop = 90 * USEC_PER_SEC;
    u->kill_signal = SIGTERM;
    u->final_kill_signal = SIGKILL;
    u->reload_signal = SIGHUP;
    u->watchdog_signal = SIGABRT;
    u->runtime_max = USEC_INFINITY;
    u->tty_rows = u->tty_columns = -1;
    u->send_sigkill = true;
    u->kill_mode = KILL_CONTROL_GROUP;
    for (int d = 0; d < UDIR_N; d++)
        u->dir_mode[d] = 0755;
    u->io_priority = -1;
    u->ignore_sigpipe = true; /* IgnoreSIGPIPE= defaults to yes, as in systemd */
    u->default_dependencies = true;
    u->guess_main_pid = true;
    u->syslog_level = 6;
    u->syslog_level_prefix = true;
    return u;
}

void unit_free(struct unit *u)
{
    if (!u)
        return;
    free(u->name);
    free(u->path);
    free(u->description);
    strv_clear(&u->documentation);
    strv_clear(&u->after);
    strv_clear(&u->before);
    strv_clear(&u->wants);
    strv_clear(&u->requires);
    strv_clear(&u->binds_to);
    strv_clear(&u->part_of);
    strv_clear(&u->propagates_reload_to);
    strv_clear(&u->supplementary_groups);
    free(u->bus_name);
    strv_clear(&u->unset_environment);
    strv_clear(&u->read_write_paths);
    strv_clear(&u->read_only_paths);
    strv_clear(&u->inaccessible_paths);
    strv_clear(&u->reload_propagated_from);
    strv_clear(&u->requisite);
    strv_clear(&u->conflicts);
    for (int e = 0; e < UEXEC_N; e++)
        unit_exec_list_clear(&u->exec[e]);
    free(u->pid_file);
    for (int d = 0; d < UDIR_N; d++)
        strv_clear(&u->dirs[d]);
    strv_clear(&u->aliases);
    strv_clear(&u->on_failure);
    strv_clear(&u->on_success);
    unit_resource_free(u);
    strv_clear(&u->not_applied);
    for (size_t i = 0; i < u->n_conds; i++)
        free(u->conds[i].value);
    free(u->conds);
    free(u->syslog_identifier);
    free(u->output_path);
    free(u->error_path);
    free(u->input_path);
    free(u->tty_path);
    buf_free(&u->input_data);
    strv_clear(&u->environment);
    for (size_t i = 0; i < u->n_env_files; i++)
        free(u->env_files[i].path);
    free(u->env_files);
    free(u->working_directory);
    free(u->user);
    free(u->group);
    unit_creds_clear(&u->creds);
    free(u);
}

void unit_creds_clear(struct unit_creds *c)
{
    free(c->text);
    free(c->name);
    free(c->home);
    free(c->shell);
    free(c->groups);
    *c = (struct unit_creds){0};
}

struct unit *unit_from_argv(const char *name, char *const *argv)
{
    struct unit *u = unit_new(name, "(command line)");
    struct exec_cmd cmd = {.flags = EXEC_NO_ENV_EXPAND, .path = xstrdup(argv[0])};
    for (size_t i = 0; argv[i]; i++)
        strv_add(&cmd.argv, argv[i]);
    u->exec[UEXEC_START].v = xcalloc(1, sizeof(struct exec_cmd));
    u->exec[UEXEC_START].v[0] = cmd;
    u->exec[UEXEC_START].n = 1;
    u->timeout_start = 90 * USEC_PER_SEC;
    return u;
}

bool unit_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 200 || name[0] == '.' || name[0] == '-')
        return false;
    for (const char *p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || strchr(":_.-@\\", *p)))
            return false;
    return true;
}

/* One logical line: physical lines joined where a line ends with a backslash. */
static void handle_line(struct unit *u, char *line, char *section, size_t section_size,
                        bool *section_known, struct parse_ctx *c)
{
    char *s = str_strip(line);
    if (!*s || *s == '#' || *s == ';')
        return;
    if (*s == '[') {
        char *end = strchr(s, ']');
        if (!end || end[1] || end == s + 1) {
            unit_diag_add(c->diag, true, "%s:%u: '%s': a section header is written [Name]", c->path, c->line, s);
            return;
        }
        *end = 0;
        snprintf(section, section_size, "%s", s + 1);
        *section_known = !strcmp(section, "Unit") || !strcmp(section, "Service") || !strcmp(section, "Install") ||
                         !strcmp(section, "Target");
        if (!*section_known && !str_startswith(section, "X-"))
            unit_diag_add(c->diag, false, "%s:%u: unknown section [%s], ignored", c->path, c->line, section);
        return;
    }
    char *eq = strchr(s, '=');
    if (!eq) {
        unit_diag_add(c->diag, true, "%s:%u: '%s': not KEY=VALUE, a [Section] or a comment", c->path, c->line, s);
        return;
    }
    *eq = 0;
    char *key = str_strip(s), *raw = str_strip(eq + 1), *value, bad;
    if (!*section_known || !unit_key_expands(section, key)) {
        value = mem_strdup(raw); /* a key that takes no specifiers, or one oya does not read: % is literal */
        if (!value)
            return; /* unit_parse_kind says it: out of memory */
    } else if (unit_expand_specifiers(u->name, raw, &value, &bad) < 0) {
        if (!bad && mem_failures() != c->failures_before)
            return;
        if (bad)
            unit_diag_add(c->diag, true, "%s:%u: %s=%s: unknown specifier %%%c; write %%%% for a literal %%", c->path,
                     c->line, key, raw, bad);
        else
            unit_diag_add(c->diag, true, "%s:%u: %s=%s: a lone %% at the end; write %%%% for a literal %%", c->path,
                     c->line, key, raw);
        return;
    }
    c->key = key;
    c->value = value;
    if (!section[0]) {
        unit_diag_add(c->diag, false, "%s:%u: %s= is outside of any section, ignored", c->path, c->line, key);
        free(value);
        return;
    }
    if (!*section_known) {
        free(value);
        return;
    }
    unit_key_set(u, section, key, value, c);
    free(value);
}

/* DynamicUser=yes: the user is User=, else the unit's name where that is a valid user name, else "_du"
 * and a hash of it (systemd's rule: an instance's '@' is not allowed in a name). It implies
 * NoNewPrivileges=, PrivateTmp=, and ProtectSystem=strict and ProtectHome=read-only where they are not set
 * (systemd's other implied settings are sandboxing oya does not apply). */
static void dynamic_user(struct unit *u)
{
    u->no_new_privileges = true;
    u->private_tmp = true;
    if (!u->protect_system)
        u->protect_system = 3;
    if (!u->protect_home)
        u->protect_home = 2;
    if (u->user || !u->name)
        return;
    bool valid = strlen(u->name) <= 31 && (isalpha((unsigned char)u->name[0]) || u->name[0] == '_');
    for (const char *p = u->name; valid && *p; p++)
        valid = isalnum((unsigned char)*p) || *p == '_' || *p == '-';
    if (valid) {
        u->user = mem_strdup(u->name);
        return;
    }
    u->user = mem_asprintf("_du%016llx", (unsigned long long)hash_fnv1a(u->name, strlen(u->name)));
}

/* StandardInput= and what follows from it, as systemd: StandardInputText=/Data= alone make it data; a terminal
 * as input is also the default output (StandardOutput= and StandardError= inherit it), and what =tty names.
 * (StandardOutput=tty without it is oya's log, as console.) */
static void standard_input(struct unit *u, struct parse_ctx *c)
{
    if (!u->std_input_set && u->input_data.len)
        u->std_input = IN_DATA;
    if (u->std_input == IN_DATA && !u->input_data.len)
        unit_diag_add(c->diag, true, "%s: StandardInput=data needs StandardInputText= or StandardInputData=, what the "
                                     "service reads", c->path);
    if (u->std_input == IN_TTY || u->std_input == IN_TTY_FORCE || u->std_input == IN_TTY_FAIL) {
        if (!u->std_output_set || u->std_output_tty)
            u->std_output = OUT_INHERIT;
        if (!u->std_error_set || u->std_error_tty)
            u->std_error = OUT_INHERIT;
    }
}

static void validate(struct unit *u, struct parse_ctx *c)
{
    size_t n_start = u->exec[UEXEC_START].n;
    if (u->is_target) {
        if (n_start || u->exec[UEXEC_START_PRE].n || u->exec[UEXEC_STOP].n)
            unit_diag_add(c->diag, true, "%s: a .target runs no commands; put them in a .service", c->path);
    } else if (n_start == 0)
        unit_diag_add(c->diag, true, "%s: no ExecStart= in [Service]: a service needs a command to run", c->path);
    else if (n_start > 1 && u->type != UNIT_ONESHOT)
        unit_diag_add(c->diag, true,
                 "%s:%u: ExecStart= is given %zu times: only Type=oneshot runs several commands; "
                 "keep one, or reset the list with an empty ExecStart=",
                 c->path, c->exec_start_line, n_start);
    if (u->permissions_start_only) /* the old form of '+' on every command but ExecStart= */
        for (int e = 0; e < UEXEC_N; e++)
            for (size_t i = 0; e != UEXEC_START && i < u->exec[e].n; i++)
                u->exec[e].v[i].flags |= EXEC_PRIVILEGED | EXEC_FULL_PRIVILEGES;
    if (u->type == UNIT_DBUS && !u->bus_name)
        unit_diag_add(c->diag, true, "%s: Type=dbus needs BusName=, the name the service takes on the bus", c->path);
    unit_env_dedupe(&u->environment);
    if (u->start_limit_burst == 0)
        u->start_limit_interval = 0; /* a burst of 0 turns the limit off, as in systemd */
    if (u->timeout_start == 0)
        u->timeout_start = u->type == UNIT_ONESHOT ? USEC_INFINITY : 90 * USEC_PER_SEC;
    if (u->not_applied.n) {
        struct buf keys = {0};
        for (size_t i = 0; i < u->not_applied.n; i++)
            buf_printf(&keys, "%s%s", i ? ", " : "", u->not_applied.v[i]);
        unit_diag_add(c->diag, false, "%s: not applied (systemd settings oya does not carry out; the service runs without them): %s", c->path,
                 keys.p);
        buf_free(&keys);
    }
    if (u->dynamic_user)
        dynamic_user(u);
    standard_input(u, c);
    /* as systemd: the real-time policies run at priority 1 at least, the others at 0 */
    bool realtime = u->cpu_sched_policy == SCHED_FIFO || u->cpu_sched_policy == SCHED_RR;
    if (realtime && u->cpu_sched_priority < 1)
        u->cpu_sched_priority = 1;
    else if (!realtime)
        u->cpu_sched_priority = 0;
    if (!c->notify_access_set) /* systemd: main for Type=notify(-reload) and for a watchdog, else none */
        u->notify_access = unit_is_notify(u) || u->watchdog_usec ? NOTIFY_MAIN : NOTIFY_NONE;
    if (u->watchdog_usec && u->notify_access == NOTIFY_NONE)
        unit_diag_add(c->diag, false, "%s: WatchdogSec= is set but NotifyAccess=none: no keep-alive can arrive, so the "
                                 "watchdog will fire; set NotifyAccess=main", c->path);
}

struct unit *unit_parse(const char *name, const char *path, const char *text, struct unit_diag *diag)
{
    return unit_parse_kind(name, path, text, false, diag);
}

struct unit *unit_parse_kind(const char *name, const char *path, const char *text, bool target,
                             struct unit_diag *diag)
{
    int errors_before = diag->errors;
    if (!unit_name_valid(name)) {
        unit_diag_add(diag, true, "%s: '%s' is not a valid service name; use letters, digits and :_.-", path, name);
        return NULL;
    }
    struct unit *u = unit_new(name, path);
    if (!u) {
        unit_diag_add(diag, true, "%s: out of memory while reading it", path);
        return NULL;
    }
    u->is_target = target;
    if (target)
        u->type = UNIT_TARGET;
    struct parse_ctx c = {.path = path, .diag = diag, .failures_before = mem_failures()};
    char section[128] = "";
    bool section_known = false;
    struct buf logical = {0};
    unsigned lineno = 0, start_line = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        char *phys = mem_strndup(p, len);
        p += len + (nl ? 1 : 0);
        if (!phys)
            continue; /* out of memory: the unit does not load (below) */
        size_t pl = strlen(phys);
        if (pl && phys[pl - 1] == '\r')
            phys[--pl] = 0;
        char *t = str_strip(phys);
        if (logical.len && (*t == '#' || *t == ';')) {
            free(phys); /* comment lines inside a continuation are skipped, as systemd does */
            continue;
        }
        if (!logical.len)
            start_line = lineno;
        pl = strlen(phys);
        bool cont = pl && phys[pl - 1] == '\\';
        if (cont) {
            phys[pl - 1] = ' ';
            buf_puts(&logical, phys);
            free(phys);
            if (*p)
                continue;
        } else {
            buf_puts(&logical, phys);
            free(phys);
        }
        c.line = start_line;
        handle_line(u, logical.p ? logical.p : (char *)"", section, sizeof(section), &section_known, &c);
        logical.len = 0;
        if (logical.p)
            logical.p[0] = 0;
    }
    if (logical.len) {
        /* a continued line whose continuation was only comments up to the end of the file: as systemd,
         * what was gathered is the line */
        c.line = start_line;
        handle_line(u, logical.p, section, sizeof(section), &section_known, &c);
    }
    buf_free(&logical);
    validate(u, &c);
    if (mem_failures() != c.failures_before) /* some value or list did not fit: the unit would be wrong */
        unit_diag_add(diag, true, "%s: out of memory while reading it; not loaded (`oya daemon-reload` reads it "
                                  "again)", path);
    if (diag->errors > errors_before) {
        unit_free(u);
        return NULL;
    }
    return u;
}

bool unit_is_template_file(const char *path)
{
    return str_endswith(path, "@.service");
}

int unit_list_files(const char *path, struct strv *files, struct buf *err)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        int e = errno;
        buf_printf(err, "%s: %s", path, strerror(e));
        return -e;
    }
    if (!S_ISDIR(st.st_mode)) {
        strv_add(files, path);
        return 0;
    }
    struct dirent **list;
    int n = scandir(path, &list, NULL, alphasort);
    if (n < 0) {
        int e = errno;
        buf_printf(err, "%s: %s", path, strerror(e));
        return -e;
    }
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        if ((str_endswith(name, ".service") || str_endswith(name, ".target")) && name[0] != '.')
            strv_push(files, mem_asprintf("%s/%s", path, name)); /* files->failed: out of memory */
        free(list[i]);
    }
    free(list);
    return 0;
}

struct unit *unit_load(const char *path, struct unit_diag *diag)
{
    return unit_load_instance(path, NULL, diag);
}

struct unit *unit_load_instance(const char *path, const char *instance, struct unit_diag *diag)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    bool target = str_endswith(base, ".target");
    if (!str_endswith(base, ".service") && !target) {
        unit_diag_add(diag, true, "%s: not a .service or .target file; oya runs units named NAME.service", path);
        return NULL;
    }
    /* a service is called by its name alone; a target keeps its suffix, as After= names it */
    char *name = target ? mem_strdup(base) : mem_strndup(base, strlen(base) - strlen(".service"));
    if (name && instance) {
        char *full = mem_asprintf("%s%s", name, instance); /* "prefix@" + "instance" */
        free(name);
        name = full;
    }
    if (!name) {
        unit_diag_add(diag, true, "%s: out of memory while reading it", path);
        return NULL;
    }
    struct buf text = {0};
    struct unit *u = NULL;
    char *real = realpath(path, NULL);
    bool masked = real && strcmp(real, "/dev/null") == 0;
    free(real);
    if (masked) {
        /* as systemd: a unit linked to /dev/null is masked; not an error, nothing to run */
        unit_diag_add(diag, false, "%s: masked (a link to /dev/null), skipped", path);
        goto out;
    }
    int r = file_read_to_buf(path, &text);
    if (r < 0) {
        unit_diag_add(diag, true, "%s: cannot read: %s", path, strerror(-r));
        goto out;
    }
    if (memchr(text.p ? text.p : "", 0, text.len)) {
        unit_diag_add(diag, true, "%s: contains a NUL byte; a unit file is text", path);
        goto out;
    }
    u = unit_parse_kind(name, path, text.p ? text.p : "", target, diag);
    if (u)
        u->text_hash = hash_fnv1a(text.p ? text.p : "", text.len);
out:
    buf_free(&text);
    free(name);
    return u;
}

