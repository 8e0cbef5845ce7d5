/* The control protocol: a request line split into fields, a reply parsed into records */
#include "fuzz.h"

#include "ctl/ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    struct strv f = {0};
    ctl_split(text, &f);
    strv_clear(&f);
    struct ctl_reply rep;
    if (ctl_parse_reply(text, &rep) == 0) {
        for (size_t i = 0; i < rep.n; i++)
            (void)ctl_get(&rep.recs[i], "name");
    }
    ctl_reply_free(&rep);
    free(text);
    return 0;
}
