/**
 * The Kubernetes port: what the agent needs from a cluster, and nothing more. Objects travel as
 * plain JSON exactly as the API server speaks them (no typed models that could drop fields).
 * Adapters: `HttpKube` (a real API server, or the simulator, over HTTP; credentials and TLS from
 * a `KubeConnection`: a plain URL, the pod's service account, or a kubeconfig read by
 * client-node) and `MemoryKube` (an in-process cluster).
 * Both are checked by one contract suite.
 */
import type { KubeObject, ObjectRef } from '../core/kube-object.js';

export interface ApplyOptions {
  fieldManager: string;
  /** Take ownership of fields another manager owns instead of failing with a conflict. */
  force?: boolean;
  /** Validate and return the would-be object without storing anything. */
  dryRun?: boolean;
}

export interface ListOptions {
  /** Omit for all namespaces (or for cluster-scoped kinds). */
  namespace?: string;
  /** Kubernetes label selector syntax, e.g. `app=web,tier!=db`. */
  labelSelector?: string;
}

export interface KubeClient {
  /** Server-side apply: create or update, returning the object as stored (or as it would be). */
  apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject>;
  /** `undefined` when the object does not exist. */
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, options?: ListOptions): Promise<KubeObject[]>;
  /** `false` when there was nothing to delete. */
  delete(ref: ObjectRef): Promise<boolean>;
  /** Whether objects of a kind live in namespaces; `undefined` when the server does not serve the kind (yet). */
  scopeOf(apiVersion: string, kind: string): Promise<ResourceScope | undefined>;
  /**
   * Calls `onChange` for every change to objects of a kind (a watch), until the returned function
   * is called. Best effort: after a broken stream it reconnects from "now", so callers must not
   * rely on seeing every change — the agent uses it only to check drift sooner.
   */
  watchChanges?(apiVersion: string, kind: string, options: ListOptions, onChange: (type: WatchChange, object: KubeObject) => void): () => void;
}

export type WatchChange = 'ADDED' | 'MODIFIED' | 'DELETED';

export type ResourceScope = 'Namespaced' | 'Cluster';

/**
 * Failures are thrown as `KubeApiError`, carrying the Kubernetes `Status` reason and HTTP code so
 * that callers can tell a conflict (409) from invalid input (422) from a missing kind (404).
 */
export class KubeApiError extends Error {
  readonly code: number;
  readonly reason: string;

  constructor(code: number, reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubeApiError';
    this.code = code;
    this.reason = reason;
  }
}
