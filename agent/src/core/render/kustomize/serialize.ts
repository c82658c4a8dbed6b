/**
 * Writes objects exactly as `kubectl kustomize` prints them. kustomize turns each resource into
 * JSON and hands it to sigs.k8s.io/yaml, i.e. go-yaml v2's emitter: keys in v2's "natural" order,
 * two-space indentation with sequences flush under their key, long plain and quoted scalars
 * folded past column 80, strings quoted when they would read back as another type. This module
 * reproduces that emitter's decisions (scalar analysis, style choice, folding, block hints) for
 * the JSON value space; documents are joined with `---`.
 */
import type { KubeObject } from '../../kube-object.js';
import { needsQuotesV2 } from './scalar-resolve.js';
import { compareKeysV2 } from './key-order.js';
import { formatNumber } from './number-format.js';
import { analyzeScalar, escapeOf, isBreak, isPrintable, isSimpleKey } from './scalar-analysis.js';

type Value = unknown;

const BEST_WIDTH = 80;
const BEST_INDENT = 2;

export function serializeObjects(objects: readonly KubeObject[]): string {
  return objects.map((object) => serializeValue(object)).join('---\n');
}

/** One YAML document for one value, ending in a newline. */
export function serializeValue(value: Value): string {
  const emitter = new Emitter();
  emitter.node(value, { mapping: false, sequence: false, simpleKey: false });
  emitter.writeIndent();
  return emitter.out.join('');
}

interface NodeContext {
  mapping: boolean;
  sequence: boolean;
  simpleKey: boolean;
}

type Style = 'plain' | 'single' | 'double' | 'literal';

class Emitter {
  readonly out: string[] = [];
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent = -1;
  private readonly indents: number[] = [];

  node(value: Value, context: NodeContext): void {
    if (Array.isArray(value)) return this.sequence(value, context);
    if (value !== null && typeof value === 'object') return this.mapping(value as Record<string, Value>);
    if (typeof value === 'string') {
      const requested: Style = value.includes('\n') ? 'literal' : needsQuotesV2(value) ? 'double' : 'plain';
      return this.scalar(value, requested, context);
    }
    if (value === null || value === undefined) return this.scalar('null', 'plain', context);
    if (typeof value === 'boolean') return this.scalar(String(value), 'plain', context);
    if (typeof value === 'number') return this.scalar(formatNumber(value), 'plain', context);
    throw new TypeError(`cannot serialize a ${typeof value}`);
  }

  private mapping(map: Record<string, Value>): void {
    const keys = Object.keys(map).filter((key) => map[key] !== undefined).sort(compareKeysV2);
    if (keys.length === 0) {
      this.indicator('{', true, true, false);
      this.indicator('}', false, false, false);
      return;
    }
    this.increaseIndent(false, false);
    for (const key of keys) {
      this.writeIndent();
      if (isSimpleKey(key)) {
        this.node(key, { mapping: true, sequence: false, simpleKey: true });
        this.indicator(':', false, false, false);
      } else {
        this.indicator('?', true, false, true);
        this.node(key, { mapping: true, sequence: false, simpleKey: false });
        this.writeIndent();
        this.indicator(':', true, false, true);
      }
      this.node(map[key], { mapping: true, sequence: false, simpleKey: false });
    }
    this.popIndent();
  }

  private sequence(items: Value[], context: NodeContext): void {
    if (items.length === 0) {
      this.indicator('[', true, true, false);
      this.indicator(']', false, false, false);
      return;
    }
    this.increaseIndent(false, context.mapping && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.indicator('-', true, false, true);
      this.node(item, { mapping: false, sequence: true, simpleKey: false });
    }
    this.popIndent();
  }

  private scalar(value: string, requested: Style, context: NodeContext): void {
    const analysis = analyzeScalar(value);
    let style = requested;
    if (context.simpleKey && analysis.multiline) style = 'double';
    if (style === 'plain') {
      if (!analysis.blockPlainAllowed) style = 'single';
      if (value.length === 0 && context.simpleKey) style = 'single';
    }
    if (style === 'single' && !analysis.singleQuotedAllowed) style = 'double';
    if (style === 'literal' && (!analysis.blockAllowed || context.simpleKey)) style = 'double';

    this.increaseIndent(true, false);
    const allowBreaks = !context.simpleKey;
    if (style === 'plain') this.plain(value, allowBreaks);
    else if (style === 'single') this.singleQuoted(value, allowBreaks);
    else if (style === 'double') this.doubleQuoted(value, allowBreaks);
    else this.literal(value);
    this.popIndent();
  }

  private plain(value: string, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    const chars = [...value];
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && chars[i + 1] !== ' ') this.writeIndent();
        else this.put(c);
        spaces = true;
      } else {
        this.put(c);
        this.indention = false;
        spaces = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private singleQuoted(value: string, allowBreaks: boolean): void {
    this.indicator("'", true, false, false);
    const chars = [...value];
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === ' ') {
        const fold = allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < chars.length - 1 &&
          chars[i + 1] !== ' ';
        if (fold) this.writeIndent();
        else this.put(c);
        spaces = true;
      } else {
        if (c === "'") this.put("'");
        this.put(c);
        this.indention = false;
        spaces = false;
      }
    }
    this.indicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private doubleQuoted(value: string, allowBreaks: boolean): void {
    this.indicator('"', true, false, false);
    const chars = [...value];
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (!isPrintable(c) || c === '\uFEFF' || isBreak(c) || c === '"' || c === '\\') {
        for (const e of `\\${escapeOf(c)}`) this.put(e);
        spaces = false;
      } else if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < chars.length - 1) {
          this.writeIndent();
          if (chars[i + 1] === ' ') this.put('\\');
        } else {
          this.put(c);
        }
        spaces = true;
      } else {
        this.put(c);
        spaces = false;
      }
    }
    this.indicator('"', false, false, false);
  }

  private literal(value: string): void {
    this.indicator('|', true, false, false);
    const chars = [...value];
    let hints = '';
    if (chars[0] === ' ' || isBreak(chars[0] ?? '')) hints += String(BEST_INDENT);
    const last = chars[chars.length - 1];
    if (last === undefined || !isBreak(last)) hints += '-';
    else if (chars.length === 1 || isBreak(chars[chars.length - 2]!)) hints += '+';
    if (hints !== '') this.indicator(hints, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of chars) {
      if (isBreak(c)) {
        this.putBreak();
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(c);
        this.indention = false;
        breaks = false;
      }
    }
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  private indicator(text: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    for (const c of text) this.put(c);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() ?? -1;
  }

  private put(c: string): void {
    this.out.push(c);
    this.column++;
  }

  private putBreak(): void {
    this.out.push('\n');
    this.column = 0;
  }
}
