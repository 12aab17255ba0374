#ifndef LINFLOW_C_H
#define LINFLOW_C_H

/* linflow's own C code, compiled as this target's sources; GSL, OpenBLAS and LAPACK themselves
   come through the CGSL module map. Why C: these plug into GSL's stepper and control tables,
   whose function pointers take GSL's C structs, and run the innermost vector passes of the
   integrator. */

#include <stddef.h>
#include <gsl/gsl_odeiv2.h>

/* Dormand–Prince 5(4) as a gsl_odeiv2_step_type with first-same-as-last (dp45_step.c). */
const gsl_odeiv2_step_type *linflow_step_dp45(void);

/* Dormand–Prince 8(5,3) as in Hairer's DOP853, as a gsl_odeiv2_step_type with first-same-as-last
   (dop853_step.c); its error estimate weighs the 5th- and 3rd-order differences with
   D_i = eps_abs + eps_rel |y_i|, set here to the control's tolerances (GSL_EINVAL for another
   stepper type or a negative or all-zero scale; without a call, D_i = 1). */
const gsl_odeiv2_step_type *linflow_step_dop853(void);
int linflow_step_dop853_set_error_scale(gsl_odeiv2_step *step, double eps_abs, double eps_rel);

/* Replaces a driver's standard step-size control by one with the root-mean-square error norm,
   same tolerances (rms_control.c). */
int linflow_driver_use_rms_norm(gsl_odeiv2_driver *d, double eps_abs, double eps_rel);

/* The RMS error E of a step, sqrt((1/n) Σ (yerr_i / (eps_abs + eps_rel |y_i|))²), for tests. */
double linflow_rms_norm(double eps_abs, double eps_rel, size_t dim, const double y[], const double yerr[]);

/* OpenBLAS: the kernel set in use, its thread count, and the choice of kernels for CPUs newer
   than the library, done once before any BLAS call (blas_core.c). */
const char *linflow_blas_core(void);
int linflow_blas_threads(void);
const char *linflow_blas_select_core(void);
/* Sets OpenBLAS's thread count for the whole process, as OPENBLAS_NUM_THREADS does at start
   (a sweep running its tasks in-process gives them the count a task's own process would get). */
void linflow_blas_set_threads(int threads);

/* Variable-order NDF (orders 1–5, ode15s's and scipy's BDF) for y' = f(y) with a symmetric
   Jacobian, whose linear solves use one tridiagonal reduction J = Q T Qᵀ for every step size
   (ndf.c). reset: start at (t, y) with step h (evaluates f and J; GSL_EDOM if J is not
   symmetric). apply: steps until the solver's time reaches t1, writes y(t1) (interpolated when
   the last step passed t1) and the steps taken; GSL_EMAXITER after nmax steps (0: no limit), with
   y at linflow_ndf_time. */
typedef struct linflow_ndf linflow_ndf;
typedef struct {
    unsigned long steps, rejections, evaluations, jacobians, reductions, solves;
} linflow_ndf_counts;
linflow_ndf *linflow_ndf_alloc(size_t dim);
void linflow_ndf_free(linflow_ndf *s);
int linflow_ndf_reset(linflow_ndf *s, const gsl_odeiv2_system *sys, double t, const double y[],
                      double h, double eps_abs, double eps_rel);
int linflow_ndf_apply(linflow_ndf *s, const gsl_odeiv2_system *sys, double t1, double y[],
                      unsigned long nmax, unsigned long *steps);
/* For convergence studies: start at t with order k (1…5) and step h from the history y(t − m h),
   m = 0…k (rows of `past`), then step at h and order k without error control. */
int linflow_ndf_start_fixed(linflow_ndf *s, const gsl_odeiv2_system *sys, double t, int order,
                            double h, const double past[], double eps_abs, double eps_rel);
/* The last accepted step's error estimate, max_i |err_i| / (eps_abs + eps_rel |y_i|). */
double linflow_ndf_error_estimate(const linflow_ndf *s);
double linflow_ndf_time(const linflow_ndf *s);
double linflow_ndf_step(const linflow_ndf *s);
int linflow_ndf_order(const linflow_ndf *s);
linflow_ndf_counts linflow_ndf_get_counts(const linflow_ndf *s);

#endif
