/**
 * Deep copies of the renderer's values (plain objects, arrays, strings, numbers, booleans,
 * null). `structuredClone` handles any structured value and is several times slower on these;
 * transformers copy every object they change, so this is on the hot path of a build.
 */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    setOwn(out, key, cloneJson((value as Record<string, unknown>)[key]));
  }
  return out as T;
}

/** `target[key] = value`, except that a `__proto__` key is set as a key, not as the prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
