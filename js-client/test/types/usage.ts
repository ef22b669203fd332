// Compiled (not run) by `npm test`: the declarations describe the documented usage.
import ChatClusterClient, { ChatClusterError, CloseCode, ErrorCode } from 'chatcluster-client';

async function example(WebSocketImpl: unknown): Promise<void> {
  const client = new ChatClusterClient(['ws://127.0.0.1:8081/ws', { host: '127.0.0.1', port: 8082 }], 'alice', {
    token: async () => 'jwt',
    strategy: 'round-robin',
    reconnect: { initialDelay: 200, maxDelay: 5000, factor: 2, jitter: 1 },
    heartbeatTimeout: 60000,
    requestTimeout: 5000,
    WebSocket: WebSocketImpl,
  });
  client.on('message', (m) => console.log(m.channel, m.offset, m.data, m.from.user));
  client.on('unrecovered', (s) => client.history(s.channel, { since: { offset: s.offset, epoch: s.epoch } }));
  client.on('reconnecting', (r) => console.log(r.attempt, r.delay));
  client.on('error', (e) => console.log(e instanceof ChatClusterError ? e.code : e.message));
  client.on('direct', async (d) => console.log(d.inbox, d.offset, d.data));
  client.on('receipt', (r) => console.log(r.id, r.device, r.status));
  client.on('inbox_gap', (g) => console.log(g.from, g.to));
  const sent = await client.sendDirect({ user: 'bob' }, 'hi', { receipt: true });
  const stored: boolean | undefined = sent.stored;
  const positions = client.inboxPositions.user?.offset;
  console.log(stored, positions);
  await client.sendMessage('general', 'retry-safe', { key: 'k-1' });
  const welcome = await client.connect();
  const node: string = welcome.node;
  const sub = await client.subscribeToChannel('general');
  const recovered: boolean = sub.recovered;
  const { offset } = await client.sendMessage('general', 'Hello, clustered chat!');
  const members = (await client.presence('general')).members.map((m) => m.user);
  const rest = await client.request({ path: '/products/list', method: 'GET' });
  const { task } = await client.schedule({ path: '/data/sync', method: 'POST', body: {}, interval: 300 });
  await client.cancelTask(task);
  const terminal: boolean = CloseCode.FORBIDDEN.terminal;
  const code: string = ErrorCode.UNAVAILABLE;
  console.log(node, recovered, offset, members, rest.status, terminal, code, (await client.tasks()).length);
  client.disconnect();
}
void example;
