import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A binary run as a child process whose JSON log lines (pino, on stderr) a test can wait for. */
export interface LoggedProcess {
  child: ChildProcess;
  /** Every log message seen so far. */
  seen: Set<string>;
  /** Resolves on the first log line whose `msg` is `msg` (from now on). */
  logged(msg: string): Promise<void>;
  exited: Promise<void>;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a clean stop), and wait for the exit. */
  stop(): Promise<void>;
}

export function spawnLogged(entry: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): LoggedProcess {
  const child = spawn(process.execPath, [entry, ...args], {
    env: { ...process.env, LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const waiters: { msg: string; resolve: () => void }[] = [];
  const seen = new Set<string>();
  createInterface({ input: child.stderr! }).on('line', (line) => {
    let msg: string | undefined;
    try {
      msg = (JSON.parse(line) as { msg?: string }).msg;
    } catch {
      return;
    }
    if (msg) seen.add(msg);
    for (const waiter of waiters.filter((w) => w.msg === msg)) waiter.resolve();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => () => {
    child.kill(name);
    return exited;
  };
  return {
    child,
    seen,
    exited,
    logged: (msg) => new Promise((resolve) => waiters.push({ msg, resolve })),
    kill: signal('SIGKILL'),
    stop: signal('SIGTERM'),
  };
}
