#include "linflow.h"
#include "fsal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

/* Dormand–Prince 8(5,3) as in Hairer's DOP853 (Prince & Dormand 1981; Hairer, Nørsett &
   Wanner, Solving ODEs I, §II.10, and the coefficients of Hairer's dop853.f) as a
   gsl_odeiv2_step_type, for GSL's own driver, evolve and controls:

     k_i = f(t + c_i h, y + h Σ_{j<i} a_ij k_j),  i = 1…12,
     y_new = y + h Σ b_i k_i                 (8th order; b_2 … b_5 = 0)
     e5 = Σ ê_i k_i,  e3 = Σ (b_i − b̃_i) k_i  (differences from an embedded 5th- and 3rd-order
                                               solution)
   and k_13 = f(y_new), the next step's k_1 (first same as last): 12 evaluations per step.

   The error estimate is DOP853's combination of the two: with S5 = Σ_i (e5_i/D_i)²,
   S3 = Σ_i (e3_i/D_i)², D_i = eps_abs + eps_rel |y_new,i|,

     yerr = h ρ e5,   ρ = sqrt(S5 / (S5 + 0.01 S3)),

   so that the RMS norm of yerr/D is DOP853's err = |h| S5 / sqrt(n (S5 + 0.01 S3)) (Hairer
   takes D_i with max(|y_i|, |y_new,i|), linflow's controls take |y_new,i|). Where the 5th-order
   difference is much smaller than the 3rd-order one (small h) ρ ≈ 10 |e5|/|e3| = O(h²) and the
   estimate is O(h⁸) per step, like the error of a 7th-order embedded solution: the stepper
   reports order 8, as GSL's rk8pd does, and GSL's controls adjust h by E^(-1/8) and E^(-1/9).
   Under the max norm the same vector is measured component by component. The weights D_i of ρ
   are the control's: linflow_step_dop853_set_error_scale sets them (without it, D_i = 1).

   As in dp45_step.c: each stage's argument is one fused pass over y and the earlier k's that
   enter it (the tableau is sparse: stages 6…12 skip k_2 and k_3); the 8th-order solution, e5,
   and the sums S5 and S3 come from one further pass, which writes y_new into y and h e5 into
   yerr; a last pass scales yerr by ρ. k_13 is evaluated into GSL's dydt_out and reused as the
   next step's k_1; on a retry after a rejected step k_1 = f(y) is reused unless it lived in
   dydt_out, which the rejected try overwrote (fsal.h). can_use_dydt_in is 0 so that evolve does not evaluate f(y) itself at every step. */

typedef struct {
    double *k[12];     /* k[0]: a freshly evaluated k_1; k[1..11]: k_2 … k_12 */
    double *k13;       /* k_13 when the caller gives no dydt_out */
    double *ytmp;      /* the stage argument */
    double *ysave;     /* y at the step's start, only when no driver's evolve holds a copy */
    const gsl_odeiv2_driver *driver;
    double eps_abs, eps_rel;  /* D_i of ρ */
    linflow_fsal fsal;
} linflow_dop853_state;

/* Nodes c_2 … c_12 (c_1 = 0). */
static const double linflow_dop853_c[12] = {
    0.0,
    0.526001519587677318785587544488e-01,
    0.789002279381515978178381316732e-01,
    0.118350341907227396726757197510e+00,
    0.281649658092772603273242802490e+00,
    0.333333333333333333333333333333e+00,
    0.25e+00,
    0.307692307692307692307692307692e+00,
    0.651282051282051282051282051282e+00,
    0.6e+00,
    0.857142857142857142857142857142e+00,
    1.0};

/* a_ij by stage, only the nonzero entries; linflow_dop853_ja lists the j's (0-based k's). */
static const int linflow_dop853_nonzero[12] = {0, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9};
static const int linflow_dop853_ja[12][9] = {
    {0}, {0}, {0, 1}, {0, 2}, {0, 2, 3}, {0, 3, 4}, {0, 3, 4, 5}, {0, 3, 4, 5, 6},
    {0, 3, 4, 5, 6, 7}, {0, 3, 4, 5, 6, 7, 8}, {0, 3, 4, 5, 6, 7, 8, 9}, {0, 3, 4, 5, 6, 7, 8, 9, 10}};
