/**
 * The chat page's DOM: renders the connection state, the messages (ordered by offset, each once)
 * and who is present. Knows nothing of the client.
 */
const $ = (id) => document.getElementById(id);

export function showChat(channel) {
  $('join').hidden = true;
  $('chat').hidden = false;
  $('channel-title').textContent = `# ${channel}`;
  $('text').focus();
}

/** @param {string} state @param {string} text */
export function showStatus(state, text) {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = text;
}

/** Messages by offset, so that history and live messages merge without duplicates. */
const shown = new Map();

/** Adds messages (frames of type message) and redraws the list in offset order. */
export function showMessages(frames) {
  for (const m of frames) {
    shown.set(m.offset ?? `local-${shown.size}`, m);
  }
  const list = $('messages');
  list.replaceChildren(...[...shown.values()]
    .sort((a, b) => (a.offset ?? Infinity) - (b.offset ?? Infinity))
    .map((m) => {
      const li = document.createElement('li');
      li.dataset.offset = String(m.offset);
      const from = document.createElement('span');
      from.className = 'from';
      from.textContent = m.from?.user ?? '?';
      li.append(from, typeof m.data === 'string' ? m.data : JSON.stringify(m.data));
      return li;
    }));
  list.scrollTop = list.scrollHeight;
}

/** A line of its own for what the user should know (reconnects, lost messages). */
export function showNotice(text) {
  const li = document.createElement('li');
  li.className = 'notice';
  li.textContent = text;
  $('messages').append(li);
}

/** @param {Array<{user: string, device: string, node: string}>} members */
export function showMembers(members) {
  $('members').replaceChildren(...members.map((m) => {
    const li = document.createElement('li');
    li.textContent = m.user;
    const node = document.createElement('span');
    node.className = 'node';
    node.textContent = m.node;
    li.append(node);
    return li;
  }));
}
