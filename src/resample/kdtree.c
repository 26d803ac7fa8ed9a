/* Exact Euclidean k-nearest-neighbour search: a k-d tree (Bentley 1975; Friedman, Bentley and
 * Finkel 1977) and the brute-force reference kept beside it.
 *
 * Tree: each node splits its points at the median of the dimension of largest variance; nodes are
 * stored depth first (left child = node + 1), each with the bounding box of its points, and the
 * points themselves are copied in tree order so that a leaf is one contiguous block.
 *
 * Search is depth first, nearer child first, and prunes a child only when its box distance
 * times shrink = 1 - 4 d DBL_EPSILON is strictly greater than the current k-th best: a point at
 * exactly that distance could still win on the lower index, so equality is never pruned. Why
 * this never drops a true neighbour: per dimension the box gap fl(lo - q) is <= the point's
 * fl(p - q) (rounding is monotone; boxes are rounded outwards to float, still lo <= p <= hi),
 * so the squared terms are termwise <=; a sum of d nonnegative terms in any order is within a
 * relative gamma_d ~ d u (u = DBL_EPSILON / 2) of its exact value, so the box sum, computed in
 * another order than the point sum, is at most (1 + gamma_d) / (1 - gamma_d) < 1 / shrink times
 * the computed point distance.
 *
 * Ties: candidates are ordered by (squared distance, index); the result is that order's first k,
 * identical between the tree and the brute-force reference. */
#include <float.h>
#include <math.h>
#include <string.h>
#if defined(__SSE2__) && !defined(AS_RESAMPLE_SCALAR)
#include <emmintrin.h>
#endif

#include "resample_int.h"

typedef struct {
    size_t start, end; /* points [start, end) in tree order */
    size_t right;      /* right child node; the left child is this node + 1; 0 for a leaf */
} kd_node;

struct as_kdtree {
    size_t n, d, n_nodes, leaf_size;
    double shrink;  /* 1 - 4 d DBL_EPSILON: the pruning safety factor (see the file comment) */
    double *pts;    /* (n, d) points in tree order, each leaf's block stored dimension-major:
                        point p of the leaf [s, e) has coordinate j at pts[s d + j (e - s) + p - s] */
    size_t *idx;    /* (n) tree position -> input row */
    kd_node *nodes; /* (n_nodes) depth first */
    float *box;     /* (n_nodes, d, 2, 2): for an internal node, per dimension j the bounds
                        lo_left, lo_right, hi_left, hi_right of its two children (zero for
                        leaves), rounded outwards to float: half the memory traffic, and still
                        lo <= every coordinate <= hi, so the pruning argument holds unchanged */
};

/* The node count depends only on the point count: a node of c > leaf points has children of
 * c/2 and c - c/2 points. */
static size_t kd_count_nodes(size_t c, size_t leaf)
{
    if (c <= leaf)
        return 1;
    return 1 + kd_count_nodes(c / 2, leaf) + kd_count_nodes(c - c / 2, leaf);
}

/* Reorder idx[lo, hi) so that the element of rank `nth` (0-based in the range) is in place, all
 * before it have coordinate <= it and all after it >= it. Three-way partitioning keeps runs of
 * equal coordinates linear; the median of three pivot keeps sorted input linear. */
static void kd_select(size_t *idx, size_t lo, size_t hi, size_t nth, const double *x, size_t d,
                      size_t dim)
{
    nth += lo;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        double a = x[idx[lo] * d + dim], b = x[idx[mid] * d + dim], c = x[idx[hi - 1] * d + dim];
        double pivot = (a < b) ? ((b < c) ? b : (a < c ? c : a)) : ((a < c) ? a : (b < c ? c : b));
        /* Partition into [lo, lt) < pivot, [lt, gt) == pivot, [gt, hi) > pivot. */
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            double v = x[idx[i] * d + dim];
            if (v < pivot) {
                size_t t = idx[lt];
                idx[lt++] = idx[i];
                idx[i++] = t;
            } else if (v > pivot) {
                size_t t = idx[--gt];
                idx[gt] = idx[i];
                idx[i] = t;
            } else {
                i++;
            }
        }
        if (nth < lt)
            hi = lt;
        else if (nth >= gt)
            lo = gt;
        else
            return;
    }
}

