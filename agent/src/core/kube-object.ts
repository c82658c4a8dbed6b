/**
 * Kubernetes objects as the agent handles them: plain JSON exactly as the API server speaks it
 * (no typed models that could drop fields), and the reference that names one object. Pure.
 */

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  [field: string]: unknown;
}

export interface KubeMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  managedFields?: ManagedFieldsEntry[];
  [field: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  /** Set when the write went through a subresource, e.g. `status` for a controller's status update. */
  subresource?: string;
}

/** Identifies one object. `namespace` is absent for cluster-scoped kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export const refOf = (object: KubeObject): ObjectRef => ({
  apiVersion: object.apiVersion,
  kind: object.kind,
  name: object.metadata.name,
  ...(object.metadata.namespace !== undefined ? { namespace: object.metadata.namespace } : {}),
});

export const describeRef = (ref: ObjectRef): string =>
  `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} (${ref.apiVersion})`;
