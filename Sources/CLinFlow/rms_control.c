#include "linflow.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

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
int linflow_driver_use_rms_norm(gsl_odeiv2_driver *d, double eps_abs, double eps_rel) {
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
double linflow_rms_norm(double eps_abs, double eps_rel, size_t dim, const double y[], const double yerr[]) {
    linflow_rms_state s = {eps_abs, eps_rel};
    return linflow_rms_error(&s, dim, y, yerr);
}
