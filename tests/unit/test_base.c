/* base: the did-you-mean search gives the answer a full table of the distance gives (the search itself
 * walks only a band of it and stops early) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/base.h"

#include <stdlib.h>
#include <string.h>

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* optimal string alignment distance, the whole table (the reference) */
static size_t full_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b), d[16][16];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            size_t v = d[i - 1][j - 1] + (lower(a[i - 1]) != lower(b[j - 1]));
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]) &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[na][nb];
}

static void random_word(char *w, unsigned *seed)
{
    static const char letters[] = "abcAB";
    size_t n = (size_t)(rand_r(seed) % 12);
    for (size_t i = 0; i < n; i++)
        w[i] = letters[rand_r(seed) % 5];
    w[n] = 0;
}

static void test_suggestion_is_the_closest_within_reach(void **state)
{
    (void)state;
    unsigned seed = 7;
    for (int t = 0; t < 100000; t++) {
        char word[16], cands[4][16];
        random_word(word, &seed);
        struct suggest sg;
        suggest_init(&sg, word);
        const char *want = NULL;
        size_t best = SIZE_MAX;
        for (int k = 0; k < 4; k++) {
            random_word(cands[k], &seed);
            suggest_try(&sg, cands[k]);
            size_t wl = strlen(word), cl = strlen(cands[k]), d = full_distance(word, cands[k]);
            if ((wl > cl ? wl - cl : cl - wl) <= 3 && d < best) /* the first of the closest */
                best = d, want = cands[k];
        }
        size_t n = strlen(word), limit = n / 3 < 1 ? 1 : n / 3 > 3 ? 3 : n / 3;
        if (!want || best > limit || strcmp(want, word) == 0)
            want = NULL;
        const char *got = suggest_result(&sg);
        if (want)
            assert_ptr_equal(got, want);
        else
            assert_null(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suggestion_is_the_closest_within_reach),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
