// cafchat web page: a version-2 client speaking the JSON mapping of docs/PROTOCOL.md over a
// WebSocket ("JSON (WebSocket)"). One JSON object per WebSocket text message, one object per frame.
//
// Sections:
//   Connection  one WebSocket at a time; reconnects with backoff; answers PING.
//   ChatClient  the protocol and the chat state: login, channels (offsets, epochs, members),
//               direct messages, requests matched to their answers by `ref`.
//   ChatView    the DOM. User text only ever goes through textContent.
//
// Recovery in one paragraph: every MSG carries its channel's offset, and JOINED tells the channel's
// epoch. The page remembers, per channel, the epoch and the last offset it showed. After a
// reconnect it JOINs each channel again asking for everything `since` that point, and the server
// replays exactly what came after it before any live message (no gap, no duplicate). Offsets only
// grow within an epoch, so a MSG whose offset is not above the last one shown is a duplicate and is
// dropped. If the epoch changed or the messages are gone, JOINED says so and the page says plainly
// that history was lost and shows the newest messages instead.
'use strict';

const DEFAULT_CHANNEL = 'lobby';
const REPLAY_COUNT = 100; // messages replayed on a first join, and the fallback on a lost `since`
const HISTORY_PAGE = 50; // messages per "load older"
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15000;
const LIST_REFRESH_MS = 30000;
const MAX_PAGES = 20; // WHO/LIST pages followed at most, so a huge server cannot keep us busy
const STORAGE_KEY = 'cafchat.session'; // sessionStorage: name and channels, so a reload logs back in

// ---------------------------------------------------------------------------------------------
// Connection

// Where the WebSocket is: `?ws=ws://host:port/ws` overrides (development, or a page opened from
// file://); otherwise /ws on the host that served the page, wss when the page is https.
function gatewayUrl() {
  const override = new URLSearchParams(location.search).get('ws');
  if (override) return override;
  if (location.protocol !== 'http:' && location.protocol !== 'https:') return null;
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
}

class Connection {
  // handlers: onOpen(), onMessage(obj), onDown(info), onStatus(state, detail)
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.socket = null;
    this.wanted = false; // false after stop(): no reconnecting
    this.failures = 0; // consecutive attempts that did not reach a healthy session
    this.retryTimer = null;
    this.retryAt = 0;
  }

  start() {
    this.wanted = true;
    this.failures = 0;
    this._open();
  }

  stop() {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close(1000, 'bye');
    }
    this.handlers.onStatus('idle');
  }

  // The session is healthy (logged in): the next drop starts the backoff from the beginning.
  markHealthy() {
    this.failures = 0;
  }

  // Drop this socket and try again after the backoff (e.g. our name is still held by our own
  // previous connection, which the server has not noticed is gone yet).
  restart(reason) {
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close(1000, 'retry');
      this._down({reason});
    }
  }

  retryNow() {
    if (!this.wanted || this.socket) return;
    clearTimeout(this.retryTimer);
    this._open();
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  send(message) {
    if (!this.isOpen) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  _open() {
    this.retryTimer = null;
    this.handlers.onStatus('connecting');
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch (e) {
      this._down({reason: String(e.message || e)});
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (socket !== this.socket) return;
      this.handlers.onOpen();
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        console.warn('cafchat: not JSON from the server', event.data);
        return;
      }
      // The server's idle probe: answer at once, with the same data, whatever else is going on.
      if (message.type === 'ping') {
        this.send({type: 'pong', data: typeof message.data === 'string' ? message.data : ''});
        return;
      }
      this.handlers.onMessage(message);
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return; // a socket we already gave up on
      this.socket = null;
      this._down({code: event.code, reason: event.reason});
    };
    socket.onerror = () => {}; // onclose follows and carries what little the browser tells us
  }

  _down(info) {
    this.failures += 1;
    this.handlers.onDown(info);
    if (!this.wanted) return;
    // Exponential backoff with jitter, so many pages cut at once do not all come back at once.
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(this.failures - 1, 10));
    const delay = Math.round(base / 2 + Math.random() * base / 2);
    this.retryAt = Date.now() + delay;
    this.handlers.onStatus('offline', {retryAt: this.retryAt});
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this._open(), delay);
  }
}

// ---------------------------------------------------------------------------------------------
// State

// Offsets and epochs are u64 decimal strings on the wire; BigInt keeps them exact.
const big = (s) => BigInt(s);

// One conversation: a channel or a direct-message peer. `items` is what the message list shows:
// {kind:'msg', sender, text, time, offset, epoch, own} or {kind:'notice', text, tone}.
class Conversation {
  constructor(kind, name) {
    this.kind = kind; // 'channel' | 'dm'
    this.name = name;
    this.items = [];
    this.unread = 0;
  }
  get key() {
    return conversationKey(this.kind, this.name);
  }
}

// The user a token names (its `sub`), read without checking it: the server does that. '' if none.
function tokenSubject(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    const sub = JSON.parse(new TextDecoder().decode(bytes)).sub;
    return typeof sub === 'string' ? sub : '';
  } catch (e) {
    return '';
  }
}

function conversationKey(kind, name) {
  return (kind === 'channel' ? '#' : '@') + name;
}

