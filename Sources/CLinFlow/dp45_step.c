#include "linflow.h"
#include "fsal.h"

#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

/* Dormand–Prince 5(4) (Dormand & Prince 1980; Hairer, Nørsett & Wanner, Table II.5.2) as a
   gsl_odeiv2_step_type, for GSL's own driver, evolve and controls:

     k_i = f(t + c_i h, y + h Σ_{j<i} a_ij k_j),  i = 1…7,
     y_new = y + h Σ b_i k_i            (5th order; b_i = a_7i, so k_7 = f(y_new): FSAL)
     yerr  = h Σ (b_i − b*_i) k_i       (b*: the embedded 4th-order weights)

   Why a stepper of our own: on large networks GSL's rkf45 spends as long in its vector passes
   as in the RHS. Here each stage's argument is one fused pass over y and the earlier k's, the
   5th-order solution is written straight into y together with the k_7-free part of yerr (one
   pass), and k_7 is evaluated into GSL's dydt_out and reused as the next step's k_1 (first
   same as last), so a step costs 6 RHS evaluations, as rkf45's does under GSL's evolve (whose
   rkf45 evaluates f(y_new) for dydt_out, which evolve copies into the next step's dydt_in).
   Vector passes per step (reads + writes of n doubles), stepper, evolve and control together:
   41 here against 49 for rkf45 (its own y and k_1 copies, a separate yerr pass, evolve's copy
   of dydt_out into dydt_in).

   FSAL under GSL's evolve: see fsal.h. can_use_dydt_in is 0 so that evolve does not evaluate
   f(y) itself at every step. */

typedef struct {
    double *k[6];      /* k[0]: a freshly evaluated k_1; k[1..5]: k_2 … k_6 */
    double *k7;        /* k_7 when the caller gives no dydt_out */
    double *ytmp;      /* the stage argument */
    double *ysave;     /* y at the step's start, only when no driver's evolve holds a copy */
    const gsl_odeiv2_driver *driver;
    linflow_fsal fsal;
} linflow_dp45_state;

/* Butcher tableau. */
static const double linflow_dp45_c[7] = {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1};
static const double linflow_dp45_a2[1] = {1.0 / 5};
static const double linflow_dp45_a3[2] = {3.0 / 40, 9.0 / 40};
static const double linflow_dp45_a4[3] = {44.0 / 45, -56.0 / 15, 32.0 / 9};
static const double linflow_dp45_a5[4] = {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729};
static const double linflow_dp45_a6[5] = {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656};
/* b_1…b_6 (b_2 = 0, b_7 = 0) and e_i = b_i − b*_i. */
static const double linflow_dp45_b[6] = {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84};
static const double linflow_dp45_e[7] = {71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40};

static void linflow_dp45_free(void *vstate) {
    linflow_dp45_state *s = (linflow_dp45_state *)vstate;
    if (s == NULL) return;
    for (int i = 0; i < 6; i++) free(s->k[i]);
    free(s->k7);
    free(s->ytmp);
    free(s->ysave);
    free(s);
}

static void *linflow_dp45_alloc(size_t dim) {
    linflow_dp45_state *s = (linflow_dp45_state *)calloc(1, sizeof(linflow_dp45_state));
    if (s == NULL) return NULL;
    int ok = 1;
    for (int i = 0; i < 6; i++) ok &= (s->k[i] = (double *)malloc(dim * sizeof(double))) != NULL;
    ok &= (s->k7 = (double *)malloc(dim * sizeof(double))) != NULL;
    ok &= (s->ytmp = (double *)malloc(dim * sizeof(double))) != NULL;
    ok &= (s->ysave = (double *)malloc(dim * sizeof(double))) != NULL;
    if (!ok) { linflow_dp45_free(s); return NULL; }
    return s;
}

static int linflow_dp45_reset(void *vstate, size_t dim) {
    (void)dim;
    linflow_fsal_reset(&((linflow_dp45_state *)vstate)->fsal);
    return GSL_SUCCESS;
}

static int linflow_dp45_set_driver(void *vstate, const gsl_odeiv2_driver *d) {
    ((linflow_dp45_state *)vstate)->driver = d;
    return GSL_SUCCESS;
}

static unsigned int linflow_dp45_order(void *vstate) { (void)vstate; return 5; }

/* ytmp = y + h Σ_{j<m} a_j k_j, one pass (m = 1…5 earlier stages); one loop per m so that each
   is a straight vectorisable loop over restrict pointers. */
