import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { FleetError } from './errors.js';

/**
 * Reads a YAML (or JSON) config file and validates it. Every problem is listed at once, so the
 * operator fixes the file in one go; relative paths in it are the caller's to resolve.
 */
export function loadConfigFile<S extends z.ZodType>(schema: S, file: string): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new FleetError('validation', `cannot read config file ${file}`, { cause });
  }
  let raw: unknown;
  try {
    raw = parse(text, { version: '1.2', maxAliasCount: 100 }) ?? {};
  } catch (cause) {
    throw new FleetError('validation', `config file ${file} is not valid YAML`, { cause });
  }
  return parseConfig(schema, raw, file);
}

export function parseConfig<S extends z.ZodType>(schema: S, raw: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new FleetError('validation', `invalid config in ${source}:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
