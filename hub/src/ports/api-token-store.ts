/**
 * Operator API tokens, stored hashed. One adapter, `SqliteApiTokenStore`, in the hub database.
 */
export const ApiRole = { viewer: 'viewer', operator: 'operator' } as const;
export type ApiRole = (typeof ApiRole)[keyof typeof ApiRole];

export interface ApiTokenRecord {
  name: string;
  role: ApiRole;
  tokenHash: string;
}

export interface ApiTokenStore {
  /** Throws a `conflict` FleetError if a token of that name exists. */
  addApiToken(record: ApiTokenRecord, at: Date): void;
  apiToken(name: string): ApiTokenRecord | undefined;
}
