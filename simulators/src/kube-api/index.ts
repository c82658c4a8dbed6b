export { startKubeApiServer } from './server.js';
export type { KubeApiServer, KubeApiServerOptions } from './server.js';
