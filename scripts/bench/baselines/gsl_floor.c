/* The cost of GSL's rkf45 driver itself per right-hand-side evaluation, with an RHS that does
 * (almost) nothing: the floor under any program that integrates with gsl_odeiv2_driver_apply
 * and rkf45 at this dimension, linflow included. The RHS is dy/dt = -y (one pass over y), with
 * the tolerances of the flow benchmarks.
 * Usage: gsl_floor DIM EVALS -> "dim D rhs N seconds S seconds_per_rhs R"
 *
 * gsl_floor traffic DIM [SECONDS]: the memory traffic of one adaptive step of GSL's rkf45 and of
 * linflow's dp45 (Sources/CLinFlow/dp45_step.c), each under GSL's driver with this RHS, against what
 * this machine moves per second -> lines "bandwidth ...", "rkf45 ...", "dp45 ...".
 * Passes per step (reads + writes of DIM doubles; GSL 2.7.1's rkf45.c/evolve.c/cstd.c and dp45_step.h):
 *   rkf45: evolve's copies y→y0 and dydt_out→dydt_in (4), rkf45's own y→y0 and dydt_in→k1
 *          copies (4), five stage arguments (3+4+5+6+7 = 25), y += h Σ c k (7), f(y_new) for
 *          dydt_out, yerr (6), control (3 reads): 49 passes and 6 RHS evaluations (Debian's
 *          GSL 2.7.1 evaluates f once per step outside the stages: measured 6.0 per step);
 *   dp45:  evolve's copy (2), five stage arguments (25), fused y and partial yerr (8), yerr += (3),
 *          control (3): 41 passes and 6 RHS evaluations (k_7 is the next k_1).
 * Each RHS evaluation here is 2 more passes. The bandwidth is that of a fused pass of the same
 * shape (a 5-term stage argument, 6 reads + 1 write), so passes × 8·DIM bytes / bandwidth is the
 * time the vector work needs at this machine's rate, at whatever cache level DIM lives.
 * Build: cc -O2 -I Sources/CLinFlow/include gsl_floor.c Sources/CLinFlow/dp45_step.c -lgsl -lopenblas -lm
 * (before the CLinFlow target: cc -O2 -I Sources/CGSL gsl_floor.c -lgsl -lopenblas -lm) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#if __has_include("linflow.h")
#include "linflow.h"
#else
#include "dp45_step.h"
#endif

static long evals;

static int rhs(double t, const double y[], double f[], void *params) {
    (void)t;
    size_t n = *(size_t *)params;
    for (size_t i = 0; i < n; i++) f[i] = -y[i];
    evals++;
    return GSL_SUCCESS;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void race(const char *name, const gsl_odeiv2_step_type *type, size_t n, double budget, int passes, int per_step) {
    gsl_odeiv2_system sys = {rhs, NULL, n, &n};
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, type, 1e-3, 1e-10, 1e-8);
    double *y = malloc(sizeof(double) * n);
    for (size_t i = 0; i < n; i++) y[i] = 1.0 + (double)(i % 7);
    double t = 0, t0 = now(), s;
    long steps = 0;
    evals = 0;
    do {  /* unit intervals, restarted so that values stay normal */
        if (gsl_odeiv2_driver_apply(d, &t, t + 1.0, y) != GSL_SUCCESS) { fprintf(stderr, "step_traffic: failed\n"); exit(1); }
        steps += (long)d->n;
        for (size_t i = 0; i < n; i++) y[i] = 1.0 + (double)(i % 7);
        gsl_odeiv2_driver_reset(d);
        s = now() - t0;
    } while (s < budget);
    double bytes = (passes + 2.0 * per_step) * 8.0 * n;  /* the RHS's own read and write included */
    printf("%s dim %zu steps %ld rhs %ld rhs_per_step %.2f seconds_per_step %.3e passes_per_step %d bytes_per_step %.3e achieved_GBps %.2f\n",
           name, n, steps, evals, (double)evals / steps, s / steps, passes + 2 * per_step, bytes, bytes / (s / steps) / 1e9);
    gsl_odeiv2_driver_free(d);
    free(y);
}

static int traffic(size_t n, double budget) {
    /* Bandwidth: repeated 5-term stage arguments over 6 arrays of n doubles. */
    double *v[6];
    for (int j = 0; j < 6; j++) {
        v[j] = malloc(sizeof(double) * n);
        for (size_t i = 0; i < n; i++) v[j][i] = 1e-3 * (double)((i + j) % 11);
    }
    double t0 = now(), s;
    long reps = 0;
    do {
        double *restrict o = v[5];
        const double *restrict a = v[0], *restrict b = v[1], *restrict c = v[2], *restrict e = v[3], *restrict f = v[4];
        for (size_t i = 0; i < n; i++) o[i] = a[i] + 0.1 * b[i] + 0.2 * c[i] + 0.3 * e[i] + 0.4 * f[i] + 0.5 * o[i];
        reps++;
        s = now() - t0;
    } while (s < budget);
    printf("bandwidth dim %zu GBps %.2f (6 reads + 1 write per pass, %ld passes)\n", n, 7.0 * 8 * n * reps / s / 1e9, reps);
    race("rkf45", gsl_odeiv2_step_rkf45, n, budget, 49, 6);
    race("dp45", linflow_step_dp45(), n, budget, 41, 6);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "traffic") == 0) {
        gsl_set_error_handler_off();
        return traffic(strtoul(argv[2], NULL, 10), argc > 3 ? atof(argv[3]) : 2.0);
    }
    if (argc != 3) { fprintf(stderr, "usage: gsl_floor DIM EVALS | gsl_floor traffic DIM [SECONDS]\n"); return 2; }
    size_t n = strtoul(argv[1], NULL, 10);
    long want = strtol(argv[2], NULL, 10);
    gsl_set_error_handler_off();
    gsl_odeiv2_system sys = {rhs, NULL, n, &n};
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rkf45, 1e-6, 1e-10, 1e-8);
    double *y = malloc(sizeof(double) * n);
    for (size_t i = 0; i < n; i++) y[i] = 1.0 + (double)(i % 7);
    double t = 0, t0 = now();
    /* Advance in unit intervals until enough evaluations (values stay normal: y ~ e^-t, restarted). */
    while (evals < want) {
        if (gsl_odeiv2_driver_apply(d, &t, t + 1.0, y) != GSL_SUCCESS) { fprintf(stderr, "gsl_floor: failed\n"); return 1; }
        for (size_t i = 0; i < n; i++) y[i] = 1.0 + (double)(i % 7);
    }
    double s = now() - t0;
    printf("dim %zu rhs %ld seconds %.6f seconds_per_rhs %.3e\n", n, evals, s, s / evals);
    gsl_odeiv2_driver_free(d);
    free(y);
    return 0;
}
