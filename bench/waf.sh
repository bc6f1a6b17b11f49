#!/usr/bin/env bash
# bench/waf.sh: gateway throughput with the WAF off, native and CRS, side by
# side: three "rampart proxy" processes in front of bench/upstream, measured
# one at a time with wrk, interleaved over ROUNDS rounds (round 1 of every
# mode, then round 2, ...). Each request is a browser-like GET with four
# query arguments, a User-Agent, Referer, Cookie and Accept-Language, so the
# WAF has values to inspect. Prints req/s per run and each mode's median as
# a share of WAF off. See docs/benchmarks.md ("Gateway throughput, WAF on
# and off").
#
# Knobs: DURATION=6s per run, CONNS=64, ROUNDS=3, MODES="off native crs".
# Needs wrk (apt-get install -y wrk).
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"
DURATION=${DURATION:-6s}
CONNS=${CONNS:-64}
ROUNDS=${ROUNDS:-3}
MODES=${MODES:-off native crs}
GO=${GO:-go}

log() { printf 'bench/waf: %s\n' "$*" >&2; }
command -v wrk >/dev/null || {
	log "wrk is missing: apt-get install -y wrk"
	exit 1
}

$GO build -o "$OUT/upstream" ./bench/upstream
$GO build -o "$OUT/freeport" ./bench/freeport
$GO build -o "$OUT/rampart" ./cmd/rampart

mapfile -t ports < <("$OUT/freeport" -n 4)
declare -A PORT=([up]=${ports[0]} [off]=${ports[1]} [native]=${ports[2]} [crs]=${ports[3]})
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT

"$OUT/upstream" -addr "127.0.0.1:${PORT[up]}" >"$OUT/waf-upstream.log" 2>&1 &
pids+=($!)
for m in $MODES; do
	case $m in
	off) flags=(--waf off) ;;
	native) flags=(--waf block) ;;
	crs) flags=(--waf block --waf-engine crs) ;;
	*)
		log "unknown mode $m"
		exit 2
		;;
	esac
	"$OUT/rampart" proxy --from "127.0.0.1:${PORT[$m]}" --to "http://127.0.0.1:${PORT[up]}" "${flags[@]}" >"$OUT/waf-$m.log" 2>&1 &
	pids+=($!)
done
for m in up $MODES; do
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/${PORT[$m]}") 2>/dev/null; then break; fi
		sleep 0.1
	done
done

hdrs=(-H 'User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
	-H 'Referer: https://shop.example/cart?step=checkout'
	-H 'Cookie: sid=8f14e45fceea167a5a36dedd4bea2543; theme=dark'
	-H 'Accept-Language: en-GB,en;q=0.9')
path='/api/products?lang=en&page=2&sort=price_asc&q=desk+lamp'

declare -A RUNS=()
for m in $MODES; do # warm-up
	wrk -t1 -c"$CONNS" -d2s "${hdrs[@]}" "http://127.0.0.1:${PORT[$m]}$path" >/dev/null
done
for r in $(seq "$ROUNDS"); do
	for m in $MODES; do
		rps=$(wrk -t1 -c"$CONNS" -d"$DURATION" "${hdrs[@]}" "http://127.0.0.1:${PORT[$m]}$path" | awk '/^Requests\/sec/ {printf "%d", $2}')
		non2xx=$(grep -v "\"status\":499" "$OUT/waf-$m.log" | grep -c "\"status\":[^2]" || true)
		log "round $r $m: $rps req/s (non-2xx lines in its log so far: $non2xx)"
		RUNS[$m]="${RUNS[$m]:-} $rps"
	done
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(echo "${RUNS[off]:-}" | median)
printf '| mode | req/s (runs) | median | share of WAF off |\n|---|---|---:|---:|\n'
for m in $MODES; do
	med=$(echo "${RUNS[$m]}" | median)
	share=-
	if [ -n "$base" ]; then share=$(awk -v a="$med" -v b="$base" 'BEGIN {printf "%.2f", a / b}'); fi
	printf '| %s |%s | %s | %s |\n' "$m" "${RUNS[$m]}" "$med" "$share"
done
