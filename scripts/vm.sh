#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh [options] PLATFORM: boot a built test kernel under QEMU (TCG) and
# judge the run.
#
# Platforms: one file each in platforms/ (platforms/README says what
# they hold); every one gets QEMU's edu PCI device, dma_mask=0xffffffff.
#
# Options:
#   -i          interactive: a shell in the VM, no tests, no timeout
#   -l LIST     test list (default scripts/vm-tests.list)
#   -o DIR      where logs and results go (default build/vm)
#   -T SECONDS  timeout (default 300)
#   -a ARGS     extra kernel command line arguments
#   -r          reports (WARNING, BUG, ...) are expected: list them but do
#               not fail on them (the reproduction on the unpatched tree)
#   -t TREE     kernel source tree (default build/linux)
#   -k DIR      kernel objects, DIR/x86_64 and DIR/arm64 (default build/obj)
#   -g DIR      guest payload, DIR/ARCH (default build/guest; scripts/guest.sh)
#   -F          only fetch what the platform needs from Debian (busybox,
#               Xen) into the cache, then exit: no kernel needed
#   -S          print the QEMU command line (shell-quoted) instead of
#               running it; the initramfs is written as for a run
#
# The guest runs scripts/guest-init.sh as /init. The log is kept in
# DIR/PLATFORM.log and judged by scripts/ktap.py (DIR/PLATFORM.json).

. "$(dirname "$0")/lib.sh"

usage() {
	sed -n '4,32p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

interactive=0
list=$TOP/scripts/vm-tests.list
out=$BUILD/vm
timeout=300
extra=
expect=
tree=$TREE
objroot=$BUILD/obj
guestroot=$BUILD/guest
fetch=0
show=0
while getopts "il:o:T:a:rt:k:g:FSh" o; do
	case $o in
	i) interactive=1 ;;
	l) list=$OPTARG ;;
	o) out=$OPTARG ;;
	T) timeout=$OPTARG ;;
	a) extra=$OPTARG ;;
	r) expect=--expect-reports ;;
	t) tree=$OPTARG ;;
	k) objroot=$OPTARG ;;
	g) guestroot=$OPTARG ;;
	F) fetch=1 ;;
	S) show=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || usage
platform=$1

platform_load "$platform"
arch=$ARCH
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "timeout '$timeout' is not a number of seconds"
[ -f "$list" ] || die "no test list $list"

obj=$objroot/$arch
case $arch in
x86_64)
	# One ELF vmlinux: QEMU enters it through PVH (no decompressor),
	# Xen loads it as PV dom0.
	kimage=$obj/vmlinux
	qemu="qemu-system-x86_64" ;;
arm64) kimage=$obj/arch/arm64/boot/Image; qemu="qemu-system-aarch64" ;;
esac
[ $fetch = 1 ] || [ -f "$kimage" ] || die "no $arch kernel at $kimage (run 'make kernel')"
need "$qemu" cpio dpkg-deb depmod
[ "$NONCOHERENT_PCIE" != 1 ] || need fdtput

mkdir -p "$out" "$CACHE/vm"
# The last of the files a glob names (its highest version), or nothing.
last() {
	local f l=
	for f in "$@"; do
		[ -e "$f" ] && l=$f
	done
	echo "$l"
}
out=$(cd "$out" && pwd)

# Static busybox for the guest's architecture, from Debian's package.
busybox=$CACHE/vm/busybox-$arch
if [ ! -x "$busybox" ]; then
	debarch=amd64
	[ "$arch" = arm64 ] && debarch=arm64
	# (no package downloaded yet: ls fails, and pipefail would end us)
	deb=$(last "$CACHE"/pkgs/busybox-static_*_"$debarch".deb)
	if [ -z "$deb" ]; then
		if [ "$debarch" != "$(dpkg --print-architecture)" ] &&
		   ! grep -qx "$debarch" <<<"$(dpkg --print-foreign-architectures)"; then
			[ "$(id -u)" = 0 ] || die "busybox-static:$debarch needs 'dpkg --add-architecture $debarch' (as root)"
			dpkg --add-architecture "$debarch"
			apt-get update -qq
		fi
		"$TOP/scripts/fetch-debs.sh" "busybox-static:$debarch"
		deb=$(last "$CACHE"/pkgs/busybox-static_*_"$debarch".deb)
		[ -n "$deb" ] || die "no busybox-static:$debarch package in $CACHE/pkgs after fetching it"
	fi
	# (a name of its own: another run may be unpacking it too)
	tmp=$(mktemp "$busybox.XXXXXX")
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./bin/busybox >"$tmp"
	chmod +x "$tmp"
	mv "$tmp" "$busybox"
fi

