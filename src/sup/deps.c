/* sup/deps: dependencies between units and the start and stop jobs they order. After=/Before= order
 * jobs (a start waits for the starts it comes after; a stop waits for the stops of the units that come
 * after it); Requires=, Wants= and BindsTo= pull units into a start; Requires=, BindsTo= and PartOf=
 * carry a stop over; BindsTo= also stops a unit whose bound unit went down; Requisite= fails a start
 * unless the unit is already up; Conflicts= stops the other side. Names oya has no unit for are taken
 * as reached (network-online.target and the like), except a missing Requires=/BindsTo=/Requisite=
 * service, which fails the start. An ordering cycle is reported and broken, never waited on. */
#include "sup_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void dep_list_free(struct dep_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static void deps_free(struct service *svc)
{
    for (int d = 0; d < DEP_N; d++) {
        dep_list_free(&svc->deps[d]);
        dep_list_free(&svc->rdeps[d]);
    }
    svc->missing[0] = 0;
}

/* Lists are appended to while resolving, then sorted and made unique once (dep_list_settle): a unit
 * named by 10,000 others costs no quadratic search. Out of memory leaves the graph stale: no job runs on a
 * graph with edges missing (sup_jobs_dispatch builds it again first). */
static void dep_add(struct sup *s, struct dep_list *l, size_t idx)
{
    if (mem_reserve(&l->v, &l->cap, l->n + 1, sizeof(*l->v)) < 0) {
        s->deps_stale = true;
        return;
    }
    l->v[l->n++] = idx;
}

static int cmp_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static void dep_list_settle(struct dep_list *l)
{
    if (l->n < 2)
        return;
    qsort(l->v, l->n, sizeof(*l->v), cmp_index);
    size_t out = 1;
    for (size_t i = 1; i < l->n; i++)
        if (l->v[i] != l->v[out - 1])
            l->v[out++] = l->v[i];
    l->n = out;
}

/* order kept: the list stays sorted */
static void dep_remove(struct dep_list *l, size_t idx)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i] == idx) {
            memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
            l->n--;
            return;
        }
    }
}

/* the loaded unit a dependency names: "x.service" is the service x, "y.target" the target y.target */
static struct service *dep_unit(struct sup *s, const char *name)
{
    if (str_endswith(name, ".target"))
        return sup_find(s, name);
    size_t n = strlen(name) - strlen(".service");
    char base[256];
    if (!str_endswith(name, ".service") || n >= sizeof(base))
        return NULL; /* .socket, .mount, ...: oya has none (and no unit name is that long) */
    memcpy(base, name, n);
    base[n] = 0;
    return sup_lookup(s, base);
}

static void resolve_list(struct sup *s, struct service *svc, const struct strv *names, enum dep_kind kind)
{
    for (size_t i = 0; i < names->n; i++) {
        struct service *other = dep_unit(s, names->v[i]);
        if (other && other != svc) {
            dep_add(s, &svc->deps[kind], other->index);
        } else if (!other && str_endswith(names->v[i], ".service") &&
                   (kind == DEP_REQUIRES || kind == DEP_BINDS_TO || kind == DEP_REQUISITE) && !svc->missing[0]) {
            snprintf(svc->missing, sizeof(svc->missing), "%s", names->v[i]);
        }
    }
}

/* Depth-first search for a cycle of After= edges through idx; on finding one, report it and drop the
 * edge that closes it. Returns true when an edge was dropped (the search then starts over). */
static bool break_cycle(struct sup *s, size_t idx, unsigned char *color, size_t *path, size_t depth)
{
    color[idx] = 1;
    path[depth] = idx;
    struct dep_list *after = &s->svcs[idx]->deps[DEP_AFTER];
    for (size_t i = 0; i < after->n; i++) {
        size_t next = after->v[i];
        if (color[next] == 1) {
            struct buf b = {0};
            size_t from = 0;
            while (path[from] != next)
                from++;
            for (size_t k = from; k <= depth; k++)
                buf_printf(&b, "%s → ", s->svcs[path[k]]->unit->name);
            buf_puts(&b, s->svcs[next]->unit->name);
            fprintf(stderr, "oya: ordering cycle: %s (each waits for the next); dropped %s's After=%s to break it\n",
                    buf_str(&b), s->svcs[idx]->unit->name, s->svcs[next]->unit->name);
            buf_free(&b);
            dep_remove(after, next);
            return true;
        }
        if (color[next] == 0 && break_cycle(s, next, color, path, depth + 1))
            return true;
    }
    color[idx] = 2;
    return false;
}

