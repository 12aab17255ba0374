#ifndef LINFLOW_FSAL_H
#define LINFLOW_FSAL_H

/* First same as last under GSL's evolve, shared by dp45_step.c and dop853_step.c.

   The last stage of an accepted step, f(y_new), is the next step's first, f(y). GSL's evolve
   saves y in e->y0, calls the stepper, and on a rejected step restores y and calls again at the
   same t with a smaller h. A stepper therefore keeps the t of the step it last began (retry:
   k_1 = f(y) is still valid unless dydt_out, where it may live, was overwritten) and the t it
   ended at (next step: k_1 = the last stage). Anything else (a new start, a reset, a t that
   matches neither) evaluates k_1 afresh. */

#include <stddef.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

typedef struct {
    double t_start, t_end;
    const double *k_start;  /* f(y) at t_start, for a retry after a rejected step, or NULL */
    const double *k_end;    /* f(y_new) at t_end, the next step's k_1, or NULL */
} linflow_fsal;

static inline void linflow_fsal_reset(linflow_fsal *f) { f->k_start = f->k_end = NULL; }

/* k_1 of a step beginning at t: GSL's dydt_in, the last step's last stage, this step's k_1 on a
   retry, or f(y) evaluated into `fresh`. `last` is where this step's last stage will be written:
   if k_1 lives there, a retry must evaluate it anew. */
static inline int linflow_fsal_first_stage(linflow_fsal *f, const gsl_odeiv2_system *sys, double t, const double *y,
                                           const double *dydt_in, double *fresh, const double *last,
                                           const double **k1) {
    if (dydt_in != NULL) {
        *k1 = dydt_in;
    } else if (f->k_end != NULL && t == f->t_end) {
        *k1 = f->k_end;            /* first same as last */
    } else if (f->k_start != NULL && t == f->t_start) {
        *k1 = f->k_start;          /* evolve rejected the last try and restored y */
    } else {
        int st = GSL_ODEIV_FN_EVAL(sys, t, y, fresh);
        if (st != GSL_SUCCESS) { linflow_fsal_reset(f); return st; }
        *k1 = fresh;
    }
    f->t_start = t;
    f->k_start = (*k1 == last) ? NULL : *k1;
    f->k_end = NULL;
    return GSL_SUCCESS;
}

/* The step ended at t_end (evolve's next t when it accepts the step, not always a row time)
   with its last stage in `last`. */
static inline void linflow_fsal_end(linflow_fsal *f, double t_end, const double *last) {
    f->t_end = t_end;
    f->k_end = last;
}

/* Where y at the step's start can be restored from once the step overwrites y: the driver's
   evolve keeps a copy; without one, it is copied into `ysave`. */
static inline const double *linflow_fsal_saved_y(const gsl_odeiv2_driver *driver, double *ysave, const double *y,
                                                 size_t dim) {
    if (driver != NULL && driver->e != NULL) return driver->e->y0;
    memcpy(ysave, y, dim * sizeof(double));
    return ysave;
}

#endif
