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

static int verify_one(const char *path, int *units)
{
    struct unit_diag d = {0};
    struct unit *u = unit_load(path, &d);
    if (d.text.len)
        fd_write_all(2, d.text.p, d.text.len);
    int bad = !u && d.errors > 0; /* no unit and no error: masked */
    buf_free(&d.text);
    unit_free(u);
    (*units)++;
    return bad;
}

int cli_verify(struct cli *c, int argc, char **argv)
{
    (void)c;
    int bad = 0, units = 0;
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        printf("usage: oya verify FILE.service|DIR...\nCheck unit files and print every problem, starting nothing.\n");
        return argc < 2 ? 2 : 0;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) < 0) {
            fprintf(stderr, "oya: %s: %s\n", argv[i], strerror(errno));
            bad = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad |= verify_one(argv[i], &units);
            continue;
        }
        struct dirent **list;
        int n = scandir(argv[i], &list, NULL, alphasort);
        for (int k = 0; k < n; k++) {
            if (str_endswith(list[k]->d_name, ".service") && list[k]->d_name[0] != '.') {
                char *p = xasprintf("%s/%s", argv[i], list[k]->d_name);
                bad |= verify_one(p, &units);
                free(p);
            }
            free(list[k]);
        }
        if (n >= 0)
            free(list);
    }
    return bad ? 1 : 0;
}
