/**
 * The import rules of docs/architecture.md are lint rules: each case lints a source placed in one
 * room that reaches into a room it must not, and expects the rule to fire with its reason.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: ROOT });

async function lintAt(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId?.startsWith('import-x/')).map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['hub/src/probe.ts', "export { startAgent } from '../../agent/src/agent.js';", 'The hub never imports the agent'],
    ['agent/src/probe.ts', "export { startHub } from '../../hub/src/hub.js';", 'The agent never imports the hub'],
    ['shared/src/probe.ts', "export { startAgent } from '../../agent/src/agent.js';", 'shared/ is the common ground'],
    ['agent/src/adapters/probe.ts', "export { MemoryKube } from '../../../simulators/src/memory-kube/index.js';", 'Production code never imports simulators'],
    ['hub/src/probe.ts', "export { makeTempDir } from '../../test/support/temp-dir.js';", 'Production code never imports simulators, tests'],
    ['simulators/src/probe.ts', "export { makeTempDir } from '../../test/support/temp-dir.js';", 'The simulators are a product feature'],
    ['agent/src/core/apply/probe.ts', "export type { KubeClient } from '../../ports/kube.js';", 'core/ imports only shared/'],
    ['agent/src/core/render/kustomize/probe.ts', "export { Applier } from '../../../reconcile/applier.js';", 'core/ imports only shared/'],
    ['agent/src/core/probe.test.ts', "export { MemoryKube } from '../../../simulators/src/memory-kube/index.js';", 'core/ imports only shared/'],
    ['hub/src/core/probe.ts', "export type { FleetStore } from '../ports/fleet-store.js';", 'core/ imports only shared/'],
    ['agent/src/ports/probe.ts', "export { Applier } from '../reconcile/applier.js';", 'Ports are interfaces over core types'],
    ['hub/src/fleetctl/probe.ts', "export { buildHttpApi } from '../adapters/http-api/server.js';", 'fleetctl talks to the hub over HTTP'],
    ['hub/src/fleetctl/probe.ts', "export { startHub } from '../hub.js';", 'fleetctl talks to the hub over HTTP'],
  ])('%s: %s is refused', async (file, source, reason) => {
    const messages = await lintAt(file, source);
    expect(messages.join('\n')).toContain(reason);
  });

  it.each([
    ['agent/src/core/apply/probe.ts', "export { canonicalJson } from '../../../../shared/src/protocol/canonical-json.js';"],
    ['agent/src/core/apply/probe.ts', "export { refOf } from '../kube-object.js';"],
    ['hub/src/core/probe.ts', "export { summarizeFleet } from './fleet-summary.js';"],
    ['simulators/src/probe.ts', "export type { KubeClient } from '../../agent/src/ports/kube.js';"],
    ['agent/src/reconcile/probe.test.ts', "export { MemoryKube } from '../../../simulators/src/memory-kube/index.js';"],
    ['hub/src/fleetctl/probe.ts', "export { simulateRollout } from '../core/rollout/simulate.js';"],
    ['hub/src/fleetctl/probe.ts', "export { routes } from '../../../shared/src/api/routes.js';"],
  ])('%s: %s is allowed', async (file, source) => {
    expect(await lintAt(file, source)).toEqual([]);
  });

  it('refuses an import that does not resolve, which no boundary rule could check', async () => {
    const messages = await lintAt('agent/src/core/probe.ts', "export { nothing } from './no-such-module.js';");
    expect(messages.join('\n')).toMatch(/Unable to resolve path/);
  });
});
