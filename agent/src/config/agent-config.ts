import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { loadConfigFile } from '../../../shared/src/config.js';
import { FleetError } from '../../../shared/src/errors.js';
import { ClusterId } from '../../../shared/src/protocol/protocol.js';
import { DEFAULT_TREE_LIMITS } from '../../../shared/src/git/tree-policy.js';

/** Secrets are never written in the config itself: they come from files or the environment. */
const SecretFile = z.string().min(1);

export const AgentConfig = z.strictObject({
  clusterId: ClusterId,
  /** Labels of this cluster, for `fleet.yaml` target selectors and `${cluster.labels.KEY}`. */
  labels: z.record(z.string(), z.string()).default({}),
  /**
   * `directed` (the default with a hub) runs only the revisions named by signed hub directives;
   * `track` follows the head of `source.branch` (dev clusters, no hub).
   */
  mode: z.enum(['track', 'directed']).optional(),
  source: z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    branch: z.string().min(1).default('main'),
    /** Folder of the repository holding this cluster's manifests; '' for the root. */
    path: z.string().default(''),
    auth: z
      .union([
        z.strictObject({ username: z.string().min(1), passwordFile: SecretFile }),
        z.strictObject({ tokenFile: SecretFile }),
      ])
      .optional(),
    timeoutSeconds: z.number().positive().default(60),
    /** Limit for opening a connection to the Git server. */
    connectTimeoutSeconds: z.number().positive().default(10),
    /** What a revision may hold; a tree over a limit is refused before anything is written. */
    limits: z
      .strictObject({
        maxFileBytes: z.number().int().positive().default(DEFAULT_TREE_LIMITS.maxFileBytes),
        maxFiles: z.number().int().positive().default(DEFAULT_TREE_LIMITS.maxFiles),
        maxTotalBytes: z.number().int().positive().default(DEFAULT_TREE_LIMITS.maxTotalBytes),
      })
      .prefault({}),
    /** Opt-in: accept only commits signed by one of these keys (files of armored OpenPGP or OpenSSH public keys). */
    verifyCommits: z
      .strictObject({
        openpgpKeyFiles: z.array(z.string().min(1)).default([]),
        sshKeyFiles: z.array(z.string().min(1)).default([]),
      })
      .refine((keys) => keys.openpgpKeyFiles.length + keys.sshKeyFiles.length > 0, 'name at least one key file')
      .optional(),
  }),
  cache: z
    .strictObject({
      /** Revisions kept besides the applied and the desired one. */
      keepRevisions: z.number().int().min(1).default(3),
    })
    .prefault({}),
  kubernetes: z
    .strictObject({
      /** API server URL without credentials (simulators, local proxies). */
      server: z.url().optional(),
      /** A kubeconfig file; without `server` or `kubeconfig`, KUBECONFIG or the in-cluster account is used. */
      kubeconfig: z.string().optional(),
      /** Requests per second the agent may send to the API server, and the burst above it. */
      ratePerSecond: z.number().positive().default(200),
      burst: z.number().int().positive().default(500),
      /** Objects applied at once. */
      concurrency: z.number().int().min(1).max(64).default(8),
    })
    .prefault({}),
  drift: z
    .strictObject({
      /** `remediate` re-applies hand edits; `alert` only reports them. Objects override it with the annotation edge-fleet.dev/drift. */
      policy: z.enum(['remediate', 'alert']).default('remediate'),
      /** How often live objects are compared with the applied revision, between fetches too. */
      intervalSeconds: z.number().positive().default(60),
    })
    .prefault({}),
  prune: z
    .strictObject({
      /** The largest share of the inventory one reconcile may delete. */
      maxShare: z.number().min(0).max(1).default(0.5),
    })
    .prefault({}),
  health: z
    .strictObject({
      /** How long applied objects may take to become ready before the revision counts as Degraded. */
      deadlineSeconds: z.number().positive().default(300),
    })
    .prefault({}),
  hub: z
    .strictObject({
      url: z.url({ protocol: /^mqtts?$/ }),
      /** File holding this cluster's token; the env variable FLEET_AGENT_TOKEN may be used instead. */
      tokenFile: SecretFile.optional(),
      /** Hub public keys (PEM files) whose directives are trusted; several during a key rotation. */
      trustedKeyFiles: z.array(z.string().min(1)).default([]),
    })
    .optional(),
  /** Where the agent keeps its SQLite file and Git cache. */
  dataDir: z.string().default('agent-data'),
  intervalSeconds: z.number().positive().default(30),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

