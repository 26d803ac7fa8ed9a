/* The training kernels of mlp.c for one floating type, included there twice (docs/mlp.md,
 * "Precision"): once for double (the default, precision 64) and once for float (precision 32).
 * The includer defines
 *   AS_T          the type (double or float)
 *   AS_S(name)    name with the type's suffix (name_f64, name_f32)
 *   AS_M(field)   the member of struct as_mlp holding the AS_T copy (param or param32, ...)
 *   AS_SQRT       sqrt or sqrtf
 * Both instances perform the same operations in the same order; only the type differs. No
 * include guard: the file is meant to be included more than once. */

/* 64 bytes of AS_T: one AVX-512 register (two AVX2, four SSE2 ones in the other clones), 8
 * doubles or 16 floats; GCC and clang vector extensions, element-wise mul and add only. */
typedef AS_T AS_S(vec) __attribute__((vector_size(64)));
#define AS_V AS_S(vec)
#define AS_VL (sizeof(AS_V) / sizeof(AS_T))

/* unaligned loads and stores (macros: a function returning a vector would change the ABI) */
#define AS_LOADV(v, p) memcpy(&(v), (p), sizeof(AS_V))
#define AS_STOREV(p, v) memcpy((p), &(v), sizeof(AS_V))

/* Point the parameter, gradient, Adam and working-memory arrays of m (type AS_T) into block
 * (4 n_params) and ws (ws_rows * (d + 1 + 2 sum of widths)); the layout of mlp_int.h. */
static void AS_S(layout)(as_mlp *m, AS_T *block, AS_T *ws)
{
    size_t np = m->n_params, L = m->n_layers, off = 0;
    m->AS_M(param) = block;
    m->AS_M(grad) = block + np;
    m->AS_M(adam_m) = block + 2 * np;
    m->AS_M(adam_v) = block + 3 * np;
    for (size_t l = 1; l <= L; l++) {
        m->AS_M(w)[l] = m->AS_M(param) + off;
        m->AS_M(gw)[l] = m->AS_M(grad) + off;
        off += m->width[l] * m->width[l - 1];
        m->AS_M(b)[l] = m->AS_M(param) + off;
        m->AS_M(gb)[l] = m->AS_M(grad) + off;
        off += m->width[l];
    }
    AS_T *p = ws;
    m->AS_M(act)[0] = p;
    p += m->ws_rows * m->d;
    for (size_t l = 1; l <= L; l++) {
        m->AS_M(act)[l] = p;
        p += m->ws_rows * m->width[l];
        m->AS_M(delta)[l] = p;
        p += m->ws_rows * m->width[l];
    }
    m->AS_M(ybuf) = p;
}

