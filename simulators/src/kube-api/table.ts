/**
 * The `Table` rendering of a list that kubectl asks for when it prints for a person: a name and
 * an age per row, with the object's metadata attached. Pure.
 */
import type { KubeObject } from '../../../agent/src/core/kube-object.js';

/** Ages as kubectl prints them: `45s`, `7m`, `5h`, `3d`. */
export function humanAge(from: string | undefined, now: Date): string {
  if (from === undefined) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(from)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

export function toTable(items: KubeObject[], resourceVersion: string, now: Date): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
      { name: 'Age', type: 'string', format: '', description: 'Time since the object was created.', priority: 0 },
    ],
    rows: items.map((item) => ({
      cells: [item.metadata.name, humanAge(item.metadata.creationTimestamp, now)],
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: (({ managedFields: _managedFields, ...rest }) => rest)(item.metadata),
      },
    })),
  };
}

/** Whether an Accept header asks for a Table (kubectl's human output does). */
export const wantsTable = (accept: string | undefined): boolean =>
  accept !== undefined && accept.split(',')[0]?.includes('as=Table') === true;
