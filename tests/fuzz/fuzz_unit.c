/* A whole unit file: every key's parser, sections, continuations, specifiers, diagnostics */
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
    char *text = fuzz_text(data, size);
    struct unit_diag d = {0};
    struct unit *u = unit_parse("web@x", "web@x.service", text, &d);
    if (u)
        unit_free(u);
    buf_free(&d.text);
    free(text);
    return 0;
}
