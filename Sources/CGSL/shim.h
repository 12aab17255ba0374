#ifndef LINFLOW_CGSL_SHIM_H
#define LINFLOW_CGSL_SHIM_H

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_version.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <float.h>

/* GSL exposes its stepper and generator types as mutable globals, which Swift 6 rejects as not
   concurrency-safe. These accessors hand out the (immutable in practice) descriptors. */
static inline const gsl_odeiv2_step_type *linflow_step_rkf45(void) { return gsl_odeiv2_step_rkf45; }
static inline const gsl_odeiv2_step_type *linflow_step_rkck(void) { return gsl_odeiv2_step_rkck; }
static inline const gsl_odeiv2_step_type *linflow_step_rk8pd(void) { return gsl_odeiv2_step_rk8pd; }
static inline const gsl_odeiv2_step_type *linflow_step_rk2(void) { return gsl_odeiv2_step_rk2; }
static inline const gsl_odeiv2_step_type *linflow_step_rk4(void) { return gsl_odeiv2_step_rk4; }
static inline const gsl_odeiv2_step_type *linflow_step_rk1imp(void) { return gsl_odeiv2_step_rk1imp; }
static inline const gsl_odeiv2_step_type *linflow_step_rk2imp(void) { return gsl_odeiv2_step_rk2imp; }
static inline const gsl_odeiv2_step_type *linflow_step_rk4imp(void) { return gsl_odeiv2_step_rk4imp; }
static inline const gsl_odeiv2_step_type *linflow_step_bsimp(void) { return gsl_odeiv2_step_bsimp; }
static inline const gsl_odeiv2_step_type *linflow_step_msadams(void) { return gsl_odeiv2_step_msadams; }
static inline const gsl_odeiv2_step_type *linflow_step_msbdf(void) { return gsl_odeiv2_step_msbdf; }
static inline const gsl_rng_type *linflow_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const char *linflow_gsl_version(void) { return gsl_version; }

/* Number of steps the driver has taken (the struct field is not reachable from Swift's
   import of an incomplete type on every GSL version, so read it here). */
static inline unsigned long linflow_driver_steps(const gsl_odeiv2_driver *d) { return d->n; }

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
static inline const char *linflow_blas_core(void) { return openblas_get_corename(); }
static inline int linflow_blas_threads(void) { return openblas_get_num_threads(); }

static inline const char *linflow_blas_select_core(void) {
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

/* LAPACK, from the same OpenBLAS (Debian ships no LAPACKE in it): the Fortran entry points,
   every argument by reference, the lengths of CHARACTER arguments appended (gfortran's ABI). */
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
void dstevx_(const char *jobz, const char *range, const int *n, double *d, double *e,
             const double *vl, const double *vu, const int *il, const int *iu, const double *abstol,
             int *m, double *w, double *z, const int *ldz, double *work, int *iwork, int *ifail,
             int *info, size_t jobz_len, size_t range_len);

/* A step-size control with a root-mean-square error norm, as scipy's solve_ivp, MATLAB's ode45
   and SUNDIALS use: the step is accepted when
       E = sqrt( (1/n) sum_i ( yerr_i / (eps_abs + eps_rel |y_i|) )^2 ) <= 1.1,
   where GSL's standard control takes E = max_i |yerr_i| / D_i. The step-size rule is GSL's own
   (std_control_hadjust): shrink by max(0.2, 0.9 E^(-1/q)) when E > 1.1, grow by
   min(5, max(1, 0.9 E^(-1/(q+1)))) when E < 0.5, with q the stepper's order. */
typedef struct { double eps_abs, eps_rel; } linflow_rms_state;

static void *linflow_rms_alloc(void) { return malloc(sizeof(linflow_rms_state)); }

static int linflow_rms_init(void *vstate, double eps_abs, double eps_rel, double a_y, double a_dydt) {
    (void)a_y; (void)a_dydt;
    if (!(eps_abs >= 0) || !(eps_rel >= 0)) return GSL_EINVAL;
    linflow_rms_state *s = (linflow_rms_state *)vstate;
    s->eps_abs = eps_abs;
    s->eps_rel = eps_rel;
    return GSL_SUCCESS;
}

static inline double linflow_rms_error(const linflow_rms_state *s, size_t dim, const double y[], const double yerr[]) {
    double sum = 0;
    for (size_t i = 0; i < dim; i++) {
        const double r = yerr[i] / (s->eps_abs + s->eps_rel * fabs(y[i]));
        sum += r * r;
    }
    return sqrt(sum / (double)dim);
}

static inline int linflow_rms_hadjust(void *vstate, size_t dim, unsigned int ord, const double y[],
                                      const double yerr[], const double yp[], double *h) {
    (void)yp;
    const double S = 0.9, h_old = *h;
    double e = linflow_rms_error((const linflow_rms_state *)vstate, dim, y, yerr);
    if (!(e == e)) e = HUGE_VAL; /* NaN: shrink */
    if (e < DBL_MIN) e = DBL_MIN;
    if (e > 1.1) {
        double r = S / pow(e, 1.0 / ord);
        if (r < 0.2) r = 0.2;
        *h = r * h_old;
        return GSL_ODEIV_HADJ_DEC;
    }
    if (e < 0.5) {
        double r = S / pow(e, 1.0 / (ord + 1.0));
        if (r > 5.0) r = 5.0;
        if (r < 1.0) r = 1.0;
        *h = r * h_old;
        return GSL_ODEIV_HADJ_INC;
    }
    return GSL_ODEIV_HADJ_NIL;
}

/* The per-component error level msadams/msbdf ask for: the same D_i as the norm's. */
static int linflow_rms_errlevel(void *vstate, const double y, const double dydt, const double h,
                                const size_t ind, double *errlev) {
    (void)dydt; (void)h; (void)ind;
    const linflow_rms_state *s = (const linflow_rms_state *)vstate;
    *errlev = s->eps_abs + s->eps_rel * fabs(y);
    return GSL_SUCCESS;
}

static int linflow_rms_set_driver(void *vstate, const gsl_odeiv2_driver *d) { (void)vstate; (void)d; return GSL_SUCCESS; }
static void linflow_rms_free(void *vstate) { free(vstate); }

static const gsl_odeiv2_control_type linflow_rms_control_type = {
    "linflow_rms", &linflow_rms_alloc, &linflow_rms_init, &linflow_rms_hadjust,
    &linflow_rms_errlevel, &linflow_rms_set_driver, &linflow_rms_free};

/* Replaces the driver's standard control with the RMS one (same tolerances). */
static inline int linflow_driver_use_rms_norm(gsl_odeiv2_driver *d, double eps_abs, double eps_rel) {
    gsl_odeiv2_control *c = gsl_odeiv2_control_alloc(&linflow_rms_control_type);
    if (c == NULL) return GSL_ENOMEM;
    int status = gsl_odeiv2_control_init(c, eps_abs, eps_rel, 1.0, 0.0);
    if (status == GSL_SUCCESS) status = gsl_odeiv2_control_set_driver(c, d);
    if (status != GSL_SUCCESS) { gsl_odeiv2_control_free(c); return status; }
    gsl_odeiv2_control_free(d->c);
    d->c = c;
    return GSL_SUCCESS;
}

/* The RMS error E of a step, for tests of the norm. */
static inline double linflow_rms_norm(double eps_abs, double eps_rel, size_t dim, const double y[], const double yerr[]) {
    linflow_rms_state s = {eps_abs, eps_rel};
    return linflow_rms_error(&s, dim, y, yerr);
}

#endif
