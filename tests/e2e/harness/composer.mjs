// The composer test pages: real editors from npm (ProseMirror, CodeMirror 6, Monaco) next to
// textarea, contenteditable, open shadow DOM inputs, a chat form, a file input and three iframes,
// each watched by a page-side spy (see composer/src/spy.js). Served under /composer by
// composerRoute(); sites.mjs forwards to it, startComposerServer() serves it alone.
//
//   GET /composer?csp=strict|wasm|permissive   the page (default strict; wasm: strict but allows WebAssembly); &monacoEditContext=0|1
//                                          overrides Monaco's EditContext default;
//                                          &cross=<host> names the cross-origin frame's host
//   GET /composer/frame?csp=...           the iframe page (textarea#ta, div#ce)
//   GET /composer/dist/*.js               the esbuild bundle (built on first request if needed)
//   GET /composer/vs/...                  monaco-editor/min/vs from node_modules
//   GET /composer/page.css                styles
//   *   /composer/sent                    where #chat would navigate if the page failed to
//                                          preventDefault its submit
import https from 'node:https';
import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { buildComposerBundle, COMPOSER_DIR, DIST_DIR, BUNDLE_FILES } from './composer/build.mjs';
import { selfSignedCert } from './cert.mjs';

export { buildComposerBundle };

export const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
  + "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; frame-src *";
// As strict, but the site runs WebAssembly itself (and so allows it), as some AI sites do.
export const WASM_CSP = STRICT_CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'");

const MONACO_VS = join(COMPOSER_DIR, '..', '..', '..', '..', 'node_modules', 'monaco-editor', 'min', 'vs');
const TYPES = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json',
  '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.map': 'application/json', '.html': 'text/html; charset=utf-8',
};

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function composerHtml({ host, csp, crossOrigin }) {
  const q = `?csp=${csp}`;
  const srcdoc = '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/composer/page.css"></head>'
    + '<body><p>srcdoc frame</p><textarea id="ta" rows="2"></textarea><div id="ce" contenteditable="true"></div>'
    + '<script src="/composer/dist/frame.js"></script></body></html>';
  return `<!doctype html><html><head><meta charset="utf-8"><title>Composer ${esc(host)} (csp=${csp})</title>
<link rel="stylesheet" href="/composer/page.css">
<script src="/composer/vs/loader.js" defer></script>
<script src="/composer/dist/composer.js" defer></script>
</head><body>
<h1 id="site">SITE ${esc(host)}</h1>
<p id="csp-mode">${csp}</p>
<div class="row"><b>textarea</b><textarea id="ta" rows="2"></textarea></div>
<div class="row"><b>contenteditable</b><div id="ce" contenteditable="true"></div></div>
<div class="row"><b>ProseMirror</b><div id="pm"></div></div>
<div class="row"><b>CodeMirror</b><div id="cm"></div></div>
<div class="row"><b>Monaco</b><div id="monaco"></div></div>
<div class="row"><b>shadow DOM</b><composer-shadow id="shadow-host"></composer-shadow></div>
<form id="chat" class="row" action="/composer/sent" method="post"><b>chat</b><textarea id="prompt" name="prompt" rows="2" placeholder="Message"></textarea><button id="send" type="submit">Send</button></form>
<div class="row"><b>file</b><input id="file" type="file" multiple></div>
<div class="row"><b>upload</b><button id="pick-detached" type="button">Attach files</button><button id="pick-dispatched" type="button">Attach (event)</button></div>
<div class="row"><b>clipboard</b><button id="read-text" type="button">Paste (readText)</button><button id="read-items" type="button">Paste (read)</button></div>
<div class="row"><b>clipboard source</b><textarea id="clip" rows="1"></textarea></div>
<div class="row">
<iframe id="f-same" src="/composer/frame${q}"></iframe>
<iframe id="f-cross" src="${esc(crossOrigin)}/composer/frame${q}"></iframe>
<iframe id="f-srcdoc" srcdoc="${esc(srcdoc)}"></iframe>
</div>
</body></html>`;
}