/* c (M, N; row stride ldc) = [c if acc, else 0] + A B, where A(i, p) = a[i sai + p sap] (so a
 * plain or a transposed matrix) and B(p, j) = b[p ldb + j]. Every element is summed the same way,
 * t = t + A(i, p) B(p, j) for p = 0, 1, ..., whichever block computes it: tiles of 4 rows by two
 * (then one) vectors of columns held in registers, then the leftover columns (4 rows at a time,
 * or one vector of rows at a time when A is stored transposed) and rows. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void AS_S(gemm_small)(
    size_t M, size_t N, size_t K, const AS_T *restrict a, size_t sai, size_t sap,
    const AS_T *restrict b, size_t ldb, AS_T *restrict c, size_t ldc, int acc)
{
    AS_V zero;
    memset(&zero, 0, sizeof zero);
    const size_t V = AS_VL;
    size_t N2 = N - N % (2 * V), N1 = N - N % V, M4 = M - M % 4;
    /* the leftover columns N1..N of rows 0..M4 go down the rows, V at a time, when A's rows are
     * contiguous (A transposed in memory, the weight gradient delta^T a) */
    int tail_by_rows = sai == 1 && N1 < N && M4 >= V;
    for (size_t i = 0; i < M4; i += 4) {
        const AS_T *a0 = a + i * sai, *a1 = a0 + sai, *a2 = a1 + sai, *a3 = a2 + sai;
        AS_T *c0 = c + i * ldc, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
        for (size_t j = 0; j < N2; j += 2 * V) { /* 4 x 2 vectors: eight independent sums */
            AS_V t0 = zero, t1 = zero, t2 = zero, t3 = zero, u0 = zero, u1 = zero, u2 = zero,
                 u3 = zero, bv, bw;
            if (acc) {
                AS_LOADV(t0, c0 + j);
                AS_LOADV(t1, c1 + j);
                AS_LOADV(t2, c2 + j);
                AS_LOADV(t3, c3 + j);
                AS_LOADV(u0, c0 + j + V);
                AS_LOADV(u1, c1 + j + V);
                AS_LOADV(u2, c2 + j + V);
                AS_LOADV(u3, c3 + j + V);
            }
            for (size_t p = 0; p < K; p++) {
                AS_LOADV(bv, b + p * ldb + j);
                AS_LOADV(bw, b + p * ldb + j + V);
                AS_T s0 = a0[p * sap], s1 = a1[p * sap], s2 = a2[p * sap], s3 = a3[p * sap];
                t0 = t0 + s0 * bv;
                u0 = u0 + s0 * bw;
                t1 = t1 + s1 * bv;
                u1 = u1 + s1 * bw;
                t2 = t2 + s2 * bv;
                u2 = u2 + s2 * bw;
                t3 = t3 + s3 * bv;
                u3 = u3 + s3 * bw;
            }
            AS_STOREV(c0 + j, t0);
            AS_STOREV(c1 + j, t1);
            AS_STOREV(c2 + j, t2);
            AS_STOREV(c3 + j, t3);
            AS_STOREV(c0 + j + V, u0);
            AS_STOREV(c1 + j + V, u1);
            AS_STOREV(c2 + j + V, u2);
            AS_STOREV(c3 + j + V, u3);
        }
        for (size_t j = N2; j < N1; j += V) {
            AS_V t0 = zero, t1 = zero, t2 = zero, t3 = zero, bv;
            if (acc) {
                AS_LOADV(t0, c0 + j);
                AS_LOADV(t1, c1 + j);
                AS_LOADV(t2, c2 + j);
                AS_LOADV(t3, c3 + j);
            }
            for (size_t p = 0; p < K; p++) {
                AS_LOADV(bv, b + p * ldb + j);
                t0 = t0 + a0[p * sap] * bv;
                t1 = t1 + a1[p * sap] * bv;
                t2 = t2 + a2[p * sap] * bv;
                t3 = t3 + a3[p * sap] * bv;
            }
            AS_STOREV(c0 + j, t0);
            AS_STOREV(c1 + j, t1);
            AS_STOREV(c2 + j, t2);
            AS_STOREV(c3 + j, t3);
        }
        for (size_t j = tail_by_rows ? N : N1; j < N; j++) {
            AS_T t0 = acc ? c0[j] : 0, t1 = acc ? c1[j] : 0;
            AS_T t2 = acc ? c2[j] : 0, t3 = acc ? c3[j] : 0;
            for (size_t p = 0; p < K; p++) {
                AS_T bv = b[p * ldb + j];
                t0 = t0 + a0[p * sap] * bv;
                t1 = t1 + a1[p * sap] * bv;
                t2 = t2 + a2[p * sap] * bv;
                t3 = t3 + a3[p * sap] * bv;
            }
            c0[j] = t0;
            c1[j] = t1;
            c2[j] = t2;
            c3[j] = t3;
        }
    }
    if (tail_by_rows) {
        size_t MV = M4 - M4 % V;
        for (size_t j = N1; j < N; j++) {
            for (size_t i = 0; i < MV; i += V) {
                AS_V t = zero, av;
                if (acc)
                    for (size_t k = 0; k < V; k++)
                        t[k] = c[(i + k) * ldc + j];
                for (size_t p = 0; p < K; p++) {
                    AS_LOADV(av, a + i + p * sap);
                    t = t + av * b[p * ldb + j];
                }
                for (size_t k = 0; k < V; k++)
                    c[(i + k) * ldc + j] = t[k];
            }
            for (size_t i = MV; i < M4; i++) {
                AS_T t = acc ? c[i * ldc + j] : 0;
                for (size_t p = 0; p < K; p++)
                    t = t + a[i + p * sap] * b[p * ldb + j];
                c[i * ldc + j] = t;
            }
        }
    }
    for (size_t i = M4; i < M; i++) {
        const AS_T *ai = a + i * sai;
        AS_T *ci = c + i * ldc;
        for (size_t j = 0; j < N1; j += V) {
            AS_V t = zero, bv;
            if (acc)
                AS_LOADV(t, ci + j);
            for (size_t p = 0; p < K; p++) {
                AS_LOADV(bv, b + p * ldb + j);
                t = t + ai[p * sap] * bv;
            }
            AS_STOREV(ci + j, t);
        }
        for (size_t j = N1; j < N; j++) {
            AS_T t = acc ? ci[j] : 0;
            for (size_t p = 0; p < K; p++)
                t = t + ai[p * sap] * b[p * ldb + j];
            ci[j] = t;
        }
    }
}

