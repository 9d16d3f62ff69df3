#ifndef SILVASONIC_CALSA_SHIM_H
#define SILVASONIC_CALSA_SHIM_H
#include <alsa/asoundlib.h>
#endif
