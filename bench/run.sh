#!/usr/bin/env bash
# bench/run.sh: wrk on loopback against four targets serving the same 1 KiB
# response, side by side in one run:
#
#   direct    the upstream itself (bench/upstream)
#   plain-go  a tuned httputil.ReverseProxy (bench/plainproxy)
#   rampart   rampart proxy --from ... --to ..., every default stage on,
#             access log on (stderr, redirected to bench/out/rampart.log)
#   nginx     nginx as a plain reverse proxy with upstream keepalive
#
# Each target gets a short warm-up, then RUNS measured runs at CONNS
# connections (throughput) and RUNS runs at LAT_CONNS (latency); runs are
# interleaved (run 1 of every target, then run 2, ...) so drift on the machine
# hits every target alike. The median run is reported (by req/s for
# throughput, by p50 for latency), with CPU use of each process. Results go to
# stdout and bench/out/results.md. See docs/benchmarks.md.
#
# Knobs (environment):
#   DURATION=10s  length of one measured run (wrk -d)
#   WARMUP=3s     length of the warm-up run per target
#   CONNS=64      wrk -c;  THREADS=1  wrk -t   (throughput phase)
#   LAT_DURATION=5s, LAT_CONNS=1   latency phase, one request at a time
#                 (LAT_DURATION=0 skips it)
#   RUNS=3        measured runs per target (odd numbers give a true median)
#   TARGETS="direct plain-go rampart nginx"   subset/order to run
#   NGINX_ACCESS_LOG=file|off   nginx access log to bench/out/nginx-access.log
#                               (default, like rampart's) or off
#   QUIET_WAIT=60 before each run, wait up to this many seconds for the rest
#                 of the machine to go quiet (under 20% of one core); 0 = don't
#   RAMPART_FLAGS extra flags for "rampart proxy" (default none)
#   SCHED=shared|own  servers in this script's session (one autogroup, as
#                 when started from one shell; default) or each in its own
#                 session (setsid, an autogroup each)
#   BENCH_INSTALL=1   when root, apt-get install missing wrk/nginx
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"
rm -f "$OUT"/wrk-*.txt "$OUT/results.md"

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-1}
LAT_DURATION=${LAT_DURATION:-5s}
LAT_CONNS=${LAT_CONNS:-1}
RUNS=${RUNS:-3}
TARGETS=${TARGETS:-direct plain-go rampart nginx}
NGINX_ACCESS_LOG=${NGINX_ACCESS_LOG:-file}
QUIET_WAIT=${QUIET_WAIT:-60}
RAMPART_FLAGS=${RAMPART_FLAGS:-}
SCHED=${SCHED:-shared}
case $SCHED in
shared | own) ;;
*)
	printf 'bench: SCHED must be shared or own, not %s\n' "$SCHED" >&2
	exit 2
	;;
esac
GO=${GO:-go}

log() { printf 'bench: %s\n' "$*" >&2; }

# secs converts a wrk duration (10, 10s, 1m) to whole seconds.
secs() {
	local d=$1
	case $d in
	*m) echo $((${d%m} * 60)) ;;
	*s) echo "${d%s}" ;;
	*) echo "$d" ;;
	esac
}

# --- tools ------------------------------------------------------------------
missing=()
for t in wrk nginx; do
	if ! command -v "$t" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$t" ]; then
		missing+=("$t")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	log "missing: ${missing[*]}; install with: apt-get install -y wrk nginx"
	if [ "$(id -u)" = 0 ] && [ "${BENCH_INSTALL:-0}" = 1 ]; then
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx
	else
		log "or rerun as root with BENCH_INSTALL=1"
		exit 1
	fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- build ------------------------------------------------------------------
