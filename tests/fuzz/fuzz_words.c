/* Command lines and Environment= values: quoting (unit_split_words), $VAR expansion, % specifiers, time
 * spans: the first byte picks which */
#include "fuzz.h"

#include "unit/unit.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    unit_prepare(); /* the user and host lookups specifiers need, once, as the supervisor does */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *text = fuzz_text(data + 1, size - 1);
    switch (data[0] % 4) {
    case 0: {
        struct strv w = {0}, out = {0};
        const char *why;
        if (unit_split_words(text, &w, &why) == 0) {
            char *env[] = {"HOME=/root", "A=one two", "EMPTY=", NULL};
            strv_add(&w, "$A");
            unit_expand_argv(w.v, env, &out);
        }
        strv_clear(&w);
        strv_clear(&out);
        break;
    }
    case 1: {
        char *out = NULL, bad = 0;
        if (unit_expand_specifiers("web@a-b", text, &out, &bad) == 0)
            free(out);
        break;
    }
    case 2: {
        uint64_t usec;
        unit_parse_timespan(text, &usec);
        break;
    }
    default:
        free(unit_unescape(text));
        break;
    }
    free(text);
    return 0;
}
