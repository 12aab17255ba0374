/* Baseline: the gradient flow of a deep linear chain in plain C on GSL's rkf45 driver
 * (gsl_odeiv2_driver_apply) with CBLAS (OpenBLAS) products -- what a user would write in C.
 *
 *   dW_l/dt = (W_L..W_{l+1})^T (S31 - W S11) (W_{l-1}..W_1)^T,  W = W_L..W_1
 *
 * evaluated in the same order as linflow (prefixes, error, back-propagation), all buffers
 * allocated once. Input (whitespace-separated numbers, see bench_common.py write_problem):
 *   L n0..nL  S11 (n0*n0)  S31 (nL*n0)  theta0 (W1 row-major, W2, ...)  rtol atol h0  M t1..tM
 * Output: one line per time t_i with t and theta(t) (%.17g) on stdout; compute time on stderr
 * as "compute_seconds <s> rhs <n> steps <n>".  Build: cc -O2 flow_gsl.c -lgsl -lopenblas -lm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cblas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

typedef struct {
    int L, *n;
    double *s11, *s31, **P, **Q;
    size_t *off;
    long evals;
} chain;

static int rhs(double t, const double y[], double f[], void *params) {
    (void)t;
    chain *c = params;
    int L = c->L, *n = c->n, n0 = n[0];
    c->evals++;
    /* P_1 = W_1; P_l = W_l P_{l-1} */
    memcpy(c->P[1], y + c->off[1], sizeof(double) * n[1] * n0);
    for (int l = 2; l <= L; l++)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n[l], n0, n[l - 1], 1.0,
                    y + c->off[l], n[l - 1], c->P[l - 1], n0, 0.0, c->P[l], n0);
    /* Q_L = S31 - P_L S11 */
    memcpy(c->Q[L], c->s31, sizeof(double) * n[L] * n0);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n[L], n0, n0, -1.0, c->P[L], n0,
                c->s11, n0, 1.0, c->Q[L], n0);
    /* Q_l = W_{l+1}^T Q_{l+1} */
    for (int l = L - 1; l >= 1; l--)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n[l], n0, n[l + 1], 1.0,
                    y + c->off[l + 1], n[l], c->Q[l + 1], n0, 0.0, c->Q[l], n0);
    /* G_1 = Q_1; G_l = Q_l P_{l-1}^T */
    memcpy(f + c->off[1], c->Q[1], sizeof(double) * n[1] * n0);
    for (int l = 2; l <= L; l++)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n[l], n[l - 1], n0, 1.0, c->Q[l], n0,
                    c->P[l - 1], n0, 0.0, f + c->off[l], n[l - 1]);
    return GSL_SUCCESS;
}

static double rd(FILE *in) {
    double v;
    if (fscanf(in, "%lf", &v) != 1) { fprintf(stderr, "flow_gsl: bad input\n"); exit(2); }
    return v;
}

int main(int argc, char **argv) {
    FILE *in = argc > 1 ? fopen(argv[1], "r") : stdin;
    if (!in) { perror(argv[1]); return 2; }
    chain c = {0};
    c.L = (int)rd(in);
    c.n = malloc(sizeof(int) * (c.L + 1));
    for (int l = 0; l <= c.L; l++) c.n[l] = (int)rd(in);
    int n0 = c.n[0], nL = c.n[c.L];
    c.off = calloc(c.L + 2, sizeof(size_t));
    for (int l = 1; l <= c.L; l++) c.off[l + 1] = c.off[l] + (size_t)c.n[l] * c.n[l - 1];
    size_t dim = c.off[c.L + 1];
    c.s11 = malloc(sizeof(double) * n0 * n0);
    c.s31 = malloc(sizeof(double) * nL * n0);
    for (int i = 0; i < n0 * n0; i++) c.s11[i] = rd(in);
    for (int i = 0; i < nL * n0; i++) c.s31[i] = rd(in);
    double *y = malloc(sizeof(double) * dim);
    for (size_t i = 0; i < dim; i++) y[i] = rd(in);
    double rtol = rd(in), atol = rd(in), h0 = rd(in);
    int M = (int)rd(in);
    double *ts = malloc(sizeof(double) * M);
    for (int i = 0; i < M; i++) ts[i] = rd(in);
    c.P = calloc(c.L + 1, sizeof(double *));
    c.Q = calloc(c.L + 1, sizeof(double *));
    for (int l = 1; l <= c.L; l++) {
        c.P[l] = malloc(sizeof(double) * c.n[l] * n0);
        c.Q[l] = malloc(sizeof(double) * c.n[l] * n0);
    }
    gsl_odeiv2_system sys = {rhs, NULL, dim, &c};
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rkf45, h0, atol, rtol);
    /* Rows are kept in memory and printed at the end, inside the clock like linflow's rows. */
    double *rows = malloc(sizeof(double) * dim * M);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    double t = 0;
    long steps = 0;
    for (int i = 0; i < M; i++) {
        int s = gsl_odeiv2_driver_apply(d, &t, ts[i], y);
        steps += d->n;
        if (s != GSL_SUCCESS) { fprintf(stderr, "flow_gsl: GSL error %d at t = %g\n", s, t); return 3; }
        memcpy(rows + dim * i, y, sizeof(double) * dim);
    }
    for (int i = 0; i < M; i++) {
        printf("%.17g", ts[i]);
        for (size_t k = 0; k < dim; k++) printf(" %.17g", rows[dim * i + k]);
        printf("\n");
    }
    fflush(stdout);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double secs = (b.tv_sec - a.tv_sec) + 1e-9 * (b.tv_nsec - a.tv_nsec);
    fprintf(stderr, "compute_seconds %.6f rhs %ld steps %ld\n", secs, c.evals, steps);
    gsl_odeiv2_driver_free(d);
    return 0;
}
