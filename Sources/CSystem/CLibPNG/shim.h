#ifndef ORGANIC_CLIBPNG_SHIM_H
#define ORGANIC_CLIBPNG_SHIM_H

// Swift-facing view of libpng's simplified API (png_image_*). Only the
// simplified API is used: it reports errors through png_image.message
// instead of requiring setjmp/longjmp in the caller.
#include <png.h>
// zlib (libpng's own dependency) for the vision plugin's full-fidelity PNG reader and writer,
// which keep every colour type and bit depth (the simplified API converts them).
#include <zlib.h>

// Function-like macros are invisible to Swift; these wrappers expose them.

/// Bytes per row of the in-memory buffer for the image's current format.
static inline png_uint_32 organic_png_image_row_stride(const png_image *image) {
    return PNG_IMAGE_ROW_STRIDE(*image);
}

/// Total bytes of the in-memory buffer for the image's current format.
static inline png_alloc_size_t organic_png_image_size(const png_image *image) {
    return PNG_IMAGE_SIZE(*image);
}

/// Worst-case encoded PNG size, so a single write pass never runs out of room.
static inline png_alloc_size_t organic_png_image_png_size_max(const png_image *image) {
    return PNG_IMAGE_PNG_SIZE_MAX(*image);
}

/// Non-zero when warning_or_error records an error (not just a warning).
static inline int organic_png_image_failed(const png_image *image) {
    return PNG_IMAGE_FAILED(*image);
}

// Constants re-exported with fixed types (the originals are composite macros).
static const png_uint_32 ORGANIC_PNG_IMAGE_VERSION = PNG_IMAGE_VERSION;
static const png_uint_32 ORGANIC_PNG_FORMAT_GRAY = PNG_FORMAT_GRAY;
static const png_uint_32 ORGANIC_PNG_FORMAT_GA = PNG_FORMAT_GA;
static const png_uint_32 ORGANIC_PNG_FORMAT_RGB = PNG_FORMAT_RGB;
static const png_uint_32 ORGANIC_PNG_FORMAT_RGBA = PNG_FORMAT_RGBA;
static const png_uint_32 ORGANIC_PNG_IMAGE_FLAG_FAST = PNG_IMAGE_FLAG_FAST;
static const png_uint_32 ORGANIC_PNG_IMAGE_FLAG_16BIT_sRGB = PNG_IMAGE_FLAG_16BIT_sRGB;


/// inflateInit is a macro (it passes the library version and struct size).
static inline int organic_inflate_init(z_stream *stream) { return inflateInit(stream); }

#endif
