#ifndef KVALITET_CZLIB_SHIM_H
#define KVALITET_CZLIB_SHIM_H
// zlib (Debian: zlib1g-dev): deflate and inflate for the zip container of Excel workbooks
// (Sources/Kvalitet/Zip). deflateInit2 and inflateInit2 are macros, which Swift cannot call:
// these wrappers are. Raw deflate (negative window bits): zip entries carry no zlib header.
#include <zlib.h>

static inline int kvalitet_deflate_init(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}

static inline int kvalitet_inflate_init(z_stream *stream) {
    return inflateInit2(stream, -MAX_WBITS);
}
#endif
