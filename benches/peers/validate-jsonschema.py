"""Validates every line of a JSON Lines file against one published schema with Python
`jsonschema` (Draft 2020-12, formats on, as the README shows it).

    python validate-jsonschema.py SCHEMA FILE.jsonl

Prints one JSON line: documents, invalid documents, and the time of the loop (read, parse,
validate) and of building the validator, in milliseconds, measured inside the process.
"""

import json
import sys
import time

import jsonschema


def main():
    schema_path, path = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.Draft202012Validator
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    t1 = time.perf_counter()
    docs = invalid = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            docs += 1
            if not validator.is_valid(json.loads(line)):
                invalid += 1
    t2 = time.perf_counter()
    print(json.dumps({"tool": "jsonschema", "docs": docs, "invalid": invalid,
                      "compile_ms": (t1 - t0) * 1e3, "loop_ms": (t2 - t1) * 1e3}))
    sys.exit(0 if invalid == 0 else 1)


if __name__ == "__main__":
    main()