/* Bounding box of the input rows idx[start, end) into lo, hi (d). */
static void kd_bounds(const as_kdtree *t, const double *x, size_t start, size_t end, double *lo,
                      double *hi)
{
    size_t d = t->d;
    for (size_t j = 0; j < d; j++)
        lo[j] = hi[j] = x[t->idx[start] * d + j];
    for (size_t p = start + 1; p < end; p++) {
        const double *xp = x + t->idx[p] * d;
        for (size_t j = 0; j < d; j++) {
            if (xp[j] < lo[j])
                lo[j] = xp[j];
            if (xp[j] > hi[j])
                hi[j] = xp[j];
        }
    }
}

/* Nearest float <= v and >= v (v finite; beyond the float range: -inf / +inf or +-FLT_MAX). */
static float kd_float_down(double v)
{
    float f = (float)v;
    return (double)f > v ? nextafterf(f, -INFINITY) : f;
}

static float kd_float_up(double v)
{
    float f = (float)v;
    return (double)f < v ? nextafterf(f, INFINITY) : f;
}

/* Build the node `node` over idx[start, end); returns the next free node number. w: (4 d) scratch
 * per recursion level, laid out along the recursion. */
static size_t kd_build_node(as_kdtree *t, const double *x, size_t node, size_t start, size_t end,
                            double *w)
{
    size_t d = t->d;
    kd_node *nd = &t->nodes[node];
    nd->start = start;
    nd->end = end;
    nd->right = 0;
    if (end - start <= t->leaf_size)
        return node + 1;
    /* Split at the median of the dimension of largest variance (fewer visits than the widest
     * spread on correlated data, ~5 % in bench 12a). The lowest such dimension on a tie. */
    size_t dim = 0;
    double best = -1.0, cnt = (double)(end - start);
    for (size_t j = 0; j < d; j++) {
        double m = 0.0, v = 0.0;
        for (size_t p = start; p < end; p++)
            m += x[t->idx[p] * d + j];
        m /= cnt;
        for (size_t p = start; p < end; p++) {
            double e = x[t->idx[p] * d + j] - m;
            v += e * e;
        }
        if (v > best) {
            best = v;
            dim = j;
        }
    }
    size_t mid = start + (end - start) / 2;
    kd_select(t->idx, start, end, mid - start, x, d, dim);
    double *llo = w, *lhi = w + d, *rlo = w + 2 * d, *rhi = w + 3 * d;
    kd_bounds(t, x, start, mid, llo, lhi);
    kd_bounds(t, x, mid, end, rlo, rhi);
    float *bx = t->box + node * d * 4;
    for (size_t j = 0; j < d; j++) {
        bx[4 * j + 0] = kd_float_down(llo[j]);
        bx[4 * j + 1] = kd_float_down(rlo[j]);
        bx[4 * j + 2] = kd_float_up(lhi[j]);
        bx[4 * j + 3] = kd_float_up(rhi[j]);
    }
    size_t next = kd_build_node(t, x, node + 1, start, mid, w + 4 * d);
    t->nodes[node].right = next;
    return kd_build_node(t, x, next, mid, end, w + 4 * d);
}

static size_t kd_depth(size_t c, size_t leaf)
{
    size_t depth = 0;
    while (c > leaf) {
        c -= c / 2;
        depth++;
    }
    return depth;
}

