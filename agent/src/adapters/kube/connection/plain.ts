import http from 'node:http';
import https from 'node:https';
import { FleetError } from '../../../../../shared/src/errors.js';
import type { KubeConnection } from './connection.js';

/**
 * A server URL without credentials: the simulator, or a local proxy such as `kubectl proxy` that
 * adds them itself. An `https:` URL is checked against the system's trusted CAs.
 */
export function plainConnection(url: string): KubeConnection {
  let server: URL;
  try {
    server = new URL(url.replace(/\/+$/, ''));
  } catch (error) {
    throw new FleetError('validation', `the Kubernetes server ${JSON.stringify(url)} is not a URL; give one such as http://127.0.0.1:8001`, { cause: error });
  }
  if (server.protocol !== 'http:' && server.protocol !== 'https:') {
    throw new FleetError('validation', `the Kubernetes server ${JSON.stringify(url)} must be an http: or https: URL`);
  }
  const agent = server.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  return {
    server,
    description: `${server.origin}${server.pathname === '/' ? '' : server.pathname} without credentials`,
    decorate(options) {
      options.agent = agent;
      return Promise.resolve();
    },
    close() {
      agent.destroy();
    },
  };
}
