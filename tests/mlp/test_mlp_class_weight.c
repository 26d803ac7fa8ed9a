/* mlp: class-weighted training steps against PyTorch (issue 12, --class-weight).
 * tests/fixtures/mlp_torch_weighted_ref.json (made by `tests/fixtures/mlp_torch_ref.py weighted`
 * with PyTorch in float64) holds initial weights with options.class_weight, data and the
 * mini-batch order; torch.optim.Adam + BCEWithLogitsLoss(weight = w[y], reduction "mean") give
 * the loss of every mini-batch and the weights after all steps; the final loss is unweighted
 * (as as_mlp_loss). The same procedure as test_torch_reference.c. Also: the weights survive
 * the model file, and a weight of 0 is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mlp/torch_replay.h"

static void weighted_steps_should_match_pytorch(void **state)
{
    (void)state;
    as_json *doc;
    assert_int_equal(
        as_json_read_file(AS_SOURCE_DIR "/tests/fixtures/mlp_torch_weighted_ref.json", &doc),
        AS_OK);
    const as_json *cases = as_json_get(doc, "cases");
    assert_int_equal(as_json_size(cases), 2);
    for (size_t c = 0; c < as_json_size(cases); c++) {
        as_mlp *m = torch_replay_case(as_json_at(cases, c), c);
        const as_mlp_options *o = as_mlp_get_options(m);
        as_json *j = NULL;
        as_mlp *back = NULL;
        assert_int_equal(as_mlp_to_json(m, &j), AS_OK);
        assert_int_equal(as_mlp_from_json(j, &back), AS_OK);
        assert_true(as_mlp_get_options(back)->class_weight[0] == o->class_weight[0] &&
                    as_mlp_get_options(back)->class_weight[1] == o->class_weight[1] &&
                    o->class_weight[0] != 1.0);
        as_mlp_options bad = *o;
        bad.class_weight[1] = 0.0;
        assert_int_equal(as_mlp_options_check(&bad), AS_EINVAL);
        as_mlp_free(back);
        as_json_free(j);
        as_mlp_free(m);
    }
    as_json_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(weighted_steps_should_match_pytorch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
