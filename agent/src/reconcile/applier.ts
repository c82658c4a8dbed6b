/**
 * Brings the cluster to a set of desired objects by server-side apply, in stages (Namespaces and
 * CRDs first, waiting until CRDs are established; then cluster-scoped; then namespaced objects),
 * with bounded concurrency, and reports a ChangeSet. An object is not applied again unless its
 * desired content changed or it drifted: an object untouched since the last apply (same desired
 * hash, same resourceVersion) costs no request, and anything else is compared through a dry-run
 * apply first.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../shared/src/protocol/canonical-json.js';
import { describeError } from '../../../shared/src/errors.js';
import { systemClock } from '../../../shared/src/time/clock.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import { mapConcurrently } from '../../../shared/src/worker-pool.js';
import { objectIdentity } from '../core/apply/change-set.js';
import type { ChangeSetEntry } from '../core/apply/change-set.js';
import { driftPaths, driftPolicyFor } from '../core/apply/drift.js';
import type { DriftPolicy } from '../core/apply/drift.js';
import { FIELD_MANAGER, OWNER_LABEL, OWNER_VALUE } from '../core/apply/plan-apply.js';
import type { AppliedObjects, AppliedRecord } from '../ports/applied-objects.js';
import { refOf } from '../core/kube-object.js';
import type { KubeClient, ResourceScope } from '../ports/kube.js';
import type { KubeObject } from '../core/kube-object.js';

export interface ApplierOptions {
  /** Objects applied at once (default 8). */
  concurrency?: number;
  /** How long to wait for applied CRDs to be established (default 30 s). */
  crdTimeoutMs?: number;
  /** Time for that wait (default the system clock). */
  clock?: Clock;
}

export interface ApplyOutcome {
  changes: ChangeSetEntry[];
  /** The objects as they are in the cluster now, by identity. */
  live: Map<string, KubeObject>;
}

const FIRST_STAGE = new Set(['Namespace', 'CustomResourceDefinition']);
/** How often an applied CRD is looked at again until it is established. */
const CRD_POLL_MS = 200;

export class Applier {
  constructor(
    private readonly kube: KubeClient,
    private readonly memory: AppliedObjects,
    private readonly options: ApplierOptions = {},
  ) {}

  async apply(objects: readonly KubeObject[], clusterPolicy: DriftPolicy): Promise<ApplyOutcome> {
    const live = await this.readLive(objects);
    const remembered = this.memory.all();
    const records: [string, AppliedRecord][] = [];
    const changes = new Map<string, ChangeSetEntry>();
    const run = async (stage: readonly KubeObject[]) => {
      await mapConcurrently(stage, this.options.concurrency ?? 8, async (object) => {
        const id = objectIdentity(refOf(object));
        const { entry, result } = await this.applyOne(object, live.get(id), remembered.get(id), clusterPolicy);
        changes.set(id, entry);
        if (result) {
          live.set(id, result);
          if (entry.action !== 'skipped') records.push([id, { desiredHash: hashOf(object), resourceVersion: result.metadata.resourceVersion ?? '' }]);
        }
      });
    };

    const first = objects.filter((o) => FIRST_STAGE.has(o.kind));
    await run(first);
    await this.waitForCrds(first.filter((o) => o.kind === 'CustomResourceDefinition' && changes.get(objectIdentity(refOf(o)))?.action !== 'failed'));
    const scoped = new Map<ResourceScope, KubeObject[]>([['Cluster', []], ['Namespaced', []]]);
    for (const object of objects.filter((o) => !FIRST_STAGE.has(o.kind))) {
      const scope = await this.kube.scopeOf(object.apiVersion, object.kind).catch(() => undefined);
      if (scope === undefined) {
        changes.set(objectIdentity(refOf(object)), {
          ref: refOf(object),
          action: 'failed',
          message: `the API server does not serve ${object.kind} in ${object.apiVersion} (is its CRD installed?)`,
        });
      } else scoped.get(scope)!.push(object);
    }
    await run(scoped.get('Cluster')!);
    await run(scoped.get('Namespaced')!);
    this.memory.record(records);
    // In the order the objects were planned, whatever order they finished in.
    return { changes: objects.map((o) => changes.get(objectIdentity(refOf(o)))!), live };
  }

