export { startControllers, CONTROLLER_MANAGER, DEFAULT_READY_AFTER_MS } from './controllers.js';
export type { ControllerOptions, Controllers } from './controllers.js';
export { ManualClock, systemClock } from './clock.js';
export type { ControllerClock } from './clock.js';
export { DEFAULT_FAIL_ANNOTATION, failureOf } from './failures.js';
export type { FailureRules } from './failures.js';
