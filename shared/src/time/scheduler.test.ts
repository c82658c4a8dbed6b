import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { Scheduler } from './scheduler.js';

/** Lets promise continuations run; no time passes on the manual clock. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(random?: () => number) {
  const clock = new ManualClock(0);
  const errors: [unknown, string][] = [];
  const scheduler = new Scheduler(clock, { onError: (error, job) => errors.push([error, job]), ...(random ? { random } : {}) });
  return { clock, errors, scheduler };
}

describe('Scheduler.every', () => {
  it('runs at once, then an interval after each run settles, never two runs at a time', async () => {
    const { clock, scheduler } = setup();
    const runs: ReturnType<typeof deferred>[] = [];
    scheduler.every('loop', { intervalMs: 1000 }, () => {
      const run = deferred();
      runs.push(run);
      return run.promise;
    });
    expect(runs).toHaveLength(1);
    // The first run is still going: however long, no second one starts.
    clock.advance(10_000);
    await settle();
    expect(runs).toHaveLength(1);
    runs[0]!.resolve();
    await settle();
    clock.advance(999);
    expect(runs).toHaveLength(1);
    clock.advance(1);
    expect(runs).toHaveLength(2);
    runs[1]!.resolve();
    await scheduler.stop();
  });

  it('waits before the first run when asked to', () => {
    const { clock, scheduler } = setup();
    let runs = 0;
    scheduler.every('drift', { intervalMs: 500, firstAfterMs: 500 }, () => void runs++);
    expect(runs).toBe(0);
    clock.advance(500);
    expect(runs).toBe(1);
  });

  it.each([
    [0, 900],
    [0.5, 1000],
    [0.999_999, 1100],
  ])('with 10 %% jitter and a random draw of %s, waits %s ms', async (draw, waitMs) => {
    const { clock, scheduler } = setup(() => draw);
    let runs = 0;
    scheduler.every('loop', { intervalMs: 1000, jitter: 0.1 }, () => void runs++);
    await settle();
    clock.advance(waitMs - 1);
    expect(runs).toBe(1);
    clock.advance(1);
    expect(runs).toBe(2);
  });

  it('reports what a run throws or rejects with, and goes on', async () => {
    const { clock, errors, scheduler } = setup();
    let runs = 0;
    scheduler.every('loop', { intervalMs: 100 }, () => {
      runs += 1;
      if (runs === 1) throw new Error('thrown');
      if (runs === 2) return Promise.reject(new Error('rejected'));
      return undefined;
    });
    for (let i = 0; i < 2; i++) {
      await settle();
      clock.advance(100);
    }
    await settle();
    expect(runs).toBe(3);
    expect(errors.map(([error, job]) => [(error as Error).message, job])).toEqual([
      ['thrown', 'loop'],
      ['rejected', 'loop'],
    ]);
  });
});

describe('Scheduler.stop', () => {
  it('resolves only once the run in progress has settled, and starts nothing after', async () => {
    const { clock, scheduler } = setup();
    const run = deferred();
    let runs = 0;
    scheduler.every('loop', { intervalMs: 100 }, () => {
      runs += 1;
      return run.promise;
    });
    scheduler.every('later', { intervalMs: 100, firstAfterMs: 50 }, () => void runs++);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    run.resolve();
    await stopping;
    expect(clock.pending()).toBe(0);
    clock.advance(10_000);
    scheduler.every('after stop', { intervalMs: 100 }, () => void runs++);
    scheduler.onDemand('after stop', () => void runs++).soon();
    clock.advance(10_000);
    expect(runs).toBe(1);
  });
});

describe('Scheduler.onDemand', () => {
  it('runs once for calls made before the run starts, and again for a call made during it', async () => {
    const { clock, scheduler } = setup();
    const runs: ReturnType<typeof deferred>[] = [];
    const check = scheduler.onDemand('check', () => {
      const run = deferred();
      runs.push(run);
      return run.promise;
    });
    check.soon(1000);
    clock.advance(500);
    check.soon(1000); // joins the run due at 1000, not pushed back
    check.soon(1000);
    clock.advance(499);
    expect(runs).toHaveLength(0);
    clock.advance(1);
    await settle();
    expect(runs).toHaveLength(1);
    // A change during the run gets a run of its own, which waits for this one to end.
    check.soon(10);
    clock.advance(10);
    await settle();
    expect(runs).toHaveLength(1);
    runs[0]!.resolve();
    await settle();
    expect(runs).toHaveLength(2);
    runs[1]!.resolve();
    await scheduler.stop();
  });

  it('reports errors and runs again when asked', async () => {
    const { clock, errors, scheduler } = setup();
    let runs = 0;
    const check = scheduler.onDemand('check', () => {
      runs += 1;
      throw new Error(`run ${runs}`);
    });
    check.soon();
    clock.advance(0);
    await settle();
    check.soon(5);
    clock.advance(5);
    await settle();
    expect(errors.map(([error, job]) => [(error as Error).message, job])).toEqual([
      ['run 1', 'check'],
      ['run 2', 'check'],
    ]);
  });
});

describe('on the system clock', () => {
  const run = promisify(execFile);
  const scheduler = fileURLToPath(new URL('./scheduler.ts', import.meta.url));
  const clock = fileURLToPath(new URL('./clock.ts', import.meta.url));
  // A process whose only pending work is the loop's next timer.
  const script = `
    import { Scheduler } from ${JSON.stringify(scheduler)};
    import { backgroundClock, systemClock } from ${JSON.stringify(clock)};
    const clock = process.argv[1] === 'background' ? backgroundClock : systemClock;
    const scheduler = new Scheduler(clock, { onError: (error) => { console.error(error); process.exitCode = 1; } });
    let runs = 0;
    scheduler.every('loop', { intervalMs: 5 }, () => {
      runs += 1;
      console.log('run', runs);
      if (runs === 3) void scheduler.stop();
    });`;
  const loopIn = (clockName: string) =>
    run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, clockName], { timeout: 20_000 }).then(({ stdout }) => stdout.trim().split('\n'));

  it('keeps the process alive between runs (an agent with nothing else open)', { timeout: 30_000 }, async () => {
    expect(await loopIn('system')).toEqual(['run 1', 'run 2', 'run 3']);
  });

  it('lets the process end between runs on the background clock (the simulators)', { timeout: 30_000 }, async () => {
    expect(await loopIn('background')).toEqual(['run 1']);
  });
});
