#!/usr/bin/env bash
# Soak: mixed load on the release build for a long while (default 20 minutes), sampling the
# server's resident memory, open descriptors and threads every 30 s. Readers, commenters, live
# streams that come and go, and hostile clients (silent connections, drip-fed headers) all at
# once. Prints a table of the samples and whether RSS and descriptors stayed flat. Never part of
# the tests.
#
#   bench/soak.sh [--minutes M] [--articles N] [--comments C]
#
# Everything talks to 127.0.0.1 only; every load loop ends with the soak.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

minutes=20
articles=1000
comments=50000
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) minutes=$2; shift 2 ;;
        --articles) articles=$2; shift 2 ;;
        --comments) comments=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2" >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need curl curl

cache="$root/bench/.cache"
mkdir -p "$cache"
cargo build --release -q -p gazette -p gazette-bench
gazette="$root/target/release/gazette"

db_file="$cache/bench-$articles-$comments.db"
if [ ! -f "$db_file" ]; then
    echo "generating $articles articles and $comments comments into $db_file" >&2
    "$root/target/release/generate" --db "sqlite:$db_file" --articles "$articles" --comments "$comments" >/dev/null
fi
work="$cache/soak.db"
rm -f "$work" "$work-wal" "$work-shm"
cp "$db_file" "$work"

port=18090
base="http://127.0.0.1:$port"
export GAZETTE_DB="sqlite:$work" GAZETTE_LISTEN="127.0.0.1:$port" RUST_LOG=warn
# One address sends everything: lift the per-address limits; keep every other spam layer.
export GAZETTE_SPAM_PER_IP_LIMIT=0 GAZETTE_SPAM_PER_NETWORK_LIMIT=0
export GAZETTE_SERVER_HEADER_TIMEOUT_SECONDS=5
"$gazette" serve >"$cache/soak.out" 2>"$cache/soak.err" &
pid=$!
children=()
cleanup() {
    for child in "${children[@]}"; do kill "$child" 2>/dev/null || true; done
    kill "$pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/" || true)" = "200" ] && break
    sleep 0.05
done

seconds=$(( minutes * 60 ))
token=$(curl -s "$base/articles/bench-article" | grep -o 'name="form_token" value="[^"]*"' | sed 's/.*value="//; s/"$//')
sleep 3.5

# Readers of the long tail, the front page and one busy article; commenters.
PATH_PREFIX="/articles/story-" COUNT=$(( articles - 1 )) OFFSET=0 \
    wrk -t1 -c16 -d"${seconds}s" -s "$root/bench/wrk/random-article.lua" "$base" >"$cache/soak-readers.txt" 2>&1 &
children+=($!)
wrk -t1 -c4 -d"${seconds}s" "$base/" >"$cache/soak-front.txt" 2>&1 &
children+=($!)
FORM_PATH="/articles/bench-article/comments" FIELDS="form_token=$token" KIND=gazette \
    wrk -t1 -c4 -d"${seconds}s" -s "$root/bench/wrk/post-comment.lua" "$base" >"$cache/soak-comments.txt" 2>&1 &
children+=($!)

# Live streams that open and close, silent connections and drip-fed headers, all the time.
python3 - "$port" "$seconds" >"$cache/soak-hostile.txt" 2>&1 <<'PY' &
import socket, sys, threading, time
port, seconds = int(sys.argv[1]), int(sys.argv[2])
end = time.time() + seconds
counts = {"streams": 0, "silent": 0, "drip": 0}

def streams():
    while time.time() < end:
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /articles/bench-article/live HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        s.settimeout(3)
        try:
            s.recv(4096)
            time.sleep(2)
        except OSError:
            pass
        s.close()
        counts["streams"] += 1

def silent():
    while time.time() < end:
        held = []
        for _ in range(50):
            try:
                held.append(socket.create_connection(("127.0.0.1", port)))
            except OSError:
                break
        time.sleep(6)
        for s in held:
            s.close()
        counts["silent"] += len(held)

def drip():
    while time.time() < end:
        try:
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET / HTTP/1.1\r\n")
            while time.time() < end:
                time.sleep(1)
                s.sendall(b"X-Drip: 1\r\n")
        except OSError:
            pass
        counts["drip"] += 1

workers = [threading.Thread(target=f, daemon=True) for f in [streams, streams, silent, drip, drip]]
for w in workers:
    w.start()
for w in workers:
    w.join()
print(counts)
PY
children+=($!)

samples=()
sample() {
    local t=$1
    local rss fds threads
    rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status")
    fds=$(ls "/proc/$pid/fd" | wc -l)
    threads=$(awk '/Threads/ {print $2}' "/proc/$pid/status")
    samples+=("$t $rss $fds $threads")
    echo "t=${t}s rss=${rss}MiB fds=$fds threads=$threads" >&2
}
start=$(date +%s)
while :; do
    elapsed=$(( $(date +%s) - start ))
    sample "$elapsed"
    [ "$elapsed" -ge "$seconds" ] && break
    sleep 30
done
for child in "${children[@]}"; do wait "$child" 2>/dev/null || true; done
sleep 6
sample "$(( $(date +%s) - start ))"

echo
echo "Gazette soak, $(date -u +%Y-%m-%d), $(nproc) cores; $articles articles, $comments comments; ${minutes} minutes of readers (16 + 4 connections), commenters (4), live streams opening and closing, 50 silent connections and 2 drip-fed ones at all times."
echo
echo "| t (s) | RSS (MiB) | open descriptors | threads |"
echo "| --- | --- | --- | --- |"
for s in "${samples[@]}"; do
    read -r t rss fds threads <<<"$s"
    echo "| $t | $rss | $fds | $threads |"
done
echo
awk '/Requests\/sec/ {print "readers: " $2 " req/s"}' "$cache/soak-readers.txt"
awk '/Requests\/sec/ {print "front page: " $2 " req/s"}' "$cache/soak-front.txt"
awk '/^acknowledged/ {print "comments acknowledged: " $2}' "$cache/soak-comments.txt"
echo "hostile clients: $(tail -n 1 "$cache/soak-hostile.txt")"
# Flat: the last quarter's largest RSS within 10% (and 8 MiB) of the second quarter's largest.
count=${#samples[@]}
q2=$(printf '%s\n' "${samples[@]}" | awk -v n="$count" 'NR > n/4 && NR <= n/2 {if ($2 > m) m = $2} END {print m+0}')
q4=$(printf '%s\n' "${samples[@]}" | awk -v n="$count" 'NR >= 3*n/4 && NR < n {if ($2 > m) m = $2} END {print m+0}')
last_fds=$(printf '%s\n' "${samples[@]}" | tail -n 1 | awk '{print $3}')
first_fds=$(printf '%s\n' "${samples[@]}" | head -n 1 | awk '{print $3}')
verdict="flat"
if [ "$q4" -gt $(( q2 + q2 / 10 + 8 )) ]; then verdict="GROWING"; fi
echo "RSS: second quarter peak ${q2} MiB, last quarter peak ${q4} MiB: $verdict"
echo "descriptors: ${first_fds} at the start, ${last_fds} after the load stopped"
