/**
 * Resolves what an operator names — a branch, a tag, or a full SHA — to the commit SHA the
 * fleet's repository has for it, with `git ls-remote`'s protocol (isomorphic-git). A full SHA is
 * taken as given: Git servers do not say whether they hold an arbitrary commit, and an agent
 * that cannot fetch it reports the rollout's failure itself.
 */
import { listServerRefs } from 'isomorphic-git';
import { fetchHttp } from '../../../shared/src/git/http-client.js';
import { FleetError, describeError } from '../../../shared/src/errors.js';

export type RevisionResolver = (ref: string) => Promise<string>;

export interface GitRevisionsOptions {
  url: string;
  auth?: { username: string; password: string };
  timeoutMs?: number;
}

export function gitRevisions({ url, auth, timeoutMs = 30_000 }: GitRevisionsOptions): RevisionResolver {
  const safeUrl = url.replace(/\/\/[^@/]*@/, '//');
  return async (ref) => {
    if (/^[0-9a-f]{40}$/.test(ref)) return ref;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new FleetError('transient', `${safeUrl} did not answer within ${timeoutMs} ms`)), timeoutMs);
    const http = fetchHttp({ signal: controller.signal, connectTimeoutMs: timeoutMs, onConnectTimeout: () => controller.abort() });
    try {
      const refs = await listServerRefs({
        http: http.client,
        url,
        protocolVersion: 2,
        peelTags: true,
        ...(auth ? { onAuth: () => auth } : {}),
      });
      const wanted = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
      for (const name of wanted) {
        const found = refs.find((r) => r.ref === name);
        // An annotated tag points at a tag object; `peeled` is its commit.
        if (found) return found.peeled ?? found.oid;
      }
      throw new FleetError('not-found', `${safeUrl} has no branch or tag "${ref}"`);
    } catch (error) {
      if (error instanceof FleetError) throw error;
      throw new FleetError('transient', `cannot list the refs of ${safeUrl}: ${describeError(controller.signal.reason ?? error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
      http.close();
    }
  };
}
