#!/usr/bin/python3
"""Browser tests for the web chat page (issue #12): real headless Chromium driven by Selenium.

Each test class starts its own chat-server on 127.0.0.1 (--port=0 --http-port=0, a temporary
--data-dir) and loads the page it serves at `/`. The first scenario has the real chat-client
(built beside chat-server) in the chat; a tiny version-2 TCP client (socket + struct) plays a TCP
member wherever a test needs exact frames (offsets, replays).

    /usr/bin/python3 tests/browser/chat_page_test.py [path/to/chat-server] [unittest args]

or CHAT_SERVER=path/to/chat-server. SCREENSHOT_DIR (default: a temporary directory, printed)
receives a PNG of each scenario's end state. Needs Debian's chromium, chromium-driver and
python3-selenium (see tests/browser/README.md).
"""

import os
import pathlib
import queue
import re
import select
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

try:
    from selenium import webdriver
except ImportError:  # pyenv or a venv in front of Debian's python3: use Debian's packages
    sys.path.append('/usr/lib/python3/dist-packages')
    from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

REPO = pathlib.Path(__file__).resolve().parents[2]
WAIT = 20  # seconds for anything the page should do promptly
RECONNECT_WAIT = 45  # the page's backoff tops out at 15 s
SERVER_START_WAIT = 30


def _server_path():
    for arg in sys.argv[1:]:
        if not arg.startswith('-') and os.path.isfile(arg) and os.access(arg, os.X_OK):
            sys.argv.remove(arg)
            return arg
    if os.environ.get('CHAT_SERVER'):
        return os.environ['CHAT_SERVER']
    for candidate in ('build/rel/apps/chat-server/chat-server', 'build/dev/apps/chat-server/chat-server'):
        if (REPO / candidate).exists():
            return str(REPO / candidate)
    return None


CHAT_SERVER = _server_path()
SCREENSHOT_DIR = pathlib.Path(os.environ.get('SCREENSHOT_DIR') or tempfile.mkdtemp(prefix='chat-page-shots-'))


def parse_listen_line(line):
    """('tcp' | 'http', port) for a line that announces a listening socket, else None.

    The one place that knows chat-server's stdout: `chat-server listening on 127.0.0.1:PORT (...)`
    for the chat protocol, and a line saying `http listening on 127.0.0.1:PORT` (or naming a
    WebSocket, or an http:// URL) for the gateway.
    """
    m = re.search(r'listening on\s+(\w+://)?(\[[0-9a-fA-F:.]+\]|[^\s:/]+):(\d+)', line)
    if not m:
        return None
    before = line[:m.start()].lower()
    scheme = (m.group(1) or '').lower()
    http = scheme.startswith(('http', 'ws')) or re.search(r'\b(http|https|websocket|ws|web)\b', before)
    return ('http' if http else 'tcp', int(m.group(3)))


class ChatServer:
    """A chat-server process; restart() brings it back on the same ports with the same data."""

    def __init__(self, data_dir, extra_args=()):
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.process = None
        self.port = 0
        self.http_port = 0
        self.log_path = os.path.join(data_dir, 'server.log')

    def start(self):
        args = [CHAT_SERVER, f'--host=127.0.0.1', f'--port={self.port}', f'--http-port={self.http_port}',
                f'--data-dir={self.data_dir}', '--max-broadcast-rate=0', *self.extra_args]
        log = open(self.log_path, 'ab')
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        found = {}
        lines = []
        pending = b''
        fd = self.process.stdout.fileno()  # raw reads: a buffered readline would hide lines from select
        deadline = time.monotonic() + SERVER_START_WAIT
        # Both lines come within a moment of each other; read until both are in (bounded).
        while ('tcp' not in found or 'http' not in found) and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                if self.process.poll() is not None:
                    break
                continue
            data = os.read(fd, 65536)
            if not data:
                break
            pending += data
            *complete, pending = pending.split(b'\n')
            for raw in complete:
                line = raw.decode(errors='replace')
                lines.append(line)
                parsed = parse_listen_line(line)
                if parsed:
                    found.setdefault(parsed[0], parsed[1])
        if 'tcp' not in found or 'http' not in found:
            self.stop()
            raise RuntimeError(f'chat-server did not announce both ports; stdout: {lines!r}; '
                               f'stderr in {self.log_path}')
        self.port, self.http_port = found['tcp'], found['http']
        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=self._drain, args=(self.process.stdout,), daemon=True).start()

    @staticmethod
    def _drain(pipe):
        try:
            while os.read(pipe.fileno(), 65536):
                pass
        except OSError:
            pass

    def kill(self):
        """kill -9: the next start gives every channel a new epoch (docs/PROTOCOL.md, History)."""
        self.process.kill()
        self.process.wait(timeout=15)
        self.process.stdout.close()
        self.process = None

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # a clean stop keeps the channels' epochs
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process:
            self.process.stdout.close()
        self.process = None


