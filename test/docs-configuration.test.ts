/**
 * docs/configuration.md documents exactly the keys of the config schemas: every setting of the
 * agent's and the hub's schema has a row in that binary's section, and no row names a key the
 * schema lacks. A key added, renamed or removed in a schema fails here until the page follows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AgentConfig } from '../agent/src/config/agent-config.js';
import { HubConfig } from '../hub/src/config/hub-config.js';
import { compareKeys, describeMismatch, documentedKeys } from './support/documented-keys.js';
import { schemaKeys } from './support/schema-keys.js';

const PAGE = 'docs/configuration.md';
const page = readFileSync(join(import.meta.dirname, '..', PAGE), 'utf8');

const BINARIES = [
  { title: 'Agent', schema: AgentConfig, name: 'AgentConfig', file: 'agent/src/config/agent-config.ts' },
  { title: 'Hub', schema: HubConfig, name: 'HubConfig', file: 'hub/src/config/hub-config.ts' },
];

describe(PAGE, () => {
  for (const { title, schema, name, file } of BINARIES) {
    it(`the ${title} section documents every key of ${name} and no other`, () => {
      const parsed = documentedKeys(page, title);
      const comparison = { where: `${PAGE}, section "## ${title}"`, schema: name, file };
      expect(describeMismatch(comparison, parsed, compareKeys(schemaKeys(schema), parsed.keys))).toBe('');
      expect(parsed.keys.length).toBeGreaterThan(0);
    });
  }
});

describe('schemaKeys', () => {
  it('walks nested objects through optionals, defaults, refinements, unions, lists and maps', () => {
    const schema = z.strictObject({
      name: z.string(),
      labels: z.record(z.string(), z.string()).default({}),
      tls: z.strictObject({ certFile: z.string(), port: z.number().default(8883) }).refine(() => true).optional(),
      auth: z.union([z.strictObject({ tokenFile: z.string() }), z.strictObject({ username: z.string(), passwordFile: z.string() })]).optional(),
      sources: z.array(z.strictObject({ url: z.url(), limits: z.strictObject({ maxFiles: z.number().default(10) }).prefault({}) })).default([]),
      peers: z.record(z.string(), z.strictObject({ url: z.string() })),
      tags: z.array(z.string()),
      level: z.union([z.literal('all'), z.strictObject({ min: z.number() })]),
      size: z.string().transform((text) => text.length),
      both: z.intersection(z.strictObject({ a: z.string() }), z.strictObject({ b: z.string() })),
    });
    const keys = schemaKeys(schema);
    expect(keys.filter((key) => !key.section).map((key) => key.path)).toEqual([
      'name',
      'labels',
      'tls.certFile',
      'tls.port',
      'auth.tokenFile',
      'auth.username',
      'auth.passwordFile',
      'sources[].url',
      'sources[].limits.maxFiles',
      'peers.*.url',
      'tags',
      'level',
      'level.min',
      'size',
      'both.a',
      'both.b',
    ]);
    expect(keys.filter((key) => key.section).map((key) => key.path)).toEqual(['tls', 'auth', 'sources', 'sources[].limits', 'peers', 'both']);
  });

  it('stops where a recursive schema comes back to itself', () => {
    interface Tree { name: string; children: Tree[] }
    const Tree: z.ZodType<Tree> = z.lazy(() => z.strictObject({ name: z.string(), children: z.array(Tree) }));
    expect(schemaKeys(z.strictObject({ root: Tree })).map((key) => key.path)).toEqual([
      'root',
      'root.name',
      'root.children',
    ]);
  });
});

describe('the page check', () => {
  const comparison = { where: 'page', schema: 'Schema', file: 'schema.ts' };
  const schema = schemaKeys(z.strictObject({ hub: z.strictObject({ url: z.string(), tokenFile: z.string() }).optional(), dataDir: z.string() }));
  const doc = (rows: string) => `# Config\n\n## Agent (example)\n\n| key | default | |\n|---|---|---|\n${rows}\n## Hub\n\n| \`other\` | | |\n`;

  it('passes a section with a row per setting, a section row allowed', () => {
    const parsed = documentedKeys(doc('| `hub` | off | |\n| `hub.url` | — | |\n| `hub.tokenFile` | — | `a \\| b` |\n| `dataDir` | `data` | |'), 'Agent');
    expect(parsed).toEqual({ keys: ['hub', 'hub.url', 'hub.tokenFile', 'dataDir'], problems: [] });
    expect(describeMismatch(comparison, parsed, compareKeys(schema, parsed.keys))).toBe('');
  });

  it('names the missing setting, the unknown key, the repeated row and the malformed row', () => {
    const parsed = documentedKeys(doc('| `hub.url` | | |\n| `hub.url` | | |\n| `hub.token` | | |\n| `dataDir`, `x` | | |'), 'Agent');
    const report = describeMismatch(comparison, parsed, compareKeys(schema, parsed.keys));
    expect(report).toBe(
      [
        'page does not match Schema in schema.ts:',
        '  fix these rows:',
        '    line 10: the first column must be one key in backticks, not `dataDir`, `x`',
        '  add a row for each of these keys (Schema has them, the page does not):',
        '    | `hub.tokenFile` | type | default | what it does |',
        '    | `dataDir` | type | default | what it does |',
        '  remove these rows, or correct their key (Schema has no such key):',
        '    `hub.token`',
        '  keep one row for each of these keys, documented more than once:',
        '    `hub.url`',
      ].join('\n'),
    );
  });

  it('says when the section is missing', () => {
    const parsed = documentedKeys('# Config\n', 'Agent');
    expect(describeMismatch(comparison, parsed, compareKeys(schema, parsed.keys))).toContain('there is no "## Agent" section');
  });
});
