/**
 * Kubernetes label selectors in their string form (`app=web,tier!=db,env in (a,b),!legacy`):
 * parsing into requirements, and matching a set of labels against them. Pure.
 */

export const SelectorOperator = {
  equals: 'Equals',
  notEquals: 'NotEquals',
  in: 'In',
  notIn: 'NotIn',
  exists: 'Exists',
  doesNotExist: 'DoesNotExist',
} as const;
export type SelectorOperator = (typeof SelectorOperator)[keyof typeof SelectorOperator];

export interface Requirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

export type ParseResult = { ok: true; requirements: Requirement[] } | { ok: false; error: string };

type Token = { type: 'word'; text: string } | { type: 'op'; text: '=' | '==' | '!=' | '!' | '(' | ')' | ',' };

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '=' || c === '!') {
      const two = input.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        tokens.push({ type: 'op', text: two });
        i += 2;
      } else {
        tokens.push({ type: 'op', text: c });
        i++;
      }
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ type: 'op', text: c });
      i++;
    } else {
      const start = i;
      while (i < input.length && !/[\s=!(),]/.test(input.charAt(i))) i++;
      tokens.push({ type: 'word', text: input.slice(start, i) });
    }
  }
  return tokens;
}

export function validLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return NAME.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix) && NAME.test(key.slice(slash + 1));
}

export const validLabelValue = (value: string): boolean => value === '' || NAME.test(value);

export function parseLabelSelector(input: string): ParseResult {
  const tokens = lex(input);
  const requirements: Requirement[] = [];
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const fail = (what: string): ParseResult => ({
    ok: false,
    error: `unable to parse requirement: ${what} in label selector ${JSON.stringify(input)}`,
  });
  const isOp = (t: Token | undefined, text: string): boolean => t?.type === 'op' && t.text === text;

  while (pos < tokens.length) {
    let negated = false;
    if (isOp(peek(), '!')) {
      negated = true;
      pos++;
    }
    const keyToken = tokens[pos++];
    if (keyToken?.type !== 'word') return fail('expected a label key');
    const key = keyToken.text;
    if (!validLabelKey(key)) return fail(`invalid label key ${JSON.stringify(key)}`);
    const next = peek();
    if (negated) {
      requirements.push({ key, operator: SelectorOperator.doesNotExist, values: [] });
    } else if (next === undefined || isOp(next, ',')) {
      requirements.push({ key, operator: SelectorOperator.exists, values: [] });
    } else if (isOp(next, '=') || isOp(next, '==') || isOp(next, '!=')) {
      pos++;
      const valueToken = peek();
      let value = '';
      if (valueToken?.type === 'word') {
        value = valueToken.text;
        pos++;
      } else if (valueToken !== undefined && !isOp(valueToken, ',')) {
        return fail(`expected a value after ${next.text}`);
      }
      if (!validLabelValue(value)) return fail(`invalid label value ${JSON.stringify(value)}`);
      const operator = next.text === '!=' ? SelectorOperator.notEquals : SelectorOperator.equals;
      requirements.push({ key, operator, values: [value] });
    } else if (next.type === 'word' && (next.text === 'in' || next.text === 'notin')) {
      pos++;
      if (!isOp(tokens[pos++], '(')) return fail(`expected "(" after ${next.text}`);
      const values: string[] = [];
      for (;;) {
        const t = tokens[pos++];
        if (t?.type === 'word') {
          if (!validLabelValue(t.text)) return fail(`invalid label value ${JSON.stringify(t.text)}`);
          values.push(t.text);
          const sep = tokens[pos++];
          if (isOp(sep, ')')) break;
          if (!isOp(sep, ',')) return fail('expected "," or ")" in a set of values');
        } else if (isOp(t, ')') && values.length > 0) {
          break;
        } else {
          return fail('expected a value in a set of values');
        }
      }
      const operator = next.text === 'in' ? SelectorOperator.in : SelectorOperator.notIn;
      requirements.push({ key, operator, values });
    } else {
      return fail(`unexpected ${JSON.stringify(next.text)} after key ${JSON.stringify(key)}`);
    }
    const sep = tokens[pos];
    if (sep === undefined) break;
    if (!isOp(sep, ',')) return fail(`expected "," but found ${JSON.stringify(sep.text)}`);
    pos++;
    if (pos === tokens.length) return fail('trailing ","');
  }
  return { ok: true, requirements };
}

export function matchesSelector(labels: Readonly<Record<string, string>> | undefined, requirements: readonly Requirement[]): boolean {
  const all = labels ?? {};
  return requirements.every(({ key, operator, values }) => {
    const has = Object.hasOwn(all, key);
    const value = all[key];
    switch (operator) {
      case SelectorOperator.equals:
        return has && value === values[0];
      case SelectorOperator.notEquals:
        return !has || value !== values[0];
      case SelectorOperator.in:
        return has && values.includes(value ?? '');
      case SelectorOperator.notIn:
        return !has || !values.includes(value ?? '');
      case SelectorOperator.exists:
        return has;
      case SelectorOperator.doesNotExist:
        return !has;
    }
  });
}
