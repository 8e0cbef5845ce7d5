/* cli/condition: `oya condition EXPR...` checks Condition*=/Assert*= expressions on this machine as a
 * service's start would, as `systemd-analyze condition` does: each is printed with its outcome; exit 0
 * when every assert and every condition holds (one triggering '|' condition of those given is enough). */
#include "cli.h"

#include "../unit/unit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int usage(FILE *f, int code)
{
    fprintf(f, "usage: oya condition 'ConditionNAME=[|][!]VALUE'|'AssertNAME=...'...\n"
               "Checks the conditions as a service's start would; exit 0 when all hold.\n");
    return code;
}

/* One expression: 1 holds, 0 does not, -1 cannot be parsed; *trigger and *assert say what it is */
static int check_one(const char *expr, bool *trigger, bool *assert)
{
    const char *eq = strchr(expr, '=');
    char name[64];
    if (!eq || (size_t)(eq - expr) >= sizeof(name))
        return -1;
    snprintf(name, sizeof(name), "%.*s", (int)(eq - expr), expr);
    *assert = str_startswith(name, "Assert");
    const char *kind_name = *assert ? name + 6 : str_startswith(name, "Condition") ? name + 9 : NULL;
    int kind = kind_name ? unit_cond_kind_from_name(kind_name) : -1;
    if (kind < 0)
        return -1;
    const char *v = eq + 1;
    bool negate = false;
    *trigger = false;
    for (;; v++) {
        if (*v == '|')
            *trigger = true;
        else if (*v == '!')
            negate = true;
        else
            break;
    }
    int r = unit_cond_test((enum unit_cond_kind)kind, v);
    if (r < 0) {
        printf("%s: could not be checked (%s), taken as failed.\n", expr, strerror(-r));
        return 0;
    }
    bool ok = (r > 0) != negate;
    printf("%s %s.\n", expr, ok ? "succeeded" : "failed");
    return ok;
}

int cli_condition(struct cli *c, int argc, char **argv)
{
    (void)c;
    if (argc < 2)
        return usage(stderr, 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return usage(stdout, 0);
    unit_prepare();
    bool met[2] = {true, true}, any_trigger[2] = {false, false}, trigger_met[2] = {false, false};
    for (int pass = 1; pass >= 0; pass--) { /* asserts first, as systemd checks them */
        bool seen = false;
        for (int i = 1; i < argc; i++) {
            bool trigger, assert = str_startswith(argv[i], "Assert");
            if (assert != (pass == 1))
                continue;
            seen = true;
            int r = check_one(argv[i], &trigger, &assert);
            if (r < 0) {
                fprintf(stderr, "oya: cannot parse \"%s\": write ConditionNAME=VALUE or AssertNAME=VALUE with a "
                                "name systemd has (ConditionPathExists=, ConditionUser=, ...)\n", argv[i]);
                return 1;
            }
            if (trigger)
                any_trigger[pass] = true, trigger_met[pass] = trigger_met[pass] || r;
            else
                met[pass] = met[pass] && r;
        }
        met[pass] = met[pass] && (!any_trigger[pass] || trigger_met[pass]);
        if (seen)
            printf("%s %s.\n", pass ? "Asserts" : "Conditions", met[pass] ? "succeeded" : "failed");
        if (!met[pass])
            return 1;
    }
    return 0;
}
