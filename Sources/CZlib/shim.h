#ifndef VETDESK_CZLIB_SHIM_H
#define VETDESK_CZLIB_SHIM_H

#include <zlib.h>

/// Raw deflate (no zlib header), as ZIP entries store it. inflateInit2/deflateInit2 are macros,
/// which Swift cannot call.
static inline int czlib_inflate_init_raw(z_stream *stream) { return inflateInit2(stream, -MAX_WBITS); }

static inline int czlib_deflate_init_raw(z_stream *stream) {
    return deflateInit2(stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}

#endif
