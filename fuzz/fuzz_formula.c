/* Fuzz target: the alloy formula parser (as_composition_parse) and the formatter on what it read.
 * Promises checked: a failure leaves a message; a composition has 1..AS_COMPOSITION_MAX distinct
 * elements with finite fractions > 0 summing to 1; as_composition_format writes text the parser
 * reads back (no exponent forms) with the same elements and fractions to the 6 digits printed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/composition.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    as_composition c, back;
    if (as_composition_parse(text, &c) != AS_OK) {
        if (c.n != 0)
            fuzz_fail("failed parse left %zu elements", c.n);
        if (!as_errmsg()[0])
            fuzz_fail("failed parse without a message");
        free(text);
        return 0;
    }
    if (c.n < 1 || c.n > AS_COMPOSITION_MAX)
        fuzz_fail("composition of %zu elements", c.n);
    double sum = 0;
    for (size_t i = 0; i < c.n; i++) {
        if (!(c.frac[i] > 0) || !isfinite(c.frac[i]))
            fuzz_fail("fraction %zu is %g", i, c.frac[i]);
        for (size_t k = 0; k < i; k++)
            if (c.el[k] == c.el[i])
                fuzz_fail("element %s twice", c.el[i]->symbol);
        sum += c.frac[i];
    }
    if (fabs(sum - 1) > 1e-12)
        fuzz_fail("fractions sum to %.17g", sum);
    char buf[8192];
    size_t need = as_composition_format(&c, buf, sizeof buf);
    if (need >= sizeof buf)
        fuzz_fail("formatted formula needs %zu bytes", need);
    if (as_composition_parse(buf, &back) != AS_OK)
        fuzz_fail("'%s' does not read back: %s", buf, as_errmsg());
    if (back.n != c.n)
        fuzz_fail("'%s': %zu elements read back as %zu", buf, c.n, back.n);
    for (size_t i = 0; i < c.n; i++) {
        if (back.el[i] != c.el[i])
            fuzz_fail("'%s': element %zu changed", buf, i);
        /* 6 significant digits each, renormalized: 5e-6 relative per amount, twice */
        if (!(fabs(back.frac[i] - c.frac[i]) <= 2e-5 * c.frac[i]))
            fuzz_fail("'%s': fraction %zu %.17g read back as %.17g", buf, i, c.frac[i],
                      back.frac[i]);
    }
    free(text);
    return 0;
}