static const double linflow_dop853_a[12][9] = {
    {0},
    {5.26001519587677318785587544488e-2},
    {1.97250569845378994544595329183e-2, 5.91751709536136983633785987549e-2},
    {2.95875854768068491816892993775e-2, 8.87627564304205475450678981324e-2},
    {2.41365134159266685502369798665e-1, -8.84549479328286085344864962717e-1, 9.24834003261792003115737966543e-1},
    {3.7037037037037037037037037037e-2, 1.70828608729473871279604482173e-1, 1.25467687566822425016691814123e-1},
    {3.7109375e-2, 1.70252211019544039314978060272e-1, 6.02165389804559606850219397283e-2, -1.7578125e-2},
    {3.70920001185047927108779319836e-2, 1.70383925712239993810214054705e-1, 1.07262030446373284651809199168e-1,
     -1.53194377486244017527936158236e-2, 8.27378916381402288758473766002e-3},
    {6.24110958716075717114429577812e-1, -3.36089262944694129406857109825e0, -8.68219346841726006818189891453e-1,
     2.75920996994467083049415600797e1, 2.01540675504778934086186788979e1, -4.34898841810699588477366255144e1},
    {4.77662536438264365890433908527e-1, -2.48811461997166764192642586468e0, -5.90290826836842996371446475743e-1,
     2.12300514481811942347288949897e1, 1.52792336328824235832596922938e1, -3.32882109689848629194453265587e1,
     -2.03312017085086261358222928593e-2},
    {-9.3714243008598732571704021658e-1, 5.18637242884406370830023853209e0, 1.09143734899672957818500254654e0,
     -8.14978701074692612513997267357e0, -1.85200656599969598641566180701e1, 2.27394870993505042818970056734e1,
     2.49360555267965238987089396762e0, -3.0467644718982195003823669022e0},
    {2.27331014751653820792359768449e0, -1.05344954667372501984066689879e1, -2.00087205822486249909675718444e0,
     -1.79589318631187989172765950534e1, 2.79488845294199600508499808837e1, -2.85899827713502369474065508674e0,
     -8.87285693353062954433549289258e0, 1.23605671757943030647266201528e1, 6.43392746015763530355970484046e-1}};

/* Weights on k_1, k_6 … k_12 (the others are 0): b (8th order), ê (e5), b − b̃ (e3). */
static const double linflow_dop853_b[8] = {
    5.42937341165687622380535766363e-2, 4.45031289275240888144113950566e0, 1.89151789931450038304281599044e0,
    -5.8012039600105847814672114227e0, 3.1116436695781989440891606237e-1, -1.52160949662516078556178806805e-1,
    2.01365400804030348374776537501e-1, 4.47106157277725905176885569043e-2};
static const double linflow_dop853_e5[8] = {
    0.1312004499419488073250102996e-1, -0.1225156446376204440720569753e+1, -0.4957589496572501915214079952e0,
    0.1664377182454986536961530415e+1, -0.3503288487499736816886487290e0, 0.3341791187130174790297318841e0,
    0.8192320648511571246570742613e-1, -0.2235530786388629525884427845e-1};
/* b̃'s nonzero entries (on k_1, k_9, k_12): b − b̃ is b with these subtracted. */
static const double linflow_dop853_bhh1 = 0.244094488188976377952755905512e0;
static const double linflow_dop853_bhh9 = 0.733846688281611857341361741547e0;
static const double linflow_dop853_bhh12 = 0.220588235294117647058823529412e-1;

static void linflow_dop853_free(void *vstate) {
    linflow_dop853_state *s = (linflow_dop853_state *)vstate;
    if (s == NULL) return;
    for (int i = 0; i < 12; i++) free(s->k[i]);
    free(s->k13);
    free(s->ytmp);
    free(s->ysave);
    free(s);
}

static void *linflow_dop853_alloc(size_t dim) {
    linflow_dop853_state *s = (linflow_dop853_state *)calloc(1, sizeof(linflow_dop853_state));
    if (s == NULL) return NULL;
    int ok = 1;
    for (int i = 0; i < 12; i++) ok &= (s->k[i] = (double *)malloc(dim * sizeof(double))) != NULL;
    ok &= (s->k13 = (double *)malloc(dim * sizeof(double))) != NULL;
    ok &= (s->ytmp = (double *)malloc(dim * sizeof(double))) != NULL;
    ok &= (s->ysave = (double *)malloc(dim * sizeof(double))) != NULL;
    if (!ok) { linflow_dop853_free(s); return NULL; }
    s->eps_abs = 1;
    s->eps_rel = 0;
    return s;
}

static int linflow_dop853_reset(void *vstate, size_t dim) {
    (void)dim;
    linflow_fsal_reset(&((linflow_dop853_state *)vstate)->fsal);
    return GSL_SUCCESS;
}

static int linflow_dop853_set_driver(void *vstate, const gsl_odeiv2_driver *d) {
    ((linflow_dop853_state *)vstate)->driver = d;
    return GSL_SUCCESS;
}

