/* ps's -o format lists (keywords, headers after '=', widths) and --sort keys */
#include "fuzz.h"

#include "proc/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ps_ctx ctx;
    static int ready;
    if (!ready) {
        ps_ctx_init(&ctx, -1); /* no /proc: the format is parsed, nothing is read */
        ready = 1;
    }
    char *text = fuzz_text(data, size);
    struct ps_column *cols = NULL;
    size_t n = 0;
    char err[256];
    ps_format_parse(&ctx, text, &cols, &n, err, sizeof(err));
    ps_columns_free(cols, n); /* the columns appended before an error are the caller's too */
    unsigned needs;
    (void)ps_sort_key(text, &needs);
    (void)ps_field_known(text);
    free(text);
    return 0;
}
