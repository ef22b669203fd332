/**
 * The application side of a Pusher deployment, as a Laravel app would have it, built with the
 * `pusher` server SDK: an auth endpoint that signs channel authorizations (authorizeChannel) and
 * user sign-ins (authenticateUser) for the user named in its URL (the app's session, here a query
 * parameter), and a webhook receiver that checks every request with the SDK's webhook verification.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import PusherServer from 'pusher';

export const APP = { id: 'app-1', key: 'app-key-1', secret: 'app-secret-1-not-for-production' };

export function sdk(port, { secret = APP.secret } = {}) {
  return new PusherServer({ appId: APP.id, key: APP.key, secret, host: '127.0.0.1', port: String(port), useTLS: false });
}

function readBody(req) {
  return new Promise((ok, fail) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => ok(body));
    req.on('error', fail);
  });
}

function listen(server) {
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server.address().port)));
}

const PUSHER_WEB = fileURLToPath(new URL('../../node_modules/pusher-js/dist/web/pusher.min.js', import.meta.url));

/**
 * The auth endpoint: POST /auth (channels) and /signin (users; a watchlist from ?watch= or
 * ?watchMany=), the user from ?user=; GET /page is a
 * page that loads pusher-js's browser build, for the tests in Chromium.
 */
export async function startAuthServer() {
  const signer = sdk(1); // signing needs no server address
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const form = new URLSearchParams(await readBody(req));
    const user = url.searchParams.get('user');
    const socketId = form.get('socket_id');
    let answer;
    if (url.pathname === '/page') { // a blank page of this origin, so that its pusher-js asks /auth same-origin
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>pusher-js</title>'
        + '<script src="/pusher.js"></script>');
      return;
    }
    if (url.pathname === '/pusher.js') { // pusher-js's own browser build, as a page would load it
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(readFileSync(PUSHER_WEB));
      return;
    }
    if (!user) {
      res.writeHead(403).end();
      return;
    }
    if (url.pathname === '/auth') {
      const channel = form.get('channel_name');
      answer = channel.startsWith('presence-')
        ? signer.authorizeChannel(socketId, channel, { user_id: user, user_info: { name: user.toUpperCase() } })
        : signer.authorizeChannel(socketId, channel);
    } else if (url.pathname === '/signin') {
      // ?watch=a,b gives the user a watchlist; ?watchMany=N one of N made-up ids.
      const many = Number(url.searchParams.get('watchMany') ?? 0);
      const watchlist = many > 0 ? Array.from({ length: many }, (_, i) => `nobody-${i}`)
        : url.searchParams.get('watch')?.split(',');
      answer = signer.authenticateUser(socketId, { id: user, name: user.toUpperCase(), ...(watchlist && { watchlist }) });
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** The webhook receiver: keeps every request's events and whether the SDK found it valid. */
export async function startWebhookReceiver() {
  const verifier = sdk(1);
  const requests = [];
  const server = createServer(async (req, res) => {
    const rawBody = await readBody(req);
    const webhook = verifier.webhook({ headers: req.headers, rawBody });
    const valid = webhook.isValid();
    requests.push({ valid, events: valid ? webhook.getEvents() : [] });
    res.writeHead(200).end();
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/pusher/webhooks`,
    requests,
    events: () => requests.flatMap((r) => r.events),
    close: () => server.close(),
  };
}
