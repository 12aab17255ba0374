/* Deterministic random regression data for the benchmarks: x ~ N(0, I) (n_in inputs),
 * y = A x / sqrt(n_in) + 0.1 noise (n_out outputs, A fixed Gaussian), written as CSV with a
 * header, 6 decimals. Same arguments -> same bytes (xorshift64* + Box-Muller, seeded).
 * Usage: gen_data N n_in n_out seed > file.csv */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t s;
static double uniform(void) {
    s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
    return ((s * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}
static double gauss(void) {
    double u = uniform(), v = uniform();
    return sqrt(-2 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: gen_data N n_in n_out seed\n"); return 2; }
    long n = atol(argv[1]);
    int ni = atoi(argv[2]), no = atoi(argv[3]);
    s = 0x9E3779B97F4A7C15ULL ^ strtoull(argv[4], 0, 10);
    double *a = malloc(sizeof(double) * ni * no), *x = malloc(sizeof(double) * ni);
    for (int i = 0; i < ni * no; i++) a[i] = gauss();
    static char out[1 << 16];
    setvbuf(stdout, out, _IOFBF, sizeof out);
    for (int i = 0; i < ni; i++) printf("x%d,", i + 1);
    for (int o = 0; o < no; o++) printf("y%d%c", o + 1, o + 1 < no ? ',' : '\n');
    for (long r = 0; r < n; r++) {
        for (int i = 0; i < ni; i++) { x[i] = gauss(); printf("%.6f,", x[i]); }
        for (int o = 0; o < no; o++) {
            double y = 0;
            for (int i = 0; i < ni; i++) y += a[o * ni + i] * x[i];
            printf("%.6f%c", y / sqrt(ni) + 0.1 * gauss(), o + 1 < no ? ',' : '\n');
        }
    }
    return 0;
}
