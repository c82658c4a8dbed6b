import { describe, expect, it } from 'vitest';
import { topics } from '../../../shared/src/protocol/topics.js';
import { mayPublish, maySubscribe } from './topic-acl.js';

describe('topic ACL', () => {
  it.each([
    [topics.report('a'), false, true],
    [topics.presence('a'), true, true],
    [topics.report('a'), true, false],
    [topics.report('b'), false, false],
    [topics.ack('a'), false, false],
    [topics.directive('a'), true, false],
    ['fleet/v1/c/+/report', false, false],
    ['$SYS/x', false, false],
  ])('publish %s retain=%s → %s', (topic, retain, allowed) => {
    expect(mayPublish('a', topic, retain).allowed).toBe(allowed);
  });

  it.each([
    [topics.ack('a'), true],
    [topics.directive('a'), true],
    [topics.ack('b'), false],
    [topics.report('a'), false],
    [topics.allClusters('directive'), false],
    ['fleet/v1/c/a/#', false],
    ['#', false],
    ['$SYS/#', false],
  ])('subscribe %s → %s', (filter, allowed) => {
    expect(maySubscribe('a', filter).allowed).toBe(allowed);
  });
});