  private async applyOne(
    desired: KubeObject,
    live: KubeObject | undefined,
    remembered: AppliedRecord | undefined,
    clusterPolicy: DriftPolicy,
  ): Promise<{ entry: ChangeSetEntry; result?: KubeObject }> {
    const ref = refOf(desired);
    const hash = hashOf(desired);
    try {
      if (live && remembered?.desiredHash === hash && remembered.resourceVersion === live.metadata.resourceVersion) {
        return { entry: { ref, action: 'unchanged' }, result: live };
      }
      if (!live) {
        const result = await this.kube.apply(desired, { fieldManager: FIELD_MANAGER, force: true });
        return { entry: { ref, action: 'created' }, result };
      }
      const dryRun = await this.kube.apply(desired, { fieldManager: FIELD_MANAGER, force: true, dryRun: true });
      const paths = driftPaths(dryRun, live);
      if (paths.length === 0) return { entry: { ref, action: 'unchanged' }, result: live };
      // Content the revision asks for is always applied; only hand edits of applied content are drift.
      const drifted = remembered?.desiredHash === hash;
      if (drifted && driftPolicyFor(desired, clusterPolicy) === 'alert') {
        return { entry: { ref, action: 'skipped', message: `drift left in place (policy alert): ${paths.join(', ')}`, driftPaths: paths } };
      }
      const result = await this.kube.apply(desired, { fieldManager: FIELD_MANAGER, force: true });
      return {
        entry: { ref, action: 'configured', ...(drifted ? { message: `drift remediated: ${paths.join(', ')}`, driftPaths: paths } : {}) },
        result,
      };
    } catch (error) {
      return { entry: { ref, action: 'failed', message: describeError(error) } };
    }
  }

  /** The live objects this agent owns, one list per kind and namespace rather than a GET per object. */
  private async readLive(objects: readonly KubeObject[]): Promise<Map<string, KubeObject>> {
    const groups = new Map<string, { apiVersion: string; kind: string; namespace?: string }>();
    for (const { apiVersion, kind, metadata } of objects) {
      groups.set(`${apiVersion}/${kind}/${metadata.namespace ?? ''}`, { apiVersion, kind, ...(metadata.namespace ? { namespace: metadata.namespace } : {}) });
    }
    const live = new Map<string, KubeObject>();
    await mapConcurrently([...groups.values()], this.options.concurrency ?? 8, async ({ apiVersion, kind, namespace }) => {
      // A kind not served yet (its CRD comes in this revision) or a namespace not created yet has nothing live.
      const items = await this.kube
        .list(apiVersion, kind, { labelSelector: `${OWNER_LABEL}=${OWNER_VALUE}`, ...(namespace ? { namespace } : {}) })
        .catch(() => []);
      for (const item of items) live.set(objectIdentity(refOf(item)), item);
    });
    return live;
  }

  private async waitForCrds(crds: readonly KubeObject[]): Promise<void> {
    const clock = this.options.clock ?? systemClock;
    const deadline = clock.now() + (this.options.crdTimeoutMs ?? 30_000);
    for (const crd of crds) {
      for (;;) {
        const live = await this.kube.get(refOf(crd));
        const conditions = ((live?.['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
        if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
        // Past the deadline the dependent objects fail with a clear "not served" message.
        if (clock.now() > deadline) return;
        await new Promise<void>((resolve) => clock.setTimeout(resolve, CRD_POLL_MS));
      }
    }
  }
}

/** SHA-256 of the canonical JSON of a desired object. */
export const hashOf = (object: KubeObject): string => createHash('sha256').update(canonicalJson(object)).digest('hex');
