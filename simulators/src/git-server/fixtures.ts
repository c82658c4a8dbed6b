import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Native-git helpers for tests and the demo: bare repositories and commits made with plumbing
 * (one `git fast-import` per commit, no worktree, no checkout), in an environment isolated from
 * the machine's git configuration so results do not depend on who runs them.
 */

/** Native git from PATH: the project needs it for the Git server and fixtures (README). */
const GIT = 'git';

export const FIXTURE_AUTHOR = { name: 'Fleet Fixtures', email: 'fixtures@fleet.invalid' } as const;

/**
 * A file's content in a commit. `null` deletes the path; the object forms make the entries that
 * agents must refuse (symlinks, submodules) or executables.
 */
export type FixtureFile =
  | string
  | Uint8Array
  | null
  | { executable: string | Uint8Array }
  | { symlink: string }
  | { submodule: string };

export interface CommitFilesOptions {
  branch: string;
  message?: string;
  /** Paths are taken as given (not sanitized), so a test can build a hostile tree on purpose. */
  files: Record<string, FixtureFile>;
  /** The commit's tree is exactly `files` instead of the parent's tree with `files` applied. */
  replace?: boolean;
  /** Author and committer date; fixed dates make shas reproducible. Defaults to now. */
  date?: Date;
}

export interface CommitDirectoryOptions {
  branch: string;
  message?: string;
  /** Directory on disk to commit; `.git` directories inside it are skipped. */
  sourceDir: string;
  /** Where the directory goes in the repository; defaults to the root. */
  targetPath?: string;
  /** Replace what was at `targetPath` (default true) rather than overlaying on it. */
  replace?: boolean;
  date?: Date;
}

/** An environment for native git that ignores system and user configuration. */
export function isolatedGitEnv(date?: Date): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    // A test must fail on missing credentials, never wait for someone to type them.
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    GIT_AUTHOR_NAME: FIXTURE_AUTHOR.name,
    GIT_AUTHOR_EMAIL: FIXTURE_AUTHOR.email,
    GIT_COMMITTER_NAME: FIXTURE_AUTHOR.name,
    GIT_COMMITTER_EMAIL: FIXTURE_AUTHOR.email,
  };
  if (date) {
    const raw = `${Math.floor(date.getTime() / 1000)} +0000`;
    env['GIT_AUTHOR_DATE'] = raw;
    env['GIT_COMMITTER_DATE'] = raw;
  }
  return env;
}

export interface RunGitOptions {
  cwd?: string;
  input?: Buffer | string;
  env?: NodeJS.ProcessEnv;
}

