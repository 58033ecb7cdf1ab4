#ifndef ORGANIC_CLIBDEFLATE_SHIM_H
#define ORGANIC_CLIBDEFLATE_SHIM_H

// libdeflate: whole-buffer DEFLATE/zlib compression, decompression and checksums, for PNG image
// data whose decompressed size the header states (faster than zlib's streaming API).
#include <libdeflate.h>

#endif
