/* Fuzz target: the --vary parser of synth recommend (as_synth_axis_parse) and the resolution of
 * the axis against a model (as_synth_recommend). The input is one spec ("NAME=LO:HI:STEP" or
 * "NAME=a,b,c"). Promises checked: a failure leaves a message and no axis or recommendation;
 * a recommendation has 1 .. max_points grid points, every value of the axis finite (no
 * infinite or NaN bound, no hex number accepted), probabilities in [0, 1], a rank that is a
 * permutation. The model (columns temp_c, rate, cooling, formula Cu/Au/Ag...) is trained once,
 * with a tiny network, on a fixed table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/data.h"
#include "alloyscout/synth.h"
#include "fuzz.h"

static as_synth_model *model;
static as_table *base;

static void setup(void)
{
    static const char train[] =
        "formula,temp_c,rate,cooling,success\n"
        "CuAu,700,1,LN2,yes\nCuAg,650,2,furnace,no\nCu3Au,900,3,LN2,yes\n"
        "CuAg3,600,4,furnace,no\nCuAu,850,5,LN2,yes\nCuAg,620,1.5,furnace,no\n"
        "Cu3Au,880,2.5,LN2,yes\nCuAg3,610,3.5,furnace,no\nCuAu,800,4.5,LN2,yes\n"
        "CuAg,640,5.5,furnace,no\nCu3Au,870,1.2,LN2,yes\nCuAg3,630,2.2,furnace,no\n";
    static const char row[] = "formula,temp_c,rate,cooling\nCuAu,750,2,LN2\n";
    as_table *t = NULL;
    as_schema *schema = NULL;
    as_dataset *ds = NULL;
    as_schema_options so = as_schema_options_default();
    so.target = "success";
    so.positive = "yes";
    as_synth_options opt = as_synth_options_default();
    opt.composition = "formula";
    opt.folds = 2;
    opt.threads = 1;
    opt.mlp.n_hidden = 1;
    opt.mlp.hidden[0] = 4;
    opt.mlp.max_epochs = 5;
    opt.resample.method = AS_RESAMPLE_NONE;
    if (as_table_parse_csv(train, sizeof train - 1, "train", &t) != AS_OK ||
        as_synth_encode_training(t, &so, &opt, &schema, &ds) != AS_OK ||
        as_synth_train(schema, ds, &opt, &model) != AS_OK ||
        as_table_parse_csv(row, sizeof row - 1, "base", &base) != AS_OK)
        fuzz_fail("setup: %s", as_errmsg());
    as_dataset_free(ds);
    as_schema_free(schema);
    as_table_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!model)
        setup();
    char *spec = malloc(size + 1);
    if (!spec)
        return 0;
    memcpy(spec, data, size);
    spec[size] = '\0';
    as_synth_axis *ax = (as_synth_axis *)1;
    if (as_synth_axis_parse(spec, &ax) != AS_OK) {
        if (ax)
            fuzz_fail("failed parse returned an axis");
        if (!as_errmsg()[0])
            fuzz_fail("failed parse without a message");
        free(spec);
        return 0;
    }
    as_synth_recommend_options ro = as_synth_recommend_options_default();
    ro.max_points = 20000; /* keep each input fast */
    as_synth_recommendation *r = (as_synth_recommendation *)1;
    const as_synth_axis *axes[1] = {ax};
    if (as_synth_recommend(model, base, axes, 1, &ro, &r) != AS_OK) {
        if (r)
            fuzz_fail("failed recommendation returned a result");
        if (!as_errmsg()[0])
            fuzz_fail("failed recommendation without a message");
    } else {
        if (r->n_axes != 1 || r->n_points < 1 || r->n_points > ro.max_points)
            fuzz_fail("'%s': %zu axes, %zu points", spec, r->n_axes, r->n_points);
        const as_synth_axis_values *v = &r->axis[0];
        if (v->n_values != r->n_points)
            fuzz_fail("'%s': %zu values, %zu points", spec, v->n_values, r->n_points);
        for (size_t i = 0; i < v->n_values; i++)
            if (!isfinite(v->position[i]))
                fuzz_fail("'%s': value %zu is %g", spec, i, v->position[i]);
        char *seen = calloc(r->n_points, 1);
        if (!seen)
            fuzz_fail("out of memory");
        for (size_t i = 0; i < r->n_points; i++) {
            if (!(r->prob[i] >= 0 && r->prob[i] <= 1))
                fuzz_fail("'%s': probability %zu is %g", spec, i, r->prob[i]);
            if (r->rank[i] >= r->n_points || seen[r->rank[i]]++)
                fuzz_fail("'%s': rank is not a permutation", spec);
        }
        free(seen);
        as_synth_recommendation_free(r);
    }
    as_synth_axis_free(ax);
    free(spec);
    return 0;
}
