/**
 * Regenerates `expected.yaml` of every conformance case (or of the cases named as arguments)
 * from `kubectl kustomize`, the oracle. Run: npx tsx test/kustomize/update-goldens.ts [case...]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectlKustomize, listCases } from './case-tree.js';

const wanted = new Set(process.argv.slice(2));
let failed = 0;
for (const testCase of listCases()) {
  if (wanted.size > 0 && !wanted.has(testCase.name)) continue;
  try {
    writeFileSync(join(testCase.root, 'expected.yaml'), kubectlKustomize(testCase));
    process.stdout.write(`updated ${testCase.name}\n`);
  } catch (error) {
    failed++;
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    process.stderr.write(`kubectl failed for ${testCase.name}: ${stderr.trim()}\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
