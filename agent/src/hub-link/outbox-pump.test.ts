import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES, MAX_RECORDS_PER_REPORT } from '../../../shared/src/protocol/protocol.js';
import type { ReportRecord } from '../../../shared/src/protocol/protocol.js';
import { fittingReport } from './outbox-pump.js';

const event = (seq: number, size: number): ReportRecord => ({
  seq,
  kind: 'event',
  at: '2026-11-22T10:00:00.000Z',
  event: { reason: 'DriftRemediated', message: 'x'.repeat(size), severity: 'warning' },
});

describe('fittingReport', () => {
  it('sends a full page of small records as one report', () => {
    const records = Array.from({ length: MAX_RECORDS_PER_REPORT }, (_, i) => event(i + 1, 100));
    expect(fittingReport('store-1', records).records).toHaveLength(MAX_RECORDS_PER_REPORT);
  });

  it('sends the oldest records that fit the payload limit when a page of large ones would not', () => {
    const records = Array.from({ length: MAX_RECORDS_PER_REPORT }, (_, i) => event(i + 1, 4096));
    const report = fittingReport('store-1', records);
    expect(Buffer.byteLength(JSON.stringify(report))).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(report.records.length).toBeGreaterThan(10);
    expect(report.records).toEqual(records.slice(0, report.records.length));
  });
});