class Channel extends Conversation {
  constructor(name) {
    super('channel', name);
    this.joined = false; // the server has answered our JOIN in this session
    this.joining = false;
    this.epoch = null; // BigInt, from JOINED
    this.lastOffset = null; // BigInt: the newest offset shown; null before the first JOINED
    this.first = 0n; // oldest offset the server keeps (from JOINED)
    this.members = new Set();
    this.whoPending = null; // {names: [], buffered: [presence...]} while WHO pages are in flight
    this.olderPending = false;
    this.noOlder = false; // HISTORY said nothing older is kept
  }

  // The oldest message shown from the current epoch: where "load older" goes on from.
  oldestOffset() {
    for (const item of this.items)
      if (item.kind === 'msg' && item.epoch === this.epoch) return item.offset;
    return null;
  }

  canLoadOlder() {
    if (!this.joined || this.noOlder || this.epoch === null) return false;
    const oldest = this.oldestOffset();
    return oldest !== null && oldest > this.first;
  }
}

// ---------------------------------------------------------------------------------------------
// ChatClient: the protocol

class ChatClient {
  constructor(view) {
    this.view = view;
    this.name = null;
    this.token = ''; // a login token (--auth token), sent with every LOGIN
    this.loggedIn = false;
    this.automaticLogin = false; // the name came from a reload or a reconnect, not from the form
    this.nameTakenRetries = 0;
    this.conversations = new Map(); // key -> Channel | Conversation, in the order first seen
    this.active = null; // key of the conversation shown
    this.available = []; // LIST: [{name, members}]
    this.listPending = null;
    this.nextRef = 1;
    this.pending = new Map(); // ref -> what the request was, until its answer
    this.limits = null; // from the HELLO reply
    this.everConnected = false;
    const url = gatewayUrl();
    this.connection = url && new Connection(url, {
      onOpen: () => this.onOpen(),
      onMessage: (m) => this.onMessage(m),
      onDown: (info) => this.onDown(info),
      onStatus: (state, detail) => this.view.showConnection(state, detail, this.everConnected),
    });
    setInterval(() => {
      if (this.loggedIn) this.requestList();
    }, LIST_REFRESH_MS);
  }

  // --- session lifecycle ---

