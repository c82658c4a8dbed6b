/**
 * Flow collections (`[a, b]`, `{k: v}`, JSON) for the simple YAML reader. A collection may span
 * lines; continuation lines must be indented past the block collection holding it. Implicit
 * single-pair mappings (`[a: b]`), empty values (`{a}`, `{a: }`), trailing commas and plain
 * scalars running onto the next line are left to the `yaml` package.
 */
import { MAX_KEY_LENGTH, checkPlainStart, flowPlainEnd, indentOf, outside, readQuoted, trimSpaces } from './simple-yaml-scalars.js';
import type { SubsetValues } from './simple-yaml-scalars.js';
import { childRole, itemRole, type Role, type YamlValue } from './yaml-value.js';

export class FlowReader {
  constructor(
    private readonly lines: readonly string[],
    /** The first line after the document. */
    private readonly end: number,
    /** Indentation of the block collection holding this one (-1 at the top of a document). */
    private readonly parent: number,
    private readonly values: SubsetValues,
    public row: number,
    public col: number,
  ) {}

  /** Reads the collection at the cursor and leaves the cursor just after its closing bracket. */
  collection(role: Role | undefined): YamlValue {
    return this.lines[this.row]![this.col] === '[' ? this.sequence(role) : this.mapping(role);
  }

  private sequence(role: Role | undefined): YamlValue[] {
    this.values.enter();
    const items: YamlValue[] = [];
    this.col++;
    this.skipSpace();
    if (this.peek() === ']') {
      this.col++;
    } else {
      for (;;) {
        items.push(this.node(itemRole(role)));
        this.skipSpace();
        if (this.next(']')) break;
      }
    }
    this.values.leave();
    return items;
  }

  private mapping(role: Role | undefined): Record<string, YamlValue> {
    this.values.enter();
    const out: Record<string, YamlValue> = {};
    this.col++;
    this.skipSpace();
    if (this.peek() === '}') {
      this.col++;
    } else {
      for (;;) {
        const { text: key, plain } = this.key();
        this.values.checkKey(out, key, plain);
        this.skipSpace();
        if (this.peek() === ',' || this.peek() === '}') outside();
        out[key] = this.node(childRole(role, key));
        this.skipSpace();
        if (this.next('}')) break;
      }
    }
    this.values.leave();
    return out;
  }

  /** After an entry: `,` and another entry, or the closing bracket (true). */
  private next(close: string): boolean {
    const c = this.peek();
    this.col++;
    if (c === close) return true;
    if (c !== ',') outside();
    this.skipSpace();
    if (this.peek() === close) outside();
    return false;
  }

  /** A key and its `:`, on one line. */
  private key(): { text: string; plain: boolean } {
    const line = this.lines[this.row]!;
    const start = this.col;
    let text: string;
    if (line[start] === '"' || line[start] === "'") {
      const quoted = readQuoted(line, start);
      text = quoted.text;
      this.col = quoted.end;
      while (line[this.col] === ' ') this.col++;
      if (line[this.col] !== ':') outside();
    } else {
      checkPlainStart(line, start, true);
      const end = flowPlainEnd(line, start);
      if (line[end] !== ':' || (end + 1 < line.length && line[end + 1] !== ' ')) outside();
      text = line.slice(start, trimSpaces(line, start, end));
      if (text === '') outside();
      this.col = end;
    }
    if (this.col - start > MAX_KEY_LENGTH) outside();
    this.col++;
    return { text, plain: line[start] !== '"' && line[start] !== "'" };
  }

  private node(role: Role | undefined): YamlValue {
    const line = this.lines[this.row]!;
    const c = line[this.col];
    if (c === '[' || c === '{') return this.collection(role);
    if (c === '"' || c === "'") {
      const quoted = readQuoted(line, this.col);
      this.col = quoted.end;
      return this.values.scalar(quoted.text, false, role);
    }
    checkPlainStart(line, this.col, true);
    const end = flowPlainEnd(line, this.col);
    if (end === line.length || line[end] === '#') this.checkPlainEndsHere();
    const text = line.slice(this.col, trimSpaces(line, this.col, end));
    if (text === '') outside();
    this.col = end;
    return this.values.scalar(text, true, role);
  }

  /** A plain scalar that reaches the end of its line must not continue on the next one. */
  private checkPlainEndsHere(): void {
    let row = this.row + 1;
    while (row < this.end && indentOf(this.lines[row]!) === this.lines[row]!.length) row++;
    const line = this.lines[row];
    if (line === undefined || row >= this.end || !',]}'.includes(line[indentOf(line)]!)) outside();
  }

  private peek(): string | undefined {
    return this.lines[this.row]![this.col];
  }

  /** Skips spaces, line breaks and comments, staying inside the document and the indentation. */
  private skipSpace(): void {
    for (;;) {
      const line = this.lines[this.row]!;
      const start = this.col;
      while (line[this.col] === ' ') this.col++;
      const atComment = line[this.col] === '#' && (this.col > start || this.col === 0 || line[this.col - 1] === ' ');
      if (this.col < line.length && !atComment) return;
      this.row++;
      if (this.row >= this.end) outside();
      const next = this.lines[this.row]!;
      const indent = indentOf(next);
      if (indent < next.length && indent <= this.parent) outside();
      this.col = 0;
    }
  }
}
