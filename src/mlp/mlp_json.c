/* MLP model files: the network as JSON (layer widths, options, weights and biases in PyTorch's
 * nn.Linear layout, out x in row-major). Doubles round-trip through json_int.h. The Adam state
 * is not stored: a loaded model predicts; training it again starts a fresh optimizer. */
#include <math.h>
#include <string.h>

#include "mlp_int.h"

#define AS_MLP_FORMAT "alloyscout-mlp"
#define AS_MLP_VERSION 1

static as_status set_sizes(as_json *obj, const char *key, const size_t *v, size_t n)
{
    double tmp[AS_MLP_MAX_LAYERS + 1];
    for (size_t i = 0; i < n; i++)
        tmp[i] = (double)v[i];
    return as_json_set_doubles(obj, key, tmp, n);
}

as_status as_mlp_to_json(const as_mlp *m, as_json **out)
{
    as_status st = AS_OK;
    *out = NULL;
    as_json *root = as_json_object(), *o = NULL, *layers = NULL, *lay = NULL;
    if (!root) {
        st = AS_FAIL(AS_ENOMEM, "mlp: cannot build the model document");
        goto fail;
    }
    const as_mlp_options *op = &m->opt;
    AS_CHECK(as_json_set_str(root, "format", AS_MLP_FORMAT));
    AS_CHECK(as_json_set_num(root, "version", AS_MLP_VERSION));
    AS_CHECK(as_json_set_num(root, "input_dim", (double)m->d));
    AS_CHECK(set_sizes(root, "widths", m->width, m->n_layers + 1));
    o = as_json_object();
    if (!o) {
        st = AS_FAIL(AS_ENOMEM, "mlp: cannot build the options object");
        goto fail;
    }
    AS_CHECK(set_sizes(o, "hidden", op->hidden, op->n_hidden));
    AS_CHECK(as_json_set_num(o, "lr", op->lr));
    AS_CHECK(as_json_set_num(o, "beta1", op->beta1));
    AS_CHECK(as_json_set_num(o, "beta2", op->beta2));
    AS_CHECK(as_json_set_num(o, "eps", op->eps));
    AS_CHECK(as_json_set_num(o, "weight_decay", op->weight_decay));
    AS_CHECK(as_json_set_num(o, "batch", (double)op->batch));
    AS_CHECK(as_json_set_num(o, "max_epochs", (double)op->max_epochs));
    AS_CHECK(as_json_set_num(o, "patience", (double)op->patience));
    AS_CHECK(as_json_set_num(o, "val_fraction", op->val_fraction));
    AS_CHECK(as_json_set_str(o, "stop", as_mlp_stop_name(op->stop)));
    AS_CHECK(as_json_set_doubles(o, "class_weight", op->class_weight, 2));
    AS_CHECK(as_json_set_num(o, "precision", op->precision));
    st = as_json_set_child(root, "options", o);
    o = NULL;
    if (st != AS_OK)
        goto fail;
    layers = as_json_array();
    if (!layers) {
        st = AS_FAIL(AS_ENOMEM, "mlp: cannot build the layer array");
        goto fail;
    }
    for (size_t l = 1; l <= m->n_layers; l++) {
        lay = as_json_object();
        if (!lay) {
            st = AS_FAIL(AS_ENOMEM, "mlp: cannot build layer %zu", l);
            goto fail;
        }
        AS_CHECK(as_json_set_num(lay, "in", (double)m->width[l - 1]));
        AS_CHECK(as_json_set_num(lay, "out", (double)m->width[l]));
        AS_CHECK(as_json_set_doubles(lay, "weight", m->w[l], m->width[l] * m->width[l - 1]));
        AS_CHECK(as_json_set_doubles(lay, "bias", m->b[l], m->width[l]));
        st = as_json_push(layers, lay);
        lay = NULL;
        if (st != AS_OK)
            goto fail;
    }
    st = as_json_set_child(root, "layers", layers);
    layers = NULL;
    if (st != AS_OK)
        goto fail;
    *out = root;
    return AS_OK;
fail:
    as_json_free(lay);
    as_json_free(layers);
    as_json_free(o);
    as_json_free(root);
    return st;
}

/* A non-negative integer below 2^53 stored as a JSON number. */
static as_status get_size(const as_json *obj, const char *key, const char *where, size_t *out)
{
    double v;
    AS_TRY(as_json_get_num(obj, key, where, &v));
    if (!(v >= 0.0 && v < 9007199254740992.0) || v != floor(v))
        return AS_FAIL(AS_EPARSE, "%s: key '%s' is %g, expected a non-negative integer", where, key,
                       v);
    *out = (size_t)v;
    return AS_OK;
}

