#include "linflow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <float.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_cblas.h>

/* Variable-order (1–5) numerical differentiation formulas (NDF; Klopfenstein 1971, Shampine &
   Reichelt 1997, "The MATLAB ODE suite", as ode15s and scipy's BDF use them), for an autonomous
   y' = f(y) whose Jacobian J = ∂f/∂y is symmetric (a gradient flow: J = −H).

   The step of order k, with D_j = ∇^j y_n the backward differences at a constant step h:

     y_{n+1}⁽⁰⁾ = Σ_{j=0}^{k} D_j                                        (predictor)
     ψ = (1/α_k) Σ_{j=1}^{k} γ_j D_j,  γ_j = Σ_{i=1}^{j} 1/i,  α_k = (1 − κ_k) γ_k
     y_{n+1} − y_{n+1}⁽⁰⁾ + ψ = c f(y_{n+1}),  c = h / α_k                (corrector)

   solved by Newton's method with the matrix I − cJ. The local error is
   err = (κ_k γ_k + 1/(k+1)) (y_{n+1} − y_{n+1}⁽⁰⁾), measured in the max norm against
   D_i = eps_abs + eps_rel |y_i|. A step size change by a factor r rescales the differences
   (D ← (R(r) U)ᵀ D, Shampine & Reichelt's quasi-constant step); the order moves by at most one
   after k + 1 steps of equal size, to the neighbour whose error estimate allows the largest step.

   Why not GSL's msbdf: it factors I − γhJ anew whenever h changes by more than 20%, and in the
   late, near-linear phase of a gradient flow h grows by more than that at every step, so every
   step was one dense LU. Here J = Q T Qᵀ once (LAPACK dsytrd: Householder reflectors Q and a
   symmetric tridiagonal T, about 2.5 LU's cost), after which

     (I − cJ)⁻¹ v = Q (I − cT)⁻¹ Qᵀ v

   costs 4n² (Qᵀ and Q, in blocks of reflectors) + O(n) (a tridiagonal solve) for ANY c: changing the
   step or the order costs nothing. J is evaluated again only when Newton's iteration fails to
   converge (then at the predictor), as scipy's BDF does; a stale J costs iterations, never
   accuracy (the corrector is solved to newton_tol of the error tolerance). */

/* LAPACK (OpenBLAS), Fortran entry points, character lengths appended (gfortran's ABI). */
void dsytrd_(const char *uplo, const int *n, double *a, const int *lda, double *d, double *e,
             double *tau, double *work, const int *lwork, int *info, size_t uplo_len);
void dgtsv_(const int *n, const int *nrhs, double *dl, double *d, double *du, double *b,
            const int *ldb, int *info);
void dlarft_(const char *direct, const char *storev, const int *n, const int *k, const double *v,
             const int *ldv, const double *tau, double *t, const int *ldt, size_t, size_t);


enum { NDF_MAX_ORDER = 5, NDF_NEWTON_MAXITER = 4, NDF_BLOCK = 32 };
/* A Newton correction this small in the error norm (a tenth of the error tolerance) ends the
   iteration even when it no longer contracts (see newton()). */
static const double ndf_rounding_floor = 0.1;
static const double ndf_min_factor = 0.2, ndf_max_factor = 10;
/* κ_k, the NDF's modification of BDF's leading coefficient (κ_1…κ_4; order 5 is plain BDF). */
static const double ndf_kappa[NDF_MAX_ORDER + 1] = {0, -0.1850, -1.0 / 9, -0.0823, -0.0415, 0};

