// Schema verdicts of JavaScript's ajv (Draft 2020-12, `ajv/dist/2020`) with ajv-formats.
//
// Prints one JSON line per document, in the format of examples/schema_verdicts.rs:
// {"file", "member", "version", "schema", "json", "valid", "errors"}. Files are read the same
// way, and each document is validated against the schemas of its version (v3/ or v4/ under the
// --schemas directory):
//
// * container.json, task.json, stats.json and task-stats.json are one response each, validated
//   against their endpoint's schema (stats.json against container-stats.json) in the version
//   of the recording.json beside them (v2 and v3 are v3, v4 is v4; no file or no `version` is
//   v3); a UTF-8 byte order mark is skipped, as the Rust checker skips it;
// * any other file is a rule fixture, whose members container, task, stats and task-stats (at
//   the top level and in each entry of `polls`) are validated in the fixture's version (its
//   top-level `version`, v3 when absent or null).
//
// An unknown version is an error.
//
// Usage: node validate.mjs --schemas DIR (--files-from LIST | FILE...)
//        node validate.mjs --schemas DIR --self-test
// DIR is the schemas/ directory, holding v3/ and v4/.

import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
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
// The spellings of a version and the schemas that judge it (`ApiVersion::parse` in
// src/check/mod.rs): v2 recordings are judged as v3, because the agent serves the same structs.
const VERSIONS = new Map([["v2", "v3"], ["v3", "v3"], ["v4", "v4"]]);
const SCHEMA_VERSIONS = ["v3", "v4"];
const DEFAULT_VERSION = "v3";

// A file the validators cannot judge (an unknown version): fails the run.
class InputError extends Error {}

function parseVersion(value, where) {
  if (typeof value === "string" && VERSIONS.has(value)) return VERSIONS.get(value);
  throw new InputError(`${where}: unknown version ${JSON.stringify(value)}; expected v2, v3 or v4`);
}

const recordingVersions = new Map();

// The version of a recording directory's documents: its recording.json's `version`.
function recordingVersion(dir) {
  if (!recordingVersions.has(dir)) {
    const metaFile = join(dir, "recording.json");
    let version = DEFAULT_VERSION;
    if (existsSync(metaFile)) {
      let meta;
      try {
        meta = parse(readFileSync(metaFile));
      } catch (err) {
        throw new InputError(`${metaFile}: not JSON: ${err.message}`);
      }
      if (!isObject(meta)) throw new InputError(`${metaFile}: not a JSON object`);
      // serde reads `null` as absent
      if (meta.version !== undefined && meta.version !== null) version = parseVersion(meta.version, metaFile);
    }
    recordingVersions.set(dir, version);
  }
  return recordingVersions.get(dir);
}

// The version of a rule fixture: its top-level `version`, v3 when absent or null.
function fixtureVersion(file, doc) {
  if (isObject(doc) && Object.hasOwn(doc, "version") && doc.version !== null) {
    return parseVersion(doc.version, file);
  }
  return DEFAULT_VERSION;
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

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

// One validator per schema file, keyed v3/task.json, v4/task.json... (one Ajv instance: the
// $ids differ between versions).
export function loadValidators(dir) {
  const ajv = makeAjv();
  const validators = new Map();
  for (const version of SCHEMA_VERSIONS) {
    for (const [, , schemaFile] of ENDPOINTS) {
      const schema = JSON.parse(readFileSync(join(dir, version, schemaFile), "utf8"));
      validators.set(`${version}/${schemaFile}`, ajv.compile(schema));
    }
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

function verdict(validators, file, member, version, schemaFile, doc) {
  const schema = `${version}/${schemaFile}`;
  const validate = validators.get(schema);
  const ok = validate(doc);
  const errors = ok
    ? []
    : validate.errors.map(
        (e) => `${e.instancePath || "(document)"}: ${e.message} (schema: ${e.schemaPath.replace(/^#/, "")})`,
      );
  return { file, member, version, schema, json: true, valid: ok, errors };
}

function notJson(file, member, version, schemaFile, err) {
  const schema = schemaFile ? `${version}/${schemaFile}` : null;
  return { file, member, version, schema, json: false, valid: false, errors: [`not JSON: ${err.message}`] };
}

function* verdicts(validators, file) {
  const response = BY_FILE.get(basename(file));
  const raw = readFileSync(file);
  if (response) {
    const version = recordingVersion(dirname(file));
    let doc;
    try {
      doc = parse(raw);
    } catch (err) {
      yield notJson(file, response[0], version, response[1], err);
      return;
    }
    yield verdict(validators, file, response[0], version, response[1], doc);
    return;
  }
  let doc;
  try {
    doc = parse(raw);
  } catch (err) {
    yield notJson(file, "-", DEFAULT_VERSION, null, err);
    return;
  }
  const version = fixtureVersion(file, doc);
  const groups = [["", doc]];
  if (isObject(doc) && Array.isArray(doc.polls)) {
    doc.polls.forEach((poll, i) => groups.push([`polls/${i}/`, poll]));
  }
  for (const [prefix, docs] of groups) {
    if (!isObject(docs)) continue;
    for (const [name, , schemaFile] of ENDPOINTS) {
      if (Object.hasOwn(docs, name)) yield verdict(validators, file, prefix + name, version, schemaFile, docs[name]);
    }
  }
}

// Fails unless date-time is really checked, also through the published schemas of both versions.
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
  for (const version of SCHEMA_VERSIONS) {
    const validate = validators.get(`${version}/container.json`);
    const keywords = validate(doc) ? [] : validate.errors.map((e) => e.keyword);
    if (keywords.join() !== "format") {
      throw new Error(`self-test: ${version}/container.json: expected one format error, got ${JSON.stringify(validate.errors)}`);
    }
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

try {
  main(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof InputError)) throw err;
  process.stderr.write(`validate.mjs: ${err.message}\n`);
  process.exitCode = 1;
}
