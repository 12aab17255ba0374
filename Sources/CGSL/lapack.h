#ifndef LINFLOW_CGSL_LAPACK_H
#define LINFLOW_CGSL_LAPACK_H

#include <stddef.h>

/* LAPACK, from the same OpenBLAS (Debian ships no LAPACKE in it): the Fortran entry points,
   every argument by reference, the lengths of CHARACTER arguments appended (gfortran's ABI). */
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
void dstevx_(const char *jobz, const char *range, const int *n, double *d, double *e,
             const double *vl, const double *vu, const int *il, const int *iu, const double *abstol,
             int *m, double *w, double *z, const int *ldz, double *work, int *iwork, int *ifail,
             int *info, size_t jobz_len, size_t range_len);
/* LQ of [A B] with A lower triangular m×m and B m×n (l = 0: B rectangular): A ← L, B ← the
   Householder vectors. On row-major data (B = the transpose of a block of samples) it is the QR
   of [Lᵀ; samples]: the streaming (TSQR) step of the samples' R factor. */
void dtplqt_(const int *m, const int *n, const int *l, const int *mb, double *a, const int *lda,
             double *b, const int *ldb, double *t, const int *ldt, double *work, int *info);
/* SVD by divide and conquer. */
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s,
             double *u, const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork,
             int *iwork, int *info, size_t jobz_len);

#endif
