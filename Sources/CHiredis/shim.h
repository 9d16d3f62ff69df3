#ifndef SILVASONIC_CHIREDIS_SHIM_H
#define SILVASONIC_CHIREDIS_SHIM_H
/* hiredis 0.14 (Debian 12). Use redisCommandArgv, never the variadic redisCommand. */
#include <hiredis/hiredis.h>
#endif
