/* MLP options: defaults from seed 000 section 2.4 (Adam lr 1e-3, beta 0.9/0.999, batch 16,
 * 50 epochs, early stopping), PyTorch's Adam eps 1e-8, the range checks, and the parser for
 * hidden-layer specifications such as "64,32". */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlp_int.h"

/* Widths above this are almost certainly a typo and would make the weight block huge. */
#define AS_MLP_MAX_WIDTH ((size_t)1 << 20)

as_mlp_options as_mlp_options_default(void)
{
    as_mlp_options o;
    memset(&o, 0, sizeof o);
    o.n_hidden = 2;
    o.hidden[0] = 64;
    o.hidden[1] = 32;
    o.lr = 1e-3;
    o.beta1 = 0.9;
    o.beta2 = 0.999;
    o.eps = 1e-8;
    o.weight_decay = 0.0;
    o.batch = 16;
    o.max_epochs = 50;
    o.patience = 10;
    o.val_fraction = 0.2;
    o.stop = AS_MLP_STOP_LOSS;
    o.class_weight[0] = o.class_weight[1] = 1.0;
    o.precision = 64;
    return o;
}

as_status as_mlp_options_check(const as_mlp_options *opt)
{
    if (!opt)
        return AS_FAIL(AS_EINVAL, "mlp: no options given");
    if (opt->n_hidden == 0)
        return AS_FAIL(AS_EINVAL, "mlp: the hidden-layer list is empty (need at least one layer)");
    if (opt->n_hidden > AS_MLP_MAX_HIDDEN)
        return AS_FAIL(AS_EINVAL, "mlp: %zu hidden layers, at most %d supported", opt->n_hidden,
                       AS_MLP_MAX_HIDDEN);
    for (size_t i = 0; i < opt->n_hidden; i++)
        if (opt->hidden[i] == 0 || opt->hidden[i] > AS_MLP_MAX_WIDTH)
            return AS_FAIL(AS_EINVAL, "mlp: hidden layer %zu has width %zu, must be in 1..%zu",
                           i + 1, opt->hidden[i], AS_MLP_MAX_WIDTH);
    if (!(opt->lr > 0.0) || !isfinite(opt->lr))
        return AS_FAIL(AS_EINVAL, "mlp: learning rate lr %g must be > 0 and finite", opt->lr);
    if (!(opt->beta1 >= 0.0 && opt->beta1 < 1.0))
        return AS_FAIL(AS_EINVAL, "mlp: Adam beta1 %g must be in [0, 1)", opt->beta1);
    if (!(opt->beta2 >= 0.0 && opt->beta2 < 1.0))
        return AS_FAIL(AS_EINVAL, "mlp: Adam beta2 %g must be in [0, 1)", opt->beta2);
    if (!(opt->eps > 0.0) || !isfinite(opt->eps))
        return AS_FAIL(AS_EINVAL, "mlp: Adam eps %g must be > 0 and finite", opt->eps);
    if (!(opt->weight_decay >= 0.0) || !isfinite(opt->weight_decay))
        return AS_FAIL(AS_EINVAL, "mlp: weight_decay %g must be >= 0 and finite",
                       opt->weight_decay);
    if (opt->batch == 0 || opt->batch > AS_MLP_MAX_WIDTH)
        return AS_FAIL(AS_EINVAL, "mlp: batch size %zu must be in 1..%zu", opt->batch,
                       AS_MLP_MAX_WIDTH);
    if (opt->max_epochs == 0)
        return AS_FAIL(AS_EINVAL, "mlp: max_epochs must be >= 1");
    if (!(opt->val_fraction >= 0.0 && opt->val_fraction < 1.0))
        return AS_FAIL(AS_EINVAL, "mlp: val_fraction %g must be in [0, 1)", opt->val_fraction);
    for (int c = 0; c < 2; c++)
        if (!(opt->class_weight[c] > 0.0) || !isfinite(opt->class_weight[c]))
            return AS_FAIL(AS_EINVAL, "mlp: class_weight[%d] %g must be > 0 and finite", c,
                           opt->class_weight[c]);
    if (opt->stop != AS_MLP_STOP_LOSS && opt->stop != AS_MLP_STOP_AUC)
        return AS_FAIL(AS_EINVAL, "mlp: early-stopping criterion %d unknown", (int)opt->stop);
    if (opt->precision != 32 && opt->precision != 64)
        return AS_FAIL(AS_EINVAL, "mlp: precision %d must be 32 or 64", opt->precision);
    if (opt->val_fraction > 0.0 && opt->patience == 0)
        return AS_FAIL(AS_EINVAL,
                       "mlp: patience 0 with early stopping (val_fraction %g); use >= 1, or "
                       "val_fraction 0 to train without early stopping",
                       opt->val_fraction);
    return AS_OK;
}