struct linflow_ndf {
    size_t n;
    double *D;            /* (NDF_MAX_ORDER + 3) rows of n: the differences */
    double *J;            /* n×n: J, then dsytrd's reflectors (below the subdiagonal) */
    double *dfdt;         /* for GSL's Jacobian callback */
    double *td, *te, *tau;  /* T's diagonal and off-diagonal, the reflectors' scalars */
    double *dl, *dd, *du; /* I − cT, overwritten by each tridiagonal solve */
    double *work;
    int lwork;
    double *tblocks;      /* the triangular factors of Q's blocks of NDF_BLOCK reflectors */
    double *y_predict, *y_new, *d, *f, *dy, *psi, *scale, *dy_work;
    double t, h;          /* time of D_0, step size D is scaled for */
    int order, equal_steps;
    int fixed;            /* a fixed step and order, no error control (convergence studies) */
    double last_error;    /* the last accepted step's estimate, max_i |err_i| / D_i */
    double eps_abs, eps_rel, newton_tol;
    double gamma[NDF_MAX_ORDER + 2], alpha[NDF_MAX_ORDER + 2], error_const[NDF_MAX_ORDER + 2];
    linflow_ndf_counts counts;
};

linflow_ndf *linflow_ndf_alloc(size_t n) {
    linflow_ndf *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->n = n;
    double *w;
    int in = (int)n, lwork = -1, info = 0;
    double query = 0;
    dsytrd_("L", &in, NULL, &in, NULL, NULL, NULL, &query, &lwork, &info, 1);
    s->lwork = query > n ? (int)query : (int)n;
    s->D = malloc(sizeof(double) * (NDF_MAX_ORDER + 3) * n);
    s->J = malloc(sizeof(double) * n * n);
    s->work = malloc(sizeof(double) * (size_t)s->lwork);
    s->tblocks = malloc(sizeof(double) * (n / NDF_BLOCK + 1) * NDF_BLOCK * NDF_BLOCK);
    w = malloc(sizeof(double) * 16 * (n > NDF_BLOCK ? n : NDF_BLOCK));
    if (!s->D || !s->J || !s->work || !s->tblocks || !w) {
        free(s->D); free(s->J); free(s->work); free(s->tblocks); free(w); free(s);
        return NULL;
    }
    double **parts[] = {&s->dfdt, &s->td, &s->te, &s->tau, &s->dl, &s->dd, &s->du, &s->y_predict,
                        &s->y_new, &s->d, &s->f, &s->dy, &s->psi, &s->scale, &s->dy_work};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) *parts[i] = w + i * n;
    s->gamma[0] = 0;
    for (int k = 1; k <= NDF_MAX_ORDER; k++) s->gamma[k] = s->gamma[k - 1] + 1.0 / k;
    for (int k = 0; k <= NDF_MAX_ORDER; k++) {
        s->alpha[k] = (1 - ndf_kappa[k]) * s->gamma[k];
        s->error_const[k] = ndf_kappa[k] * s->gamma[k] + 1.0 / (k + 1);
    }
    return s;
}

void linflow_ndf_free(linflow_ndf *s) {
    if (!s) return;
    free(s->D); free(s->J); free(s->work); free(s->tblocks); free(s->dfdt); free(s);
}

linflow_ndf_counts linflow_ndf_get_counts(const linflow_ndf *s) { return s->counts; }
int linflow_ndf_order(const linflow_ndf *s) { return s->order; }
double linflow_ndf_step(const linflow_ndf *s) { return s->h; }

static double *row(linflow_ndf *s, int j) { return s->D + (size_t)j * s->n; }

/* max_i |v_i| / scale_i */
static double max_norm(size_t n, const double *v, const double *scale) {
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double r = fabs(v[i]) / scale[i];
        if (r > m || isnan(r)) m = r;
    }
    return m;
}

/* J at y, and its reduction J = Q T Qᵀ from its lower triangle. GSL_EDOM: J is not symmetric
   to 1e-6 of its largest entry. (The modified flow's J, by central differences, is symmetric to
   ~1e-10; layer rates make it R·H, off by O(1); a J used only in Newton's iteration may be
   off by rounding.) */
