/**
 * What the fleet simulator and its agent hosts (child processes) say to each other over IPC.
 * Both sides parse what they receive: a malformed message is a bug to report, not to act on.
 */
import { z } from 'zod';

/** Settings every agent of the fleet shares. */
export const SharedAgentSettings = z.strictObject({
  mqttUrl: z.string().min(1),
  gitUrl: z.string().min(1),
  gitPath: z.string(),
  branch: z.string().min(1),
  /** Base URL of the simulated Kubernetes API; each cluster lives under `/clusters/{id}`. */
  kubeUrl: z.string().min(1),
  trustedKeyFile: z.string().min(1),
  intervalSeconds: z.number().positive(),
  /** Extra raw agent config (validated by the agent's schema), e.g. `{ health: { deadlineSeconds: 5 } }`. */
  agentConfig: z.record(z.string(), z.unknown()),
  logLevel: z.enum(['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace']),
});
export type SharedAgentSettings = z.infer<typeof SharedAgentSettings>;

export const HostedAgent = z.strictObject({
  clusterId: z.string().min(1),
  labels: z.record(z.string(), z.string()),
  token: z.string().min(1),
  dataDir: z.string().min(1),
});
export type HostedAgent = z.infer<typeof HostedAgent>;

export const HostRequest = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('start'), id: z.number().int(), shared: SharedAgentSettings, agents: z.array(HostedAgent) }),
  z.strictObject({ type: z.literal('setOnline'), id: z.number().int(), clusterId: z.string().min(1), online: z.boolean() }),
  z.strictObject({ type: z.literal('stats'), id: z.number().int() }),
  z.strictObject({ type: z.literal('stop'), id: z.number().int() }),
]);
export type HostRequest = z.infer<typeof HostRequest>;

export const HostStats = z.strictObject({
  pid: z.number().int(),
  agents: z.number().int(),
  online: z.number().int(),
  rssBytes: z.number(),
  /** CPU time used since the host started, user plus system. */
  cpuMs: z.number(),
});
export type HostStats = z.infer<typeof HostStats>;

export const HostReply = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('done'), id: z.number().int(), stats: HostStats.optional() }),
  z.strictObject({ type: z.literal('failed'), id: z.number().int(), message: z.string() }),
]);
export type HostReply = z.infer<typeof HostReply>;
