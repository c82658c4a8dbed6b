import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIPv6 } from 'node:net';
import { FleetError } from '../../../../../shared/src/errors.js';
import { systemClock } from '../../../../../shared/src/time/clock.js';
import type { Clock } from '../../../../../shared/src/time/clock.js';
import type { KubeConnection } from './connection.js';

/** Where the kubelet mounts the pod's service account. */
export interface ServiceAccountFiles {
  ca: string;
  token: string;
  namespace: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export const SERVICE_ACCOUNT_FILES: Readonly<ServiceAccountFiles> = {
  ca: `${SERVICE_ACCOUNT_DIR}/ca.crt`,
  token: `${SERVICE_ACCOUNT_DIR}/token`,
  namespace: `${SERVICE_ACCOUNT_DIR}/namespace`,
};

/**
 * The kubelet rewrites a bound token well before it expires (at 80 % of its life, an hour at
 * the least), so reading it once a minute — and at once after a 401 — is never too late.
 */
export const TOKEN_REREAD_MS = 60_000;

interface Credentials {
  token: string;
  ca: Buffer;
}

/**
 * The pod's own service account: the API server from the `KUBERNETES_SERVICE_*` variables, its
 * CA and the bearer token from the mounted files. Files are read now, so a pod without a mounted
 * account fails at start with a clear message; later reads pick up rotated tokens and CAs.
 */
export function inClusterConnection(
  env: NodeJS.ProcessEnv = process.env,
  files: Partial<ServiceAccountFiles> = {},
  clock: Clock = systemClock,
): KubeConnection {
  const paths: ServiceAccountFiles = { ...SERVICE_ACCOUNT_FILES, ...files };
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port) {
    throw new FleetError('validation', 'in-cluster Kubernetes needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, which the kubelet sets in every pod; outside a pod, configure kubernetes.server or kubernetes.kubeconfig');
  }
  // The service account's CA and token only make sense over TLS, whatever the port.
  const server = new URL(`https://${isIPv6(host) ? `[${host}]` : host}:${port}`);
  const agent = new https.Agent({ keepAlive: true });

  let current = readCredentialsSync(paths);
  let readAt = clock.now();
  let reading: Promise<Credentials> | undefined;

  /** One read at a time, however many requests are waiting for it. */
  const reread = (): Promise<Credentials> => {
    reading ??= readCredentials(paths)
      .then((fresh) => {
        current = fresh;
        readAt = clock.now();
        return fresh;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };

  return {
    server,
    namespace: readNamespace(paths.namespace),
    description: `${server.origin} as the pod's service account`,
    async decorate(options) {
      const credentials = clock.now() - readAt >= TOKEN_REREAD_MS ? await reread() : current;
      options.headers = { ...(options.headers as OutgoingHttpHeaders | undefined), authorization: `Bearer ${credentials.token}` };
      options.ca = credentials.ca;
      options.agent = agent;
    },
    async reloadCredentials(refused) {
      // Compared with what the refused request carried, not with the last read: another request
      // may have picked up the new token in between.
      const sent = (refused.headers as OutgoingHttpHeaders | undefined)?.['authorization'];
      return `Bearer ${(await reread()).token}` !== sent;
    },
    close() {
      agent.destroy();
    },
  };
}

function readCredentialsSync(paths: ServiceAccountFiles): Credentials {
  return {
    token: checkedToken(readOrExplain(paths.token, 'token', () => readFileSync(paths.token, 'utf8')), paths.token),
    ca: readOrExplain(paths.ca, 'CA certificate', () => readFileSync(paths.ca)),
  };
}

async function readCredentials(paths: ServiceAccountFiles): Promise<Credentials> {
  try {
    const [token, ca] = await Promise.all([readFile(paths.token, 'utf8'), readFile(paths.ca)]);
    return { token: checkedToken(token, paths.token), ca };
  } catch (error) {
    if (error instanceof FleetError) throw error;
    // The kubelet swaps the files atomically, so a failed read means the mount itself is gone.
    throw new FleetError('transient', `cannot re-read the service account's token or CA under ${paths.token}; the next request tries again`, { cause: error });
  }
}

function readOrExplain<T>(path: string, what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new FleetError('validation', `cannot read the service account ${what} at ${path}: is a service account mounted in this pod (automountServiceAccountToken)?`, { cause: error });
  }
}

function checkedToken(text: string, path: string): string {
  const token = text.trim();
  if (token === '') throw new FleetError('validation', `the service account token at ${path} is empty`);
  return token;
}

function readNamespace(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    // Optional: only the token and the CA are needed to talk to the API server.
    return undefined;
  }
}
