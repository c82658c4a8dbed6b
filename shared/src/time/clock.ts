/**
 * The one notion of time: the real clock, or a manual one that tests and virtual-time simulations
 * advance themselves, so that "ready after 30 s" or "retry in 5 min" takes no real time at all.
 */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Real time whose pending timers keep the process alive, as Node's own do: the agent's and the
 * hub's loops and waits. An agent tracking a branch with no hub has nothing else open between
 * two fetches; with timers that let go it would simply exit.
 */
export const systemClock: Clock = realTime(true);

/**
 * Real time whose timers never keep the process alive: the simulators' controllers and watch
 * timeouts, so that a simulator ends when its server closes rather than when its last timer fires.
 */
export const backgroundClock: Clock = realTime(false);

function realTime(keepAlive: boolean): Clock {
  return {
    now: () => Date.now(),
    setTimeout: (callback, ms) => {
      const timer = setTimeout(callback, ms);
      return keepAlive ? timer : timer.unref();
    },
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

interface Timer {
  id: number;
  due: number;
  callback: () => void;
}

/** A clock that moves only when told to; timers fire in due order as it passes them. */
export class ManualClock implements Clock {
  private time: number;
  private readonly timers = new Map<number, Timer>();
  private nextId = 1;

  constructor(start: number | Date = Date.parse('2025-01-01T00:00:00Z')) {
    this.time = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way (also ones set by timers). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const next = [...this.timers.values()].filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (next === undefined) break;
      this.timers.delete(next.id);
      this.time = Math.max(this.time, next.due);
      next.callback();
    }
    this.time = target;
  }

  /** How many timers are waiting. */
  pending(): number {
    return this.timers.size;
  }
}
