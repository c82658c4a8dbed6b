/**
 * The kustomization file: every field this renderer supports, strictly. kustomize reads the file
 * with sigs.k8s.io/yaml (YAML 1.1, scalars converted to strings where a string is expected), so
 * `newTag: 1.10` means "1.1" there too. A field kustomize knows but this renderer does not
 * implement is refused by name rather than ignored, so nothing renders differently in silence.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { ScalarReading } from './simple-yaml-scalars.js';
import { readSimpleYaml } from './simple-yaml.js';
import { KustomizeError } from './types.js';

/** A string field as sigs.k8s.io/yaml fills it from any scalar. */
const goString = z.union([z.string(), z.boolean(), z.bigint(), z.number()]).transform((value) => {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return formatFloat32(value);
});

const stringMap = z.record(z.string(), goString);
const pathList = z.array(goString);

const imageSchema = z.strictObject({
  name: goString,
  newName: goString.optional(),
  newTag: goString.optional(),
  digest: goString.optional(),
});

const replicaSchema = z.strictObject({ name: goString, count: z.union([z.number().int(), z.bigint()]).transform(Number) });

const labelSchema = z.strictObject({
  pairs: stringMap.optional(),
  includeSelectors: z.boolean().optional(),
  includeTemplates: z.boolean().optional(),
});

const targetSchema = z.strictObject({
  group: goString.optional(),
  version: goString.optional(),
  kind: goString.optional(),
  name: goString.optional(),
  namespace: goString.optional(),
  labelSelector: goString.optional(),
  annotationSelector: goString.optional(),
});

const patchSchema = z.strictObject({
  path: goString.optional(),
  patch: goString.optional(),
  target: targetSchema.optional(),
  options: z.strictObject({ allowNameChange: z.boolean().optional(), allowKindChange: z.boolean().optional() }).optional(),
});

const json6902Schema = z.strictObject({
  path: goString.optional(),
  patch: goString.optional(),
  target: targetSchema.extend({ name: goString }),
});

const generatorOptionsSchema = z.strictObject({
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  disableNameSuffixHash: z.boolean().optional(),
  immutable: z.boolean().optional(),
});

const generatorSchema = z.strictObject({
  name: goString,
  namespace: goString.optional(),
  behavior: z.enum(['create', 'merge', 'replace']).optional(),
  literals: pathList.optional(),
  files: pathList.optional(),
  envs: pathList.optional(),
  env: goString.optional(),
  options: generatorOptionsSchema.optional(),
  type: goString.optional(),
});

export const kustomizationSchema = z.strictObject({
  apiVersion: z.enum(['kustomize.config.k8s.io/v1beta1', 'kustomize.config.k8s.io/v1alpha1']).optional(),
  kind: z.enum(['Kustomization', 'Component']).optional(),
  metadata: z.strictObject({ name: goString.optional(), annotations: stringMap.optional(), labels: stringMap.optional() })
    .optional(),
  resources: pathList.optional(),
  bases: pathList.optional(),
  components: pathList.optional(),
  namespace: goString.optional(),
  namePrefix: goString.optional(),
  nameSuffix: goString.optional(),
  commonLabels: stringMap.optional(),
  labels: z.array(labelSchema).optional(),
  commonAnnotations: stringMap.optional(),
  images: z.array(imageSchema).optional(),
  replicas: z.array(replicaSchema).optional(),
  patches: z.array(patchSchema).optional(),
  patchesStrategicMerge: pathList.optional(),
  patchesJson6902: z.array(json6902Schema).optional(),
  configMapGenerator: z.array(generatorSchema).optional(),
  secretGenerator: z.array(generatorSchema).optional(),
  generatorOptions: generatorOptionsSchema.optional(),
  sortOptions: z.strictObject({
    order: z.enum(['legacy', 'fifo']),
    legacySortOptions: z.unknown().optional(),
  }).optional(),
});

export type Kustomization = z.infer<typeof kustomizationSchema>;
export type ImageRule = z.infer<typeof imageSchema>;
export type ReplicaRule = z.infer<typeof replicaSchema>;
export type LabelRule = z.infer<typeof labelSchema>;

/** Fields kustomize v5.5 knows that this renderer does not implement. */
const UNSUPPORTED = new Set([
  'vars', 'replacements', 'transformers', 'generators', 'validators', 'crds', 'configurations', 'openapi',
  'helmCharts', 'helmGlobals', 'helmChartInflationGenerator', 'buildMetadata', 'inventory', 'patchesJson6902Targets',
  'imageTags',
]);

const YAML_OPTIONS = { version: '1.1', uniqueKeys: true, intAsBigInt: true, prettyErrors: true } as const;

/** The patterns by which the kustomization's YAML 1.1 schema reads a plain scalar as something other than a string. */
const TYPED_PLAIN: readonly RegExp[] = parseDocument('', YAML_OPTIONS).schema.tags.flatMap((tag) => (tag.default && tag.test ? [tag.test] : []));

const isPlainString = (text: string): boolean => !TYPED_PLAIN.some((pattern) => pattern.test(text));

/**
 * A kustomization in the simple reader's subset whose plain scalars all read as strings (most
 * do: paths, names, labels) is read by it; anything else by the `yaml` package.
 */
export const KUSTOMIZATION_READING: ScalarReading = {
  plain: (text) => (isPlainString(text) ? text : undefined),
  plainKey: isPlainString,
  topRole: undefined,
  singleDocument: true,
};

export function parseKustomization(file: string, text: string): Kustomization {
  let raw = readSimpleYaml(text, KUSTOMIZATION_READING)?.[0]?.value ?? readWithYamlPackage(file, text);
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new KustomizeError(file, 'a kustomization must be a mapping');
  for (const field of Object.keys(raw)) {
    if (UNSUPPORTED.has(field)) {
      throw new KustomizeError(file, `field "${field}" is not supported by this renderer; remove it or render with kubectl`);
    }
  }
  const parsed = kustomizationSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.');
    const message = issue.code === 'unrecognized_keys'
      ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${[...issue.path, k].join('.')}"`).join(', ')}`
      : `${where === '' ? '' : `${where}: `}${issue.message}`;
    throw new KustomizeError(file, message);
  }
  return parsed.data;
}

/** The reading of any kustomization, and the reference the simple reader is tested against. */
export function readWithYamlPackage(file: string, text: string): unknown {
  const document = parseDocument(text, YAML_OPTIONS);
  const problem = document.errors[0];
  if (problem) throw new KustomizeError(file, problem.message.split('\n')[0] ?? problem.message, problem.linePos?.[0].line);
  try {
    return document.toJS({ maxAliasCount: 200 });
  } catch (error) {
    throw new KustomizeError(file, (error as Error).message);
  }
}

/** strconv.FormatFloat(f, 'g', -1, 32): the shortest digits that identify the float32. */
function formatFloat32(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
  const f = Math.fround(value);
  if (f === 0) return '0';
  let digits = '';
  for (let precision = 1; precision <= 9; precision++) {
    digits = f.toExponential(precision - 1);
    if (Math.fround(Number(digits)) === f) break;
  }
  const [mantissa, exponentText] = digits.split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const negative = mantissa.startsWith('-');
  const plain = mantissa.replace('-', '').replace('.', '');
  const point = exponent + 1;
  const text = point <= 0 ? `0.${'0'.repeat(-point)}${plain}`
    : point >= plain.length ? plain + '0'.repeat(point - plain.length)
    : `${plain.slice(0, point)}.${plain.slice(point)}`;
  return negative ? `-${text}` : text;
}
