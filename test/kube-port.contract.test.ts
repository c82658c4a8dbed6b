import { MemoryKube } from '../agent/src/adapters/memory-kube/index.js';
import { httpKubeFromUrl } from '../agent/src/adapters/http-kube.js';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import { describeKubeContract } from './kube-contract.js';

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