class CuttableProxy:
    """A TCP relay in front of the HTTP port. cut() closes every relayed connection and refuses new
    ones (accepts and closes at once) until restore(): for the page, exactly a network drop."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.lock = threading.Lock()
        self.connections = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(('127.0.0.1', self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def cut(self):
        self.up = False
        with self.lock:
            connections, self.connections = self.connections, []
        for s in connections:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass

    def restore(self):
        self.up = True

    def close(self):
        self.closed = True
        self.cut()
        self.listener.close()


# ---- the real chat-client, on a pipe: lines typed in, lines it prints read back ----

class ChatClientProcess:
    """chat-client (built beside chat-server) logged in as `name`: it joins #lobby, sends each
    line written to it there, and prints what it receives ("#lobby ann: text")."""

    def __init__(self, port, name):
        binary = os.path.join(os.path.dirname(os.path.dirname(CHAT_SERVER)), 'chat-client', 'chat-client')
        self.proc = subprocess.Popen([binary, '--port', str(port), '--name', name],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip('\n'))

    def expect(self, text, timeout=10):
        """Waits (bounded) for a printed line holding `text`; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.seen:
                if text in line:
                    return line
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f'chat-client never printed {text!r}; it printed {self.seen!r}')
            try:
                self.seen.append(self.lines.get(timeout=left))
            except queue.Empty:
                pass

    def say(self, text):
        self.proc.stdin.write(text + '\n')
        self.proc.stdin.flush()

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---- a version-2 TCP client (docs/PROTOCOL.md), the stand-in for chat-client ----

HELLO, LOGIN, ERROR, PING, PONG = 7, 1, 4, 5, 6
JOIN, LEAVE, MSG, DM, REPLY, PRESENCE, JOINED = 8, 9, 10, 11, 14, 15, 18
EVENTS = {1: 'joined', 2: 'left', 3: 'dropped'}


def str8(s):
    b = s.encode()
    return bytes([len(b)]) + b


def text(s):
    b = s.encode()
    return struct.pack('<I', len(b)) + b


class Reader:
    def __init__(self, payload):
        self.p, self.i = payload, 0

    def take(self, n):
        b = self.p[self.i:self.i + n]
        self.i += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u32(self):
        return struct.unpack('<I', self.take(4))[0]

    def u64(self):
        return struct.unpack('<Q', self.take(8))[0]

    def str8(self):
        return self.take(self.u8()).decode()

    def text(self):
        return self.take(self.u32()).decode()


