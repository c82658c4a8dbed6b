/**
 * The `images` field: rewrites the image of every container and init container whose image name
 * matches, anywhere in the object (kustomize's legacy image filter walks every `containers` and
 * `initContainers` list). Image references are split as kustomize splits them: the tag colon
 * is searched after the first slash so a registry port is not mistaken for a tag.
 */
import { isContainer } from './field-specs.js';
import { cloneJson } from './json-value.js';
import type { ImageRule } from './kustomization.js';
import type { Resource } from './types.js';

export function setImages(resources: readonly Resource[], rules: readonly ImageRule[]): Resource[] {
  if (rules.length === 0) return [...resources];
  const compiled = rules.map((rule) => ({ rule, pattern: namePattern(rule.name) }));
  return resources.map((resource) => {
    // Most objects have no matching image: look first, copy only the objects that change.
    if (!compiled.some((image) => visit(resource.object, image, false))) return resource;
    const object = cloneJson(resource.object);
    for (const image of compiled) visit(object, image, true);
    return { ...resource, object };
  });
}

interface CompiledRule {
  rule: ImageRule;
  pattern: RegExp | undefined;
}

/** Whether an image in `node` changes under the rule; with `apply`, also changes it. */
function visit(node: unknown, image: CompiledRule, apply: boolean): boolean {
  let changed = false;
  if (Array.isArray(node)) {
    for (const item of node) {
      changed = visit(item, image, apply) || changed;
      if (changed && !apply) return true;
    }
    return changed;
  }
  if (!isContainer(node)) return false;
  for (const key of Object.keys(node)) {
    const value = node[key];
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      for (const container of value) {
        if (!isContainer(container) || typeof container['image'] !== 'string') continue;
        const updated = updateCompiled(container['image'], image);
        if (updated === container['image']) continue;
        if (!apply) return true;
        container['image'] = updated;
        changed = true;
      }
    }
    changed = visit(value, image, apply) || changed;
    if (changed && !apply) return true;
  }
  return changed;
}

export function updateImage(image: string, rule: ImageRule): string {
  return updateCompiled(image, { rule, pattern: namePattern(rule.name) });
}

function updateCompiled(image: string, { rule, pattern }: CompiledRule): string {
  if (!pattern?.test(image)) return image;
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

/**
 * kustomize compiles the rule's name into a pattern as written (it is not escaped there either);
 * a name that is no valid pattern matches nothing.
 */
function namePattern(name: string): RegExp | undefined {
  try {
    return new RegExp(`^${name}(@sha256)?(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9]*)?$`);
  } catch {
    return undefined;
  }
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