log "building into $OUT/"
$GO build -o "$OUT/upstream" ./bench/upstream
$GO build -o "$OUT/plainproxy" ./bench/plainproxy
$GO build -o "$OUT/freeport" ./bench/freeport
failed=()
if [[ " $TARGETS " == *" rampart "* ]]; then
	if ! $GO build -o "$OUT/rampart" ./cmd/rampart 2>"$OUT/rampart-build.log"; then
		log "rampart does not build; skipping it (see $OUT/rampart-build.log):"
		sed 's/^/  /' "$OUT/rampart-build.log" >&2
		failed+=(rampart)
		TARGETS=${TARGETS//rampart/}
	fi
fi

# --- servers ----------------------------------------------------------------
mapfile -t ports < <("$OUT/freeport" -n 4)
declare -A PORT=([direct]=${ports[0]} [plain-go]=${ports[1]} [rampart]=${ports[2]} [nginx]=${ports[3]})
declare -A PGID=()
TMP=$(mktemp -d)
chmod 755 "$TMP" # nginx workers drop to an unprivileged user

cleanup() {
	local name
	for name in "${!PGID[@]}"; do
		kill -TERM -- "-${PGID[$name]}" 2>/dev/null || true
	done
	sleep 0.5
	for name in "${!PGID[@]}"; do
		kill -KILL -- "-${PGID[$name]}" 2>/dev/null || true
	done
	cp "$TMP/nginx/error.log" "$OUT/nginx-error.log" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME CMD...: run CMD in its own process group (so it can be killed
# whole), stdout to bench/out/NAME.out, stderr appended to NAME.log.
#
# SCHED=shared (default) keeps every server in this script's session, as when
# they are all started from one shell: with the kernel's autogroup scheduling
# (/proc/sys/kernel/sched_autogroup_enabled) they then share one scheduling
# group with wrk, and the CPU goes to whichever thread is runnable. SCHED=own
# starts each server in a session of its own (setsid), which gives it an
# autogroup of its own: the scheduler then splits the cores evenly between
# wrk, the upstream and the target, whatever each one needs, which caps the
# target that needs the most CPU per request. See docs/benchmarks.md.
start() {
	local name=$1
	shift
	: >"$OUT/$name.log"
	if [ "$SCHED" = own ]; then
		setsid "$@" >"$OUT/$name.out" 2>>"$OUT/$name.log" </dev/null &
	else
		set -m # job control: the background job gets a process group of its own
		"$@" >"$OUT/$name.out" 2>>"$OUT/$name.log" </dev/null &
		set +m
	fi
	PGID[$name]=$!
}

# ready NAME: wait up to 10 s for a 200 with a 1024-byte body.
ready() {
	local name=$1 port=${PORT[$1]} got=""
	for _ in $(seq 100); do
		got=$(curl -s -o /dev/null -m 1 -w '%{http_code} %{size_download}' "http://127.0.0.1:$port/" || true)
		if [ "$got" = "200 1024" ]; then
			return 0
		fi
		if ! kill -0 "${PGID[$name]}" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	log "$name on 127.0.0.1:$port is not ready (last answer: '${got:-none}'); its stderr:"
	tail -n 20 "$OUT/$name.log" | sed 's/^/  /' >&2
	return 1
}

nginx_conf() {
	local access="access_log off;"
	if [ "$NGINX_ACCESS_LOG" = file ]; then
		access="access_log $PWD/$OUT/nginx-access.log;"
		: >"$OUT/nginx-access.log"
	fi
	mkdir -p "$TMP/nginx"
	cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
	$access
	default_type application/octet-stream;
	client_body_temp_path $TMP/nginx/client_body;
	proxy_temp_path $TMP/nginx/proxy;
	fastcgi_temp_path $TMP/nginx/fastcgi;
	uwsgi_temp_path $TMP/nginx/uwsgi;
	scgi_temp_path $TMP/nginx/scgi;
	# Go servers do not close a keep-alive connection after N requests;
	# nginx does by default (1000), so lift it on both sides.
	keepalive_requests 1000000;
	upstream app {
		server 127.0.0.1:${PORT[direct]};
		keepalive 64;
		keepalive_requests 1000000;
	}
	server {
		listen 127.0.0.1:${PORT[nginx]};
		location / {
			proxy_pass http://app;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}
	}
}
EOF
}

start direct "$OUT/upstream" -addr "127.0.0.1:${PORT[direct]}"
ready direct
for t in $TARGETS; do
	case $t in
	direct) ;;
	plain-go) start plain-go "$OUT/plainproxy" -addr "127.0.0.1:${PORT[plain-go]}" -to "http://127.0.0.1:${PORT[direct]}" ;;
	rampart)
		# shellcheck disable=SC2086 # RAMPART_FLAGS is a list of flags
		start rampart "$OUT/rampart" proxy --from "127.0.0.1:${PORT[rampart]}" --to "http://127.0.0.1:${PORT[direct]}" $RAMPART_FLAGS
		;;
	nginx)
		nginx_conf
		start nginx "$NGINX" -e "$TMP/nginx/error.log" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
		;;
	*)
		log "unknown target $t"
		exit 2
		;;
	esac