as_status as_kdtree_build(const double *x, size_t n, size_t d, as_kdtree **out)
{
    as_status st = AS_OK;
    as_kdtree *t = NULL;
    double *w = NULL;
    *out = NULL;
    if (n == 0 || d == 0)
        return AS_FAIL(AS_EINVAL,
                       "kdtree: needs at least one point and one dimension (n=%zu, d=%zu)", n, d);
    if (!x)
        return AS_FAIL(AS_EINVAL, "kdtree: points are NULL");
    if (n > (size_t)-1 / d / (4 * sizeof(double)))
        return AS_FAIL(AS_ENOMEM, "kdtree: %zu x %zu points overflow", n, d);
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(x[i]))
            return AS_FAIL(AS_EINVAL, "kdtree: point %zu coordinate %zu is %g, must be finite",
                           i / d, i % d, x[i]);
    AS_CHECK(AS_ALLOC(t, 1, "kdtree"));
    t->n = n;
    t->d = d;
    t->leaf_size = AS_KDTREE_LEAF_SIZE;
    t->shrink = 1.0 - 4.0 * (double)d * DBL_EPSILON;
    t->n_nodes = kd_count_nodes(n, t->leaf_size);
    AS_CHECK(AS_ALLOC(t->idx, n, "kdtree index"));
    AS_CHECK(AS_ALLOC(t->pts, n * d, "kdtree points"));
    AS_CHECK(AS_ALLOC(t->nodes, t->n_nodes, "kdtree nodes"));
    AS_CHECK(AS_ALLOC(t->box, t->n_nodes * d * 4, "kdtree boxes"));
    /* Build scratch: four d-vectors per level. */
    AS_CHECK(AS_ALLOC(w, (kd_depth(n, t->leaf_size) + 1) * 4 * d, "kdtree build scratch"));
    for (size_t i = 0; i < n; i++)
        t->idx[i] = i;
    kd_build_node(t, x, 0, 0, n, w);
    /* Copy the points in tree order, leaf blocks dimension-major. */
    for (size_t node = 0; node < t->n_nodes; node++) {
        const kd_node *nd = &t->nodes[node];
        if (nd->right)
            continue;
        size_t c = nd->end - nd->start;
        double *blk = t->pts + nd->start * d;
        for (size_t p = 0; p < c; p++)
            for (size_t j = 0; j < d; j++)
                blk[j * c + p] = x[t->idx[nd->start + p] * d + j];
    }
    as_free(w);
    *out = t;
    return AS_OK;
fail:
    as_free(w);
    as_kdtree_free(t);
    return st;
}

void as_kdtree_free(as_kdtree *t)
{
    if (!t)
        return;
    as_free(t->pts);
    as_free(t->idx);
    as_free(t->nodes);
    as_free(t->box);
    as_free(t);
}

size_t as_kdtree_size(const as_kdtree *t) { return t ? t->n : 0; }
size_t as_kdtree_dim(const as_kdtree *t) { return t ? t->d : 0; }

/* The running k best, sorted by (dist2, index) ascending. */
typedef struct {
    size_t k, count;
    size_t *idx;
    double *dist2;
} kd_best;

/* Current bound: a candidate must have dist2 <= worst to be considered (equality may still win
 * on the index). Infinite until k candidates are held. */
static inline double kd_worst(const kd_best *b)
{
    return b->count < b->k ? (double)INFINITY : b->dist2[b->k - 1];
}

static inline void kd_offer(kd_best *b, size_t i, double d2)
{
    size_t pos = b->count;
    if (b->count == b->k) {
        size_t wi = b->idx[b->k - 1];
        double wd = b->dist2[b->k - 1];
        if (d2 > wd || (d2 == wd && i > wi))
            return;
        pos = b->k - 1;
    } else {
        b->count++;
    }
    /* Insertion: shift worse entries right. */
    while (pos > 0 &&
           (b->dist2[pos - 1] > d2 || (b->dist2[pos - 1] == d2 && b->idx[pos - 1] > i))) {
        b->dist2[pos] = b->dist2[pos - 1];
        b->idx[pos] = b->idx[pos - 1];
        pos--;
    }
    b->dist2[pos] = d2;
    b->idx[pos] = i;
}

/* Squared distances from q to both children boxes of an internal node, in r[0] (left) and r[1]
 * (right). bx: the node's (d, 2, 2) children bounds. The gap along j is lo - q when q < lo,
 * q - hi when q > hi, else 0: max(lo - q, q - hi, 0), one of the first two being negative.
 * Branch-free; with SSE2 both children share one vector. The pruning test allows for any
 * summation order (see the file comment). */