class TcpClient:
    """Logs in with version 2; a thread reads frames, answers PING, and queues the rest."""

    def __init__(self, port, name):
        self.name = name
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=WAIT)
        self.frames = queue.Queue()
        self.ref = 0
        threading.Thread(target=self._read, daemon=True).start()
        self.send(HELLO, struct.pack('<H', 2))
        self.expect(HELLO)
        self.send(LOGIN, name.encode())
        reply = self.expect(LOGIN).decode()
        if reply != 'Login OK':
            raise RuntimeError(f'{name}: {reply}')

    def send(self, frame_type, payload=b''):
        self.sock.sendall(struct.pack('<iB', len(payload) + 1, frame_type) + payload)

    def _read(self):
        buf = b''
        try:
            while True:
                while len(buf) >= 4 and len(buf) >= 4 + struct.unpack('<i', buf[:4])[0]:
                    n = struct.unpack('<i', buf[:4])[0]
                    t, p = buf[4], buf[5:4 + n]
                    buf = buf[4 + n:]
                    if t == PING:
                        self.send(PONG, p)
                    else:
                        self.frames.put((t, p))
                data = self.sock.recv(65536)
                if not data:
                    break
                buf += data
        except OSError:
            pass
        self.frames.put((None, b''))

    def expect(self, frame_type, match=lambda p: True, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f'{self.name}: no frame of type {frame_type}')
            t, p = self.frames.get(timeout=left)
            if t is None:
                raise ConnectionError(f'{self.name}: connection closed')
            if t == frame_type and match(p):
                return p

    def next_ref(self):
        self.ref += 1
        return self.ref

    def join(self, channel, count=0):
        mode = 2 if count else 0
        self.send(JOIN, struct.pack('<I', self.next_ref()) + str8(channel) + bytes([mode]) +
                  struct.pack('<QQI', 0, 0, count))
        return self.expect(JOINED)

    def leave(self, channel):
        ref = self.next_ref()
        self.send(LEAVE, struct.pack('<I', ref) + str8(channel))
        self.expect(REPLY, lambda p: struct.unpack('<I', p[:4])[0] == ref)

    def say(self, channel, words):
        self.send(MSG, struct.pack('<I', self.next_ref()) + str8(channel) + text(words))

    def expect_msg(self, channel, words, timeout=WAIT):
        """Waits for the MSG delivery of `words` in `channel`; returns (sender, offset)."""
        while True:
            p = self.expect(MSG, timeout=timeout)
            r = Reader(p)
            ch, sender, t, offset = r.str8(), r.str8(), r.text(), r.u64()
            if ch == channel and t == words:
                return sender, offset

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---- the browser ----

def make_browser(width=1280, height=900, mobile=False, extra_args=()):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which('chromium') or '/usr/bin/chromium'
    for arg in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
                '--no-proxy-server', '--no-first-run', '--disable-extensions',
                '--disable-background-networking', '--disable-component-update',
                f'--window-size={width},{height}', *extra_args):
        options.add_argument(arg)
    service = Service(shutil.which('chromedriver') or '/usr/bin/chromedriver')
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(WAIT)
    if mobile:
        driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride',
                               {'width': width, 'height': height, 'deviceScaleFactor': 2, 'mobile': True})
    return driver


def by_testid(testid):
    return (By.CSS_SELECTOR, f'[data-testid="{testid}"]')


class ChatPage:
    """What a person does with the page, and what they see, through the data-testid hooks."""

    def __init__(self, driver, url, label):
        self.driver = driver
        self.url = url
        self.label = label

    def wait(self, condition, message, timeout=WAIT):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                                 ignored_exceptions=(StaleElementReferenceException,)).until(
                lambda d: condition(), message)
        except TimeoutException:
            self.screenshot(f'FAILED-{self.label}')
            raise

    def find(self, testid):
        return self.driver.find_element(*by_testid(testid))

    def find_all(self, testid):
        return self.driver.find_elements(*by_testid(testid))

    def open(self):
        self.driver.get(self.url)

    def login(self, name):
        self.open()
        field = self.wait(lambda: self.find('login-name').is_displayed() and self.find('login-name'),
                          'login form')
        field.clear()
        field.send_keys(name)
        self.find('login-button').click()
        self.wait_online()

    def wait_online(self, timeout=WAIT):
        self.wait(lambda: self.status() == 'online' and self.find('message-input').is_displayed(),
                  f'{self.label}: online', timeout)

    def status(self):
        return self.find('connection-status').get_attribute('data-state')

    def select_channel(self, name):
        self.driver.find_element(By.CSS_SELECTOR, f'[data-testid="channel-item"][data-name="{name}"]').click()
        self.wait(lambda: self.find('conversation-title').text == f'# {name}', f'channel {name} shown')

    def join(self, channel):
        box = self.find('join-channel-input')
        box.send_keys(channel + Keys.ENTER)
        self.wait(lambda: self.find('conversation-title').text == f'# {channel}'
                  and self.find('composer').get_attribute('data-ready') == 'true', f'joined {channel}')

    def send(self, words):
        self.wait(lambda: self.find('composer').get_attribute('data-ready') == 'true', 'composer ready')
        box = self.find('message-input')
        box.send_keys(words)
        box.send_keys(Keys.ENTER)  # Enter sends

    def messages(self):
        """[(sender, text, offset)] of the conversation shown, in order."""
        return self.driver.execute_script("""
            return [...document.querySelectorAll('[data-testid="message"]')].map(m => [
                m.dataset.sender, m.querySelector('[data-testid="message-text"]').textContent,
                m.dataset.offset || null]);""")

    def texts(self):
        return [t for _, t, _ in self.messages()]

    def wait_texts(self, *wanted, timeout=WAIT):
        self.wait(lambda: all(w in self.texts() for w in wanted),
                  f'{self.label}: messages {wanted!r}; has {self.texts()[-10:]!r}', timeout)

    def members(self):
        return [li.get_attribute('data-name') for li in self.find_all('member')]

    def presence_events(self):
        return [(p.get_attribute('data-user'), p.get_attribute('data-event'))
                for p in self.find_all('presence-event')]

    def screenshot(self, name):
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f'{name}.png'
        try:
            self.driver.save_screenshot(str(path))
        except Exception:  # noqa: BLE001 -- a screenshot must never hide the real failure
            pass
        return path


