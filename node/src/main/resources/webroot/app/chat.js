/**
 * The chat page: one ChatClusterClient to the node (or load balancer) that served the page.
 *
 * Identity: when the page URL carries `#token=<token>`, that token is the credential (the user is
 * the one it names). Otherwise the name typed in is claimed with `?user=` on the WebSocket URL, which
 * nodes accept today and which hardened nodes accept only with the development switch for claimed
 * identities turned on (the local launcher's development cluster).
 */
import { ChatClusterClient } from './client/ChatClusterClient.js';
import { showChat, showMembers, showMessages, showNotice, showStatus } from './view.js';

const $ = (id) => document.getElementById(id);

/** A device id per browser tab, kept across reloads of the tab. */
function tabDevice() {
  let device = sessionStorage.getItem('chatcluster-device');
  if (!device) {
    device = `web-${Math.random().toString(36).slice(2, 10)}`;
    sessionStorage.setItem('chatcluster-device', device);
  }
  return device;
}

function pageToken() {
  return new URLSearchParams(location.hash.slice(1)).get('token');
}

async function join(name, channel) {
  const token = pageToken();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const client = new ChatClusterClient(url, token ? null : name, { token, device: token ? undefined : tabDevice() });
  window.chatClient = client; // for the console and for tests

  const refreshMembers = () => client.presence(channel).then((p) => showMembers(p.members), () => showMembers([]));
  const refetch = () => client.history(channel, { limit: 100 }).then((h) => showMessages(h.messages), () => {});

  client.on('state', ({ state }) => state !== 'connected' && showStatus(state, state));
  client.on('connected', (w) => showStatus('connected', `${w.user} on ${w.node}`));
  client.on('reconnecting', (r) => showStatus('reconnecting', `reconnecting (attempt ${r.attempt}, in ${(r.delay / 1000).toFixed(1)} s)`));
  client.on('disconnected', (d) => !d.willReconnect && showStatus('disconnected', `disconnected (${d.code})`));
  client.on('message', (m) => m.channel === channel && showMessages([m]));
  client.on('join', refreshMembers);
  client.on('leave', refreshMembers);
  client.on('subscribed', refreshMembers);
  client.on('unrecovered', () => {
    showNotice('Some messages may have been missed while reconnecting; reloading history.');
    refetch();
  });
  client.on('reset', refetch);
  client.on('unavailable', () => showNotice('The cluster cannot take messages right now; try again shortly.'));
  client.on('error', (e) => console.warn('chatcluster:', e.code ?? '', e.message));

  await client.connect();
  await client.subscribeToChannel(channel);
  showChat(channel);
  await refetch();

  $('send').addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = $('text').value.trim();
    if (!text) {
      return;
    }
    $('text').value = '';
    try {
      await client.sendMessage(channel, text);
    } catch (err) {
      showNotice(`Not sent (${err.code}): ${text}`);
    }
  });
}

$('join').addEventListener('submit', (e) => {
  e.preventDefault();
  $('join-button').disabled = true;
  join($('name').value.trim(), $('channel').value.trim()).catch((err) => {
    showStatus('disconnected', `cannot join: ${err.message}`);
    $('join-button').disabled = false;
  });
});
