/* sup/load: the services oya has and where they come from: reading the unit files named on the command
 * line (at start-up and at each SIGHUP), templates made into instances on demand, and finding a service
 * by name or alias. */
#include "sup_int.h"

#include "../exec/exec.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *template_of(struct sup *s, const char *name);

void sup_bad_units_clear(struct sup *s)
{
    for (size_t i = 0; i < s->nbad; i++) {
        free(s->bad[i].name);
        free(s->bad[i].path);
        free(s->bad[i].error);
    }
    free(s->bad);
    s->bad = NULL;
    s->nbad = 0;
}

const struct bad_unit *sup_find_bad(const struct sup *s, const char *name)
{
    for (size_t i = 0; i < s->nbad; i++)
        if (strcmp(s->bad[i].name, name) == 0)
            return &s->bad[i];
    return NULL;
}

struct service *sup_find(struct sup *s, const char *name)
{
    for (size_t i = 0; i < s->nsvcs; i++)
        if (strcmp(s->svcs[i]->unit->name, name) == 0)
            return s->svcs[i];
    return NULL;
}

/* A service by its name, else by one of its Alias= names (as systemctl accepts redis for redis-server) */
struct service *sup_lookup(struct sup *s, const char *name)
{
    struct service *svc = sup_find(s, name);
    if (svc)
        return svc;
    for (size_t i = 0; i < s->nsvcs; i++)
        for (size_t j = 0; j < s->svcs[i]->unit->aliases.n; j++)
            if (strcmp(s->svcs[i]->unit->aliases.v[j], name) == 0)
                return s->svcs[i];
    return NULL;
}

static int load_path(const char *path, struct strv *files)
{
    struct buf err = {0};
    size_t before = files->n;
    int r = unit_list_files(path, files, &err);
    if (r < 0)
        fprintf(stderr, "oya: %s\n", err.p);
    else if (files->n == before)
        fprintf(stderr, "oya: %s: no .service files in this directory\n", path);
    buf_free(&err);
    return r < 0 ? -1 : 0;
}

struct service *sup_add_service(struct sup *s, struct unit *u)
{
    struct service **more = mem_grow(s->svcs, s->nsvcs + 1, sizeof(*s->svcs));
    if (!more)
        return NULL;
    s->svcs = more;
    struct service *svc = mem_zalloc(1, sizeof(*svc));
    if (!svc)
        return NULL;
    s->svcs[s->nsvcs] = svc;
    svc->index = s->nsvcs++;
    svc->unit = u;
    svc->pidfd = svc->report_fd = svc->control_report_fd = -1;
    svc->cg_fd = svc->cg_events_fd = svc->cg_mem_fd = -1;
    svc->log_file.fd = -1;
    svc->pidfd_w = (struct watch){W_PIDFD, svc};
    svc->report_w = (struct watch){W_REPORT, svc};
    svc_init(&svc->st, clock_real_usec());
    return svc;
}

/* the name in front of a service's output lines: SyslogIdentifier=, else the service's */
static const char *log_name(const struct service *svc)
{
    return svc->unit->syslog_identifier ? svc->unit->syslog_identifier : svc->unit->name;
}

void sup_make_prefixes(struct sup *s)
{
    s->name_width = 0;
    for (size_t i = 0; i < s->nsvcs; i++)
        if (strlen(log_name(s->svcs[i])) > s->name_width)
            s->name_width = strlen(log_name(s->svcs[i]));
    for (size_t i = 0; i < s->nsvcs; i++) {
        int color = s->color ? log_color_for(i) : 0;
        log_prefix_make(&s->svcs[i]->prefix, log_name(s->svcs[i]), s->name_width, color, '|');
        log_prefix_make(&s->svcs[i]->prefix_err, log_name(s->svcs[i]), s->name_width, color, '!');
    }
}

static void request(struct sup *s, struct service *svc, bool start)
{
    sup_feed(s, svc, start ? (struct sup_event){.kind = SUP_EV_START} : (struct sup_event){.kind = SUP_EV_STOP, .why = STOP_USER});
}

/* The service name a unit file would give, so a file that fails to load still counts as present (no
 * memory needed: one that failed for want of memory must still keep its service) */
static void name_of_file(const char *path, char name[static SUP_NAME_MAX])
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    n = str_endswith(base, ".service") ? n - strlen(".service") : n;
    n = n < SUP_NAME_MAX ? n : 0; /* no service is called that */
    memcpy(name, base, n);
    name[n] = 0;
}