/* t (cols, rows) = the transpose of u (rows, cols): 4 x 4 tiles through registers (four loads,
 * eight shuffles, four stores; one element per load and store costs ~6 % of training), then the
 * leftover rows and columns one by one. Only copies: the result is the same in every clone. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void AS_S(transpose)(
    size_t rows, size_t cols, const AS_T *restrict u, AS_T *restrict t)
{
    size_t r4 = 0, c4 = 0;
#if AS_HAVE_SHUFFLEVECTOR
    typedef AS_T q4 __attribute__((vector_size(4 * sizeof(AS_T))));
    r4 = rows - rows % 4;
    c4 = cols - cols % 4;
    for (size_t o = 0; o < r4; o += 4)
        for (size_t k = 0; k < c4; k += 4) {
            q4 x0, x1, x2, x3;
            memcpy(&x0, u + o * cols + k, sizeof x0);
            memcpy(&x1, u + (o + 1) * cols + k, sizeof x1);
            memcpy(&x2, u + (o + 2) * cols + k, sizeof x2);
            memcpy(&x3, u + (o + 3) * cols + k, sizeof x3);
            q4 y0 = __builtin_shufflevector(x0, x1, 0, 4, 1, 5);
            q4 y1 = __builtin_shufflevector(x0, x1, 2, 6, 3, 7);
            q4 y2 = __builtin_shufflevector(x2, x3, 0, 4, 1, 5);
            q4 y3 = __builtin_shufflevector(x2, x3, 2, 6, 3, 7);
            x0 = __builtin_shufflevector(y0, y2, 0, 1, 4, 5);
            x1 = __builtin_shufflevector(y0, y2, 2, 3, 6, 7);
            x2 = __builtin_shufflevector(y1, y3, 0, 1, 4, 5);
            x3 = __builtin_shufflevector(y1, y3, 2, 3, 6, 7);
            memcpy(t + k * rows + o, &x0, sizeof x0);
            memcpy(t + (k + 1) * rows + o, &x1, sizeof x1);
            memcpy(t + (k + 2) * rows + o, &x2, sizeof x2);
            memcpy(t + (k + 3) * rows + o, &x3, sizeof x3);
        }
#endif
    for (size_t k = c4; k < cols; k++) /* the columns left of no tile, every row */
        for (size_t o = 0; o < rows; o++)
            t[k * rows + o] = u[o * cols + k];
    for (size_t k = 0; k < c4; k++) /* the rows left below the tiles */
        for (size_t o = r4; o < rows; o++)
            t[k * rows + o] = u[o * cols + k];
}

