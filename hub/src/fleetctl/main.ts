/** Composition root of `fleetctl`, the operator CLI over the hub's HTTP API. */
import { describeError } from '../../../shared/src/errors.js';
import { buildFleetctl } from './program.js';

const { program } = buildFleetctl();

program.parseAsync().catch((error: unknown) => {
  console.error(`fleetctl: ${describeError(error)}`);
  process.exit(1);
});