/* Read the unit files named on the command line. At start-up each loaded unit becomes a service. At a
 * reload (SIGHUP, like systemd's daemon-reload): a known name takes its new definition, used from its
 * next start; a new name is added and started; a service whose file is gone is stopped and kept as
 * "not-found"; a unit that now has errors keeps its previous definition. */
int sup_load_units(struct sup *s, bool reload)
{
    struct sup_reload r;
    int rc = sup_reload_units(s, reload, &r);
    buf_free(&r.added);
    buf_free(&r.changed);
    buf_free(&r.removed);
    buf_free(&r.unchanged);
    return rc;
}

int sup_reload_units(struct sup *s, bool reload, struct sup_reload *r)
{
    memset(r, 0, sizeof(*r));
    s->jobs_dirty = s->timers_dirty = true; /* services may come and go: the loop looks at each again */
    struct strv files = {0};
    for (size_t i = 0; i < s->opts->npaths; i++)
        load_path(s->opts->paths[i], &files);
    size_t before = s->nsvcs;
    bool *seen = files.failed ? NULL : mem_zalloc(before + files.n + 1, sizeof(bool));
    if (!seen) {
        /* a list of files with some missing would stop their services as removed: nothing changes */
        fprintf(stderr, "oya: out of memory while listing the unit files; nothing was reloaded\n");
        strv_clear(&files);
        return -ENOMEM;
    }
    strv_clear(&s->templates);
    sup_bad_units_clear(s);
    for (size_t i = 0; i < files.n; i++) {
        struct unit_diag d = {0};
        unsigned long failures = mem_failures();
        struct unit *u = unit_load(files.v[i], &d);
        if (!u && mem_failures() != failures && unit_is_template_file(files.v[i]))
            s->templates.failed = true; /* a template not read for want of memory: its instances stay */
        char *diag = !u && d.errors ? mem_strdup(buf_str(&d.text)) : NULL;
        if (u && unit_is_template_file(files.v[i])) {
            /* NAME@.service: checked now, made into NAME@INSTANCE when a command names one */
            if (d.text.len)
                fd_write_all(2, d.text.p, d.text.len);
            buf_free(&d.text);
            unit_free(u);
            strv_add(&s->templates, files.v[i]);
            continue;
        }
        if (d.text.len)
            fd_write_all(2, d.text.p, d.text.len);
        buf_free(&d.text);
        if (!u && d.errors == 0)
            continue; /* masked: said above */
        if (!u) {
            char name_buf[SUP_NAME_MAX];
            name_of_file(files.v[i], name_buf);
            struct service *old = reload ? sup_find(s, name_buf) : NULL;
            char *name = old ? NULL : mem_strdup(name_buf);
            if (old && !old->removed)
                seen[old->index] = true;
            fprintf(stderr, "oya: %s: not loaded; %s\n", files.v[i],
                    old ? "the service keeps its previous definition" : "the other services go on");
            struct bad_unit *more = old || !name || !diag ? NULL : mem_grow(s->bad, s->nbad + 1, sizeof(*s->bad));
            char *path = more ? mem_strdup(files.v[i]) : NULL;
            if (more)
                s->bad = more;
            if (path) {
                /* kept, so `oya list` shows it (LOAD bad-setting, as systemctl) and `oya status` says why
                 * (without memory for that, it is only said above) */
                s->bad[s->nbad++] = (struct bad_unit){name, path, diag};
                name = NULL;
                diag = NULL;
            }
            free(name);
            free(diag);
            continue;
        }
        free(diag);
        struct service *svc = sup_find(s, u->name);
        if (svc && seen[svc->index]) {
            fprintf(stderr, "oya: %s: a service named %s is already loaded from %s; skipped\n", files.v[i],
                    u->name, svc->unit->path);
            unit_free(u);
            continue;
        }
        if (svc) {
            /* only reached at a reload: the same text (and path) is unchanged, whatever the file's time */
            bool same = !svc->removed && svc->unit->text_hash == u->text_hash && !strcmp(svc->unit->path, u->path);
            buf_printf(same ? &r->unchanged : &r->changed, "%s%s", (same ? r->unchanged : r->changed).len ? " " : "",
                       u->name);
            if (same) {
                unit_free(u); /* the service keeps its unit: nothing to apply at its next start */
            } else {
                unit_free(svc->unit);
                svc->unit = u;
            }
            svc->removed = false;
        } else {
            svc = sup_add_service(s, u);
            if (!svc) {
                fprintf(stderr, "oya: %s: out of memory; not added (the next daemon-reload tries again)\n",
                        files.v[i]);
                unit_free(u);
                continue;
            }
            buf_printf(&r->added, "%s%s", r->added.len ? " " : "", u->name);
        }
        seen[svc->index] = true;
    }
    strv_clear(&files);
    /* templates not all noted (out of memory): their instances are not taken for removed */
    for (size_t i = 0; s->templates.failed && i < before; i++)
        seen[i] = seen[i] || strchr(s->svcs[i]->unit->name, '@');
    /* instances keep living while their template does, with its new text */
    for (size_t i = 0; reload && i < before; i++) {
        struct service *svc = s->svcs[i];
        const char *at = strchr(svc->unit->name, '@');
        if (seen[i] || svc->removed || !at || !template_of(s, svc->unit->name))
            continue;
        struct unit_diag d = {0};
        struct unit *u = unit_load_instance(template_of(s, svc->unit->name), at + 1, &d);
        if (d.text.len)
            fd_write_all(2, d.text.p, d.text.len);
        buf_free(&d.text);
        if (u) {
            bool same = svc->unit->text_hash == u->text_hash;
            buf_printf(same ? &r->unchanged : &r->changed, "%s%s", (same ? r->unchanged : r->changed).len ? " " : "",
                       u->name);
            if (same) {
                unit_free(u);
            } else {
                unit_free(svc->unit);
                svc->unit = u;
            }
        }
        seen[i] = true;
    }
    sup_make_prefixes(s);
    /* users and groups now, never at a start (a failure is the start's): every service's, since a user
     * may have changed behind an unchanged unit */
    for (size_t i = 0; i < s->nsvcs; i++)
        exec_resolve_creds(s->svcs[i]->unit, &s->dynamic_ids);
    if (reload) {
        for (size_t i = 0; i < before; i++) {
            struct service *svc = s->svcs[i];
            if (!seen[i] && !svc->removed) {
                svc->removed = true;
                buf_printf(&r->removed, "%s%s", r->removed.len ? " " : "", svc->unit->name);
                request(s, svc, false);
            }
        }
        sup_deps_resolve(s);
        for (size_t i = before; i < s->nsvcs; i++)
            sup_job_start(s, s->svcs[i]);
        fprintf(stderr, "oya: reloaded unit files: %zu added, %zu changed, %zu removed, %zu unchanged\n",
                str_count_words(r->added.p), str_count_words(r->changed.p), str_count_words(r->removed.p),
                str_count_words(r->unchanged.p));
    }
    free(seen);
    return s->nsvcs || s->templates.n ? 0 : -1;
}

