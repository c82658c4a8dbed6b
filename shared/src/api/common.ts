/**
 * What every part of the operator API shares: timestamps, lists, the error body, and the
 * type-level checks that keep the hub's own types equal to the schemas' without writing them twice.
 *
 * Answer schemas are plain `z.object`s: a client parsing with them ignores fields a newer hub
 * added, and the OpenAPI document (output mode) still says the hub sends no others.
 */
import { z } from 'zod';
import { ErrorKind } from '../errors.js';

/** ISO 8601, as `Date.toISOString()` writes it or an agent reported it. */
export const Timestamp = z.iso.datetime({ offset: true });

export const Count = z.number().int().nonnegative();

/** `{items: [...]}`, the shape of every list. */
export const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const ApiErrorKind = z.enum([...Object.values(ErrorKind), 'unauthorized', 'forbidden', 'unavailable', 'internal']);
export type ApiErrorKind = z.infer<typeof ApiErrorKind>;

/** Every error answer: `{error: {kind, message}}`. */
export const ApiErrorBody = z.object({ error: z.object({ kind: ApiErrorKind, message: z.string() }) });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** The first `max` problems of a failed parse, each `path: message`, for a one-line error. */
export function firstIssues(error: z.ZodError, max = 3): string {
  const shown = error.issues.slice(0, max).map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  const more = error.issues.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/** True when A and B are the same type (neither wider), for `Assert<SameType<A, B>>`. */
export type SameType<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Fails to compile unless `T` is `true`. */
export type Assert<T extends true> = T;
