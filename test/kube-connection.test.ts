/**
 * The three ways the agent reaches its cluster, each against a real server: the pod's service
 * account over HTTPS (CA trust, bearer token, rotation), a kubeconfig read by client-node, and a
 * plain URL; then how `connectKube` chooses between them.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { HttpKube } from '../agent/src/adapters/kube/http-kube.js';
import {
  connectKube,
  inClusterConnection,
  kubeconfigConnection,
  plainConnection,
  TOKEN_REREAD_MS,
} from '../agent/src/adapters/kube/kube-connection.js';
import type { ServiceAccountFiles } from '../agent/src/adapters/kube/kube-connection.js';
import type { KubeObject } from '../agent/src/core/kube-object.js';
import { FleetError } from '../shared/src/errors.js';
import { ManualClock } from '../shared/src/time/clock.js';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../simulators/src/kube-api/server.js';
import { makeSelfSigned } from './support/self-signed.js';
import type { SelfSigned } from './support/self-signed.js';
import { makeTempDir } from './support/temp-dir.js';

const CORE_V1 = { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'configmaps', namespaced: true, kind: 'ConfigMap' }] };
const cmRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'shop' };
const configMap = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { k: 'v' } });

const temp = makeTempDir('kube-connection');
let cert: SelfSigned;
let other: SelfSigned;
let https: Server;
let httpsPort: number;
let sim: KubeApiServer;
/** Requests the HTTPS server saw; it accepts only the bearer token in `accepted`, when set. */
const seen: IncomingMessage[] = [];
let accepted: string | undefined;
const clients: { close(): void }[] = [];

const track = <T extends { close(): void }>(client: T): T => {
  clients.push(client);
  return client;
};

beforeAll(async () => {
  cert = makeSelfSigned(temp.dir, 'apiserver');
  other = makeSelfSigned(temp.dir, 'stranger');
  https = createServer({ key: cert.key, cert: cert.cert }, (request, response) => {
    seen.push(request);
    response.setHeader('content-type', 'application/json');
    if (accepted !== undefined && request.headers.authorization !== `Bearer ${accepted}`) {
      response.statusCode = 401;
      response.end(JSON.stringify({ kind: 'Status', code: 401, reason: 'Unauthorized', message: 'Unauthorized' }));
      return;
    }
    response.end(JSON.stringify(request.url === '/api/v1' ? CORE_V1 : configMap('a')));
  });
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  httpsPort = (https.address() as AddressInfo).port;
  sim = await startKubeApiServer();
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  seen.length = 0;
  accepted = undefined;
});

afterAll(async () => {
  https.closeAllConnections();
  await new Promise<void>((resolve) => https.close(() => resolve()));
  await sim.close();
  temp.remove();
});

