/**
 * Kubernetes-style label selectors over cluster labels: the structured form (`matchLabels`,
 * `matchExpressions`) used in fleet.yaml and rollout plans, and the string form used on the
 * command line and in the API (`region=eu,tier!=canary,zone in (a,b),!legacy`). Pure.
 */
import { z } from 'zod';
import { FleetError } from '../errors.js';

const LabelSelectorRequirement = z.strictObject({
  key: z.string().min(1),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
  values: z.array(z.string()).optional(),
});

export const ClusterSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(LabelSelectorRequirement).optional(),
});
export type ClusterSelector = z.infer<typeof ClusterSelector>;

/** An empty selector matches every cluster. */
export function selectorMatches(selector: ClusterSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const matched =
      operator === 'In' ? has && values.includes(labels[key]!)
      : operator === 'NotIn' ? !has || !values.includes(labels[key]!)
      : operator === 'Exists' ? has
      : !has;
    if (!matched) return false;
  }
  return true;
}

const KEY = String.raw`[A-Za-z0-9][-A-Za-z0-9_./]*`;
const VALUE = String.raw`[-A-Za-z0-9_.]*`;
const EQUALS = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`);
const EXISTS = new RegExp(`^(!?)(${KEY})$`);

/** Parses the string form; `''` is the empty selector. Errors name the requirement. */
export function parseSelector(text: string): ClusterSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<ClusterSelector['matchExpressions']> = [];
  for (const part of splitRequirements(text)) {
    let m: RegExpExecArray | null;
    if ((m = EQUALS.exec(part))) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      if (op === '!=') matchExpressions.push({ key, operator: 'NotIn', values: [value] });
      else matchLabels[key] = value;
    } else if ((m = SET.exec(part))) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = list.split(',').map((v) => v.trim());
      if (values.some((v) => !new RegExp(`^${VALUE}$`).test(v))) throw invalid(part);
      matchExpressions.push({ key, operator: op === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = EXISTS.exec(part))) {
      const [, not, key] = m as unknown as [string, string, string];
      matchExpressions.push({ key, operator: not ? 'DoesNotExist' : 'Exists' });
    } else {
      throw invalid(part);
    }
  }
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
}

/** Splits on commas outside parentheses; an empty requirement (`a=1,,b=2`) is an error. */
function splitRequirements(text: string): string[] {
  if (text.trim() === '') return [];
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  if (parts.includes('')) throw invalid(text);
  return parts;
}

const invalid = (part: string) =>
  new FleetError('validation', `"${part}" is not a label selector requirement (key=value, key!=value, key in (a,b), key notin (a,b), key, !key)`);
