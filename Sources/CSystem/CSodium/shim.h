#ifndef ORGANIC_CSODIUM_SHIM_H
#define ORGANIC_CSODIUM_SHIM_H
#include <sodium.h>
#endif
