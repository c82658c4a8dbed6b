// Transpiles the binaries' TypeScript to plain ESM JavaScript under dist/, file by file (no
// bundling). The binaries ship and run this way: running through a TypeScript loader would add
// ~35 MB of resident memory to an agent that must stay under 100 MB. Only changed files are
// rewritten, each atomically, so binaries started side by side never read a half-written file.
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const roots = ['agent/src', 'hub/src', 'shared/src', 'simulators/src'];

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const unchanged = (path, contents) => {
  try {
    return readFileSync(path).equals(contents);
  } catch {
    return false;
  }
};

const result = await build({
  entryPoints: roots.flatMap(sources),
  outdir: 'dist',
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  write: false,
});
for (const file of result.outputFiles) {
  if (unchanged(file.path, file.contents)) continue;
  mkdirSync(dirname(file.path), { recursive: true });
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  renameSync(temporary, file.path);
}
