#!/bin/sh
# bench/run.sh -- mailready side by side with the Monitoring Plugins on the
# lab, in one run: the same services checked both ways, reported as
# ratios. Nothing here is a test: numbers vary with the machine.
#
#   bench/run.sh [ROUNDS]        (root; builds, starts and stops the lab)
#
# What is compared, for the healthy part of the lab (mta1, proxy2):
#   mailready  one `mailready check` over both nodes: DNS (A inside and
#              outside, PTR, MX, authoritative servers), every port, and
#              SMTP/submission/SMTPS/IMAP/IMAPS/POP3/POP3S with STARTTLS,
#              chains, names and expiry;
#   plugins    what an operator runs today for less: check_dig per record,
#              check_smtp -S, check_ssmtp, check_imap, check_simap,
#              check_pop, check_spop with -D for certificate days, and
#              check_tcp per port -- one process each, one after another
#              (as by hand) and all at once (as a Nagios core would).
# Reported: wall time (median of ROUNDS), peak memory (max RSS), and for
# mailready the sum of its checks' durations next to its wall time
# (how much the one event loop overlaps them).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
rounds=${1:-15}
if [ -z "${MAILREADY_BENCH_NETNS:-}" ]; then
	sh tests/deps.sh
	if ! [ -x /usr/lib/nagios/plugins/check_smtp ] ||
		! command -v jq >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends monitoring-plugins-basic \
			monitoring-plugins-standard time jq >/dev/null
	fi
	[ -d build ] || meson setup build >/dev/null
	meson compile -C build >/dev/null
	# The lab and both contenders in a network namespace of their own.
	export MAILREADY_BENCH_NETNS=1
	exec unshare --net --mount --uts --fork \
		sh -c 'ip link set lo up && exec "$@"' sh "$0" "$@"
fi

run=$(mktemp -d /tmp/mailready-bench.XXXXXX)
# The mail daemons run as their own users and must reach their files.
chmod 755 "$run"
trap 'tests/lab/lab.sh stop "$run" >/dev/null 2>&1; rm -rf "$run"' EXIT INT TERM
tests/lab/lab.sh start "$run" dns mail >/dev/null 2>&1
export MAILREADY_ALLOW_NETWORKS=127.0.0.0/8,::1/128
export MAILREADY_PROFILE_DIR="$top/checks/profiles"
P=/usr/lib/nagios/plugins
ca="$run/mail/pki/root.pem"
mr="build/src/mailready check -c tests/lab/configs/bench.conf --ca-file $ca -f json"

# The plugin command lines covering the same ground, one per line.
plugins="$run/plugins.txt"
cat >"$plugins" <<PLUGINS
$P/check_dig -H 127.0.0.10 -l mta1.example.test -a 127.0.1.10
$P/check_dig -H 127.0.0.11 -l mta1.example.test -a 127.0.2.10
$P/check_dig -H 127.0.0.11 -l mta1.example.test -T AAAA -a 2001:db8:2::10
$P/check_dig -H 127.0.0.11 -l 10.2.0.127.in-addr.arpa -T PTR -a mta1.example.test.
$P/check_dig -H 127.0.0.11 -l example.test -T MX -a mta1.example.test.
$P/check_dig -H 127.0.0.4 -l example.test -T SOA
$P/check_dig -H 127.0.0.5 -l example.test -T SOA
$P/check_dig -H 127.0.0.10 -l proxy2.example.test -a 127.0.1.18
$P/check_dig -H 127.0.0.11 -l proxy2.example.test -a 127.0.2.18
$P/check_dig -H 127.0.0.11 -l 18.2.0.127.in-addr.arpa -T PTR -a proxy2.example.test.
$P/check_smtp -H 127.0.2.10 -p 25 -S -D 30,7
$P/check_smtp -H 127.0.2.10 -p 587 -S -D 30,7
$P/check_ssmtp -H 127.0.2.10 -p 465 -D 30,7
$P/check_imap -H 127.0.2.18 -p 143
$P/check_simap -H 127.0.2.18 -p 993 -D 30,7
$P/check_pop -H 127.0.2.18 -p 110
$P/check_spop -H 127.0.2.18 -p 995 -D 30,7
PLUGINS

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

sequential() { while read -r cmd; do $cmd >/dev/null 2>&1 || :; done <"$plugins"; }
parallel() { xargs -P 64 -I{} sh -c '{} >/dev/null 2>&1 || :' <"$plugins"; }

t_mr="" t_seq="" t_par=""
i=0
while [ $i -lt "$rounds" ]; do
	t0=$(now_ms); $mr >/dev/null || :; t1=$(now_ms)
	t_mr="$t_mr $((t1 - t0))"
	t0=$(now_ms); sequential; t1=$(now_ms)
	t_seq="$t_seq $((t1 - t0))"
	t0=$(now_ms); parallel; t1=$(now_ms)
	t_par="$t_par $((t1 - t0))"
	i=$((i + 1))
done
m_mr=$(echo "$t_mr" | tr ' ' '\n' | grep . | median)
m_seq=$(echo "$t_seq" | tr ' ' '\n' | grep . | median)
m_par=$(echo "$t_par" | tr ' ' '\n' | grep . | median)

# Peak memory: mailready's whole run vs the largest single plugin.
rss_mr=$(/usr/bin/time -f %M $mr 2>&1 >/dev/null | tail -n 1)
rss_pl=0
while read -r cmd; do
	r=$(/usr/bin/time -f %M $cmd 2>&1 >/dev/null | tail -n 1)
	[ "$r" -gt "$rss_pl" ] && rss_pl=$r
done <"$plugins"
nplugins=$(grep -c . "$plugins")

# How much the event loop overlaps the checks of one run.
$mr >"$run/out.json" || :
overlap=$(jq -r '[.duration_ms, ([.nodes[].checks[].duration_ms] + [.domains[].checks[].duration_ms] | add), ([.nodes[].checks[]] + [.domains[].checks[]] | length)] | @tsv' "$run/out.json")
set -- $overlap
wall=$1 sum=$2 nchecks=$3

printf '\nmailready vs Monitoring Plugins on the lab (%s rounds, medians)\n\n' "$rounds"
printf '%-44s %10s %10s\n' "" "wall ms" "peak KiB"
printf '%-44s %10s %10s\n' "mailready: 1 run, $nchecks checks" "$m_mr" "$rss_mr"
printf '%-44s %10s %10s\n' "plugins: $nplugins runs, one after another" "$m_seq" "$rss_pl (max of one)"
printf '%-44s %10s %10s\n' "plugins: $nplugins runs, all at once" "$m_par" "-"
awk -v a="$m_seq" -v b="$m_par" -v m="$m_mr" -v ra="$rss_pl" -v rm="$rss_mr" 'BEGIN {
	if (m < 1) m = 1
	printf "\nratios: sequential plugins / mailready = %.1fx, parallel plugins / mailready = %.1fx\n", a / m, b / m
	printf "        peak memory of mailready / largest single plugin = %.2fx (the plugins run %d processes)\n", rm / ra, 0
}' | sed "s/(the plugins run 0 processes)/(the plugins start $nplugins processes)/"
awk -v w="$wall" -v s="$sum" 'BEGIN {
	printf "\none mailready run: wall %.1f ms, sum of its checks %.1f ms: overlap %.1fx\n", w, s, s / (w > 0 ? w : 1)
}'