  restoreSession() {
    let saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
    } catch (e) {
      saved = null;
    }
    if (!saved || typeof saved.name !== 'string') return false;
    for (const name of saved.channels || []) this.channel(name);
    for (const peer of saved.dms || []) this.dm(peer);
    if (typeof saved.active === 'string') this.active = saved.active;
    this.login(saved.name, true, typeof saved.token === 'string' ? saved.token : '');
    return true;
  }

  saveSession() {
    const channels = [];
    const dms = [];
    for (const c of this.conversations.values()) {
      if (c.kind === 'channel') channels.push(c.name);
      else dms.push(c.name);
    }
    try {
      sessionStorage.setItem(STORAGE_KEY,
        JSON.stringify({name: this.name, token: this.token, channels, dms, active: this.active}));
    } catch (e) { /* private mode: a reload asks for the name again */ }
  }

  // `token`: for a server with --auth token (its HELLO lists "token"); '' otherwise.
  login(name, automatic, token) {
    if (!this.connection) {
      this.view.showLoginError('No chat server: open this page from chat-server, or add ?ws=ws://host:port/ws');
      return;
    }
    this.name = name;
    this.token = token || '';
    this.automaticLogin = automatic;
    this.nameTakenRetries = 0;
    if (this.conversations.size === 0) this.channel(DEFAULT_CHANNEL);
    if (!this.active || !this.conversations.has(this.active))
      this.active = this.conversations.keys().next().value;
    this.view.showLoggingIn(name);
    this.connection.start();
  }

  logout() {
    this.connection && this.connection.stop();
    this.loggedIn = false;
    try {
      sessionStorage.removeItem(STORAGE_KEY);
    } catch (e) { /* nothing kept */ }
  }

  onOpen() {
    // Version 2 first; LOGIN goes out when the HELLO reply is in.
    this.connection.send({type: 'hello', version: 2});
  }

  onDown(info) {
    const wasLoggedIn = this.loggedIn;
    this.loggedIn = false;
    // Answers to what was in flight will never come: forget the requests, keep the channels.
    this.pending.clear();
    this.listPending = null;
    for (const c of this.conversations.values()) {
      if (c.kind !== 'channel') continue;
      c.joined = false;
      c.joining = false;
      c.whoPending = null;
      c.olderPending = false;
    }
    if (wasLoggedIn) {
      const channel = this.activeConversation();
      if (channel) this.addItem(channel, {kind: 'notice', tone: 'warn', text: 'Connection lost. Reconnecting…'});
    }
    this.view.renderAll(this);
  }

  send(message) {
    return this.connection.send(message);
  }

  request(message, what) {
    const ref = this.nextRef;
    this.nextRef = this.nextRef >= 0xffffffff ? 1 : this.nextRef + 1;
    this.pending.set(ref, what);
    if (!this.send({...message, ref})) this.pending.delete(ref);
    return ref;
  }

  // --- incoming ---

  onMessage(m) {
    switch (m.type) {
      case 'hello': return this.onHello(m);
      case 'login': return this.onLogin(m);
      case 'joined': return this.onJoined(m);
      case 'reply': return this.onReply(m);
      case 'msg': return this.onMsg(m);
      case 'dm': return this.onDm(m);
      case 'presence': return this.onPresence(m);
      case 'who_reply': return this.onWhoReply(m);
      case 'list_reply': return this.onListReply(m);
      case 'history_reply': return this.onHistoryReply(m);
      case 'error': return this.onError(m);
      case 'pong': return; // we send no PING; a PONG is harmless
      case 'broadcast': // version-1 lobby text: a version-2 session gets MSG instead
      case 'send':
        return;
      default:
        console.warn('cafchat: unexpected message', m);
    }
  }

  onHello(m) {
    if (m.version !== 2) {
      this.view.showLoginError(`The server speaks protocol version ${m.version}; this page needs 2.`);
      this.connection.stop();
      return;
    }
    this.limits = m;
    const login = {type: 'login', name: this.name};
    if (this.token) login.token = this.token; // the server checks that it names this.name
    this.send(login);
  }

  onLogin(m) {
    const text = String(m.text || '');
    if (text === 'Login OK') {
      this.loggedIn = true;
      this.nameTakenRetries = 0;
      this.connection.markHealthy();
      const reconnect = this.everConnected;
      this.everConnected = true;
      this.saveSession();
      this.view.showChat(this);
      for (const c of this.conversations.values())
        if (c.kind === 'channel') this.join(c, reconnect);
      this.requestList();
      this.view.showConnection('online');
      return;
    }
    const reason = text.replace(/^Login failed: /, '');
    // After a drop or a reload our previous connection may still hold the name until the server
    // notices it is gone: try again a few times before asking the person.
    if (reason === 'name taken' && (this.automaticLogin || this.everConnected) && this.nameTakenRetries < 6) {
      this.nameTakenRetries += 1;
      this.connection.restart('name still held by our previous connection');
      return;
    }
    this.connection.stop();
    this.everConnected = false;
    const token = reason.startsWith('token');
    const what = token ? 'That login was refused' : 'That name was refused';
    this.view.showLoginError(`${what}: ${reason}.`, this.name, token ? 'login-token' : 'login-name');
  }

  join(channel, reconnect, count = REPLAY_COUNT) {
    channel.joining = true;
    // First time: the last REPLAY_COUNT messages, so the history shows. After a drop: everything
    // since the last message shown, in the same epoch; REPLAY_COUNT of the newest if that is lost.
    const replay = channel.lastOffset !== null && channel.epoch !== null
      ? {mode: 'since', epoch: channel.epoch.toString(), offset: channel.lastOffset.toString(), count}
      : {mode: 'last', epoch: '0', offset: '0', count};
    this.request({type: 'join', channel: channel.name, replay},
      {kind: 'join', channel: channel.name, mode: replay.mode, reconnect});
  }

  onJoined(m) {
    const what = this.takePending(m.ref);
    const channel = this.channel(m.channel);
    channel.joined = true;
    channel.joining = false;
    const epoch = big(m.epoch);
    const lost = m.recovery === 'epoch_changed' || m.recovery === 'too_old' || m.recovery === 'future';
    if (lost) {
      const why = {
        epoch_changed: 'the server lost or restarted this channel\'s history',
        too_old: 'they are older than what the server keeps',
        future: 'the server\'s history went back in time',
      }[m.recovery];
      this.addItem(channel, {kind: 'notice', tone: 'warn', lost: true,
        text: `History was lost: messages sent while you were away cannot be recovered (${why}). ` +
          (m.replayed > 0 ? `Showing the last ${plural(m.replayed, 'message')} instead.` : 'Nothing newer to show.')});
    } else if (m.recovery === 'unavailable' && what && what.reconnect) {
      this.addItem(channel, {kind: 'notice', tone: 'warn',
        text: 'This channel keeps no history here: messages sent while you were away are lost.'});
    } else if (what && what.reconnect) {
      this.addItem(channel, {kind: 'notice', text: m.replayed > 0
        ? `Reconnected: ${plural(m.replayed, 'message')} sent meanwhile below.`
        : 'Reconnected: nothing was missed.'});
    }
    // Offsets start again in a new epoch (and a `future` answer means ours are not the server's).
    if (lost || channel.epoch !== epoch) channel.lastOffset = null;
    channel.epoch = epoch;
    // The replayed MSGs come next, then our own PRESENCE joined, then live messages.
    channel.awaitingOwnPresence = true;
    channel.first = big(m.first);
    channel.noOlder = false;
    // Live and replayed MSGs carry no time; HISTORY does. Ask for the replayed ones' times.
    if (m.replayed > 0)
      this.request({type: 'history', channel: channel.name, before: (big(m.last) + 1n).toString(),
        limit: Math.min(m.replayed, this.pageSize())}, {kind: 'times', channel: channel.name});
    this.requestWho(channel);
    this.view.renderAll(this);
  }

  onReply(m) {
    const what = this.takePending(m.ref);
    if (!what) {
      if (m.status === 'refused') this.view.toast(m.text);
      return;
    }
    const refused = m.status === 'refused';
    switch (what.kind) {
      case 'join': {
        const channel = this.channel(what.channel);
        channel.joining = false;
        const smaller = refused && /^count too large \(at most (\d+)\)/.exec(m.text);
        if (smaller) {
          // A server that keeps fewer messages than we ask to replay: ask for what it keeps.
          this.join(channel, what.reconnect, Number(smaller[1]));
          return;
        }
        if (refused) {
          // Nothing was ever shown for it: forget it, and say why next to the join box.
          if (channel.items.length === 0 && !what.reconnect) this.forget(channel);
          else this.addItem(channel, {kind: 'notice', tone: 'error', text: `Could not join: ${m.text}`});
          this.view.showJoinError(`Could not join ${what.channel}: ${m.text}`);
        } else {
          channel.joined = true; // "already a member"
          this.requestWho(channel);
        }
        this.view.renderAll(this);
        return;
      }
      case 'leave':
        if (!refused || /^not a member/.test(m.text)) this.forget(this.channel(what.channel));
        this.requestList();
        this.view.renderAll(this);
        return;
      case 'msg':
        if (refused)
          this.addItem(this.channel(what.channel), {kind: 'notice', tone: 'error',
            text: `Not sent (${m.text}): ${what.text}`});
        return;
      case 'dm': {
        const conversation = this.dm(what.to);
        const item = what.item;
        if (refused) {
          item.failed = true;
          this.addItem(conversation, {kind: 'notice', tone: 'error', text: `Not delivered: ${m.text}`});
        } else {
          item.pending = false;
          if (m.text) this.addItem(conversation, {kind: 'notice', text: `${capitalise(m.text)}.`});
        }
        this.view.renderAll(this);
        return;
      }
      case 'who':
      case 'list':
      case 'history':
      case 'times':
        if (refused) this.view.toast(`${what.kind === 'times' ? 'history' : what.kind}: ${m.text}`);
        if (what.kind === 'who') this.channel(what.channel).whoPending = null;
        if (what.kind === 'list') this.listPending = null;
        if (what.kind === 'history') this.channel(what.channel).olderPending = false;
        this.view.renderAll(this);
        return;
      default:
        return;
    }
  }

  onMsg(m) {
    const channel = this.conversations.get(conversationKey('channel', m.channel));
    if (!channel) return; // a channel we have since left; its last messages may still arrive
    const offset = big(m.offset);
    // Offsets grow within an epoch: anything at or below the last shown is a replayed duplicate.
    if (channel.lastOffset !== null && offset <= channel.lastOffset) return;
    channel.lastOffset = offset;
    const replayed = this.replaying(channel);
    const own = m.sender === this.name;
    if (own) this.dropPendingMsg(m.channel, m.text);
    this.addItem(channel, {kind: 'msg', sender: m.sender, text: m.text, offset, epoch: channel.epoch,
      time: replayed ? null : Date.now(), own});
  }

  // Replayed MSGs arrive between JOINED and our own PRESENCE joined; their time comes later from
  // HISTORY ("times"). Live ones are stamped on arrival, which is when the server sent them.
  replaying(channel) {
    return channel.awaitingOwnPresence === true;
  }

  onDm(m) {
    const conversation = this.dm(m.sender);
    this.addItem(conversation, {kind: 'msg', sender: m.sender, text: m.text, time: Date.now(),
      own: m.sender === this.name});
  }

  onPresence(m) {
    const channel = this.conversations.get(conversationKey('channel', m.channel));
    if (!channel) return;
    if (channel.whoPending) channel.whoPending.buffered.push(m);
    applyPresence(channel, m);
    if (this.active === channel.key) this.view.renderMembers(this);
    if (m.user === this.name) {
      channel.awaitingOwnPresence = false;
      if (m.event === 'joined' && channel.shownJoin) return; // our own re-join: the notice says it
      if (m.event === 'joined') channel.shownJoin = true;
    }
    const text = {
      joined: `${m.user} joined`,
      left: `${m.user} left`,
      dropped: `${m.user} dropped (connection lost)`,
    }[m.event] || `${m.user}: ${m.event}`;
    this.addItem(channel, {kind: 'notice', presence: m.event, user: m.user, text, time: Date.now()});
  }

  requestWho(channel, after = '', pages = 0) {
    if (after === '') channel.whoPending = {names: [], buffered: []};
    this.request({type: 'who', channel: channel.name, after, limit: 0},
      {kind: 'who', channel: channel.name, pages});
  }

  onWhoReply(m) {
    const what = this.takePending(m.ref);
    const channel = this.conversations.get(conversationKey('channel', m.channel));
    if (!what || !channel || !channel.whoPending) return;
    channel.whoPending.names.push(...m.names);
    if (m.next && what.pages + 1 < MAX_PAGES) {
      this.requestWho(channel, m.next, what.pages + 1);
      return;
    }
    // PRESENCE and WHO_REPLY take different paths through the server, so an event may arrive
    // before or after the snapshot that already holds it. Presence is idempotent (joined adds,
    // left removes): apply the events seen while WHO was in flight on top of the snapshot.
    channel.members = new Set(channel.whoPending.names);
    for (const p of channel.whoPending.buffered) applyPresence(channel, p);
    channel.whoPending = null;
    if (this.active === channel.key) this.view.renderMembers(this);
  }

  requestList(after = '', pages = 0) {
    if (!this.loggedIn) return;
    if (after === '') {
      if (this.listPending) return;
      this.listPending = [];
    }
    this.request({type: 'list', after, limit: 0}, {kind: 'list', pages});
  }

  onListReply(m) {
    const what = this.takePending(m.ref);
    if (!what || !this.listPending) return;
    this.listPending.push(...m.channels);
    if (m.next && what.pages + 1 < MAX_PAGES) {
      this.requestList(m.next, what.pages + 1);
      return;
    }
    this.available = this.listPending;
    this.listPending = null;
    this.view.renderChannels(this);
  }

  loadOlder() {
    const channel = this.activeConversation();
    if (!channel || channel.kind !== 'channel' || !channel.canLoadOlder() || channel.olderPending) return;
    channel.olderPending = true;
    this.request({type: 'history', channel: channel.name, before: channel.oldestOffset().toString(),
      limit: HISTORY_PAGE}, {kind: 'history', channel: channel.name, epoch: channel.epoch});
    this.view.renderAll(this);
  }

  onHistoryReply(m) {
    const what = this.takePending(m.ref);
    const channel = this.conversations.get(conversationKey('channel', m.channel));
    if (!what || !channel) return;
    const epoch = big(m.epoch);
    if (what.kind === 'times') {
      // Fill in when the replayed messages were sent.
      const times = new Map(m.entries.map((e) => [big(e.offset), Number(e.time_ms)]));
      for (const item of channel.items)
        if (item.kind === 'msg' && item.epoch === epoch && item.time === null && times.has(item.offset))
          item.time = times.get(item.offset);
      if (this.active === channel.key) this.view.renderMessages(this, {keepScroll: true});
      return;
    }
    channel.olderPending = false;
    if (epoch !== channel.epoch) {
      // The history was made anew between our JOIN and this page: its offsets are not ours.
      channel.noOlder = true;
      this.view.renderAll(this);
      return;
    }
    const oldest = channel.oldestOffset();
    const older = m.entries
      .map((e) => ({kind: 'msg', sender: e.sender, text: e.text, offset: big(e.offset), epoch,
        time: Number(e.time_ms), own: e.sender === this.name}))
      .filter((item) => oldest === null || item.offset < oldest);
    // Older messages go right before the oldest shown from this epoch (after any notice saying
    // that an earlier epoch's history was lost).
    let at = channel.items.findIndex((item) => item.kind === 'msg' && item.epoch === epoch);
    if (at < 0) at = channel.items.length;
    channel.items.splice(at, 0, ...older);
    if (m.next_before === '0' || older.length === 0) channel.noOlder = true;
    if (this.active === channel.key) this.view.renderMessages(this, {keepScroll: true, prepended: true});
    this.view.renderAll(this);
  }

  onError(m) {
    // ERRORs are the server's complaint about something we sent, or its reason for closing.
    const conversation = this.activeConversation();
    if (conversation) this.addItem(conversation, {kind: 'notice', tone: 'error', text: `Server: ${m.text}`});
    else this.view.toast(`Server: ${m.text}`);
  }

  // --- outgoing, from the view ---

  sendText(text) {
    const conversation = this.activeConversation();
    if (!conversation || !this.loggedIn || text.trim() === '') return false;
    if (conversation.kind === 'channel') {
      if (!conversation.joined) return false;
      // No REPLY on success: the message comes back through the channel, in its order.
      this.request({type: 'msg', channel: conversation.name, text},
        {kind: 'msg', channel: conversation.name, text, at: Date.now()});
      this.prunePendingMsgs();
      return true;
    }
    // A DM is not echoed to the sender: show it now, marked pending until the REPLY.
    const item = {kind: 'msg', sender: this.name, text, time: Date.now(), own: true, pending: true};
    this.addItem(conversation, item);
    this.request({type: 'dm', to: conversation.name, text}, {kind: 'dm', to: conversation.name, item});
    return true;
  }

  joinByName(name) {
    name = name.trim();
    if (!name) return;
    const channel = this.channel(name);
    if (this.loggedIn && !channel.joined && !channel.joining) this.join(channel, false);
    this.select(channel.key);
  }

  leave(channel) {
    if (!this.loggedIn || channel.kind !== 'channel') return;
    this.request({type: 'leave', channel: channel.name}, {kind: 'leave', channel: channel.name});
  }

  openDm(peer) {
    peer = peer.trim();
    if (!peer) return;
    this.dm(peer);
    this.select(conversationKey('dm', peer));
    this.saveSession();
  }

  select(key) {
    if (!this.conversations.has(key)) return;
    this.active = key;
    this.conversations.get(key).unread = 0;
    this.saveSession();
    this.view.renderAll(this, {scrollToEnd: true});
  }

  // --- helpers ---

  pageSize() {
    return (this.limits && this.limits.page_size) || 100;
  }

  takePending(ref) {
    const what = this.pending.get(ref);
    this.pending.delete(ref);
    return what;
  }

  // MSG requests get a REPLY only when refused; forget the accepted ones once their echo is in.
  dropPendingMsg(channel, text) {
    for (const [ref, what] of this.pending) {
      if (what.kind === 'msg' && what.channel === channel && what.text === text) {
        this.pending.delete(ref);
        return;
      }
    }
  }

  prunePendingMsgs() {
    const old = Date.now() - 120000;
    for (const [ref, what] of this.pending)
      if (what.kind === 'msg' && what.at < old) this.pending.delete(ref);
  }

  channel(name) {
    const key = conversationKey('channel', name);
    if (!this.conversations.has(key)) this.conversations.set(key, new Channel(name));
    return this.conversations.get(key);
  }

  dm(peer) {
    const key = conversationKey('dm', peer);
    if (!this.conversations.has(key)) this.conversations.set(key, new Conversation('dm', peer));
    return this.conversations.get(key);
  }

  forget(conversation) {
    this.conversations.delete(conversation.key);
    if (this.active === conversation.key) {
      const next = this.conversations.keys().next();
      this.active = next.done ? null : next.value;
    }
    this.saveSession();
  }

  activeConversation() {
    return this.active ? this.conversations.get(this.active) || null : null;
  }

  addItem(conversation, item) {
    conversation.items.push(item);
    if (conversation.key === this.active) {
      this.view.appendMessage(this, item);
    } else if (item.kind === 'msg' && !item.own) {
      conversation.unread += 1;
      this.view.renderChannels(this);
    } else if (conversation.kind === 'dm') {
      this.view.renderChannels(this);
    }
  }
}

