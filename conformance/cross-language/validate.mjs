// Schema verdicts of JavaScript's ajv (Draft 2020-12, `ajv/dist/2020`) with ajv-formats.
//
// Prints one JSON line per document, in the format of examples/schema_verdicts.rs:
// {"file", "member", "schema", "json", "valid", "errors"}. Files are read the same way:
//
// * container.json, task.json, stats.json and task-stats.json are one response each, validated
//   against their endpoint's schema (stats.json against container-stats.json); a UTF-8 byte
//   order mark is skipped, as the Rust checker skips it;
// * any other file is a rule fixture, whose members container, task, stats and task-stats (at
//   the top level and in each entry of `polls`) are validated.
//
// Usage: node validate.mjs --schemas DIR (--files-from LIST | FILE...)
//        node validate.mjs --schemas DIR --self-test

import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { createRequire } from "node:module";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

// Endpoint name (the fixture member), response file name, schema file name: the same table as
// `Endpoint` in src/endpoint.rs.
const ENDPOINTS = [
  ["container", "container.json", "container.json"],
  ["task", "task.json", "task.json"],
  ["stats", "stats.json", "container-stats.json"],
  ["task-stats", "task-stats.json", "task-stats.json"],
];
const BY_FILE = new Map(ENDPOINTS.map(([name, file, schema]) => [file, [name, schema]]));

// The options a careful user would pick: every error, and strict mode with its checks that
// default to warnings ("log") made errors, so that a schema ajv only half understands fails to
// compile here instead of validating less than it says.
export function makeAjv() {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictSchema: true,
    strictNumbers: true,
    strictTypes: true,
    strictTuples: true,
    strictRequired: false,
    validateFormats: true,
  });
  addFormats(ajv); // "full" mode: date-time checks the calendar and the clock, not only the shape
  return ajv;
}

export function loadValidators(dir) {
  const ajv = makeAjv();
  const validators = new Map();
  for (const [, , schemaFile] of ENDPOINTS) {
    const schema = JSON.parse(readFileSync(join(dir, schemaFile), "utf8"));
    validators.set(schemaFile, ajv.compile(schema));
  }
  return validators;
}

// Parses a document as the Rust checker does: one optional UTF-8 BOM, then strict UTF-8 JSON.
function parse(buf) {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    buf = buf.subarray(3);
  }
  // ignoreBOM: a second BOM is content (and then not JSON), as in Rust and Python.
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(buf);
  return JSON.parse(text);
}

function verdict(validators, file, member, schemaFile, doc) {
  const validate = validators.get(schemaFile);
  const ok = validate(doc);
  const errors = ok
    ? []
    : validate.errors.map(
        (e) => `${e.instancePath || "(document)"}: ${e.message} (schema: ${e.schemaPath.replace(/^#/, "")})`,
      );
  return { file, member, schema: schemaFile, json: true, valid: ok, errors };
}

function notJson(file, member, schemaFile, err) {
  return { file, member, schema: schemaFile, json: false, valid: false, errors: [`not JSON: ${err.message}`] };
}

function* verdicts(validators, file) {
  const response = BY_FILE.get(basename(file));
  let doc;
  try {
    doc = parse(readFileSync(file));
  } catch (err) {
    yield notJson(file, response ? response[0] : "-", response ? response[1] : null, err);
    return;
  }
  if (response) {
    yield verdict(validators, file, response[0], response[1], doc);
    return;
  }
  const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const groups = [["", doc]];
  if (isObject(doc) && Array.isArray(doc.polls)) {
    doc.polls.forEach((poll, i) => groups.push([`polls/${i}/`, poll]));
  }
  for (const [prefix, docs] of groups) {
    if (!isObject(docs)) continue;
    for (const [name, , schemaFile] of ENDPOINTS) {
      if (Object.hasOwn(docs, name)) yield verdict(validators, file, prefix + name, schemaFile, docs[name]);
    }
  }
}

// Fails unless date-time is really checked, also through a published schema.
function selfTest(validators) {
  const probe = makeAjv().compile({ type: "string", format: "date-time" });
  for (const bad of ["2024-02-30T10:00:00Z", "2024-05-14T25:00:00Z", "yesterday"]) {
    if (probe(bad)) throw new Error(`self-test: date-time ${JSON.stringify(bad)} was accepted`);
  }
  if (!probe("2024-05-14T09:12:08.113502761Z")) throw new Error("self-test: a valid date-time was rejected");
  const doc = {
    DockerId: "x", Name: "x", DockerName: "x", Image: "x", ImageID: "x",
    DesiredStatus: "RUNNING", KnownStatus: "RUNNING", Limits: {}, Type: "NORMAL",
    CreatedAt: "2024-02-30T10:00:00Z",
  };
  const validate = validators.get("container.json");
  const keywords = validate(doc) ? [] : validate.errors.map((e) => e.keyword);
  if (keywords.join() !== "format") {
    throw new Error(`self-test: expected one format error, got ${JSON.stringify(validate.errors)}`);
  }
  const require = createRequire(import.meta.url);
  const version = require("ajv/package.json").version;
  const formats = require("ajv-formats/package.json").version;
  process.stderr.write(`self-test: ajv ${version} with ajv-formats ${formats} checks date-time\n`);
}

function main(argv) {
  let schemas = null;
  let selfTestOnly = false;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--schemas") schemas = argv[++i];
    else if (a === "--files-from") {
      const list = readFileSync(argv[++i], "utf8").split("\n");
      files.push(...list.filter((l) => l.trim() !== ""));
    } else if (a === "--self-test") selfTestOnly = true;
    else if (a.startsWith("--")) throw new Error(`unknown option ${a}`);
    else files.push(a);
  }
  if (!schemas) throw new Error("--schemas DIR is required");
  const validators = loadValidators(schemas);
  selfTest(validators);
  if (selfTestOnly) return;
  const out = [];
  for (const file of files) {
    for (const line of verdicts(validators, file)) out.push(JSON.stringify(line));
  }
  process.stdout.write(out.length ? out.join("\n") + "\n" : "");
}

main(process.argv.slice(2));
