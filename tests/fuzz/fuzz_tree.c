/* pstree's command line as oya reads it (glibc getopt_long's rules by oya's own code: clusters, long
 * options and their abbreviations, arguments, operands, POSIXLY_CORRECT): words split at newlines */
#include "fuzz.h"

#include "cli/cli.h"
#include "proc/tree.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        ready = 1;
        if (!freopen("/dev/null", "w", stdout)) /* -V prints */
            return 0;
    }
    char *text = fuzz_text(data, size);
    char *argv[64];
    int argc = fuzz_argv(text, "pstree", argv, 64);
    struct pstree_opts o = {.compact = true, .trunc = true, .width = 80, .root_pid = 1, .ns_sort = -1};
    (void)cli_tree_args(argc, argv, &o);
    free((char *)o.bold_on);
    free((char *)o.bold_off);
    free(text);
    return 0;
}