static int refresh_jacobian(linflow_ndf *s, const gsl_odeiv2_system *sys, const double *y) {
    size_t n = s->n;
    int status = sys->jacobian(s->t, y, s->J, s->dfdt, sys->params);
    s->counts.jacobians++;
    if (status != GSL_SUCCESS) return status;
    double big = 0, asym = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double a = s->J[i * n + j], b = s->J[j * n + i];
            big = fmax(big, fabs(a));
            asym = fmax(asym, fabs(a - b));
        }
    if (asym > 1e-6 * big) return GSL_EDOM;
    int in = (int)n, info = 0;
    /* Row-major J is column-major Jᵀ = J: LAPACK reads its lower triangle. */
    dsytrd_("L", &in, s->J, &in, s->td, s->te, s->tau, s->work, &s->lwork, &info, 1);
    s->counts.reductions++;
    if (info != 0) return GSL_EFAILED;
    /* Q's reflectors in blocks of NDF_BLOCK, each block H_b = I − V T Vᵀ (LAPACK's compact WY
       form), so that applying Q is two matrix-vector products and a triangular one per block
       instead of a dot product and an axpy per reflector. Column i of the reduced J becomes u_i
       itself (T's diagonals are in td, te): zero above row i + 1, 1 there. */
    for (size_t i = 0; i + 1 < n; i++) {
        double *u = s->J + i * n;
        for (size_t k = 0; k <= i; k++) u[k] = 0;
        u[i + 1] = 1;
    }
    for (size_t i0 = 0; i0 + 1 < n; i0 += NDF_BLOCK) {
        int rows = (int)(n - 1 - i0), kb = (int)(n - 1 - i0 < NDF_BLOCK ? n - 1 - i0 : NDF_BLOCK), ldt = NDF_BLOCK;
        dlarft_("F", "C", &rows, &kb, s->J + i0 * n + i0 + 1, &in, s->tau + i0,
                s->tblocks + (i0 / NDF_BLOCK) * NDF_BLOCK * NDF_BLOCK, &ldt, 1, 1);
    }
    return GSL_SUCCESS;
}

/* Q = H_0 H_1 … H_{n−2}, H_i = I − τ_i u_i u_iᵀ (u_i: column i of the reduced J, zero above
   row i + 1), a block b of reflectors at a time, H_b = I − V T Vᵀ: transpose: v ← Qᵀ v (first
   block first, each as I − V Tᵀ Vᵀ), else v ← Q v (last block first). 4n² flops. */
static void apply_q(linflow_ndf *s, double *v, int transpose) {
    size_t n = s->n;
    if (n < 2) return;
    size_t blocks = (n - 2) / NDF_BLOCK + 1;
    double *w = s->dy_work;
    for (size_t m = 0; m < blocks; m++) {
        size_t b = transpose ? m : blocks - 1 - m, i0 = b * NDF_BLOCK;
        int rows = (int)(n - 1 - i0), kb = (int)(n - 1 - i0 < NDF_BLOCK ? n - 1 - i0 : NDF_BLOCK);
        const double *V = s->J + i0 * n + i0 + 1;
        cblas_dgemv(CblasColMajor, CblasTrans, rows, kb, 1, V, (int)n, v + i0 + 1, 1, 0, w, 1);
        cblas_dtrmv(CblasColMajor, CblasUpper, transpose ? CblasTrans : CblasNoTrans, CblasNonUnit, kb,
                    s->tblocks + b * NDF_BLOCK * NDF_BLOCK, NDF_BLOCK, w, 1);
        cblas_dgemv(CblasColMajor, CblasNoTrans, rows, kb, -1, V, (int)n, w, 1, 1, v + i0 + 1, 1);
    }
}

/* v ← (I − cJ)⁻¹ v = Q (I − cT)⁻¹ Qᵀ v. */
static int solve(linflow_ndf *s, double c, double *v) {
    size_t n = s->n;
    apply_q(s, v, 1);
    for (size_t i = 0; i < n; i++) {
        s->dd[i] = 1 - c * s->td[i];
        if (i + 1 < n) s->dl[i] = s->du[i] = -c * s->te[i];
    }
    int in = (int)n, one = 1, info = 0;
    dgtsv_(&in, &one, s->dl, s->dd, s->du, v, &in, &info);
    s->counts.solves++;
    if (info != 0) return GSL_ESING;
    apply_q(s, v, 0);
    return GSL_SUCCESS;
}

