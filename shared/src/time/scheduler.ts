/**
 * Repeating and on-demand work on a Clock: the agent's fetch and drift loops and its
 * watch-triggered drift check, the hub's rollout ticks and its poll of the fleet branch. A job
 * never overlaps itself: the next run is scheduled only once the previous one has settled. What
 * a run throws goes to `onError` (the caller logs it) and the job goes on. `stop()` clears every
 * timer and resolves once the runs in progress have settled; nothing starts after it.
 *
 * Whether a waiting timer keeps the process alive is the clock's choice (`systemClock` does).
 */
import type { Clock } from './clock.js';

export interface SchedulerOptions {
  /** Called with what a run threw or rejected with, and the job's name. */
  onError(error: unknown, job: string): void;
  /** Uniform in [0, 1), for jitter; injected so tests can pin it. */
  random?: () => number;
}

export interface Repeat {
  /** Wait from the end of one run to the start of the next. */
  intervalMs: number;
  /** Share of the interval a wait may be shorter or longer by, at random: 0.1 waits 90–110 %. Default 0. */
  jitter?: number;
  /** Wait before the first run; without it the first run starts at once, before `every` returns. */
  firstAfterMs?: number;
}

/** A job that runs when asked. */
export interface OnDemand {
  /**
   * Runs the job once, `delayMs` (default 0) from now. Calls made before that run starts join it;
   * if the previous run is still going when the time comes, the run starts right after it.
   */
  soon(delayMs?: number): void;
}

export class Scheduler {
  private stopped = false;
  private readonly timers = new Set<unknown>();
  private readonly running = new Set<Promise<void>>();
  private readonly random: () => number;

  constructor(
    private readonly clock: Clock,
    private readonly options: SchedulerOptions,
  ) {
    this.random = options.random ?? Math.random;
  }

  /** Runs `work` now (or after `firstAfterMs`), then again `intervalMs` (± jitter) after each run settles. */
  every(job: string, repeat: Repeat, work: () => unknown): void {
    const jitter = Math.min(1, Math.max(0, repeat.jitter ?? 0));
    const wait = () => Math.round(repeat.intervalMs * (1 + jitter * (2 * this.random() - 1)));
    const cycle = (): void => {
      if (!this.stopped) void this.run(job, work).then(() => this.after(wait(), cycle));
    };
    if (repeat.firstAfterMs === undefined) cycle();
    else this.after(repeat.firstAfterMs, cycle);
  }

  /** A job run by `soon()`, e.g. a check shortly after a burst of change notices. */
  onDemand(job: string, work: () => unknown): OnDemand {
    let waiting = false;
    let previous: Promise<void> = Promise.resolve();
    return {
      soon: (delayMs = 0) => {
        if (this.stopped || waiting) return;
        waiting = true;
        this.after(delayMs, () => {
          previous = previous.then(() => {
            waiting = false;
            return this.stopped ? undefined : this.run(job, work);
          });
        });
      },
    };
  }

  /** Clears every timer and resolves once the runs in progress have settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) this.clock.clearTimeout(timer);
    this.timers.clear();
    while (this.running.size > 0) await Promise.all(this.running);
  }

  private after(ms: number, callback: () => void): void {
    if (this.stopped) return;
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) callback();
    }, Math.max(0, ms));
    this.timers.add(timer);
  }

  /** One run of `work`, its error reported; never rejects. */
  private run(job: string, work: () => unknown): Promise<void> {
    const done = (async () => {
      try {
        await work();
      } catch (error) {
        this.options.onError(error, job);
      }
    })();
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
    return done;
  }
}
