"""Lists the corpus of the cross-language run, and compares the verdicts of the validators.

    python crosscheck.py inputs --schema-rules RULES > LIST
    python crosscheck.py compare --list LIST --rust R.jsonl --python P.jsonl --js J.jsonl

Run from the project root. Standard library only.

The corpus is every response file of `conformance/recorded/*/`, every fixture under
`conformance/rules/<rule>/{pass,fail}/` of a rule the schema enforces (RULES lists them, one id
a line, from `cargo run --example schema_verdicts -- --list-schema-rules`), and the probes of
`conformance/cross-language/edge-cases/`. Each validator prints one JSON line per document
(see examples/schema_verdicts.rs), naming the version (`v3` or `v4`) whose schemas judged it.
`compare` joins the lines on (file, member) and fails, naming the file, the validator and both
verdicts, when a validator picked another version or schema than Rust, its verdict differs
from Rust's, a validator left a document out, or an edge case differs otherwise than
`known-differences.tsv` says. The summary counts the documents and agreements per version.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

RECORDED = Path("conformance/recorded")
RULES = Path("conformance/rules")
EDGE = Path("conformance/cross-language/edge-cases")
KNOWN = EDGE / "known-differences.tsv"
RESPONSE_FILES = ["container.json", "task.json", "stats.json", "task-stats.json"]
VALIDATORS = [("python", "Python jsonschema"), ("js", "JavaScript ajv")]
VERSIONS = ["v3", "v4"]


def inputs(schema_rules: Path) -> list[Path]:
    rules = [l.strip() for l in schema_rules.read_text().splitlines() if l.strip()]
    if not rules:
        sys.exit("crosscheck: no schema-layer rules listed")
    files: list[Path] = []
    recordings = sorted(p for p in RECORDED.iterdir() if p.is_dir())
    for rec in recordings:
        found = [rec / f for f in RESPONSE_FILES if (rec / f).is_file()]
        if not found:
            sys.exit(f"crosscheck: {rec} has no response file")
        files += found
    for rule in rules:
        fixtures = sorted((RULES / rule).glob("*/*.json"))
        if not fixtures:
            sys.exit(f"crosscheck: rule {rule} has no fixture under {RULES / rule}")
        files += fixtures
    files += sorted(p for p in EDGE.rglob("*.json"))
    return files


def verdict(line: dict | None) -> str:
    if line is None:
        return "missing"
    if not line["json"]:
        return "not JSON"
    return "valid" if line["valid"] else "invalid"


def load(path: Path, who: str) -> dict[tuple[str, str], dict]:
    lines: dict[tuple[str, str], dict] = {}
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            key = (line["file"], line["member"])
            line["json"], line["valid"], line["errors"], line["schema"]  # noqa: B018 - all there
            if line["version"] not in VERSIONS:
                raise ValueError(f"version {line['version']!r} is not one of {VERSIONS}")
        except (ValueError, KeyError, TypeError) as err:
            sys.exit(f"crosscheck: {path}:{n}: not a verdict line of {who} ({err}): {text[:200]}")
        if key in lines:
            sys.exit(f"crosscheck: {who} gave two verdicts for {key[0]}#{key[1]}")
        lines[key] = line
    return lines


def known_differences() -> dict[tuple[str, str], dict[str, str]]:
    known = {}
    for n, text in enumerate(KNOWN.read_text(encoding="utf-8").splitlines(), 1):
        if not text.strip() or text.startswith("#"):
            continue
        cols = text.split("\t")
        if len(cols) != 6:
            sys.exit(f"crosscheck: {KNOWN}:{n}: expected 6 tab-separated columns")
        file, member, rust, python, js, _why = cols
        known[(str(EDGE / file), member)] = {"rust": rust, "python": python, "js": js}
    return known


def show(line: dict | None, limit: int = 6) -> str:
    if line is None:
        return "      (no line)"
    errs = line["errors"][:limit]
    more = len(line["errors"]) - len(errs)
    text = "".join(f"\n      {e[:300]}" for e in errs)
    return text + (f"\n      ... and {more} more" if more > 0 else "") if errs else "      (no errors)"


def compare(args) -> int:
    files = [l for l in args.list.read_text().splitlines() if l.strip()]
    runs = {"rust": load(args.rust, "Rust"), "python": load(args.python, "Python"),
            "js": load(args.js, "JavaScript")}
    rust = runs["rust"]
    known = known_differences()
    failures: list[str] = []

    # Every listed file has a verdict from Rust, and every validator judged the same documents.
    judged = {f for f, _ in rust}
    for f in files:
        if f not in judged:
            failures.append(f"{f}: no document judged by Rust (a fixture without members?)")
    for who, name in VALIDATORS:
        for key in sorted(set(runs[who]) - set(rust)):
            failures.append(f"{key[0]}#{key[1]}: {name} judged a document Rust did not")

    main = {v: {"docs": 0, "agree": 0, "valid": 0, "invalid": 0, "not JSON": 0} for v in VERSIONS}
    edge = {"docs": 0, "as documented": 0, "known": 0, **{v: 0 for v in VERSIONS}}
    recordings = {v: set() for v in VERSIONS}
    seen_known = set()
    for key in sorted(rust):
        file, member = key
        version = rust[key]["version"]
        got = {who: verdict(runs[who].get(key)) for who in runs}
        # The same document must have been judged by the same schema: a validator that picked
        # another version (or file) fails whatever its verdict.
        same_schema = True
        for who, name in VALIDATORS:
            line = runs[who].get(key)
            if line is not None and (line["version"], line["schema"]) != (version, rust[key]["schema"]):
                same_schema = False
                failures.append(
                    f"VERSION {file}#{member}: {name} used {line['version']} ({line['schema']}), "
                    f"Rust used {version} ({rust[key]['schema']})"
                )
        if file.startswith(str(RECORDED) + "/"):
            recordings[version].add(str(Path(file).parent))
        is_edge = file.startswith(str(EDGE) + "/")
        if is_edge:
            edge["docs"] += 1
            edge[version] += 1
            want = known.get(key)
            if want is not None:
                seen_known.add(key)
                edge["known"] += 1
            expected = want or {who: got["rust"] for who in runs}
            if got == expected and same_schema:
                edge["as documented"] += 1
                continue
            if got == expected:
                continue  # only the version differs, reported above
            failures.append(
                f"{file}#{member} (edge case): verdicts rust={got['rust']} python={got['python']} "
                f"js={got['js']}, but {KNOWN} says "
                + (f"rust={want['rust']} python={want['python']} js={want['js']}" if want
                   else "all three agree")
                + "".join(f"\n    {who}:{show(runs[who].get(key))}" for who in runs)
            )
            continue
        counts = main[version]
        counts["docs"] += 1
        counts[got["rust"]] += 1
        ok = same_schema
        for who, name in VALIDATORS:
            if got[who] != got["rust"]:
                ok = False
                schema = rust[key]["schema"]
                failures.append(
                    f"DISAGREEMENT {file}#{member} (schema {schema}): {name} says {got[who]}, "
                    f"Rust says {got['rust']}"
                    f"\n    {name}:{show(runs[who].get(key))}"
                    f"\n    Rust:{show(rust[key])}"
                )
        counts["agree"] += ok
    for key in sorted(set(known) - seen_known):
        failures.append(f"{key[0]}#{key[1]}: listed in {KNOWN} but not in the corpus")

    def per_version(n: dict[str, int]) -> str:
        return ", ".join(f"{v}: {n[v]}" for v in VERSIONS)

    n_rec = sum(1 for p in RECORDED.iterdir() if p.is_dir())
    n_fix = sum(1 for f in files if f.startswith(str(RULES) + "/"))
    print(f"corpus: {len(files)} files: {n_rec} recordings (v2 or v3: {len(recordings['v3'])}, "
          f"v4: {len(recordings['v4'])}), {n_fix} fixtures of "
          f"schema-layer rules, {sum(1 for f in files if f.startswith(str(EDGE) + '/'))} edge cases")
    docs = sum(main[v]["docs"] for v in VERSIONS)
    agree = sum(main[v]["agree"] for v in VERSIONS)
    print(f"recordings and fixtures: {docs} documents, {agree} with the same verdict in Rust, "
          f"Python and JavaScript; by version: "
          + "; ".join(f"{v}: {main[v]['agree']} of {main[v]['docs']} agree (Rust: "
                      f"{main[v]['valid']} valid, {main[v]['invalid']} invalid, "
                      f"{main[v]['not JSON']} not JSON)" for v in VERSIONS))
    print(f"edge cases: {edge['docs']} documents ({per_version(edge)}), {edge['as documented']} "
          f"as documented ({edge['known']} known differences, listed in {KNOWN})")
    passed = agree + edge["as documented"]
    if failures:
        print(f"\n{len(failures)} problem(s):", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        print(f"cross-language: {passed} passed, {len(failures)} failed", file=sys.stderr)
        return 1
    for v in VERSIONS:
        if main[v]["docs"] == 0:
            print(f"crosscheck: no {v} document compared", file=sys.stderr)
            return 1
    if args.passed_to:
        args.passed_to.write_text(f"{passed}\n")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("inputs", help="print the corpus, one file a line")
    p.add_argument("--schema-rules", type=Path, required=True)
    c = sub.add_parser("compare", help="compare the verdicts")
    for opt in ["list", "rust", "python", "js"]:
        c.add_argument(f"--{opt}", type=Path, required=True)
    c.add_argument("--passed-to", type=Path, help="file to write the number of agreements to")
    args = ap.parse_args()
    if args.cmd == "inputs":
        for f in inputs(args.schema_rules):
            print(f)
        return 0
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