/* The differences after a step size change by `factor` at order k: D_{0..k} ← (R U)ᵀ D_{0..k},
   R_{ij} = Π_{m=1}^{i} (m − 1 − r j)/m (r = factor), U the same with r = 1. */
static void change_differences(linflow_ndf *s, int k, double factor) {
    double R[NDF_MAX_ORDER + 1][NDF_MAX_ORDER + 1], U[NDF_MAX_ORDER + 1][NDF_MAX_ORDER + 1];
    double RU[NDF_MAX_ORDER + 1][NDF_MAX_ORDER + 1];
    for (int pass = 0; pass < 2; pass++) {
        double (*M)[NDF_MAX_ORDER + 1] = pass ? U : R;
        double r = pass ? 1 : factor;
        for (int j = 0; j <= k; j++) M[0][j] = 1;
        for (int i = 1; i <= k; i++) {
            M[i][0] = 0;
            for (int j = 1; j <= k; j++) M[i][j] = M[i - 1][j] * (i - 1 - r * j) / i;
        }
    }
    for (int i = 0; i <= k; i++)
        for (int j = 0; j <= k; j++) {
            double a = 0;
            for (int m = 0; m <= k; m++) a += R[i][m] * U[m][j];
            RU[i][j] = a;
        }
    size_t n = s->n;
    for (size_t x = 0; x < n; x++) {
        double old[NDF_MAX_ORDER + 1];
        for (int i = 0; i <= k; i++) old[i] = row(s, i)[x];
        for (int j = 0; j <= k; j++) {
            double a = 0;
            for (int i = 0; i <= k; i++) a += RU[i][j] * old[i];
            row(s, j)[x] = a;
        }
    }
}

int linflow_ndf_start_fixed(linflow_ndf *s, const gsl_odeiv2_system *sys, double t, int order,
                            double h, const double *past, double eps_abs, double eps_rel) {
    if (order < 1 || order > NDF_MAX_ORDER) return GSL_EINVAL;
    int status = linflow_ndf_reset(s, sys, t, past, h, eps_abs, eps_rel);
    if (status != GSL_SUCCESS) return status;
    size_t n = s->n;
    /* D_j = ∇^j y(t): row m holds y(t − m h); pass j turns rows j…k into j-th differences. */
    for (int m = 0; m <= order; m++) memcpy(row(s, m), past + (size_t)m * n, sizeof(double) * n);
    for (int j = 1; j <= order; j++)
        for (int m = order; m >= j; m--) {
            double *a = row(s, m), *b = row(s, m - 1);
            for (size_t i = 0; i < n; i++) a[i] = b[i] - a[i];
        }
    s->order = order;
    s->fixed = 1;
    return GSL_SUCCESS;
}

double linflow_ndf_error_estimate(const linflow_ndf *s) { return s->last_error; }

int linflow_ndf_reset(linflow_ndf *s, const gsl_odeiv2_system *sys, double t, const double y[],
                      double h, double eps_abs, double eps_rel) {
    size_t n = s->n;
    s->t = t;
    s->h = h;
    s->order = 1;
    s->equal_steps = 0;
    s->fixed = 0;
    s->eps_abs = eps_abs;
    s->eps_rel = eps_rel;
    s->newton_tol = fmax(10 * DBL_EPSILON / eps_rel, fmin(0.03, sqrt(eps_rel)));
    memcpy(row(s, 0), y, sizeof(double) * n);
    int status = sys->function(t, y, s->f, sys->params);
    s->counts.evaluations++;
    if (status != GSL_SUCCESS) return status;
    for (size_t i = 0; i < n; i++) row(s, 1)[i] = h * s->f[i];
    return refresh_jacobian(s, sys, y);
}

