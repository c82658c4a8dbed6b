import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { IsomorphicGitSource } from '../shared/src/git/isomorphic-git-source.js';
import { branchHead, commitFiles, createBareRepo, runGit } from '../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../simulators/src/git-server/git-server.js';
import type { GitServerOptions } from '../simulators/src/git-server/git-server.js';
import { expectKind } from './git-contract.js';
import { makeTempDir } from './support/temp-dir.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A temp dir with one bare repository holding one commit, served by a fresh git server. */
async function serve(options: Partial<GitServerOptions> = {}) {
  const temp = makeTempDir('git-server');
  cleanups.push(temp.remove);
  const root = join(temp.dir, 'repos');
  const repo = await createBareRepo(root, 'fleet.git');
  const head = await commitFiles(repo, { branch: 'main', files: { 'deploy/app.yaml': 'replicas: 1\n' } });
  const server = await startGitServer({ root, ...options });
  cleanups.push(() => server.close());
  return { dir: temp.dir, repo, head, server, url: server.repoUrl('fleet.git') };
}

function raw(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = request({ hostname, port, path, method: options.method ?? 'GET', headers: options.headers, agent: false });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.end(options.body);
  });
}

const pkt = (line: string): string => `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('git server', () => {
  it('serves native git clone and ls-remote (protocol v2) and counts the traffic', async () => {
    const { dir, head, server, url } = await serve();
    expect(await runGit(['-c', 'protocol.version=2', 'ls-remote', url])).toContain(`${head}\trefs/heads/main`);
    await runGit(['clone', '--quiet', url, join(dir, 'clone')]);
    expect(readFileSync(join(dir, 'clone', 'deploy/app.yaml'), 'utf8')).toBe('replicas: 1\n');
    expect(server.stats().requests).toBeGreaterThanOrEqual(3);
    expect(server.stats().bytesSent).toBeGreaterThan(0);
  });

  it('passes the Git-Protocol header through to http-backend', async () => {
    const { server } = await serve();
    const v2 = await raw(server.url, '/fleet.git/info/refs?service=git-upload-pack', {
      headers: { 'Git-Protocol': 'version=2' },
    });
    expect(v2.status).toBe(200);
    expect(v2.headers['content-type']).toBe('application/x-git-upload-pack-advertisement');
    expect(v2.body.toString('latin1')).toContain('version 2');
  });

  it('accepts gzip-encoded request bodies', async () => {
    const { head, server } = await serve();
    const body = gzipSync(Buffer.from(`${pkt(`want ${head}\n`)}0000${pkt('done\n')}`));
    const res = await raw(server.url, '/fleet.git/git-upload-pack', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-git-upload-pack-request', 'Content-Encoding': 'gzip' },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.body.toString('latin1')).toContain('PACK');
  });

  it('accepts pushes by default', async () => {
    const { dir, repo, server, url } = await serve();
    const clone = join(dir, 'clone');
    await runGit(['clone', '--quiet', url, clone]);
    await runGit(['-C', clone, 'commit', '--quiet', '--allow-empty', '-m', 'pushed over HTTP']);
    await runGit(['-C', clone, 'push', '--quiet', 'origin', 'main']);
    const pushed = (await runGit(['-C', clone, 'rev-parse', 'HEAD'])).trim();
    expect(await branchHead(repo, 'main')).toBe(pushed);
    const source = new IsomorphicGitSource({ url: server.repoUrl('fleet.git'), dir: join(dir, 'cache') });
    expect(await source.fetchBranchHead('main')).toBe(pushed);
  });

  it('accepts a push larger than the git client post buffer (a chunked request body)', async () => {
    const { dir, repo, url } = await serve();
    const clone = join(dir, 'clone');
    await runGit(['clone', '--quiet', url, clone]);
    // Random bytes do not compress, so the pack exceeds the 1 MiB http.postBuffer.
    writeFileSync(join(clone, 'big.bin'), randomBytes(1536 * 1024));
    await runGit(['-C', clone, 'add', 'big.bin']);
    await runGit(['-C', clone, 'commit', '--quiet', '-m', 'big']);
    await runGit(['-C', clone, 'push', '--quiet', 'origin', 'main']);
    expect(await branchHead(repo, 'main')).toBe((await runGit(['-C', clone, 'rev-parse', 'HEAD'])).trim());
  });

  it('refuses pushes when allowPush is false', async () => {
    const { dir, repo, head, server, url } = await serve({ allowPush: false });
    const clone = join(dir, 'clone');
    await runGit(['clone', '--quiet', url, clone]);
    await runGit(['-C', clone, 'commit', '--quiet', '--allow-empty', '-m', 'refused']);
    await expect(runGit(['-C', clone, 'push', '--quiet', 'origin', 'main'])).rejects.toThrow(/403/);
    expect(await branchHead(repo, 'main')).toBe(head);
    expect((await raw(server.url, '/fleet.git/info/refs?service=git-receive-pack')).status).toBe(403);
  });

  it('refuses paths that leave the root', async () => {
    const { server } = await serve();
    for (const path of [
      '/../repos/fleet.git/info/refs?service=git-upload-pack',
      '/fleet.git/../../etc/info/refs?service=git-upload-pack',
      '/%2e%2e/repos/fleet.git/info/refs?service=git-upload-pack',
      '/fleet.git/..%2f..%2finfo/refs',
    ]) {
      expect((await raw(server.url, path)).status, path).toBe(400);
    }
  });

  it('answers 404 for a repository that does not exist', async () => {
    const { server } = await serve();
    expect((await raw(server.url, '/nope.git/info/refs?service=git-upload-pack')).status).toBe(404);
  });
});

describe('git server with Basic auth', () => {
  const auth = { username: 'agent', password: 's3cret' };

  it('refuses missing or wrong credentials with 401 and a Basic challenge', async () => {
    const { server, url } = await serve({ auth });
    const path = '/fleet.git/info/refs?service=git-upload-pack';
    const none = await raw(server.url, path);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="git"');
    expect((await raw(server.url, path, { headers: { Authorization: basic('agent', 'wrong') } })).status).toBe(401);
    expect((await raw(server.url, path, { headers: { Authorization: basic('other', 's3cret') } })).status).toBe(401);
    expect((await raw(server.url, path, { headers: { Authorization: basic('agent', 's3cret') } })).status).toBe(200);
    await expect(runGit(['ls-remote', url])).rejects.toThrow();
  });

  it('accepts native git with the credentials in the URL', async () => {
    const { dir, head, server } = await serve({ auth });
    const url = server.repoUrl('fleet.git').replace('http://', 'http://agent:s3cret@');
    expect(await runGit(['ls-remote', url])).toContain(head);
    await runGit(['clone', '--quiet', url, join(dir, 'clone')]);
    expect(readFileSync(join(dir, 'clone', 'deploy/app.yaml'), 'utf8')).toBe('replicas: 1\n');
  });

  it('accepts IsomorphicGitSource with the right credentials, and names the URL but not the secret otherwise', async () => {
    const { dir, head, server, url } = await serve({ auth });
    const good = new IsomorphicGitSource({ url, dir: join(dir, 'good'), auth });
    expect(await good.fetchBranchHead('main')).toBe(head);

    const wrong = new IsomorphicGitSource({ url, dir: join(dir, 'wrong'), auth: { username: 'agent', password: 'nope-secret' } });
    const error = await expectKind(wrong.fetchBranchHead('main'), 'validation');
    expect(error.message).toContain(url);
    expect(error.message).toContain('401');
    expect(error.message).not.toContain('nope-secret');

    const inUrl = url.replace('http://', 'http://agent:leaked-secret@');
    const missing = new IsomorphicGitSource({ url: inUrl, dir: join(dir, 'in-url') });
    const urlError = await expectKind(missing.fetchBranchHead('main'), 'validation');
    expect(urlError.message).toContain(url);
    expect(urlError.message).not.toContain('leaked-secret');
    expect(urlError.message).toContain('credentials were rejected');

    const anonymous = new IsomorphicGitSource({ url: server.repoUrl('fleet.git'), dir: join(dir, 'anon') });
    expect((await expectKind(anonymous.fetchBranchHead('main'), 'validation')).message).toContain('needs credentials');
  });

  it('sends a token as the Basic password', async () => {
    const { dir, head, url } = await serve({ auth: { username: 'x-access-token', password: 'tok-123' } });
    const source = new IsomorphicGitSource({ url, dir: join(dir, 'cache'), auth: { token: 'tok-123' } });
    expect(await source.fetchBranchHead('main')).toBe(head);
  });
});

describe('IsomorphicGitSource timeout', () => {
  it('gives up on a server that accepts the connection and never answers', async () => {
    const temp = makeTempDir('git-timeout');
    cleanups.push(temp.remove);
    const sockets = new Set<Socket>();
    const closed: Array<Promise<unknown>> = [];
    const silent = createServer((socket) => {
      sockets.add(socket);
      // Read and discard the request, or the socket never notices the client hanging up.
      socket.resume();
      closed.push(once(socket, 'close'));
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const { port } = silent.address() as AddressInfo;

    const source = new IsomorphicGitSource({
      url: `http://127.0.0.1:${port}/fleet.git`,
      dir: join(temp.dir, 'cache'),
      timeoutMs: 300,
    });
    const started = Date.now();
    const error = await expectKind(source.fetchBranchHead('main'), 'transient');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.message).toMatch(/timed out after 300 ms/);
    // The client hung up: its socket to the silent server is closed, not left dangling.
    expect(sockets.size).toBe(1);
    await Promise.all(closed);
  });

  it('fails fast when the server does not accept the TCP connection (connect timeout)', async () => {
    const temp = makeTempDir('git-connect');
    cleanups.push(temp.remove);
    // A listener in a child process whose event loop is blocked never accepts: once its accept
    // queue (backlog 1: two connections) is full, the kernel drops further SYNs and connects hang.
    const child = spawn(process.execPath, ['-e', STALLED_LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => void child.kill('SIGKILL'));
    const [data] = (await once(child.stdout, 'data')) as [Buffer];
    const port = Number(data.toString('utf8').trim());
    const fillers = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    cleanups.push(() => fillers.forEach((socket) => socket.destroy()));
    await Promise.all(fillers.map((socket) => once(socket, 'connect')));

    const source = new IsomorphicGitSource({
      url: `http://127.0.0.1:${port}/fleet.git`,
      dir: join(temp.dir, 'cache'),
      timeoutMs: 10_000,
      connectTimeoutMs: 200,
    });
    const started = Date.now();
    const error = await expectKind(source.fetchBranchHead('main'), 'transient');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error.message).toMatch(/did not accept a connection within 200 ms/);
  });
});

/**
 * Listens with a backlog of 1, writes the port (synchronously), then blocks its event loop at once
 * so that it never accepts: were the loop to run again, it would accept the test's connections.
 */
const STALLED_LISTENER = `
const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  require('node:fs').writeSync(1, server.address().port + '\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});
`;
