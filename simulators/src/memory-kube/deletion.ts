/**
 * Deletion with finalizers, as the API server does it: an object that still has finalizers is
 * only marked (`deletionTimestamp`) and goes away when the last finalizer is removed; while it
 * is being deleted, nobody may add a finalizer. Pure.
 */
import type { KubeObject } from '../../../agent/src/core/kube-object.js';
import type { ResourceType } from './catalogue.js';
import { invalidError } from './status-error.js';

export const finalizersOf = (object: KubeObject): string[] => {
  const finalizers = object.metadata['finalizers'];
  return Array.isArray(finalizers) ? finalizers.filter((f): f is string => typeof f === 'string') : [];
};

export const isDeleting = (object: KubeObject): boolean =>
  object.metadata['deletionTimestamp'] !== undefined && object.metadata['deletionTimestamp'] !== null;

/** The object marked for deletion: a copy, with its generation bumped as the API server does. */
export function markedForDeletion(object: KubeObject, time: string): KubeObject {
  const marked = structuredClone(object);
  marked.metadata['deletionTimestamp'] = time;
  marked.metadata['deletionGracePeriodSeconds'] = 0;
  marked.metadata.generation = (object.metadata.generation ?? 1) + 1;
  return marked;
}

/**
 * Carries the deletion marks of `live` over to `next` (writes cannot change them) and refuses
 * finalizers that `live` did not have. Changes `next`.
 */
export function keepDeletionMarks(type: ResourceType, live: KubeObject, next: KubeObject): void {
  if (!isDeleting(live)) return;
  const had = new Set(finalizersOf(live));
  const added = finalizersOf(next).filter((f) => !had.has(f));
  if (added.length > 0) {
    throw invalidError(type, next, [
      { reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` },
    ]);
  }
  next.metadata['deletionTimestamp'] = live.metadata['deletionTimestamp'];
  next.metadata['deletionGracePeriodSeconds'] = live.metadata['deletionGracePeriodSeconds'];
}