done
up=()
for t in $TARGETS; do
	if ready "$t"; then
		up+=("$t")
	else
		failed+=("$t")
	fi
done
if [ ${#up[@]} -eq 0 ]; then
	log "no target is up"
	exit 1
fi
if [ "$NGINX_ACCESS_LOG" = file ] && [[ " ${up[*]} " == *" nginx "* ]]; then
	: >"$OUT/nginx-access.log"
fi

# --- load -------------------------------------------------------------------
CLK=$(getconf CLK_TCK)
NCPU=$(grep -c '^cpu[0-9]' /proc/stat)

# cpu_ticks PGID: user+system clock ticks used so far by every process in
# the process group.
cpu_ticks() {
	local g=$1 f line rest sum=0
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" || continue
		rest=${line##*) }
		# shellcheck disable=SC2086
		set -- $rest
		if [ "$3" = "$g" ]; then
			sum=$((sum + ${12} + ${13}))
		fi
	done
	echo "$sum"
}

# cpu_all: "busy total" clock ticks of the whole machine so far, summed over
# all CPUs (total includes idle, so total/NCPU is the elapsed time).
cpu_all() {
	local _cpu user nice sys idle iowait irq softirq steal _rest busy
	read -r _cpu user nice sys idle iowait irq softirq steal _rest </proc/stat
	busy=$((user + nice + sys + irq + softirq + steal))
	echo "$busy $((busy + idle + iowait))"
}

# wait_quiet: wait (at most QUIET_WAIT s) for a second in which the machine
# used under 20% of one core, so other work does not skew the next run.
wait_quiet() {
	local b0 n0 b1 n1 pct=0 i
	for ((i = 0; i < QUIET_WAIT; i++)); do
		read -r b0 n0 <<<"$(cpu_all)"
		sleep 1
		read -r b1 n1 <<<"$(cpu_all)"
		pct=$(((b1 - b0) * 100 * NCPU / (n1 - n0 + 1)))
		if [ "$pct" -lt 20 ]; then
			return 0
		fi
	done
	if [ "$QUIET_WAIT" -gt 0 ]; then
		log "machine still busy after ${QUIET_WAIT}s (${pct}% of one core); measuring anyway"
	fi
}

# load TARGET DURATION CONNS FILE: one wrk run; FILE gets wrk's output and
# then "cpu <target> <upstream> <wrk> <other>" in percent of one core, where
# other is whatever else ran on the machine meanwhile (noise).
load() {
	local t=$1 d=$2 c=$3 file=$4 th=$THREADS t0 t1 u0 u1 b0 n0 b1 n1 w
	if [ "$th" -gt "$c" ]; then
		th=$c
	fi
	wait_quiet
	t0=$(cpu_ticks "${PGID[$t]}")
	u0=$(cpu_ticks "${PGID[direct]}")
	read -r b0 n0 <<<"$(cpu_all)"
	w=$( {
		TIMEFORMAT='%U %S'
		time timeout $(($(secs "$d") + 30)) wrk -t"$th" -c"$c" -d"$d" --timeout 2s --latency \
			"http://127.0.0.1:${PORT[$t]}/" >"$file" || log "wrk against $t failed"
	} 2>&1)
	read -r b1 n1 <<<"$(cpu_all)"
	t1=$(cpu_ticks "${PGID[$t]}")
	u1=$(cpu_ticks "${PGID[direct]}")
	awk -v ncpu="$NCPU" -v clk="$CLK" -v tt=$((t1 - t0)) -v ut=$((u1 - u0)) -v bt=$((b1 - b0)) -v nt=$((n1 - n0)) \
		-v w="$w" -v self="$t" 'BEGIN {
		split(w, a, " ")
		if (self == "direct") ut = 0
		wt = (a[1] + a[2]) * clk
		ot = bt - tt - ut - wt
		if (ot < 0) ot = 0
		el = nt / ncpu # elapsed ticks
		if (el <= 0) el = 1
		printf "cpu %.0f %.0f %.0f %.0f\n", 100 * tt / el, 100 * ut / el, 100 * wt / el, 100 * ot / el
	}' >>"$file"
}

# Phase "load": CONNS connections keep every CPU busy; this gives throughput,
# and latency that is mostly queueing (p50 ≈ CONNS / req/s).
# Phase "lat": LAT_CONNS connection(s), one request at a time, so the p50
# difference to direct is the time the proxy itself adds to a request.
log "load: wrk -t$THREADS -c$CONNS -d$DURATION; latency: -c$LAT_CONNS -d$LAT_DURATION; $RUNS runs each after a $WARMUP warm-up; targets: ${up[*]}"
for t in "${up[@]}"; do
	load "$t" "$WARMUP" "$CONNS" "$OUT/wrk-$t-warmup.txt"
done
for r in $(seq "$RUNS"); do
	for t in "${up[@]}"; do
		load "$t" "$DURATION" "$CONNS" "$OUT/wrk-load-$t-$r.txt"
		log "run $r load $t: $(awk '/^Requests\/sec/ {print $2 " req/s"}' "$OUT/wrk-load-$t-$r.txt")"
	done
done
if [ "$(secs "$LAT_DURATION")" -gt 0 ]; then
	for r in $(seq "$RUNS"); do
		for t in "${up[@]}"; do
			load "$t" "$LAT_DURATION" "$LAT_CONNS" "$OUT/wrk-lat-$t-$r.txt"
			log "run $r lat $t: p50 $(awk '/^ +50%/ {print $2}' "$OUT/wrk-lat-$t-$r.txt")"
		done
	done
fi

# --- report -----------------------------------------------------------------
# summary FILE: "rps p50us p90us p99us non2xx sockerr cpu_target cpu_up cpu_wrk cpu_other"
summary() {
	awk '
	function us(v) {
		if (v ~ /us$/) return v + 0
		if (v ~ /ms$/) return (v + 0) * 1000
		if (v ~ /s$/) return (v + 0) * 1000000
		return v + 0
	}
	/^ +50%/ { p50 = us($2) } /^ +90%/ { p90 = us($2) } /^ +99%/ { p99 = us($2) }
	/^Requests\/sec/ { rps = $2 }
	/Non-2xx or 3xx responses/ { bad = $NF }
	/Socket errors/ { gsub(/,/, ""); err = $4 + $6 + $8 + $10 }
	/^cpu / { c1 = $2; c2 = $3; c3 = $4; c4 = $5 }
	END { printf "%s %s %s %s %d %d %s %s %s %s\n", rps, p50, p90, p99, bad, err, c1, c2, c3, c4 }
	' "$1"
}

# MED[phase:target] = the median run's summary, then the run number and the
# req/s range over all runs. "load" runs are ranked by req/s (highest is
# best), "lat" runs by p50.
declare -A MED=()
mid=$(((RUNS + 1) / 2))
for phase in load lat; do
	[ -e "$OUT/wrk-$phase-${up[0]}-1.txt" ] || continue
	for t in "${up[@]}"; do
		key=1
		[ $phase = lat ] && key=2
		for r in $(seq "$RUNS"); do
			echo "$(summary "$OUT/wrk-$phase-$t-$r.txt") $r"
		done | sort -g -k$key,$key >"$TMP/runs-$phase-$t"
		MED[$phase:$t]="$(sed -n "${mid}p" "$TMP/runs-$phase-$t") $(sort -g -k1,1 "$TMP/runs-$phase-$t" | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.0f–%.0f", lo, hi}')"
	done
done

# table PHASE: one Markdown row per target.
table() {
	local phase=$1 t d50=0 rps p50 p90 p99 bad err c1 c2 c3 c4 range added="added p50 vs direct"
	[ "$phase" = load ] && added="p50 minus direct p50"
	echo "| target | req/s (median) | req/s (all runs) | p50 | p90 | p99 | $added | non-2xx | socket errors | target CPU | upstream CPU | wrk CPU | other CPU |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	if [ -n "${MED[$phase:direct]:-}" ]; then
		read -r _ d50 _ <<<"${MED[$phase:direct]}"
	fi
	for t in "${up[@]}"; do
		read -r rps p50 p90 p99 bad err c1 c2 c3 c4 _ range <<<"${MED[$phase:$t]}"
		awk -v t="$t" -v rps="$rps" -v range="$range" -v p50="$p50" -v p90="$p90" -v p99="$p99" \
			-v d50="$d50" -v bad="$bad" -v err="$err" -v c1="$c1" -v c2="$c2" -v c3="$c3" -v c4="$c4" \
			-v hasdirect="${MED[$phase:direct]:+1}" 'BEGIN {
			added = "—"
			if (t != "direct" && hasdirect) added = sprintf("%+.0f µs", p50 - d50)
			up = (t == "direct") ? "—" : c2 "%"
			printf "| %s | %.0f | %s | %.0f µs | %.0f µs | %.0f µs | %s | %d | %d | %s%% | %s | %s%% | %s%% |\n",
				t, rps, range, p50, p90, p99, added, bad, err, c1, up, c3, c4
		}'
	done
}