static inline void kd_children_dist2(const double *q, const float *bx, size_t d, double r[2])
{
#if defined(__SSE2__) && !defined(AS_RESAMPLE_SCALAR)
    __m128d s = _mm_setzero_pd(), zero = _mm_setzero_pd();
    for (size_t j = 0; j < d; j++) {
        __m128d qj = _mm_set1_pd(q[j]);
        __m128 b4 = _mm_loadu_ps(bx + 4 * j);
        __m128d lo = _mm_cvtps_pd(b4), hi = _mm_cvtps_pd(_mm_movehl_ps(b4, b4));
        __m128d g = _mm_max_pd(_mm_max_pd(_mm_sub_pd(lo, qj), _mm_sub_pd(qj, hi)), zero);
        s = _mm_add_pd(s, _mm_mul_pd(g, g));
    }
    _mm_storeu_pd(r, s);
#else
    double s0 = 0.0, s1 = 0.0;
    for (size_t j = 0; j < d; j++) {
        const float *b = bx + 4 * j;
        double a0 = (double)b[0] - q[j], a1 = (double)b[1] - q[j];
        double c0 = q[j] - (double)b[2], c1 = q[j] - (double)b[3];
        double g0 = a0 > c0 ? a0 : c0, g1 = a1 > c1 ? a1 : c1;
        g0 = g0 > 0.0 ? g0 : 0.0;
        g1 = g1 > 0.0 ? g1 : 0.0;
        s0 += g0 * g0;
        s1 += g1 * g1;
    }
    r[0] = s0;
    r[1] = s1;
#endif
}

/* Squared distances from q to the c points of a leaf block (dimension-major, see as_kdtree):
 * per point a sequential sum over dimensions in index order, the same rounding as the
 * brute-force reference; vectorized across points. */
static inline void kd_leaf_dist2(const double *q, const double *blk, size_t c, size_t d,
                                 double *dist)
{
    size_t p = 0;
#if defined(__SSE2__) && !defined(AS_RESAMPLE_SCALAR)
    /* Eight points (four independent sums) at a time, then pairs. */
    for (; p + 8 <= c; p += 8) {
        __m128d s0 = _mm_setzero_pd(), s1 = _mm_setzero_pd(), s2 = _mm_setzero_pd();
        __m128d s3 = _mm_setzero_pd();
        for (size_t j = 0; j < d; j++) {
            const double *col = blk + j * c + p;
            __m128d qj = _mm_set1_pd(q[j]);
            __m128d a0 = _mm_sub_pd(qj, _mm_loadu_pd(col)),
                    a1 = _mm_sub_pd(qj, _mm_loadu_pd(col + 2));
            __m128d a2 = _mm_sub_pd(qj, _mm_loadu_pd(col + 4)),
                    a3 = _mm_sub_pd(qj, _mm_loadu_pd(col + 6));
            s0 = _mm_add_pd(s0, _mm_mul_pd(a0, a0));
            s1 = _mm_add_pd(s1, _mm_mul_pd(a1, a1));
            s2 = _mm_add_pd(s2, _mm_mul_pd(a2, a2));
            s3 = _mm_add_pd(s3, _mm_mul_pd(a3, a3));
        }
        _mm_storeu_pd(dist + p, s0);
        _mm_storeu_pd(dist + p + 2, s1);
        _mm_storeu_pd(dist + p + 4, s2);
        _mm_storeu_pd(dist + p + 6, s3);
    }
    if (p + 2 <= c) {
        /* The remaining pairs (up to three) together, and a last odd point in a half vector. */
        size_t np = (c - p) / 2;
        __m128d s0 = _mm_setzero_pd(), s1 = _mm_setzero_pd(), s2 = _mm_setzero_pd();
        for (size_t j = 0; j < d; j++) {
            const double *col = blk + j * c + p;
            __m128d qj = _mm_set1_pd(q[j]);
            __m128d a0 = _mm_sub_pd(qj, _mm_loadu_pd(col));
            s0 = _mm_add_pd(s0, _mm_mul_pd(a0, a0));
            if (np > 1) {
                __m128d a1 = _mm_sub_pd(qj, _mm_loadu_pd(col + 2));
                s1 = _mm_add_pd(s1, _mm_mul_pd(a1, a1));
            }
            if (np > 2) {
                __m128d a2 = _mm_sub_pd(qj, _mm_loadu_pd(col + 4));
                s2 = _mm_add_pd(s2, _mm_mul_pd(a2, a2));
            }
        }
        _mm_storeu_pd(dist + p, s0);
        if (np > 1)
            _mm_storeu_pd(dist + p + 2, s1);
        if (np > 2)
            _mm_storeu_pd(dist + p + 4, s2);
        p += 2 * np;
    }
#endif
    for (; p < c; p++) {
        double s0 = 0.0;
        for (size_t j = 0; j < d; j++) {
            double a0 = q[j] - blk[j * c + p];
            s0 += a0 * a0;
        }
        dist[p] = s0;
    }
}

