/**
 * Variable substitution after rendering, in string values only (so a value can never change the
 * structure of an object): `${cluster.name}`, `${cluster.labels.KEY}`, `${name}` and
 * `${name:=default}`; `$${…}` stands for a literal `${…}`. An unresolved variable is an error.
 * Pure.
 */
import type { KubeObject } from '../kube-object.js';
import type { ClusterIdentity } from '../../../../shared/src/fleet/fleet-file.js';
import { setOwn } from './kustomize/json-value.js';

export type SubstituteResult = { ok: true; objects: KubeObject[] } | { ok: false; error: string };

const REFERENCE = /\$(\$?)\{([^}]*)\}/g;
const EXPRESSION = /^(cluster\.name|cluster\.labels\.[A-Za-z0-9_./-]+|[A-Za-z_][A-Za-z0-9_]*)(?::=(.*))?$/s;

export function substituteVariables(
  objects: readonly KubeObject[],
  vars: Readonly<Record<string, string>>,
  cluster: ClusterIdentity,
): SubstituteResult {
  const resolve = (expression: string, where: string): string => {
    const match = EXPRESSION.exec(expression);
    if (!match) throw new Error(`${where}: "\${${expression}}" is not a variable reference`);
    const [, name, fallback] = match as unknown as [string, string, string | undefined];
    let value: string | undefined;
    if (name === 'cluster.name') value = cluster.name;
    else if (name.startsWith('cluster.labels.')) value = cluster.labels[name.slice('cluster.labels.'.length)];
    else value = vars[name];
    value ??= fallback;
    if (value === undefined) {
      throw new Error(`${where}: variable "${name}" is not set for cluster ${cluster.name} (set it in fleet.yaml vars, or write \${${name}:=default})`);
    }
    return value;
  };
  // Copy-on-write: most values hold no reference. The location is kept as a stack of keys and
  // spelled out only for an error.
  const path: (string | number)[] = [];
  const where = (): string => path.map((key, i) => (i === 0 ? key : typeof key === 'number' ? `[${key}]` : `.${key}`)).join('');
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.includes('${') ? value.replace(REFERENCE, (_all, escaped: string, expression: string) => (escaped ? `\${${expression}}` : resolve(expression, where()))) : value;
    }
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        const next = walk(value[i]);
        path.pop();
        if (next !== value[i]) (out ??= [...value])[i] = next;
      }
      return out ?? value;
    }
    if (value !== null && typeof value === 'object') {
      let out: Record<string, unknown> | undefined;
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        path.push(key);
        const next = walk(item);
        path.pop();
        if (next !== item) setOwn((out ??= { ...value }), key, next);
      }
      return out ?? value;
    }
    return value;
  };
  try {
    return {
      ok: true,
      objects: objects.map((object) => {
        path.length = 0;
        path.push(`${object.kind}/${object.metadata.name}`);
        return walk(object) as KubeObject;
      }),
    };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
