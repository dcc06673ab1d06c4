#ifndef KERASPORT_CBLAS_SHIM_H
#define KERASPORT_CBLAS_SHIM_H
// OpenBLAS' CBLAS interface. The include path comes from pkg-config `openblas`.
#include <cblas.h>
#endif
