/* unit/condition: ConditionPathExists=, ConditionPathIsDirectory=, ConditionFileNotEmpty=,
 * ConditionDirectoryNotEmpty=, ConditionFileIsExecutable= and their Assert*= twins, as systemd checks them
 * before a start: '!' negates, '|' makes a condition triggering (one triggering condition that holds is
 * enough, every other condition must hold). */
#include "unit.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *unit_cond_key(enum unit_cond_kind k, bool assert)
{
    static const char *const cond[COND_N] = {"ConditionPathExists", "ConditionPathIsDirectory",
                                             "ConditionFileNotEmpty", "ConditionDirectoryNotEmpty",
                                             "ConditionFileIsExecutable"};
    static const char *const asrt[COND_N] = {"AssertPathExists", "AssertPathIsDirectory", "AssertFileNotEmpty",
                                             "AssertDirectoryNotEmpty", "AssertFileIsExecutable"};
    return assert ? asrt[k] : cond[k];
}

static bool dir_not_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    bool any = false;
    struct dirent *e;
    while (!any && (e = readdir(d)))
        any = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return any;
}

static bool holds(const struct unit_condition *c)
{
    struct stat st;
    bool r;
    switch (c->kind) {
    case COND_PATH_EXISTS: r = lstat(c->path, &st) == 0 || stat(c->path, &st) == 0; break;
    case COND_PATH_IS_DIRECTORY: r = stat(c->path, &st) == 0 && S_ISDIR(st.st_mode); break;
    case COND_FILE_NOT_EMPTY: r = stat(c->path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0; break;
    case COND_DIRECTORY_NOT_EMPTY: r = dir_not_empty(c->path); break;
    case COND_FILE_IS_EXECUTABLE:
        r = stat(c->path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
        break;
    default: r = true;
    }
    return c->negate ? !r : r;
}

bool unit_conditions_met(const struct unit *u, bool asserts, char *why, size_t size)
{
    bool any_trigger = false, trigger_met = false;
    const struct unit_condition *first_trigger = NULL;
    for (size_t i = 0; i < u->n_conds; i++) {
        const struct unit_condition *c = &u->conds[i];
        if (c->assert != asserts)
            continue;
        bool ok = holds(c);
        if (c->trigger) {
            any_trigger = true;
            trigger_met = trigger_met || ok;
            if (!first_trigger)
                first_trigger = c;
            continue;
        }
        if (!ok) {
            snprintf(why, size, "%s=%s%s was not met", unit_cond_key(c->kind, c->assert), c->negate ? "!" : "",
                     c->path);
            return false;
        }
    }
    if (any_trigger && !trigger_met) {
        snprintf(why, size, "none of the triggering conditions (%s=|%s%s, ...) was met",
                 unit_cond_key(first_trigger->kind, first_trigger->assert), first_trigger->negate ? "!" : "",
                 first_trigger->path);
        return false;
    }
    return true;
}
