/* Fuzz target: the SRO pair / target parser (as_sro_pair_parse, "Pt-(Co,Cu)=-0.1"). Promises
 * checked: a failure leaves a message; a parsed pair has non-empty groups X and
 * Y of known species only, and a target value, when given, is finite. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/lattice.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sy[4][AS_SYMBOL_MAX] = {"Pt", "Co", "Cu", "Ni"};
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    for (int want = 0; want < 2; want++) {
        as_sro_pair pair;
        double v = 0;
        int has = -1;
        as_status st = as_sro_pair_parse(text, sy, 4, &pair, want ? &v : NULL, &has);
        if (st != AS_OK) {
            if (!as_errmsg()[0])
                fuzz_fail("failed parse without a message");
            continue;
        }
        if (!pair.x || !pair.y || (pair.x | pair.y) >> 4)
            fuzz_fail("groups x = %#x, y = %#x over 4 species", pair.x, pair.y);
        if (want && has && !isfinite(v))
            fuzz_fail("target value %g", v);
        if (!want && has == 1)
            fuzz_fail("a value was taken where none is wanted");
    }
    free(text);
    return 0;
}