/* The template file NAME@.service for the instance NAME@INSTANCE, or NULL */
static const char *template_of(struct sup *s, const char *name)
{
    const char *at = strchr(name, '@');
    if (!at || !at[1])
        return NULL;
    size_t plen = (size_t)(at - name) + 1; /* "NAME@" */
    for (size_t i = 0; i < s->templates.n; i++) {
        const char *base = strrchr(s->templates.v[i], '/');
        base = base ? base + 1 : s->templates.v[i];
        if (strncmp(base, name, plen) == 0 && strcmp(base + plen, ".service") == 0)
            return s->templates.v[i];
    }
    return NULL;
}

struct unit *sup_instance_unit(struct sup *s, const char *name)
{
    const char *path = template_of(s, name);
    if (!path)
        return NULL;
    struct unit_diag d = {0};
    struct unit *u = unit_load_instance(path, strchr(name, '@') + 1, &d);
    if (d.text.len)
        fd_write_all(2, d.text.p, d.text.len);
    buf_free(&d.text);
    return u;
}

struct service *sup_instantiate(struct sup *s, const char *name)
{
    struct unit *u = s->shutting_down ? NULL : sup_instance_unit(s, name);
    if (!u)
        return NULL;
    exec_resolve_creds(u, &s->dynamic_ids);
    struct service *svc = sup_add_service(s, u);
    if (!svc) {
        unit_free(u); /* out of memory: the caller sees mem_failures() move */
        return NULL;
    }
    sup_make_prefixes(s);
    sup_deps_resolve(s);
    return svc;
}
