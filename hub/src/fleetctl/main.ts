/** Composition root of `fleetctl`, the operator CLI over the hub's HTTP API. */
import { describeError } from '../../../shared/src/errors.js';
import { buildFleetctl } from './program.js';
import { addSimulateCommand } from './simulate-command.js';

const { program, rollout } = buildFleetctl();
addSimulateCommand(rollout);

program.parseAsync().catch((error: unknown) => {
  console.error(`fleetctl: ${describeError(error)}`);
  process.exit(1);
});