def page_url(http_port):
    """The page as chat-server serves it; if it does not serve it (yet), the file beside this test
    with ?ws= pointing at the server's WebSocket."""
    base = f'http://127.0.0.1:{http_port}/'
    try:
        with urllib.request.urlopen(base, timeout=5) as r:
            if r.status == 200 and b'chat.js' in r.read():
                return base
    except OSError:
        pass
    return (REPO / 'web' / 'index.html').as_uri() + f'?ws=ws://127.0.0.1:{http_port}/ws'


def proxied_url(direct_url, http_port, proxy_port):
    return direct_url.replace(f'127.0.0.1:{http_port}', f'127.0.0.1:{proxy_port}')


@unittest.skipUnless(CHAT_SERVER and os.path.exists(CHAT_SERVER), 'no chat-server: give its path or set CHAT_SERVER')
class ChatPageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix='chat-page-data-')
        cls.server = ChatServer(cls.data_dir)
        cls.server.start()
        cls.url = page_url(cls.server.http_port)
        print(f'\n  page: {cls.url}\n  screenshots: {SCREENSHOT_DIR}', file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    def setUp(self):
        self.cleanups = []

    def tearDown(self):
        for cleanup in reversed(self.cleanups):
            try:
                cleanup()
            except Exception:  # noqa: BLE001
                pass

    def browser(self, label, url=None, **kwargs):
        driver = make_browser(**kwargs)
        self.cleanups.append(driver.quit)
        return ChatPage(driver, url or self.url, label)

    def tcp(self, name):
        client = TcpClient(self.server.port, name)
        self.cleanups.append(client.close)
        return client

    def test_1_two_browsers_and_a_tcp_client_chat(self):
        ann = self.browser('ann')
        bob = self.browser('bob')
        ann.login('ann')
        bob.login('bob')
        carl = self.tcp('carl')
        carl.join('lobby')
        dave = ChatClientProcess(self.server.port, 'dave')  # the real terminal client
        self.cleanups.append(dave.close)
        dave.expect('Login OK')
        ann.wait(lambda: {'ann', 'bob', 'carl', 'dave'} <= set(ann.members()),
                 'ann sees everyone in lobby')

        ann.send('hello from ann')
        bob.wait_texts('hello from ann')
        self.assertEqual(carl.expect_msg('lobby', 'hello from ann')[0], 'ann')
        bob.send('hi ann, bob here')
        ann.wait_texts('hi ann, bob here')
        carl.expect_msg('lobby', 'hi ann, bob here')
        dave.expect('ann: hello from ann')
        dave.expect('bob: hi ann, bob here')
        dave.say('dave from chat-client')
        ann.wait_texts('dave from chat-client')
        bob.wait_texts('dave from chat-client')
        carl.expect_msg('lobby', 'dave from chat-client')
        carl.say('lobby', 'carl on TCP says <b>hi</b> & "bye"')
        ann.wait_texts('carl on TCP says <b>hi</b> & "bye"')
        bob.wait_texts('carl on TCP says <b>hi</b> & "bye"')
        # Text is text: the markup-looking message made no element.
        self.assertEqual(ann.driver.find_elements(By.CSS_SELECTOR, '[data-testid="message-text"] b'), [])
        self.assertEqual([s for s, t, _ in ann.messages() if t.startswith('carl on TCP')], ['carl'])

        # A direct message, in its own conversation.
        ann.find('dm-to-input').send_keys('bob' + Keys.ENTER)
        ann.wait(lambda: ann.find('conversation-title').text == '@ bob', 'ann in the DM view')
        ann.send('psst, bob')
        bob.wait(lambda: bob.driver.find_elements(By.CSS_SELECTOR, '[data-testid="dm-item"][data-name="ann"]'),
                 'bob has a conversation with ann')
        bob.driver.find_element(By.CSS_SELECTOR, '[data-testid="dm-item"][data-name="ann"]').click()
        bob.wait_texts('psst, bob')
        self.assertNotIn('psst, bob', self._channel_texts(bob, 'lobby'))
        ann.wait(lambda: not ann.driver.find_elements(By.CSS_SELECTOR, '.message.pending'), 'DM confirmed')
        bob.driver.find_element(By.CSS_SELECTOR, '[data-testid="dm-item"][data-name="ann"]').click()
        bob.wait(lambda: bob.find('conversation-title').text == '@ ann', 'bob back in the DM view')
        bob.send('got it')
        ann.wait_texts('got it')
        ann.select_channel('lobby')
        ann.screenshot('1-chat-ann')
        bob.screenshot('1-chat-bob-dm')

    def _channel_texts(self, page, channel):
        page.select_channel(channel)
        return page.texts()

    def test_2_presence_shows_join_and_leave(self):
        ann = self.browser('ann2')
        ann.login('ann2')
        ann.join('plaza')
        dave = self.tcp('dave')
        dave.join('plaza')
        ann.wait(lambda: 'dave' in ann.members() and ('dave', 'joined') in ann.presence_events(),
                 'dave joined: member list and timeline')
        bob = self.browser('bob2')
        bob.login('bob2')
        bob.join('plaza')
        ann.wait(lambda: 'bob2' in ann.members(), 'bob2 in the member list')
        bob.wait(lambda: {'ann2', 'dave', 'bob2'} <= set(bob.members()), 'bob2 sees all members (WHO)')
        dave.leave('plaza')
        ann.wait(lambda: 'dave' not in ann.members() and ('dave', 'left') in ann.presence_events(),
                 'dave left: member list and timeline')
        bob.wait(lambda: 'dave' not in bob.members(), 'bob2 saw dave leave')
        bob.driver.quit()
        ann.wait(lambda: 'bob2' not in ann.members() and ('bob2', 'dropped') in ann.presence_events(),
                 'bob2 dropped when the browser went away')
        self.assertIn('ann2', ann.members())
        ann.screenshot('2-presence')

    def test_3_reload_shows_history_and_older_pages(self):
        writer = self.tcp('writer')
        writer.join('archive')
        total = 130  # more than the 100 replayed on a join: "load older" fetches the rest
        for i in range(1, total + 1):
            writer.say('archive', f'archived {i}')
        writer.expect_msg('archive', f'archived {total}')

        ann = self.browser('ann3')
        ann.login('ann3')
        ann.join('archive')
        ann.wait_texts(f'archived {total}', 'archived 31')
        self.assertNotIn('archived 30', ann.texts())
        ann.wait(lambda: ann.find('load-older').is_displayed(), 'load older offered')
        ann.find('load-older').click()
        ann.wait_texts('archived 1')
        expected = [f'archived {i}' for i in range(1, total + 1)]
        ann.wait(lambda: [t for t in ann.texts() if t.startswith('archived')] == expected, 'all in order')
        ann.wait(lambda: not ann.find('load-older').is_displayed(), 'nothing older')
        ann.send('my own words before the reload')
        ann.wait_texts('my own words before the reload')

        ann.driver.refresh()
        ann.wait_online()
        ann.wait(lambda: ann.find('conversation-title').text == '# archive', 'back in archive after reload')
        # The last 100 again: archived 32..130 and ann's own line.
        ann.wait_texts('my own words before the reload', f'archived {total}', 'archived 32')
        self.assertNotIn('archived 31', ann.texts())
        # Replayed messages get their send time from HISTORY.
        ann.wait(lambda: ann.driver.execute_script(
            "return document.querySelectorAll('[data-testid=\"message\"] time').length") >= 100,
            'times on the replayed messages')
        texts = [t for t in ann.texts() if t.startswith('archived')]
        self.assertEqual(len(texts), len(set(texts)), 'no duplicates after the reload')
        ann.screenshot('3-history-after-reload')

    def test_4_drop_shows_indicator_and_recovery_misses_nothing(self):
        proxy = CuttableProxy(self.server.http_port)
        self.cleanups.append(proxy.close)
        ann = self.browser('ann4', url=proxied_url(self.url, self.server.http_port, proxy.port))
        ann.login('ann4')
        ann.join('ops')
        erin = self.tcp('erin')
        erin.join('ops')
        erin.say('ops', 'before the cut')
        ann.wait_texts('before the cut')

        proxy.cut()
        ann.wait(lambda: ann.status() == 'offline' and ann.find('connection-banner').is_displayed(),
                 'drop indicator shown')
        # The server notices ann4 is gone (presence `dropped`), so the name is free again.
        erin.expect(PRESENCE, lambda p: Reader(p).str8() == 'ops' and b'ann4' in p)
        missed = [f'while you were away {i}' for i in range(1, 6)]
        for words in missed:
            erin.say('ops', words)
        erin.expect_msg('ops', missed[-1])
        ann.screenshot('4-drop-offline')
        self.assertTrue(all(m not in ann.texts() for m in missed))

        proxy.restore()
        ann.wait_online(timeout=RECONNECT_WAIT)
        ann.wait_texts(*missed)
        erin.say('ops', 'after the reconnect')
        ann.wait_texts('after the reconnect')
        shown = ann.messages()
        texts = [t for _, t, _ in shown]
        for words in ['before the cut', *missed, 'after the reconnect']:
            self.assertEqual(texts.count(words), 1, f'{words!r} shown once')
        offsets = [int(o) for _, _, o in shown if o is not None]
        self.assertEqual(offsets, list(range(offsets[0], offsets[0] + len(offsets))),
                         'offsets consecutive: nothing missed, nothing twice')
        self.assertFalse(ann.find('connection-banner').is_displayed())
        ann.screenshot('4-drop-recovered')

    def test_5_phone_width(self):
        ann = self.browser('ann5', width=390, height=844, mobile=True)
        ann.login('ann5')
        ann.send('a-very-long-word-without-any-spaces-' * 8)
        ann.wait(lambda: any(t.startswith('a-very-long-word') for t in ann.texts()), 'long word shown')

        def no_horizontal_scroll():
            return ann.driver.execute_script(
                'const e = document.documentElement;'
                'return e.scrollWidth <= e.clientWidth && document.body.scrollWidth <= e.clientWidth;')

        wide = ann.driver.execute_script(
            'return [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > '
            'document.documentElement.clientWidth + 1 && e.offsetParent !== null)'
            '.map(e => e.tagName + "#" + e.id + "." + e.className + " " + e.getBoundingClientRect().right);')
        self.assertTrue(no_horizontal_scroll(), f'no horizontal scroll at 390 px; too wide: {wide}')
        box = ann.find('message-input')
        self.assertTrue(box.is_displayed())
        rect = ann.driver.execute_script(
            'const r = arguments[0].getBoundingClientRect();'
            'return [r.left, r.right, r.top, r.bottom, innerWidth, innerHeight];', box)
        left, right, top, bottom, width, height = rect
        self.assertTrue(0 <= left and right <= width and 0 <= top and bottom <= height, f'input in view: {rect}')
        self.assertTrue(ann.find('send-button').is_displayed())
        # The channel list is collapsed behind its toggle.
        self.assertFalse(ann.find('channel-list').is_displayed())
        ann.screenshot('5-phone')
        ann.find('nav-toggle').click()
        ann.wait(lambda: ann.find('channel-list').is_displayed() and ann.driver.execute_script(
            'return arguments[0].getBoundingClientRect().left >= 0', ann.find('sidebar')), 'channel drawer open')
        self.assertTrue(no_horizontal_scroll())
        ann.screenshot('5-phone-channels')
        ann.find('join-channel-input').send_keys('phones' + Keys.ENTER)
        ann.wait(lambda: ann.find('conversation-title').text == '# phones' and not ann.find('channel-list').is_displayed(),
                 'joined; drawer closed')
        ann.send('from a phone')
        ann.wait_texts('from a phone')
        self.assertTrue(no_horizontal_scroll())

    def test_6_refused_name_is_explained(self):
        self.tcp('zed')
        page = self.browser('zed')
        page.open()
        page.wait(lambda: page.find('login-name').is_displayed(), 'login form')
        page.find('login-name').send_keys('zed' + Keys.ENTER)
        page.wait(lambda: page.find('login-error').is_displayed() and 'name taken' in page.find('login-error').text,
                  'refusal shown')
        self.assertEqual(page.driver.switch_to.active_element, page.find('login-name'))
        page.screenshot('6-name-taken')
        page.find('login-name').clear()
        page.find('login-name').send_keys('zed2' + Keys.ENTER)
        page.wait_online()

    def test_7_lost_history_is_said_plainly(self):
        # Last: it restarts the class's server (same ports, same data directory).
        ann = self.browser('ann7')
        ann.login('ann7')
        ann.join('fragile')
        ann.send('said before the crash')
        ann.wait_texts('said before the crash')
        self.server.kill()
        ann.wait(lambda: ann.status() == 'offline' and ann.find('connection-banner').is_displayed(),
                 'drop indicator after the crash')
        self.server.start()
        ann.wait_online(timeout=RECONNECT_WAIT)
        ann.wait(lambda: ann.find_all('notice') and any(
            n.get_attribute('data-lost') == 'true' and 'History was lost' in n.text for n in ann.find_all('notice')),
            'a plain notice that history was lost')
        ann.wait(lambda: ann.find('composer').get_attribute('data-ready') == 'true', 'rejoined')
        ann.send('said after the restart')
        ann.wait_texts('said after the restart')
        ann.screenshot('7-history-lost')


class ChatPageTokenTest(unittest.TestCase):
    """A server with --auth token: the page logs in with a token alone (the name comes from it),
    and a forged token is refused with the server's reason, on the page."""

    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix='chat-page-token-')
        cls.secret = os.path.join(cls.data_dir, 'secret')
        with open(cls.secret, 'w') as f:
            f.write('a development secret of more than thirty-two bytes\n')
        cls.server = ChatServer(cls.data_dir, ['--auth=token', f'--auth-secret-file={cls.secret}'])
        cls.server.start()
        cls.url = page_url(cls.server.http_port)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    def issue(self, name):
        out = subprocess.run([CHAT_SERVER, f'--issue-token={name}', f'--auth-secret-file={self.secret}',
                              '--ttl=10min'], capture_output=True, text=True, timeout=30, check=True)
        return out.stdout.strip()

    def test_8_token_login_and_a_forged_token(self):
        driver = make_browser()
        self.addCleanup(driver.quit)
        page = ChatPage(driver, self.url, 'token')
        page.open()
        page.wait(lambda: page.find('login-token').is_displayed(), 'login form with a token field')
        token = self.issue('tess')
        header, claims, signature = token.split('.')
        forged = '.'.join([header, claims, ('A' if signature[0] != 'A' else 'B') + signature[1:]])
        page.find('login-token').send_keys(forged + Keys.ENTER)
        page.wait(lambda: page.find('login-error').is_displayed() and
                  'token signature invalid' in page.find('login-error').text, 'the forged token refused')
        self.assertEqual(page.driver.switch_to.active_element, page.find('login-token'))
        page.screenshot('8-forged-token')
        page.find('login-token').clear()
        page.find('login-token').send_keys(token + Keys.ENTER)
        page.wait_online()
        page.join('signed')
        page.send('hello with a token')
        page.wait_texts('hello with a token')
        self.assertIn('tess', driver.page_source)
        page.screenshot('8-token-login')


