/* cli/verify: `oya verify FILE|DIR...` checks units and prints their diagnostics without starting
 * anything. Exit 1 when any unit has errors. */
#include "cli.h"

#include "../unit/unit.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Dependencies on units that are not among the ones verified (targets, and types oya does not have):
 * oya takes them as reached; say so once per unit. */
static void note_reached(const struct unit *u, const char *path, const struct strv *given)
{
    const struct strv *lists[] = {&u->after, &u->before, &u->wants, &u->requires, &u->binds_to, &u->part_of,
                                  &u->requisite, &u->conflicts};
    struct strv seen = {0};
    struct buf names = {0};
    for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
        for (size_t i = 0; i < lists[l]->n; i++) {
            const char *n = lists[l]->v[i];
            if (str_endswith(n, ".service") || strv_contains(&seen, n) || strv_contains(given, n))
                continue;
            strv_add(&seen, n);
            buf_printf(&names, "%s%s", names.len ? ", " : "", n);
        }
    }
    if (names.len)
        fprintf(stderr, "oya: %s: note: %s: not given to oya, taken as reached\n", path, names.p);
    buf_free(&names);
    strv_clear(&seen);
}

static int verify_one(const char *path, const struct strv *given)
{
    struct unit_diag d = {0};
    struct unit *u = unit_load(path, &d);
    if (d.text.len)
        fd_write_all(2, d.text.p, d.text.len);
    if (u)
        note_reached(u, path, given);
    int bad = !u && d.errors > 0; /* no unit and no error: masked */
    buf_free(&d.text);
    unit_free(u);
    return bad;
}

static void print_key(void *ctx, const char *section, const char *key, const char *what)
{
    (void)ctx;
    printf("%s\t%s\t%s\n", section, key, what);
}

int cli_verify(struct cli *c, int argc, char **argv)
{
    (void)c;
    int bad = 0;
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        printf("usage: oya verify FILE.service|DIR...\n       oya verify --keys\n"
               "Check unit files and print every problem, starting nothing; --keys lists every key oya knows\n"
               "(SECTION, KEY, and applied, not applied, not supported yet or ignored).\n");
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--keys") == 0) {
        unit_keys_each(print_key, NULL);
        return 0;
    }
    struct strv paths = {0}, given = {0};
    for (int i = 1; i < argc; i++) {
        struct buf err = {0};
        if (unit_list_files(argv[i], &paths, &err) < 0) { /* a directory that cannot be read too */
            fprintf(stderr, "oya: %s\n", err.p);
            bad = 1;
        }
        buf_free(&err);
    }
    for (size_t i = 0; i < paths.n; i++) {
        const char *base = strrchr(paths.v[i], '/');
        strv_add(&given, base ? base + 1 : paths.v[i]);
    }
    for (size_t i = 0; i < paths.n; i++)
        bad |= verify_one(paths.v[i], &given);
    strv_clear(&paths);
    strv_clear(&given);
    return bad ? 1 : 0;
}