static void kd_search(const as_kdtree *t, size_t node, const double *q, size_t exclude, kd_best *b)
{
    const kd_node *nd = &t->nodes[node];
    size_t d = t->d;
    if (nd->right == 0) {
        double dist[AS_KDTREE_LEAF_SIZE];
        size_t c = nd->end - nd->start;
        kd_leaf_dist2(q, t->pts + nd->start * d, c, d, dist);
        for (size_t p = 0; p < c; p++) {
            size_t i = t->idx[nd->start + p];
            if (dist[p] <= kd_worst(b) && i != exclude)
                kd_offer(b, i, dist[p]);
        }
        return;
    }
    /* Visit a child unless its box distance, shrunk by t->shrink, exceeds the k-th best. */
    double r[2];
    kd_children_dist2(q, t->box + node * d * 4, d, r);
    r[0] *= t->shrink;
    r[1] *= t->shrink;
    size_t first = node + 1, second = nd->right;
    double r1 = r[0], r2 = r[1];
    if (r[1] < r[0]) {
        first = nd->right;
        second = node + 1;
        r1 = r[1];
        r2 = r[0];
    }
    if (r1 <= kd_worst(b))
        kd_search(t, first, q, exclude, b);
    if (r2 <= kd_worst(b))
        kd_search(t, second, q, exclude, b);
}

static as_status knn_check(const char *who, size_t n, size_t d, size_t k, size_t exclude,
                           const double *q, const size_t *idx, const double *dist2)
{
    size_t eligible = n - (exclude < n ? 1 : 0);
    if (!q || !idx || !dist2)
        return AS_FAIL(AS_EINVAL, "%s: query or output is NULL", who);
    for (size_t j = 0; j < d; j++)
        if (!isfinite(q[j]))
            return AS_FAIL(AS_EINVAL, "%s: query coordinate %zu is %g, must be finite", who, j,
                           q[j]);
    if (k == 0 || k > eligible)
        return AS_FAIL(AS_EINVAL, "%s: k=%zu neighbours requested, must be in [1, %zu]", who, k,
                       eligible);
    return AS_OK;
}

as_status as_kdtree_knn(const as_kdtree *t, const double *q, size_t k, size_t exclude, size_t *idx,
                        double *dist2)
{
    if (!t)
        return AS_FAIL(AS_EINVAL, "kdtree knn: tree is NULL");
    AS_TRY(knn_check("kdtree knn", t->n, t->d, k, exclude, q, idx, dist2));
    kd_best b = {k, 0, idx, dist2};
    kd_search(t, 0, q, exclude, &b);
    return AS_OK;
}

/* ---- every point's k nearest others, a leaf of queries at a time ----
 * The queries of one leaf are close together and walk much the same nodes, so they walk them
 * together: each node's box and each leaf's points are fetched once for up to a leaf of queries
 * (a modest gain, 5-10 % in bench 12a, over one query at a time). Per query the work and the
 * pruning rule are those of kd_search; a bit mask says which queries are still active below a
 * node. The queries' own leaf is searched first, which gives every query a tight bound early. */
typedef struct {
    const as_kdtree *t;
    size_t c, start, own; /* the batch: leaf node `own`, tree positions [start, start + c) */
    const double *q;      /* (c, d) the queries, row-major */
    kd_best *b;           /* (c) their lists */
} kd_batch;

typedef uint32_t kd_mask;
_Static_assert(AS_KDTREE_LEAF_SIZE <= 32, "a leaf of queries must fit one kd_mask");

