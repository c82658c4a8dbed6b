/** The example configs shipped in deploy/ are valid: a user copying one starts from something that parses. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentConfig } from '../agent/src/config/agent-config.js';
import { HubConfig } from '../hub/src/config/hub-config.js';
import { loadConfigFile } from '../shared/src/config.js';

const deploy = join(import.meta.dirname, '../deploy');

describe('example configs', () => {
  it('agent.example.yaml is a directed agent with a hub and a trusted key', () => {
    const config = loadConfigFile(AgentConfig, join(deploy, 'agent.example.yaml'));
    expect(config).toMatchObject({ mode: 'directed', hub: { trustedKeyFiles: [expect.any(String)] } });
  });

  it('hub.example.yaml signs directives for the repository the agents pull', () => {
    const agent = loadConfigFile(AgentConfig, join(deploy, 'agent.example.yaml'));
    const hub = loadConfigFile(HubConfig, join(deploy, 'hub.example.yaml'));
    expect(hub.signing?.keyFile).toBeDefined();
    expect(hub.source).toEqual({ url: agent.source.url, branch: agent.source.branch, path: agent.source.path });
  });
});
