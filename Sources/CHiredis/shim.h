#ifndef SILVASONIC_CHIREDIS_SHIM_H
#define SILVASONIC_CHIREDIS_SHIM_H
/* hiredis 0.14 (Debian 12). Use redisCommandArgv, never the variadic redisCommand. */
#include <hiredis/hiredis.h>

/* The most elements a reply array may announce. hiredis 0.14 allocates an array's element
 * pointers as soon as it reads its header: `*322222222` alone made it ask for 2.5 GB (found by
 * NudgeFuzzer). A larger announcement is refused (the reader reports "Out of memory", and the
 * connection is dropped); the controller's replies are a few thousand elements at most. */
#define SILVASONIC_MAX_REPLY_ELEMENTS 1000000

/* hiredis's own functions, reached through each task's privdata, which
 * silvasonic_limit_reader points at them. */
static inline const redisReplyObjectFunctions *silvasonic_defaults(const redisReadTask *task) {
    return (const redisReplyObjectFunctions *)task->privdata;
}
static void *silvasonic_create_string(const redisReadTask *task, char *text, size_t length) {
    return silvasonic_defaults(task)->createString(task, text, length);
}
static void *silvasonic_create_array(const redisReadTask *task, int elements) {
    if (elements < 0 || elements > SILVASONIC_MAX_REPLY_ELEMENTS) return NULL;
    return silvasonic_defaults(task)->createArray(task, elements);
}
static void *silvasonic_create_integer(const redisReadTask *task, long long value) {
    return silvasonic_defaults(task)->createInteger(task, value);
}
static void *silvasonic_create_nil(const redisReadTask *task) {
    return silvasonic_defaults(task)->createNil(task);
}
static redisReplyObjectFunctions silvasonic_limited_functions = {
    silvasonic_create_string, silvasonic_create_array, silvasonic_create_integer, silvasonic_create_nil, freeReplyObject,
};

/* Makes `reader` refuse arrays that announce more than SILVASONIC_MAX_REPLY_ELEMENTS elements;
 * its replies are otherwise hiredis's own. Call it once per reader, before it reads. */
static inline void silvasonic_limit_reader(redisReader *reader) {
    if (reader == NULL || reader->fn == &silvasonic_limited_functions) return;
    reader->privdata = reader->fn;
    reader->fn = &silvasonic_limited_functions;
}
#endif
