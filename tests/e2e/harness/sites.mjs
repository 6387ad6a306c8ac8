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

export async function startSites() {
  const tls = https.createServer(selfSignedCert(), handler);
  const plain = http.createServer(handler);
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
