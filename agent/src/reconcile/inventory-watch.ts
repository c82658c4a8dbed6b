/**
 * Watches on the kinds the agent owns (one per apiVersion, kind and namespace of its inventory,
 * selecting its ownership label), so that a hand edit or deletion is checked within a second or
 * so instead of at the next drift interval. Best effort: the interval check remains the backstop.
 */
import { OWNER_LABEL, OWNER_VALUE } from '../core/apply/plan-apply.js';
import type { ObjectRef } from '../core/kube-object.js';
import type { KubeClient } from '../ports/kube.js';

export class InventoryWatch {
  /** The stop function of each watch, by apiVersion|kind|namespace. */
  private readonly watches = new Map<string, () => void>();

  constructor(
    private readonly kube: KubeClient,
    /** Called on every change but an addition (the agent's own creations). */
    private readonly onChange: () => void,
  ) {}

  /** Watches what `inventory` needs and stops the watches it no longer needs. */
  follow(inventory: readonly ObjectRef[]): void {
    const { kube } = this;
    if (!kube.watchChanges) return;
    const wanted = new Map(inventory.map((ref) => [`${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ''}`, ref]));
    for (const [key, stopWatch] of this.watches) {
      if (!wanted.has(key)) {
        stopWatch();
        this.watches.delete(key);
      }
    }
    for (const [key, ref] of wanted) {
      if (this.watches.has(key)) continue;
      const options = { labelSelector: `${OWNER_LABEL}=${OWNER_VALUE}`, ...(ref.namespace ? { namespace: ref.namespace } : {}) };
      this.watches.set(key, kube.watchChanges(ref.apiVersion, ref.kind, options, (type) => {
        if (type !== 'ADDED') this.onChange();
      }));
    }
  }

  stop(): void {
    for (const stopWatch of this.watches.values()) stopWatch();
    this.watches.clear();
  }
}
