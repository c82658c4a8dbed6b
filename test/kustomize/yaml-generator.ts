/**
 * Random YAML texts for the simple reader's differential test: manifest-like trees written in
 * random styles (block or flow, compact or indented sequences, plain, quoted or literal
 * scalars, comments, blank lines, several documents), and random small edits of them. Plain
 * scalars are written as they are, valid or not: the property under test holds either way.
 */

/** A small seeded generator (mulberry32), so a failure reproduces. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Tree = string | Tree[] | { [key: string]: Tree };

const SCALARS = [
  '', 'a', 'app-1', 'yes', 'no', 'on', 'Off', 'y', 'true', 'False', 'null', 'Null', '~', '1', '-1', '+1', '0755', '0o17',
  '0x1F', '1_000', '1.0', '.5', '-.5e3', '1e3', '.inf', '-.Inf', '.nan', '2024-01-02', '2024-01-02T03:04:05Z',
  '2024-1-2 3:04:05', '1:20', '12:30:45', 'a b', 'a: b', 'a:b', 'a #b', 'a#b', '#x', '- x', '-x', '?x', '? x', ':x', 'x:',
  "it's", 'say "hi"', 'back\\slash', 'ünïcödé', '😀 emoji', 'a,b', '[x]', '{x}', 'x]', ' lead', 'trail ', '<<', '*a',
  '&a', '!x', '!!str', '%x', '@x', '`x', '|', '>', '---', '...', 'multi\nline', 'end\n', '\n', 'two\n\nbreaks\n\n',
  '  indented\nlines', 'http://example.com:8080/x?y=1&z=2', 'registry.example/app:1.0', '--flag=value', '"', "'",
  '\\', 'x\u00a0y',
];
/** Characters the simple reader always declines; rare, so that most texts stay in its subset. */
const RARE_SCALARS = ['nul\u0000', '\u2028', 'a\tb', 'bom\ufeff', 'cr\r\n'];

const KEYS = ['apiVersion', 'kind', 'metadata', 'name', 'annotations', 'labels', 'items', 'data', 'spec', 'a', 'b', 'x y', '1', 'true', 'null', 'k:v', 'key-with-dash', '"q"', "it's", '-k', '?k', 'ünï'];

export function generateTree(next: () => number, depth = 0): Tree {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const roll = next();
  if (depth > 3 || roll < 0.45) return next() < 0.002 ? pick(RARE_SCALARS) : pick(SCALARS);
  const size = Math.floor(next() * 4);
  if (roll < 0.65) return Array.from({ length: size }, () => generateTree(next, depth + 1));
  const map: { [key: string]: Tree } = {};
  for (let i = 0; i < size + 1; i++) map[next() < 0.002 ? '<<' : pick(KEYS)] = generateTree(next, depth + 1);
  return map;
}

/** A manifest-like document: the roles (metadata.annotations, List items) get exercised. */
export function generateManifest(next: () => number): Tree {
  const object = (): { [key: string]: Tree } => ({
    apiVersion: 'v1',
    kind: next() < 0.2 ? 'List' : 'ConfigMap',
    metadata: { name: 'x', annotations: { a: generateTree(next, 3), b: generateTree(next, 2) }, labels: { l: generateTree(next, 3) } },
    data: generateTree(next, 1),
  });
  const top = object();
  if (top['kind'] === 'List') top['items'] = [object(), generateTree(next, 2)];
  return next() < 0.8 ? top : generateTree(next);
}

export function writeYaml(next: () => number, documents: readonly Tree[]): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const width = pick([1, 2, 2, 2, 3, 4]);
  const compact = next() < 0.5;
  const comment = (): string => (next() < 0.1 ? ' # note' : '');
  const scalar = (value: string, flow: boolean, key = false): string => {
    const style = next();
    // Mostly quote what would not read back as itself; sometimes write it plain anyway.
    if (style < (/^[\w][\w ./-]*$/.test(value) ? 0.5 : 0.05)) return value;
    if ((style < 0.7 || (flow && style < 0.85)) && !value.includes('\n')) return `'${value.replaceAll("'", "''")}'`;
    if (style < 0.9 || flow || key) return JSON.stringify(value);
    return `|${pick(['', '-', '+'])}`;
  };
  const flow = (tree: Tree): string => {
    if (typeof tree === 'string') return scalar(tree, true);
    if (Array.isArray(tree)) return `[${tree.map(flow).join(pick([', ', ',', ' , ', ',\n   ']))}]`;
    return `{${Object.entries(tree).map(([k, v]) => `${scalar(k, true, true)}: ${flow(v)}`).join(pick([', ', ',']))}}`;
  };
  const lines: string[] = [];
  const literal = (value: string, indent: number): void => {
    for (const line of value.split('\n')) lines.push(line === '' ? '' : `${' '.repeat(indent)}${line}`);
  };
  /** Writes `tree` as the value after `prefix` (a key or dash), on `prefix`'s line or below it. */
  const block = (prefix: string, tree: Tree, indent: number): void => {
    if (typeof tree === 'string' || next() < 0.15) {
      const text = typeof tree === 'string' ? scalar(tree, false) : flow(tree);
      lines.push(`${prefix}${prefix.endsWith(' ') || prefix === '' ? '' : ' '}${text}${text.startsWith('|') ? '' : comment()}`);
      if (typeof tree === 'string' && text.startsWith('|')) literal(tree, indent + width);
      return;
    }
    const entries: [string, Tree][] = Array.isArray(tree) ? tree.map((item) => ['-', item]) : Object.entries(tree).map(([k, v]) => [`${scalar(k, false, true)}:`, v]);
    if (entries.length === 0) {
      lines.push(`${prefix} ${Array.isArray(tree) ? '[]' : '{}'}`);
      return;
    }
    const childIndent = Array.isArray(tree) && compact && prefix.endsWith(':') ? indent : indent + width;
    if (prefix !== '') lines.push(`${prefix}${comment()}`);
    if (next() < 0.1) lines.push(next() < 0.5 ? '' : `${' '.repeat(childIndent)}# comment`);
    for (const [head, value] of entries) block(`${' '.repeat(childIndent)}${head}`, value, childIndent);
  };
  const texts = documents.map((document) => {
    lines.length = 0;
    block('', document, -width);
    return lines.join('\n');
  });
  return texts.join(pick(['\n---\n', '\n---\n\n', '\n--- # doc\n'])) + pick(['\n', '\n', '', '\n\n']);
}

const EDITS = [' ', '  ', '\n', ':', ': ', '-', '- ', '#', ' #', '"', "'", '[', ']', '{', '}', ',', '|', '|-', 'a', '&a ', '*a', '!', '\t', '---\n', '...'];

/** `text` with one to three random edits: an insertion, a deletion or a re-indented line. */
export function mutate(next: () => number, text: string): string {
  let out = text;
  const edits = 1 + Math.floor(next() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (out.length + 1));
    const kind = next();
    if (kind < 0.5) out = out.slice(0, at) + EDITS[Math.floor(next() * EDITS.length)]! + out.slice(at);
    else if (kind < 0.8) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 3));
    else {
      const lines = out.split('\n');
      const row = Math.floor(next() * lines.length);
      lines[row] = next() < 0.5 ? ` ${lines[row]}` : lines[row]!.replace(/^ /, '');
      out = lines.join('\n');
    }
  }
  return out;
}
