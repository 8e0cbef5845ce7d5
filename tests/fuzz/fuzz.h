/* tests/fuzz: libFuzzer harnesses, one per parser of untrusted bytes (`make fuzz`, see docs/hacking.md).
 * Each file defines LLVMFuzzerTestOneInput; this header gives them the input as a NUL-terminated string. */
#ifndef OYA_FUZZ_H
#define OYA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as a C string (what follows a NUL byte is cut, as a C reader would) */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = 0;
    return s;
}

#endif
