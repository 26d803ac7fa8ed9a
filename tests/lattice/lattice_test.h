/* Helpers shared by the lattice tests. */
#ifndef LATTICE_TEST_H
#define LATTICE_TEST_H

#include <math.h>

/* cmocka has only a float comparison; doubles need their own, with both values printed. */
static inline void near_at(double a, double b, double tol, const char *file, int line)
{
    if (!(fabs(a - b) <= tol))
        fail_msg("%s:%d: %.17g differs from %.17g by more than %g", file, line, a, b, tol);
}
#define assert_near(a, b, tol) near_at((a), (b), (tol), __FILE__, __LINE__)

#endif
