/**
 * Validation of an object before it is stored, with the API server's messages. Pure: returns the
 * causes, one per invalid field; an empty list means valid.
 */
import type { StatusCause } from './status-error.js';
import { isObject } from './field-path.js';
import { validLabelKey, validLabelValue } from './label-selector.js';
import type { ResourceType } from './catalogue.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kinds whose names are DNS labels; RBAC kinds accept any path segment (`system:node`). */
const LABEL_NAMED = new Set(['Namespace', 'Service']);
const SEGMENT_NAMED = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

const invalid = (field: string, value: unknown, why: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${JSON.stringify(value)}: ${why}`,
});

const required = (field: string): StatusCause => ({ reason: 'FieldValueRequired', field, message: 'Required value' });

function nameProblem(kind: string, name: string): string | undefined {
  if (SEGMENT_NAMED.has(kind)) {
    if (name === '.' || name === '..') return `may not be '${name}'`;
    return /[/%]/.test(name) ? "may not contain '/' or '%'" : undefined;
  }
  if (LABEL_NAMED.has(kind)) {
    return name.length <= 63 && DNS_LABEL.test(name)
      ? undefined
      : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  }
  return name.length <= 253 && DNS_SUBDOMAIN.test(name)
    ? undefined
    : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
}

/** Checks the envelope every object needs, before its kind is even looked up. */
export function validateEnvelope(object: unknown): StatusCause[] {
  if (!isObject(object)) return [{ reason: 'FieldValueInvalid', message: 'the object must be a JSON object' }];
  const causes: StatusCause[] = [];
  if (typeof object['apiVersion'] !== 'string' || object['apiVersion'] === '') causes.push(required('apiVersion'));
  if (typeof object['kind'] !== 'string' || object['kind'] === '') causes.push(required('kind'));
  const metadata = object['metadata'];
  if (!isObject(metadata)) causes.push(required('metadata'));
  else if (typeof metadata['name'] !== 'string' || metadata['name'] === '') causes.push(required('metadata.name'));
  return causes;
}

/** Checks an object of a known type; `namespace` is the one it will live in, if namespaced. */
export function validateObject(object: Record<string, unknown>, type: ResourceType): StatusCause[] {
  const causes: StatusCause[] = [];
  const metadata = object['metadata'] as Record<string, unknown>;
  const name = metadata['name'] as string;
  const problem = nameProblem(type.kind, name);
  if (problem !== undefined) causes.push(invalid('metadata.name', name, problem));
  const namespace = metadata['namespace'];
  if (namespace !== undefined) {
    if (!type.namespaced) {
      causes.push({ reason: 'FieldValueForbidden', field: 'metadata.namespace', message: `Forbidden: not allowed on this type (${type.kind} is cluster-scoped)` });
    } else if (typeof namespace !== 'string' || namespace.length > 63 || !DNS_LABEL.test(namespace)) {
      causes.push(invalid('metadata.namespace', namespace, 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\''));
    }
  }
  causes.push(...validateStringMap(metadata['labels'], 'metadata.labels', true));
  causes.push(...validateStringMap(metadata['annotations'], 'metadata.annotations', false));
  return causes;
}

function validateStringMap(map: unknown, field: string, checkValues: boolean): StatusCause[] {
  if (map === undefined || map === null) return [];
  if (!isObject(map)) return [invalid(field, map, 'must be a map of strings')];
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(map)) {
    if (!validLabelKey(key)) {
      causes.push(invalid(field, key, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'"));
    }
    if (typeof value !== 'string') causes.push(invalid(`${field}.${key}`, value, 'must be a string'));
    else if (checkValues && !validLabelValue(value)) {
      causes.push(invalid(`${field}.${key}`, value, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)"));
    }
  }
  return causes;
}