# field PHASE TARGET N: the Nth field of the median summary (1 req/s, 2 p50).
field() {
	local v=${MED[$1:$2]:-}
	[ -n "$v" ] || return 0
	awk -v n="$3" '{print $n}' <<<"$v"
}

{
	echo "### Throughput: wrk -t$THREADS -c$CONNS -d$DURATION"
	echo
	echo "1 KiB response; median of $RUNS runs by req/s after a $WARMUP warm-up; $NCPU CPUs shared by wrk, target and upstream. Latency here is mostly queueing (p50 ≈ $CONNS / req/s)."
	echo
	table load
	if [ -n "${MED[lat:${up[0]}]:-}" ]; then
		echo
		echo "### Latency: wrk -t1 -c$LAT_CONNS -d$LAT_DURATION"
		echo
		echo "$LAT_CONNS connection(s), one request at a time: no queueing, so \"added p50\" is the time the proxy adds. Median of $RUNS runs by p50."
		echo
		table lat
	fi
	echo
	echo "CPU is percent of one core averaged over the run ($NCPU cores = $((NCPU * 100))%); other CPU is everything else on the machine meanwhile (noise)."
	noisy=()
	for k in $(printf '%s\n' "${!MED[@]}" | sort); do
		c4=$(field "${k%%:*}" "${k#*:}" 10)
		if [ "${c4:-0}" -gt 20 ]; then
			noisy+=("$k (${c4}%)")
		fi
	done
	if [ ${#noisy[@]} -gt 0 ]; then
		echo "Warning: other work used the machine during the median run of: ${noisy[*]}; rerun on a quiet machine."
	fi
	echo
	awk -v r="$(field load rampart 1)" -v g="$(field load plain-go 1)" -v n="$(field load nginx 1)" \
		-v lr="$(field load rampart 2)" -v ld="$(field load direct 2)" \
		-v ar="$(field lat rampart 2)" -v ad="$(field lat direct 2)" -v ag="$(field lat plain-go 2)" -v an="$(field lat nginx 2)" 'BEGIN {
		if (r != "" && g > 0) printf "- rampart / plain Go proxy throughput: %.2f (goal ≥ 0.90)\n", r / g
		if (r != "" && n > 0) printf "- rampart / nginx throughput: %.2f (goal ≥ 0.50)\n", r / n
		if (g != "" && n > 0) printf "- plain Go proxy / nginx throughput: %.2f\n", g / n
		if (lr != "" && ld != "") printf "- rampart p50 minus direct p50 under load (-c'"$CONNS"'): %.0f µs\n", lr - ld
		if (ar != "" && ad != "") printf "- rampart added median latency at -c'"$LAT_CONNS"': %.0f µs (goal < 150 µs)\n", ar - ad
		if (ag != "" && ad != "") printf "- plain Go proxy added median latency at -c'"$LAT_CONNS"': %.0f µs\n", ag - ad
		if (an != "" && ad != "") printf "- nginx added median latency at -c'"$LAT_CONNS"': %.0f µs\n", an - ad
	}'
	if [ ${#failed[@]} -gt 0 ]; then
		echo
		echo "Not measured (failed to build or start): ${failed[*]}"
	fi
} | tee "$OUT/results.md"

if [ ${#failed[@]} -gt 0 ]; then
	exit 1
fi
