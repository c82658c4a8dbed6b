/**
 * The keys a page documents, and how they differ from a schema's. docs/configuration.md has one
 * `## ` section per binary, each with a table whose first column is one key path in backticks;
 * a row for a section (`hub`) is allowed, a row for every setting is required.
 */
import type { SchemaKey } from './schema-keys.js';

export interface DocumentedKeys {
  keys: string[];
  /** Rows that do not follow the convention, and a missing section. */
  problems: string[];
}

const KEY_CELL = /^`([^`\s]+)`$/;
const SEPARATOR_CELL = /^:?-+:?$/;

/** The keys in the table rows of the `## ` section whose title starts with `title`. */
export function documentedKeys(markdown: string, title: string): DocumentedKeys {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`## ${title}`));
  if (start === -1) return { keys: [], problems: [`there is no "## ${title}" section`] };
  const after = lines.slice(start + 1).findIndex((line) => line.startsWith('## '));
  const end = after === -1 ? lines.length : start + 1 + after;
  const keys: string[] = [];
  const problems: string[] = [];
  for (let index = start + 1; index < end; index++) {
    const line = lines[index]!.trim();
    if (!line.startsWith('|')) continue;
    // `\|` inside a cell is a literal bar, not a column break.
    const first = line.slice(1).split(/(?<!\\)\|/)[0]!.trim();
    if (SEPARATOR_CELL.test(first) || !first.includes('`')) continue;
    const key = KEY_CELL.exec(first)?.[1];
    if (key === undefined) problems.push(`line ${index + 1}: the first column must be one key in backticks, not ${first}`);
    else keys.push(key);
  }
  return { keys, problems };
}

export interface KeyMismatch {
  /** Settings of the schema without a row. */
  missing: string[];
  /** Rows naming no key of the schema. */
  unknown: string[];
  /** Keys with more than one row. */
  repeated: string[];
}

export function compareKeys(schema: readonly SchemaKey[], documented: readonly string[]): KeyMismatch {
  const known = new Set(schema.map((key) => key.path));
  const rows = new Set(documented);
  return {
    missing: schema.filter((key) => !key.section && !rows.has(key.path)).map((key) => key.path),
    unknown: [...rows].filter((key) => !known.has(key)),
    repeated: [...rows].filter((key) => documented.indexOf(key) !== documented.lastIndexOf(key)),
  };
}

export interface Comparison {
  /** The page and section, e.g. `docs/configuration.md, section "## Hub"`. */
  where: string;
  /** The schema's name and the file defining it. */
  schema: string;
  file: string;
}

/** What to change in the page, or `''` when it matches. */
export function describeMismatch({ where, schema, file }: Comparison, parsed: DocumentedKeys, mismatch: KeyMismatch): string {
  const lines: string[] = [];
  if (parsed.problems.length > 0) lines.push('  fix these rows:', ...parsed.problems.map((p) => `    ${p}`));
  if (mismatch.missing.length > 0) {
    lines.push(`  add a row for each of these keys (${schema} has them, the page does not):`);
    lines.push(...mismatch.missing.map((key) => `    | \`${key}\` | type | default | what it does |`));
  }
  if (mismatch.unknown.length > 0) {
    lines.push(`  remove these rows, or correct their key (${schema} has no such key):`);
    lines.push(...mismatch.unknown.map((key) => `    \`${key}\``));
  }
  if (mismatch.repeated.length > 0) {
    lines.push('  keep one row for each of these keys, documented more than once:');
    lines.push(...mismatch.repeated.map((key) => `    \`${key}\``));
  }
  return lines.length === 0 ? '' : [`${where} does not match ${schema} in ${file}:`, ...lines].join('\n');
}