static unsigned int linflow_dop853_order(void *vstate) { (void)vstate; return 8; }

/* ytmp = y + h Σ_j a_j k_j over the m earlier stages that enter (m = 1…9), one pass; one loop
   per m so that each is a straight vectorisable loop over restrict pointers. */
static void linflow_dop853_stage(size_t dim, double *restrict ytmp, const double *restrict y, double h,
                                 const double *a, int m, const double *const *q) {
    double c[9] = {0};
    const double *p[9];
    for (int j = 0; j < 9; j++) { c[j] = j < m ? h * a[j] : 0; p[j] = j < m ? q[j] : q[0]; }
    const double *restrict p0 = p[0], *restrict p1 = p[1], *restrict p2 = p[2], *restrict p3 = p[3],
                 *restrict p4 = p[4], *restrict p5 = p[5], *restrict p6 = p[6], *restrict p7 = p[7],
                 *restrict p8 = p[8];
    const double c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4], c5 = c[5], c6 = c[6], c7 = c[7], c8 = c[8];
    switch (m) {
    case 1: for (size_t i = 0; i < dim; i++) ytmp[i] = y[i] + c0 * p0[i]; break;
    case 2: for (size_t i = 0; i < dim; i++) ytmp[i] = y[i] + (c0 * p0[i] + c1 * p1[i]); break;
    case 3: for (size_t i = 0; i < dim; i++) ytmp[i] = y[i] + (c0 * p0[i] + c1 * p1[i] + c2 * p2[i]); break;
    case 4:
        for (size_t i = 0; i < dim; i++) ytmp[i] = y[i] + (c0 * p0[i] + c1 * p1[i] + c2 * p2[i] + c3 * p3[i]);
        break;
    case 5:
        for (size_t i = 0; i < dim; i++)
            ytmp[i] = y[i] + (c0 * p0[i] + c1 * p1[i] + c2 * p2[i] + c3 * p3[i] + c4 * p4[i]);
        break;
    case 6:
        for (size_t i = 0; i < dim; i++)
            ytmp[i] = y[i] + (c0 * p0[i] + c1 * p1[i] + c2 * p2[i] + c3 * p3[i] + c4 * p4[i] + c5 * p5[i]);
        break;
    case 7:
        for (size_t i = 0; i < dim; i++)
            ytmp[i] = y[i] + (c0 * p0[i] + c1 * p1[i] + c2 * p2[i] + c3 * p3[i] + c4 * p4[i] + c5 * p5[i] + c6 * p6[i]);
        break;
    case 8:
        for (size_t i = 0; i < dim; i++)
            ytmp[i] = y[i] + (c0 * p0[i] + c1 * p1[i] + c2 * p2[i] + c3 * p3[i] + c4 * p4[i] + c5 * p5[i] + c6 * p6[i]
                              + c7 * p7[i]);
        break;
    default:
        for (size_t i = 0; i < dim; i++)
            ytmp[i] = y[i] + (c0 * p0[i] + c1 * p1[i] + c2 * p2[i] + c3 * p3[i] + c4 * p4[i] + c5 * p5[i] + c6 * p6[i]
                              + c7 * p7[i] + c8 * p8[i]);
        break;
    }
}