/* Newton's iteration on the corrector; *converged, *iterations; d = y_new − y_predict. */
static int newton(linflow_ndf *s, const gsl_odeiv2_system *sys, double t_new, double c,
                  int *converged, int *iterations) {
    size_t n = s->n;
    memcpy(s->y_new, s->y_predict, sizeof(double) * n);
    memset(s->d, 0, sizeof(double) * n);
    double dy_norm_old = -1;
    *converged = 0;
    int k;
    for (k = 0; k < NDF_NEWTON_MAXITER; k++) {
        int status = sys->function(t_new, s->y_new, s->f, sys->params);
        s->counts.evaluations++;
        if (status != GSL_SUCCESS) return status;
        for (size_t i = 0; i < n; i++) s->dy[i] = c * s->f[i] - s->psi[i] - s->d[i];
        if ((status = solve(s, c, s->dy)) != GSL_SUCCESS) return status;
        double dy_norm = max_norm(n, s->dy, s->scale);
        double rate = dy_norm_old < 0 ? -1 : dy_norm / dy_norm_old;
        if (rate >= 0 && (rate >= 1 || pow(rate, NDF_NEWTON_MAXITER - k) / (1 - rate) * dy_norm > s->newton_tol)) {
            /* Not contracting any more, but the correction is a small fraction of the error
               tolerance: the iteration has reached the rounding floor of c·f (at a converged
               state f is the rounding of O(1) products, and c·f grows with h), which no Jacobian
               can lower. Take the correction and let the error test judge the step; refusing
               it would refresh J and halve h at every step of the late phase. */
            if (dy_norm <= ndf_rounding_floor) {
                for (size_t i = 0; i < n; i++) { s->y_new[i] += s->dy[i]; s->d[i] += s->dy[i]; }
                *converged = 1;
            }
            break;
        }
        for (size_t i = 0; i < n; i++) { s->y_new[i] += s->dy[i]; s->d[i] += s->dy[i]; }
        if (dy_norm == 0 || (rate >= 0 && rate / (1 - rate) * dy_norm < s->newton_tol)) {
            *converged = 1;
            break;
        }
        dy_norm_old = dy_norm;
    }
    *iterations = k + 1;
    return GSL_SUCCESS;
}

