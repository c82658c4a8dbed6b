import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

/** Builds dist/ (as `npm run build` does) and returns the path of a binary's entry point, run with plain node as shipped. */
export function builtBinary(entry: 'agent/src/main.js' | 'hub/src/main.js' | 'hub/src/fleetctl/main.js' | 'simulators/src/main.js'): string {
  execFileSync(process.execPath, [join(ROOT, 'deploy/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  return join(ROOT, 'dist', entry);
}
