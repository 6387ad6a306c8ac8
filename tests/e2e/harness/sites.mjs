// Local stand-ins for real websites: one HTTPS server and one HTTP server answer for every
// hostname (the browsers are pointed at them by host mapping or a proxy), so tests use real
// AI hostnames without a network. Each page reports what it saw through the DOM.
import https from 'node:https';
import http from 'node:http';
import { composerRoute } from './composer.mjs';
import { selfSignedCert } from './cert.mjs';

const page = (title, body = '') => `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>
<body><h1 id="site">${title}</h1>${body}</body></html>`;

// Every request the servers received, as `host/path?query`: tests check what never left the browser.
const received = [];

function handler(req, res) {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  const url = new URL(req.url, `http://${host}`);
  received.push(`${host}${url.pathname}${url.search}`);
  const send = (status, type, body) => {
    res.writeHead(status, { 'content-type': type, 'access-control-allow-origin': '*', 'cache-control': 'no-store' });
    res.end(body);
  };
  if (url.pathname.startsWith('/composer')) return composerRoute(req, res, url, host);
  if (url.pathname === '/api' || host.startsWith('api.')) {
    return send(200, 'application/json', JSON.stringify({ ok: true, host }));
  }
  if (url.pathname === '/spa') {
    // history.pushState into another path of the same site: no network request happens.
    return send(200, 'text/html', page(`SITE ${host}`, `<script>
      window.go = (p) => history.pushState({}, '', p);
    </script>`));
  }
  if (url.pathname.endsWith('/hostile')) return hostileRoute(res, url, host);
  if (url.pathname === '/frame') {
    const src = url.searchParams.get('src');
    return send(200, 'text/html', page(`SITE ${host}`, `<iframe id="f" src="${src}" width="600" height="400"></iframe>`));
  }
  if (url.pathname === '/fetch') {
    const target = url.searchParams.get('url');
    return send(200, 'text/html', page(`SITE ${host}`, `<p id="result">pending</p><script>
      fetch(${JSON.stringify(target)}).then(r => r.json()).then(j => { document.getElementById('result').textContent = 'fetched ' + j.host; },
        e => { document.getElementById('result').textContent = 'failed'; });
    </script>`));
  }
  return send(200, 'text/html', page(`SITE ${host}`, `<p id="path">${url.pathname}</p>`));
}

// A page whose own scripts try to use AIGuard against the employee (the tests drive them with
// page.evaluate, in the page's world). Its spy records, in the bubble phase, every paste, drop,
// Enter, submit and file change that reached the page, with what it carried.
// `?csp=strict` serves it with a CSP that forbids WebAssembly (the background judges content).
function hostileRoute(res, url, host) {
  const headers = { 'content-type': 'text/html', 'cache-control': 'no-store' };
  if (url.searchParams.get('csp') === 'strict') headers['content-security-policy'] = "script-src 'self' 'unsafe-inline'";
  res.writeHead(200, headers);
  res.end(page(`SITE ${host}`, `
    <textarea id="ta" rows="4" cols="60"></textarea>
    <form id="form" action="/sent" method="post"><textarea id="fta" name="prompt"></textarea><button id="send">Send</button></form>
    <input id="file" type="file" multiple>
    <script>
      window.__seen = [];
      const note = (e, extra) => window.__seen.push({ type: e.type, trusted: e.isTrusted, prevented: e.defaultPrevented, ...extra });
      document.addEventListener('paste', (e) => note(e, { text: e.clipboardData?.getData('text/plain') ?? '' }));
      document.addEventListener('drop', (e) => note(e, { text: e.dataTransfer?.getData('text/plain') ?? '' }));
      document.addEventListener('keydown', (e) => { if (e.key === 'Enter') note(e, { text: e.target.value ?? '' }); });
      document.addEventListener('submit', (e) => { note(e, { text: document.getElementById('fta').value }); e.preventDefault(); });
      document.addEventListener('change', (e) => note(e, { files: [...(e.target.files ?? [])].map((f) => f.name) }));
    </script>`));
}

// `route(req, res, url, host)`, when given, is asked first and answers by returning true (the
// bundle server mounts itself this way).
export async function startSites({ route = null } = {}) {
  const handle = (req, res) => {
    if (route) {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      if (route(req, res, new URL(req.url, `http://${host}`), host)) return;
    }
    handler(req, res);
  };
  const tls = https.createServer(selfSignedCert(), handle);
  const plain = http.createServer(handle);
  await Promise.all([
    new Promise((r) => tls.listen(0, '127.0.0.1', r)),
    new Promise((r) => plain.listen(0, '127.0.0.1', r)),
  ]);
  return {
    received,
    httpsPort: tls.address().port,
    httpPort: plain.address().port,
    close: () => Promise.all([tls, plain].map((s) => closeServer(s))),
  };
}

// Stops a server: drops its connections, and does not wait for ever on one the browser left
// behind (a test run must end when its tests have).
export function closeServer(server, sockets = []) {
  return new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.closeAllConnections?.();
    server.close(() => resolve());
    setTimeout(resolve, 3000).unref();
  });
}