as_status as_mlp_stop_parse(const char *s, as_mlp_stop *out)
{
    if (s && strcmp(s, "loss") == 0)
        *out = AS_MLP_STOP_LOSS;
    else if (s && strcmp(s, "auc") == 0)
        *out = AS_MLP_STOP_AUC;
    else
        return AS_FAIL(AS_EINVAL,
                       "mlp: early-stopping criterion '%s' unknown (expected loss "
                       "or auc)",
                       s ? s : "");
    return AS_OK;
}

const char *as_mlp_stop_name(as_mlp_stop s) { return s == AS_MLP_STOP_AUC ? "auc" : "loss"; }

as_status as_mlp_precision_parse(const char *s, int *out)
{
    if (s && strcmp(s, "32") == 0)
        *out = 32;
    else if (s && strcmp(s, "64") == 0)
        *out = 64;
    else
        return AS_FAIL(AS_EINVAL, "mlp: precision '%s' unknown (expected 32 or 64)", s ? s : "");
    return AS_OK;
}

as_status as_mlp_parse_hidden(const char *spec, as_mlp_options *opt)
{
    if (!spec || !opt)
        return AS_FAIL(AS_EINVAL, "mlp: no hidden-layer spec given");
    size_t w[AS_MLP_MAX_HIDDEN], nw = 0;
    const char *p = spec;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t pos = (size_t)(p - spec) + 1;
        if (*p == ',' || *p == '\0') {
            if (nw == 0 && *p == '\0')
                return AS_FAIL(AS_EINVAL,
                               "mlp: hidden-layer spec '%s' is empty (expected e.g. "
                               "'64,32')",
                               spec);
            return AS_FAIL(AS_EINVAL,
                           "mlp: hidden-layer spec '%s': empty layer width at "
                           "position %zu",
                           spec, pos);
        }
        if (!isdigit((unsigned char)*p))
            return AS_FAIL(AS_EINVAL,
                           "mlp: hidden-layer spec '%s': '%c' at position %zu is not "
                           "a positive integer",
                           spec, *p, pos);
        errno = 0;
        char *end;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno == ERANGE || v == 0 || v > AS_MLP_MAX_WIDTH)
            return AS_FAIL(AS_EINVAL,
                           "mlp: hidden-layer spec '%s': width at position %zu must "
                           "be in 1..%zu",
                           spec, pos, AS_MLP_MAX_WIDTH);
        if (nw == AS_MLP_MAX_HIDDEN)
            return AS_FAIL(AS_EINVAL, "mlp: hidden-layer spec '%s' has more than %d layers", spec,
                           AS_MLP_MAX_HIDDEN);
        w[nw++] = (size_t)v;
        p = end;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        if (*p != ',')
            return AS_FAIL(AS_EINVAL,
                           "mlp: hidden-layer spec '%s': unexpected '%c' at position "
                           "%zu (widths are separated by commas)",
                           spec, *p, (size_t)(p - spec) + 1);
        p++;
    }
    opt->n_hidden = nw;
    for (size_t i = 0; i < AS_MLP_MAX_HIDDEN; i++)
        opt->hidden[i] = i < nw ? w[i] : 0;
    return AS_OK;
}
