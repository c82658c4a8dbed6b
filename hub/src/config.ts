import { z } from 'zod';

const Port = z.number().int().min(0).max(65535);

export const HubConfig = z.strictObject({
  /** SQLite file holding the fleet; relative paths are relative to the config file. */
  database: z.string().min(1).default('hub.db'),
  mqtt: z
    .strictObject({ host: z.string().default('0.0.0.0'), port: Port.default(1883) })
    .prefault({}),
  http: z
    .strictObject({ host: z.string().default('0.0.0.0'), port: Port.default(8080) })
    .prefault({}),
});
export type HubConfig = z.infer<typeof HubConfig>;