function applyPresence(channel, p) {
  if (p.event === 'joined') channel.members.add(p.user);
  else channel.members.delete(p.user);
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function capitalise(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ---------------------------------------------------------------------------------------------
// ChatView: the DOM

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v; // the only way user text reaches the page
    else if (k === 'className') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

const timeFormat = new Intl.DateTimeFormat(undefined, {hour: '2-digit', minute: '2-digit'});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'medium'});

class ChatView {
  constructor() {
    this.client = null;
    this.statusTimer = null;
    this.narrow = window.matchMedia('(max-width: 720px)');
    this.wide = window.matchMedia('(min-width: 1000px)');
  }

  bind(client) {
    this.client = client;
    $('login-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const token = $('login-token').value.trim();
      const name = $('login-name').value || tokenSubject(token);
      if (name.trim() === '') {
        this.showLoginError('Please enter a name.');
        return;
      }
      client.login(name, false, token);
    });
    $('composer').addEventListener('submit', (e) => {
      e.preventDefault();
      this.sendFromComposer();
    });
    $('message-input').addEventListener('keydown', (e) => {
      // Enter sends; Shift+Enter is a new line; never while an input method is composing.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.sendFromComposer();
      }
    });
    $('message-input').addEventListener('input', () => this.fitComposer());
    $('join-form').addEventListener('submit', (e) => {
      e.preventDefault();
      $('join-error').hidden = true;
      client.joinByName($('join-channel-input').value);
      $('join-channel-input').value = '';
      this.closeDrawers();
      $('message-input').focus();
    });
    $('dm-form').addEventListener('submit', (e) => {
      e.preventDefault();
      client.openDm($('dm-to-input').value);
      $('dm-to-input').value = '';
      this.closeDrawers();
      $('message-input').focus();
    });
    $('list-refresh').addEventListener('click', () => client.requestList());
    $('logout-button').addEventListener('click', () => {
      client.logout();
      location.reload(); // the simplest way back to an empty page
    });
    $('load-older').addEventListener('click', () => client.loadOlder());
    $('retry-button').addEventListener('click', () => client.connection && client.connection.retryNow());
    $('leave-button').addEventListener('click', () => {
      const c = client.activeConversation();
      if (!c) return;
      if (c.kind === 'channel') client.leave(c);
      else {
        client.forget(c);
        this.renderAll(client, {scrollToEnd: true});
      }
    });
    $('nav-toggle').addEventListener('click', () => this.toggleDrawer('sidebar', 'nav-toggle'));
    $('members-toggle').addEventListener('click', () => this.toggleDrawer('members', 'members-toggle'));
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.closeDrawers(true);
    });
    this.narrow.addEventListener('change', () => this.layout());
    this.wide.addEventListener('change', () => this.layout());
    window.addEventListener('online', () => client.connection && client.connection.retryNow());
    this.layout();
  }

  sendFromComposer() {
    const input = $('message-input');
    if (this.client.sendText(input.value)) {
      input.value = '';
      this.fitComposer();
    }
    input.focus();
  }

  fitComposer() {
    const input = $('message-input');
    // scrollHeight leaves out the border; box-sizing is border-box, so add it back.
    input.style.height = 'auto';
    const border = input.offsetHeight - input.clientHeight;
    const height = Math.min(input.scrollHeight + border, 160);
    input.style.height = height + 'px';
    input.style.overflowY = height >= 160 ? 'auto' : 'hidden';
  }

  // --- drawers: the channel list and the member list collapse on narrow screens ---

  layout() {
    $('nav-toggle').hidden = !this.narrow.matches;
    $('members-toggle').hidden = this.wide.matches;
    if (!this.narrow.matches) this.setDrawer('sidebar', 'nav-toggle', false);
    if (this.wide.matches) this.setDrawer('members', 'members-toggle', false);
  }

  setDrawer(id, toggleId, open) {
    $(id).classList.toggle('open', open);
    $(toggleId).setAttribute('aria-expanded', String(open));
    if (id === 'sidebar') $(toggleId).setAttribute('aria-label', open ? 'Hide channels' : 'Show channels');
  }

  toggleDrawer(id, toggleId) {
    const open = !$(id).classList.contains('open');
    this.setDrawer(id, toggleId, open);
    if (open) {
      const first = $(id).querySelector('button, input, a[href]');
      if (first) first.focus();
    }
  }

  closeDrawers(returnFocus) {
    const wasOpen = $('sidebar').classList.contains('open') || $('members').classList.contains('open');
    if (this.narrow.matches) this.setDrawer('sidebar', 'nav-toggle', false);
    if (!this.wide.matches) this.setDrawer('members', 'members-toggle', false);
    if (returnFocus && wasOpen) $('message-input').focus();
  }

  // --- login ---

  showLoggingIn(name) {
    $('login-button').disabled = true;
    $('login-button').textContent = 'Connecting…';
    $('login-error').hidden = true;
    $('login-name').value = name;
  }

  // `field`: the input the person has to change (the name, or the token it was refused for).
  showLoginError(text, name, field = 'login-name') {
    $('chat-view').hidden = true;
    $('login-view').hidden = false;
    $('user-name').textContent = '';
    $('logout-button').hidden = true;
    $('login-button').disabled = false;
    $('login-button').textContent = 'Log in';
    $('login-error').textContent = text;
    $('login-error').hidden = false;
    if (name !== undefined) $('login-name').value = name;
    $(field).setAttribute('aria-invalid', 'true');
    $(field).focus();
    $(field).select();
  }

  showChat(client) {
    const first = $('chat-view').hidden;
    $('login-view').hidden = true;
    $('chat-view').hidden = false;
    $('login-button').disabled = false;
    $('login-button').textContent = 'Log in';
    $('login-name').removeAttribute('aria-invalid');
    $('login-token').removeAttribute('aria-invalid');
    $('user-name').textContent = client.name;
    $('logout-button').hidden = false;
    this.renderAll(client, {scrollToEnd: true});
    if (first) $('message-input').focus();
  }

  // --- connection status ---

  showConnection(state, detail, everConnected) {
    const status = $('connection-status');
    clearInterval(this.statusTimer);
    status.dataset.state = state;
    const banner = $('connection-banner');
    const show = (text) => {
      status.textContent = text;
    };
    if (state === 'online') {
      show('Online');
      banner.hidden = true;
    } else if (state === 'connecting') {
      show(everConnected ? 'Reconnecting…' : 'Connecting…');
      if (everConnected) {
        banner.hidden = false;
        $('connection-banner-text').textContent = 'Connection lost. Reconnecting…';
      }
    } else if (state === 'offline') {
      const tick = () => {
        const seconds = Math.max(0, Math.ceil((detail.retryAt - Date.now()) / 1000));
        const text = `Offline, retrying in ${seconds} s`;
        show(text);
        $('connection-banner-text').textContent = everConnected
          ? `Connection lost. Messages sent meanwhile will appear when we are back. Retrying in ${seconds} s.`
          : `Cannot reach the chat server. Retrying in ${seconds} s.`;
      };
      tick();
      this.statusTimer = setInterval(tick, 1000);
      banner.hidden = !everConnected;
      if (!everConnected && !$('login-view').hidden) {
        $('login-error').textContent = 'Cannot reach the chat server; retrying…';
        $('login-error').hidden = false;
        $('login-button').disabled = false; // still retrying, but the name may be changed meanwhile
        $('login-button').textContent = 'Log in';
      }
    } else {
      show('Not connected');
      banner.hidden = true;
    }
    this.renderComposer(this.client);
  }

  toast(text) {
    // Errors without a conversation to put them in go to the status line's live region.
    console.warn('cafchat:', text);
    const conversation = this.client && this.client.activeConversation();
    if (conversation) this.client.addItem(conversation, {kind: 'notice', tone: 'error', text});
  }

  showJoinError(text) {
    $('join-error').textContent = text;
    $('join-error').hidden = false;
  }

  // --- rendering ---

  renderAll(client, options = {}) {
    this.renderChannels(client);
    this.renderHeader(client);
    this.renderMembers(client);
    this.renderMessages(client, options);
    this.renderComposer(client);
  }

  renderChannels(client) {
    const channels = $('channel-list');
    const dms = $('dm-list');
    const joinedNames = new Set();
    channels.replaceChildren();
    dms.replaceChildren();
    for (const c of client.conversations.values()) {
      const current = c.key === client.active;
      const label = c.kind === 'channel' ? `# ${c.name}` : c.name;
      // While offline every channel is "not joined"; the connection banner already says so.
      const state = c.kind !== 'channel' || c.joined || !client.loggedIn ? ''
        : c.joining ? ' (joining)' : ' (not joined)';
      const button = el('button', {
        type: 'button', className: 'conversation-button',
        'aria-current': current ? 'page' : null,
        dataset: {testid: c.kind === 'channel' ? 'channel-item' : 'dm-item', name: c.name},
        onclick: () => {
          client.select(c.key);
          this.closeDrawers();
          $('message-input').focus();
        },
      }, el('span', {className: 'conversation-name', text: label + state}),
      c.unread > 0 ? el('span', {className: 'badge', text: String(c.unread),
        'aria-label': `${c.unread} unread`}) : null);
      (c.kind === 'channel' ? channels : dms).append(el('li', {}, button));
      if (c.kind === 'channel') joinedNames.add(c.name);
    }
    const available = $('available-list');
    available.replaceChildren();
    for (const a of client.available) {
      if (joinedNames.has(a.name)) continue;
      available.append(el('li', {}, el('button', {
        type: 'button', className: 'conversation-button',
        dataset: {testid: 'available-channel', name: a.name},
        'aria-label': `Join ${a.name}, ${a.members} member${a.members === 1 ? '' : 's'}`,
        onclick: () => {
          client.joinByName(a.name);
          this.closeDrawers();
          $('message-input').focus();
        },
      }, el('span', {className: 'conversation-name', text: `# ${a.name}`}),
      el('span', {className: 'count', text: String(a.members)}))));
    }
    if (available.childElementCount === 0)
      available.append(el('li', {className: 'empty', text: client.loggedIn ? 'none' : '…'}));
    if (dms.childElementCount === 0)
      dms.append(el('li', {className: 'empty', text: 'none yet'}));
  }

  renderHeader(client) {
    const c = client.activeConversation();
    $('conversation-title').textContent = c ? (c.kind === 'channel' ? `# ${c.name}` : `@ ${c.name}`) : '';
    $('conversation-meta').textContent = !c ? '' : c.kind === 'dm' ? 'direct messages'
      : c.joined ? `${c.members.size} member${c.members.size === 1 ? '' : 's'}`
        : c.joining ? 'joining…' : 'not joined';
    $('leave-button').hidden = !c;
    $('leave-button').textContent = c && c.kind === 'dm' ? 'Close' : 'Leave';
    $('leave-button').setAttribute('aria-label', c ? (c.kind === 'dm' ? `Close the conversation with ${c.name}` : `Leave ${c.name}`) : 'Leave');
    $('members').hidden = !c || c.kind !== 'channel';
    $('members-toggle').disabled = !c || c.kind !== 'channel';
    $('message-input-label').textContent = c ? (c.kind === 'channel' ? `Message #${c.name}` : `Message ${c.name}`) : 'Message';
    $('message-input').placeholder = c ? (c.kind === 'channel' ? `Message #${c.name}` : `Message ${c.name}`) : 'Message';
  }

  renderMembers(client) {
    const c = client.activeConversation();
    const list = $('member-list');
    list.replaceChildren();
    if (!c || c.kind !== 'channel') return;
    const names = [...c.members].sort();
    $('member-count').textContent = `(${names.length})`;
    for (const name of names) {
      const me = name === client.name;
      list.append(el('li', {dataset: {testid: 'member', name}},
        el('span', {className: 'presence-dot', 'aria-hidden': 'true'}),
        me ? el('span', {className: 'member-name', text: `${name} (you)`})
          : el('button', {type: 'button', className: 'link-button member-name', text: name,
            'aria-label': `Direct message ${name}`,
            onclick: () => {
              client.openDm(name);
              this.closeDrawers();
              $('message-input').focus();
            }})));
    }
    this.renderHeader(client);
  }

  renderComposer(client) {
    if (!client) return;
    const c = client.activeConversation();
    const ready = client.loggedIn && c && (c.kind === 'dm' || c.joined);
    $('send-button').disabled = !ready;
    $('message-input').setAttribute('aria-disabled', String(!ready));
    $('composer').dataset.ready = String(Boolean(ready));
  }

  renderMessages(client, {scrollToEnd = false, keepScroll = false, prepended = false} = {}) {
    const box = $('messages');
    const list = $('message-list');
    const c = client.activeConversation();
    const fromBottom = box.scrollHeight - box.scrollTop;
    const atEnd = this.nearEnd();
    list.replaceChildren();
    if (c) c.items.forEach((item, i) => list.append(this.renderItem(client, item, c.items[i - 1])));
    const canOlder = c && c.kind === 'channel' && c.canLoadOlder();
    $('load-older').hidden = !canOlder;
    $('load-older').disabled = Boolean(c && c.olderPending);
    $('load-older').textContent = c && c.olderPending ? 'Loading…' : 'Load older messages';
    if (prepended) box.scrollTop = box.scrollHeight - fromBottom; // stay where the reader was
    else if (scrollToEnd || (atEnd && !keepScroll)) box.scrollTop = box.scrollHeight;
  }

  nearEnd() {
    const box = $('messages');
    return box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  }

  appendMessage(client, item) {
    const atEnd = this.nearEnd();
    const items = client.activeConversation().items;
    $('message-list').append(this.renderItem(client, item, items[items.length - 2]));
    $('load-older').hidden = !(client.activeConversation() && client.activeConversation().kind === 'channel' &&
      client.activeConversation().canLoadOlder());
    if (atEnd || item.own) $('messages').scrollTop = $('messages').scrollHeight;
  }

  // `previous` is the item shown just above: a run of messages from one sender within a few
  // minutes shows the sender once.
  renderItem(client, item, previous) {
    if (item.kind === 'notice') {
      return el('li', {className: `notice ${item.tone || ''} ${item.presence ? 'presence' : ''}`,
        dataset: {testid: item.presence ? 'presence-event' : 'notice', event: item.presence, user: item.user,
          lost: item.lost ? 'true' : null}},
      el('span', {text: item.text}));
    }
    const time = item.time !== null && item.time !== undefined
      ? el('time', {className: 'message-time', datetime: new Date(item.time).toISOString(),
        title: dateTimeFormat.format(item.time), text: timeFormat.format(item.time)})
      : el('span', {className: 'message-time unknown', text: ''});
    const continued = previous && previous.kind === 'msg' && previous.sender === item.sender &&
      item.time !== null && previous.time !== null && item.time - previous.time < 5 * 60 * 1000;
    return el('li', {
      className: `message${item.own ? ' own' : ''}${item.pending ? ' pending' : ''}${item.failed ? ' failed' : ''}` +
        (continued ? ' continued' : ''),
      dataset: {testid: 'message', sender: item.sender, offset: item.offset !== undefined ? item.offset.toString() : null},
    },
    el('div', {className: 'message-meta'},
      el('span', {className: 'message-sender', text: item.sender}), time,
      item.pending ? el('span', {className: 'message-state', text: 'sending…'}) : null),
    el('div', {className: 'message-text', dataset: {testid: 'message-text'}, text: item.text}));
  }
}

// ---------------------------------------------------------------------------------------------
// Start

(function start() {
  const view = new ChatView();
  const client = new ChatClient(view);
  view.bind(client);
  window.cafchat = client; // for the console and for tests: read-only use, please
  if (!client.restoreSession()) $('login-name').focus();
  if (!client.connection)
    view.showLoginError('No chat server: open this page from chat-server, or add ?ws=ws://host:port/ws');
})();
