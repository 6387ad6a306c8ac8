// A local audit collector that speaks Splunk's HTTP Event Collector (POST
// /services/collector/event, `Authorization: Splunk <token>`, a body of concatenated
// `{"time", "host", "source", "sourcetype", "event"}` objects), with fault injection: a share of
// requests answered 500, some 429 with Retry-After, some answered later than the client's
// timeout, and the whole endpoint down (not listening) until it is brought up again on the same
// port. It keeps every request body, so tests can check what left the browser.
import http from 'node:http';
import { closeServer } from './sites.mjs';

// A small seeded generator: the same faults in every run.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Reads concatenated JSON objects (HEC takes them with or without whitespace between).
export function parseConcatenated(text) {
  const out = [];
  let depth = 0, start = -1, inString = false, escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') { if (depth++ === 0) start = i; }
    else if (c === '}' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  if (depth !== 0) throw new Error('a cut JSON object');
  return out;
}

export async function startCollector({ token, seed = 7 } = {}) {
  const random = rng(seed);
  // `cycle`, when set, decides request by request in turn ('fail', 'throttle', 'slow' or 'ok');
  // otherwise the shares `fail`, `throttle` and `slow` are drawn at random.
  const faults = { fail: 0, throttle: 0, retryAfter: 1, slow: 0, slowMs: 0, hold: null, cycle: null };
  let turn = 0;
  const stats = { requests: 0, accepted: 0, failed: 0, throttled: 0, slow: 0, unauthorised: 0 };
  const bodies = [];       // every request body received, accepted or not
  const received = [];     // events of accepted requests, duplicates included
  const sockets = new Set();
  let port = 0;
  let server = null;

  const handler = (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
      stats.requests++;
      bodies.push(body);
      if (req.method !== 'POST' || req.url !== '/services/collector/event') {
        res.writeHead(404).end();
        return;
      }
      if (req.headers.authorization !== `Splunk ${token}`) {
        stats.unauthorised++;
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"text":"Invalid token","code":4}');
        return;
      }
      const roll = random();
      const fate = faults.cycle ? faults.cycle[turn++ % faults.cycle.length]
        : roll < faults.fail ? 'fail' : roll < faults.fail + faults.throttle ? 'throttle' : roll < faults.fail + faults.throttle + faults.slow ? 'slow' : 'ok';
      if (faults.hold) {
        // Held until the test lets go (a worker stopped mid-request never reads the answer).
        const release = faults.hold;
        release.arrived?.();
        await release.until;
      } else if (fate === 'fail') {
        stats.failed++;
        res.writeHead(500).end('{"text":"Internal server error","code":8}');
        return;
      } else if (fate === 'throttle') {
        stats.throttled++;
        res.writeHead(429, { 'retry-after': String(faults.retryAfter) }).end('{"text":"Server is busy","code":9}');
        return;
      } else if (fate === 'slow') {
        stats.slow++;
        await new Promise((r) => setTimeout(r, faults.slowMs));
      }
      let events;
      try {
        events = parseConcatenated(body);
      } catch {
        res.writeHead(400).end('{"text":"Invalid data format","code":6}');
        return;
      }
      stats.accepted++;
      for (const e of events) received.push(e);
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}');
    });
  };

  async function up() {
    server = http.createServer(handler);
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise((r) => server.listen(port, '127.0.0.1', r));
    port = server.address().port;
  }
  async function down() {
    const s = server;
    server = null;
    if (s) await closeServer(s, [...sockets]);
  }
  await up();

  // Holds the next requests until `release()`; `arrived` resolves when one comes in.
  function hold() {
    let release, arrived;
    const until = new Promise((r) => { release = r; });
    const first = new Promise((r) => { arrived = r; });
    faults.hold = { until, arrived };
    return { arrived: first, release: () => { faults.hold = null; release(); } };
  }

  return {
    get url() { return `http://127.0.0.1:${port}/services/collector/event`; },
    faults, stats, bodies, received, hold, up, down,
    close: down,
  };
}
