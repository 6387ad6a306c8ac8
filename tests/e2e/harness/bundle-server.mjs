// A bundle server for the signed-bundle tests: what an admin hosts (the bundle, the fingerprint
// databases), and what can go wrong with it. Mounted on the local HTTPS sites (startSites'
// `route`) under its own hostname, so browsers reach it as they reach any site.
//
//   GET https://bundles.aiguard.test/bundle.json   the answer `serve()` last chose
//   GET https://bundles.aiguard.test/db/<name>     a database added with `database()`
//
// Answers for the bundle:
//   {bundle: text}      200 with an ETag (304 to a matching If-None-Match)
//   {status: 500}       that status, no bundle
//   {truncated: text}   the headers declare the whole text; half of it is sent, then the
//                       connection is cut
//   {hang: true}        headers never come (the connection is held until the server closes)
import { createHash } from 'node:crypto';

export const BUNDLE_HOST = 'bundles.aiguard.test';
export const BUNDLE_URL = `https://${BUNDLE_HOST}/bundle.json`;
export const databaseUrl = (name) => `https://${BUNDLE_HOST}/db/${name}`;

export function bundleServer() {
  let answer = { status: 404 };
  const databases = new Map();
  const held = new Set();
  // Every request, as `path` or `path (If-None-Match)`: tests check what was asked and when.
  const requests = [];

  function route(req, res, url, host) {
    if (host !== BUNDLE_HOST) return false;
    requests.push(url.pathname + (req.headers['if-none-match'] ? ' (If-None-Match)' : ''));
    if (url.pathname.startsWith('/db/')) {
      const bytes = databases.get(url.pathname.slice('/db/'.length));
      if (!bytes) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
      return true;
    }
    if (url.pathname !== '/bundle.json') {
      res.writeHead(404).end();
      return true;
    }
    if (answer.hang) {
      held.add(res);
      res.on('close', () => held.delete(res));
      return true;
    }
    if (answer.status) {
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(`error ${answer.status}`);
      return true;
    }
    const body = Buffer.from(answer.bundle ?? answer.truncated);
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    if (answer.bundle && req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return true;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, etag, 'cache-control': 'no-cache' });
    if (answer.bundle) {
      res.end(body);
    } else {
      res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.socket?.destroy(), 50));
    }
    return true;
  }

  return {
    route,
    requests,
    serve(next) { answer = next; },
    database(name, bytes) { databases.set(name, bytes); },
    // Ends held responses (a hanging answer waits for the browser's timeout, not for ever).
    release() { for (const res of held) res.socket?.destroy(); held.clear(); },
  };
}
