import { FleetError } from '../../shared/src/errors.js';
import { ClusterId } from '../../shared/src/protocol.js';
import { generateToken, hashToken } from './credentials.js';
import type { FleetStore } from './ports/fleet-store.js';

const LabelKey = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LabelValue = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Registers a cluster and returns its token — the only time the token exists in clear. */
export async function registerCluster(
  store: FleetStore,
  id: string,
  labels: Record<string, string>,
  now: Date,
): Promise<string> {
  const parsedId = ClusterId.safeParse(id);
  if (!parsedId.success) throw new FleetError('validation', `invalid cluster id "${id}": ${parsedId.error.issues[0]?.message}`);
  for (const [key, value] of Object.entries(labels)) {
    if (!LabelKey.test(key)) throw new FleetError('validation', `invalid label key "${key}"`);
    if (!LabelValue.test(value)) throw new FleetError('validation', `invalid value "${value}" for label ${key}`);
  }
  const token = generateToken();
  store.registerCluster(id, labels, await hashToken(token), now);
  return token;
}
