#!/bin/busybox sh
# shellcheck shell=dash
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VMs. Runs the test list in /etc/ttm-dma/tests, prints
# every result as KTAP on the console, asks kmemleak for a scan at the
# end and powers the machine off. The host (scripts/vm.sh) parses the log.
#
# Test list lines:
#   kunit MODULE [ARGS]       load a KUnit test module (it prints its KTAP)
#   module MODULE [ARGS]      load a module the following tests need; if it
#                             is loaded already, unload it first (a reload
#                             with other parameters)
#   igt BINARY [ARGS]         run every subtest of an IGT test binary, as
#                             KTAP suite igt:NAME (NAME: the file name)
#   igt:LABEL BINARY [ARGS]   the same, as suite igt:NAME:LABEL (LABEL:
#                             letters, digits, '_', '-', '.', '+', '=')
#   sh NAME COMMAND...        one test: COMMAND's exit status is the result
#
# ARGS are split at blanks, without quoting or globbing. In an IGT line,
# '--run-subtest PATTERN' (IGT's uwildmat: globs separated by commas,
# '!' negates one, the last one that matches decides) runs only the
# subtests PATTERN matches, each on its own, as without it.
#
# Kernel command line: ttm_dma.shell=1 gives a shell instead (interactive
# mode), ttm_dma.only=WORD runs only the list lines containing WORD.

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1

shell=0
only=
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
	ttm_dma.shell=1) shell=1 ;;
	ttm_dma.only=*) only=${arg#ttm_dma.only=} ;;
	esac
done

off() {
	sync
	# -f: no init to signal. QEMU runs with -no-reboot, so a reboot
	# ends it on every platform (including Xen, which resets the machine).
	reboot -f
	sleep 5
	poweroff -f
}

if [ $shell = 1 ]; then
	echo "ttm-dma: interactive shell; 'reboot -f' ends the VM"
	setsid cttyhack sh
	off
fi

# --- test-list functions: scripts/tests/test_guest_init.py runs them on
# the host, with stubs for the commands that need a test VM ---

# One KTAP document per test-list line that is not KUnit (KUnit modules
# print their own).
ktap_one() {	# NAME STATUS [DIRECTIVE]
	echo "KTAP version 1"
	echo "1..1"
	echo "$2 1 $1${3:+ # $3}"
}

# uwildmat TEXT PATTERN: whether IGT's --run-subtest PATTERN selects the
# subtest TEXT (lib/igt_core.c). Call it with globbing off (set -f).
uwildmat() {
	match=1
	save_ifs=$IFS
	IFS=,
	for pat in $2; do
		# shellcheck disable=SC2254 # the pattern is a glob
		case $pat in
		!*) case $1 in ${pat#!}) match=1 ;; esac ;;
		*) case $1 in $pat) match=0 ;; esac ;;
		esac
	done
	IFS=$save_ifs
	return $match
}

run_igt() {	# SUITE BINARY ARGS...
	name=$1
	bin=$2
	shift 2
	# IGT ignores --run-subtest when it lists subtests: take the
	# filter out of ARGS, list them all and keep those it selects.
	filter=
	args=
	while [ $# -gt 0 ]; do
		case $1 in
		--run-subtest=*) filter=${1#--run-subtest=} ;;
		--run-subtest)
			if [ $# = 1 ]; then
				ktap_one "$name" "not ok"
				echo "# --run-subtest without a pattern"
				return
			fi
			filter=$2
			shift
			;;
		*) args="$args $1" ;;
		esac
		shift
	done
	if [ ! -x "$bin" ]; then
		ktap_one "$name" "not ok"
		echo "# $bin: not in the initramfs"
		return
	fi
	# shellcheck disable=SC2086 # ARGS are words
	all=$("$bin" --list-subtests $args 2>/tmp/list.err)
	rc=$?
	if [ $rc != 0 ] || [ -z "$all" ]; then
		cat /tmp/list.err
		ktap_one "$name" "not ok"
		echo "# $bin --list-subtests: exit $rc, $(echo "$all" | grep -c .) subtests"
		return
	fi
	subtests=
	n=0
	for s in $all; do
		if [ -z "$filter" ] || uwildmat "$s" "$filter"; then
			subtests="$subtests $s"
			n=$((n + 1))
		fi
	done
	if [ $n = 0 ]; then
		ktap_one "$name" "not ok"
		echo "# no subtest of $bin matches --run-subtest $filter"
		return
	fi
	echo "KTAP version 1"
	echo "1..1"
	echo "    KTAP version 1"
	echo "    # Subtest: $name"
	echo "    1..$n"
	i=0
	fails=0
	for s in $subtests; do
		i=$((i + 1))
		rm -f /tmp/rc
		# shellcheck disable=SC2086 # ARGS are words
		{ "$bin" --run-subtest "$s" $args; echo $? >/tmp/rc; } 2>&1 |
			sed 's/^/    # /'
		rc=$(cat /tmp/rc 2>/dev/null || echo lost)
		case $rc in
		0) echo "    ok $i $s" ;;
		77) echo "    ok $i $s # SKIP" ;;
		*) echo "    not ok $i $s # exit $rc"; fails=$((fails + 1)) ;;
		esac
	done
	if [ $fails = 0 ]; then echo "ok 1 $name"; else echo "not ok 1 $name"; fi
}

