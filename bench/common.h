/*
 * common.h - what the bench programs share: clocks, medians and
 * percentiles, and the one machine-readable line per table row that
 * bench/run.sh gathers into the table of `make bench`:
 *
 *   ROW <tab> id <tab> what <tab> eksauth <tab> baseline <tab> ratio <tab> target <tab> met
 *
 * Other lines are notes ("# ...") that run.sh shows under the table.
 */
#ifndef EKSAUTH_BENCH_COMMON_H
#define EKSAUTH_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* CPU time of this process: on a shared box wall time mostly measures the neighbours. */
static inline double bench_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Wall time, for what waits on other processes (the network, a child). */
static inline double bench_wall_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The p-th percentile (0..100, nearest rank) of v[0..n); sorts v. */
static inline double bench_percentile(double *v, size_t n, double p)
{
    size_t k;

    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), bench_cmp_double);
    k = (size_t)(p / 100.0 * (double)n + 0.999999);
    if (k == 0)
        k = 1;
    if (k > n)
        k = n;
    return v[k - 1];
}

static inline double bench_median(double *v, size_t n)
{
    return bench_percentile(v, n, 50);
}

/*
 * One table row; both figures get prec decimals; a baseline of 0 has no
 * ratio; met is 1 (yes), 0 (NO) or -1 (no target: "-").
 */
static inline void bench_row(const char *id, const char *what, double eksauth, double baseline,
                             const char *target, int met, int prec)
{
    printf("ROW\t%s\t%s\t", id, what);
    printf("%.*f\t", prec, eksauth);
    if (baseline > 0) {
        printf("%.*f\t%.2fx", prec, baseline, eksauth / baseline);
    } else {
        printf("-\t-");
    }
    printf("\t%s\t%s\n", target, met > 0 ? "yes" : met == 0 ? "NO" : "-");
}

#endif
