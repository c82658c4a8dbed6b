/**
 * The `images` field: rewrites the image of every container and init container whose image name
 * matches, anywhere in the object (kustomize's legacy image filter walks every `containers` and
 * `initContainers` list). Image references are split as kustomize splits them: the tag colon
 * is searched after the first slash so a registry port is not mistaken for a tag.
 */
import { isContainer } from './field-specs.js';
import type { ImageRule } from './kustomization.js';
import type { Resource } from './types.js';

export function setImages(resources: readonly Resource[], rules: readonly ImageRule[]): Resource[] {
  if (rules.length === 0) return [...resources];
  return resources.map((resource) => {
    const object = structuredClone(resource.object);
    for (const rule of rules) visit(object, rule);
    return { ...resource, object };
  });
}

function visit(node: unknown, rule: ImageRule): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, rule);
    return;
  }
  if (!isContainer(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      for (const container of value) {
        if (isContainer(container) && typeof container['image'] === 'string') {
          container['image'] = updateImage(container['image'], rule);
        }
      }
    }
    visit(value, rule);
  }
}

export function updateImage(image: string, rule: ImageRule): string {
  if (!imageMatches(image, rule.name)) return image;
  let { name, tag, digest } = splitImage(image);
  if (rule.newName) name = rule.newName;
  if (rule.newTag && rule.digest) {
    tag = rule.newTag;
    digest = rule.digest;
  } else if (rule.newTag) {
    tag = rule.newTag;
    digest = '';
  } else if (rule.digest) {
    tag = '';
    digest = rule.digest;
  }
  return `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

/** kustomize compiles the rule's name into a pattern as written (it is not escaped there either). */
function imageMatches(image: string, name: string): boolean {
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^${name}(@sha256)?(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9]*)?$`);
  } catch {
    return false;
  }
  return pattern.test(image);
}

export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf('/');
  const offset = slash > 0 ? slash : 0;
  const search = image.slice(offset);
  const at = search.indexOf('@');
  const colon = search.indexOf(':');
  if (colon < 0 && at < 0) return { name: image, tag: '', digest: '' };
  if (at >= 0 && (at < colon || colon < 0)) {
    return { name: image.slice(0, at + offset), tag: '', digest: image.slice(at + offset + 1) };
  }
  if (at >= 0 && colon >= 0) {
    return { name: image.slice(0, colon + offset), tag: image.slice(colon + offset + 1, at + offset), digest: image.slice(at + offset + 1) };
  }
  return { name: image.slice(0, colon + offset), tag: image.slice(colon + offset + 1), digest: '' };
}
