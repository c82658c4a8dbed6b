/**
 * What the agent last applied to each object it owns: a hash of the desired object and the
 * resourceVersion the server gave the result. An object whose desired hash and live
 * resourceVersion both still match has not changed since, so it needs no request at all.
 */
export interface AppliedRecord {
  desiredHash: string;
  resourceVersion: string;
}

export interface AppliedObjects {
  /** By object identity (`objectIdentity`). */
  all(): Map<string, AppliedRecord>;
  record(entries: Iterable<[identity: string, record: AppliedRecord]>): void;
  forget(identities: Iterable<string>): void;
}