/** A service account mount in a fresh directory, as the kubelet writes it. */
function serviceAccount(token: string, ca: Buffer = cert.cert): ServiceAccountFiles {
  const dir = join(temp.dir, `sa-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  const files = { ca: join(dir, 'ca.crt'), token: join(dir, 'token'), namespace: join(dir, 'namespace') };
  writeFileSync(files.ca, ca);
  writeFileSync(files.token, token);
  writeFileSync(files.namespace, 'edge-system');
  return files;
}

const podEnv = (host = '127.0.0.1'): NodeJS.ProcessEnv => ({ KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: String(httpsPort) });

describe('inClusterConnection', () => {
  it("trusts the service account's CA, sends its token and knows its namespace", async () => {
    const connection = inClusterConnection(podEnv(), serviceAccount('token-1\n'));
    const kube = track(new HttpKube(connection));
    expect(await kube.get(cmRef)).toMatchObject({ metadata: { name: 'a' } });
    expect(seen.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-1']);
    expect(connection.server.href).toBe(`https://127.0.0.1:${httpsPort}/`);
    expect(connection.namespace).toBe('edge-system');
  });

  it('refuses a server its CA does not vouch for', async () => {
    const kube = track(new HttpKube(inClusterConnection(podEnv(), serviceAccount('token-1', other.cert))));
    const error = await kube.get(cmRef).catch((e: unknown) => e);
    expect((error as FleetError).kind).toBe('transient');
    expect(String((error as FleetError).cause)).toMatch(/self[- ]signed/);
    expect(seen).toHaveLength(0);
  });

  it('re-reads a rotated token once a minute, not on every request', async () => {
    const files = serviceAccount('token-1');
    const clock = new ManualClock(1_000_000);
    const kube = track(new HttpKube(inClusterConnection(podEnv(), files, clock)));
    await kube.get(cmRef);
    writeFileSync(files.token, 'token-2');
    clock.advance(TOKEN_REREAD_MS - 1);
    await kube.get(cmRef);
    clock.advance(1);
    await kube.get(cmRef);
    expect(seen.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-1', 'Bearer token-2']);
  });

  it('re-reads the token at once when the server refuses the old one', async () => {
    const files = serviceAccount('token-1');
    const kube = track(new HttpKube(inClusterConnection(podEnv(), files, new ManualClock(0))));
    accepted = 'token-1';
    await kube.get(cmRef);
    writeFileSync(files.token, 'token-2');
    accepted = 'token-2';
    expect(await kube.get(cmRef)).toMatchObject({ metadata: { name: 'a' } });
    expect(seen.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-1', 'Bearer token-2']);

    // Several requests refused together each retry, though only the first to ask saw a change.
    seen.length = 0;
    writeFileSync(files.token, 'token-3');
    accepted = 'token-3';
    const refusedTogether = await Promise.all([kube.get(cmRef), kube.get(cmRef), kube.get(cmRef)]);
    expect(refusedTogether.map((object) => object?.metadata.name)).toEqual(['a', 'a', 'a']);
    expect(seen.map((r) => r.headers.authorization).sort()).toEqual([...Array(3).fill('Bearer token-2'), ...Array(3).fill('Bearer token-3')]);
  });

  it('brackets IPv6 service hosts', () => {
    const connection = track(inClusterConnection({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccount('t')));
    expect(connection.server.href).toBe('https://[fd00::1]/');
  });

  it('says what is missing outside a pod or without a mounted account', () => {
    expect(() => inClusterConnection({ KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toThrow(/KUBERNETES_SERVICE_PORT/);
    const files = { ...serviceAccount('t'), token: join(temp.dir, 'no-such-token') };
    const error = (() => {
      try {
        return inClusterConnection(podEnv(), files);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).kind).toBe('validation');
    expect((error as FleetError).message).toContain(files.token);
  });
});

describe('plainConnection', () => {
  it('talks to the simulator without credentials, under its path prefix', async () => {
    const kube = track(new HttpKube(plainConnection(sim.clusterUrl('plain'))));
    await kube.apply(configMap('p'), { fieldManager: 'edge-agent' });
    expect(await sim.cluster('plain').get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'p', namespace: 'default' })).toBeDefined();
  });

  it('trusts only the system CAs over HTTPS', async () => {
    const kube = track(new HttpKube(plainConnection(`https://127.0.0.1:${httpsPort}`)));
    expect(((await kube.get(cmRef).catch((e: unknown) => e)) as FleetError).kind).toBe('transient');
  });

  it('rejects what is not an http(s) URL', () => {
    expect(() => plainConnection('127.0.0.1:6443')).toThrow(FleetError);
  });
});

/** A kubeconfig file with one context; `user` is its user entry. */
function kubeconfig(name: string, cluster: Record<string, unknown>, user: Record<string, unknown> = {}): string {
  const file = join(temp.dir, `${name}.kubeconfig`);
  writeFileSync(
    file,
    toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster }],
      users: [{ name, user }],
      contexts: [{ name, context: { cluster: name, user: name, namespace: 'from-context' } }],
      'current-context': name,
    }),
  );
  return file;
}

/** A kubeconfig exec plugin that prints a token, as cloud CLIs do. */
const execPlugin = (token: string) => ({
  exec: {
    apiVersion: 'client.authentication.k8s.io/v1',
    command: process.execPath,
    args: ['-e', `console.log(JSON.stringify({apiVersion:'client.authentication.k8s.io/v1',kind:'ExecCredential',status:{token:'${token}'}}))`],
    interactiveMode: 'Never',
  },
});

