import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Logger } from 'pino';

/**
 * A smart-HTTP Git server for tests, demos and benchmarks: system `git http-backend` run as a
 * CGI program per request behind node:http, serving every bare repository under `root`.
 * Protocol v2 (the `Git-Protocol` header) and gzip request bodies are passed through to
 * http-backend, which handles both itself.
 */

export interface GitServerOptions {
  /** Directory holding bare repositories; `repoUrl(name)` serves `root/name`. */
  root: string;
  /** Defaults to 0 (a free port). */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** When set, every request needs HTTP Basic credentials equal to these. */
  auth?: { username: string; password: string };
  /**
   * Accept pushes (receive-pack). Defaults to true: this server exists for tests and demos that
   * push commits through it. When false, receive-pack is refused here and disabled in
   * http-backend as well (which would otherwise allow it to any authenticated user).
   */
  allowPush?: boolean;
  logger?: Logger;
}

export interface GitServerStats {
  requests: number;
  /** Response body bytes written to clients (headers not counted). */
  bytesSent: number;
}

export interface GitServer {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  repoUrl(name: string): string;
  stats(): GitServerStats;
  /** Stops listening, drops keep-alive connections and kills running backends. */
  close(): Promise<void>;
}

/** Native git from PATH: the project needs it for the Git server and fixtures (README). */
const GIT = 'git';

export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'git-server' });
  const allowPush = options.allowPush ?? true;
  const backends = new Set<ChildProcess>();
  const stats: GitServerStats = { requests: 0, bytesSent: 0 };

  const server = createServer((req, res) => {
    stats.requests++;
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, 'git request failed');
      if (!res.headersSent) reply(res, 500, 'internal error\n');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'POST') {
      return reply(res, 405, 'method not allowed\n');
    }
    // The raw target, not a parsed URL: WHATWG parsing would resolve `..` before we could see it.
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const pathInfo = safePathInfo(queryAt < 0 ? target : target.slice(0, queryAt));
    if (pathInfo === undefined) return reply(res, 400, 'bad path\n');
    const query = queryAt < 0 ? '' : target.slice(queryAt + 1);

    let remoteUser: string | undefined;
    if (options.auth) {
      remoteUser = checkBasicAuth(req.headers.authorization, options.auth);
      if (remoteUser === undefined) {
        res.setHeader('WWW-Authenticate', 'Basic realm="git"');
        return reply(res, 401, 'authentication required\n');
      }
    }
    const isPush =
      pathInfo.endsWith('/git-receive-pack') || new URLSearchParams(query).get('service') === 'git-receive-pack';
    if (isPush && !allowPush) return reply(res, 403, 'push is disabled on this server\n');

    await runBackend(req, res, {
      pathInfo,
      query,
      remoteUser,
    });
  }

  function runBackend(
    req: IncomingMessage,
    res: ServerResponse,
    request: { pathInfo: string; query: string; remoteUser: string | undefined },
  ): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      // The backend must not pick up the machine's or the user's git configuration.
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.receivepack',
      GIT_CONFIG_VALUE_0: allowPush ? 'true' : 'false',
      GIT_PROJECT_ROOT: options.root,
      GIT_HTTP_EXPORT_ALL: '1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: request.pathInfo,
      QUERY_STRING: request.query,
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
    };
    if (request.remoteUser !== undefined) env['REMOTE_USER'] = request.remoteUser;
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const contentType = header('content-type');
    if (contentType !== undefined) env['CONTENT_TYPE'] = contentType;
    // Without CONTENT_LENGTH (a chunked body) http-backend reads standard input to its end.
    const contentLength = header('content-length');
    if (contentLength !== undefined) env['CONTENT_LENGTH'] = contentLength;
    const encoding = header('content-encoding');
    if (encoding !== undefined) env['HTTP_CONTENT_ENCODING'] = encoding;
    const protocol = header('git-protocol');
    if (protocol !== undefined) env['HTTP_GIT_PROTOCOL'] = protocol;

    const child = spawn(GIT, ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    backends.add(child);
    const stderr: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // The backend may exit before reading the whole body (e.g. on a refused request).
    child.stdin.on('error', () => undefined);
    req.pipe(child.stdin);
    res.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    return new Promise<void>((resolve, reject) => {
      const parser = new CgiHeaderParser();
      child.stdout.on('data', (chunk: Buffer) => {
        let body: Buffer | undefined = chunk;
        if (!parser.done) {
          body = parser.push(chunk);
          if (!parser.done) return;
          res.writeHead(parser.status, parser.statusText, parser.headers);
        }
        if (body !== undefined && body.length > 0) {
          stats.bytesSent += body.length;
          if (!res.write(body)) {
            child.stdout.pause();
            res.once('drain', () => child.stdout.resume());
          }
        }
      });
      child.on('error', reject);
      child.on('close', (code, signal) => {
        backends.delete(child);
        const message = Buffer.concat(stderr).toString('utf8').trim();
        if (message !== '' || code !== 0) {
          logger.debug({ code, signal, path: request.pathInfo, stderr: message }, 'http-backend finished');
        }
        if (!parser.done) {
          if (!res.headersSent && !res.destroyed) reply(res, 502, 'git backend gave no response\n');
        } else {
          res.end();
        }
        resolve();
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const base = `http://${host}:${address.port}`;
  logger.debug({ url: base, root: options.root, allowPush }, 'git server listening');
  let closing: Promise<void> | undefined;

  return {
    url: base,
    repoUrl: (name) => `${base}/${name.split('/').map(encodeURIComponent).join('/')}`,
    stats: () => ({ ...stats }),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const child of backends) child.kill('SIGKILL');
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The decoded request path if it stays inside the root, otherwise undefined. */
export function safePathInfo(pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return undefined;
  if (decoded.split('/').some((segment) => segment === '..')) return undefined;
  return decoded;
}

/** The user name when the header carries the expected credentials, otherwise undefined. */
function checkBasicAuth(
  header: string | undefined,
  expected: { username: string; password: string },
): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const userOk = constantTimeEqual(decoded.slice(0, colon), expected.username);
  const passwordOk = constantTimeEqual(decoded.slice(colon + 1), expected.password);
  return userOk && passwordOk ? expected.username : undefined;
}

/** Compares digests so neither the content nor the length of the secret leaks through timing. */
function constantTimeEqual(actual: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(actual), digest(expected));
}

/** Splits CGI output into its header block (Status: and the rest) and the body. */
class CgiHeaderParser {
  done = false;
  status = 200;
  statusText = 'OK';
  headers: Record<string, string | string[]> = {};
  private buffered = Buffer.alloc(0);

  /** Feeds a chunk; once the header block is complete, returns the body bytes that followed it. */
  push(chunk: Buffer): Buffer | undefined {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const crlf = this.buffered.indexOf('\r\n\r\n');
    const lf = this.buffered.indexOf('\n\n');
    let end: number;
    let separator: number;
    if (crlf >= 0 && (lf < 0 || crlf < lf)) [end, separator] = [crlf, 4];
    else if (lf >= 0) [end, separator] = [lf, 2];
    else return undefined;
    for (const line of this.buffered.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') {
        const [code, ...text] = value.split(' ');
        this.status = Number(code) || 500;
        this.statusText = text.join(' ') || 'Status';
        continue;
      }
      const existing = this.headers[name];
      if (existing === undefined) this.headers[name] = value;
      else this.headers[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
    this.done = true;
    const body = this.buffered.subarray(end + separator);
    this.buffered = Buffer.alloc(0);
    return body;
  }
}
