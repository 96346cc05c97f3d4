import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { LIST_MANIFEST_FILE, LIST_SHARD_DIR } from '../core/list/list-manifest';

/*
 * `serve DIR` (issue 7): a published list over HTTP on 127.0.0.1, for trying a list locally and
 * for tests. It behaves as a well-configured static host should: validators (ETag,
 * Last-Modified) with 304s, long caching for the immutable shards, and CORS, because Elsewhere
 * fetches lists cross-origin without host permissions, so the browser hands it a response only
 * when the server allows any origin.
 */

/** Loopback only: this is for trying a list out, not for hosting it. */
const HOST = '127.0.0.1';

/** Shards are named by their SHA-256, so a cached copy can never be stale: a year, the longest HTTP caches honour. */
const SHARD_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** list.json changes on every publish: caches may keep it but must revalidate (a cheap 304) each time. */
const MANIFEST_CACHE_CONTROL = 'no-cache';
/**
 * How long a browser may reuse a preflight answer: ten minutes covers one update's requests in a
 * single preflight, and keeps a changed server configuration from lingering (browsers cap it at
 * 2 hours anyway).
 */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

const SHARD_PATH = new RegExp(`^${LIST_SHARD_DIR}/([0-9a-f]{64})\\.bin$`);

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
};

/** On every response, errors and 304s included: without them the extension cannot even read the status. */
const CORS_HEADERS: OutgoingHttpHeaders = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'ETag, Last-Modified',
};

const PREFLIGHT_HEADERS: OutgoingHttpHeaders = {
  ...CORS_HEADERS,
  'Access-Control-Allow-Methods': 'GET, HEAD',
  'Access-Control-Allow-Headers': 'If-None-Match, If-Modified-Since',
  'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
};

export interface ListServer {
  /** The address of list.json. */
  url: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  port: number;
  close: () => Promise<void>;
}

export interface ListServerOptions {
  /** Called once per request with `METHOD PATH STATUS`. */
  log?: (line: string) => void;
}

interface Found {
  path: string;
  /** Relative to the served directory, with forward slashes. */
  name: string;
}

/**
 * The file a request path names, or null for anything outside `root` (after decoding and
 * resolving dot segments and symbolic links), any dot file (publish's temporary files) and
 * anything that is not a regular file.
 */
async function findFile(root: string, requestUrl: string): Promise<Found | null> {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestUrl, 'http://localhost').pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const name = pathname.replace(/^\/+/, '');
  if (name === '' || name.split(/[\\/]/).some((segment) => segment.startsWith('.'))) return null;
  const inside = (path: string): boolean => {
    const rest = relative(root, path);
    return rest !== '' && !rest.startsWith(`..${sep}`) && rest !== '..' && !isAbsolute(rest);
  };
  const candidate = resolve(root, name);
  if (!inside(candidate)) return null;
  try {
    const real = await realpath(candidate);
    if (!inside(real) || !(await stat(real)).isFile()) return null;
    return { path: real, name: relative(root, real).split(sep).join('/') };
  } catch {
    return null;
  }
}

/** Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for this header). */
function matchesEtag(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

async function respond(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method === 'OPTIONS') {
    response.writeHead(204, PREFLIGHT_HEADERS).end();
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { ...CORS_HEADERS, Allow: 'GET, HEAD, OPTIONS' }).end();
    return;
  }
  const found = await findFile(root, request.url ?? '/');
  if (!found) {
    response.writeHead(404, { ...CORS_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end(request.method === 'HEAD' ? undefined : 'not found\n');
    return;
  }
  const [body, info] = await Promise.all([readFile(found.path), stat(found.path)]);
  // A shard's name is the hash of its bytes already; anything else is hashed now (list.json is small).
  const hash = SHARD_PATH.exec(found.name)?.[1] ?? createHash('sha256').update(body).digest('hex');
  const etag = `"${hash}"`;
  const lastModified = new Date(Math.floor(info.mtimeMs / 1000) * 1000);
  const headers: OutgoingHttpHeaders = {
    ...CORS_HEADERS,
    ETag: etag,
    'Last-Modified': lastModified.toUTCString(),
    // Anything but a shard (list.json above all) may change in place, so it is revalidated.
    'Cache-Control': SHARD_PATH.test(found.name) ? SHARD_CACHE_CONTROL : MANIFEST_CACHE_CONTROL,
    'Content-Type': CONTENT_TYPES[extname(found.name)] ?? 'application/octet-stream',
    'X-Content-Type-Options': 'nosniff',
  };
  // If-None-Match wins over If-Modified-Since when both are sent (RFC 9110 §13.2.2).
  const ifNoneMatch = request.headers['if-none-match'];
  const ifModifiedSince = request.headers['if-modified-since'];
  const notModified = ifNoneMatch !== undefined ? matchesEtag(ifNoneMatch, etag) : ifModifiedSince !== undefined && !Number.isNaN(Date.parse(ifModifiedSince)) && lastModified.getTime() <= Date.parse(ifModifiedSince);
  if (notModified) {
    const { 'Content-Type': _type, 'X-Content-Type-Options': _sniff, ...validators } = headers;
    response.writeHead(304, validators).end();
    return;
  }
  response.writeHead(200, { ...headers, 'Content-Length': body.byteLength });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Serves the published list in `dir` on 127.0.0.1:`port` (0 picks a free port). */
export async function startListServer(dir: string, port: number, options: ListServerOptions = {}): Promise<ListServer> {
  const root = await realpath(resolve(dir));
  if (!(await stat(root)).isDirectory()) throw new Error(`${dir} is not a directory`);
  const server = createServer((request, response) => {
    respond(root, request, response)
      .catch(() => {
        if (!response.headersSent) response.writeHead(500, CORS_HEADERS);
        response.end();
      })
      .finally(() => options.log?.(`${request.method} ${request.url} ${response.statusCode}`));
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const origin = `http://${HOST}:${actual}`;
  return {
    url: `${origin}/${LIST_MANIFEST_FILE}`,
    origin,
    port: actual,
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.close((error) => (error ? reject(error) : resolveClose()));
        // Keep-alive connections (browsers, fetch) would hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}
