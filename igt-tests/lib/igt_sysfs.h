/* SPDX-License-Identifier: MIT */
/*
 * igt_sysfs.h of the minimal IGT stand-in: in IGT its own header, which
 * igt.h does not include; here igt.h declares the subset (see igt.h).
 */
#ifndef IGT_SYSFS_H
#define IGT_SYSFS_H
#include "igt.h"
#endif /* IGT_SYSFS_H */
