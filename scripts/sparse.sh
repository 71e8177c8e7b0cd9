#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sparse for 'make C=2 CHECK=scripts/sparse.sh'. Debian 12's sparse 0.6.4
# predates two things Linux 7.3 uses: __typeof_unqual__, and
# __builtin_strlen() in the static_assert() of every MODULE_INFO(). It
# stops warning in a file after its first error, so without these two
# definitions it says nothing about any module source. The compiler
# still checks every static_assert().
exec sparse -D__typeof_unqual__=__typeof__ '-D_Static_assert(...)=' "$@"
