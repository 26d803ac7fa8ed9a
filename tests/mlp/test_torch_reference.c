/* mlp: training steps against PyTorch. tests/fixtures/mlp_torch_ref.json (made by
 * tests/fixtures/mlp_torch_ref.py with PyTorch in float64) holds initial weights, data and the
 * mini-batch order; torch.optim.Adam + BCEWithLogitsLoss give the loss of every mini-batch and
 * the weights after all steps. We load the same initial network with as_mlp_from_json and take
 * one as_mlp_step per mini-batch. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mlp/torch_replay.h"

static void training_steps_should_match_pytorch_adam_and_bce_with_logits(void **state)
{
    (void)state;
    as_json *doc;
    assert_int_equal(as_json_read_file(AS_SOURCE_DIR "/tests/fixtures/mlp_torch_ref.json", &doc),
                     AS_OK);
    const as_json *cases = as_json_get(doc, "cases");
    assert_int_equal(as_json_size(cases), 2);
    for (size_t c = 0; c < as_json_size(cases); c++) {
        as_mlp *m = torch_replay_case(as_json_at(cases, c), c);
        as_mlp_free(m);
    }
    as_json_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(training_steps_should_match_pytorch_adam_and_bce_with_logits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