loaded() {	# MODULE: whether MODULE is loaded (as a module)
	grep -q "^$1 " /proc/modules
}

# load_module NAME ARGS...: (re)load a module with these parameters.
load_module() {
	mod=$(echo "$1" | tr - _)
	if loaded "$mod" && ! rmmod "$mod"; then
		ktap_one "module:$1" "not ok"
		echo "# rmmod $mod failed: it stays loaded with its old parameters"
		return
	fi
	if ! modprobe "$@"; then
		ktap_one "module:$1" "not ok"
		echo "# modprobe $* failed"
		return
	fi
	params=$(cd "/sys/module/$mod/parameters" 2>/dev/null && set +f &&
		grep -Hs . -- * | sed 's/:/=/' | tr '\n' ' ')
	params=${params% }
	echo "ttm-dma: $mod loaded, parameters: ${params:-none}"
}

# run_list 3<LIST: run a test list, read from file descriptor 3 (the
# tests' own standard input is left alone). Globbing is off while it
# runs: ARGS and IGT patterns are words, never file names.
run_list() {
	set -f
	while read -r kind name rest <&3; do
		case $kind in
		""|"#"*) continue ;;
		esac
		if [ -n "$only" ]; then
			case "$kind $name $rest" in
			*"$only"*) ;;
			*) continue ;;
			esac
		fi
		echo "ttm-dma: run: $kind $name $rest"
		# shellcheck disable=SC2086 # $rest: the line's words
		case $kind in
		kunit)
			if ! modprobe "$name" $rest; then
				ktap_one "kunit:$name" "not ok"
				echo "# modprobe $name failed"
			fi
			;;
		module)
			load_module "$name" $rest
			;;
		igt)
			run_igt "igt:${name##*/}" "$name" $rest
			;;
		igt:*[!A-Za-z0-9_.+=-]*|igt:)
			ktap_one "$kind" "not ok"
			echo "# bad label in test list line: $kind $name $rest"
			;;
		igt:*)
			run_igt "igt:${name##*/}:${kind#igt:}" "$name" $rest
			;;
		sh)
			# (exit status 77 is a skip, as for IGT)
			rc=0
			sh -c "$rest" || rc=$?
			case $rc in
			0) ktap_one "$name" "ok" ;;
			77) ktap_one "$name" "ok" "SKIP" ;;
			*) ktap_one "$name" "not ok" ;;
			esac
			;;
		*)
			ktap_one "$kind:$name" "not ok"
			echo "# unknown test list line: $kind $name $rest"
			;;
		esac
	done
	set +f
}

# --- end of test-list functions ---

# Swap on zram: TTM only backs up and shrinks buffers when there is swap.
if [ -e /sys/block/zram0/disksize ]; then
	echo 512M >/sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 ||
		echo "ttm-dma: no swap on zram"
fi

echo "ttm-dma: init: $(uname -r) $(uname -m), $(grep -c ^processor /proc/cpuinfo) cpus"
echo "ttm-dma: cmdline: $(cat /proc/cmdline)"
run_list 3</etc/ttm-dma/tests </dev/null

# What each TTM pool backend did (the series' counters), for the log.
if [ -r /sys/kernel/debug/ttm/page_pool_backends ]; then
	echo "ttm-dma: /sys/kernel/debug/ttm/page_pool_backends:"
	sed 's/^/ttm-dma:   /' /sys/kernel/debug/ttm/page_pool_backends
fi

if [ -w /sys/kernel/debug/kmemleak ]; then
	echo "ttm-dma: kmemleak scan"
	# Two scans: objects must be seen unreferenced twice to be reported.
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
fi
echo "ttm-dma: done"
off
