#!/usr/bin/env bash
# One-machine bench (issue 7): baselines, then the platform's figures as ratios to them, CPU µs per order and RSS per
# process. Run from the repository root against a running devstack (./mvnw -q install -DskipTests, then
# ./mvnw -q -pl devstack exec:java in another terminal):
#
#   load-tests/bench.sh                 # defaults below; override with env vars, e.g. ORDER_SECONDS=60 ORDER_CONCURRENCY=64
#
# Needs wrk (apt-get install -y wrk). Prints "name value unit" lines and a summary table; nothing is asserted.
set -euo pipefail
cd "$(dirname "$0")/.."

HTTP_SECONDS=${HTTP_SECONDS:-15}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
KAFKA_BOOTSTRAP=${KAFKA_BOOTSTRAP:-127.0.0.1:9092}
KAFKA_RECORDS=${KAFKA_RECORDS:-200000}
MYSQL_JDBC=${MYSQL_JDBC:-jdbc:mariadb://127.0.0.1:3306/?user=root}
MYSQL_THREADS=${MYSQL_THREADS:-16}
MYSQL_SECONDS=${MYSQL_SECONDS:-10}
ORDER_SECONDS=${ORDER_SECONDS:-60}
ORDER_CONCURRENCY=${ORDER_CONCURRENCY:-32}
# open workload (no polling): each rate in turn for OPEN_SECONDS, with a pause so the deliveries of the previous step
# (tracking, webhooks) do not run into the next
OPEN_RATES=${OPEN_RATES:-"20 40 60 80"}
OPEN_SECONDS=${OPEN_SECONDS:-60}
OPEN_PAUSE=${OPEN_PAUSE:-45}
ORDERS=${ORDERS:-1}
SEARCH_URL=${SEARCH_URL:-http://127.0.0.1:8084}
CATALOG_URL=${CATALOG_URL:-http://127.0.0.1:8085}
# ORDERS=0 skips the order phases (closed loop and open workload): the HTTP figures alone
BARE_PORT=${BARE_PORT:-18080}
OUT=load-tests/target/bench
mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "bench.sh needs wrk (apt-get install -y wrk)" >&2; exit 2; }

# the devstack JVM: whoever listens on the order service's port
DEVSTACK_PID=${DEVSTACK_PID:-$(ss -ltnp | grep ":8086 " | sed -n "s/.*pid=\([0-9]*\).*/\1/p" | head -1)}
[ -n "$DEVSTACK_PID" ] || { echo "no devstack listening on 8086 (set DEVSTACK_PID)" >&2; exit 2; }

if [ ! -s "$OUT/classpath" ] || [ load-tests/pom.xml -nt "$OUT/classpath" ]; then
  ./mvnw -q -o -pl load-tests test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$PWD/$OUT/classpath"
fi
CP="load-tests/target/test-classes:$(cat "$OUT/classpath")"
bench() { java -Xmx512m -cp "$CP" dev.eventmall.loadtests.bench.Bench "$@"; }

declare -A R
record() { R[$1]=$2; echo "$1 $2 $3"; }

descendants() { echo "$1"; for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do descendants "$c"; done; }
# CPU clock ticks (utime + stime) of the devstack JVM and every server it started
tree_ticks() {
  local sum=0 p
  for p in $(descendants "$DEVSTACK_PID"); do
    [ -r "/proc/$p/stat" ] && sum=$((sum + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
  done
  echo "$sum"
}
# wrk -t2 -c$WRK_CONNECTIONS -d${HTTP_SECONDS}s: records NAME_rps and NAME_p99_ms; its output stays in $OUT/wrk-NAME.log
run_wrk() {
  local name=$1; shift
  local log="$OUT/wrk-$name.log"
  wrk -t2 -c"$WRK_CONNECTIONS" -d"${HTTP_SECONDS}s" --latency "$@" > "$log"
  cat "$log" >> "$OUT/wrk.log"
  record "${name}_rps" "$(awk '/Requests\/sec/ {print $2}' "$log")" req/s
  record "${name}_p99_ms" "$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms/, "", v)} else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; print v}' "$log")" ms
  grep -E "Non-2xx|Socket errors" "$log" || true
}
# run_wrk against the platform, plus NAME_cpu_us_per_req (devstack and its servers; wrk's own CPU not included)
platform_wrk() {
  local name=$1 before after requests
  before=$(tree_ticks)
  run_wrk "$@"
  after=$(tree_ticks)
  requests=$(awk '/requests in/ {print $1}' "$OUT/wrk-$name.log")
  record "${name}_cpu_us_per_req" "$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%.0f", t * 1e6 / hz / n }')" "µs (devstack + servers)"
}

IDLE_SECONDS=${IDLE_SECONDS:-20}
if [ "$IDLE_SECONDS" != 0 ]; then
  echo "## platform idle: CPU of devstack and its servers over ${IDLE_SECONDS}s with no load"
  while read -r _ name value unit; do record "$name" "$value" "$unit"; done < <(bench idle "$IDLE_SECONDS" "$DEVSTACK_PID" | grep '^RESULT')
fi

echo "## baseline: bare Vert.x JSON endpoint (wrk -t2 -c$WRK_CONNECTIONS -d${HTTP_SECONDS}s)"
# java itself in the background (not the bench function: killing its subshell would orphan the JVM)
java -Xmx512m -cp "$CP" dev.eventmall.loadtests.bench.Bench http-server "$BARE_PORT" > "$OUT/bare.log" 2>&1 &
BARE=$!
trap 'kill $BARE 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$BARE_PORT/" >/dev/null && break; sleep 0.2; done
run_wrk bare_http "http://127.0.0.1:$BARE_PORT/"
kill "$BARE"; wait "$BARE" 2>/dev/null || true

echo "## baseline: Kafka produce+consume, $KAFKA_RECORDS x 600 B, platform producer config"
while read -r _ name value unit; do record "$name" "$value" "$unit"; done < <(bench kafka "$KAFKA_BOOTSTRAP" "$KAFKA_RECORDS" | grep '^RESULT')

echo "## baseline: MariaDB single-row durable INSERT, $MYSQL_THREADS connections, ${MYSQL_SECONDS}s"
while read -r _ name value unit; do record "$name" "$value" "$unit"; done < <(bench mysql "$MYSQL_JDBC" "$MYSQL_THREADS" "$MYSQL_SECONDS" | tee "$OUT/mysql.log" | grep '^RESULT')
grep innodb "$OUT/mysql.log" || true

echo "## platform: search (GET /search, rotating keywords, wrk -t2 -c$WRK_CONNECTIONS -d${HTTP_SECONDS}s)"
# a wrk script asking for PREFIX followed by each of the remaining arguments in turn
rotating_lua() {
  local file=$1 prefix=$2; shift 2
  { echo "local xs = {"; printf '"%s",\n' "$@"; echo "}"
    echo 'local i = 0'
    echo "request = function() i = i + 1; return wrk.format(\"GET\", \"$prefix\" .. xs[(i % #xs) + 1]) end"
  } > "$file"
}
rotating_lua "$OUT/search.lua" "/search?q=" "%EB%AC%B4%EC%84%A0" "%EC%9D%B4%EC%96%B4%ED%8F%B0" "%EC%8A%A4%ED%94%BC%EC%BB%A4" \
  "%EC%B9%B4%EB%A9%94%EB%9D%BC"
bench seed 40 | sed -n 's/^PRODUCT //p' > "$OUT/products.txt"
curl -sf "$SEARCH_URL/search?q=%EB%AC%B4%EC%84%A0" >/dev/null || echo "warning: search did not answer 200"
platform_wrk search -s "$OUT/search.lua" "$SEARCH_URL"

echo "## platform: product page (GET /products/{id}, the 40 seeded products in turn, wrk -t2 -c$WRK_CONNECTIONS -d${HTTP_SECONDS}s)"
mapfile -t PRODUCT_IDS < "$OUT/products.txt"
rotating_lua "$OUT/product.lua" "/products/" "${PRODUCT_IDS[@]}"
platform_wrk product_page -s "$OUT/product.lua" "$CATALOG_URL"

echo "## platform: category listing (GET /products?category=…&size=20, four categories in turn)"
rotating_lua "$OUT/category.lua" "/products?size=20&category=" audio camera kitchen outdoor
platform_wrk category_listing -s "$OUT/category.lua" "$CATALOG_URL"

if [ "$ORDERS" = 0 ]; then OPEN_RATES=""; fi

if [ "$ORDERS" != 0 ]; then
  echo "## platform: order saga, $ORDER_CONCURRENCY customers in a closed loop for ${ORDER_SECONDS}s (devstack pid $DEVSTACK_PID)"
  while read -r _ name value unit; do record "$name" "$value" "$unit"; done < <(bench orders "$ORDER_SECONDS" "$ORDER_CONCURRENCY" "$DEVSTACK_PID" | tee "$OUT/orders.log" | grep -E '^(RESULT|failure)' | sed 's/^failure/RESULT failure/')
fi

for rate in $OPEN_RATES; do
  echo "## platform: order saga, open workload $rate orders/s for ${OPEN_SECONDS}s (no polling; latency from the order database)"
  sleep "$OPEN_PAUSE"
  while read -r _ name value unit; do record "${name}_at_$rate" "$value" "$unit"; done < <(java -Xmx512m -Dpoll.ms="${POLL_MS:-0}" -cp "$CP" dev.eventmall.loadtests.bench.Bench orders-open "$rate" "$OPEN_SECONDS" "$DEVSTACK_PID" | tee "$OUT/open-$rate.log" | grep -E '^RESULT')
  grep -E '^(failure|final)' "$OUT/open-$rate.log" || true
done

echo "## RSS per process (devstack JVM and its children)"
for p in $(descendants "$DEVSTACK_PID"); do
  [ -r "/proc/$p/status" ] || continue
  rss=$(awk '/VmRSS/ {printf "%d", $2/1024}' /proc/$p/status)
  [ "${rss:-0}" -gt 4 ] || continue
  what=$(tr '\0' ' ' < /proc/$p/cmdline | grep -oE '(kafka\.Kafka|KafkaServer|CassandraDaemon|mariadbd|redis-server|DevStack|exec:java)' | head -1)
  printf '%-8s %-16s %8s MiB  %s\n' "$p" "$(cat /proc/$p/comm)" "$rss" "${what:-?}"
done | tee "$OUT/rss.txt"

ratio() { awk -v a="${R[$1]:-0}" -v b="${R[$2]:-0}" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
echo
echo "## summary"
echo "search / bare Vert.x HTTP            : ${R[search_rps]:-?} / ${R[bare_http_rps]:-?} = $(ratio search_rps bare_http_rps) (target >= 0.5), p99 ${R[search_p99_ms]:-?} ms, ${R[search_cpu_us_per_req]:-?} µs CPU/request"
echo "product page / bare Vert.x HTTP      : ${R[product_page_rps]:-?} / ${R[bare_http_rps]:-?} = $(ratio product_page_rps bare_http_rps), p99 ${R[product_page_p99_ms]:-?} ms, ${R[product_page_cpu_us_per_req]:-?} µs CPU/request"
echo "category listing / bare Vert.x HTTP  : ${R[category_listing_rps]:-?} / ${R[bare_http_rps]:-?} = $(ratio category_listing_rps bare_http_rps), p99 ${R[category_listing_p99_ms]:-?} ms, ${R[category_listing_cpu_us_per_req]:-?} µs CPU/request"
echo "orders/s / Kafka produce+consume msg/s: ${R[orders_per_s]:-?} / ${R[kafka_produce_consume_msgs_per_s]:-?} = $(ratio orders_per_s kafka_produce_consume_msgs_per_s)"
echo "orders/s / MariaDB durable insert tps : ${R[orders_per_s]:-?} / ${R[mysql_insert_tps_${MYSQL_THREADS}_threads]:-?} = $(ratio orders_per_s mysql_insert_tps_${MYSQL_THREADS}_threads)"
echo "saga p50 / p99 ms                     : ${R[saga_p50_ms]:-?} / ${R[saga_p99_ms]:-?} (target p99 <= 250)"
echo "failed or stuck orders                : ${R[orders_failed_or_stuck]:-?} (target 0)"
echo "CPU µs per order (devstack + children): ${R[platform_cpu_us_per_order]:-?}"
for rate in $OPEN_RATES; do
  echo "open $rate/s: accepted ${R[open_accepted_per_s_at_$rate]:-?}/s, shipped ${R[open_shipped_at_$rate]:-?}, stuck ${R[open_stuck_at_$rate]:-?}, settled ${R[open_settle_seconds_after_window_at_$rate]:-?} s after the window, saga p50/p99 ${R[open_saga_p50_ms_at_$rate]:-?}/${R[open_saga_p99_ms_at_$rate]:-?} ms, POST p99 ${R[open_post_p99_ms_at_$rate]:-?} ms, commits/order ${R[open_db_com_commit_per_order_at_$rate]:-?} (Handler_commit ${R[open_db_handler_commit_per_order_at_$rate]:-?}), statements/order ${R[open_db_questions_per_order_at_$rate]:-?}, shed ${R[open_post_shed_503_at_$rate]:-?}, CPU ${R[open_cpu_us_per_order_total_at_$rate]:-?} µs/order (services JVM ${R[open_cpu_us_per_order_services_jvm_at_$rate]:-?}, MariaDB ${R[open_cpu_us_per_order_mariadb_at_$rate]:-?}, Kafka ${R[open_cpu_us_per_order_kafka_at_$rate]:-?}), ${R[open_cpu_cores_busy_at_$rate]:-?} cores busy"
done
