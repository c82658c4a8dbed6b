import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpKube, httpKubeFromUrl } from '../agent/src/adapters/kube/http-kube.js';
import { kubeconfigConnection } from '../agent/src/adapters/kube/kube-connection.js';
import { MemoryKube } from '../simulators/src/memory-kube/index.js';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import { describeKubeContract } from './kube-contract.js';
import { makeTempDir } from './support/temp-dir.js';

describeKubeContract('MemoryKube', async () => ({ kube: new MemoryKube(), teardown: async () => {} }));

describeKubeContract('HttpKube → simulated API over HTTP', async () => {
  const server = await startKubeApiServer();
  // A named cluster rather than the default one, so the /clusters/{id} prefix is exercised too.
  const kube = httpKubeFromUrl(server.clusterUrl('store-1'));
  return {
    kube,
    teardown: async () => {
      kube.close();
      await server.close();
    },
  };
});

describeKubeContract('HttpKube → simulated API through a kubeconfig (client-node)', async () => {
  const server = await startKubeApiServer();
  const temp = makeTempDir('kube-contract');
  const file = join(temp.dir, 'kubeconfig');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'sim', cluster: { server: server.clusterUrl('store-2') } }],
      users: [{ name: 'agent', user: { token: 'unchecked-by-the-simulator' } }],
      contexts: [{ name: 'sim', context: { cluster: 'sim', user: 'agent' } }],
      'current-context': 'sim',
    }),
  );
  const kube = new HttpKube(await kubeconfigConnection(file));
  return {
    kube,
    teardown: async () => {
      kube.close();
      await server.close();
      temp.remove();
    },
  };
});
