/**
 * `npm run bench -- [name ...]`: benchmarks that print figures and, where a peer exists on the
 * machine, the ratio against it in the same run. Each ends with a line `BENCH {json}`.
 */
import { applyBench } from './apply.js';
import { ingestBench } from './ingest.js';
import { renderBench } from './render.js';
import { rolloutBench } from './rollout.js';
import { sourceBench } from './source.js';

const benches: Record<string, () => Promise<Record<string, number>>> = {
  apply: applyBench,
  source: sourceBench,
  render: renderBench,
  ingest: ingestBench,
  rollout: rolloutBench,
};

const names = process.argv.slice(2);
for (const name of names.length > 0 ? names : Object.keys(benches)) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown bench "${name}"; choose from: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== ${name} ==`);
  const figures = await bench();
  console.log(`BENCH ${JSON.stringify({ bench: name, ...figures })}`);
}
