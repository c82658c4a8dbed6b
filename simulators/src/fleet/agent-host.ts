/**
 * Child-process entry of the fleet simulator: runs its share of the fleet's agents in this
 * process, each a real agent (own SQLite file, Git cache and simulated cluster), as the parent
 * asks over IPC. It exits when the parent goes away, so a crashed simulator leaves no agents.
 */
import { startAgent } from '../../../agent/src/agent.js';
import type { RunningAgent } from '../../../agent/src/agent.js';
import { httpKubeFromUrl } from '../../../agent/src/adapters/kube/http-kube.js';
import { AgentConfig, resolveAgentSettings } from '../../../agent/src/config/agent-config.js';
import { describeError } from '../../../shared/src/errors.js';
import { createLogger } from '../../../shared/src/logger.js';
import type { Logger } from '../../../shared/src/logger.js';
import { HostRequest } from './messages.js';
import type { HostedAgent, HostReply, HostStats, SharedAgentSettings } from './messages.js';

if (!process.send) {
  process.stderr.write('agent-host runs as a child of the fleet simulator (startFleet), not on its own\n');
  process.exit(2);
}

const send = (reply: HostReply) => process.send!(reply);
const hosted = new Map<string, HostedAgent>();
const running = new Map<string, RunningAgent>();
let shared: SharedAgentSettings | undefined;
let logger: Logger | undefined;
const cpuAtStart = process.cpuUsage();

async function startOne(agent: HostedAgent): Promise<void> {
  if (running.has(agent.clusterId)) return;
  const settings = shared!;
  const config = AgentConfig.parse({
    ...settings.agentConfig,
    clusterId: agent.clusterId,
    labels: agent.labels,
    source: { url: settings.gitUrl, branch: settings.branch, path: settings.gitPath },
    hub: { url: settings.mqttUrl, trustedKeyFiles: [settings.trustedKeyFile] },
    dataDir: agent.dataDir,
    intervalSeconds: settings.intervalSeconds,
  });
  const resolved = resolveAgentSettings(config, agent.dataDir, { FLEET_AGENT_TOKEN: agent.token });
  const kubeUrl = `${settings.kubeUrl}/clusters/${encodeURIComponent(agent.clusterId)}`;
  running.set(agent.clusterId, await startAgent(resolved, logger!.child({ clusterId: agent.clusterId }), { kube: httpKubeFromUrl(kubeUrl) }));
}

async function stopOne(clusterId: string): Promise<void> {
  const agent = running.get(clusterId);
  if (!agent) return;
  running.delete(clusterId);
  await agent.stop();
}

function stats(): HostStats {
  const cpu = process.cpuUsage(cpuAtStart);
  return { pid: process.pid, agents: hosted.size, online: running.size, rssBytes: process.memoryUsage().rss, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function handle(request: HostRequest): Promise<HostStats | undefined> {
  switch (request.type) {
    case 'start':
      shared = request.shared;
      logger ??= createLogger({ name: 'fleet-agent', level: shared.logLevel });
      for (const agent of request.agents) hosted.set(agent.clusterId, agent);
      await Promise.all(request.agents.map(startOne));
      return stats();
    case 'setOnline': {
      const agent = hosted.get(request.clusterId);
      if (!agent) throw new Error(`cluster ${request.clusterId} is not hosted by process ${process.pid}`);
      await (request.online ? startOne(agent) : stopOne(request.clusterId));
      return undefined;
    }
    case 'stats':
      return stats();
    case 'stop':
      await Promise.all([...running.keys()].map(stopOne));
      return undefined;
  }
}

process.on('message', (raw: unknown) => {
  const parsed = HostRequest.safeParse(raw);
  if (!parsed.success) {
    const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
    send({ type: 'failed', id, message: `malformed request: ${parsed.error.message}` });
    return;
  }
  const request = parsed.data;
  handle(request).then(
    (result) => send({ type: 'done', id: request.id, ...(result ? { stats: result } : {}) }),
    (error: unknown) => send({ type: 'failed', id: request.id, message: describeError(error) }),
  );
});

// The parent is gone (stopped, crashed or killed): stop the agents and leave.
process.on('disconnect', () => {
  const exit = () => process.exit(0);
  setTimeout(exit, 2000).unref();
  void Promise.all([...running.keys()].map(stopOne)).finally(exit);
});
