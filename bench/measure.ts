import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

export async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: Math.round((performance.now() - start) * 10) / 10, value };
}

/** The median of `runs` timings, to damp the noise of a shared 2-core machine. */
export async function medianMs(runs: number, run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(run)).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export const execFileAsync = promisify(execFile);

export async function hasCommand(command: string): Promise<boolean> {
  try {
    await execFileAsync(command, ['version', '--client'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

export const ratio = (ours: number, theirs: number): number => Math.round((ours / theirs) * 100) / 100;

/** An executable on PATH or in one of `extraDirs` (daemons live in /usr/sbin, often not on PATH). */
export function findProgram(name: string, extraDirs: string[] = []): { path: string } | undefined {
  for (const dir of [...(process.env['PATH'] ?? '').split(delimiter), ...extraDirs]) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return { path: candidate };
    } catch {
      // Not here; keep looking.
    }
  }
  return undefined;
}
