#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make kernel: the patched test kernels. build/linux is created from
# patches/ when missing or older than patches/; work in it that was not
# exported yet is built as it is (with a note). Then the x86_64 kernel
# (vmlinux: boots under QEMU through PVH and as Xen PV dom0; radeon,
# amdgpu and nouveau as modules) and the arm64 Image (radeon as a module)
# are built, and against each the edu_gpu test driver and the IGT tests
# (build/guest/ARCH, which the test VMs boot with).

. "$(dirname "$0")/lib.sh"

# installed here when run as root, otherwise one line naming the command
"$TOP/scripts/deps.sh" >/dev/null
tree_ready

# (the pipeline make check and make repro run on their own workspaces)
# shellcheck disable=SC2086 # ARCHES: a list of names
exec "$TOP/scripts/workspace.sh" -t "$TREE" -w "$BUILD" ${ARCHES:-x86_64 arm64}
