#ifndef ORGANIC_CTURBOJPEG_SHIM_H
#define ORGANIC_CTURBOJPEG_SHIM_H

// Swift-facing view of the TurboJPEG API. Its functions report failures via
// return codes and tjGetErrorStr2/tjGetErrorCode rather than exit(), which is
// why it is used instead of raw libjpeg (whose default error handler exits).
#include <stddef.h>
#include <turbojpeg.h>

// Flag macros re-exported as typed constants for Swift.
static const int ORGANIC_TJFLAG_ACCURATEDCT = TJFLAG_ACCURATEDCT;
static const int ORGANIC_TJFLAG_STOPONWARNING = TJFLAG_STOPONWARNING;
static const int ORGANIC_TJFLAG_LIMITSCANS = TJFLAG_LIMITSCANS;

#endif