static int linflow_dop853_apply(void *vstate, size_t dim, double t, double h, double y[], double yerr[],
                                const double dydt_in[], double dydt_out[], const gsl_odeiv2_system *sys) {
    linflow_dop853_state *s = (linflow_dop853_state *)vstate;
    /* k_13 goes to dydt_out (GSL's exact derivative at the new point) or a buffer of our own. */
    double *k13 = dydt_out != NULL ? dydt_out : s->k13;
    const double *k1;
    int first = linflow_fsal_first_stage(&s->fsal, sys, t, y, dydt_in, s->k[0], k13, &k1);
    if (first != GSL_SUCCESS) return first;

    const double *ks[12] = {k1, s->k[1], s->k[2], s->k[3], s->k[4], s->k[5],
                            s->k[6], s->k[7], s->k[8], s->k[9], s->k[10], s->k[11]};
    for (int m = 1; m < 12; m++) {  /* stages 2…12: k_{m+1} = f(t + c h, y + h Σ a k) */
        const int n = linflow_dop853_nonzero[m];
        const double *q[9];
        for (int j = 0; j < n; j++) q[j] = ks[linflow_dop853_ja[m][j]];
        linflow_dop853_stage(dim, s->ytmp, y, h, linflow_dop853_a[m], n, q);
        int st = GSL_ODEIV_FN_EVAL(sys, t + linflow_dop853_c[m] * h, s->ytmp, s->k[m]);
        if (st != GSL_SUCCESS) return st;  /* y untouched; k_start still valid */
    }
    /* y is overwritten below: keep it where a failure of f can restore it from. */
    const double *y0 = linflow_fsal_saved_y(s->driver, s->ysave, y, dim);
    double s5 = 0, s3 = 0;
    {   /* one pass: y ← y + h Σ b k (8th order), yerr ← h e5, and the weighted sums S5, S3 */
        const double *b = linflow_dop853_b, *e = linflow_dop853_e5;
        const double b0 = h * b[0], b5 = h * b[1], b6 = h * b[2], b7 = h * b[3], b8 = h * b[4], b9 = h * b[5],
                     b10 = h * b[6], b11 = h * b[7];
        const double e0 = e[0], e5c = e[1], e6 = e[2], e7 = e[3], e8 = e[4], e9 = e[5], e10 = e[6], e11 = e[7];
        const double d0 = b[0] - linflow_dop853_bhh1, d8 = b[4] - linflow_dop853_bhh9,
                     d11 = b[7] - linflow_dop853_bhh12;
        const double d5 = b[1], d6 = b[2], d7 = b[3], d9 = b[5], d10 = b[6];
        const double *restrict q0 = k1, *restrict q5 = ks[5], *restrict q6 = ks[6], *restrict q7 = ks[7],
                     *restrict q8 = ks[8], *restrict q9 = ks[9], *restrict q10 = ks[10], *restrict q11 = ks[11];
        const double ea = s->eps_abs, er = s->eps_rel;
        double *restrict yy = y, *restrict ye = yerr;
        for (size_t i = 0; i < dim; i++) {
            const double x0 = q0[i], x5 = q5[i], x6 = q6[i], x7 = q7[i], x8 = q8[i], x9 = q9[i], x10 = q10[i],
                         x11 = q11[i];
            const double ynew = yy[i] + (b0 * x0 + b5 * x5 + b6 * x6 + b7 * x7 + b8 * x8 + b9 * x9 + b10 * x10
                                         + b11 * x11);
            const double err5 = e0 * x0 + e5c * x5 + e6 * x6 + e7 * x7 + e8 * x8 + e9 * x9 + e10 * x10 + e11 * x11;
            const double err3 = d0 * x0 + d5 * x5 + d6 * x6 + d7 * x7 + d8 * x8 + d9 * x9 + d10 * x10 + d11 * x11;
            const double d = ea + er * fabs(ynew);
            if (d > 0) {  /* D_i = 0 (eps_abs = 0 at y_i = 0): the control cannot weigh it either */
                s5 += (err5 / d) * (err5 / d);
                s3 += (err3 / d) * (err3 / d);
            }
            yy[i] = ynew;
            ye[i] = h * err5;
        }
    }
    {   /* yerr ← ρ h e5 */
        const double denominator = s5 + 0.01 * s3;
        const double rho = denominator > 0 ? sqrt(s5 / denominator) : 0;
        double *restrict ye = yerr;
        for (size_t i = 0; i < dim; i++) ye[i] *= rho;
    }
    int st = GSL_ODEIV_FN_EVAL(sys, t + h, y, k13);
    if (st != GSL_SUCCESS) {
        memcpy(y, y0, dim * sizeof(double));
        return st;
    }
    linflow_fsal_end(&s->fsal, t + h, k13);
    return GSL_SUCCESS;
}

static const gsl_odeiv2_step_type linflow_dop853_step_type = {
    "dop853", 0 /* can_use_dydt_in: FSAL inside */, 1 /* gives_exact_dydt_out */,
    &linflow_dop853_alloc, &linflow_dop853_apply, &linflow_dop853_set_driver, &linflow_dop853_reset,
    &linflow_dop853_order, &linflow_dop853_free};

const gsl_odeiv2_step_type *linflow_step_dop853(void) { return &linflow_dop853_step_type; }

int linflow_step_dop853_set_error_scale(gsl_odeiv2_step *step, double eps_abs, double eps_rel) {
    if (step == NULL || step->type != &linflow_dop853_step_type) return GSL_EINVAL;
    if (!(eps_abs >= 0) || !(eps_rel >= 0) || !(eps_abs > 0 || eps_rel > 0)) return GSL_EINVAL;
    linflow_dop853_state *s = (linflow_dop853_state *)step->state;
    s->eps_abs = eps_abs;
    s->eps_rel = eps_rel;
    return GSL_SUCCESS;
}
