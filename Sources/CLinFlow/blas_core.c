#include "linflow.h"

#include <stdlib.h>
#include <string.h>

/* OpenBLAS (Debian's 0.3.21) picks its kernels once, when the library loads, from the CPU model.
   Models newer than the release (e.g. Sapphire/Emerald Rapids) fall back to the generic Prescott
   (SSE3) kernels, 2-5x slower than the AVX-512 ones the CPU can run. The documented way to choose
   is OPENBLAS_CORETYPE, read at load time, i.e. before main(); this redoes that load-time
   initialisation with the core type the CPU's features call for. It must run before any BLAS
   call and on one thread (linflow's main does it first). It does nothing when the user set
   OPENBLAS_CORETYPE, when OpenBLAS recognised the CPU, or when the CPU lacks the features.
   Returns the name of the core in use afterwards. */
char *openblas_get_corename(void);
void gotoblas_init(void);
void gotoblas_quit(void);

int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
const char *linflow_blas_core(void) { return openblas_get_corename(); }
int linflow_blas_threads(void) { return openblas_get_num_threads(); }
void linflow_blas_set_threads(int threads) { openblas_set_num_threads(threads); }

const char *linflow_blas_select_core(void) {
    const char *current = openblas_get_corename();
    if (getenv("OPENBLAS_CORETYPE") != NULL || current == NULL || strcmp(current, "Prescott") != 0)
        return current;
    const char *wanted = NULL;
    __builtin_cpu_init();
    /* The instruction sets OpenBLAS's SkylakeX and Haswell kernels are compiled for
       (__builtin_cpu_supports also checks that the OS saves the AVX/AVX-512 registers). */
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        wanted = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        wanted = "Haswell";
    if (wanted == NULL) return current;
    gotoblas_quit();
    setenv("OPENBLAS_CORETYPE", wanted, 1);
    gotoblas_init();
    /* Not inherited by child processes (gnuplot, the user's own). */
    unsetenv("OPENBLAS_CORETYPE");
    return openblas_get_corename();
}
