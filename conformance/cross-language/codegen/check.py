"""Code generation smoke test: the generated types are clean, and the Python ones load the corpus.

    python codegen/check.py --py build/py --ts build/ts --rust build/rust.jsonl

Run from the project root with the virtual environment's Python (it imports pydantic and the
generated packages `ecs_tmde_v3` and `ecs_tmde_v4` from --py; --ts holds `v3/` and `v4/`).

1. Names: no numbered duplicate (`TaskStatus1`, `Model1`), no renamed field (`Health_1`), no
   `Any`/`any` in the generated Python and TypeScript of either version, except what
   `known-issues.tsv` lists (and everything it lists must still occur, so that it shrinks when
   the schemas improve). Files are named relative to --py and --ts: `ecs_tmde_v4/task.py`,
   `v4/task.ts`.
2. Loading: every document of the corpus (recordings and schema-layer rule fixtures; not the
   edge cases) that the Rust checker finds valid loads into the generated pydantic model of its
   endpoint in its version (the `version` of its Rust verdict line), and the typed fields read
   back (container names and statuses, CPU counters; in v4 also LaunchType, each container's
   ContainerARN and the networks' MAC addresses).
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
KNOWN = HERE / "known-issues.tsv"
EDGE = "conformance/cross-language/edge-cases/"

VERSIONS = ["v3", "v4"]
# Endpoint -> (generated module, root model). The root models are named after the schema titles
# ("ECS Task Metadata Endpoint v4: task metadata" -> EcsTaskMetadataEndpointV4TaskMetadata).
ROOTS = {
    "container": ("container", "ContainerMetadata"),
    "task": ("task", "TaskMetadata"),
    "stats": ("container_stats", "ContainerStats"),
    "task-stats": ("task_stats", "TaskStats"),
}


def root_class(version: str, endpoint: str) -> str:
    return f"EcsTaskMetadataEndpoint{version.upper()}{ROOTS[endpoint][1]}"


def ugly_names(py: Path, ts: Path) -> set[tuple[str, str, str]]:
    found = set()
    py_files = sorted(py.rglob("*.py"))
    ts_files = sorted(ts.rglob("*.ts"))
    for version in VERSIONS:
        if not (py / f"ecs_tmde_{version}").is_dir() or not (ts / version).is_dir():
            sys.exit(f"codegen: no generated {version} types under {py} and {ts}")
    for f in py_files:
        name = f.relative_to(py).as_posix()
        text = f.read_text(encoding="utf-8")
        for m in re.finditer(r"^class (\w*\d)\b", text, re.M):
            found.add(("python", name, m.group(1)))
        for m in re.finditer(r"^\s+(\w+_\d+):", text, re.M):
            found.add(("python", name, m.group(1)))
        # `dict[str, Any]` is the empty object `{}` of a task stats entry; any other Any is not.
        body = re.sub(r"^from typing import .*$", "", text, flags=re.M).replace("dict[str, Any]", "")
        if re.search(r"\bAny\b", body):
            found.add(("python", name, "Any"))
    for f in ts_files:
        name = f.relative_to(ts).as_posix()
        text = re.sub(r"/\*.*?\*/", "", f.read_text(encoding="utf-8"), flags=re.S)
        for m in re.finditer(r"^export (?:interface|type) (\w*\d)\b", text, re.M):
            found.add(("typescript", name, m.group(1)))
        if re.search(r"\bany\b", text):
            found.add(("typescript", name, "any"))
    print(f"codegen files: {len(py_files)} Python and {len(ts_files)} TypeScript files "
          f"generated for {', '.join(VERSIONS)}")
    return found


def known_issues() -> set[tuple[str, str, str]]:
    known = set()
    for n, line in enumerate(KNOWN.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 4:
            sys.exit(f"{KNOWN}:{n}: expected 4 tab-separated columns")
        known.add(tuple(cols[:3]))
    return known


def check_names(py: Path, ts: Path) -> list[str]:
    found, known = ugly_names(py, ts), known_issues()
    problems = [f"generated {lang} {file}: `{name}` (numbered duplicate, renamed field or any); "
                f"improve the schemas (see schemas/README.md)" for lang, file, name in sorted(found - known)]
    problems += [f"{KNOWN.name}: `{name}` no longer occurs in the generated {lang} {file}; "
                 f"remove its line" for lang, file, name in sorted(known - found)]
    print(f"codegen names: {len(found)} known issue(s) of {len(known)} listed in {KNOWN.name}"
          if not problems else "codegen names: problems found")
    return problems


def read_v4_container(c) -> int:
    """The v4 fields of a container a user reads: its ARN and its network's MAC address."""
    n = 0
    if c.container_arn is not None:  # any non-empty string to the schema; its shape is a rule
        assert isinstance(c.container_arn, str)
        n += 1
    for net in c.networks or []:
        if net.mac_address is not None:
            assert isinstance(net.mac_address, str)
            n += 1
    return n