const frameHtml = (host) => `<!doctype html><html><head><meta charset="utf-8"><title>Composer frame ${esc(host)}</title>
<link rel="stylesheet" href="/composer/page.css">
<script src="/composer/dist/frame.js" defer></script>
</head><body><p id="site">FRAME ${esc(host)}</p>
<textarea id="ta" rows="2"></textarea><div id="ce" contenteditable="true"></div>
</body></html>`;

// In-memory cache of files read from disk (Monaco's tree is large and immutable per install).
const fileCache = new Map();
function readCached(path) {
  const { mtimeMs, size } = statSync(path);
  const hit = fileCache.get(path);
  if (hit && hit.mtimeMs === mtimeMs && hit.size === size) return hit.body;
  const body = readFileSync(path);
  fileCache.set(path, { mtimeMs, size, body });
  return body;
}

// A path under `root`, or null if `rel` escapes it or names no file.
function under(root, rel) {
  const path = normalize(join(root, decodeURIComponent(rel)));
  if (path !== root && !path.startsWith(root + sep)) return null;
  try { return statSync(path).isFile() ? path : null; } catch { return null; }
}

// Answers every request under /composer. `url` is the request URL (its scheme is not trusted:
// the scheme comes from the socket), `host` the request's hostname without port.
export async function composerRoute(req, res, url, host) {
  const send = (status, type, body, extra = {}) => {
    res.writeHead(status, { 'content-type': type, 'access-control-allow-origin': '*', 'cache-control': 'no-store', ...extra });
    res.end(body);
  };
  try {
    const p = url.pathname;
    const csp = ['permissive', 'wasm'].includes(url.searchParams.get('csp')) ? url.searchParams.get('csp') : 'strict';
    const cspHeader = csp === 'permissive' ? {} : { 'content-security-policy': csp === 'wasm' ? WASM_CSP : STRICT_CSP };
    if (p === '/composer' || p === '/composer/') {
      const scheme = req.socket.encrypted ? 'https' : 'http';
      const port = /:(\d+)$/.exec(req.headers.host ?? '')?.[1];
      const crossHost = url.searchParams.get('cross') || 'other.example';
      const crossOrigin = `${scheme}://${crossHost}${port ? `:${port}` : ''}`;
      return send(200, TYPES['.html'], composerHtml({ host, csp, crossOrigin }), cspHeader);
    }
    if (p === '/composer/frame') return send(200, TYPES['.html'], frameHtml(host), cspHeader);
    if (p === '/composer/sent') {
      return send(200, TYPES['.html'], `<!doctype html><html><body><h1 id="site">SITE ${esc(host)}</h1><p id="navigated">the chat form navigated</p></body></html>`);
    }
    if (p === '/composer/page.css') return send(200, TYPES['.css'], readCached(join(COMPOSER_DIR, 'page.css')));
    if (p.startsWith('/composer/dist/')) {
      const name = p.slice('/composer/dist/'.length);
      if (!BUNDLE_FILES.includes(name)) return send(404, 'text/plain', 'not found');
      await buildComposerBundle();
      return send(200, TYPES['.js'], readCached(join(DIST_DIR, name)));
    }
    if (p.startsWith('/composer/vs/')) {
      const file = under(MONACO_VS, p.slice('/composer/vs/'.length));
      if (!file) return send(404, 'text/plain', 'not found');
      return send(200, TYPES[extname(file)] ?? 'application/octet-stream', readCached(file),
        { 'cache-control': 'public, max-age=3600' });
    }
    return send(404, 'text/plain', 'not found');
  } catch (err) {
    if (!res.headersSent) send(500, 'text/plain', String(err?.stack ?? err));
    else res.destroy(err);
  }
}

// A lone HTTPS server (self-signed, every hostname) serving only the composer pages; for tests
// that do not need the rest of sites.mjs. Builds the bundle before listening.
export async function startComposerServer() {
  await buildComposerBundle();
  const server = https.createServer(selfSignedCert(), (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const url = new URL(req.url, `https://${host}`);
    if (url.pathname === '/composer' || url.pathname.startsWith('/composer/')) return composerRoute(req, res, url, host);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}
