import { join } from 'node:path';
import { createLogger } from '../../shared/src/logger.js';
import type { Logger } from '../../shared/src/logger.js';
import { startHub } from '../../hub/src/hub.js';
import type { Hub } from '../../hub/src/hub.js';
import { HubConfig } from '../../hub/src/config/hub-config.js';
import type { Clock } from '../../shared/src/time/clock.js';

/** Silent unless LOG_LEVEL is set, so a failing test can be rerun with logs. */
export const quietLogger = (): Logger =>
  process.env['LOG_LEVEL'] ? createLogger({ name: 'test' }) : createLogger({ name: 'test', level: 'silent' });

/**
 * A real hub on ephemeral ports with its database in `dir`. `config` adds to (and `mqtt` merges
 * into) that config, e.g. `signing` and `source`, or a fixed MQTT port for a restart.
 */
export function startTestHub(
  dir: string,
  options: { clock?: Clock; config?: Record<string, unknown> & { mqtt?: Record<string, unknown> } } = {},
): Promise<Hub> {
  const { config: extra = {}, ...rest } = options;
  const config = HubConfig.parse({
    database: join(dir, 'hub.db'),
    http: { host: '127.0.0.1', port: 0 },
    ...extra,
    mqtt: { host: '127.0.0.1', port: 0, ...extra.mqtt },
  });
  return startHub({ config, logger: quietLogger(), ...rest });
}
