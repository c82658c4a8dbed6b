/**
 * Wire protocol v1: every MQTT payload, as zod schemas. Types are inferred from these, never
 * written twice. Payloads are JSON; each carries `v: 1`.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
const version = z.literal(PROTOCOL_VERSION);

/** Cluster ids are DNS labels: they appear in topics, client ids and Kubernetes label values. */
export const ClusterId = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    'a cluster id is a DNS label: lowercase letters, digits and "-", 1 to 63 characters',
  );

export const CommitSha = z.string().regex(/^[0-9a-f]{40}$/, 'expected a full 40-hex commit SHA');

const Timestamp = z.iso.datetime({ offset: true });

export const ConditionType = z.enum(['Ready', 'Reconciling', 'Stalled']);
export const Condition = z.strictObject({
  type: ConditionType,
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().min(1).max(128),
  message: z.string().max(4096),
  lastTransitionTime: Timestamp,
});
export type Condition = z.infer<typeof Condition>;

export const Health = z.enum(['Healthy', 'Progressing', 'Degraded', 'Failed', 'Unknown']);
export type Health = z.infer<typeof Health>;

export const Presence = z.strictObject({
  v: version,
  clusterId: ClusterId,
  state: z.enum(['online', 'offline']),
  agentVersion: z.string().min(1).max(64),
});
export type Presence = z.infer<typeof Presence>;

const Seq = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const RolloutName = z.string().min(1).max(128);

export const DirectiveSummary = z.strictObject({ seq: Seq, rolloutId: RolloutName, wave: RolloutName });
export type DirectiveSummary = z.infer<typeof DirectiveSummary>;

export const ClusterStatus = z.strictObject({
  /** The revision whose objects are in the cluster; null before the first successful apply. */
  appliedRevision: CommitSha.nullable(),
  /** The revision the agent is working towards. */
  desiredRevision: CommitSha.nullable(),
  health: Health,
  conditions: z.array(Condition).max(16),
  objectCount: z.number().int().nonnegative(),
  /** Bytes the agent keeps to reconcile offline (revision cache and Git cache). */
  cacheBytes: z.number().int().nonnegative().optional(),
  /** Objects whose live state differs from the applied revision and was left so (drift policy alert). */
  driftedObjects: z.number().int().nonnegative().optional(),
  /** The last hub directive the agent accepted (directed mode), so the hub knows it arrived. */
  directive: DirectiveSummary.optional(),
});
export type ClusterStatus = z.infer<typeof ClusterStatus>;

export const StatusRecord = z.strictObject({
  seq: Seq,
  kind: z.literal('status'),
  at: Timestamp,
  status: ClusterStatus,
});
export const EventRecord = z.strictObject({
  seq: Seq,
  kind: z.literal('event'),
  at: Timestamp,
  event: z.strictObject({
    reason: z.string().min(1).max(128),
    message: z.string().max(4096),
    severity: z.enum(['info', 'warning', 'error']),
  }),
});
export const ReportRecord = z.discriminatedUnion('kind', [StatusRecord, EventRecord]);
export type ReportRecord = z.infer<typeof ReportRecord>;
export type StatusRecord = z.infer<typeof StatusRecord>;
export type EventRecord = z.infer<typeof EventRecord>;

export const MAX_RECORDS_PER_REPORT = 256;

export const Report = z
  .strictObject({
    v: version,
    clusterId: ClusterId,
    records: z.array(ReportRecord).min(1).max(MAX_RECORDS_PER_REPORT),
  })
  .refine((report) => report.records.every((r, i, all) => i === 0 || r.seq > all[i - 1]!.seq), {
    message: 'records must be in strictly increasing seq order',
    path: ['records'],
  });
export type Report = z.infer<typeof Report>;

/** Cumulative: the hub has durably committed every record of the cluster with seq ≤ upTo. */
export const Ack = z.strictObject({ v: version, upTo: z.number().int().nonnegative() });
export type Ack = z.infer<typeof Ack>;

export const UnsignedDirective = z.strictObject({
  v: version,
  clusterId: ClusterId,
  seq: Seq,
  rolloutId: RolloutName,
  wave: RolloutName,
  revision: CommitSha,
  repo: z.string().min(1).max(2048),
  path: z.string().max(1024),
  issuedAt: Timestamp,
  expiresAt: Timestamp,
  keyId: z.string().regex(/^[0-9a-f]{16}$/, 'a key id is 16 hex characters'),
});
export type UnsignedDirective = z.infer<typeof UnsignedDirective>;

export const Directive = UnsignedDirective.extend({
  sig: z.base64().max(128),
});
export type Directive = z.infer<typeof Directive>;

/** Largest payload either side accepts; larger ones are refused before parsing. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses untrusted bytes as JSON and then against `schema`, never throwing. */
export function parsePayload<T>(schema: z.ZodType<T>, payload: Uint8Array | string): ParseResult<T> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES) {
    return { ok: false, error: `payload of ${size} bytes exceeds the ${MAX_PAYLOAD_BYTES}-byte limit` };
  }
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : utf8.decode(payload);
  } catch {
    // JSON is UTF-8 (RFC 8259); decoding leniently would store U+FFFD in place of the bytes sent.
    return { ok: false, error: 'payload is not valid UTF-8' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `payload is not JSON: ${(error as Error).message}` };
  }
  const result = schema.safeParse(json);
  return result.success ? { ok: true, value: result.data } : { ok: false, error: z.prettifyError(result.error) };
}
