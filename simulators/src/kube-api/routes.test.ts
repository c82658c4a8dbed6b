import { describe, expect, it } from 'vitest';
import { parseRoute, splitCluster } from './routes.js';

describe('splitCluster', () => {
  it('addresses the default cluster unless a /clusters/{id} prefix is given', () => {
    expect(splitCluster('/api/v1')).toEqual({ clusterId: 'default', path: '/api/v1' });
    expect(splitCluster('/clusters/store-7/apis')).toEqual({ clusterId: 'store-7', path: '/apis' });
    expect(splitCluster('/clusters/store-7')).toEqual({ clusterId: 'store-7', path: '/' });
  });
});

describe('parseRoute', () => {
  it.each([
    ['/version', { type: 'version' }],
    ['/api', { type: 'apiVersions' }],
    ['/apis', { type: 'groupList' }],
    ['/api/v1', { type: 'resourceList', group: '', version: 'v1' }],
    ['/apis/apps/v1', { type: 'resourceList', group: 'apps', version: 'v1' }],
    ['/openapi/v3', { type: 'openapi' }],
    ['/api/v1/namespaces', { type: 'resource', group: '', version: 'v1', plural: 'namespaces' }],
    ['/api/v1/namespaces/shop', { type: 'resource', group: '', version: 'v1', plural: 'namespaces', name: 'shop' }],
    ['/api/v1/namespaces/shop/status', { type: 'resource', group: '', version: 'v1', plural: 'namespaces', name: 'shop', subresource: 'status' }],
    ['/api/v1/namespaces/shop/configmaps', { type: 'resource', group: '', version: 'v1', plural: 'configmaps', namespace: 'shop' }],
    ['/apis/apps/v1/deployments', { type: 'resource', group: 'apps', version: 'v1', plural: 'deployments' }],
    [
      '/apis/apps/v1/namespaces/shop/deployments/web/scale',
      { type: 'resource', group: 'apps', version: 'v1', plural: 'deployments', namespace: 'shop', name: 'web', subresource: 'scale' },
    ],
    ['/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Aadmin', { type: 'resource', group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', name: 'system:admin' }],
    ['/apis/apps/v1/namespaces/shop/deployments/web/scale/extra', { type: 'unknown' }],
    ['/apis/apps', { type: 'unknown' }],
    ['/metrics', { type: 'unknown' }],
  ])('%s', (path, route) => {
    expect(parseRoute(path)).toEqual(route);
  });
});