/* Offer the points of leaf `node` to the active queries (skipping each query itself). */
static void kd_batch_leaf(const kd_batch *bt, size_t node, kd_mask mask)
{
    const as_kdtree *t = bt->t;
    const kd_node *nd = &t->nodes[node];
    size_t d = t->d, c = nd->end - nd->start;
    double dist[AS_KDTREE_LEAF_SIZE];
    for (size_t i = 0; i < bt->c; i++) {
        if (!((mask >> i) & 1u))
            continue;
        kd_best *b = &bt->b[i];
        kd_leaf_dist2(bt->q + i * d, t->pts + nd->start * d, c, d, dist);
        for (size_t p = 0; p < c; p++)
            if (dist[p] <= kd_worst(b) && nd->start + p != bt->start + i)
                kd_offer(b, t->idx[nd->start + p], dist[p]);
    }
}

static void kd_batch_visit(const kd_batch *bt, size_t node, kd_mask mask)
{
    const as_kdtree *t = bt->t;
    const kd_node *nd = &t->nodes[node];
    size_t d = t->d;
    if (nd->right == 0) {
        if (node != bt->own) /* the own leaf was searched first */
            kd_batch_leaf(bt, node, mask);
        return;
    }
    double r0[AS_KDTREE_LEAF_SIZE], r1[AS_KDTREE_LEAF_SIZE], s0 = 0.0, s1 = 0.0;
    kd_mask m0 = 0, m1 = 0;
    const float *bx = t->box + node * d * 4;
    for (size_t i = 0; i < bt->c; i++) {
        if (!((mask >> i) & 1u))
            continue;
        double r[2], w = kd_worst(&bt->b[i]);
        kd_children_dist2(bt->q + i * d, bx, d, r);
        r0[i] = r[0] * t->shrink;
        r1[i] = r[1] * t->shrink;
        m0 |= (kd_mask)(r0[i] <= w) << i;
        m1 |= (kd_mask)(r1[i] <= w) << i;
        s0 += r[0];
        s1 += r[1];
    }
    /* Nearer child (for the batch as a whole) first; the other child's mask is then re-checked
     * against the bounds the first one tightened. */
    int right_first = s1 < s0;
    size_t first = right_first ? nd->right : node + 1, second = right_first ? node + 1 : nd->right;
    kd_mask mf = right_first ? m1 : m0, ms = right_first ? m0 : m1;
    const double *rs = right_first ? r0 : r1;
    if (mf)
        kd_batch_visit(bt, first, mf);
    for (size_t i = 0; i < bt->c; i++)
        if (((ms >> i) & 1u) && rs[i] > kd_worst(&bt->b[i]))
            ms &= ~((kd_mask)1 << i);
    if (ms)
        kd_batch_visit(bt, second, ms);
}

/* Run every leaf's batch: lists by tree position in lidx, ld2 (n, k); q: (leaf, d) scratch. */
/* Leaves [first, last) of the node array: each leaf's points are queried as one batch. */
static void kd_run_batches(const as_kdtree *t, size_t k, size_t first, size_t last, size_t *lidx,
                           double *ld2, double *q)
{
    size_t d = t->d;
    for (size_t node = first; node < last; node++) {
        const kd_node *nd = &t->nodes[node];
        if (nd->right)
            continue;
        size_t c = nd->end - nd->start;
        const double *blk = t->pts + nd->start * d;
        kd_best b[AS_KDTREE_LEAF_SIZE];
        kd_batch bt = {t, c, nd->start, node, q, b};
        for (size_t i = 0; i < c; i++) {
            for (size_t j = 0; j < d; j++)
                q[i * d + j] = blk[j * c + i];
            b[i] = (kd_best){k, 0, lidx + (nd->start + i) * k, ld2 + (nd->start + i) * k};
        }
        kd_mask all = (kd_mask)(((uint64_t)1 << c) - 1);
        kd_batch_leaf(&bt, node, all);
        kd_batch_visit(&bt, 0, all);
    }
}

/* The leaves split into chunks run on the cores: each writes only its own points' lists, so the
 * result does not depend on the thread count. */
enum { KD_CHUNKS = 32 };
typedef struct {
    const as_kdtree *t;
    size_t k, *lidx;
    double *ld2;
} kd_par;

static as_status kd_chunk(size_t c, void *arg)
{
    kd_par *p = arg;
    size_t nn = p->t->n_nodes, first = c * nn / KD_CHUNKS, last = (c + 1) * nn / KD_CHUNKS;
    double *q;
    AS_TRY(AS_ALLOC(q, AS_KDTREE_LEAF_SIZE * p->t->d, "kdtree query batch"));
    kd_run_batches(p->t, p->k, first, last, p->lidx, p->ld2, q);
    as_free(q);
    return AS_OK;
}

