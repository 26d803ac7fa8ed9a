/* Degenerate cells: the thickness of a cell along lattice vector k is V / |a_i x a_j| (the
 * distance between the two faces spanned by the other vectors); a cell thinner than
 * AS_CELL_MIN_WIDTH_ANG is refused before anything divides by it or counts images in it. */
#include <math.h>

#include "core_int.h"
#include "alloyscout/lattice.h"

as_status as_cell_check(const double *h)
{
    for (int k = 0; k < 9; k++)
        if (!isfinite(h[k]))
            return AS_FAIL(AS_EINVAL, "cell component %d of lattice vector %d is not finite",
                           k % 3 + 1, k / 3 + 1);
    const double *a[3] = {h, h + 3, h + 6};
    double c[3][3];
    for (int k = 0; k < 3; k++) { /* c[k] = a[k+1] x a[k+2] */
        const double *u = a[(k + 1) % 3], *v = a[(k + 2) % 3];
        c[k][0] = u[1] * v[2] - u[2] * v[1];
        c[k][1] = u[2] * v[0] - u[0] * v[2];
        c[k][2] = u[0] * v[1] - u[1] * v[0];
    }
    double vol = fabs(a[0][0] * c[0][0] + a[0][1] * c[0][1] + a[0][2] * c[0][2]);
    for (int k = 0; k < 3; k++) {
        double area = sqrt(c[k][0] * c[k][0] + c[k][1] * c[k][1] + c[k][2] * c[k][2]);
        double width = area > 0 ? vol / area : 0.0;
        if (!(width >= AS_CELL_MIN_WIDTH_ANG))
            return AS_FAIL(AS_EINVAL,
                           "degenerate cell: its thickness along lattice vector %d "
                           "is %g Å, below the minimum %g Å",
                           k + 1, width, AS_CELL_MIN_WIDTH_ANG);
    }
    return AS_OK;
}
