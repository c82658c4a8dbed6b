import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../agent/src/core/kube-object.js';
import { parseFieldSelector } from './field-selector.js';

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop' }, status: { phase: 'Running' } };

function matches(selector: string): boolean {
  const parsed = parseFieldSelector(selector);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.matches(pod);
}

describe('parseFieldSelector', () => {
  it('compares dotted paths with =, == and !=', () => {
    expect(matches('metadata.name=web-1,metadata.namespace==shop')).toBe(true);
    expect(matches('status.phase!=Running')).toBe(false);
    expect(matches('spec.nodeName=')).toBe(true);
    expect(matches('')).toBe(true);
  });

  it('rejects what is not a selector', () => {
    expect(parseFieldSelector('metadata.name').ok).toBe(false);
    expect(parseFieldSelector('=x').ok).toBe(false);
    expect(parseFieldSelector('a..b=x').ok).toBe(false);
  });
});
