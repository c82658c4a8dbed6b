/** Rollouts and the audit log; 503 when the hub has no signing key and source to direct with. */
import type { FastifyInstance } from 'fastify';
import type { Assert, SameType } from '../../../../shared/src/api/common.js';
import type { AuditItem, RolloutListItem, RolloutOrigin as ApiRolloutOrigin } from '../../../../shared/src/api/rollouts.js';
import { DEFAULT_LIST_LIMIT, OperatorAction as ApiOperatorAction } from '../../../../shared/src/api/rollouts.js';
import { rolloutActions, routes } from '../../../../shared/src/api/routes.js';
import type { OperatorAction } from '../../core/rollout/engine.js';
import type { AuditEntry } from '../../core/rollout/model.js';
import { rolloutDetail } from '../../core/rollout/progress.js';
import type { RolloutService } from '../../rollouts/rollout-service.js';
import type { RolloutOrigin, RolloutSummary } from '../../ports/rollout-store.js';
import { callerOf } from './auth.js';
import { ApiError } from './errors.js';
import { serve } from './typed-route.js';

// What the engine and the store hold is what the API answers, with times as ISO 8601.
type Iso<T, K extends keyof T> = { [P in keyof T]: P extends K ? string : T[P] };
type _Actions = Assert<SameType<OperatorAction, ApiOperatorAction>>;
type _Origins = Assert<SameType<RolloutOrigin, ApiRolloutOrigin>>;
type _Listed = Assert<SameType<Iso<RolloutSummary, 'createdAt' | 'updatedAt'>, RolloutListItem>>;
type _Audited = Assert<SameType<Iso<AuditEntry & { id: number }, 'at'>, AuditItem>>;

export const OPERATOR_ACTIONS: readonly OperatorAction[] = ApiOperatorAction.options;

const iso = (ms: number) => new Date(ms).toISOString();

export function rolloutRoutes(app: FastifyInstance, rollouts: RolloutService | undefined): void {
  const service = (): RolloutService => {
    if (!rollouts) throw new ApiError('unavailable', 'rollouts are off: the hub needs `signing` and `source` in its configuration to direct clusters');
    return rollouts;
  };

  // The service parses the plan with the route's body schema (RolloutPlanInput).
  serve(app, routes.createRollout, async ({ body, request }) => {
    const { rollout, unassigned } = await service().create(body, { by: 'operator', name: callerOf(request).name });
    return { rollout: rolloutDetail(rollout), unassigned };
  });

  serve(app, routes.listRollouts, async ({ query: { status, limit = DEFAULT_LIST_LIMIT } }) => {
    const items = service().list({ limit, ...(status ? { status } : {}) });
    return { items: items.map((summary) => ({ ...summary, createdAt: iso(summary.createdAt), updatedAt: iso(summary.updatedAt) })) };
  });

  serve(app, routes.getRollout, async ({ params: { id } }) => {
    const rollout = service().get(id);
    if (!rollout) throw new ApiError('not-found', `no rollout ${id}`);
    return rolloutDetail(rollout);
  });

  for (const action of OPERATOR_ACTIONS) {
    serve(app, rolloutActions[action], async ({ params: { id }, request }) => rolloutDetail(await service().act(id, action, callerOf(request).name)));
  }

  serve(app, routes.audit, async ({ query: { rollout, after, limit = DEFAULT_LIST_LIMIT } }) => {
    const items = service().audit({ limit, ...(rollout ? { rolloutId: rollout } : {}), ...(after !== undefined ? { afterId: after } : {}) });
    return { items: items.map((entry) => ({ ...entry, at: iso(entry.at) })) };
  });
}
