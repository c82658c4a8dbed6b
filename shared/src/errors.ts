/**
 * The few kinds of failure the system distinguishes. A kind says what the caller should do:
 * fix the input (validation), retry later (transient), resolve a competing owner (conflict),
 * stop and tell a human (stalled), or look elsewhere (not-found).
 */
export const ErrorKind = {
  validation: 'validation',
  transient: 'transient',
  conflict: 'conflict',
  stalled: 'stalled',
  notFound: 'not-found',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

export class FleetError extends Error {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FleetError';
    this.kind = kind;
  }
}

export const isFleetError = (error: unknown, kind?: ErrorKind): error is FleetError =>
  error instanceof FleetError && (kind === undefined || error.kind === kind);

/** A readable one-line message for any thrown value, with its causes. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    parts.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ');
}
