/**
 * Scalars and keys for the simple YAML reader (`simple-yaml.ts`): where a plain scalar may start
 * and where it ends, quoted scalars on one line, and the values they become. Anything outside
 * the subset throws `OutsideSubset`, and the caller reads the file with the `yaml` package.
 */
import { resolvePlain } from './scalar-resolve.js';
import { MAX_EXPANDED_NODES, type Role, type YamlValue } from './yaml-value.js';

/** The text uses YAML the simple reader leaves to the `yaml` package (which may also refuse it). */
export class OutsideSubset extends Error {}

export function outside(): never {
  throw new OutsideSubset('outside the simple YAML subset');
}

/** YAML refuses implicit keys longer than this. */
export const MAX_KEY_LENGTH = 1024;
/** Deeper nesting than real manifests have is left to the `yaml` package. */
const MAX_DEPTH = 64;

const FLOW_INDICATORS = ',[]{}';
/** YAML's indicator characters: none starts a plain scalar, except `-?:` before a safe character. */
const INDICATORS = '-?:,[]{}#&*!|>\'"%@`';

export function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

export function isBlankOrComment(line: string): boolean {
  const indent = indentOf(line);
  return indent === line.length || line[indent] === '#';
}

/** A `- ` (or a lone `-`) at `col`. */
export function isSequenceEntry(line: string, col: number): boolean {
  return line[col] === '-' && (col + 1 === line.length || line[col + 1] === ' ');
}

/** Only spaces, then the end of the line or a comment, may follow `from`. */
export function finishLine(line: string, from: number): void {
  let i = from;
  while (line[i] === ' ') i++;
  if (i < line.length && !(line[i] === '#' && i > from)) outside();
}

export function checkPlainStart(line: string, col: number, flow: boolean): void {
  const c = line[col];
  if (c === undefined) outside();
  if (!INDICATORS.includes(c)) return;
  const next = line[col + 1];
  const safeNext = next !== undefined && next !== ' ' && !(flow && FLOW_INDICATORS.includes(next));
  if ((c === '-' || c === '?' || c === ':') && safeNext) return;
  outside();
}

/** `end` moved back over trailing spaces (YAML trims spaces, not the wider set `trimEnd` does). */
export function trimSpaces(line: string, start: number, end: number): number {
  let stop = end;
  while (stop > start && line[stop - 1] === ' ') stop--;
  return stop;
}

/** Where a block-context plain scalar stops: a comment or the end of the line. `a: b: c` is not ours. */
export function blockPlainEnd(line: string, col: number): number {
  for (let i = col; i < line.length; i++) {
    const c = line[i];
    if (c === '#' && line[i - 1] === ' ') return i;
    if (c === ':' && (i + 1 === line.length || line[i + 1] === ' ')) outside();
  }
  return line.length;
}

/** Where a flow-context plain scalar stops: a flow indicator, `: `, a comment or the end of the line. */
export function flowPlainEnd(line: string, col: number): number {
  for (let i = col; i < line.length; i++) {
    const c = line[i]!;
    if (FLOW_INDICATORS.includes(c)) return i;
    if (c === ':') {
      const next = line[i + 1];
      if (next === undefined || next === ' ' || FLOW_INDICATORS.includes(next)) return i;
    }
    if (c === '#' && line[i - 1] === ' ') return i;
  }
  return line.length;
}

/** The key of a block `key: value` line starting at `col`, or undefined when the line holds something else. */
export function blockKey(line: string, col: number): { text: string; end: number; plain: boolean } | undefined {
  const c = line[col];
  if (c === '"' || c === "'") {
    const quoted = readQuoted(line, col);
    let i = quoted.end;
    while (line[i] === ' ') i++;
    if (line[i] !== ':') return undefined;
    if ((i + 1 < line.length && line[i + 1] !== ' ') || quoted.end - col > MAX_KEY_LENGTH) outside();
    return { text: quoted.text, end: i + 1, plain: false };
  }
  if (c === '[' || c === '{') return undefined;
  for (let i = col; i < line.length; i++) {
    const ch = line[i];
    if (ch === '#' && line[i - 1] === ' ') return undefined;
    if (ch === ':' && (i + 1 === line.length || line[i + 1] === ' ')) {
      const end = trimSpaces(line, col, i);
      const text = line.slice(col, end);
      if (text === '' || end - col > MAX_KEY_LENGTH || /[[\]{},]/.test(text)) outside();
      checkPlainStart(line, col, false);
      return { text, end: i + 1, plain: true };
    }
  }
  return undefined;
}