/* DefaultDependencies=yes, systemd's default: a service requires sysinit.target and comes after it and
 * basic.target; a target comes after what it Wants= and Requires=; both conflict with shutdown.target and
 * come before it. Only units oya was given count: with no sysinit.target loaded there is nothing to wait
 * for, as in a container. */
static void default_deps(struct sup *s, struct service *svc)
{
    const struct unit *u = svc->unit;
    if (!u->default_dependencies)
        return;
    if (u->is_target) {
        resolve_list(s, svc, &u->wants, DEP_AFTER);
        resolve_list(s, svc, &u->requires, DEP_AFTER);
    } else {
        struct service *sysinit = sup_find(s, "sysinit.target"), *basic = sup_find(s, "basic.target");
        if (sysinit) {
            dep_add(s, &svc->deps[DEP_REQUIRES], sysinit->index);
            dep_add(s, &svc->deps[DEP_AFTER], sysinit->index);
        }
        if (basic)
            dep_add(s, &svc->deps[DEP_AFTER], basic->index);
    }
    struct service *shutdown = sup_find(s, "shutdown.target");
    if (shutdown && shutdown != svc) {
        dep_add(s, &svc->deps[DEP_CONFLICTS], shutdown->index);
        dep_add(s, &shutdown->deps[DEP_AFTER], svc->index);
    }
}

void sup_deps_resolve(struct sup *s)
{
    bool was_stale = s->deps_stale;
    s->deps_stale = false;
    for (size_t i = 0; i < s->nsvcs; i++)
        deps_free(s->svcs[i]);
    for (size_t i = 0; i < s->nsvcs; i++) {
        struct service *svc = s->svcs[i];
        const struct unit *u = svc->unit;
        if (svc->removed)
            continue;
        resolve_list(s, svc, &u->after, DEP_AFTER);
        resolve_list(s, svc, &u->requires, DEP_REQUIRES);
        resolve_list(s, svc, &u->wants, DEP_WANTS);
        resolve_list(s, svc, &u->binds_to, DEP_BINDS_TO);
        resolve_list(s, svc, &u->part_of, DEP_PART_OF);
        resolve_list(s, svc, &u->requisite, DEP_REQUISITE);
        resolve_list(s, svc, &u->conflicts, DEP_CONFLICTS);
        resolve_list(s, svc, &u->propagates_reload_to, DEP_RELOADS);
        for (size_t k = 0; k < u->reload_propagated_from.n; k++) {
            struct service *from = dep_unit(s, u->reload_propagated_from.v[k]);
            if (from && from != svc)
                dep_add(s, &from->deps[DEP_RELOADS], svc->index); /* the other side's PropagatesReloadTo= */
        }
        default_deps(s, svc);
        for (size_t k = 0; k < u->before.n; k++) {
            struct service *other = dep_unit(s, u->before.v[k]);
            if (other && other != svc)
                dep_add(s, &other->deps[DEP_AFTER], svc->index); /* Before= is the other side's After= */
        }
    }
    for (size_t i = 0; i < s->nsvcs; i++)
        for (int d = 0; d < DEP_N; d++)
            dep_list_settle(&s->svcs[i]->deps[d]);
    unsigned char *color = mem_zalloc(s->nsvcs + 1, 1);
    size_t *path = mem_zalloc(s->nsvcs + 1, sizeof(size_t));
    if (!color || !path)
        s->deps_stale = true; /* a cycle must be broken before any job waits on it */
    for (int rounds = 0; rounds < 1000 && !s->deps_stale; rounds++) { /* each round drops an edge: bounded */
        memset(color, 0, s->nsvcs + 1);
        bool dropped = false;
        for (size_t i = 0; i < s->nsvcs && !dropped; i++)
            if (color[i] == 0)
                dropped = break_cycle(s, i, color, path, 0);
        if (!dropped)
            break;
    }
    free(color);
    free(path);
    /* the other direction of every edge, so a job finds what depends on its unit without a scan of all
     * units (built in index order: sorted as they come) */
    for (size_t i = 0; i < s->nsvcs; i++)
        for (int d = 0; d < DEP_N; d++)
            for (size_t k = 0; k < s->svcs[i]->deps[d].n; k++)
                dep_add(s, &s->svcs[s->svcs[i]->deps[d].v[k]]->rdeps[d], i);
    if (s->deps_stale && !was_stale)
        fprintf(stderr, "oya: out of memory while ordering the services: no job runs until it can be done "
                        "(tried again every 100ms)\n");
    else if (!s->deps_stale && was_stale)
        fprintf(stderr, "oya: the services are ordered again; their jobs go on\n");
    s->jobs_dirty = true;
}