/* The small-path forward pass (see forward in mlp.c): act[0] (rows, d) holds the inputs; every
 * layer computes its output transposed, a_l^T = W_l a_{l-1}^T (+ b_l), with W_l as stored and
 * a_{l-1}^T from the layer before, then writes a_l (rows, width[l]) in row order for the
 * backward pass. at: small_scratch(m, rows) elements. This function, gather and backward_small
 * are cloned too: their own loops (bias, ReLU, masks, conversions, bias-gradient sums in row
 * order) are element-wise, so vector width changes their speed only. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void AS_S(forward_small)(
    const as_mlp *m, AS_T *const *w, AS_T *const *b, AS_T *const *act, size_t rows, AS_T *at)
{
    size_t L = m->n_layers;
    AS_T *prev = at;
    AS_S(transpose)(rows, m->d, act[0], prev);
    for (size_t l = 1; l <= L; l++) {
        size_t in = m->width[l - 1], out = m->width[l];
        AS_T *zt = prev + in * rows;
        for (size_t o = 0; o < out; o++)
            for (size_t i = 0; i < rows; i++)
                zt[o * rows + i] = b[l][o];
        AS_S(gemm_small)(out, rows, in, w[l], in, 1, prev, rows, zt, rows, 1);
        if (l < L) /* ReLU; a NaN stays NaN (as in PyTorch) so bad input is noticed */
            for (size_t i = 0; i < rows * out; i++)
                zt[i] = zt[i] < 0 ? 0 : zt[i];
        AS_S(transpose)(out, rows, zt, act[l]);
        prev = zt;
    }
}

/* Copy rows rows[0..nr) of x (doubles) into act[0] and their labels into ybuf, checking both. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static as_status AS_S(gather)(
    as_mlp *m, const double *x, const int *y, size_t n, const size_t *rows, size_t nr)
{
    size_t d = m->d;
    AS_T *a0 = m->AS_M(act)[0];
    for (size_t i = 0; i < nr; i++) {
        size_t r = rows ? rows[i] : i;
        if (r >= n)
            return AS_FAIL(AS_EINVAL, "mlp: row index %zu out of range (n = %zu)", r, n);
        if (y[r] != 0 && y[r] != 1)
            return AS_FAIL(AS_EINVAL, "mlp: label of row %zu is %d, expected 0 or 1", r, y[r]);
        const double *xr = x + r * d;
        for (size_t j = 0; j < d; j++)
            a0[i * d + j] = (AS_T)xr[j];
        m->AS_M(ybuf)[i] = (AS_T)y[r];
    }
    return AS_OK;
}

/* Sum over the nr rows of the working memory of the (class-weighted) loss of their logits, in
 * double. */
static double AS_S(batch_loss)(const as_mlp *m, size_t nr)
{
    const AS_T *z = m->AS_M(act)[m->n_layers], *yb = m->AS_M(ybuf);
    const double *cw = m->opt.class_weight;
    double sum = 0.0;
    for (size_t i = 0; i < nr; i++) {
        double w = cw[yb[i] != 0];
        double l = bce_logit((double)z[i], (double)yb[i]);
        sum += w == 1.0 ? l : w * l;
    }
    return sum;
}

/* delta_L = w_y (sigmoid(z) - y) / nr for the nr rows of the working memory (in double, then
 * stored as AS_T). */
static void AS_S(output_delta)(as_mlp *m, size_t nr)
{
    size_t L = m->n_layers;
    const AS_T *z = m->AS_M(act)[L], *yb = m->AS_M(ybuf);
    AS_T *dz = m->AS_M(delta)[L];
    const double *cw = m->opt.class_weight;
    for (size_t i = 0; i < nr; i++) {
        double t = (sigmoid((double)z[i]) - (double)yb[i]) / (double)nr;
        double w = cw[yb[i] != 0];
        if (w != 1.0)
            t *= w;
        dz[i] = (AS_T)t;
    }
}

