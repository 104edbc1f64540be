#!/usr/bin/env bash
# What each RocksDB read-path option buys on a get that misses the value cache (issue 13):
# runs `alexdb bench profile --json` once per setting, each on a freshly loaded database,
# and prints one line per setting. Run it alone on the machine: the figures are timings.
#
#   scripts/miss_options.sh [ROWS] [extra bench profile arguments...]
#   e.g. scripts/miss_options.sh 10000000 --keys random --set value_cache_entries=0
#
# ALEXDB names the binary (default: target/release/alexdb, else alexdb on PATH).
# Columns: get mean / p50 / p99 (ns, measured around each get), RocksDB's block-read and
# decompress ns per get that reached it, the block-cache hit rate of the blocks those
# gets touched, and the memory held for data after the run (Db::held_bytes total, MiB).
set -euo pipefail

rows="${1:-10000000}"
shift || true
here="$(cd "$(dirname "$0")/.." && pwd)"
alexdb="${ALEXDB:-$here/target/release/alexdb}"
[ -x "$alexdb" ] || alexdb="$(command -v alexdb || true)"
if [ -z "$alexdb" ]; then
  echo "miss_options.sh: no alexdb binary (build with: cargo build --release --locked)" >&2
  exit 1
fi
command -v jq >/dev/null || { echo "miss_options.sh: needs jq" >&2; exit 1; }

# One setting per line: a label, then NAME=VALUE pairs for --set (none: the defaults).
# SETTINGS (space-separated labels) runs only those, e.g. SETTINGS="defaults block_size=4KiB".
settings=(
  "defaults"
  "block_size=4KiB"
  "block_size=16KiB"
  "bottommost_compression=lz4"
  "bottommost_compression=none"
  "bottommost_compression=zstd"
  "data_block_hash_index=on"
  "data_block_hash_index=off"
  "optimize_filters_for_hits=on"
  "optimize_filters_for_hits=off"
  "bloom_bits_per_key=0"
  "bloom_bits_per_key=10"
  "verify_checksums=on"
  "verify_checksums=off"
  "pin_index_and_filter_blocks=all"
  "pin_index_and_filter_blocks=flush"
  "pin_index_and_filter_blocks=none"
)

if [ -n "${SETTINGS:-}" ]; then
  read -r -a settings <<<"$SETTINGS"
fi

printf '%-36s %9s %8s %8s %10s %11s %8s %10s\n' \
  setting mean_ns p50_ns p99_ns read_ns decomp_ns bc_hit held_MiB
for s in "${settings[@]}"; do
  args=()
  [ "$s" = defaults ] || args=(--set "$s")
  json="$("$alexdb" bench profile --rows "$rows" --json "${args[@]}" "$@")"
  jq -r --arg s "$s" '
    [$s,
     (.query.mean_ns | floor), .query.p50_ns, .query.p99_ns,
     (.rocksdb_internal.block_read_ns | floor),
     (.rocksdb_internal.block_decompress_ns | floor),
     ((.block_cache_hit_rate * 1000 | floor) / 10 | tostring + "%"),
     ((.held.alex + .held.value_cache + .held.block_cache_usage
       + .held.table_readers + .held.memtables) / 1048576 * 10 | floor / 10)]
    | @tsv' <<<"$json" |
    awk -F'\t' '{ printf "%-36s %9s %8s %8s %10s %11s %8s %10s\n", $1, $2, $3, $4, $5, $6, $7, $8 }'
done
