/**
 * Connecting the agent to its cluster. The settings choose a connection (see `connectKube`);
 * HttpKube then sends raw requests through it.
 */
import { FleetError } from '../../../../shared/src/errors.js';
import { HttpKube } from './http-kube.js';
import type { HttpKubeOptions } from './http-kube.js';
import type { KubeConnection } from './connection/connection.js';
import { inClusterConnection } from './connection/in-cluster.js';
import type { ServiceAccountFiles } from './connection/in-cluster.js';
import { defaultKubeconfigFiles, kubeconfigConnection } from './connection/kubeconfig.js';
import { plainConnection } from './connection/plain.js';

export type { KubeConnection } from './connection/connection.js';
export { inClusterConnection, SERVICE_ACCOUNT_FILES, TOKEN_REREAD_MS } from './connection/in-cluster.js';
export type { ServiceAccountFiles } from './connection/in-cluster.js';
export { defaultKubeconfigFiles, kubeconfigConnection } from './connection/kubeconfig.js';
export { plainConnection } from './connection/plain.js';

export interface KubeSettings {
  /** An API server URL without credentials (simulator, `kubectl proxy`). */
  server?: string | undefined;
  /** A kubeconfig file. */
  kubeconfig?: string | undefined;
}

export interface ConnectKubeOptions {
  http?: HttpKubeOptions;
  /** Where the service account is mounted, when not at the kubelet's usual place (tests). */
  serviceAccountFiles?: Partial<ServiceAccountFiles>;
}

/**
 * The connection the settings ask for, in kubectl's order of precedence: an explicit server, an
 * explicit kubeconfig, the pod's service account, then `KUBECONFIG` or `~/.kube/config`.
 */
export async function connectionFor(settings: KubeSettings, env: NodeJS.ProcessEnv = process.env, options: ConnectKubeOptions = {}): Promise<KubeConnection> {
  if (settings.server) return plainConnection(settings.server);
  if (settings.kubeconfig) return kubeconfigConnection(settings.kubeconfig, env);
  if (env['KUBERNETES_SERVICE_HOST']) return inClusterConnection(env, options.serviceAccountFiles);
  if (defaultKubeconfigFiles(env).length > 0) return kubeconfigConnection(undefined, env);
  throw new FleetError(
    'validation',
    'no Kubernetes cluster configured: set kubernetes.server (a URL without credentials) or kubernetes.kubeconfig in the agent config, ' +
      'set KUBECONFIG or create ~/.kube/config, or run the agent in a pod with a service account',
  );
}

/** An HttpKube over the connection the settings ask for; close it to release its connections. */
export async function connectKube(settings: KubeSettings, env: NodeJS.ProcessEnv = process.env, options: ConnectKubeOptions = {}): Promise<HttpKube> {
  return new HttpKube(await connectionFor(settings, env, options), options.http);
}
