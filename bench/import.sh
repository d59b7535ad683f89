#!/usr/bin/env bash
# Times `gazette import wordpress` on generated exports of the same shapes as the theme test
# data (authors, nested categories, tags, threaded comments with a few held, spam and pingbacks,
# attachments, a page, a menu item): 1x and 10x, first import and re-import, on SQLite and, with
# --postgres URL, on PostgreSQL too. Prints a table of wall time and peak RSS. Never part of the
# tests.
#
#   bench/import.sh [--posts N] [--comments M] [--postgres postgres://postgres@127.0.0.1:5432/postgres]
set -euo pipefail
cd "$(dirname "$0")/.."
posts=1000
comments=50000
postgres=""
while [ $# -gt 0 ]; do
    case "$1" in
        --posts) posts=$2; shift 2 ;;
        --comments) comments=$2; shift 2 ;;
        --postgres) postgres=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
cargo build --release -q -p gazette -p gazette-bench --bin gazette --bin wxr
gazette=target/release/gazette
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # label command...
    local label=$1 out
    shift
    out=$( { /usr/bin/time -f "%e %M" "$@" >/dev/null; } 2>&1 | tail -1)
    printf "| %-34s | %8s s | %6d MB |\n" "$label" "${out% *}" $(( ${out#* } / 1024 ))
}

run() { # label db file
    measure "$1" "$gazette" --db "$2" import wordpress "$3"
}

for scale in 1 10; do
    target/release/wxr --posts $((posts * scale)) --comments $((comments * scale)) > "$work/export-$scale.xml"
done
echo "| run | wall | peak RSS |"
echo "| --- | --- | --- |"
for scale in 1 10; do
    file="$work/export-$scale.xml"
    size=$(( $(stat -c %s "$file") / 1000000 ))
    run "SQLite ${scale}x (${size} MB), first" "sqlite:$work/site-$scale.db" "$file"
    run "SQLite ${scale}x, again (all unchanged)" "sqlite:$work/site-$scale.db" "$file"
    if [ -n "$postgres" ]; then
        base=${postgres%/*}
        db="gazette_import_bench_$scale"
        psql "$postgres" -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
        run "PostgreSQL ${scale}x, first" "$base/$db" "$file"
        run "PostgreSQL ${scale}x, again" "$base/$db" "$file"
        psql "$postgres" -q -c "DROP DATABASE $db" >/dev/null
    fi
done
# Moving out and back: the whole site as JSON, and read into an empty site.
for scale in 1 10; do
    measure "SQLite ${scale}x, export json" "$gazette" --db "sqlite:$work/site-$scale.db" export json --to "$work/site-$scale.json"
    size=$(( $(stat -c %s "$work/site-$scale.json") / 1000000 ))
    measure "SQLite ${scale}x, import json (${size} MB)" "$gazette" --db "sqlite:$work/json-$scale.db" import json "$work/site-$scale.json"
    measure "SQLite ${scale}x, export wordpress" "$gazette" --db "sqlite:$work/site-$scale.db" export wordpress --to "$work/out-$scale.xml"
done