def spki_sha256(cert_file):
    """base64 of the SHA-256 of the certificate's public key (SubjectPublicKeyInfo, DER): what
    Chromium's --ignore-certificate-errors-spki-list names a certificate to trust by."""
    pubkey = subprocess.run(['openssl', 'x509', '-in', cert_file, '-pubkey', '-noout'],
                            capture_output=True, check=True, timeout=30).stdout
    der = subprocess.run(['openssl', 'pkey', '-pubin', '-outform', 'der'], input=pubkey,
                         capture_output=True, check=True, timeout=30).stdout
    digest = subprocess.run(['openssl', 'dgst', '-sha256', '-binary'], input=der,
                            capture_output=True, check=True, timeout=30).stdout
    return subprocess.run(['openssl', 'base64', '-A'], input=digest, capture_output=True,
                          check=True, timeout=30).stdout.decode().strip()


class ChatPageHttpsTest(unittest.TestCase):
    """chat-server with --tls-cert/--tls-key: the page over https://, its WebSocket over wss://
    (the page picks wss:// because it was loaded over https://). The certificate comes from
    scripts/dev-cluster-ca.sh; Chromium trusts exactly it, by its public key's hash
    (--ignore-certificate-errors-spki-list), and nothing else."""

    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix='chat-page-https-')
        cls.cert_dir = tempfile.mkdtemp(prefix='chat-page-certs-')
        subprocess.run([str(REPO / 'scripts' / 'dev-cluster-ca.sh'), cls.cert_dir, 'server', '--self-signed'],
                       check=True, capture_output=True, timeout=60)
        cls.cert = os.path.join(cls.cert_dir, 'server.pem')
        cls.server = ChatServer(cls.data_dir, [f'--tls-cert={cls.cert}',
                                               f'--tls-key={os.path.join(cls.cert_dir, "server.key")}'])
        cls.server.start()
        cls.url = f'https://127.0.0.1:{cls.server.http_port}/'
        cls.trust = [f'--ignore-certificate-errors-spki-list={spki_sha256(cls.cert)}']

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.data_dir, ignore_errors=True)
        shutil.rmtree(cls.cert_dir, ignore_errors=True)

    def browser(self, label):
        driver = make_browser(extra_args=self.trust)
        self.addCleanup(driver.quit)
        return ChatPage(driver, self.url, label)

    def server_log(self):
        with open(self.server.log_path, errors='replace') as f:
            return f.read()

    def test_9_two_browsers_chat_over_https_and_wss(self):
        ann = self.browser('ann9')
        bob = self.browser('bob9')
        ann.login('ann9')
        bob.login('bob9')
        # Served over https, and the page's WebSocket is wss (this port speaks nothing else).
        self.assertEqual(ann.driver.execute_script('return location.protocol'), 'https:')
        self.assertEqual(ann.driver.execute_script('return gatewayUrl()'),
                         f'wss://127.0.0.1:{self.server.http_port}/ws')
        ann.join('secure')
        bob.join('secure')
        ann.wait(lambda: {'ann9', 'bob9'} <= set(ann.members()), 'ann sees bob in secure')
        ann.send('hello over wss')
        bob.wait_texts('hello over wss')
        bob.send('and back, encrypted')
        ann.wait_texts('and back, encrypted')
        ann.screenshot('9-https-chat-ann')
        bob.screenshot('9-https-chat-bob')

        # Plain HTTP to this port: a clear refusal, not a hang.
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f'http://127.0.0.1:{self.server.http_port}/healthz', timeout=WAIT)
        self.assertEqual(refused.exception.code, 400)
        self.assertIn(b'this port speaks HTTPS', refused.exception.read())

        # A client that does not trust the certificate (it hangs up at once): refused, and the
        # server logs the failed handshake with the peer it accepted.
        distrust = ssl.create_default_context(cafile=os.path.join(self.cert_dir, 'self-signed.pem'))
        with self.assertRaises(ssl.SSLCertVerificationError):
            with socket.create_connection(('127.0.0.1', self.server.http_port), timeout=WAIT) as raw:
                distrust.wrap_socket(raw, server_hostname='127.0.0.1').close()
        deadline = time.monotonic() + WAIT
        while 'tls handshake failed' not in self.server_log() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertIn('tls handshake failed peer=127.0.0.1:', self.server_log())


if __name__ == '__main__':
    unittest.main(verbosity=2)
