/** Finding kubectl and running it with no configuration of the person running the tests. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function findKubectl(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; keep looking.
    }
  }
  return undefined;
}

/** An environment with an empty kubeconfig and its own HOME. */
export const kubectlEnv = (home: string): NodeJS.ProcessEnv => ({ PATH: process.env['PATH'] ?? '', HOME: home, KUBECONFIG: join(home, 'none') });
