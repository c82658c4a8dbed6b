export { startControllers, CONTROLLER_MANAGER, DEFAULT_READY_AFTER_MS } from './controllers.js';
export type { ControllerOptions, Controllers } from './controllers.js';
export { DEFAULT_FAIL_ANNOTATION, failureOf } from './failures.js';
export type { FailureRules } from './failures.js';
