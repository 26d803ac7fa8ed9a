/* Fuzz target: the GP model file reader (as_gpr_model_load). Promises checked: a failure names
 * the file; a loaded model predicts, at the origin and at the first PCA mean, a finite mean and
 * a finite std >= 0, or fails with a message (never NaN or inf handed back as a prediction). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/gp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0; /* the factorization is O(n^3): keep each input small */
    char path[FUZZ_PATH_MAX];
    if (fuzz_tmpfile(data, size, path))
        return 0;
    as_gpr_model *m = NULL;
    if (as_gpr_model_load(path, &m) != AS_OK) {
        if (m)
            fuzz_fail("failed load returned a model");
        fuzz_check_error(path);
        fuzz_unlink(path);
        return 0;
    }
    size_t d = as_gpr_model_d(m);
    double *xq = calloc(2 * d, sizeof *xq), mean[2], sd[2];
    if (!xq)
        fuzz_fail("out of memory");
    memcpy(xq + d, as_pca_mean(as_gpr_model_pca(m)), d * sizeof *xq);
    if (as_gpr_model_predict(m, xq, 2, mean, sd) == AS_OK) {
        for (int q = 0; q < 2; q++)
            if (!isfinite(mean[q]) || !(sd[q] >= 0) || !isfinite(sd[q]))
                fuzz_fail("prediction %d: mean %g, std %g", q, mean[q], sd[q]);
    } else if (!as_errmsg()[0]) {
        fuzz_fail("failed prediction without a message");
    }
    free(xq);
    as_gpr_model_free(m);
    fuzz_unlink(path);
    return 0;
}
