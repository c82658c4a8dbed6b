import { Errors } from 'isomorphic-git';
import { FleetError, isFleetError } from '../errors.js';

export interface FetchContext {
  branch: string;
  /** The remote URL as configured, possibly with credentials in it: only tested, never shown. */
  url: string;
  /** The URL without credentials, for messages. */
  safeUrl: string;
  /** Whether credentials were configured apart from the URL. */
  hasAuth: boolean;
  /** The fetch's abort signal: when it fired, its reason is the error. */
  signal: AbortSignal;
}

/** What a failed fetch means for the caller, as a FleetError: fix the configuration, or retry. */
export function fetchFailure(error: unknown, context: FetchContext): FleetError {
  const { signal, branch, safeUrl } = context;
  // Whatever isomorphic-git made of the aborted request, the cause is the timeout.
  if (signal.aborted && isFleetError(signal.reason)) return signal.reason;
  if (isFleetError(error)) return error;
  const where = `branch ${branch} from ${safeUrl}`;
  if (error instanceof Errors.HttpError) {
    const status = error.data.statusCode;
    if (status === 401 || status === 403) {
      const hint = context.hasAuth || hasCredentials(context.url)
        ? 'the configured credentials were rejected; check the username, password or token'
        : 'the repository needs credentials; configure auth';
      return new FleetError('validation', `cannot fetch ${where}: HTTP ${status}, ${hint}`, { cause: error });
    }
    if (status === 404) {
      return new FleetError('not-found', `cannot fetch ${where}: no repository at that URL (HTTP 404)`, { cause: error });
    }
    return new FleetError('transient', `cannot fetch ${where}: HTTP ${status}; will retry`, { cause: error });
  }
  if (error instanceof Errors.NotFoundError) {
    return new FleetError('not-found', `branch ${branch} does not exist at ${safeUrl}`, { cause: error });
  }
  return new FleetError('transient', `cannot fetch ${where}; will retry`, { cause: error });
}

export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}
