#!/usr/bin/env python3
"""The peer of concord's default pipeline, built from the tools a user would pick instead.

    python peer.py CORPUS.jsonl --gazetteers DIR [--trained] [--json]

Same job as `concord bench` (one core): read the articles, split sentences and tag gazetteer
entities with spaCy (`spacy.blank("en")` + `sentencizer` + `entity_ruler` loaded with every name
and alias of every `*.tsv` gazetteer in DIR), then cluster sentences with datasketch
(`MinHash` over lower-cased word shingles, `MinHashLSH` candidate pairs, union-find clusters).
`--trained` uses a trained pipeline (`--model`, default `en_core_web_sm`: parser sentences,
statistical NER with the ruler in front) instead of the blank one, when it is installed;
otherwise it skips with a message (exit 0).

Each phase is timed with time.perf_counter; the summary is printed as a table, or with --json as
one JSON object on stdout (messages go to stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import time
from pathlib import Path

# One core, like `concord bench --threads 1`: no hidden BLAS/OpenMP thread pools.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

TOOL_BLANK = "spacy-blank+datasketch"
KINDS = {"PERSON", "ORG", "LOC", "MISC"}
WORD = re.compile(r"\w+")


def log(msg: str) -> None:
    print(f"peer: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Inputs


def read_corpus(path: Path) -> tuple[list[str], int, int]:
    """Article texts of a JSONL corpus, the file's size in bytes and the texts' UTF-8 bytes."""
    texts: list[str] = []
    text_bytes = 0
    with path.open("r", encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"peer: {path}:{n}: not JSON: {e}")
            text = rec.get("text") if isinstance(rec, dict) else None
            if not isinstance(text, str):
                continue
            texts.append(text)
            text_bytes += len(text.encode("utf-8"))
    return texts, path.stat().st_size, text_bytes


def read_gazetteers(folder: Path) -> tuple[list[dict], int, int]:
    """EntityRuler phrase patterns from every `*.tsv` in `folder`.

    Format (see the files' header comments): `#` lines and blank lines ignored; TAB-separated
    canonical name, kind (PERSON, ORG, LOC or MISC), aliases separated by "|" (may be empty),
    then optional id and url. Returns (patterns, entries, files).
    """
    files = sorted(folder.glob("*.tsv"))
    if not files:
        raise SystemExit(f"peer: no *.tsv gazetteer in {folder}")
    seen: set[tuple[str, str]] = set()
    patterns: list[dict] = []
    entries = 0
    for file in files:
        for n, raw in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            cols = raw.rstrip("\r\n").split("\t")
            name = cols[0].strip()
            kind = cols[1].strip().upper() if len(cols) > 1 else ""
            if not name or not kind:
                log(f"{file.name}:{n}: skipped (needs a name and a kind)")
                continue
            if kind not in KINDS:
                log(f"{file.name}:{n}: unusual kind {kind!r}, kept as label")
            entries += 1
            aliases = cols[2].split("|") if len(cols) > 2 else []
            ent_id = cols[3].strip() if len(cols) > 3 and cols[3].strip() else name
            for surface in [name, *aliases]:
                surface = surface.strip()
                if surface and (surface, kind) not in seen:
                    seen.add((surface, kind))
                    patterns.append({"label": kind, "pattern": surface, "id": ent_id})
    return patterns, entries, len(files)


# ---------------------------------------------------------------------------------------------
# Pipeline


def model_available(model: str) -> bool:
    import importlib.util

    return Path(model).is_dir() or importlib.util.find_spec(model) is not None


def build_nlp(patterns: list[dict], model: str | None):
    import spacy

    if model:
        try:
            nlp = spacy.load(model)
        except OSError:
            return None
        # Ruler in front of the statistical NER, as the spaCy docs recommend for gazetteers.
        ruler = nlp.add_pipe("entity_ruler", before="ner" if "ner" in nlp.pipe_names else None)
    else:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        ruler = nlp.add_pipe("entity_ruler")  # phrase patterns on ORTH: case-sensitive, whole tokens
    ruler.add_patterns(patterns)
    nlp.max_length = max(nlp.max_length, 10_000_000)
    return nlp


def run_pipe(nlp, texts: list[str], batch_size: int) -> tuple[list[str], int]:
    """Sentences (text) of every article and the number of entity mentions."""
    sentences: list[str] = []
    entities = 0
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=1):
        entities += len(doc.ents)
        sentences.extend(s.text for s in doc.sents)
    return sentences, entities


def shingles(sentence: str, size: int, min_words: int) -> list[bytes] | None:
    words = WORD.findall(sentence.lower())
    if not words or len(words) < min_words:
        return None
    if len(words) < size:
        return [" ".join(words).encode("utf-8")]
    return list({" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)})


def cluster(sentences: list[str], num_perm: int, threshold: float, size: int, min_words: int) -> dict:
    """MinHash every sentence, LSH candidate pairs, union-find clusters.

    Each sentence is queried against the index before it is inserted: that finds exactly the
    pairs of "insert all, then query all" (each once) without holding every MinHash in memory.
    """
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    proto = MinHash(num_perm=num_perm)  # permutations built once, copied per sentence
    parent: list[int] = []

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    units = pairs = 0
    for sent in sentences:
        sh = shingles(sent, size, min_words)
        if sh is None:
            continue
        m = proto.copy()
        m.update_batch(sh)
        key = units
        parent.append(key)
        units += 1
        for other in lsh.query(m):
            pairs += 1
            a, b = find(key), find(other)
            if a != b:
                parent[a] = b
        lsh.insert(key, m, check_duplication=False)

    sizes: dict[int, int] = {}
    for i in range(units):
        r = find(i)
        sizes[r] = sizes.get(r, 0) + 1
    return {
        "units": units,
        "candidate_pairs": pairs,
        "clusters": sum(1 for s in sizes.values() if s > 1),
        "clustered_units": sum(s for s in sizes.values() if s > 1),
        "lsh_bands": lsh.b,
        "lsh_rows": lsh.r,
    }


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return (kb / 1024 / 1024 if sys.platform == "darwin" else kb / 1024)


# ---------------------------------------------------------------------------------------------
# Main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, help="JSONL, one article a line: id, title, text, source")
    ap.add_argument("--gazetteers", type=Path, required=True, help="folder of *.tsv gazetteers")
    ap.add_argument("--trained", action="store_true", help="use a trained pipeline instead of spacy.blank")
    ap.add_argument("--model", default="en_core_web_sm",
                    help="the trained pipeline of --trained: package name or folder (default en_core_web_sm)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    ap.add_argument("--batch-size", type=int, default=None,
                    help="nlp.pipe batch size (default: the pipeline's own, 1000 for spacy.blank)")
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--shingle", type=int, default=2, help="words per shingle (default 2)")
    ap.add_argument("--min-words", type=int, default=5,
                    help="sentences with fewer words are not clustered (concord's min_claim_words)")
    a = ap.parse_args(argv)

    if not a.corpus.is_file():
        raise SystemExit(f"peer: no corpus at {a.corpus}")
    if not a.gazetteers.is_dir():
        raise SystemExit(f"peer: no gazetteer folder at {a.gazetteers}")
    tool = f"spacy-{Path(a.model).name}+datasketch" if a.trained else TOOL_BLANK
    skip = f"{a.model} is not installed in this environment: skipped --trained"
    if a.trained and not model_available(a.model):
        return skipped(tool, skip, a.json)
    phases: dict[str, float] = {}
    t_start = time.perf_counter()

    t = time.perf_counter()
    texts, file_bytes, text_bytes = read_corpus(a.corpus)
    phases["read"] = time.perf_counter() - t
    log(f"{len(texts)} articles, {file_bytes / 1e6:.1f} MB ({text_bytes / 1e6:.1f} MB of text)")

    t = time.perf_counter()
    patterns, entries, nfiles = read_gazetteers(a.gazetteers)
    nlp = build_nlp(patterns, a.model if a.trained else None)
    phases["build"] = time.perf_counter() - t
    if nlp is None:
        return skipped(tool, skip, a.json)
    log(f"{len(patterns)} patterns from {entries} gazetteer entries in {nfiles} files; pipes {nlp.pipe_names}")

    batch_size = a.batch_size or nlp.batch_size
    t = time.perf_counter()
    sentences, entities = run_pipe(nlp, texts, batch_size)
    phases["pipe"] = time.perf_counter() - t
    log(f"nlp.pipe: {len(sentences)} sentences, {entities} entities in {phases['pipe']:.1f} s")
    articles = len(texts)
    del texts

    t = time.perf_counter()
    cl = cluster(sentences, a.num_perm, a.threshold, a.shingle, a.min_words)
    phases["minhash_lsh"] = time.perf_counter() - t

    seconds = time.perf_counter() - t_start
    out = {
        "tool": tool,
        "articles": articles,
        "bytes": file_bytes,
        "text_bytes": text_bytes,
        "seconds": round(seconds, 4),
        "mb_per_s": round(file_bytes / 1e6 / seconds, 4) if seconds > 0 else None,
        "articles_per_s": round(articles / seconds, 2) if seconds > 0 else None,
        "phases": {k: round(v, 4) for k, v in phases.items()},
        "sentences": len(sentences),
        "entities": entities,
        "clusters": cl["clusters"],
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "clustered_units": cl["clustered_units"],
        "units": cl["units"],
        "candidate_pairs": cl["candidate_pairs"],
        "params": {
            "batch_size": batch_size, "n_process": 1, "num_perm": a.num_perm,
            "threshold": a.threshold, "shingle_words": a.shingle, "min_words": a.min_words,
            "lsh_bands": cl["lsh_bands"], "lsh_rows": cl["lsh_rows"], "patterns": len(patterns),
        },
        "versions": versions(),
    }

    if a.json:
        print(json.dumps(out))
    else:
        print_table(out)
    return 0


def skipped(tool: str, msg: str, as_json: bool) -> int:
    log(msg + " (en_core_web_sm is not on PyPI under that name; see README.md)")
    if as_json:
        print(json.dumps({"tool": tool, "skipped": msg}))
    return 0


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    v = {"python": sys.version.split()[0]}
    for pkg in ("spacy", "datasketch", "numpy"):
        try:
            v[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return v


def print_table(o: dict) -> None:
    print(f"{o['tool']}  (one process, one core; spaCy {o['versions'].get('spacy')}, "
          f"datasketch {o['versions'].get('datasketch')})")
    rows = [
        ("articles", f"{o['articles']}"),
        ("input", f"{o['bytes'] / 1e6:.2f} MB ({o['text_bytes'] / 1e6:.2f} MB of text)"),
        ("wall", f"{o['seconds']:.2f} s"),
        ("throughput", f"{o['mb_per_s']:.3f} MB/s, {o['articles_per_s']:.1f} articles/s"),
        ("peak RSS", f"{o['peak_rss_mb']:.0f} MB"),
        ("sentences", f"{o['sentences']}"),
        ("entities", f"{o['entities']}"),
        ("clusters", f"{o['clusters']} ({o['clustered_units']} of {o['units']} clustered sentences, "
                     f"{o['candidate_pairs']} candidate pairs)"),
    ]
    for k, v in rows:
        print(f"  {k:<12} {v}")
    print("  phase          seconds   share")
    for k, v in o["phases"].items():
        share = 100 * v / o["seconds"] if o["seconds"] else 0
        print(f"  {k:<12} {v:>9.2f} {share:>6.1f}%")


if __name__ == "__main__":
    sys.exit(main())
