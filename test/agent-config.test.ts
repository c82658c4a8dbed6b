import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgentSettings } from '../agent/src/config/agent-config.js';
import { generateSigningKeyPair } from '../shared/src/protocol/signing.js';
import { makeTempDir } from './support/temp-dir.js';

describe('agent config', () => {
  const temp = makeTempDir('agent-config');
  afterAll(() => temp.remove());
  const write = (name: string, text: string) => {
    const file = join(temp.dir, name);
    writeFileSync(file, text);
    return file;
  };
  const base = 'clusterId: store-1\nsource:\n  url: https://git.example/fleet.git\n';

  it('fills defaults and resolves paths against the config file', () => {
    const settings = loadAgentSettings(write('a.yaml', base), {});
    expect(settings).toMatchObject({
      mode: 'track',
      source: { branch: 'main', path: '', timeoutSeconds: 60, connectTimeoutSeconds: 10, limits: { maxFiles: 10_000, maxFileBytes: 5 * 1024 * 1024 } },
      cache: { keepRevisions: 3 },
      dataDir: join(temp.dir, 'agent-data'),
      intervalSeconds: 30,
    });
    expect(settings.gitCredentials).toBeUndefined();
    expect(settings.hub).toBeUndefined();
  });

  it('reads secrets from files, or from the environment, never from the config itself', () => {
    write('git-token', 'secret-token\n');
    write('hub-token', 'hub-secret\n');
    const fromFiles = loadAgentSettings(
      write('b.yaml', `${base}  auth: {tokenFile: git-token}\nmode: track\nhub: {url: "mqtt://hub:1883", tokenFile: hub-token}\n`),
      {},
    );
    expect(fromFiles.gitCredentials).toEqual({ token: 'secret-token' });
    expect(fromFiles.hub).toEqual({ url: 'mqtt://hub:1883', token: 'hub-secret' });

    const fromEnv = loadAgentSettings(write('c.yaml', `${base}mode: track\nhub: {url: "mqtt://hub:1883"}\n`), {
      FLEET_GIT_USERNAME: 'bot',
      FLEET_GIT_PASSWORD: 'pw',
      FLEET_AGENT_TOKEN: 'env-token',
    });
    expect(fromEnv.gitCredentials).toEqual({ username: 'bot', password: 'pw' });
    expect(fromEnv.hub?.token).toBe('env-token');

    expect(() => loadAgentSettings(write('d.yaml', `${base}  auth: {token: inline}\n`), {})).toThrow(/source\.auth/);
  });

  it('lists every problem at once', () => {
    const file = write('e.yaml', 'clusterId: Not_A_Label\nsource: {url: "ftp://x", limits: {maxFiles: 0}}\nintervalSeconds: -1\n');
    let message = '';
    try {
      loadAgentSettings(file, {});
    } catch (error) {
      message = (error as Error).message;
    }
    for (const path of ['clusterId', 'source.url', 'source.limits.maxFiles', 'intervalSeconds']) expect(message).toContain(path);
  });

  it('runs directed by the hub when one is configured, with the hub keys it trusts', () => {
    const hubKey = generateSigningKeyPair();
    write('hub.pub', hubKey.publicKeyPem);
    const directed = loadAgentSettings(write('h.yaml', `${base}hub: {url: "mqtt://hub:1883", trustedKeyFiles: [hub.pub]}\n`), { FLEET_AGENT_TOKEN: 't' });
    expect(directed.mode).toBe('directed');
    expect(directed.trustedHubKeys).toEqual([hubKey.publicKeyPem.trim()]);
    expect(() => loadAgentSettings(write('i.yaml', `${base}hub: {url: "mqtt://hub:1883"}\n`), { FLEET_AGENT_TOKEN: 't' })).toThrow(/hub\.trustedKeyFiles/);
    expect(() => loadAgentSettings(write('j.yaml', `${base}mode: directed\n`), {})).toThrow(/configure hub, or use mode track/);
    expect(() => loadAgentSettings(write('k.yaml', `${base}hub: {url: "mqtt://hub:1883", trustedKeyFiles: [gone.pub]}\n`), { FLEET_AGENT_TOKEN: 't' })).toThrow(/hub\.trustedKeyFiles/);
  });

  it('says which secret file it cannot read', () => {
    expect(() => loadAgentSettings(write('f.yaml', `${base}mode: track\nhub: {url: "mqtt://hub:1883", tokenFile: missing}\n`), {})).toThrow(/hub\.tokenFile/);
    expect(() => loadAgentSettings(write('g.yaml', `${base}mode: track\nhub: {url: "mqtt://hub:1883"}\n`), {})).toThrow(/FLEET_AGENT_TOKEN/);
  });
});
