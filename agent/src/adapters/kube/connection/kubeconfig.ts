import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
// Types only: erased at runtime. The library itself is imported when a kubeconfig is used.
import type { KubeConfig } from '@kubernetes/client-node';
import { FleetError } from '../../../../../shared/src/errors.js';
import type { KubeConnection } from './connection.js';

/** The kubeconfig files kubectl would read: `KUBECONFIG` (a list), else `~/.kube/config`. */
export function defaultKubeconfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = (env['KUBECONFIG'] ?? '').split(delimiter).filter((file) => file !== '');
  if (listed.length > 0) return listed.filter((file) => existsSync(file));
  const home = env['HOME'] || homedir();
  const file = join(home, '.kube', 'config');
  return existsSync(file) ? [file] : [];
}

/**
 * Anything a kubeconfig can say — exec plugins, OIDC, client certificates, proxies — through
 * client-node's own `KubeConfig`, for full fidelity. client-node is imported here, on first use,
 * so that agents connecting any other way never pay for it.
 */
export async function kubeconfigConnection(file?: string, env: NodeJS.ProcessEnv = process.env): Promise<KubeConnection> {
  const files = file !== undefined ? [file] : defaultKubeconfigFiles(env);
  const [first, ...rest] = files;
  if (first === undefined) {
    throw new FleetError('validation', 'no kubeconfig found: KUBECONFIG names no existing file and ~/.kube/config does not exist; set kubernetes.kubeconfig or kubernetes.server');
  }
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  try {
    config.loadFromFile(first);
    // The first file's current context wins, as with kubectl.
    for (const other of rest) {
      const more = new KubeConfig();
      more.loadFromFile(other);
      config.mergeConfig(more, true);
    }
  } catch (error) {
    throw new FleetError('validation', `cannot load the kubeconfig ${files.join(delimiter)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return adapt(config, files.join(delimiter));
}

function adapt(config: KubeConfig, source: string): KubeConnection {
  const cluster = config.getCurrentCluster();
  const user = config.getCurrentUser();
  if (!cluster?.server || !user) {
    throw new FleetError('validation', `the kubeconfig ${source} has no current context with a cluster server and a user; set current-context`);
  }
  const context = config.getCurrentContext();
  const namespace = config.getContextObject(context)?.namespace;
  const server = new URL(cluster.server.replace(/\/+$/, ''));
  if (server.protocol === 'http:' && !cluster.skipTLSVerify) {
    // client-node refuses http: servers unless they skip TLS verification, which is moot there;
    // kubectl accepts them. The user (and so its authenticator) stays the same.
    config.loadFromClusterAndUser({ ...cluster, skipTLSVerify: true }, user);
  }
  // client-node builds a fresh agent per request that never keeps a connection alive. Node's own
  // agent pools by the TLS options of each request (CA, client certificate…), so one agent of
  // ours serves rotating client certificates too. Proxy agents are client-node's: keep the first.
  const pooling = cluster.proxyUrl ? undefined : server.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  let proxy: http.Agent | undefined;
  return {
    server,
    namespace,
    description: `${server.origin}${server.pathname === '/' ? '' : server.pathname} from the kubeconfig ${source} (context ${context})`,
    async decorate(options) {
      await config.applyToHTTPSOptions(options);
      const made = options.agent as http.Agent | undefined;
      if (pooling !== undefined) {
        made?.destroy();
        options.agent = pooling;
        return;
      }
      proxy ??= made;
      if (made !== proxy) made?.destroy();
      options.agent = proxy;
    },
    close() {
      pooling?.destroy();
      proxy?.destroy();
    },
  };
}