void sup_deps_free(struct sup *s)
{
    for (size_t i = 0; i < s->nsvcs; i++)
        deps_free(s->svcs[i]);
}

static bool has_dep(const struct service *svc, enum dep_kind kind, size_t idx)
{
    const struct dep_list *l = &svc->deps[kind];
    return l->n && bsearch(&idx, l->v, l->n, sizeof(*l->v), cmp_index);
}

int sup_reload_propagate(struct sup *s, struct service *svc)
{
    bool *seen = mem_zalloc(s->nsvcs, sizeof(bool));
    size_t *queue = mem_zalloc(s->nsvcs, sizeof(size_t)), head = 0, tail = 0;
    if (!seen || !queue) {
        free(seen);
        free(queue);
        return -ENOMEM;
    }
    seen[svc->index] = true;
    queue[tail++] = svc->index;
    while (head < tail) {
        const struct dep_list *to = &s->svcs[queue[head++]]->deps[DEP_RELOADS];
        for (size_t i = 0; i < to->n; i++) {
            struct service *d = s->svcs[to->v[i]];
            if (seen[d->index])
                continue;
            seen[d->index] = true;
            queue[tail++] = d->index;
            if (!d->removed)
                sup_feed(s, d, (struct sup_event){.kind = SUP_EV_RELOAD});
        }
    }
    free(queue);
    free(seen);
    return 0;
}

void sup_job_start(struct sup *s, struct service *svc)
{
    if (svc->job == JOB_START || svc->removed)
        return;
    svc->job = JOB_START;
    s->jobs_dirty = true;
    /* pull in what it needs or wants; stop what it conflicts with */
    static const enum dep_kind pulls[] = {DEP_REQUIRES, DEP_WANTS, DEP_BINDS_TO};
    for (size_t k = 0; k < ARRAY_SIZE(pulls); k++)
        for (size_t i = 0; i < svc->deps[pulls[k]].n; i++) {
            struct service *d = s->svcs[svc->deps[pulls[k]].v[i]];
            if (!svc_is_active(&d->st) && !svc_is_starting(&d->st))
                sup_job_start(s, d);
        }
    const struct dep_list *conflicts[] = {&svc->deps[DEP_CONFLICTS], &svc->rdeps[DEP_CONFLICTS]};
    for (size_t k = 0; k < ARRAY_SIZE(conflicts); k++)
        for (size_t i = 0; i < conflicts[k]->n; i++) {
            struct service *o = s->svcs[conflicts[k]->v[i]];
            if (o != svc && (svc_is_active(&o->st) || svc_is_starting(&o->st) || o->job == JOB_START))
                sup_job_stop(s, o);
        }
}

void sup_job_stop(struct sup *s, struct service *svc)
{
    if (svc->job == JOB_STOP)
        return;
    svc->job = JOB_STOP;
    s->jobs_dirty = true;
    /* what requires it, is bound to it or is part of it goes down with it */
    static const enum dep_kind carry[] = {DEP_REQUIRES, DEP_BINDS_TO, DEP_PART_OF};
    for (size_t k = 0; k < ARRAY_SIZE(carry); k++)
        for (size_t i = 0; i < svc->rdeps[carry[k]].n; i++) {
            struct service *o = s->svcs[svc->rdeps[carry[k]].v[i]];
            if (o != svc && (o->job == JOB_START || !svc_is_settled(&o->st) || svc_is_active(&o->st)))
                sup_job_stop(s, o);
        }
}

/* Restart= of a unit restarts what Requires= it or is PartOf= it too, as systemctl restart does. */
void sup_restart_dependents(struct sup *s, struct service *svc)
{
    /* in index order, each once, as before: both reverse lists are sorted, so merge them */
    const struct dep_list *req = &svc->rdeps[DEP_REQUIRES], *part = &svc->rdeps[DEP_PART_OF];
    for (size_t i = 0, j = 0; i < req->n || j < part->n;) {
        size_t idx;
        if (j >= part->n || (i < req->n && req->v[i] < part->v[j]))
            idx = req->v[i++];
        else if (i >= req->n || part->v[j] < req->v[i])
            idx = part->v[j++];
        else
            idx = (i++, part->v[j++]);
        struct service *o = s->svcs[idx];
        if (o == svc || !svc_is_active(&o->st))
            continue;
        sup_feed(s, o, (struct sup_event){.kind = SUP_EV_RESTART});
    }
}

