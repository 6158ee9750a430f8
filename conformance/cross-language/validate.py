"""Schema verdicts of Python's `jsonschema` (Draft 2020-12, with a real `date-time` check).

Prints one JSON line per document, in the format of `examples/schema_verdicts.rs`:
`{"file", "member", "schema", "json", "valid", "errors"}`. Files are read the same way:

* `container.json`, `task.json`, `stats.json` and `task-stats.json` are one response each,
  validated against their endpoint's schema (`stats.json` against `container-stats.json`);
  a UTF-8 byte order mark is skipped, as the Rust checker skips it;
* any other file is a rule fixture, whose members `container`, `task`, `stats` and
  `task-stats` (at the top level and in each entry of `polls`) are validated.

Usage: python validate.py --schemas DIR (--files-from LIST | FILE...)
       python validate.py --schemas DIR --self-test
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from jsonschema import Draft202012Validator

# Endpoint name (the fixture member) -> (response file name, schema file name). The same table
# as `Endpoint` in src/endpoint.rs.
ENDPOINTS = [
    ("container", "container.json", "container.json"),
    ("task", "task.json", "task.json"),
    ("stats", "stats.json", "container-stats.json"),
    ("task-stats", "task-stats.json", "task-stats.json"),
]
BY_FILE = {file: (name, schema) for name, file, schema in ENDPOINTS}
BOM = b"\xef\xbb\xbf"


def _no_constants(name: str) -> object:
    # Python's json accepts NaN and Infinity, which are not JSON (RFC 8259).
    raise ValueError(f"{name} is not a JSON value")


def parse(raw: bytes) -> object:
    """Parses a document as the Rust checker does: one optional UTF-8 BOM, then strict JSON."""
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    return json.loads(raw.decode("utf-8"), parse_constant=_no_constants)


def pointer(path) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def load_validators(schemas: Path) -> dict[str, Draft202012Validator]:
    validators = {}
    for _, _, schema_file in ENDPOINTS:
        schema = json.loads((schemas / schema_file).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        validators[schema_file] = Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
    return validators


def verdict(validators, file: str, member: str, schema_file: str, doc: object) -> dict:
    errors = sorted(
        validators[schema_file].iter_errors(doc),
        key=lambda e: (pointer(e.absolute_path), pointer(e.absolute_schema_path)),
    )
    lines = [
        f"{pointer(e.absolute_path) or '(document)'}: {e.message} "
        f"(schema: {pointer(e.absolute_schema_path)})"
        for e in errors
    ]
    return {
        "file": file,
        "member": member,
        "schema": schema_file,
        "json": True,
        "valid": not lines,
        "errors": lines,
    }


def not_json(file: str, member: str, schema_file: str | None, err: Exception) -> dict:
    return {
        "file": file,
        "member": member,
        "schema": schema_file,
        "json": False,
        "valid": False,
        "errors": [f"not JSON: {err}"],
    }


def verdicts(validators, path: Path):
    file = str(path)
    raw = path.read_bytes()
    response = BY_FILE.get(path.name)
    try:
        doc = parse(raw)
    except ValueError as err:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        yield not_json(file, response[0] if response else "-", response and response[1], err)
        return
    if response:
        yield verdict(validators, file, response[0], response[1], doc)
        return
    polls = doc.get("polls") if isinstance(doc, dict) else None
    groups = [("", doc)] + [
        (f"polls/{i}/", poll) for i, poll in enumerate(polls if isinstance(polls, list) else [])
    ]
    for prefix, docs in groups:
        if not isinstance(docs, dict):
            continue
        for name, _, schema_file in ENDPOINTS:
            if name in docs:
                yield verdict(validators, file, prefix + name, schema_file, docs[name])


def self_test(validators) -> None:
    """Fails unless the format checker really checks `date-time` (it skips the format silently
    when rfc3339-validator is missing) and the published schemas use it."""
    checker = Draft202012Validator.FORMAT_CHECKER
    if "date-time" not in checker.checkers:
        sys.exit("self-test: jsonschema has no date-time checker; install rfc3339-validator "
                 "(pinned in requirements.txt)")
    probe = Draft202012Validator({"type": "string", "format": "date-time"}, format_checker=checker)
    for bad in ["2024-02-30T10:00:00Z", "2024-05-14T25:00:00Z", "yesterday"]:
        if probe.is_valid(bad):
            sys.exit(f"self-test: date-time {bad!r} was accepted")
    if not probe.is_valid("2024-05-14T09:12:08.113502761Z"):
        sys.exit("self-test: a valid date-time was rejected")
    # Through a published schema: an impossible date matching the schema's `pattern` is
    # rejected by `format` alone.
    doc = {
        "DockerId": "x", "Name": "x", "DockerName": "x", "Image": "x", "ImageID": "x",
        "DesiredStatus": "RUNNING", "KnownStatus": "RUNNING", "Limits": {}, "Type": "NORMAL",
        "CreatedAt": "2024-02-30T10:00:00Z",
    }
    errors = list(validators["container.json"].iter_errors(doc))
    if [e.validator for e in errors] != ["format"]:
        sys.exit(f"self-test: expected one format error, got {[e.message for e in errors]}")
    print(f"self-test: jsonschema {jsonschema_version()} checks date-time", file=sys.stderr)


def jsonschema_version() -> str:
    from importlib.metadata import version

    return version("jsonschema")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schemas", type=Path, required=True, help="directory of the v3 schemas")
    ap.add_argument("--files-from", type=Path, help="file listing the inputs, one a line")
    ap.add_argument("--self-test", action="store_true", help="check the date-time check, then exit")
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()
    validators = load_validators(args.schemas)
    self_test(validators)
    if args.self_test:
        return
    files = list(args.files)
    if args.files_from:
        files += [Path(l) for l in args.files_from.read_text().splitlines() if l.strip()]
    out = sys.stdout
    for path in files:
        for line in verdicts(validators, path):
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