/* One accepted step from s->t (GSL_ENOPROG: the step fell below 10 ulp of t). */
static int step(linflow_ndf *s, const gsl_odeiv2_system *sys) {
    size_t n = s->n;
    int k = s->order, fresh_jacobian = 0;
    double h = s->h, error_norm = 0, safety = 0.9;
    for (;;) {
        double min_step = 10 * fabs(nextafter(s->t, INFINITY) - s->t);
        if (h < min_step) return GSL_ENOPROG;
        double t_new = s->t + h;
        for (size_t i = 0; i < n; i++) {
            double p = 0, q = 0;
            for (int j = k; j >= 0; j--) p += row(s, j)[i];
            for (int j = k; j >= 1; j--) q += s->gamma[j] * row(s, j)[i];
            s->y_predict[i] = p;
            s->psi[i] = q / s->alpha[k];
            s->scale[i] = s->eps_abs + s->eps_rel * fabs(p);
        }
        double c = h / s->alpha[k];
        int converged = 0, iterations = 0, status;
        for (;;) {
            if ((status = newton(s, sys, t_new, c, &converged, &iterations)) != GSL_SUCCESS) return status;
            if (converged || fresh_jacobian) break;
            if ((status = refresh_jacobian(s, sys, s->y_predict)) != GSL_SUCCESS) return status;
            fresh_jacobian = 1;
        }
        if (!converged && s->fixed) return GSL_EFAILED;
        if (!converged) {
            h *= 0.5;
            change_differences(s, k, 0.5);
            s->equal_steps = 0;
            s->counts.rejections++;
            continue;
        }
        safety = 0.9 * (2 * NDF_NEWTON_MAXITER + 1) / (2 * NDF_NEWTON_MAXITER + iterations);
        for (size_t i = 0; i < n; i++) s->scale[i] = s->eps_abs + s->eps_rel * fabs(s->y_new[i]);
        error_norm = s->error_const[k] * max_norm(n, s->d, s->scale);
        if (error_norm > 1 && !s->fixed) {
            double factor = fmax(ndf_min_factor, safety * pow(error_norm, -1.0 / (k + 1)));
            h *= factor;
            change_differences(s, k, factor);
            s->equal_steps = 0;
            s->counts.rejections++;
            continue;
        }
        s->t = t_new;
        break;
    }
    s->counts.steps++;
    s->last_error = error_norm;
    s->equal_steps++;
    s->h = h;
    /* D_{k+2} = d − D_{k+1}, D_{k+1} = d, D_j += D_{j+1} for j = k … 0: the differences of the
       new interpolating polynomial (d = ∇^{k+1} y_{n+1}). */
    double *dk1 = row(s, k + 1), *dk2 = row(s, k + 2);
    for (size_t i = 0; i < n; i++) { dk2[i] = s->d[i] - dk1[i]; dk1[i] = s->d[i]; }
    for (int j = k; j >= 0; j--) {
        double *a = row(s, j), *b = row(s, j + 1);
        for (size_t i = 0; i < n; i++) a[i] += b[i];
    }
    if (s->fixed || s->equal_steps < k + 1) return GSL_SUCCESS;
    double e_m = INFINITY, e_p = INFINITY;
    if (k > 1) e_m = s->error_const[k - 1] * max_norm(n, row(s, k), s->scale);
    if (k < NDF_MAX_ORDER) e_p = s->error_const[k + 1] * max_norm(n, row(s, k + 2), s->scale);
    double norms[3] = {e_m, error_norm, e_p}, best = -1;
    int delta = 0;
    for (int i = 0; i < 3; i++) {
        double f = norms[i] == 0 ? INFINITY : pow(norms[i], -1.0 / (k + i));
        if (f > best) { best = f; delta = i - 1; }
    }
    s->order = k + delta;
    double factor = fmin(ndf_max_factor, safety * best);
    s->h *= factor;
    change_differences(s, s->order, factor);
    s->equal_steps = 0;
    return GSL_SUCCESS;
}

/* y(t) from the interpolating polynomial of the last step, t ≤ s->t:
   y = D_0 + Σ_{j=1}^{k} D_j Π_{m=0}^{j−1} (t − (t_n − m h)) / ((m + 1) h). */
static void interpolate(linflow_ndf *s, double t, double *y) {
    size_t n = s->n;
    double p[NDF_MAX_ORDER + 1], prod = 1;
    for (int m = 0; m < s->order; m++) {
        prod *= (t - (s->t - m * s->h)) / ((m + 1) * s->h);
        p[m] = prod;
    }
    for (size_t i = 0; i < n; i++) {
        double v = row(s, 0)[i];
        for (int j = 1; j <= s->order; j++) v += p[j - 1] * row(s, j)[i];
        y[i] = v;
    }
}

int linflow_ndf_apply(linflow_ndf *s, const gsl_odeiv2_system *sys, double t1, double y[],
                      unsigned long nmax, unsigned long *steps) {
    *steps = 0;
    while (s->t < t1) {
        if (nmax && *steps >= nmax) {
            memcpy(y, row(s, 0), sizeof(double) * s->n);
            return GSL_EMAXITER;
        }
        int status = step(s, sys);
        if (status != GSL_SUCCESS) {
            memcpy(y, row(s, 0), sizeof(double) * s->n);
            return status;
        }
        ++*steps;
    }
    if (s->t == t1) memcpy(y, row(s, 0), sizeof(double) * s->n);
    else interpolate(s, t1, y);
    return GSL_SUCCESS;
}

double linflow_ndf_time(const linflow_ndf *s) { return s->t; }
