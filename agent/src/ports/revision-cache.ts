/**
 * The revisions the agent can reconcile without Git: each kept revision's whole tree, its file
 * contents stored once by content, and named refs. One adapter, `SqliteRevisionCache`, in the
 * agent's SQLite file (or `:memory:`).
 */
import type { FileTree } from '../../../shared/src/git/file-tree.js';

export interface CachedRevision {
  sha: string;
  fetchedAt: string;
  fileCount: number;
  totalBytes: number;
}

export const RefName = {
  /** The branch head of the last successful fetch. */
  fetched: 'fetched',
} as const;
export type RefName = (typeof RefName)[keyof typeof RefName];

export interface RevisionCache {
  has(sha: string): boolean;
  /** Stores a revision's whole tree in one transaction (idempotent). */
  put(sha: string, files: FileTree, at: Date): void;
  /** The files of a cached revision, or undefined. */
  files(sha: string): FileTree | undefined;
  /** Cached revisions, most recently fetched first. */
  list(): CachedRevision[];
  /**
   * Keeps the `keep` most recently fetched revisions plus every `pinned` one, deletes the rest
   * and every blob no kept revision uses; returns what it removed.
   */
  prune(keep: number, pinned: readonly string[]): { revisions: number; blobs: number };
  setRef(name: RefName, sha: string, at: Date): void;
  ref(name: RefName): string | undefined;
  /** Bytes the cache occupies (blob contents). */
  sizeBytes(): number;
}
