#ifndef SILVASONIC_CLIBPQ_SHIM_H
#define SILVASONIC_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
