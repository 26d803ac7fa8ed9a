/* Private helpers shared by the files of the resample area (never installed). */
#ifndef AS_RESAMPLE_INT_H
#define AS_RESAMPLE_INT_H

#include "alloyscout/resample.h"
#include "core_int.h"

/* Check that labels are 0 or 1 (AS_EINVAL naming the first bad index and value) and count them:
 * counts[0], counts[1]. `who` prefixes the message ("smote", "tomek"). */
as_status as_resample_count_labels(const int *y, size_t n, const char *who, size_t counts[2]);

/* Tomek links with the majority label given by the caller (as_tomek_links uses the more frequent
 * label; SMOTE-Tomek uses the majority of the data before SMOTE). Same OUT contract. */
as_status as_tomek_links_with_majority(const double *x, const int *y, size_t n, size_t d,
                                       int majority, size_t **a, size_t **b, size_t *n_links);

#endif
