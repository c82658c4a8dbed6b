import { FleetError } from '../../../shared/src/errors.js';
import { checkLabels } from '../../../shared/src/fleet/labels.js';
import { ClusterId } from '../../../shared/src/protocol/protocol.js';
import { generateToken, hashToken } from './credentials.js';
import type { FleetStore } from '../ports/fleet-store.js';

/** Registers a cluster and returns its token — the only time the token exists in clear. */
export async function registerCluster(
  store: FleetStore,
  id: string,
  labels: Record<string, string>,
  now: Date,
): Promise<string> {
  const parsedId = ClusterId.safeParse(id);
  if (!parsedId.success) throw new FleetError('validation', `invalid cluster id "${id}": ${parsedId.error.issues[0]?.message}`);
  checkLabels(labels);
  const token = generateToken();
  store.registerCluster(id, labels, await hashToken(token), now);
  return token;
}
