/** Rollouts and the audit log; 503 when the hub has no signing key and source to direct with. */
import type { FastifyInstance } from 'fastify';
import type { OperatorAction } from '../../core/rollout/engine.js';
import type { RolloutStatus } from '../../core/rollout/model.js';
import { rolloutDetail } from '../../core/rollout/progress.js';
import type { RolloutService } from '../../rollouts/rollout-service.js';
import { callerOf } from './auth.js';
import { ApiError, intParam } from './errors.js';

export const OPERATOR_ACTIONS: readonly OperatorAction[] = ['pause', 'resume', 'approve', 'abort', 'rollback'];
export const ROLLOUT_STATUSES: readonly RolloutStatus[] = ['running', 'paused', 'awaitingApproval', 'rollingBack', 'succeeded', 'aborted', 'rolledBack', 'superseded'];

const iso = (ms: number) => new Date(ms).toISOString();

export function rolloutRoutes(app: FastifyInstance, rollouts: RolloutService | undefined): void {
  const service = (): RolloutService => {
    if (!rollouts) throw new ApiError('unavailable', 'rollouts are off: the hub needs `signing` and `source` in its configuration to direct clusters');
    return rollouts;
  };

  app.post('/api/v1/rollouts', async (request, reply) => {
    const { rollout, unassigned } = await service().create(request.body, { by: 'operator', name: callerOf(request).name });
    return reply.code(201).send({ rollout: rolloutDetail(rollout), unassigned });
  });

  app.get<{ Querystring: { status?: string; limit?: string } }>('/api/v1/rollouts', async (request) => {
    const { status } = request.query;
    if (status !== undefined && !ROLLOUT_STATUSES.includes(status as RolloutStatus)) {
      throw new ApiError('validation', `query parameter status must be one of ${ROLLOUT_STATUSES.join(', ')}, got "${status}"`);
    }
    const limit = intParam(request.query.limit, 'limit', { min: 1, max: 1000 }) ?? 100;
    const items = service().list({ limit, ...(status ? { status: status as RolloutStatus } : {}) });
    return { items: items.map((summary) => ({ ...summary, createdAt: iso(summary.createdAt), updatedAt: iso(summary.updatedAt) })) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/rollouts/:id', async (request) => {
    const rollout = service().get(request.params.id);
    if (!rollout) throw new ApiError('not-found', `no rollout ${request.params.id}`);
    return rolloutDetail(rollout);
  });

  for (const action of OPERATOR_ACTIONS) {
    app.post<{ Params: { id: string } }>(`/api/v1/rollouts/:id/${action}`, async (request) => {
      const rollout = await service().act(request.params.id, action, callerOf(request).name);
      return rolloutDetail(rollout);
    });
  }

  app.get<{ Querystring: { rollout?: string; after?: string; limit?: string } }>('/api/v1/audit', async (request) => {
    const { rollout } = request.query;
    const afterId = intParam(request.query.after, 'after', { min: 0, max: Number.MAX_SAFE_INTEGER });
    const limit = intParam(request.query.limit, 'limit', { min: 1, max: 1000 }) ?? 100;
    const items = service().audit({ limit, ...(rollout ? { rolloutId: rollout } : {}), ...(afterId !== undefined ? { afterId } : {}) });
    return { items: items.map((entry) => ({ ...entry, at: iso(entry.at) })) };
  });
}
