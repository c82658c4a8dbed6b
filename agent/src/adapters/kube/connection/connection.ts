/**
 * How HttpKube reaches an API server: where it is, and what each request must carry to be let in
 * (credentials, TLS trust, an agent that pools connections). Kept apart from the requests so that
 * the common cases — a plain URL, the pod's service account — need nothing from client-node,
 * whose import alone costs ~120 MB of memory.
 */
import type { RequestOptions } from 'node:https';

export interface KubeConnection {
  /** Base URL of the API server; may carry a path prefix (a proxy, the simulator's `/clusters/{id}`). */
  readonly server: URL;
  /** The namespace of the identity, when the connection knows one (service account, kubeconfig context). */
  readonly namespace?: string | undefined;
  /** Where the connection came from, for logs: never holds a secret. */
  readonly description: string;
  /**
   * Adds credentials, TLS settings and an agent to one request's options. Called for every
   * request, because tokens are short-lived and rotate under a running agent.
   */
  decorate(options: RequestOptions): Promise<void>;
  /**
   * Called when the server answered 401 Unauthorized to a request decorated as `refused`:
   * re-read the credentials, and say whether they now differ from what that request carried, in
   * which case it is worth sending once more.
   */
  reloadCredentials?(refused: RequestOptions): Promise<boolean>;
  /** Releases pooled connections. */
  close(): void;
}
