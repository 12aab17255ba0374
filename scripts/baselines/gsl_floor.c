/* The cost of GSL's rkf45 driver itself per right-hand-side evaluation, with an RHS that does
 * (almost) nothing: the floor under any program that integrates with gsl_odeiv2_driver_apply
 * and rkf45 at this dimension, linflow included. The RHS is dy/dt = -y (one pass over y), with
 * the tolerances of the flow benchmarks.
 * Usage: gsl_floor DIM EVALS -> "dim D rhs N seconds S seconds_per_rhs R"
 * Build: cc -O2 gsl_floor.c -lgsl -lopenblas -lm */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

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

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: gsl_floor DIM EVALS\n"); return 2; }
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
