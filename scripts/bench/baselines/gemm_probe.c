/* The double-precision GEMM rate the BLAS in use reaches for the products of one gradient-flow
 * RHS of the chain n0-n1-...-nL (the shapes linflow's GradientFlow.evaluate issues, in order):
 *   P_l = W_l P_{l-1} (n_l x n0, k = n_{l-1}),  E = S31 - P_L S11 (nL x n0, k = n0),
 *   Q_l = W_{l+1}^T Q_{l+1} (n_l x n0, k = n_{l+1}),  G_l = Q_l P_{l-1}^T (n_l x n_{l-1}, k = n0).
 * Usage: gemm_probe n0 n1 ... nL  -> "flops_per_rhs F seconds_per_rhs S gflops G core NAME"
 * Only the dgemm calls are timed (copies excluded): this is the rate to compare against. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>

char *openblas_get_corename(void);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static double *buf(size_t n) {
    double *p = malloc(sizeof(double) * n);
    for (size_t i = 0; i < n; i++) p[i] = (double)((i * 2654435761u) % 1000) / 1000.0 - 0.5;
    return p;
}

int main(int argc, char **argv) {
    int L = argc - 2;
    if (L < 1) { fprintf(stderr, "usage: gemm_probe n0 n1 ... nL\n"); return 2; }
    int *n = malloc(sizeof(int) * (L + 1));
    for (int l = 0; l <= L; l++) n[l] = atoi(argv[l + 1]);
    int n0 = n[0];
    double **W = calloc(L + 1, sizeof *W), **P = calloc(L + 1, sizeof *P), **Q = calloc(L + 1, sizeof *Q),
           **G = calloc(L + 1, sizeof *G);
    for (int l = 1; l <= L; l++) {
        W[l] = buf((size_t)n[l] * n[l - 1]);
        G[l] = buf((size_t)n[l] * n[l - 1]);
        P[l] = buf((size_t)n[l] * n0);
        Q[l] = buf((size_t)n[l] * n0);
    }
    double *s11 = buf((size_t)n0 * n0);
    double flops = 0;
    for (int l = 2; l <= L; l++) flops += 2.0 * n[l] * n0 * n[l - 1];
    flops += 2.0 * n[L] * n0 * n0;
    for (int l = L - 1; l >= 1; l--) flops += 2.0 * n[l] * n0 * n[l + 1];
    for (int l = 2; l <= L; l++) flops += 2.0 * n[l] * n[l - 1] * n0;
    long reps = 0;
    double t0 = now(), t;
    do {
        for (int l = 2; l <= L; l++)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n[l], n0, n[l - 1], 1.0, W[l], n[l - 1],
                        P[l - 1], n0, 0.0, P[l], n0);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n[L], n0, n0, -1.0, P[L], n0, s11, n0, 1.0,
                    Q[L], n0);
        for (int l = L - 1; l >= 1; l--)
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n[l], n0, n[l + 1], 1.0, W[l + 1], n[l],
                        Q[l + 1], n0, 0.0, Q[l], n0);
        for (int l = 2; l <= L; l++)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n[l], n[l - 1], n0, 1.0, Q[l], n0, P[l - 1],
                        n0, 0.0, G[l], n[l - 1]);
        reps++;
        t = now() - t0;
    } while (t < 1.0 || reps < 5);
    printf("flops_per_rhs %.0f seconds_per_rhs %.9f gflops %.3f core %s\n", flops, t / reps,
           flops * reps / t / 1e9, openblas_get_corename());
    return 0;
}
