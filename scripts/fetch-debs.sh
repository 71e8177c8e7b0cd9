#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-debs.sh PKG[=VERSION]...: download Debian binary packages into the
# cache with apt-get download (never installed). Adds the trixie-backports
# suite if a package needs it and apt does not know it; that suite has
# priority 100, so nothing installed on the system changes.

. "$(dirname "$0")/lib.sh"

need apt-get apt-cache
mkdir -p "$CACHE/pkgs"

# apt-cache's output is read whole before it is searched: grep -q stops
# at the first match, and under pipefail apt-cache's SIGPIPE would turn
# a package that is there into one that is not.
have_candidate() {
	local pkg=${1%%=*} ver='' out
	[[ $1 == *=* ]] && ver=${1#*=}
	if [ -n "$ver" ]; then
		out=$(apt-cache madison "$pkg" 2>/dev/null) || return 1
		awk -F'|' '{gsub(/ /,"",$2); print $2}' <<<"$out" | grep -qxF -- "$ver"
	else
		out=$(apt-cache policy "$pkg" 2>/dev/null) || return 1
		grep -q 'Candidate: [^(]' <<<"$out"
	fi
}

for p in "$@"; do
	have_candidate "$p" && continue
	if ! grep -rqs "$BASE_SUITE" /etc/apt/sources.list /etc/apt/sources.list.d/; then
		[ "$(id -u)" = 0 ] ||
			die "$p needs the $BASE_SUITE suite in apt's sources; add it as root (or run 'sudo make deps')"
		note "adding the $BASE_SUITE suite to apt (priority 100: nothing installed changes)"
		cat >/etc/apt/sources.list.d/$BASE_SUITE.sources <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: $BASE_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	fi
	[ "$(id -u)" = 0 ] && apt-get update -qq
	have_candidate "$p" || die "apt cannot find package $p (is $BASE_SUITE reachable?)"
done

cd "$CACHE/pkgs"
apt-get download -q -o APT::Sandbox::User=root "$@" >/dev/null ||
	die "apt-get download $* failed"
