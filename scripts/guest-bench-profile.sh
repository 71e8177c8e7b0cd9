#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ttm-bench-profile BACKEND MODULE-ARGS... (in the guest; scripts/bench.sh
# installs it with perf for make bench BENCH_PROFILE=KIB): a perf profile
# of one load of ttm_bench with backends=BACKEND, printed between the
# markers scripts/bench_profile.py reads.
be=$1
shift
data=/tmp/perf-$be.data
# Kernel symbols for perf (root sees them only with kptr_restrict 0).
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
# The modules ttm_bench needs are loaded before perf starts: perf names a
# module's functions only if the module was there when it started.
deps=$(sed -n 's|^[^:]*/ttm_bench\.ko:||p' "/lib/modules/$(uname -r)/modules.dep")
for d in $deps; do
	d=${d##*/}
	modprobe "${d%.ko*}" || exit 1
done
# 1000 samples a second with an 8 MiB buffer: faster, and perf loses
# samples under TCG (bench_profile.py reports how many).
perf record -q -N -e cpu-clock -F 1000 -m 8M -g -o "$data" -- \
	modprobe ttm_bench backends="$be" "$@" || exit 1
grep -q '^ttm_bench ' /proc/modules || exit 1
echo "ttm-bench-profile: begin $be"
perf --no-pager report -i "$data" --stdio --no-children --sort sym \
	--percent-limit 0.2 -g none 2>&1 | grep -v '^#' | grep -v '^ *$'
echo "ttm-bench-profile: callers $be"
perf --no-pager report -i "$data" --stdio --no-children --sort sym \
	--percent-limit 2 -g caller,0.5,callee,function,percent 2>&1 |
	grep -v '^#' | grep -v '^ *$' | head -n 400
echo "ttm-bench-profile: end $be"
rm -f "$data"
rmmod ttm_bench
