import { join } from 'node:path';
import { startAgent } from '../../agent/src/agent.js';
import type { RunningAgent } from '../../agent/src/agent.js';
import { httpKubeFromUrl } from '../../agent/src/adapters/kube/http-kube.js';
import { AgentConfig, resolveAgentSettings } from '../../agent/src/config/agent-config.js';
import type { AgentSettings } from '../../agent/src/config/agent-config.js';
import { quietLogger } from './hub-fixture.js';

export interface TestAgentOptions {
  clusterId: string;
  repoUrl: string;
  kubeUrl: string;
  dataDir: string;
  path?: string;
  /** Defaults to an hour: tests drive passes with `reconciler.reconcile()`. */
  intervalSeconds?: number;
  hub?: { url: string; token: string };
  /** Extra raw config, validated like a config file. */
  config?: Record<string, unknown>;
}

export function testAgentSettings(options: TestAgentOptions): AgentSettings {
  const config = AgentConfig.parse({
    clusterId: options.clusterId,
    source: { url: options.repoUrl, path: options.path ?? '', timeoutSeconds: 30 },
    dataDir: options.dataDir,
    intervalSeconds: options.intervalSeconds ?? 3600,
    ...options.config,
  });
  const { hub: _hub, ...settings } = resolveAgentSettings(config, options.dataDir, {});
  return { ...settings, ...(options.hub ? { hub: options.hub } : {}) };
}

/**
 * A real agent in this process: real Git over HTTP, real SQLite, the simulated API over HTTP.
 * Resolves after the agent's first pass, so that a test's own `reconcile()` calls start new
 * passes instead of joining that one.
 */
export async function startTestAgent(options: TestAgentOptions, settings = testAgentSettings(options)): Promise<RunningAgent> {
  const agent = await startAgent(settings, quietLogger(), { kube: httpKubeFromUrl(options.kubeUrl) });
  await agent.reconciler.reconcile();
  return agent;
}

export const gitDirOf = (dataDir: string) => join(dataDir, 'git');
export const databaseOf = (dataDir: string) => join(dataDir, 'agent.db');