as_status as_mlp_from_json(const as_json *j, as_mlp **out)
{
    as_status st = AS_OK;
    as_mlp *m = NULL;
    *out = NULL;
    const char *where = "mlp model";
    const char *fmt;
    AS_TRY(as_json_get_str(j, "format", where, &fmt));
    if (strcmp(fmt, AS_MLP_FORMAT) != 0)
        return AS_FAIL(AS_EPARSE, "%s: format is '%s', expected '%s'", where, fmt, AS_MLP_FORMAT);
    size_t version = 0, d = 0;
    AS_TRY(get_size(j, "version", where, &version));
    if (version != AS_MLP_VERSION)
        return AS_FAIL(AS_EPARSE, "%s: version %zu not supported (this build reads %d)", where,
                       version, AS_MLP_VERSION);
    AS_TRY(get_size(j, "input_dim", where, &d));

    const as_json *o = as_json_get(j, "options");
    if (!o)
        return AS_FAIL(AS_EPARSE, "%s: missing object 'options'", where);
    const char *ow = "mlp model options";
    as_mlp_options opt = as_mlp_options_default();
    const as_json *hid = as_json_get(o, "hidden");
    size_t nh = as_json_size(hid);
    if (nh == 0 || nh > AS_MLP_MAX_HIDDEN)
        return AS_FAIL(AS_EPARSE, "%s: 'hidden' must be an array of 1..%d widths", ow,
                       AS_MLP_MAX_HIDDEN);
    double hv[AS_MLP_MAX_HIDDEN];
    AS_TRY(as_json_get_doubles(o, "hidden", ow, hv, nh));
    opt.n_hidden = nh;
    for (size_t i = 0; i < nh; i++) {
        if (!(hv[i] >= 1.0 && hv[i] <= 1048576.0) || hv[i] != floor(hv[i]))
            return AS_FAIL(AS_EPARSE,
                           "%s: hidden width %zu is %g, expected an integer in "
                           "1..1048576",
                           ow, i + 1, hv[i]);
        opt.hidden[i] = (size_t)hv[i];
    }
    AS_TRY(as_json_get_num(o, "lr", ow, &opt.lr));
    AS_TRY(as_json_get_num(o, "beta1", ow, &opt.beta1));
    AS_TRY(as_json_get_num(o, "beta2", ow, &opt.beta2));
    AS_TRY(as_json_get_num(o, "eps", ow, &opt.eps));
    AS_TRY(as_json_get_num(o, "weight_decay", ow, &opt.weight_decay));
    AS_TRY(get_size(o, "batch", ow, &opt.batch));
    AS_TRY(get_size(o, "max_epochs", ow, &opt.max_epochs));
    AS_TRY(get_size(o, "patience", ow, &opt.patience));
    AS_TRY(as_json_get_num(o, "val_fraction", ow, &opt.val_fraction));
    /* "stop" came with the AUC criterion; files written before it used the loss */
    const as_json *sj = as_json_get(o, "stop");
    if (sj) {
        const char *sv = as_json_string(sj);
        if (!sv || as_mlp_stop_parse(sv, &opt.stop) != AS_OK)
            return AS_FAIL(AS_EPARSE, "%s: 'stop' must be \"loss\" or \"auc\"", ow);
    }
    /* "class_weight" came with issue 12; files without it weigh both classes 1 */
    if (as_json_get(o, "class_weight"))
        AS_TRY(as_json_get_doubles(o, "class_weight", ow, opt.class_weight, 2));
    /* "precision" came with the float training path; files without it were trained in double */
    if (as_json_get(o, "precision")) {
        double pv;
        AS_TRY(as_json_get_num(o, "precision", ow, &pv));
        if (pv != 32.0 && pv != 64.0)
            return AS_FAIL(AS_EPARSE, "%s: 'precision' is %g, expected 32 or 64", ow, pv);
        opt.precision = (int)pv;
    }
    AS_TRY(as_mlp_options_check(&opt));

    /* The stored widths must agree with input_dim and the hidden list. */
    size_t L = nh + 1;
    double wv[AS_MLP_MAX_LAYERS + 1];
    const as_json *wj = as_json_get(j, "widths");
    if (as_json_size(wj) != L + 1)
        return AS_FAIL(AS_EPARSE,
                       "%s: 'widths' has %zu entries, expected %zu (input, %zu "
                       "hidden, output)",
                       where, as_json_size(wj), L + 1, nh);
    AS_TRY(as_json_get_doubles(j, "widths", where, wv, L + 1));
    for (size_t l = 0; l <= L; l++) {
        size_t want = l == 0 ? d : l == L ? 1 : opt.hidden[l - 1];
        if (wv[l] != (double)want)
            return AS_FAIL(AS_EPARSE, "%s: widths[%zu] is %g, expected %zu", where, l, wv[l], want);
    }

    const as_json *layers = as_json_get(j, "layers");
    if (as_json_size(layers) != L)
        return AS_FAIL(AS_EPARSE, "%s: 'layers' has %zu entries, expected %zu", where,
                       as_json_size(layers), L);
    AS_TRY(as_mlp_alloc(d, &opt, &m));
    for (size_t l = 1; l <= L; l++) {
        char lw[64];
        snprintf(lw, sizeof lw, "mlp model layers[%zu]", l - 1);
        const as_json *lay = as_json_at(layers, l - 1);
        size_t in, outw;
        AS_CHECK(get_size(lay, "in", lw, &in));
        AS_CHECK(get_size(lay, "out", lw, &outw));
        if (in != m->width[l - 1] || outw != m->width[l]) {
            st = AS_FAIL(AS_EPARSE, "%s: layer is %zu -> %zu, expected %zu -> %zu", lw, in, outw,
                         m->width[l - 1], m->width[l]);
            goto fail;
        }
        AS_CHECK(as_json_get_doubles(lay, "weight", lw, m->w[l], in * outw));
        AS_CHECK(as_json_get_doubles(lay, "bias", lw, m->b[l], outw));
    }
    for (size_t i = 0; i < m->n_params; i++)
        if (!isfinite(m->param[i])) {
            st = AS_FAIL(AS_EPARSE, "%s: parameter %zu is not a finite number", where, i);
            goto fail;
        }
    *out = m;
    return AS_OK;
fail:
    as_mlp_free(m);
    return st;
}
