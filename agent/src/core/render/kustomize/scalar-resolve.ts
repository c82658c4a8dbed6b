/**
 * How Go's YAML libraries read an unquoted scalar. kustomize reads resources with go-yaml v3
 * (YAML 1.2 core, but `0755` is still octal and `1_000` an integer) and writes them with go-yaml
 * v2 through sigs.k8s.io/yaml, which also treats `yes`/`on`/`y` as booleans; a string that would
 * read back as anything else is quoted on output. Both tables live here so the two directions
 * cannot drift apart.
 */

export type PlainScalar =
  | { tag: 'str'; value: string }
  | { tag: 'null'; value: null }
  | { tag: 'bool'; value: boolean }
  | { tag: 'int' | 'float'; value: number }
  | { tag: 'timestamp'; value: string }
  | { tag: 'merge'; value: string };

const YAML11_BOOLS: ReadonlyMap<string, boolean> = new Map([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'].map((s) => [s, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'].map((s) => [s, false] as const),
]);

const COMMON: ReadonlyMap<string, PlainScalar> = new Map<string, PlainScalar>([
  ...['true', 'True', 'TRUE'].map((s) => [s, { tag: 'bool', value: true }] as const),
  ...['false', 'False', 'FALSE'].map((s) => [s, { tag: 'bool', value: false }] as const),
  ...['', '~', 'null', 'Null', 'NULL'].map((s) => [s, { tag: 'null', value: null }] as const),
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, { tag: 'float', value: Number.NaN }] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, { tag: 'float', value: Infinity }] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, { tag: 'float', value: -Infinity }] as const),
  ['<<', { tag: 'merge', value: '<<' }],
]);

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** go-yaml's first-character hint: only these starts can resolve to anything but a string. */
function hint(s: string): 'M' | 'D' | 'S' | '.' | 'N' | undefined {
  if (s === '') return 'N';
  const c = s[0]!;
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c >= '0' && c <= '9') return 'D';
  if (c === '+' || c === '-') return 'S';
  if (c === '.') return '.';
  return undefined;
}

/** Resolves a plain scalar as go-yaml v3 (`yaml11: false`, reading) or v2 (`yaml11: true`, writing) does. */
export function resolvePlain(s: string, yaml11: boolean): PlainScalar {
  const h = hint(s);
  if (h === undefined) return { tag: 'str', value: s };
  if (yaml11 && YAML11_BOOLS.has(s)) return { tag: 'bool', value: YAML11_BOOLS.get(s)! };
  const known = COMMON.get(s);
  if (known) return known;
  if (h === '.') {
    const f = parseGoFloat(s);
    if (f !== undefined) return { tag: 'float', value: f };
  } else if (h === 'D' || h === 'S') {
    const ts = parseTimestamp(s);
    if (ts !== undefined) return { tag: 'timestamp', value: ts };
    const plain = s.replaceAll('_', '');
    const int = parseGoInt(plain);
    if (int !== undefined) return { tag: 'int', value: int };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = Number(plain);
      if (Number.isFinite(f)) return { tag: 'float', value: f };
    }
  }
  return { tag: 'str', value: s };
}

/** True when go-yaml v2 would not write `s` unquoted because it would read back as something else. */
export function needsQuotesV2(s: string): boolean {
  return resolvePlain(s, true).tag !== 'str' || BASE60_FLOAT.test(s);
}

/** strconv.ParseInt/ParseUint(s, 0, 64): optional sign, 0x/0o/0b prefixes, a leading 0 means octal. */
function parseGoInt(s: string): number | undefined {
  const match = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!match) return undefined;
  const body = match[2]!;
  let value: bigint;
  if (/^0[oO]/.test(body)) value = BigInt(`0o${body.slice(2)}`);
  else if (/^0[0-7]+$/.test(body)) value = BigInt(`0o${body.slice(1)}`);
  else value = BigInt(body);
  if (match[1] === '-') value = -value;
  // ParseInt's range, then ParseUint's (which refuses a sign).
  if (value >= -(2n ** 63n) && value < 2n ** 63n) return Number(value);
  if (match[1] === '' && value < 2n ** 64n) return Number(value);
  return undefined;
}

/** strconv.ParseFloat for the `.`-starting forms go-yaml tries (`.5`, `.5e3`). */
function parseGoFloat(s: string): number | undefined {
  if (!/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s)) return undefined;
  const f = Number(s);
  return Number.isFinite(f) ? f : undefined;
}

const TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]| )(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * go-yaml's timestamp forms (date, date-time with zone, space-separated without zone), returned
 * as Go's RFC 3339 rendering of the parsed time, which is what reaches the JSON output.
 */
export function parseTimestamp(s: string): string | undefined {
  const m = TIMESTAMP.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, hh, mi, ss, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(Number(y), month)) return undefined;
  const date = `${y}-${pad(month)}-${pad(day)}`;
  if (hh === undefined) return `${date}T00:00:00Z`;
  const spaced = s.includes(' ');
  if (spaced === (zone !== undefined) && spaced) return undefined;
  if (!spaced && zone === undefined) return undefined;
  if (Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 59) return undefined;
  const fraction = frac ? frac.replace(/0+$/, '') : '';
  return `${date}T${pad(Number(hh))}:${pad(Number(mi))}:${pad(Number(ss))}${fraction === '.' ? '' : fraction}${zone === undefined || /^[-+]00:00$/.test(zone) ? 'Z' : zone}`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
