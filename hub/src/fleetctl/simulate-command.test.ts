/** `fleetctl rollout simulate`: plan files, the fleet from the API, the report. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/support/temp-dir.js';
import { SimulationOptions, simulateRollout } from '../core/rollout/simulate.js';
import { addSimulateCommand, fetchFleet, formatElapsed, readPlan, simulationReport } from './simulate-command.js';
import type { FetchLike } from './simulate-command.js';

const OLD = 'a'.repeat(40);
const PLAN_YAML = `revision: main
onFailure: rollback
waves:
  - name: canary
    selector: ring=canary
    bake: 5m
  - name: rest
    requireApproval: true
`;

const clusterView = (id: string, presence: 'online' | 'offline' | 'unknown', ring: string) => ({
  id, labels: { ring }, presence, presenceAt: null, agentVersion: '0.1.0', lastSeq: 3, statusAt: null,
  status: presence === 'unknown' ? null : { appliedRevision: OLD, desiredRevision: OLD, health: 'Healthy', conditions: [], objectCount: 1 },
});
const items = [clusterView('c1', 'online', 'canary'), clusterView('c2', 'online', 'canary'), clusterView('s1', 'online', 'main'), clusterView('s2', 'offline', 'main'), clusterView('s3', 'unknown', 'main')];

/** A fetch that answers like the hub's API and remembers what it was asked. */
function fakeHub(status = 200, body: unknown = { items }) {
  const calls: { url: string; headers: Record<string, string> }[] = [];
  const fetchFn: FetchLike = async (url, init) => {
    calls.push({ url: url.href, headers: init.headers as Record<string, string> });
    return new Response(JSON.stringify(body), { status, statusText: 'x', headers: { 'content-type': 'application/json' } });
  };
  return { calls, fetchFn };
}

describe('readPlan', () => {
  it('reads YAML and JSON', () => {
    expect(readPlan(PLAN_YAML, 'plan.yaml')).toMatchObject({ revision: 'main', onFailure: 'rollback', waves: [{ name: 'canary', bake: 300_000 }, { name: 'rest', requireApproval: true }] });
    expect(readPlan('{"revision": "v2", "waves": [{"name": "all"}]}', 'plan.json').waves).toHaveLength(1);
  });

  it('names every problem of an invalid plan', () => {
    expect(() => readPlan('revision: main\nwaves:\n  - name: Canary\n    bake: soon\n', 'plan.yaml')).toThrow(
      /plan.yaml is not a valid rollout plan:\n {2}waves.0.name: a wave name is a DNS label\n {2}waves.0.bake: "soon": a duration is like/,
    );
    expect(() => readPlan('waves: [', 'plan.yaml')).toThrow(/plan.yaml is not valid YAML or JSON/);
  });
});

describe('fetchFleet', () => {
  it('reads the clusters, sending the bearer token when there is one', async () => {
    const hub = fakeHub();
    const fleet = await fetchFleet('http://hub:8080', 'secret', hub.fetchFn);
    expect(hub.calls).toEqual([{ url: 'http://hub:8080/api/v1/clusters', headers: { accept: 'application/json', authorization: 'Bearer secret' } }]);
    expect(fleet.map((c) => [c.id, c.presence, c.appliedRevision])).toEqual([
      ['c1', 'online', OLD], ['c2', 'online', OLD], ['s1', 'online', OLD], ['s2', 'offline', OLD], ['s3', 'unknown', null],
    ]);
    await fetchFleet('http://hub:8080', undefined, hub.fetchFn);
    expect(hub.calls[1]!.headers).toEqual({ accept: 'application/json' });
  });

  it('says what to do when the hub refuses', async () => {
    await expect(fetchFleet('http://hub:8080', undefined, fakeHub(401, { error: { kind: 'unauthorized', message: 'no token' } }).fetchFn)).rejects.toThrow(
      'GET /api/v1/clusters: 401 no token (set --token or FLEET_TOKEN)',
    );
    await expect(fetchFleet('http://hub:8080', undefined, fakeHub(200, { clusters: [] }).fetchFn)).rejects.toThrow(
      'the hub at http://hub:8080 answered GET /api/v1/clusters with something fleetctl does not understand: items: Invalid input: expected array, received undefined; is fleetctl older than the hub?',
    );
  });
});

describe('simulationReport', () => {
  it('shows outcome, exposure and one row per wave', async () => {
    const fleet = await fetchFleet('http://hub', undefined, fakeHub().fetchFn);
    const options = SimulationOptions.parse({ healthyAfter: { minMs: 30_000, maxMs: 30_000 } });
    const text = simulationReport(simulateRollout(readPlan(PLAN_YAML, 'p'), fleet, options), fleet.length, options);
    expect(text).toContain('outcome:   running (stuck) after 6m00s of simulated time: waiting for 2 offline clusters');
    expect(text).toContain('exposure:  3 of 5 clusters in the rollout would run the new revision, 0 of them failing');
    expect(text).toContain('approved:  rest (the simulation approves waves at once)');
    expect(text.split('\n').slice(-3)).toEqual([
      'WAVE     CLUSTERS   STARTED   DONE    EXPOSED   FAILED   PHASES',
      'canary   2          0s        5m30s   2         0        healthy=2',
      'rest     3          5m30s     -       1         0        healthy=1,offline=2',
    ]);
  });

  it.each([[0, '0s'], [45_400, '45s'], [150_000, '2m30s'], [3_720_000, '1h02m']])('formats %d ms as %s', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});

describe('the command', () => {
  const temp = makeTempDir('fleetctl-simulate');
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0)) await close();
  });
  afterAll(() => temp.remove());

  const program = (print: (text: string) => void) => {
    const root = new Command('fleetctl').exitOverride().option('--hub <url>', 'hub');
    addSimulateCommand(root.command('rollout'), { print, env: { FLEET_TOKEN: 'from-env' } }).exitOverride();
    return root;
  };

  it('reads the plan file, asks the hub over HTTP and prints JSON', async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.setHeader('content-type', 'application/json').end(JSON.stringify({ items }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
    const hub = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const file = join(temp.dir, 'plan.yaml');
    writeFileSync(file, PLAN_YAML.replace('ring=canary', 'ring in (canary)'));

    const out: string[] = [];
    await program((t) => out.push(t)).parseAsync(['--hub', hub, 'rollout', 'simulate', '--plan', file, '--failure-rate', '1', '--seed', '5', '-o', 'json'], { from: 'user' });
    expect(seen).toEqual(['Bearer from-env']);
    const result = JSON.parse(out[0]!) as Record<string, unknown>;
    expect(result).toMatchObject({ fleet: 5, status: 'rolledBack', end: 'finished', exposure: { clusters: 2, failed: 2 }, options: { failureRate: 1, seed: 5 } });

    // --token on the subcommand wins over the environment.
    await program(() => undefined).parseAsync(['rollout', 'simulate', '--hub', hub, '--token', 'flag', '--plan', file], { from: 'user' });
    expect(seen[1]).toBe('Bearer flag');
  });

  it('refuses a failure rate outside 0..1', async () => {
    await expect(program(() => undefined).parseAsync(['rollout', 'simulate', '--plan', 'x.yaml', '--failure-rate', '1.5'], { from: 'user' })).rejects.toThrow('--failure-rate is between 0 and 1');
  });
});
