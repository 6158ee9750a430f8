"""Schema verdicts of Python's `jsonschema` (Draft 2020-12, with a real `date-time` check).

Prints one JSON line per document, in the format of `examples/schema_verdicts.rs`:
`{"file", "member", "version", "schema", "json", "valid", "errors"}`. Files are read the same
way, and each document is validated against the schemas of its version (`v3/` or `v4/` under
the `--schemas` directory):

* `container.json`, `task.json`, `stats.json` and `task-stats.json` are one response each,
  validated against their endpoint's schema (`stats.json` against `container-stats.json`) in
  the version of the `recording.json` beside them (`v2` and `v3` are v3, `v4` is v4; no file
  or no `version` is v3); a UTF-8 byte order mark is skipped, as the Rust checker skips it;
* any other file is a rule fixture, whose members `container`, `task`, `stats` and
  `task-stats` (at the top level and in each entry of `polls`) are validated in the
  fixture's version (its top-level `version`, v3 when absent).

An unknown version is an error.

Usage: python validate.py --schemas DIR (--files-from LIST | FILE...)
       python validate.py --schemas DIR --self-test

DIR is the `schemas/` directory, holding `v3/` and `v4/`.
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
# The spellings of a version and the schemas that judge it (`ApiVersion::parse` in
# src/check/mod.rs): v2 recordings are judged as v3, because the agent serves the same structs.
VERSIONS = {"v2": "v3", "v3": "v3", "v4": "v4"}
SCHEMA_VERSIONS = ["v3", "v4"]
DEFAULT_VERSION = "v3"


class InputError(Exception):
    """A file the validators cannot judge (an unknown version): fails the run."""


def parse_version(value: object, where: str) -> str:
    if isinstance(value, str) and value in VERSIONS:
        return VERSIONS[value]
    raise InputError(f"{where}: unknown version {json.dumps(value)}; expected v2, v3 or v4")


_RECORDING_VERSIONS: dict[Path, str] = {}


def recording_version(directory: Path) -> str:
    """The version of a recording directory's documents: its `recording.json`'s `version`."""
    if directory not in _RECORDING_VERSIONS:
        meta_file = directory / "recording.json"
        version = DEFAULT_VERSION
        if meta_file.is_file():
            try:
                meta = parse(meta_file.read_bytes())
            except ValueError as err:
                raise InputError(f"{meta_file}: not JSON: {err}") from err
            if not isinstance(meta, dict):
                raise InputError(f"{meta_file}: not a JSON object")
            if meta.get("version") is not None:  # serde reads `null` as absent
                version = parse_version(meta["version"], str(meta_file))
        _RECORDING_VERSIONS[directory] = version
    return _RECORDING_VERSIONS[directory]


def fixture_version(file: str, doc: object) -> str:
    """The version of a rule fixture: its top-level `version`, v3 when absent or null."""
    if isinstance(doc, dict) and doc.get("version") is not None:
        return parse_version(doc["version"], file)
    return DEFAULT_VERSION


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
    """One validator per schema file, keyed `v3/task.json`, `v4/task.json`..."""
    validators = {}
    for version in SCHEMA_VERSIONS:
        for _, _, schema_file in ENDPOINTS:
            schema = json.loads((schemas / version / schema_file).read_text(encoding="utf-8"))
            Draft202012Validator.check_schema(schema)
            validators[f"{version}/{schema_file}"] = Draft202012Validator(
                schema, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
    return validators


def verdict(validators, file: str, member: str, version: str, schema_file: str,
            doc: object) -> dict:
    schema = f"{version}/{schema_file}"
    errors = sorted(
        validators[schema].iter_errors(doc),
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
        "version": version,
        "schema": schema,
        "json": True,
        "valid": not lines,
        "errors": lines,
    }


def not_json(file: str, member: str, version: str, schema_file: str | None,
             err: Exception) -> dict:
    return {
        "file": file,
        "member": member,
        "version": version,
        "schema": f"{version}/{schema_file}" if schema_file else None,
        "json": False,
        "valid": False,
        "errors": [f"not JSON: {err}"],
    }


def verdicts(validators, path: Path):
    file = str(path)
    raw = path.read_bytes()
    response = BY_FILE.get(path.name)
    if response:
        version = recording_version(path.parent)
        try:
            doc = parse(raw)
        except ValueError as err:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            yield not_json(file, response[0], version, response[1], err)
            return
        yield verdict(validators, file, response[0], version, response[1], doc)
        return
    try:
        doc = parse(raw)
    except ValueError as err:
        yield not_json(file, "-", DEFAULT_VERSION, None, err)
        return
    version = fixture_version(file, doc)
    polls = doc.get("polls") if isinstance(doc, dict) else None
    groups = [("", doc)] + [
        (f"polls/{i}/", poll) for i, poll in enumerate(polls if isinstance(polls, list) else [])
    ]
    for prefix, docs in groups:
        if not isinstance(docs, dict):
            continue
        for name, _, schema_file in ENDPOINTS:
            if name in docs:
                yield verdict(validators, file, prefix + name, version, schema_file, docs[name])


def self_test(validators) -> None:
    """Fails unless the format checker really checks `date-time` (it skips the format silently
    when rfc3339-validator is missing) and the published schemas of both versions use it."""
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
    for version in SCHEMA_VERSIONS:
        errors = list(validators[f"{version}/container.json"].iter_errors(doc))
        if [e.validator for e in errors] != ["format"]:
            sys.exit(f"self-test: {version}/container.json: expected one format error, "
                     f"got {[e.message for e in errors]}")
    print(f"self-test: jsonschema {jsonschema_version()} checks date-time", file=sys.stderr)


def jsonschema_version() -> str:
    from importlib.metadata import version

    return version("jsonschema")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schemas", type=Path, required=True,
                    help="the schemas/ directory (holding v3/ and v4/)")
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
    try:
        for path in files:
            for line in verdicts(validators, path):
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    except InputError as err:
        sys.exit(f"validate.py: {err}")


if __name__ == "__main__":
    main()
