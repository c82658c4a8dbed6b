import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.js';

describe('SseParser', () => {
  it('joins events split across chunks and skips comments', () => {
    const parser = new SseParser();
    expect(parser.push(': connected\n\nevent: rollout\nda')).toEqual([]);
    expect(parser.push('ta: {"id":"r-1"}\n\n: keepalive\n\nevent: cluster\r\ndata: a\r\ndata: b\r\n\r\n')).toEqual([
      { event: 'rollout', data: '{"id":"r-1"}' },
      { event: 'cluster', data: 'a\nb' },
    ]);
    expect(parser.push('data: plain\n\n')).toEqual([{ event: 'message', data: 'plain' }]);
  });
});
