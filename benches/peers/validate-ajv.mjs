// Validates every line of a JSON Lines file against one published schema with ajv (draft
// 2020-12, formats on, as the README shows it), the way a CI job would without ecs-tmde.
//
//   node validate-ajv.mjs SCHEMA FILE.jsonl [--first-error]
//
// Prints one JSON line: documents, invalid documents, and the time of the loop (read, parse,
// validate) and of the schema compilation, in milliseconds, measured inside the process.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [schemaPath, file, mode] = process.argv.slice(2);
const t0 = performance.now();
const ajv = new Ajv2020({ allErrors: mode !== "--first-error" });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));
const t1 = performance.now();
let docs = 0;
let invalid = 0;
for (const line of readFileSync(file, "utf8").split("\n")) {
  if (line.trim() === "") continue;
  docs += 1;
  if (!validate(JSON.parse(line))) invalid += 1;
}
const t2 = performance.now();
console.log(JSON.stringify({ tool: "ajv", docs, invalid, compile_ms: t1 - t0, loop_ms: t2 - t1 }));
process.exitCode = invalid === 0 ? 0 : 1;