static inline void linflow_dp45_stage(size_t dim, double *restrict ytmp, const double *restrict y, double h,
                                      const double *a, int m, const double *const *k) {
    const double *restrict k0 = k[0], *restrict k1 = k[1], *restrict k2 = k[2], *restrict k3 = k[3], *restrict k4 = k[4];
    const double a0 = h * a[0], a1 = m > 1 ? h * a[1] : 0, a2 = m > 2 ? h * a[2] : 0, a3 = m > 3 ? h * a[3] : 0,
                 a4 = m > 4 ? h * a[4] : 0;
    if (m == 1) {
        for (size_t i = 0; i < dim; i++) ytmp[i] = y[i] + a0 * k0[i];
    } else if (m == 2) {
        for (size_t i = 0; i < dim; i++) ytmp[i] = y[i] + (a0 * k0[i] + a1 * k1[i]);
    } else if (m == 3) {
        for (size_t i = 0; i < dim; i++) ytmp[i] = y[i] + (a0 * k0[i] + a1 * k1[i] + a2 * k2[i]);
    } else if (m == 4) {
        for (size_t i = 0; i < dim; i++) ytmp[i] = y[i] + (a0 * k0[i] + a1 * k1[i] + a2 * k2[i] + a3 * k3[i]);
    } else {
        for (size_t i = 0; i < dim; i++)
            ytmp[i] = y[i] + (a0 * k0[i] + a1 * k1[i] + a2 * k2[i] + a3 * k3[i] + a4 * k4[i]);
    }
}

static int linflow_dp45_apply(void *vstate, size_t dim, double t, double h, double y[], double yerr[],
                              const double dydt_in[], double dydt_out[], const gsl_odeiv2_system *sys) {
    linflow_dp45_state *s = (linflow_dp45_state *)vstate;
    /* k_7 goes to dydt_out (GSL's exact derivative at the new point) or a buffer of our own. */
    double *k7 = dydt_out != NULL ? dydt_out : s->k7;
    const double *k1;
    int first = linflow_fsal_first_stage(&s->fsal, sys, t, y, dydt_in, s->k[0], k7, &k1);
    if (first != GSL_SUCCESS) return first;

    const double *ks[6] = {k1, s->k[1], s->k[2], s->k[3], s->k[4], s->k[5]};
    const double *const a[5] = {linflow_dp45_a2, linflow_dp45_a3, linflow_dp45_a4, linflow_dp45_a5, linflow_dp45_a6};
    for (int m = 1; m <= 5; m++) {  /* stages 2…6: k_{m+1} = f(t + c h, y + h Σ a k) */
        linflow_dp45_stage(dim, s->ytmp, y, h, a[m - 1], m, ks);
        int st = GSL_ODEIV_FN_EVAL(sys, t + linflow_dp45_c[m] * h, s->ytmp, s->k[m]);
        if (st != GSL_SUCCESS) return st;  /* y untouched; k_start still valid */
    }
    /* y may be overwritten below: keep it where a failure of f can restore it from. */
    const double *y0 = linflow_fsal_saved_y(s->driver, s->ysave, y, dim);
    {   /* one pass: y ← y + h Σ b k (5th order), yerr ← h Σ_{i≤6} e_i k_i */
        const double b0 = h * linflow_dp45_b[0], b2 = h * linflow_dp45_b[2], b3 = h * linflow_dp45_b[3],
                     b4 = h * linflow_dp45_b[4], b5 = h * linflow_dp45_b[5];
        const double e0 = h * linflow_dp45_e[0], e2 = h * linflow_dp45_e[2], e3 = h * linflow_dp45_e[3],
                     e4 = h * linflow_dp45_e[4], e5 = h * linflow_dp45_e[5];
        const double *restrict q0 = k1, *restrict q2 = s->k[2], *restrict q3 = s->k[3], *restrict q4 = s->k[4],
                     *restrict q5 = s->k[5];
        double *restrict yy = y, *restrict ye = yerr;
        for (size_t i = 0; i < dim; i++) {
            const double x0 = q0[i], x2 = q2[i], x3 = q3[i], x4 = q4[i], x5 = q5[i];
            yy[i] += b0 * x0 + b2 * x2 + b3 * x3 + b4 * x4 + b5 * x5;
            ye[i] = e0 * x0 + e2 * x2 + e3 * x3 + e4 * x4 + e5 * x5;
        }
    }
    int st = GSL_ODEIV_FN_EVAL(sys, t + h, y, k7);
    if (st != GSL_SUCCESS) {
        memcpy(y, y0, dim * sizeof(double));
        return st;
    }
    {
        const double e6 = h * linflow_dp45_e[6];
        const double *restrict q6 = k7;
        double *restrict ye = yerr;
        for (size_t i = 0; i < dim; i++) ye[i] += e6 * q6[i];
    }
    linflow_fsal_end(&s->fsal, t + h, k7);
    return GSL_SUCCESS;
}

static const gsl_odeiv2_step_type linflow_dp45_step_type = {
    "dp45", 0 /* can_use_dydt_in: FSAL inside */, 1 /* gives_exact_dydt_out */,
    &linflow_dp45_alloc, &linflow_dp45_apply, &linflow_dp45_set_driver, &linflow_dp45_reset,
    &linflow_dp45_order, &linflow_dp45_free};

const gsl_odeiv2_step_type *linflow_step_dp45(void) { return &linflow_dp45_step_type; }
