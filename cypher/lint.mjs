#!/usr/bin/env node
// Lint every *.cypher file in this folder (recursively) with Neo4j's own
// Cypher grammar and semantic analysis (@neo4j-cypher/language-support).
//
// Usage: node cypher/lint.mjs [folder]      (default: the folder this file is in)
//        npm run lint:cypher
//
// Output: one line per diagnostic, `file:line:col severity message`
// (line/col 1-based), then a summary line. Exit 1 if any error, else 0.
// Warnings are printed but do not fail the run.
//
// API used (from the package's .d.ts, version 2.0.0-next.38):
//   lintCypherQuery(query: string, dbSchema: DbSchema,
//                   options?: { consoleCommandsEnabled?: boolean })
//     => { diagnostics: SyntaxDiagnostic[]; symbolTables: SymbolTable[] }
//   SyntaxDiagnostic = vscode Diagnostic (range 0-based, severity 1=Error,
//   2=Warning, 3=Information, 4=Hint) & { offsets: { start, end } }
//
// lintCypherQuery splits multi-statement text on `;` itself and reports
// positions relative to the whole text, so schema_*.cypher files (several
// statements) are linted as one text.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNotParamError, lintCypherQuery } from '@neo4j-cypher/language-support';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? here);

// Offline schema: no labels/relationshipTypes/propertyKeys/functions/procedures
// means the linter does not check names against a database (no "label X is not
// present in the database" warnings). Queries are Neo4j 5 queries: analyse them
// as CYPHER 5 unless a file says otherwise with a `CYPHER 25` prefix.
const DB_SCHEMA = { defaultLanguage: 'CYPHER 5' };
// The queries are sent through a driver, not cypher-shell/Browser, so console
// commands such as `:param` are not valid in them.
const OPTIONS = { consoleCommandsEnabled: false };

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };

function findCypherFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findCypherFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.cypher')) out.push(full);
  }
  return out.sort();
}

if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
  console.error(`cypher lint: ${root} is not a folder`);
  process.exit(2);
}

const files = findCypherFiles(root);
if (files.length === 0) {
  console.log(`cypher lint: no .cypher files under ${path.relative(process.cwd(), root) || '.'}`);
  process.exit(0);
}

let errors = 0;
let warnings = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const shown = path.relative(process.cwd(), file) || file;
  if (text.trim() === '') {
    console.log(`${shown}:1:1 warning file is empty`);
    warnings++;
    continue;
  }
  const { diagnostics } = lintCypherQuery(text, DB_SCHEMA, OPTIONS);
  // Parameters ($id, $rows, ...) are supplied at run time by the driver; the
  // linter would flag each one as "Parameter $x is not defined." because the
  // offline schema declares none. The package exports isNotParamError for this.
  const kept = diagnostics
    .filter(isNotParamError)
    .sort(
      (x, y) =>
        x.range.start.line - y.range.start.line ||
        x.range.start.character - y.range.start.character,
    );
  for (const d of kept) {
    const sev = SEVERITY[d.severity] ?? 'error';
    if (sev === 'error') errors++;
    else if (sev === 'warning') warnings++;
    const line = d.range.start.line + 1;
    const col = d.range.start.character + 1;
    const message = d.message.replace(/\s*\n\s*/g, ' ');
    console.log(`${shown}:${line}:${col} ${sev} ${message}`);
  }
}

const plural = (n, w) => `${n} ${w}${n === 1 ? '' : 's'}`;
console.log(
  `cypher lint: ${plural(files.length, 'file')}, ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`,
);
process.exit(errors > 0 ? 1 : 0);
