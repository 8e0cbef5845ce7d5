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

/* text cut at newlines into argv after argv0 (at most max - 1 words, NULL after them): the argc */
static inline int fuzz_argv(char *text, const char *argv0, char **argv, int max)
{
    int argc = 1;
    argv[0] = (char *)argv0;
    for (char *w = text; w && argc < max - 1; argc++) {
        argv[argc] = w;
        w = strchr(w, '\n');
        if (w)
            *w++ = 0;
    }
    argv[argc] = NULL;
    return argc;
}

#endif
