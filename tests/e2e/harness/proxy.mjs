// A forward proxy for Firefox: CONNECT tunnels go to the local HTTPS server and plain requests
// to the local HTTP server, whatever host they name. Loopback only.
import http from 'node:http';
import net from 'node:net';
import { closeServer } from './sites.mjs';

export async function startProxy({ httpsPort, httpPort }) {
  const server = http.createServer((req, res) => {
    const target = new URL(req.url);
    const upstream = http.request({ host: '127.0.0.1', port: httpPort, method: req.method,
      path: target.pathname + target.search, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(upstream);
  });
  // Tunnels leave the server's own bookkeeping once connected: kept here to be closed.
  const tunnels = new Set();
  const track = (socket) => {
    tunnels.add(socket);
    socket.on('close', () => tunnels.delete(socket));
  };
  server.on('connect', (req, client, head) => {
    track(client);
    const upstream = net.connect(httpsPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, close: () => closeServer(server, tunnels) };
}
