#include <zlib.h>

// inflateInit2 is a macro (it passes the header's version and the stream's size so that zlib can
// refuse a mismatched library), which Swift cannot call: this wraps it for a raw deflate stream,
// the form a zip member holds (no zlib header or trailer; the zip directory has the CRC-32).
static inline int linflow_inflate_init_raw(z_streamp strm) {
    return inflateInit2(strm, -MAX_WBITS);
}
