import { describe, expect, it } from 'vitest';
import { parseClusterTopic, topics } from './topics.js';

describe('topics', () => {
  it('builds and parses every cluster channel', () => {
    for (const build of [topics.presence, topics.report, topics.ack, topics.directive]) {
      const topic = build('store-17');
      expect(parseClusterTopic(topic)?.clusterId).toBe('store-17');
    }
    expect(parseClusterTopic(topics.report('a'))).toEqual({ clusterId: 'a', channel: 'report' });
  });

  it('rejects wildcards, other prefixes and unknown channels', () => {
    for (const topic of [
      topics.allClusters('report'),
      'fleet/v1/c/#',
      'fleet/v2/c/a/report',
      'fleet/v1/c/a/other',
      'fleet/v1/c/a/report/extra',
      '$SYS/broker/uptime',
    ]) {
      expect(parseClusterTopic(topic), topic).toBeUndefined();
    }
  });
});
