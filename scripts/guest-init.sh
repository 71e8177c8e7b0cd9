#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VMs. Runs the test list in /etc/ttm-dma/tests, prints
# every result as KTAP on the console, asks kmemleak for a scan at the
# end and powers the machine off. The host (scripts/vm.sh) parses the log.
#
# Test list lines:
#   kunit MODULE [ARGS]       load a KUnit test module (it prints its KTAP)
#   module MODULE [ARGS]      load a module the following tests need
#   igt BINARY [ARGS]         run every subtest of an IGT test binary
#   sh NAME COMMAND...        one test: COMMAND's exit status is the result
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
for arg in $(cat /proc/cmdline); do
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

# One KTAP document per test-list line that is not KUnit (KUnit modules
# print their own).
ktap_one() {	# NAME STATUS [DIRECTIVE]
	echo "KTAP version 1"
	echo "1..1"
	echo "$2 1 $1${3:+ # $3}"
}

run_igt() {	# BINARY ARGS...
	bin=$1
	shift
	name=igt:${bin##*/}
	if [ ! -x "$bin" ]; then
		ktap_one "$name" "not ok"
		echo "# $bin: not in the initramfs"
		return
	fi
	subtests=$("$bin" --list-subtests "$@" 2>/tmp/list.err)
	rc=$?
	if [ $rc != 0 ] || [ -z "$subtests" ]; then
		cat /tmp/list.err
		ktap_one "$name" "not ok"
		echo "# $bin --list-subtests: exit $rc, $(echo "$subtests" | grep -c .) subtests"
		return
	fi
	n=$(echo "$subtests" | grep -c .)
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
		{ "$bin" --run-subtest "$s" "$@"; echo $? >/tmp/rc; } 2>&1 |
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

# Swap on zram: TTM only backs up and shrinks buffers when there is swap.
if [ -e /sys/block/zram0/disksize ]; then
	echo 512M >/sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 ||
		echo "ttm-dma: no swap on zram"
fi

echo "ttm-dma: init: $(uname -r) $(uname -m), $(grep -c ^processor /proc/cpuinfo) cpus"
echo "ttm-dma: cmdline: $(cat /proc/cmdline)"
while read -r kind name rest; do
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
	case $kind in
	kunit)
		# shellcheck disable=SC2086
		if ! modprobe "$name" $rest; then
			ktap_one "kunit:$name" "not ok"
			echo "# modprobe $name failed"
		fi
		;;
	module)
		# shellcheck disable=SC2086
		if ! modprobe "$name" $rest; then
			ktap_one "module:$name" "not ok"
		fi
		;;
	igt)
		# shellcheck disable=SC2086
		run_igt "$name" $rest
		;;
	sh)
		if sh -c "$rest"; then
			ktap_one "$name" "ok"
		else
			ktap_one "$name" "not ok"
		fi
		;;
	*)
		ktap_one "$kind:$name" "not ok"
		echo "# unknown test list line: $kind $name $rest"
		;;
	esac
done </etc/ttm-dma/tests

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