/* The small-path backward pass after output_delta: dW_l = delta_l^T a_{l-1}; db_l = column
 * sums of delta_l; delta_{l-1} = (delta_l W_l) masked by a_{l-1} > 0 (the ReLU derivative).
 * Writes the whole gradient (each sum starts from 0, as on a zeroed gradient: no memset). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void AS_S(backward_small)(
    as_mlp *m, size_t nr)
{
    for (size_t l = m->n_layers; l >= 1; l--) {
        size_t in = m->width[l - 1], out = m->width[l];
        const AS_T *d = m->AS_M(delta)[l];
        /* dW_l = delta_l^T a_{l-1}: A(o, i) = delta_l[i out + o] */
        AS_S(gemm_small)(out, in, nr, d, 1, out, m->AS_M(act)[l - 1], in, m->AS_M(gw)[l], in, 0);
        AS_T *gb = m->AS_M(gb)[l];
        for (size_t j = 0; j < out; j++)
            gb[j] = 0;
        for (size_t i = 0; i < nr; i++)
            for (size_t j = 0; j < out; j++)
                gb[j] += d[i * out + j];
        if (l == 1)
            break;
        const AS_T *a = m->AS_M(act)[l - 1];
        AS_T *dp = m->AS_M(delta)[l - 1];
        AS_S(gemm_small)(nr, in, out, d, out, 1, m->AS_M(w)[l], in, dp, in, 0);
        for (size_t i = 0; i < nr * in; i++)
            dp[i] = a[i] > 0 ? dp[i] : 0;
    }
}

/* Adam (PyTorch 1.13 _single_tensor_adam, amsgrad off). The update of every parameter is
 * independent: written as plain loops over restrict arrays so the compiler vectorizes them (AVX2
 * where the CPU has it; the operations and their order are the same in every version, and
 * -ffp-contract=off keeps a*b+c from becoming an FMA, so the result is identical bit for bit).
 * PyTorch's step m / (sqrt(v) / c + eps) (c = sqrt(1 - b2^t)) is taken in the equal form
 * c m / (sqrt(v) + c eps): one division per parameter instead of two (the divider is the
 * bottleneck of the whole loop); the two forms differ in the last bit only. neg_step =
 * -(lr / (1 - b1^t)) c, eps_c = c eps. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void AS_S(adam_kernel)(
    size_t n, AS_T *restrict p, const AS_T *restrict g, AS_T *restrict mm, AS_T *restrict vv,
    AS_T beta1, AS_T beta2, AS_T one_b1, AS_T one_b2, AS_T neg_step, AS_T eps_c)
{
    for (size_t i = 0; i < n; i++) {
        mm[i] = mm[i] * beta1 + one_b1 * g[i];
        vv[i] = vv[i] * beta2 + one_b2 * g[i] * g[i];
        p[i] = p[i] + (neg_step * mm[i]) / (AS_SQRT(vv[i]) + eps_c);
    }
}

/* One Adam step on the AS_T parameters with the gradient in AS_T; the bias corrections are
 * computed in double and the step's scalars then rounded to AS_T (as PyTorch passes Python
 * floats to a float32 tensor's kernels). */
static void AS_S(adam_update)(as_mlp *m)
{
    const as_mlp_options *o = &m->opt;
    m->step++;
    double t = (double)m->step;
    double bc1 = 1.0 - pow(o->beta1, t);
    double bc2 = 1.0 - pow(o->beta2, t);
    double step_size = o->lr / bc1;
    double bc2_sqrt = sqrt(bc2);
    AS_T *p = m->AS_M(param), *g = m->AS_M(grad);
    /* coupled L2 weight decay: the gradient becomes g + wd p (PyTorch's grad.add(p, alpha=wd)) */
    if (o->weight_decay != 0.0) {
        AS_T wd = (AS_T)o->weight_decay;
        for (size_t i = 0; i < m->n_params; i++)
            g[i] = g[i] + wd * p[i];
    }
    AS_S(adam_kernel)
    (m->n_params, p, g, m->AS_M(adam_m), m->AS_M(adam_v), (AS_T)o->beta1, (AS_T)o->beta2,
     (AS_T)(1.0 - o->beta1), (AS_T)(1.0 - o->beta2), (AS_T)(-(step_size * bc2_sqrt)),
     (AS_T)(o->eps * bc2_sqrt));
}

#undef AS_V
#undef AS_VL
#undef AS_LOADV
#undef AS_STOREV
