/**
 * An in-process message broker with MQTT's topic matching and retained messages, for the
 * in-memory transport adapters of agent and hub (tests and virtual-time fleet simulations).
 * Delivery is asynchronous, like a network, so that callers cannot depend on re-entrancy.
 */
export type BrokerHandler = (topic: string, payload: Buffer) => void;

export class MemoryBroker {
  private readonly subscriptions = new Set<{ filter: string; handler: BrokerHandler }>();
  private readonly retained = new Map<string, Buffer>();

  publish(topic: string, payload: Buffer | string, options: { retain?: boolean } = {}): void {
    const bytes = Buffer.from(payload);
    if (options.retain) {
      if (bytes.byteLength === 0) this.retained.delete(topic);
      else this.retained.set(topic, bytes);
    }
    for (const subscription of [...this.subscriptions]) {
      if (topicMatches(subscription.filter, topic)) queueMicrotask(() => subscription.handler(topic, bytes));
    }
  }

  /** Subscribes and delivers matching retained messages; returns the unsubscribe function. */
  subscribe(filter: string, handler: BrokerHandler): () => void {
    const subscription = { filter, handler };
    this.subscriptions.add(subscription);
    for (const [topic, payload] of this.retained) {
      if (topicMatches(filter, topic)) queueMicrotask(() => handler(topic, payload));
    }
    return () => this.subscriptions.delete(subscription);
  }
}

/** MQTT topic filter matching with `+` (one level) and `#` (the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}