/* May the start job of svc run now? 1: yes, 0: wait, -1: it fails (dependency) */
static int start_ready(struct sup *s, struct service *svc)
{
    if (svc->missing[0])
        return -1;
    for (size_t i = 0; i < svc->deps[DEP_REQUISITE].n; i++)
        if (!svc_is_active(&s->svcs[svc->deps[DEP_REQUISITE].v[i]]->st))
            return -1;
    for (size_t i = 0; i < svc->deps[DEP_AFTER].n; i++) {
        const struct service *d = s->svcs[svc->deps[DEP_AFTER].v[i]];
        if (d->job == JOB_START || svc_is_starting(&d->st))
            return 0;
    }
    /* a required unit ordered before it that failed to start fails it too */
    static const enum dep_kind needs[] = {DEP_REQUIRES, DEP_BINDS_TO};
    for (size_t k = 0; k < ARRAY_SIZE(needs); k++)
        for (size_t i = 0; i < svc->deps[needs[k]].n; i++) {
            size_t di = svc->deps[needs[k]].v[i];
            const struct service *d = s->svcs[di];
            if (has_dep(svc, DEP_AFTER, di) && d->job == JOB_NONE && !svc_is_active(&d->st) &&
                !(d->st.condition_failed && !d->st.assert_failed))
                return -1;
        }
    return 1;
}

/* May the stop job of svc run now: every unit ordered after it (and stopping) is down first. */
static bool stop_ready(struct sup *s, struct service *svc)
{
    const struct dep_list *later = &svc->rdeps[DEP_AFTER]; /* the units ordered after it */
    for (size_t i = 0; i < later->n; i++) {
        const struct service *o = s->svcs[later->v[i]];
        if (o != svc && (o->job == JOB_STOP || svc_is_stopping(&o->st)))
            return false;
    }
    return true;
}

/* At most this many jobs carried out per call: the loop then looks at its events (exec reports, exits,
 * clients) before the next batch, so 10,000 starts do not pile up 10,000 unread report pipes. */
#define JOBS_PER_BATCH 64

void sup_jobs_dispatch(struct sup *s)
{
    s->jobs_more = false;
    if (!s->jobs_dirty)
        return; /* no job queued and no state changed since the last pass */
    if (s->deps_stale)
        sup_deps_resolve(s);
    if (s->deps_stale) {
        s->retry_at = clock_mono_usec() + 100 * USEC_PER_MSEC;
        return; /* jobs_dirty stays: they run once the graph is whole */
    }
    s->jobs_dirty = false;
    int done = 0;
    for (int rounds = 0; rounds < 10000; rounds++) { /* bounded: each pass runs or fails at least one job */
        bool progress = false;
        for (size_t i = 0; i < s->nsvcs; i++) {
            if (done >= JOBS_PER_BATCH) {
                s->jobs_more = s->jobs_dirty = true;
                return;
            }
            struct service *svc = s->svcs[i];
            if (svc->job == JOB_START) {
                int r = start_ready(s, svc);
                if (r == 0)
                    continue;
                svc->job = JOB_NONE;
                progress = true;
                done++;
                sup_feed(s, svc, (struct sup_event){.kind = r < 0 ? SUP_EV_DEPENDENCY_FAILED : SUP_EV_START});
            } else if (svc->job == JOB_STOP) {
                if (!stop_ready(s, svc))
                    continue;
                svc->job = JOB_NONE;
                progress = true;
                done++;
                sup_feed(s, svc, (struct sup_event){.kind = SUP_EV_STOP, .why = s->shutting_down ? STOP_SHUTDOWN : STOP_USER});
            } else if (svc_is_active(&svc->st)) {
                /* BindsTo=: the bound unit went down by itself, so this one goes too */
                for (size_t k = 0; k < svc->deps[DEP_BINDS_TO].n; k++) {
                    const struct service *d = s->svcs[svc->deps[DEP_BINDS_TO].v[k]];
                    if (d->job != JOB_START && (d->st.state == SVC_DEAD || d->st.state == SVC_FAILED)) {
                        sup_job_stop(s, svc);
                        progress = true;
                        break;
                    }
                }
            }
        }
        if (!progress)
            return;
    }
}
