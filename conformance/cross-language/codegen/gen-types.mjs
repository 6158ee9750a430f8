// Generates TypeScript types from the published schemas with json-schema-to-typescript, with
// its default options (what a user gets from `json2ts`), one module per schema.
//
// Usage: node codegen/gen-types.mjs SCHEMAS_DIR OUT_DIR
// (run.sh calls it once per version: schemas/v3 into build/ts/v3, schemas/v4 into build/ts/v4)

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { compileFromFile } from "json-schema-to-typescript";

const [schemas, out] = process.argv.slice(2);
if (!schemas || !out) throw new Error("usage: node gen-types.mjs SCHEMAS_DIR OUT_DIR");
mkdirSync(out, { recursive: true });
for (const name of ["container", "task", "container-stats", "task-stats"]) {
  const file = resolve(schemas, `${name}.json`);
  const ts = await compileFromFile(file, { cwd: resolve(schemas) });
  writeFileSync(join(out, `${name}.ts`), ts);
}