# Xen 4.17 hypervisor, from Debian's package: a multiboot ELF QEMU loads.
if [ "$BOOT" = xen ]; then
	xen=$CACHE/vm/xen-4.17-amd64
	if [ ! -f "$xen" ]; then
		deb=$(last "$CACHE"/pkgs/"$XEN_PKG"_*.deb)
		if [ -z "$deb" ]; then
			"$TOP/scripts/fetch-debs.sh" "$XEN_PKG"
			deb=$(last "$CACHE"/pkgs/"$XEN_PKG"_*.deb)
			[ -n "$deb" ] || die "no $XEN_PKG package in $CACHE/pkgs after fetching it"
		fi
		tmp=$(mktemp "$xen.XXXXXX")
		dpkg-deb --fsys-tarfile "$deb" | tar -xO ./boot/xen-4.17-amd64.gz |
			gunzip >"$tmp"
		mv "$tmp" "$xen"
	fi
fi
[ $fetch = 0 ] || exit 0

# The initramfs: busybox, /init, the test list, the kernel's modules and
# whatever later steps staged for the guest in build/guest/ARCH.
root=$out/root-$platform
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,etc/ttm-dma,proc,sys,dev,tmp,lib/modules}
cp "$busybox" "$root/bin/busybox"
cp "$TOP/scripts/guest-init.sh" "$root/init"
chmod +x "$root/init"
# Lines starting with @platform[,platform] are for those platforms only.
awk -v p="$platform" '
	/^@/ { n = split(substr($1, 2), ps, ","); keep = 0
	       for (i = 1; i <= n; i++) if (ps[i] == p) keep = 1
	       if (!keep) next; sub(/^@[^ \t]+[ \t]+/, "") }
	{ print }' "$list" >"$root/etc/ttm-dma/tests"
cross=
[ "$arch" = arm64 ] && cross=aarch64-linux-gnu-
# (under a lock: VMs of the same architecture may be set up side by side)
flock "$obj/.ttm-dma-modules.lock" make -s -C "$tree" O="$obj" ARCH="$arch" \
	CROSS_COMPILE="$cross" INSTALL_MOD_PATH="$root" INSTALL_MOD_STRIP=1 \
	modules_install >/dev/null
rm -f "$root"/lib/modules/*/build "$root"/lib/modules/*/source
if [ -d "$guestroot/$arch" ]; then
	cp -a "$guestroot/$arch/." "$root/"
fi
kver=$(cd "$root/lib/modules" && echo *)
depmod -b "$root" "$kver"
cpio_file=$out/initramfs-$platform.cpio
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$cpio_file"

cmdline="panic=-1 $extra"
[ $interactive = 1 ] && cmdline+=" ttm_dma.shell=1"
# icount: the edu DMA engine completes a transfer 100 ms of virtual time
# after it starts; with sleep=off idle time costs no real time.
# shellcheck disable=SC2054 # the commas are QEMU's, inside one argument
qopts=(-accel tcg -icount shift=0,sleep=off -smp 2 -nographic -no-reboot -net none
       -device edu,dma_mask=0xffffffff)
case $BOOT in
pvh)
	qopts+=(-cpu max -m "$MEM" -kernel "$kimage" -initrd "$cpio_file"
		-append "$CMDLINE $cmdline")
	;;
xen)
	# QEMU splits -initrd on commas: a comma in dom0's command line
	# is written twice.
	dom0="$CMDLINE $cmdline"
	qopts+=(-cpu max -m "$MEM" -kernel "$xen" -append "$XEN_ARGS"
		-initrd "$kimage ${dom0//,/,,},$cpio_file")
	;;
virt)
	qopts+=(-M virt -cpu cortex-a57 -m "$MEM" -kernel "$kimage" -initrd "$cpio_file"
		-append "$CMDLINE $cmdline")
	if [ "$NONCOHERENT_PCIE" = 1 ]; then
		# The device tree of exactly this machine, minus dma-coherent
		# on the PCIe host bridge: PCI devices become non-coherent.
		dtb=$out/$platform.dtb
		tmp=$(mktemp "$out/.dtb.XXXXXX")
		"$qemu" -accel tcg -M virt,dumpdtb="$tmp" -cpu cortex-a57 -smp 2 -m "$MEM" \
			-nographic >/dev/null 2>&1
		fdtput -d "$tmp" /pcie@10000000 dma-coherent
		mv "$tmp" "$dtb"
		qopts+=(-dtb "$dtb")
	fi
	;;
*) die "platforms/$platform.conf: unknown BOOT '$BOOT' (pvh, xen or virt)" ;;
esac

if [ $show = 1 ]; then
	printf '%q ' "$qemu" "${qopts[@]}"
	echo
	exit 0
fi
if [ $interactive = 1 ]; then
	exec "$qemu" "${qopts[@]}"
fi

log=$out/$platform.log
start=$(date +%s)
rc=0
timeout -k 10 "$timeout" "$qemu" "${qopts[@]}" </dev/null >"$log" 2>&1 || rc=$?
secs=$(($(date +%s) - start))
to=
if [ $rc = 124 ] || [ $rc = 137 ]; then
	to=--timeout
elif [ $rc != 0 ]; then
	echo "qemu exited with status $rc" >>"$log"
fi
echo "# $platform: ${secs}s in QEMU, log $log" >&2
exec "$TOP/scripts/ktap.py" --name "$platform" --json "$out/$platform.json" \
	--known "$TOP/scripts/known-reports" $to $expect \
	--expect "$TOP/scripts/expectations" --platform "$platform" "$log"
