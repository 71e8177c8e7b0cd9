#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# config-check.sh WANT CONFIG TREE LABEL: every option WANT (concatenated
# configuration fragments) sets must have survived Kconfig's dependencies
# in CONFIG. Options TREE does not know (the series adds some; the base
# lacks them) are only reported. A later line overrides an earlier one:
# the last line naming a symbol counts. Exits 1, naming each option that
# did not stick, if any did not.

. "$(dirname "$0")/lib.sh"

[ $# = 4 ] || die "usage: config-check.sh WANT CONFIG TREE LABEL"
want=$1 config=$2 tree=$3 label=$4
[ -f "$want" ] || die "no fragment file $want"
[ -f "$config" ] || die "no configuration $config"

last=$(awk '{	if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) s = substr($0, 1, RLENGTH - 1)
	else if ($0 ~ /^# CONFIG_[A-Za-z0-9_]+ is not set/) s = $2
	else next
	last[s] = $0; at[s] = NR }
     END { for (s in last) print at[s] "\t" last[s] }' "$want" | sort -n | cut -f2-)
defined() {
	grep -rqs --include='Kconfig*' -x "\(menu\)\{0,1\}config ${1#CONFIG_}" "$tree"
}
bad=0
while read -r line; do
	case $line in
	CONFIG_*=*) grep -qxF "$line" "$config" && continue
		if ! defined "${line%%=*}"; then
			note "$label: ${line%%=*} does not exist in this tree, skipped"
			continue
		fi
		note "$label: $line did not stick ($(grep -E "^(# )?${line%%=*}[= ]" "$config" || echo unset))"
		bad=1 ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		! grep -q "^$sym=" "$config" || {
			note "$label: $sym should be unset"; bad=1; } ;;
	esac
done <<<"$last"
exit $bad