/** Runs native git in the isolated environment; resolves with standard output, rejects with stderr. */
export function runGit(args: readonly string[], options: RunGitOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(GIT, args, {
      cwd: options.cwd,
      env: { ...isolatedGitEnv(), ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const out = Buffer.concat(stdout).toString('utf8');
      if (code === 0) return resolve(out);
      const err = Buffer.concat(stderr).toString('utf8').trim();
      reject(new Error(`git ${args[0] ?? ''} failed (${signal ?? `exit ${code}`}): ${err}`));
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Creates an empty bare repository at `root/name` (the name may end in `.git`) and returns its path. */
export async function createBareRepo(root: string, name: string, options: { branch?: string } = {}): Promise<string> {
  const path = join(root, name);
  await mkdir(path, { recursive: true });
  await runGit(['init', '--quiet', '--bare', `--initial-branch=${options.branch ?? 'main'}`, path]);
  return path;
}

/** Commits `files` onto `branch` of a bare repository (creating the branch if needed); returns the sha. */
export async function commitFiles(barePath: string, options: CommitFilesOptions): Promise<string> {
  return writeCommit(barePath, {
    ...options,
    clear: options.replace ? '' : undefined,
  });
}

/** Commits a directory from disk into a bare repository; returns the commit sha. */
export async function commitDirectory(barePath: string, options: CommitDirectoryOptions): Promise<string> {
  const target = (options.targetPath ?? '').replace(/^\/+|\/+$/g, '');
  const files: Record<string, FixtureFile> = {};
  for (const [path, file] of await readDirectory(options.sourceDir)) {
    files[target === '' ? path : `${target}/${path}`] = file;
  }
  return writeCommit(barePath, {
    branch: options.branch,
    message: options.message ?? `Update ${target === '' ? 'repository' : target} from ${options.sourceDir}`,
    files,
    date: options.date,
    clear: options.replace === false ? undefined : target,
  });
}

/**
 * An entry of a tree written byte for byte, for trees that no porcelain (nor fast-import) will
 * write: names containing `/` (an absolute-looking `/etc/passwd`), empty names, and so on.
 */
export type RawTreeEntry =
  | { name: string; content: string | Uint8Array; mode?: '100644' | '100755' | '120000' }
  | { name: string; tree: readonly RawTreeEntry[] };

/**
 * Commits a tree built from raw entries onto `branch` (on top of its head, if any); returns the
 * sha. The objects are written with `hash-object --literally`, which skips git's own checks.
 */
export async function commitRawTree(
  barePath: string,
  options: { branch: string; entries: readonly RawTreeEntry[]; message?: string; date?: Date },
): Promise<string> {
  const tree = await writeRawTree(barePath, options.entries);
  const parent = await branchHead(barePath, options.branch);
  const args = ['--git-dir', barePath, 'commit-tree', tree, '-m', options.message ?? 'Raw tree'];
  if (parent !== undefined) args.push('-p', parent);
  const sha = (await runGit(args, { env: isolatedGitEnv(options.date ?? new Date()) })).trim();
  await runGit(['--git-dir', barePath, 'update-ref', `refs/heads/${options.branch}`, sha]);
  return sha;
}

async function writeRawTree(barePath: string, entries: readonly RawTreeEntry[]): Promise<string> {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const [mode, oid] =
      'tree' in entry
        ? ['40000', await writeRawTree(barePath, entry.tree)]
        : [entry.mode ?? '100644', await hashObject(barePath, 'blob', Buffer.from(entry.content))];
    parts.push(Buffer.from(`${mode} ${entry.name}\0`, 'utf8'), Buffer.from(oid, 'hex'));
  }
  return hashObject(barePath, 'tree', Buffer.concat(parts));
}

async function hashObject(barePath: string, type: 'blob' | 'tree', content: Buffer): Promise<string> {
  const args = ['--git-dir', barePath, 'hash-object', '-w', '--literally', '-t', type, '--stdin'];
  return (await runGit(args, { input: content })).trim();
}

/** The sha `branch` points at, or undefined when the branch does not exist. */
export async function branchHead(barePath: string, branch: string): Promise<string | undefined> {
  try {
    const out = await runGit(['--git-dir', barePath, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
    return out.trim();
  } catch {
    return undefined;
  }
}

async function writeCommit(
  barePath: string,
  options: {
    branch: string;
    message?: string;
    files: Record<string, FixtureFile>;
    date?: Date | undefined;
    /** Path to empty before applying `files` (`''` is the whole tree); undefined keeps the parent's tree. */
    clear: string | undefined;
  },
): Promise<string> {
  const ref = `refs/heads/${options.branch}`;
  const parent = await branchHead(barePath, options.branch);
  const when = `${Math.floor((options.date ?? new Date()).getTime() / 1000)} +0000`;
  const identity = `${FIXTURE_AUTHOR.name} <${FIXTURE_AUTHOR.email}> ${when}`;
  let message = options.message ?? 'Update files';
  if (!message.endsWith('\n')) message += '\n';

  const chunks: Buffer[] = [];
  const line = (text: string): void => void chunks.push(Buffer.from(`${text}\n`, 'utf8'));
  const data = (content: string | Uint8Array): void => {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    line(`data ${bytes.length}`);
    chunks.push(bytes, Buffer.from('\n'));
  };
  line(`commit ${ref}`);
  line(`author ${identity}`);
  line(`committer ${identity}`);
  data(message);
  if (parent !== undefined) line(`from ${parent}`);
  if (options.clear === '') line('deleteall');
  else if (options.clear !== undefined) line(`D ${quotePath(options.clear)}`);
  for (const [path, file] of Object.entries(options.files)) {
    const quoted = quotePath(path);
    if (file === null) line(`D ${quoted}`);
    else if (typeof file === 'string' || file instanceof Uint8Array) {
      line(`M 100644 inline ${quoted}`);
      data(file);
    } else if ('executable' in file) {
      line(`M 100755 inline ${quoted}`);
      data(file.executable);
    } else if ('symlink' in file) {
      line(`M 120000 inline ${quoted}`);
      data(file.symlink);
    } else {
      line(`M 160000 ${file.submodule} ${quoted}`);
    }
  }
  line('done');
  await runGit(['--git-dir', barePath, 'fast-import', '--quiet', '--done'], { input: Buffer.concat(chunks) });
  const head = await branchHead(barePath, options.branch);
  if (head === undefined) throw new Error(`commit to ${barePath} ${ref} left no branch head`);
  return head;
}

/** C-style quoting, which fast-import accepts for every path. */
function quotePath(path: string): string {
  if (path === '' || path.includes('\0')) throw new Error(`invalid path in fixture commit: ${JSON.stringify(path)}`);
  return `"${path.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;
}

async function readDirectory(dir: string, prefix = ''): Promise<Map<string, FixtureFile>> {
  const files = new Map<string, FixtureFile>();
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name === '.git') continue;
      for (const [child, file] of await readDirectory(full, path)) files.set(child, file);
    } else if (entry.isSymbolicLink()) {
      files.set(path, { symlink: await readlink(full) });
    } else if (entry.isFile()) {
      const content = await readFile(full);
      const executable = ((await stat(full)).mode & 0o111) !== 0;
      files.set(path, executable ? { executable: content } : content);
    }
  }
  return files;
}
