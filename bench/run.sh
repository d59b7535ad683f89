#!/usr/bin/env bash
# Gazette's load benchmark: W1–W6 against the release build of `gazette serve`, beside nginx
# serving the same article page as a static file (the limit) and, with --wordpress, WordPress on
# PHP-FPM + MariaDB + nginx (the incumbent). Prints a Markdown table. Never part of the tests.
#
#   bench/run.sh [--articles N] [--comments M] [--duration S] [--connections C] [--wordpress]
#                [--postgres URL]
#
# Everything talks to 127.0.0.1 only; every load loop is bounded by wrk's --duration.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

articles=1000
comments=50000
duration=20
warmup=5
connections=32
wordpress=0
pg_url=""
while [ $# -gt 0 ]; do
    case "$1" in
        --articles) articles=$2; shift 2 ;;
        --comments) comments=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --wordpress) wordpress=1; shift ;;
        --postgres) pg_url=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2" >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need nginx nginx-light
need curl curl

cache="$root/bench/.cache"
mkdir -p "$cache"
cargo build --release -q -p gazette -p gazette-bench
gazette="$root/target/release/gazette"

# --- data -------------------------------------------------------------------------------------
if [ -n "$pg_url" ]; then
    db="$pg_url"
    echo "generating into $pg_url (it must be empty)" >&2
    generation=$( { /usr/bin/time -f "%e" "$root/target/release/generate" --db "$db" --articles "$articles" --comments "$comments" >/dev/null; } 2>&1 | tail -n 1)
    db_size="(PostgreSQL)"
else
    db_file="$cache/bench-$articles-$comments.db"
    db="sqlite:$db_file"
    if [ ! -f "$db_file" ]; then
        echo "generating $articles articles and $comments comments into $db_file" >&2
        start=$(date +%s.%N)
        "$root/target/release/generate" --db "$db" --articles "$articles" --comments "$comments" >/dev/null
        generation=$(echo "$(date +%s.%N) - $start" | bc)
    else
        generation="(reused)"
    fi
    db_size="$(du -m "$db_file" | cut -f1) MiB"
    # Every run starts from the generated database as it was (W4 adds thousands of comments).
    work="$cache/bench-$articles-$comments.run.db"
    rm -f "$work" "$work-wal" "$work-shm"
    cp "$db_file" "$work"
    db="sqlite:$work"
fi

# --- Gazette ----------------------------------------------------------------------------------
port=18080
export GAZETTE_DB="$db" GAZETTE_LISTEN="127.0.0.1:$port"
# All the load comes from one address: lift the per-address and per-network limits (0 = off) only.
export GAZETTE_SPAM_PER_IP_LIMIT=0 GAZETTE_SPAM_PER_NETWORK_LIMIT=0
export RUST_LOG=warn
launched=$(date +%s%N)
"$gazette" serve >"$cache/gazette.out" 2>"$cache/gazette.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; [ -n "${nginx_pid:-}" ] && kill $nginx_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true)" = "200" ]; then break; fi
    sleep 0.01
done
startup_ms=$(( ($(date +%s%N) - launched) / 1000000 ))

base="http://127.0.0.1:$port"
bench_id=$(curl -s "$base/api/v1/articles?page=1" | python3 -c 'import json,sys; print([a["id"] for a in json.load(sys.stdin)["items"] if a["slug"]=="bench-article"][0])' 2>/dev/null || true)
if [ -z "$bench_id" ]; then
    # The bench article is the newest generated one, right after the welcome article.
    bench_id=2
fi

rows=()
# run NAME TARGET URL [LUA] [extra wrk args...]: warm-up, then the measured run; appends a row.
run() {
    local name=$1 target=$2 url=$3 lua=${4:-} conns=${5:-$connections} dur=${6:-$duration} timeout=${7:-5s}
    local script=()
    [ -n "$lua" ] && script=(-s "$root/bench/wrk/$lua")
    wrk -t2 -c"$conns" -d"${warmup}s" --timeout "$timeout" "${script[@]}" "$url" >/dev/null 2>&1 || true
    local out
    out=$(wrk -t2 -c"$conns" -d"${dur}s" --timeout "$timeout" --latency "${script[@]}" "$url" 2>&1)
    local rps p50 p99 requests errors non2xx acknowledged
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '/^ +50%/ {print $2}' <<<"$out")
    p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    errors=$(awk '/Socket errors/ {gsub(",",""); s=0; for(i=3;i<=NF;i+=2) s+=$i; print s}' <<<"$out")
    non2xx=$(awk '/Non-2xx or 3xx/ {print $NF}' <<<"$out")
    acknowledged=$(awk '/^acknowledged/ {print $2}' <<<"$out")
    local failed=$(( ${errors:-0} + ${non2xx:-0} ))
    local note=""
    [ -n "$acknowledged" ] && note="acknowledged $acknowledged"
    rows+=("| $name | $target | ${rps:-0} | ${p50:-–} | ${p99:-–} | $failed / ${requests:-0} | $note |")
    echo "$name: ${rps:-0} req/s, p50 ${p50:-–}, p99 ${p99:-–}, failed $failed of ${requests:-0} $note" >&2
}

