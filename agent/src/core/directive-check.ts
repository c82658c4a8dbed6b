/**
 * Whether a directive from the hub may be acted on. The agent accepts one only if it parses, its
 * signature verifies against a trusted hub key, it names this cluster and the repository and
 * folder this agent pulls (the agent's own config decides where it pulls from; the hub decides
 * which revision), its seq is above the last accepted, and it has not expired. Anything else is
 * refused with a reason and changes nothing. Pure, with the clock and the last directive passed in.
 */
import { treePath } from '../../../shared/src/git/tree-path.js';
import { Directive, parsePayload } from '../../../shared/src/protocol/protocol.js';
import { verifyDirectiveSignature } from '../../../shared/src/protocol/signing.js';
import type { TrustedKeys } from '../../../shared/src/protocol/signing.js';

export interface DirectiveContext {
  clusterId: string;
  /** The repository this agent pulls from and the folder in it; a directive must name the same. */
  repo: string;
  path: string;
  trusted: TrustedKeys;
  /** The directive accepted last, if any. */
  accepted: Directive | undefined;
  now: Date;
}

export type DirectiveReason =
  | 'Malformed'
  | 'UnknownKey'
  | 'BadSignature'
  | 'WrongCluster'
  | 'WrongRepository'
  | 'WrongPath'
  | 'Stale'
  | 'Expired';

export type DirectiveVerdict =
  | { verdict: 'accept'; directive: Directive }
  /** The directive accepted last, delivered again (it is retained): nothing to do or say. */
  | { verdict: 'repeat' }
  | { verdict: 'refuse'; reason: DirectiveReason; message: string };

export function checkDirective(payload: Uint8Array | string, context: DirectiveContext): DirectiveVerdict {
  const parsed = parsePayload(Directive, payload);
  if (!parsed.ok) return refuse('Malformed', `not a directive: ${parsed.error}`);
  const directive = parsed.value;
  const what = `directive ${directive.seq}`;
  const signature = verifyDirectiveSignature(directive, context.trusted);
  if (!signature.ok) {
    return signature.reason === 'unknown-key'
      ? refuse('UnknownKey', `${what} is signed with key ${directive.keyId}, which this agent does not trust`)
      : refuse('BadSignature', `${what} does not match its signature (key ${directive.keyId})`);
  }
  if (directive.clusterId !== context.clusterId) {
    return refuse('WrongCluster', `${what} is addressed to cluster ${directive.clusterId}, not ${context.clusterId}`);
  }
  if (normalizeRepo(directive.repo) !== normalizeRepo(context.repo)) {
    return refuse('WrongRepository', `${what} names repository ${directive.repo}; this agent pulls from ${context.repo}`);
  }
  // Compared as the renderer reads them: `''`, `.` and `./` name the root, `./apps/web/` is `apps/web`.
  if (treePath(directive.path) !== treePath(context.path)) {
    return refuse('WrongPath', `${what} names folder "${directive.path}"; this agent renders "${context.path}"`);
  }
  const last = context.accepted;
  if (last && directive.seq <= last.seq) {
    if (directive.seq === last.seq && directive.sig === last.sig) return { verdict: 'repeat' };
    return refuse('Stale', `${what} is not newer than directive ${last.seq}, accepted already`);
  }
  if (Date.parse(directive.expiresAt) <= context.now.getTime()) {
    return refuse('Expired', `${what} expired at ${directive.expiresAt}`);
  }
  return { verdict: 'accept', directive };
}

const refuse = (reason: DirectiveReason, message: string): DirectiveVerdict => ({ verdict: 'refuse', reason, message });

/** `https://git.example/fleet.git/` and `https://git.example/fleet` name the same repository. */
function normalizeRepo(url: string): string {
  return url.replace(/\/+$/, '').replace(/\.git$/, '');
}