as_status as_kdtree_knn_self(const as_kdtree *t, size_t k, size_t *idx, double *dist2)
{
    as_status st = AS_OK;
    size_t *lidx = NULL;
    double *ld2 = NULL;
    if (!t || !idx || !dist2)
        return AS_FAIL(AS_EINVAL, "kdtree knn self: tree or output is NULL");
    if (k == 0 || k >= t->n)
        return AS_FAIL(AS_EINVAL,
                       "kdtree knn self: k=%zu neighbours requested, must be in [1, %zu]", k,
                       t->n - 1);
    size_t n = t->n;
    if (n > (size_t)-1 / k / sizeof(double))
        return AS_FAIL(AS_ENOMEM, "kdtree knn self: %zu x %zu neighbours overflow", n, k);
    /* Lists by tree position (a batch's lists are contiguous), copied to input order at the end. */
    AS_CHECK(AS_ALLOC(lidx, n * k, "kdtree neighbour lists"));
    AS_CHECK(AS_ALLOC(ld2, n * k, "kdtree neighbour distances"));
    kd_par par = {t, k, lidx, ld2};
    AS_CHECK(as_parallel_for(KD_CHUNKS, 0, kd_chunk, &par));
    for (size_t pos = 0; pos < n; pos++) {
        size_t i = t->idx[pos];
        memcpy(idx + i * k, lidx + pos * k, k * sizeof(size_t));
        memcpy(dist2 + i * k, ld2 + pos * k, k * sizeof(double));
    }
fail:
    as_free(lidx);
    as_free(ld2);
    return st;
}

as_status as_knn_brute(const double *x, size_t n, size_t d, const double *q, size_t k,
                       size_t exclude, size_t *idx, double *dist2)
{
    if (!x || n == 0 || d == 0)
        return AS_FAIL(AS_EINVAL, "knn brute: needs points (n=%zu, d=%zu)", n, d);
    AS_TRY(knn_check("knn brute", n, d, k, exclude, q, idx, dist2));
    kd_best b = {k, 0, idx, dist2};
    for (size_t i = 0; i < n; i++) {
        if (i == exclude)
            continue;
        double s = 0.0;
        for (size_t j = 0; j < d; j++) {
            double a = q[j] - x[i * d + j];
            s += a * a;
        }
        kd_offer(&b, i, s);
    }
    return AS_OK;
}

/* All-points k nearest neighbours: pairwise distances for small n (each pair computed once and
 * offered to both rows; (x_i - x_j)^2 is the same number both ways), the k-d tree above that.
 * Both give exactly the tree's answer: same distances, same (dist2, index) order. */
/* Squared distances from xi (d) to KNN_BLOCK consecutive points, read column by column from
 * xt (column c at xt + c * ld), each summed over c in order as s2 += a * a. */
#define KNN_BLOCK 32
typedef double knn_v8d __attribute__((vector_size(64)));
__attribute__((target_clones("avx512f", "avx2", "default"))) static void brute_block(
    size_t d, size_t ld, const double *restrict xi, const double *restrict xt, double *restrict s)
{
    knn_v8d t0 = {0, 0, 0, 0, 0, 0, 0, 0}, t1 = t0, t2 = t0, t3 = t0, v0, v1, v2, v3;
    for (size_t c = 0; c < d; c++) {
        const double *col = xt + c * ld;
        double q = xi[c];
        memcpy(&v0, col, sizeof v0);
        memcpy(&v1, col + 8, sizeof v1);
        memcpy(&v2, col + 16, sizeof v2);
        memcpy(&v3, col + 24, sizeof v3);
        v0 = q - v0;
        v1 = q - v1;
        v2 = q - v2;
        v3 = q - v3;
        t0 = t0 + v0 * v0;
        t1 = t1 + v1 * v1;
        t2 = t2 + v2 * v2;
        t3 = t3 + v3 * v3;
    }
    memcpy(s, &t0, sizeof t0);
    memcpy(s + 8, &t1, sizeof t1);
    memcpy(s + 16, &t2, sizeof t2);
    memcpy(s + 24, &t3, sizeof t3);
}

