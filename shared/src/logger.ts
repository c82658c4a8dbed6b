import { pino } from 'pino';
import type { Logger, LevelWithSilent } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line. */
const REDACT = [
  'token',
  'password',
  '*.token',
  '*.password',
  'auth',
  '*.auth',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'privateKey',
  '*.privateKey',
];

export interface LoggerOptions {
  name: string;
  level?: LevelWithSilent;
  /** Defaults to standard error so that standard output stays for a command's results. */
  destination?: NodeJS.WritableStream;
}

/** One logger per binary; components get `logger.child({ component })`. */
export function createLogger({ name, level, destination }: LoggerOptions): Logger {
  return pino(
    {
      name,
      level: level ?? (process.env['LOG_LEVEL'] as LevelWithSilent | undefined) ?? 'info',
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    destination ?? pino.destination(2),
  );
}
