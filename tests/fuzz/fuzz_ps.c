/* ps's command line (every option, the second reading as BSD, -o format lists with headers, widths,
 * macros and AIX descriptors, sort keys) and its format lists alone */
#include "fuzz.h"

#include "cli/ps.h"
#include "proc/format.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ps_ctx ctx;
    static int ready;
    if (!ready) {
        ps_ctx_init(&ctx, -1); /* no /proc: the command line is read, nothing else */
        ready = 1;
        if (!freopen("/dev/null", "w", stdout)) /* --help, L and V print */
            return 0;
    }
    char *text = fuzz_text(data, size);
    struct ps_column *cols = NULL;
    size_t n = 0;
    char err[256];
    ps_format_parse(&ctx, text, &cols, &n, err, sizeof(err));
    ps_columns_free(cols, n); /* the columns appended before an error are the caller's too */
    struct ps_sort_key key;
    unsigned needs = 0;
    (void)ps_sort_lookup(text, &key, &needs);
    (void)ps_field_known(text);
    /* the same bytes as a command line: words split at newlines */
    char *argv[64];
    int argc = fuzz_argv(text, "ps", argv, 64);
    struct ps_plan plan;
    bool done;
    if (ps_plan_parse(&ctx, argc, argv, &plan, &done) == 0 && !done)
        ps_plan_free(&plan);
    free(text);
    return 0;
}