held_before=$("$gazette" comments list --held --db "$db" | awk '/held comments\)/ {gsub("\\(",""); print $(NF-2)}')
held_before=${held_before:-0}

run "W1 article page (200 comments)" "Gazette" "$base/articles/bench-article" article.lua
run "W2 its comments as JSON" "Gazette" "$base/api/v1/articles/$bench_id/comments"
run "W3 front page" "Gazette" "$base/"
run "W3f site feed (RSS)" "Gazette" "$base/feed"

# W4: a form token issued now is accepted from 3 seconds on; fetch one, wait, then post.
token=$(curl -s "$base/articles/bench-article" | grep -o 'name="form_token" value="[^"]*"' | sed 's/.*value="//; s/"$//')
sleep 3.5
FORM_PATH="/articles/bench-article/comments" FIELDS="form_token=$token" KIND=gazette \
    run "W4 posting comments" "Gazette" "$base" post-comment.lua
held_after=$("$gazette" comments list --held --db "$db" | awk '/held comments\)/ {gsub("\\(",""); print $(NF-2)}')
landed=$(( ${held_after:-0} - held_before ))
rows[-1]=$(sed "s/acknowledged \([0-9]*\) |\$/acknowledged \1 (measured run), landed $landed (warm-up included) |/" <<<"${rows[-1]}")

PATH_PREFIX="/articles/story-" COUNT=$(( articles - 1 )) OFFSET=0 \
    run "W5 random article (of $articles)" "Gazette" "$base" random-article.lua

run "W6 search, common and rare words" "Gazette" "$base" search.lua
UNCACHED=1 run "W6u search, never from the cache" "Gazette" "$base" search.lua

rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
kill $pid; wait $pid 2>/dev/null || true

# --- nginx serving the same page as a static file ---------------------------------------------
static="$cache/static"
mkdir -p "$static/run"
"$gazette" serve >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 200); do curl -s -o /dev/null "$base/" && break; sleep 0.01; done
curl -s "$base/articles/bench-article" -o "$static/bench-article.html"
kill $pid; wait $pid 2>/dev/null || true
cat >"$static/nginx.conf" <<CONF
worker_processes auto;
pid $static/run/nginx.pid;
error_log $static/run/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types { text/html html; }
    client_body_temp_path $static/run; proxy_temp_path $static/run; fastcgi_temp_path $static/run;
    uwsgi_temp_path $static/run; scgi_temp_path $static/run;
    server { listen 127.0.0.1:18081; root $static; location / { try_files \$uri.html =404; } }
}
CONF
nginx -c "$static/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
sleep 0.5
run "W1 same page as a static file" "nginx" "http://127.0.0.1:18081/bench-article" article.lua
kill $nginx_pid; wait $nginx_pid 2>/dev/null || true
nginx_pid=""

# --- WordPress ------------------------------------------------------------------------------
if [ "$wordpress" = 1 ]; then
    bash "$root/bench/wordpress.sh" setup "$articles" "$comments" >&2
    wp="http://127.0.0.1:18082"
    wp_bench=$(cat "$cache/wordpress/bench-post-id")
    wp_first=$(cat "$cache/wordpress/first-post-id")
    wp_conns=8 wp_dur=$(( duration * 3 ))
    run "W1 article page (200 comments)" "WordPress" "$wp/?p=$wp_bench" article.lua $wp_conns $wp_dur 60s
    run "W2 its comments as JSON (REST, 100 a page)" "WordPress" "$wp/?rest_route=/wp/v2/comments&post=$wp_bench&per_page=100" "" $wp_conns $wp_dur 60s
    run "W3 front page" "WordPress" "$wp/" "" $wp_conns $wp_dur 60s
    wp_before=$(mysql -N wpbench -e "SELECT COUNT(*) FROM wp_comments")
    FORM_PATH="/wp-comments-post.php" FIELDS="comment_post_ID=$wp_bench&comment_parent=0" KIND=wordpress \
        run "W4 posting comments" "WordPress" "$wp" post-comment.lua $wp_conns $wp_dur 60s
    wp_after=$(mysql -N wpbench -e "SELECT COUNT(*) FROM wp_comments")
    rows[-1]=$(sed "s/acknowledged \([0-9]*\) |\$/acknowledged \1 (measured run), landed $(( wp_after - wp_before )) (warm-up included) |/" <<<"${rows[-1]}")
    PATH_PREFIX="/?p=" COUNT=$(( articles - 1 )) OFFSET=$wp_first \
        run "W5 random article (of $articles)" "WordPress" "$wp" random-article.lua $wp_conns $wp_dur 60s
    bash "$root/bench/wordpress.sh" stop >&2
fi

# --- the table --------------------------------------------------------------------------------
cores=$(nproc)
echo
echo "Gazette benchmark, $(date -u +%Y-%m-%d), $cores cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM; $articles articles, $comments comments; wrk $connections connections, ${duration}s after ${warmup}s warm-up (WordPress: 8 connections, $((duration * 3))s, 60 s timeout)."
echo
echo "| workload | server | requests/s | p50 | p99 | failed / requests | notes |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
echo
echo "Gazette: start-up to first 200 ${startup_ms} ms (existing database); peak RSS $(( rss_kb / 1024 )) MiB over W1–W6; database $db_size; generation ${generation} s."