/* k = 1 (Tomek links): the nearest other point of every point, ties to the lower index, as the
 * lists of kd_offer would hold it. Row r is offered its candidates in increasing index order
 * (first by the rows i < r, as the second point of their pairs, then by its own pairs j > r), so
 * a candidate replaces the held one only when strictly nearer; the first is always taken. The
 * offers of one block are branch-free selects the compiler vectorises. */
static void nearest_pairwise(const double *x, size_t n, size_t d, size_t ld, const double *xt,
                             size_t *idx, double *dist2)
{
    double s[KNN_BLOCK];
    for (size_t i = 0; i < n; i++) {
        dist2[i] = (double)INFINITY;
        idx[i] = SIZE_MAX;
    }
    for (size_t i = 0; i < n; i++) {
        double bd = dist2[i];
        size_t bi = idx[i];
        for (size_t j = i + 1; j < n; j += KNN_BLOCK) {
            brute_block(d, ld, x + i * d, xt + j, s);
            size_t nq = AS_MIN((size_t)KNN_BLOCK, n - j);
            double *od = dist2 + j;
            size_t *oi = idx + j;
            for (size_t q = 0; q < nq; q++) {
                int take = s[q] < od[q] || oi[q] == SIZE_MAX;
                od[q] = take ? s[q] : od[q];
                oi[q] = take ? i : oi[q];
            }
            for (size_t q = 0; q < nq; q++) {
                if (s[q] < bd || bi == SIZE_MAX) {
                    bd = s[q];
                    bi = j + q;
                }
            }
        }
        dist2[i] = bd;
        idx[i] = bi;
    }
}

as_status as_knn_self(const double *x, size_t n, size_t d, size_t k, size_t *idx, double *dist2)
{
    if (!x || !idx || !dist2 || n < 2 || d == 0)
        return AS_FAIL(AS_EINVAL, "knn self: needs at least 2 points and outputs (n=%zu, d=%zu)", n,
                       d);
    if (k == 0 || k >= n)
        return AS_FAIL(AS_EINVAL, "knn self: k=%zu neighbours requested, must be in [1, %zu]", k,
                       n - 1);
    if (n > AS_KNN_BRUTE_MAX) {
        as_kdtree *t = NULL;
        AS_TRY(as_kdtree_build(x, n, d, &t));
        as_status st = as_kdtree_knn_self(t, k, idx, dist2);
        as_kdtree_free(t);
        return st;
    }
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(x[i]))
            return AS_FAIL(AS_EINVAL, "knn self: point %zu has a non-finite coordinate", i / d);
    /* coordinates column by column for brute_block, each column padded with KNN_BLOCK zeros so
     * the last block of every row is a whole one too (its distances past n are not offered) */
    size_t ld = n + KNN_BLOCK;
    kd_best *b = as_malloc(n * sizeof *b);
    double *xt = as_calloc(ld * d, sizeof *xt);
    if (!b || !xt) {
        as_free(b);
        as_free(xt);
        return AS_FAIL(AS_ENOMEM, "knn self: cannot allocate %zu neighbour lists", n);
    }
    for (size_t i = 0; i < n; i++)
        b[i] = (kd_best){k, 0, idx + i * k, dist2 + i * k};
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < d; c++)
            xt[c * ld + i] = x[i * d + c];
    double s[KNN_BLOCK];
    if (k == 1)
        nearest_pairwise(x, n, d, ld, xt, idx, dist2);
    for (size_t i = 0; i < n && k > 1; i++) {
        /* KNN_BLOCK pairs at a time (each pair still sums its coordinates in order, so every
         * distance is the same as one at a time); the lists keep the k smallest (distance,
         * index) whatever the order of the offers */
        for (size_t j = i + 1; j < n; j += KNN_BLOCK) {
            brute_block(d, ld, x + i * d, xt + j, s);
            size_t nq = AS_MIN((size_t)KNN_BLOCK, n - j);
            for (size_t q = 0; q < nq; q++) {
                kd_offer(&b[i], j + q, s[q]);
                kd_offer(&b[j + q], i, s[q]);
            }
        }
    }
    as_free(xt);
    as_free(b);
    return AS_OK;
}
