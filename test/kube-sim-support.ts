/** Finding kubectl and running it with no configuration of the person running the tests. */
import { join } from 'node:path';
import { findOnPath } from './support/on-path.js';

export const findKubectl = (): string | undefined => findOnPath('kubectl');

/** An environment with an empty kubeconfig and its own HOME. */
export const kubectlEnv = (home: string): NodeJS.ProcessEnv => ({ PATH: process.env['PATH'] ?? '', HOME: home, KUBECONFIG: join(home, 'none') });
