#!/usr/bin/env bash
# The cheap attacks of the hardening issue, replayed against the release build: while each runs
# for a while, a reader measures /healthz. Prints, per attack, how long /healthz took (median, p99,
# worst), the attacker's request rate and the server's peak RSS. Never part of the tests.
#
#   bench/attack.sh [--seconds S]
#
# Everything talks to 127.0.0.1 only; each attack ends by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=15
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

cargo build --release -q -p gazette
gazette="$root/target/release/gazette"
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
db="sqlite:$work/attack.db"
port=18095
"$gazette" migrate --db "$db" >/dev/null
echo 'an attacked password' | "$gazette" user add chief --email chief@example.org --role admin \
    --password-stdin --db "$db" >/dev/null
# The per-address limits are lifted, as if the attack came from many addresses: every comment
# with a valid token is then rendered (the worst case for the renderer).
RUST_LOG=warn GAZETTE_SPAM_MIN_FORM_SECONDS=0 GAZETTE_SPAM_PER_IP_LIMIT=0 GAZETTE_SPAM_PER_NETWORK_LIMIT=0 \
    "$gazette" serve --db "$db" --listen "127.0.0.1:$port" \
    >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
    sleep 0.05
done

python3 - "$port" "$seconds" "$pid" <<'PY'
import re, statistics, sys, threading, time, urllib.parse, urllib.request
port, seconds, pid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
base = f"http://127.0.0.1:{port}"

def rss():
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1)) // 1024

def page(path):
    with urllib.request.urlopen(base + path) as r:
        return r.read().decode(), r.headers.get_all("Set-Cookie") or []

def post(path, fields, cookie=""):
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(base + path, data=body, method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    try:
        with urllib.request.urlopen(request) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code

def health_while(attack, attackers):
    stop = time.time() + seconds
    count = [0]
    def run():
        while time.time() < stop:
            attack()
            count[0] += 1
    threads = [threading.Thread(target=run, daemon=True) for _ in range(attackers)]
    for t in threads:
        t.start()
    times = []
    while time.time() < stop:
        start = time.time()
        urllib.request.urlopen(base + "/healthz").read()
        times.append((time.time() - start) * 1000)
        time.sleep(0.05)
    for t in threads:
        t.join()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1], times[-1], count[0] / seconds

article, _ = page("/articles/welcome-to-gazette")
token = re.search(r'name="form_token" value="([^"]*)"', article).group(1)
login, cookies = page("/admin/login")
csrf = re.search(r'name="csrf" value="([^"]*)"', login).group(1)
cookie = "; ".join(c.split(";")[0] for c in cookies)

attacks = [
    ("nothing (baseline)", lambda: time.sleep(0.1), 1),
    ("10,000 '>' comments, bogus token", lambda: post("/articles/welcome-to-gazette/comments",
        {"comment": ">" * 10000, "author": "A", "email": "a@example.org", "form_token": "1.2.x"}), 2),
    ("10,000 '>' comments, valid token, each new", lambda: post("/articles/welcome-to-gazette/comments",
        {"comment": ">" * 9980 + str(time.time_ns()), "author": "A", "email": "a@example.org", "form_token": token}), 2),
    ("reset links with unknown tokens", lambda: post("/admin/reset/not-a-token",
        {"csrf": csrf, "password": "a long new password", "confirm": "a long new password"}, cookie), 4),
    ("wrong passwords for the admin", lambda: post("/admin/login",
        {"csrf": csrf, "username": "chief", "password": "guess", "next": "/admin"}, cookie), 4),
]
print(f"| attack ({seconds} s each) | attacker requests/s | /healthz median | p99 | worst | peak RSS |")
print("| --- | --- | --- | --- | --- | --- |")
for name, attack, attackers in attacks:
    median, p99, worst, rate = health_while(attack, attackers)
    print(f"| {name} ({attackers} clients) | {rate:.0f} | {median:.1f} ms | {p99:.1f} ms | {worst:.1f} ms | {rss()} MiB |")
PY
