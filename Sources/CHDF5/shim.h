#ifndef LINFLOW_CHDF5_SHIM_H
#define LINFLOW_CHDF5_SHIM_H

#include <stdio.h>
#include <hdf5.h>

/* HDF5 names its property-list classes, native types and special values with macros that
   expand to globals (after an H5open() call) or casts, which Swift cannot import. These
   accessors return the same values. */
static inline hid_t linflow_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t linflow_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t linflow_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t linflow_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t linflow_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t linflow_h5t_c_s1(void) { return H5T_C_S1; }
static inline hsize_t linflow_h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline unsigned linflow_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned linflow_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }

/* HDF5 prints a stack of every failure on stderr unless told not to; linflow reports its own
   one-line error instead. */
static inline herr_t linflow_h5_silence_errors(void) { return H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* The most specific message of HDF5's current error stack (where the failure was first
   detected, e.g. "unable to open file: ... errno = 2, error message = 'No such file or
   directory'"), copied into buffer; empty if the stack is empty. */
static inline herr_t linflow_h5_innermost_error(unsigned n, const H5E_error2_t *e, void *data) {
    char **b = (char **)data;
    if (n == 0 && e->desc) { snprintf(b[0], (size_t)(b[1] - b[0]), "%s", e->desc); }
    return 0;
}
static inline void linflow_h5_last_error(char *buffer, size_t size) {
    char *b[2] = { buffer, buffer + size };
    if (size == 0) return;
    buffer[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, linflow_h5_innermost_error, b);
}

#endif
