import { describe, expect, it } from 'vitest';
import { Ack, MAX_PAYLOAD_BYTES, Presence, Report, parsePayload } from './protocol.js';

const status = {
  appliedRevision: 'c'.repeat(40),
  desiredRevision: 'c'.repeat(40),
  health: 'Unknown',
  conditions: [],
  objectCount: 3,
};

describe('protocol v1', () => {
  it('accepts a well-formed report', () => {
    const report = { v: 1, clusterId: 'store-1', records: [{ seq: 1, kind: 'status', at: '2026-11-22T10:00:00Z', status }] };
    expect(parsePayload(Report, JSON.stringify(report))).toEqual({ ok: true, value: report });
  });

  it('refuses records out of order, unknown fields and the wrong version', () => {
    const record = (seq: number) => ({ seq, kind: 'status', at: '2026-11-22T10:00:00Z', status });
    const cases = [
      { v: 1, clusterId: 'store-1', records: [record(2), record(2)] },
      { v: 1, clusterId: 'store-1', records: [record(1)], extra: true },
      { v: 2, clusterId: 'store-1', records: [record(1)] },
      { v: 1, clusterId: 'Store_1', records: [record(1)] },
      { v: 1, clusterId: 'store-1', records: [] },
    ];
    for (const payload of cases) {
      expect(parsePayload(Report, JSON.stringify(payload)).ok, JSON.stringify(payload)).toBe(false);
    }
  });

  it('explains what is wrong without throwing', () => {
    const result = parsePayload(Presence, '{"v":1,"clusterId":"a","state":"dancing","agentVersion":"1"}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/state/);
    expect(parsePayload(Ack, 'not json')).toMatchObject({ ok: false, error: expect.stringMatching(/not JSON/) });
    // Well-formed but for one invalid UTF-8 sequence in a string.
    const invalidUtf8 = Buffer.concat([Buffer.from('{"v":1,"clusterId":"a","state":"online","agentVersion":"1'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(parsePayload(Presence, invalidUtf8)).toMatchObject({ ok: false, error: expect.stringMatching(/UTF-8/) });
    expect(parsePayload(Ack, 'x'.repeat(MAX_PAYLOAD_BYTES + 1))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/exceeds/),
    });
  });
});