def read_back(version: str, endpoint: str, model) -> int:
    """Reads typed fields the way a user would; returns how many values were read."""
    n = 0
    if endpoint == "container":
        n += bool(model.name) + bool(model.known_status.value)
        if version == "v4":
            n += read_v4_container(model)
    elif endpoint == "task":
        for c in model.containers or []:
            assert isinstance(c.name, str) and c.known_status.value.isupper()
            n += 2
            if version == "v4":
                n += read_v4_container(c)
        if version == "v4" and model.launch_type is not None:
            assert model.launch_type.value in {"EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"}
            n += 1
    elif endpoint == "stats":
        n += isinstance(model.cpu_stats.cpu_usage.total_usage, int)
    else:
        for entry in model.root.values():
            if entry is not None and not isinstance(entry, dict):
                n += isinstance(entry.cpu_stats.cpu_usage.total_usage, int)
    return n


def check_loading(py: Path, rust: Path) -> list[str]:
    sys.path.insert(0, str(py))
    roots = {
        (v, e): getattr(importlib.import_module(f"ecs_tmde_{v}.{m}"), root_class(v, e))
        for v in VERSIONS for e, (m, _) in ROOTS.items()
    }
    problems, values = [], 0
    loaded = {v: 0 for v in VERSIONS}
    for text in rust.read_text(encoding="utf-8").splitlines():
        line = json.loads(text)
        if not line["valid"] or line["file"].startswith(EDGE):
            continue
        version = line["version"]
        endpoint = line["member"].rsplit("/", 1)[-1]
        raw = Path(line["file"]).read_bytes().removeprefix(b"\xef\xbb\xbf")
        doc = json.loads(raw)
        if line["member"] != endpoint or Path(line["file"]).name != f"{endpoint}.json":
            for part in line["member"].split("/"):
                doc = doc[int(part)] if part.isdigit() else doc[part]
        try:
            model = roots[(version, endpoint)].model_validate(doc)
            values += read_back(version, endpoint, model)
            loaded[version] += 1
        except Exception as err:  # noqa: BLE001 - report every failure, whatever its kind
            first = str(err).splitlines()[:4]
            problems.append(f"{line['file']}#{line['member']}: valid for Rust, but the generated "
                            f"pydantic model ecs_tmde_{version}.{ROOTS[endpoint][0]}."
                            f"{root_class(version, endpoint)} does not load it: {' / '.join(first)}")
    print(f"codegen python: {sum(loaded.values())} valid documents loaded into the generated "
          f"pydantic models of their version ({', '.join(f'{v}: {loaded[v]}' for v in VERSIONS)}), "
          f"{values} typed values read back")
    problems += [f"no {v} document loaded" for v in VERSIONS if loaded[v] == 0]
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--py", type=Path, required=True,
                    help="directory holding ecs_tmde_v3/ and ecs_tmde_v4/")
    ap.add_argument("--ts", type=Path, required=True,
                    help="directory holding the generated v3/*.ts and v4/*.ts")
    ap.add_argument("--rust", type=Path, required=True, help="verdict lines of schema_verdicts")
    args = ap.parse_args()
    problems = check_names(args.py, args.ts) + check_loading(args.py, args.rust)
    for p in problems:
        print(f"  {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