/** A single- or double-quoted scalar that closes on the same line. */
export function readQuoted(line: string, col: number): { text: string; end: number } {
  return line[col] === "'" ? readSingleQuoted(line, col) : readDoubleQuoted(line, col);
}

function readSingleQuoted(line: string, col: number): { text: string; end: number } {
  let text = '';
  let i = col + 1;
  for (;;) {
    const close = line.indexOf("'", i);
    if (close < 0) outside();
    text += line.slice(i, close);
    if (line[close + 1] !== "'") return { text, end: close + 1 };
    text += "'";
    i = close + 2;
  }
}

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['0', '\0'], ['a', '\x07'], ['b', '\b'], ['t', '\t'], ['n', '\n'], ['v', '\v'], ['f', '\f'], ['r', '\r'],
  ['e', '\x1b'], [' ', ' '], ['"', '"'], ['/', '/'], ['\\', '\\'], ['N', '\x85'], ['_', '\xa0'],
  ['L', '\u2028'], ['P', '\u2029'],
]);
const HEX_DIGITS: ReadonlyMap<string, number> = new Map([['x', 2], ['u', 4], ['U', 8]]);

function readDoubleQuoted(line: string, col: number): { text: string; end: number } {
  let text = '';
  let i = col + 1;
  for (;;) {
    const close = line.indexOf('"', i);
    if (close < 0) outside();
    const slash = line.indexOf('\\', i);
    if (slash < 0 || slash > close) return { text: text + line.slice(i, close), end: close + 1 };
    text += line.slice(i, slash);
    const escape = readEscape(line, slash + 1);
    text += escape.char;
    i = slash + 1 + escape.length;
  }
}

function readEscape(line: string, at: number): { char: string; length: number } {
  const c = line[at];
  if (c === undefined) outside();
  const simple = ESCAPES.get(c);
  if (simple !== undefined) return { char: simple, length: 1 };
  const digits = HEX_DIGITS.get(c);
  if (digits === undefined) outside();
  const hex = line.slice(at + 1, at + 1 + digits);
  if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) outside();
  const code = Number.parseInt(hex, 16);
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) outside();
  return { char: String.fromCodePoint(code), length: 1 + digits };
}

/** How a reader turns scalars into values; the `yaml` package's reading is the reference. */
export interface ScalarReading {
  /** The value of a plain scalar, or undefined to leave the text to the `yaml` package. */
  plain(text: string, role: Role | undefined): YamlValue | undefined;
  /** Whether a plain key is read as its own text. */
  plainKey(text: string): boolean;
  /** The role of each document's top node. */
  topRole: Role | undefined;
  /** Only one document is allowed: any `---` is left to the `yaml` package. */
  singleDocument: boolean;
}

/** Resource files, as `resource-yaml.ts` reads them with the `yaml` package (go-yaml v3's resolution). */
export const RESOURCE_READING: ScalarReading = {
  plain(text, role) {
    if (role === 'annotation') return text;
    const resolved = resolvePlain(text, false);
    // Infinities and NaN are errors; the `yaml` reader reports them with the line.
    if (resolved.tag === 'float' && !Number.isFinite(resolved.value)) return undefined;
    return resolved.tag === 'merge' ? '<<' : resolved.value;
  },
  plainKey: () => true,
  topRole: 'object',
  singleDocument: false,
};

/**
 * Turns scalars into values by a `ScalarReading`, and counts nodes and depth. Past half the
 * node limit the `yaml` reader decides, so the limit is enforced by one implementation.
 */
export class SubsetValues {
  private nodes = 0;
  private depth = 0;

  constructor(private readonly reading: ScalarReading) {}

  scalar(text: string, plain: boolean, role: Role | undefined): YamlValue {
    this.count();
    if (!plain) return text;
    return this.reading.plain(text, role) ?? outside();
  }

  /** A value left empty (`key:` with nothing after it). */
  empty(role: Role | undefined): YamlValue {
    this.count();
    return role === 'annotation' ? '' : null;
  }

  enter(): void {
    this.count();
    if (++this.depth > MAX_DEPTH) outside();
  }

  leave(): void {
    this.depth--;
  }

  /** A key the simple reader will not set: merges, duplicates, `__proto__`, keys read as non-strings. */
  checkKey(map: Record<string, YamlValue>, key: string, plain: boolean): void {
    if (key === '<<' || key === '__proto__' || Object.hasOwn(map, key)) outside();
    if (plain && !this.reading.plainKey(key)) outside();
  }

  private count(): void {
    if (++this.nodes > MAX_EXPANDED_NODES / 2) outside();
  }
}
