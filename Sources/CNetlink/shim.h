#ifndef SILVASONIC_CNETLINK_SHIM_H
#define SILVASONIC_CNETLINK_SHIM_H
/* The kernel's netlink definitions (sockaddr_nl, NETLINK_KOBJECT_UEVENT), which Glibc's module lacks. */
#include <sys/socket.h>
#include <linux/netlink.h>
#endif
