/**
 * Exactly once, in order, through crashes. A real agent process reports a stream of state changes
 * (statuses from new commits, an event for every hand edit it reverts) to a real hub process,
 * while one or the other is killed with SIGKILL at random moments and restarted. Afterwards the
 * hub holds every event the agent ever recorded exactly once, committed in seq order, and the
 * agent's last status.
 *
 * Ground truth: a trigger the test adds to the agent's database journals every outbox row in the
 * transaction that writes it, so a row exists in the journal if and only if the agent committed it.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAgentDatabase } from '../agent/src/adapters/store/agent-database.js';
import { commitFiles, createBareRepo } from '../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../simulators/src/git-server/git-server.js';
import type { GitServer } from '../simulators/src/git-server/git-server.js';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../simulators/src/kube-api/server.js';
import { builtBinary } from './support/built-binary.js';
import { spawnLogged } from './support/logged-process.js';
import type { LoggedProcess } from './support/logged-process.js';
import { makeTempDir } from './support/temp-dir.js';

const CLUSTER = 'store-1';
const OBJECTS = 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (min: number, max: number) => min + Math.random() * (max - min);
const configMap = (i: number, release: number) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${i}, namespace: default}\ndata: {release: "${release}"}\n`;
const release = (n: number) => Object.fromEntries(Array.from({ length: OBJECTS }, (_, i) => [`apps/shop/cm-${i}.yaml`, configMap(i, n)]));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Scenario {
  dir: string;
  agentDb: string;
  hubDb: string;
  startAgent(): Promise<LoggedProcess>;
  startHub(): Promise<LoggedProcess>;
}

describe('transport through crashes: every record exactly once, in order', () => {
  const temp = makeTempDir('transport-kill');
  let git: GitServer;
  let kube: KubeApiServer;
  let bare: string;
  let agentMain: string;
  let hubMain: string;
  let commits = 0;

  beforeAll(async () => {
    agentMain = builtBinary('agent/src/main.js');
    hubMain = builtBinary('hub/src/main.js');
    bare = await createBareRepo(join(temp.dir, 'repos'), 'fleet.git');
    git = await startGitServer({ root: join(temp.dir, 'repos') });
    kube = await startKubeApiServer({ port: 0 });
  });
  afterAll(async () => {
    await git?.close();
    await kube?.close();
    temp.remove();
  });

  async function scenario(name: string): Promise<Scenario> {
    const dir = join(temp.dir, name);
    const port = await freePort();
    const hubConfig = join(dir, 'hub.yaml');
    const hubDb = join(dir, 'hub.db');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(
      hubConfig,
      JSON.stringify({
        database: hubDb,
        mqtt: { host: '127.0.0.1', port, connectionRate: { perAddressPerSecond: 1000, perAddressBurst: 1000 } },
        http: { host: '127.0.0.1', port: 0 },
        // Reports wait longer than usual for their commit, so that hub kills often land between
        // the broker's PUBACK and the commit — where trusting the PUBACK would lose records.
        ingest: { maxDelayMs: 250 },
      }),
    );
    const token = execFileSync(process.execPath, [hubMain, 'cluster', 'add', CLUSTER, '-c', hubConfig], { encoding: 'utf8' }).trim();
    writeFileSync(join(dir, 'token'), token);
    const dataDir = join(dir, 'agent');
    const agentDb = join(dataDir, 'agent.db');
    execFileSync('mkdir', ['-p', dataDir]);
    journalOutbox(agentDb);
    const agentConfig = join(dir, 'agent.yaml');
    writeFileSync(
      agentConfig,
      JSON.stringify({
        clusterId: CLUSTER,
        mode: 'track',
        source: { url: git.repoUrl('fleet.git'), path: 'apps/shop' },
        kubernetes: { server: kube.clusterUrl(name) },
        hub: { url: `mqtt://127.0.0.1:${port}`, tokenFile: 'token' },
        dataDir,
        intervalSeconds: 1,
        drift: { intervalSeconds: 0.3 },
      }),
    );
    const started = async (process: LoggedProcess, ready: string) => {
      await Promise.race([process.logged(ready), process.exited.then(() => Promise.reject(new Error(`exited before "${ready}"`)))]);
      return process;
    };
    return {
      dir,
      agentDb,
      hubDb,
      startAgent: () => Promise.resolve(spawnLogged(agentMain, ['run', '--config', agentConfig])),
      startHub: () => started(spawnLogged(hubMain, ['serve', '--config', hubConfig]), 'hub started'),
    };
  }

  /** Keeps the agent busy: a new commit now and then, and hand edits it must revert (each an event). */
  function generateChanges(cluster: string): () => Promise<void> {
    let running = true;
    const edits = (async () => {
      while (running) {
        const i = Math.floor(Math.random() * OBJECTS);
        await kube
          .cluster(cluster)
          .patch({ apiVersion: 'v1', kind: 'ConfigMap', name: `cm-${i}`, namespace: 'default' }, 'merge', { data: { release: 'by-hand' } }, { fieldManager: 'kubectl-edit' })
          .catch(() => undefined); // not created yet
        await sleep(between(50, 250));
      }
    })();
    const releases = (async () => {
      while (running) {
        await commitFiles(bare, { branch: 'main', message: `release ${++commits}`, files: release(commits) });
        await sleep(between(700, 1500));
      }
    })();
    return async () => {
      running = false;
      await Promise.all([edits, releases]);
    };
  }

  /** Waits until the hub has committed the agent's last record and the agent holds nothing unacknowledged. */
  async function drained(s: Scenario): Promise<void> {
    await expect
      .poll(
        () => {
          const agent = new Database(s.agentDb, { readonly: true });
          const hub = new Database(s.hubDb, { readonly: true });
          try {
            const pending = (agent.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
            const last = (agent.prepare('SELECT MAX(seq) AS seq FROM test_journal').get() as { seq: number }).seq;
            const committed = (hub.prepare('SELECT last_seq FROM cluster_state WHERE cluster_id = ?').get(CLUSTER) as { last_seq: number }).last_seq;
            return pending === 0 && committed === last;
          } finally {
            agent.close();
            hub.close();
          }
        },
        { timeout: 120_000, interval: 250 },
      )
      .toBe(true);
  }

  function compare(s: Scenario): { events: number; statuses: number } {
    const agent = new Database(s.agentDb, { readonly: true });
    const hub = new Database(s.hubDb, { readonly: true });
    try {
      const journal = agent.prepare('SELECT seq, kind, body FROM test_journal ORDER BY seq').all() as { seq: number; kind: string; body: string }[];
      const events = journal.filter((r) => r.kind === 'event').map((r) => ({ seq: r.seq, ...JSON.parse(r.body) }));
      const statuses = journal.filter((r) => r.kind === 'status');
      // In commit order (rowid), every event once, nothing else, in seq order.
      const received = hub
        .prepare('SELECT seq, reason, message, severity FROM events WHERE cluster_id = ? ORDER BY rowid')
        .all(CLUSTER);
      expect(events.some((e) => e.reason === 'EventsDropped')).toBe(false);
      expect(received).toEqual(events);
      const state = hub.prepare('SELECT status, last_seq FROM cluster_state WHERE cluster_id = ?').get(CLUSTER) as { status: string; last_seq: number };
      expect(JSON.parse(state.status)).toEqual(JSON.parse(statuses.at(-1)!.body));
      expect(state.last_seq).toBe(journal.at(-1)!.seq);
      // Printed so a run shows how much traffic the kills interrupted.
      // eslint-disable-next-line no-console
      console.log(`${s.dir.split('/').pop()}: ${events.length} events and ${statuses.length} statuses, hub last seq ${state.last_seq}`);
      return { events: events.length, statuses: statuses.length };
    } finally {
      agent.close();
      hub.close();
    }
  }

  it('with the agent killed 20 times', { timeout: 240_000 }, async () => {
    const s = await scenario('agent-killed');
    const hub = await s.startHub();
    const stopChanges = generateChanges('agent-killed');
    try {
      for (let kill = 0; kill < 20; kill++) {
        const agent = await s.startAgent();
        await sleep(between(500, 2500));
        await agent.kill();
      }
      await stopChanges();
      const agent = await s.startAgent();
      await drained(s);
      await agent.stop();
    } finally {
      await stopChanges();
      await hub.stop();
    }
    const counts = compare(s);
    // The stream really flowed across the kills.
    expect(counts.events).toBeGreaterThanOrEqual(10);
    expect(counts.statuses).toBeGreaterThanOrEqual(3);
  });

  it('with the hub killed 8 times', { timeout: 240_000 }, async () => {
    const s = await scenario('hub-killed');
    let hub = await s.startHub();
    const agent = await s.startAgent();
    const stopChanges = generateChanges('hub-killed');
    try {
      for (let kill = 0; kill < 8; kill++) {
        await sleep(between(500, 2000));
        await hub.kill();
        await sleep(between(100, 1000));
        hub = await s.startHub();
      }
      await stopChanges();
      await drained(s);
    } finally {
      await stopChanges();
      await agent.stop();
      await hub.stop();
    }
    const counts = compare(s);
    expect(counts.events).toBeGreaterThanOrEqual(10);
    expect(counts.statuses).toBeGreaterThanOrEqual(3);
  });
});

/** Creates the agent's database as the agent would, plus a journal of every outbox row committed. */
function journalOutbox(file: string): void {
  const { db } = openAgentDatabase(file);
  db.exec(`CREATE TABLE test_journal (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL);
    CREATE TRIGGER test_journal_outbox AFTER INSERT ON outbox
    BEGIN INSERT INTO test_journal (seq, kind, body) VALUES (NEW.seq, NEW.kind, NEW.body); END;`);
  db.close();
}