describe('kubeconfigConnection', () => {
  it('reaches the simulator at the server of the current context', async () => {
    const connection = await kubeconfigConnection(kubeconfig('sim', { server: sim.clusterUrl('kc') }));
    const kube = track(new HttpKube(connection));
    await kube.apply(configMap('k'), { fieldManager: 'edge-agent' });
    expect(await sim.cluster('kc').get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'k', namespace: 'default' })).toBeDefined();
    expect(connection.namespace).toBe('from-context');
  });

  it("uses the kubeconfig's CA and an exec plugin's token, over pooled connections", async () => {
    const file = kubeconfig('tls', { server: `https://127.0.0.1:${httpsPort}`, 'certificate-authority': cert.certFile }, execPlugin('exec-token'));
    const kube = track(new HttpKube(await kubeconfigConnection(file)));
    await kube.get(cmRef);
    await kube.get(cmRef);
    expect(seen.map((r) => r.headers.authorization)).toEqual(['Bearer exec-token', 'Bearer exec-token', 'Bearer exec-token']);
    expect(new Set(seen.map((r) => r.socket)).size).toBe(1);
  });

  it('says which file could not be loaded', async () => {
    const missing = join(temp.dir, 'missing.kubeconfig');
    const error = await kubeconfigConnection(missing).catch((e: unknown) => e);
    expect((error as FleetError).kind).toBe('validation');
    expect((error as FleetError).message).toContain(missing);
  });
});

describe('connectKube', () => {
  const emptyHome = (): string => {
    const home = join(temp.dir, `home-${Math.random().toString(36).slice(2)}`);
    mkdirSync(home);
    return home;
  };
  const homeWithConfig = (server: string): string => {
    const home = emptyHome();
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), readFileSync(kubeconfig('home', { server })));
    return home;
  };
  const namesOn = async (kube: HttpKube, cluster: string): Promise<boolean> => {
    await kube.apply(configMap(`via-${cluster}`), { fieldManager: 'edge-agent' });
    return (await sim.cluster(cluster).get({ apiVersion: 'v1', kind: 'ConfigMap', name: `via-${cluster}`, namespace: 'default' })) !== undefined;
  };

  it('prefers an explicit server, then an explicit kubeconfig, to anything in the environment', async () => {
    const env = { ...podEnv(), KUBECONFIG: kubeconfig('env', { server: sim.clusterUrl('from-env') }) };
    const byServer = track(await connectKube({ server: sim.clusterUrl('by-server'), kubeconfig: join(temp.dir, 'unused') }, env));
    expect(await namesOn(byServer, 'by-server')).toBe(true);
    const byFile = track(await connectKube({ kubeconfig: kubeconfig('file', { server: sim.clusterUrl('by-file') }) }, env));
    expect(await namesOn(byFile, 'by-file')).toBe(true);
  });

  it("uses the pod's service account when KUBERNETES_SERVICE_HOST is set", async () => {
    const env = { ...podEnv(), KUBECONFIG: kubeconfig('env', { server: sim.clusterUrl('from-env') }), HOME: emptyHome() };
    const kube = track(await connectKube({}, env, { serviceAccountFiles: serviceAccount('pod-token') }));
    await kube.get(cmRef);
    expect(seen.map((r) => r.headers.authorization)).toEqual(['Bearer pod-token', 'Bearer pod-token']);
  });

  it('falls back to KUBECONFIG, then ~/.kube/config', async () => {
    const home = homeWithConfig(sim.clusterUrl('from-home'));
    const byEnv = track(await connectKube({}, { KUBECONFIG: kubeconfig('env', { server: sim.clusterUrl('from-env') }), HOME: home }));
    expect(await namesOn(byEnv, 'from-env')).toBe(true);
    const byHome = track(await connectKube({}, { HOME: home }));
    expect(await namesOn(byHome, 'from-home')).toBe(true);
  });

  it('says what to configure when nothing is', async () => {
    const error = await connectKube({}, { HOME: emptyHome(), KUBECONFIG: join(temp.dir, 'absent') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).kind).toBe('validation');
    expect((error as FleetError).message).toMatch(/kubernetes\.server.*kubernetes\.kubeconfig.*KUBECONFIG.*service account/);
  });
});

describe("the agent's runtime path", () => {
  it('never imports client-node statically: only kubeconfig connections load it, on demand', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) {
          const text = readFileSync(path, 'utf8');
          if (/^(import|export)(?!\s+type\b)[^;]*from\s+['"]@kubernetes\/client-node['"]/m.test(text)) offenders.push(path);
        }
      }
    };
    walk('agent/src');
    walk('shared/src');
    expect(offenders).toEqual([]);
  });
});
