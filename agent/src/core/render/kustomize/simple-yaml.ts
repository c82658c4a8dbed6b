/**
 * A fast reader for the YAML that manifests are written in: block mappings and sequences, flow
 * collections, plain and quoted scalars on one line, literal block scalars, comments and `---`.
 * It yields what `resource-yaml.ts` yields with the `yaml` package, several times faster; on
 * anything else (anchors, aliases, tags, folded or multi-line scalars, tabs, duplicate keys,
 * errors of any kind) it returns undefined and the caller reads the file with the `yaml`
 * package, which then also names the problem and its line. It never reports an error itself.
 */
import { FlowReader } from './simple-yaml-flow.js';
import {
  OutsideSubset, RESOURCE_READING, SubsetValues, blockKey, blockPlainEnd, checkPlainStart, finishLine, indentOf, isBlankOrComment,
  isSequenceEntry, outside, readQuoted, trimSpaces, type ScalarReading,
} from './simple-yaml-scalars.js';
import { childRole, itemRole, type ParsedDocument, type Role, type YamlValue } from './yaml-value.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const OUTSIDE_CHARACTERS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]/;

/** Every non-empty document of `text`, or undefined when the text is not in the subset. */
export function readSimpleYaml(text: string, reading: ScalarReading = RESOURCE_READING): ParsedDocument[] | undefined {
  if (OUTSIDE_CHARACTERS.test(text)) return undefined;
  try {
    return new SimpleReader(text, reading).documents();
  } catch (error) {
    if (error instanceof OutsideSubset) return undefined;
    throw error;
  }
}

/** Block structure, line by line; `parent` is the indentation of the enclosing collection. */
class SimpleReader {
  private readonly lines: string[];
  /** Whether the text ends with a line break: a block scalar reaching the last line needs one. */
  private readonly lastLineEnded: boolean;
  private readonly values: SubsetValues;
  /** The first line after the current document. */
  private end = 0;
  /** The first line not yet read. */
  private row = 0;

  constructor(
    text: string,
    private readonly reading: ScalarReading,
  ) {
    this.values = new SubsetValues(reading);
    this.lines = text.split('\n');
    this.lastLineEnded = this.lines.at(-1) === '';
    if (this.lastLineEnded) this.lines.pop();
  }

  documents(): ParsedDocument[] {
    const out: ParsedDocument[] = [];
    let start = 0;
    for (let row = 0; row <= this.lines.length; row++) {
      if (row < this.lines.length && !isDocumentStart(this.lines[row]!)) continue;
      if (row < this.lines.length && this.reading.singleDocument) outside();
      const document = this.document(start, row);
      if (document) out.push(document);
      start = row + 1;
    }
    return out;
  }

  private document(start: number, end: number): ParsedDocument | undefined {
    this.end = end;
    const first = this.nextContent(start);
    if (first >= end) return undefined;
    const value = this.node(first, indentOf(this.lines[first]!), -1, this.reading.topRole);
    if (this.nextContent(this.row) < end) outside();
    return value === null ? undefined : { value, line: first + 1 };
  }

  private nextContent(row: number): number {
    let next = row;
    while (next < this.end && isBlankOrComment(this.lines[next]!)) next++;
    return next;
  }

  /** The node whose first line is `row`, starting at `col` (its indentation). */
  private node(row: number, col: number, parent: number, role: Role | undefined): YamlValue {
    const line = this.lines[row]!;
    if (isSequenceEntry(line, col)) return this.sequence(row, col, role);
    if (blockKey(line, col)) return this.mapping(row, col, role);
    return this.inline(row, col, parent, role);
  }

  private sequence(first: number, indent: number, role: Role | undefined): YamlValue[] {
    this.values.enter();
    const items: YamlValue[] = [];
    let row = first;
    for (;;) {
      const line = this.lines[row]!;
      let col = indent + 1;
      while (line[col] === ' ') col++;
      if (isSequenceEntry(line, col)) outside();
      items.push(this.entry(row, col, indent, itemRole(role), true));
      row = this.nextContent(this.row);
      if (row >= this.end) break;
      const next = this.lines[row]!;
      const nextIndent = indentOf(next);
      if (nextIndent > indent) outside();
      if (nextIndent < indent || !isSequenceEntry(next, indent)) break;
    }
    this.values.leave();
    return items;
  }

