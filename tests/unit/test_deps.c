/* Unit tests for sup/deps: dependency resolution on small graphs (Before= as the other side's After=,
 * a missing required service, a cycle reported and broken) and how start and stop jobs spread
 * (Requires=/Wants=/BindsTo= pull in, Conflicts= stops, Requires=/BindsTo=/PartOf= carry a stop). No process
 * is started: jobs are only marked here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sup/sup_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct graph {
    struct sup s;
};

static void add(struct graph *g, const char *name, const char *unit_section)
{
    struct unit_diag d = {0};
    char *text = xasprintf("[Unit]\n%s\n[Service]\nExecStart=/bin/true\n", unit_section);
    struct unit *u = unit_parse(name, name, text, &d);
    free(text);
    if (!u)
        fail_msg("%s", d.text.p);
    buf_free(&d.text);
    struct service *svc = xcalloc(1, sizeof(*svc));
    g->s.svcs = xrealloc(g->s.svcs, (g->s.nsvcs + 1) * sizeof(*g->s.svcs));
    g->s.svcs[g->s.nsvcs] = svc;
    svc->index = g->s.nsvcs++;
    svc->unit = u;
    svc_init(&svc->st, 0);
}

static struct service *get(struct graph *g, const char *name)
{
    struct service *svc = sup_find(&g->s, name);
    assert_non_null(svc);
    return svc;
}

static bool after(struct graph *g, const char *a, const char *b)
{
    const struct dep_list *l = &get(g, a)->deps[DEP_AFTER];
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i] == get(g, b)->index)
            return true;
    return false;
}

static void graph_free(struct graph *g)
{
    sup_deps_free(&g->s);
    for (size_t i = 0; i < g->s.nsvcs; i++) {
        unit_free(g->s.svcs[i]->unit);
        free(g->s.svcs[i]);
    }
    free(g->s.svcs);
    memset(&g->s, 0, sizeof(g->s));
}

static void test_before_is_after_of_the_other(void **state)
{
    (void)state;
    struct graph g = {0};
    add(&g, "a", "Before=b.service");
    add(&g, "b", "");
    add(&g, "c", "After=a.service network-online.target sockets.socket");
    sup_deps_resolve(&g.s);
    assert_true(after(&g, "b", "a"));
    assert_true(after(&g, "c", "a"));
    assert_int_equal(get(&g, "c")->deps[DEP_AFTER].n, 1); /* units oya does not have are not waited for */
    assert_int_equal(get(&g, "a")->deps[DEP_AFTER].n, 0);
    graph_free(&g);
}

static void test_missing_requirement(void **state)
{
    (void)state;
    struct graph g = {0};
    add(&g, "a", "Requires=ghost.service");
    add(&g, "b", "Wants=ghost.service\nRequires=basic.target");
    sup_deps_resolve(&g.s);
    assert_string_equal(get(&g, "a")->missing, "ghost.service");
    assert_string_equal(get(&g, "b")->missing, ""); /* Wants= and a target: taken as reached */
    graph_free(&g);
}

static void test_cycle_is_broken(void **state)
{
    (void)state;
    struct graph g = {0};
    add(&g, "x", "After=y.service");
    add(&g, "y", "After=z.service");
    add(&g, "z", "After=x.service");
    add(&g, "w", "After=x.service");
    sup_deps_resolve(&g.s);
    int edges = after(&g, "x", "y") + after(&g, "y", "z") + after(&g, "z", "x");
    assert_int_equal(edges, 2); /* one edge of the cycle dropped, the others kept */
    assert_true(after(&g, "w", "x"));
    graph_free(&g);
    /* two units ordered after each other, and a unit after itself */
    add(&g, "p", "After=q.service p.service");
    add(&g, "q", "After=p.service");
    sup_deps_resolve(&g.s);
    assert_int_equal(after(&g, "p", "q") + after(&g, "q", "p"), 1);
    assert_false(after(&g, "p", "p"));
    graph_free(&g);
}

static void test_jobs_spread(void **state)
{
    (void)state;
    struct graph g = {0};
    add(&g, "db", "");
    add(&g, "cache", "");
    add(&g, "log", "");
    add(&g, "app", "Requires=db.service\nWants=cache.service\nBindsTo=log.service");
    add(&g, "side", "PartOf=app.service");
    add(&g, "rival", "Conflicts=db.service");
    sup_deps_resolve(&g.s);
    sup_job_start(&g.s, get(&g, "app"));
    assert_int_equal(get(&g, "app")->job, JOB_START);
    assert_int_equal(get(&g, "db")->job, JOB_START);
    assert_int_equal(get(&g, "cache")->job, JOB_START);
    assert_int_equal(get(&g, "log")->job, JOB_START);
    assert_int_equal(get(&g, "side")->job, JOB_NONE); /* PartOf= pulls nothing in */
    /* a stop of db carries over to app (Requires=), and from app to side (PartOf=) */
    sup_job_stop(&g.s, get(&g, "db"));
    assert_int_equal(get(&g, "app")->job, JOB_STOP);
    assert_int_equal(get(&g, "side")->job, JOB_NONE); /* side was neither up nor starting */
    assert_int_equal(get(&g, "cache")->job, JOB_START);
    /* rival conflicts with db: starting it stops db, starting db stops rival */
    sup_job_start(&g.s, get(&g, "db"));
    sup_job_start(&g.s, get(&g, "rival"));
    assert_int_equal(get(&g, "db")->job, JOB_STOP);
    graph_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_before_is_after_of_the_other),
        cmocka_unit_test(test_missing_requirement),
        cmocka_unit_test(test_cycle_is_broken),
        cmocka_unit_test(test_jobs_spread),
    };
    return cmocka_run_group_tests_name("deps", tests, NULL, NULL);
}
