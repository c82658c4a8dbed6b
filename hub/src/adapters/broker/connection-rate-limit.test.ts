import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../shared/src/time/clock.js';
import { ConnectionRateLimit } from './connection-rate-limit.js';

const limiter = (clock: ManualClock) =>
  new ConnectionRateLimit({ overall: { perSecond: 10, burst: 5 }, perAddress: { perSecond: 2, burst: 3 }, clock });
const admitted = (limit: ConnectionRateLimit, address: string, times: number) =>
  Array.from({ length: times }, () => limit.admit(address).admitted).filter(Boolean).length;

describe('ConnectionRateLimit', () => {
  it('allows a burst per address, then refills at the configured rate', () => {
    const clock = new ManualClock(0);
    const limit = limiter(clock);
    expect(admitted(limit, '10.0.0.1', 5)).toBe(3);
    expect(limit.admit('10.0.0.1')).toEqual({ admitted: false, reason: 'address' });
    clock.advance(500);
    expect(admitted(limit, '10.0.0.1', 5)).toBe(1);
  });

  it('caps all addresses together, and a refused address does not use up the shared budget', () => {
    const clock = new ManualClock(0);
    const limit = limiter(clock);
    expect(admitted(limit, '10.0.0.1', 10)).toBe(3);
    expect(admitted(limit, '10.0.0.2', 10)).toBe(2);
    expect(limit.admit('10.0.0.3')).toEqual({ admitted: false, reason: 'overall' });
    clock.advance(100);
    expect(admitted(limit, '10.0.0.3', 10)).toBe(1);
  });
});