  private mapping(first: number, indent: number, role: Role | undefined): Record<string, YamlValue> {
    this.values.enter();
    const out: Record<string, YamlValue> = {};
    let row = first;
    for (;;) {
      const line = this.lines[row]!;
      const key = blockKey(line, indent) ?? outside();
      this.values.checkKey(out, key.text, key.plain);
      let col = key.end;
      while (line[col] === ' ') col++;
      out[key.text] = this.entry(row, col, indent, childRole(role, key.text), false);
      row = this.nextContent(this.row);
      if (row >= this.end) break;
      const nextIndent = indentOf(this.lines[row]!);
      if (nextIndent > indent) outside();
      if (nextIndent < indent) break;
    }
    this.values.leave();
    return out;
  }

  /**
   * The value after `- ` (`item`) or `key:`, from `col` on `row`, in a collection indented
   * `indent`: on the same line, on the lines below, or empty. An item may be a mapping starting
   * on its own line (`- name: x`); a mapping's value may be a sequence at the key's indentation.
   */
  private entry(row: number, col: number, indent: number, role: Role | undefined, item: boolean): YamlValue {
    const line = this.lines[row]!;
    if (col >= line.length || line[col] === '#') {
      const next = this.nextContent(row + 1);
      if (next < this.end) {
        const nextLine = this.lines[next]!;
        const nextIndent = indentOf(nextLine);
        if (nextIndent > indent) return this.node(next, nextIndent, indent, role);
        if (!item && nextIndent === indent && isSequenceEntry(nextLine, indent)) return this.sequence(next, indent, role);
      }
      this.row = row + 1;
      return this.values.empty(role);
    }
    if (item && blockKey(line, col)) return this.mapping(row, col, role);
    return this.inline(row, col, indent, role);
  }

  /** A scalar or flow collection starting at `col`, or a literal block scalar's header. */
  private inline(row: number, col: number, parent: number, role: Role | undefined): YamlValue {
    const line = this.lines[row]!;
    const c = line[col];
    if (c === '|') return this.literal(row, col, parent, role);
    let value: YamlValue;
    let lastRow = row;
    if (c === '[' || c === '{') {
      const flow = new FlowReader(this.lines, this.end, parent, this.values, row, col);
      value = flow.collection(role);
      lastRow = flow.row;
      finishLine(this.lines[lastRow]!, flow.col);
    } else if (c === '"' || c === "'") {
      const quoted = readQuoted(line, col);
      finishLine(line, quoted.end);
      value = this.values.scalar(quoted.text, false, role);
    } else {
      checkPlainStart(line, col, false);
      value = this.values.scalar(line.slice(col, trimSpaces(line, col, blockPlainEnd(line, col))), true, role);
    }
    this.row = lastRow + 1;
    // More-indented content below would continue a plain scalar, or is an error.
    const next = this.nextContent(this.row);
    if (next < this.end && indentOf(this.lines[next]!) > parent) outside();
    return value;
  }

  /** `|`, `|-` or `|+` and the lines indented past `parent` below it. */
  private literal(row: number, col: number, parent: number, role: Role | undefined): YamlValue {
    const header = this.lines[row]!;
    const chomp = header[col + 1] === '-' || header[col + 1] === '+' ? header[col + 1]! : '';
    finishLine(header, col + 1 + chomp.length);
    if (parent < 0) outside();
    const body: string[] = [];
    let indent = -1;
    let widestLeadingBlank = 0;
    let r = row + 1;
    for (; r < this.end; r++) {
      const line = this.lines[r]!;
      const lineIndent = indentOf(line);
      if (lineIndent === line.length) {
        // Blank lines wider than the content's indentation are content; leave them to `yaml`.
        if (indent < 0) widestLeadingBlank = Math.max(widestLeadingBlank, line.length);
        else if (line.length > indent) outside();
        body.push('');
        continue;
      }
      if (indent < 0) {
        if (lineIndent <= parent) break;
        indent = lineIndent;
      } else if (lineIndent < indent) {
        break;
      }
      body.push(line.slice(indent));
    }
    if (widestLeadingBlank > 0 && (indent < 0 || widestLeadingBlank > indent)) outside();
    if (r === this.lines.length && !this.lastLineEnded) outside();
    let last = body.length;
    while (last > 0 && body[last - 1] === '') last--;
    if (last === 0 && chomp === '+') outside();
    const content = body.slice(0, last).join('\n');
    const trailing = chomp === '-' || last === 0 ? '' : chomp === '+' ? '\n'.repeat(body.length - last + 1) : '\n';
    this.row = r;
    return this.values.scalar(content + trailing, false, role);
  }
}

/** `---` alone (or before a comment) starts a document; other markers and directives are not ours. */
function isDocumentStart(line: string): boolean {
  if (line.startsWith('---')) {
    if (line.length === 3) return true;
    if (line[3] !== ' ') outside();
    finishLine(line, 3);
    return true;
  }
  if (line.startsWith('...') || line.startsWith('%')) outside();
  return false;
}
