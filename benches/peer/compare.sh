#!/usr/bin/env bash
# concord against its peer (spaCy blank + EntityRuler + datasketch MinHashLSH), same corpus, same run.
#
#   bash benches/peer/compare.sh [SIZE] [CONCORD_DATA]
#
# SIZE          corpus size passed to `concord bench --size` (default 30MB)
# CONCORD_DATA  the shared data folder with bbc-news/ and reuters21578/ (default ../shared/data,
#               relative to the repository root); absent: skip with a message, exit 0.
# Env:
#   OUT=DIR            where the corpus and results go (default target/peer-compare)
#   TRAINED=1          also run the peer with en_core_web_sm (skipped if it is not installed)
#   CONCORD_BENCH_ARGS extra arguments for `concord bench`
#   CONCORD_BIN=PATH   use this concord binary and skip the cargo build
#
# Writes OUT/corpus.jsonl (by concord bench), OUT/concord.json, OUT/peer.json,
# [OUT/peer-trained.json] and OUT/compare.json, and prints the figures and the ratio.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SIZE="${1:-30MB}"
DATA="${2:-${CONCORD_DATA:-$ROOT/../shared/data}}"
OUT="${OUT:-$ROOT/target/peer-compare}"

fail() { echo "peer/compare.sh: $*" >&2; exit 1; }

if [[ ! -d "$DATA" ]]; then
    echo "peer/compare.sh: no shared data at $DATA (needs bbc-news/ and reuters21578/): skipped"
    exit 0
fi
DATA="$(cd "$DATA" && pwd)"
export CONCORD_DATA="$DATA"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
cd "$ROOT"

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"

if [[ -z "${CONCORD_BIN:-}" ]]; then
    echo "== build concord (release)" >&2
    cargo build --release -j2 --bin concord >&2 || fail "cargo build failed"
    CONCORD_BIN="$ROOT/target/release/concord"
fi
[[ -x "$CONCORD_BIN" ]] || fail "no concord binary at $CONCORD_BIN"

echo "== concord bench --size $SIZE --threads 1" >&2
# shellcheck disable=SC2086  # CONCORD_BENCH_ARGS is a list of words on purpose
"$CONCORD_BIN" bench --size "$SIZE" --threads 1 --keep "$OUT" --json ${CONCORD_BENCH_ARGS:-} \
    > "$OUT/concord.json" || fail "concord bench failed (see above)"
[[ -s "$OUT/corpus.jsonl" ]] || fail "concord bench wrote no corpus at $OUT/corpus.jsonl"

echo "== peer setup" >&2
bash "$HERE/setup.sh" || fail "peer setup failed"
PY="$HERE/.venv/bin/python"

echo "== peer: spacy.blank + sentencizer + entity_ruler, datasketch MinHashLSH (one process)" >&2
"$PY" "$HERE/peer.py" "$OUT/corpus.jsonl" --gazetteers "$ROOT/config/gazetteers" --json \
    > "$OUT/peer.json" || fail "peer.py failed (see above)"
if [[ "${TRAINED:-0}" != 0 ]]; then
    echo "== peer --trained" >&2
    "$PY" "$HERE/peer.py" "$OUT/corpus.jsonl" --gazetteers "$ROOT/config/gazetteers" --trained --json \
        > "$OUT/peer-trained.json" || fail "peer.py --trained failed (see above)"
fi

LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
CPU="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)"

"$PY" - "$OUT" "$(nproc)" "${CPU:-unknown}" "$LOAD_BEFORE" "$LOAD_AFTER" <<'PY'
import json, os, sys

out, nproc, cpu, load_before, load_after = sys.argv[1:6]

def load(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)

def first(d, *keys):
    for k in keys:
        if isinstance(d, dict) and d.get(k) is not None:
            return d[k]
    return None

c = load("concord.json")
p = load("peer.json")
t = load("peer-trained.json")
c_bytes = first(c, "bytes", "input_bytes")
c_secs = first(c, "wall_seconds", "seconds")
c_mbps = first(c, "mb_per_second", "mb_per_s")
if c_mbps is None and c_bytes and c_secs:
    c_mbps = c_bytes / 1e6 / c_secs
if c_bytes is None or c_secs is None or c_mbps is None:
    sys.exit("peer/compare.sh: concord.json lacks bytes / wall_seconds / mb_per_second: %s" % sorted(c or {}))

def peer_row(p):
    if not p or "skipped" in p:
        return None
    # Same bytes for both: concord's count over the peer's time (the corpus is the same file).
    same = c_bytes / 1e6 / p["seconds"]
    return {"tool": p["tool"], "mb_per_s": same, "mb_per_s_own": p["mb_per_s"],
            "articles_per_s": p["articles_per_s"], "seconds": p["seconds"],
            "peak_rss_mb": p["peak_rss_mb"], "phases": p["phases"], "ratio": c_mbps / same}

peer, trained = peer_row(p), peer_row(t)
if peer is None:
    sys.exit("peer/compare.sh: the peer produced no figures")
summary = {
    "machine": {"nproc": int(nproc), "cpu": cpu, "loadavg_before": load_before, "loadavg_after": load_after},
    "corpus": {"articles": first(c, "articles"), "bytes": c_bytes, "peer_articles": p["articles"],
               "peer_bytes": p["bytes"]},
    "concord": {"mb_per_s": c_mbps, "articles_per_s": first(c, "articles_per_second", "articles_per_s"),
                "seconds": c_secs,
                "peak_rss_mb": first(c, "peak_rss_mb") or ((c.get("peak_rss_bytes") or 0) / 1e6 or None)},
    "peer": peer,
    "peer_trained": trained if trained else (t.get("skipped") if t else None),
    "ratio": peer["ratio"],
}
with open(os.path.join(out, "compare.json"), "w") as f:
    json.dump(summary, f, indent=2)

def fmt(x, spec):
    return format(x, spec) if isinstance(x, (int, float)) else "?"

print()
print(f"machine: {nproc} cores, {cpu}; load average {load_before} before, {load_after} after")
print(f"corpus:  {fmt(summary['corpus']['articles'], 'd')} articles, {c_bytes / 1e6:.1f} MB ({out}/corpus.jsonl)")
if p["articles"] != summary["corpus"]["articles"]:
    print(f"warning: the peer read {p['articles']} articles, concord reports {summary['corpus']['articles']}")
print()
print(f"{'tool':<36} {'MB/s':>9} {'articles/s':>11} {'seconds':>9} {'peak RSS MB':>12} {'ratio':>8}")
c_row = summary["concord"]
print(f"{'concord (1 thread)':<36} {fmt(c_mbps, '9.3f')} {fmt(c_row['articles_per_s'], '11.1f')} "
      f"{fmt(c_secs, '9.2f')} {fmt(c_row['peak_rss_mb'], '12.0f')} {'1':>8}")
for r in (peer, trained):
    if r:
        print(f"{r['tool']:<36} {r['mb_per_s']:9.3f} {r['articles_per_s']:11.1f} {r['seconds']:9.2f} "
              f"{r['peak_rss_mb']:12.0f} {r['ratio']:7.1f}x")
if t and "skipped" in t:
    print(f"(trained peer: {t['skipped']})")
print()
print(f"ratio: concord MB/s / peer MB/s = {peer['ratio']:.1f}x  (same corpus, same bytes, one core each)")
print(f"peer phases (s): " + ", ".join(f"{k} {v:.2f}" for k, v in peer["phases"].items()))
print(f"results: {out}/compare.json")
PY
