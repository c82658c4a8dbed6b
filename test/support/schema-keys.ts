/**
 * Every key a config file may set, read from its zod 4 schema, so that docs/configuration.md can
 * be held to the schemas instead of to memory. Wrappers (optional, default, prefault, nullable,
 * refinements, pipes) are looked through; unions and intersections contribute the keys of every
 * member; lists of objects and maps of objects are entered with `[]` and `*` in the path.
 */
import type { z } from 'zod';

export interface SchemaKey {
  /** As a file spells it: `mqtt.tls.certFile`, `sources[].branch`, `clusters.*.url`. */
  path: string;
  /** A section holds further keys and nothing else; a setting holds a value (scalar, list, map of scalars). */
  section: boolean;
}

type Schema = z.core.$ZodType;

/** What a value may be: objects (each with the path infix leading into it) and/or a plain value. */
interface Forms {
  shapes: { infix: string; shape: Readonly<Record<string, Schema>> }[];
  scalar: boolean;
}

export function schemaKeys(schema: Schema): SchemaKey[] {
  const root = formsOf(schema, '', new Set());
  if (root.shapes.length === 0) throw new TypeError('schemaKeys needs an object schema');
  const keys = new Map<string, boolean>();
  const walk = (shape: Readonly<Record<string, Schema>>, prefix: string, seen: ReadonlySet<Schema>) => {
    for (const [key, child] of Object.entries(shape)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      const forms = formsOf(child, '', seen);
      const section = !forms.scalar && forms.shapes.length > 0;
      // A key that is an object in one union member and a value in another is a setting.
      keys.set(path, (keys.get(path) ?? true) && section);
      for (const { infix, shape: inner } of forms.shapes) walk(inner, `${path}${infix}`, new Set([...seen, child]));
    }
  };
  for (const { shape } of root.shapes) walk(shape, '', new Set([schema]));
  return [...keys].map(([path, section]) => ({ path, section }));
}

function formsOf(schema: Schema, infix: string, seen: ReadonlySet<Schema>): Forms {
  // A key met again below itself is a recursive schema (z.lazy): its value stands for itself.
  if (seen.has(schema)) return { shapes: [], scalar: true };
  const node = schema as z.core.$ZodTypes;
  const def = node._zod.def;
  switch (def.type) {
    case 'object':
      return { shapes: [{ infix, shape: def.shape }], scalar: false };
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return formsOf(def.innerType, infix, seen);
    case 'lazy':
      return formsOf(def.getter(), infix, seen);
    case 'pipe':
      // A transform's input is what the file holds; a preprocess step holds nothing, its target does.
      return formsOf(def.in._zod.def.type === 'transform' ? def.out : def.in, infix, seen);
    case 'union':
      return merge(def.options.map((option) => formsOf(option, infix, seen)));
    case 'intersection':
      return merge([formsOf(def.left, infix, seen), formsOf(def.right, infix, seen)]);
    case 'array':
      return formsOf(def.element, `${infix}[]`, seen);
    case 'record':
      return formsOf(def.valueType, `${infix}.*`, seen);
    default:
      return { shapes: [], scalar: true };
  }
}

function merge(all: readonly Forms[]): Forms {
  return { shapes: all.flatMap((forms) => forms.shapes), scalar: all.some((forms) => forms.scalar) };
}
