export { MemoryKube, PatchType, formatTime } from './memory-kube.js';
export type { MemoryKubeOptions, WriteOptions } from './memory-kube.js';
export { ResourceCatalogue, builtInResourceTypes, groupVersionOf, splitApiVersion } from './catalogue.js';
export type { ResourceType } from './catalogue.js';
export { KubeStatusError, StatusReason, badRequest, qualifiedName } from './status-error.js';
export type { StatusCause, StatusDetails } from './status-error.js';
export { parseLabelSelector, matchesSelector } from './label-selector.js';
export { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
