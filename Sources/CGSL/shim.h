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

/* LAPACK's Fortran entry points in OpenBLAS, declared for Swift. */
#include "lapack.h"

#endif
