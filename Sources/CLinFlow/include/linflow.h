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

#endif
