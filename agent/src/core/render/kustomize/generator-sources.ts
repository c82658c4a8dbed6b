/**
 * The key/value pairs of a configMap or secret generator, read from its `literals`, `files`
 * and `envs` the way kustomize v5.5 reads them.
 */
import { posix } from 'node:path';
import { KustomizeError } from './types.js';
import { readLocalFile, utf8Text, type KustomizationContext } from './local-file.js';

/** One generated key: text when it is valid UTF-8, bytes otherwise (those go to `binaryData`). */
export interface GeneratedValue {
  key: string;
  text?: string;
  bytes: Uint8Array;
}

export interface GeneratorSources {
  literals?: readonly string[];
  files?: readonly string[];
  envs?: readonly string[];
}

/** Every pair in kustomize's order (literals, files, envs); a repeated key is an error. */
export function readGeneratorSources(
  sources: GeneratorSources,
  ctx: KustomizationContext,
  describe: string,
): GeneratedValue[] {
  const values = [
    ...(sources.literals ?? []).map((literal) => parseLiteral(literal, ctx)),
    ...(sources.files ?? []).map((file) => readFileSource(file, ctx)),
    ...(sources.envs ?? []).flatMap((env) => readEnvFile(env, ctx)),
  ];
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value.key)) throw new KustomizeError(ctx.file, `${describe} illegally repeats the key \`${value.key}\``);
    seen.add(value.key);
  }
  return values;
}

function parseLiteral(literal: string, ctx: KustomizationContext): GeneratedValue {
  const equals = literal.indexOf('=');
  if (equals <= 0) throw new KustomizeError(ctx.file, `invalid literal source ${literal}, expected key=value`);
  const text = unquote(literal.slice(equals + 1));
  return { key: literal.slice(0, equals), text, bytes: Buffer.from(text, 'utf8') };
}

/** kustomize drops one pair of matching quotes around a literal's value (not in env files). */
function unquote(value: string): string {
  const first = value[0];
  return value.length >= 2 && (first === '"' || first === "'") && value.endsWith(first) ? value.slice(1, -1) : value;
}

function readFileSource(source: string, ctx: KustomizationContext): GeneratedValue {
  const equals = source.indexOf('=');
  let key = posix.basename(source);
  let path = source;
  if (equals >= 0) {
    key = source.slice(0, equals);
    path = source.slice(equals + 1);
    if (key === '') throw new KustomizeError(ctx.file, `missing key name for file path "${path}" in source "${source}"`);
    if (path === '') throw new KustomizeError(ctx.file, `missing file path for key name "${key}" in source "${source}"`);
  }
  const bytes = readLocalFile(ctx, path, 'generator files');
  const text = utf8Text(bytes);
  return text === undefined ? { key, bytes } : { key, text, bytes };
}

/**
 * `.env` files: one KEY=VALUE a line, split at the first `=`, leading blanks dropped, trailing
 * ones kept, no unquoting; blank lines and `#` comments skipped. A line with no `=` takes its
 * value from kubectl's own environment, which a pure renderer does not have: it gets "", as kubectl
 * gives when the variable is unset.
 */
function readEnvFile(path: string, ctx: KustomizationContext): GeneratedValue[] {
  const bytes = readLocalFile(ctx, path, 'generator envs');
  const text = utf8Text(bytes);
  if (text === undefined) throw new KustomizeError(ctx.file, `envs: ${path} is not UTF-8 text`);
  const values: GeneratedValue[] = [];
  text.replace(/^\uFEFF/, '').split('\n').forEach((raw) => {
    const line = raw.replace(/\r$/, '').replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const equals = line.indexOf('=');
    const key = equals < 0 ? line : line.slice(0, equals);
    const value = equals < 0 ? '' : line.slice(equals + 1);
    if (key === '') return;
    values.push({ key, text: value, bytes: Buffer.from(value, 'utf8') });
  });
  return values;
}