export type GitCredentials = { username: string; password: string } | { token: string };

/** The config with relative paths resolved and secrets read: what the agent is built from. */
export interface AgentSettings extends Omit<AgentConfig, 'hub' | 'mode'> {
  mode: 'track' | 'directed';
  gitCredentials?: GitCredentials;
  hub?: { url: string; token: string };
  /** PEM text of the hub keys trusted for directives (directed mode). */
  trustedHubKeys?: string[];
  /** The trusted keys' text, read from `source.verifyCommits`. */
  trustedSigners?: { openpgpPublicKeys: string[]; sshPublicKeys: string[] };
}

export function loadAgentSettings(file: string, env: NodeJS.ProcessEnv = process.env): AgentSettings {
  return resolveAgentSettings(loadConfigFile(AgentConfig, file), dirname(file), env);
}

/** Resolves a parsed config's relative paths against `base` and reads the secrets and keys it names. */
export function resolveAgentSettings(config: AgentConfig, base: string, env: NodeJS.ProcessEnv = process.env): AgentSettings {
  const path = (p: string) => resolve(base, p);
  const { hub, source, mode = hub ? 'directed' : 'track', ...rest } = config;
  const settings: AgentSettings = {
    ...rest,
    mode,
    source,
    dataDir: path(config.dataDir),
    kubernetes: { ...config.kubernetes, ...(config.kubernetes.kubeconfig ? { kubeconfig: path(config.kubernetes.kubeconfig) } : {}) },
  };
  const gitCredentials = source.auth
    ? 'tokenFile' in source.auth
      ? { token: readSecret(path(source.auth.tokenFile), 'source.auth.tokenFile') }
      : { username: source.auth.username, password: readSecret(path(source.auth.passwordFile), 'source.auth.passwordFile') }
    : gitCredentialsFromEnv(env);
  if (gitCredentials) settings.gitCredentials = gitCredentials;
  if (source.verifyCommits) {
    const { openpgpKeyFiles, sshKeyFiles } = source.verifyCommits;
    settings.trustedSigners = {
      openpgpPublicKeys: openpgpKeyFiles.map((f) => readSecret(path(f), 'source.verifyCommits.openpgpKeyFiles')),
      // An OpenSSH key file may hold several keys, one per line.
      sshPublicKeys: sshKeyFiles.flatMap((f) =>
        readSecret(path(f), 'source.verifyCommits.sshKeyFiles').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#')),
      ),
    };
  }
  if (hub) {
    const token = hub.tokenFile ? readSecret(path(hub.tokenFile), 'hub.tokenFile') : env['FLEET_AGENT_TOKEN'];
    if (!token) throw new FleetError('validation', 'hub is configured but no token: set hub.tokenFile or FLEET_AGENT_TOKEN');
    settings.hub = { url: hub.url, token };
  }
  if (mode === 'directed') {
    if (!hub) throw new FleetError('validation', 'mode directed takes its revisions from a hub: configure hub, or use mode track');
    if (hub.trustedKeyFiles.length === 0) {
      throw new FleetError('validation', 'mode directed needs hub.trustedKeyFiles: the hub public keys (from `hub keygen`) whose directives to accept');
    }
    settings.trustedHubKeys = hub.trustedKeyFiles.map((f) => readSecret(path(f), 'hub.trustedKeyFiles'));
  }
  return settings;
}

/** `FLEET_GIT_TOKEN`, or `FLEET_GIT_USERNAME` with `FLEET_GIT_PASSWORD`, when the file names none. */
function gitCredentialsFromEnv(env: NodeJS.ProcessEnv): GitCredentials | undefined {
  const token = env['FLEET_GIT_TOKEN'];
  if (token) return { token };
  const username = env['FLEET_GIT_USERNAME'];
  const password = env['FLEET_GIT_PASSWORD'];
  if (username && password) return { username, password };
  return undefined;
}

function readSecret(file: string, field: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (cause) {
    throw new FleetError('validation', `cannot read ${field} (${file})`, { cause });
  }
}
