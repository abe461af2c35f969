#!/usr/bin/env python3
# make_seeds.py -- writes the seed corpora of the fuzz targets into corpus/ next to it.
# Run again after changing an input format; every file stays under 1 KiB.
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent
LOGIN, SEND_MSG, BROADCAST_MSG, ERROR, PING, PONG = range(1, 7)


def frame(ftype, payload=b"", body_len=None):
    """One wire frame; body_len overrides the length field (to write bad lengths)."""
    if body_len is None:
        body_len = len(payload) + 1
    return struct.pack("<i", body_len) + bytes([ftype]) + payload


# -- frame_decoder: [h][h & 0x0F chunk sizes][stream]; max_frame (h >> 4) + 1, 1024, 65536 -----

def decoder_input(stream, chunk_sizes=(255,), tiny_max_frame=16):
    h = ((tiny_max_frame - 1) << 4) | len(chunk_sizes)
    return bytes([h]) + bytes(chunk_sizes) + stream


ALL_TYPES = b"".join(frame(t, b"x" * t) for t in range(1, 7))
DECODER_SEEDS = {
    "all_types_whole": decoder_input(ALL_TYPES),
    "all_types_byte_by_byte": decoder_input(ALL_TYPES, chunk_sizes=()),
    "split_header": decoder_input(ALL_TYPES, chunk_sizes=(2, 3, 1, 7)),
    "empty_chunks": decoder_input(frame(SEND_MSG, b"hi") * 3, chunk_sizes=(0, 4, 0, 1)),
    "empty_payload": decoder_input(frame(PING) + frame(PONG) + frame(99)),
    "zero_length": decoder_input(frame(SEND_MSG, b"ok") + struct.pack("<i", 0) + b"\x02tail"),
    "negative_length": decoder_input(struct.pack("<i", -1) + b"\x01ann", chunk_sizes=(1, 2)),
    "huge_length": decoder_input(frame(LOGIN, b"ann") + struct.pack("<i", 0x7FFFFFFF) + b"\x02"),
    "over_default_max": decoder_input(struct.pack("<i", 65537) + b"\x02" + b"a" * 40),
    "over_1024": decoder_input(frame(SEND_MSG, b"a" * 600) + frame(SEND_MSG, b"b", body_len=1025)),
    "truncated_tail": decoder_input(frame(SEND_MSG, b"hello") + frame(SEND_MSG, b"world")[:7]),
    "invalid_utf8": decoder_input(b"".join(frame(SEND_MSG, p) for p in (
        b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80", b"\xff",
        "h\u00e9llo \u20ac \U0001F600".encode()))),
    "login_names": decoder_input(b"".join(frame(LOGIN, n) for n in (
        b"ann", b" ann", b"ann ", b"a" * 32, b"a" * 33, b"an\x01n", b"an\x7fn", b"\xc2\x85ann",
        b"\xe3\x80\x80ann", b"\xc2\xa0", "\u00e9l\u00e8ve".encode())), chunk_sizes=(5, 1)),
}

# -- session: records [op][type][len][payload] ----------------------------------------------
# op bit 0: to the peer; bits 1..2: 0 frame, 1 violated, 2 closed, 3 the frame 64 times;
# bits 3..4: then 0 nothing, 1 run, 2 run one job, 3 advance the clock past login_timeout.
PEER, VIOLATED, CLOSED, BURST = 0x01, 0x02, 0x04, 0x06
RUN, ONE_JOB, ADVANCE = 0x08, 0x10, 0x18


def rec(ftype, payload=b"", op=RUN):
    if isinstance(payload, str):
        payload = payload.encode()
    return bytes([op, ftype, len(payload)]) + payload


SESSION_SEEDS = {
    "login_echo_broadcast": rec(LOGIN, "ann") + rec(SEND_MSG, "hi") + rec(BROADCAST_MSG, "all"),
    "two_members": rec(LOGIN, "ann") + rec(LOGIN, "bob", op=PEER | RUN)
    + rec(BROADCAST_MSG, "hi") + rec(BROADCAST_MSG, "yo", op=PEER | RUN),
    "name_taken": rec(LOGIN, "ann") + rec(LOGIN, "ann", op=PEER | RUN),
    "second_login": rec(LOGIN, "ann") + rec(LOGIN, "bob") + rec(LOGIN, "ann"),
    "broadcast_before_login": rec(BROADCAST_MSG, "hi") + rec(LOGIN, "ann") + rec(BROADCAST_MSG, "x"),
    "pipelined": rec(LOGIN, "ann", op=0) + rec(BROADCAST_MSG, "a", op=0)
    + rec(LOGIN, "bob", op=0) + rec(SEND_MSG, "e", op=0) + rec(BROADCAST_MSG, "b"),
    "bad_names": b"".join(rec(LOGIN, n) for n in (
        b"", b" ann", b"a" * 33, b"an\x01n", b"\xc0\x80", b"\xed\xa0\x80")),
    "invalid_utf8": rec(SEND_MSG, b"\xff") + rec(LOGIN, "ann") + rec(BROADCAST_MSG, b"\xe2\x82"),
    "ping_pong_error_unknown": rec(PING, "p") + rec(PONG, "q") + rec(ERROR, "oops")
    + rec(0, "zero") + rec(9, "nine") + rec(64, "app") + rec(255, ""),
    "violated_then_more": rec(LOGIN, "ann") + rec(0, "frame too large", op=VIOLATED | RUN)
    + rec(SEND_MSG, "after"),
    "closed_then_name_free": rec(LOGIN, "ann") + rec(0, "eof", op=CLOSED | RUN)
    + rec(LOGIN, "ann", op=PEER | RUN) + rec(SEND_MSG, "late"),
    "login_timeout": rec(LOGIN, "ann", op=0) + rec(0, "", op=ONE_JOB) + rec(PING, "", op=ADVANCE)
    + rec(SEND_MSG, "after") + rec(LOGIN, "ann", op=PEER | RUN),
    "flood": rec(LOGIN, "ann") + rec(BROADCAST_MSG, "f", op=0) * 30 + rec(SEND_MSG, "e", op=ADVANCE)
    + rec(BROADCAST_MSG, "again"),
    # past the allowance (burst 20): messages left waiting for their tokens when the input ends
    "flood_left_waiting": rec(LOGIN, "ann") + rec(BROADCAST_MSG, "w") * 40 + rec(PING, "p"),
    "held_overflow": rec(LOGIN, "ann", op=ONE_JOB) + rec(PING, "p", op=BURST) * 17
    + rec(SEND_MSG, "x", op=PEER | RUN),
}

# -- v2_payload: [selector][payload]; selector % 17 = the decoder, in protocol_v2.hpp's order ---
(HELLO_REQ, JOIN_REQ, LEAVE_REQ, MSG_REQ, DM_REQ, WHO_REQ, LIST_REQ, HELLO_REPLY, REPLY,
 MSG_DELIVERY, DM_DELIVERY, PRESENCE, WHO_REPLY, LIST_REPLY, HISTORY_REQ, JOINED,
 HISTORY_REPLY) = range(17)


def u8(v):
    return struct.pack("<B", v)


def u16(v):
    return struct.pack("<H", v)


def u32(v):
    return struct.pack("<I", v)


def _utf8(s):
    return s.encode() if isinstance(s, str) else s


def u64(v):
    return v.to_bytes(8, "little")


def str8(s):
    return u8(len(_utf8(s))) + _utf8(s)


def str16(s):
    return u16(len(_utf8(s))) + _utf8(s)


def text(s):
    return u32(len(_utf8(s))) + _utf8(s)


def v2(selector, *fields):
    return bytes([selector]) + b"".join(fields)


V2_SEEDS = {
    # accepted: one of each payload
    "hello_request": v2(HELLO_REQ, u16(2)),
    "join": v2(JOIN_REQ, u32(1), str8("lobby")),
    "leave": v2(LEAVE_REQ, u32(2), str8("caf\u00e9")),
    "msg_request": v2(MSG_REQ, u32(3), str8("dev"), text("hello \u20ac \U0001F600")),
    "dm_request": v2(DM_REQ, u32(4), str8("bob"), text("psst")),
    "who_request": v2(WHO_REQ, u32(5), str8("dev"), str8("ann"), u16(50)),
    "list_request": v2(LIST_REQ, u32(6), str8(""), u16(0)),
    "hello_reply": v2(HELLO_REPLY, u16(2), str16("channels,direct,presence,history"), u32(65536), u16(64),
                      u32(100), u32(0), u16(50), u32(5000)),
    "reply_ok": v2(REPLY, u32(7), u8(0), str16("")),
    "reply_refused": v2(REPLY, u32(8), u8(1), str16("no such channel")),
    "msg_delivery": v2(MSG_DELIVERY, str8("dev"), str8("ann"), text("hi"), u64(42)),
    "join_since": v2(JOIN_REQ, u32(1), str8("dev"), u8(1), u64(0x1234), u64(7), u32(20)),
    "history_request": v2(HISTORY_REQ, u32(2), str8("dev"), u64(0), u16(50)),
    "joined": v2(JOINED, u32(1), str8("dev"), u8(1), u64(0x1234), u64(1), u64(9), u32(2)),
    "history_reply": v2(HISTORY_REPLY, u32(2), str8("dev"), u64(0x1234), u16(2), u64(8),
                        u64(1765000000000), str8("ann"), text("hi"), u64(9), u64(1765000000001),
                        str8("bob"), text("yo"), u64(0)),
    "joined_bad_recovery": v2(JOINED, u32(1), str8("dev"), u8(9), u64(1), u64(1), u64(1), u32(0)),
    "join_bad_mode": v2(JOIN_REQ, u32(1), str8("dev"), u8(3), u64(0), u64(0), u32(0)),
    "history_reply_huge_count": v2(HISTORY_REPLY, u32(1), str8("dev"), u64(1), u16(0xFFFF),
                                   b"abc"),
    "dm_delivery": v2(DM_DELIVERY, str8("ann"), text("psst")),
    "presence": v2(PRESENCE, str8("dev"), str8("ann"), u8(3)),
    "who_reply": v2(WHO_REPLY, u32(9), str8("dev"), u32(3), u16(3), str8("ann"), str8("bob"),
                    str8("cy"), str8("")),
    "list_reply": v2(LIST_REPLY, u32(10), u32(2), u16(2), str8("dev"), u32(3), str8("lobby"),
                     u32(1), str8("lobby")),
    "join_channel_rules": v2(JOIN_REQ, u32(1), str8("a\u3000b")),
    # refused: one of each kind of reason
    "join_lying_length": v2(JOIN_REQ, u32(1), u8(40), b"abc"),
    "msg_trailing": v2(MSG_REQ, u32(1), str8("dev"), text("hi"), b"xyz"),
    "dm_invalid_utf8": v2(DM_REQ, u32(1), str8("bob"), text(b"\xed\xa0\x80")),
    "reply_bad_status": v2(REPLY, u32(1), u8(7), str16("")),
    "presence_bad_event": v2(PRESENCE, str8("dev"), str8("ann"), u8(0)),
    "who_reply_huge_count": v2(WHO_REPLY, u32(1), str8("dev"), u32(70000), u16(0xFFFF), b"\x00"),
    "list_reply_huge_count": v2(LIST_REPLY, u32(1), u32(70000), u16(0xFFFF), b"abc"),
}


def write(folder, seeds):
    out = HERE / "corpus" / folder
    out.mkdir(parents=True, exist_ok=True)
    for name, blob in seeds.items():
        assert len(blob) < 1024, name
        (out / name).write_bytes(blob)
    print(f"{out}: {len(seeds)} seeds")


# -- session seeds that speak version 2: HELLO, LOGIN, then channels, DMs, WHO and LIST ----------
HELLO, JOIN, LEAVE, MSG, DM, WHO, LIST = range(7, 14)
V2_HELLO = rec(HELLO, u16(2))

SESSION_SEEDS.update({
    "v2_join_msg_leave": V2_HELLO + rec(LOGIN, "ann") + rec(JOIN, u32(1) + str8("c"))
    + rec(MSG, u32(2) + str8("c") + text("hi")) + rec(LEAVE, u32(3) + str8("c")),
    "v2_two_members_presence": V2_HELLO + rec(HELLO, u16(2), op=PEER | RUN) + rec(LOGIN, "ann")
    + rec(LOGIN, "bob", op=PEER | RUN) + rec(JOIN, u32(1) + str8("c"))
    + rec(JOIN, u32(1) + str8("c"), op=PEER | RUN) + rec(MSG, u32(2) + str8("c") + text("yo"))
    + rec(0, "eof", op=PEER | CLOSED | RUN),
    "v2_dm_who_list": V2_HELLO + rec(HELLO, u16(2), op=PEER | RUN) + rec(LOGIN, "ann")
    + rec(LOGIN, "bob", op=PEER | RUN) + rec(DM, u32(4) + str8("bob") + text("psst"))
    + rec(DM, u32(5) + str8("nobody") + text("x")) + rec(JOIN, u32(6) + str8("lobby"))
    + rec(WHO, u32(7) + str8("lobby") + str8("") + u16(0)) + rec(LIST, u32(8) + str8("") + u16(1)),
    "v2_v1_lobby": rec(LOGIN, "old", op=PEER | RUN) + V2_HELLO + rec(LOGIN, "ann")
    + rec(JOIN, u32(1) + str8("lobby")) + rec(BROADCAST_MSG, "v1 way")
    + rec(MSG, u32(2) + str8("lobby") + text("v2 way")) + rec(BROADCAST_MSG, "hi", op=PEER | RUN),
    "v2_bad_fields": V2_HELLO + rec(LOGIN, "ann") + rec(JOIN, u32(1) + b"\x28ab")
    + rec(JOIN, u32(2) + str8("a b")) + rec(MSG, u32(3) + str8("c") + text("x") + b"extra")
    + rec(HELLO, u16(2)) + rec(14, u32(1) + u8(0) + str16("")),
    "v2_without_hello": rec(LOGIN, "ann") + rec(JOIN, u32(1) + str8("c")) + rec(HELLO, b"xyz"),
    "v2_history": V2_HELLO + rec(LOGIN, "ann") + rec(JOIN, u32(1) + str8("h") + u8(0) + u64(0)
                                                     + u64(0) + u32(0))
    + rec(MSG, u32(2) + str8("h") + text("one")) + rec(MSG, u32(3) + str8("h") + text("two"))
    + rec(HELLO, u16(2), op=PEER | RUN) + rec(LOGIN, "bob", op=PEER | RUN)
    + rec(JOIN, u32(1) + str8("h") + u8(2) + u64(0) + u64(0) + u32(5), op=PEER | RUN)
    + rec(19, u32(4) + str8("h") + u64(0) + u16(10)) + rec(19, u32(5) + str8("x") + u64(0) + u16(0))
    + rec(JOIN, u32(6) + str8("h") + u8(1) + u64(1) + u64(99) + u32(1), op=PEER | RUN),
})

# -- protocol_json: [selector][JSON text], or [selector | 8][type][payload] -------------------
# selector bit 0: 1 server -> client; bits 1..2: max_frame 256, 1024, 65536, 1 MiB.
TO_SERVER, TO_CLIENT, FRAME_MODE = 0x04, 0x05, 0x08


def json_seed(selector, text):
    return bytes([selector]) + text.encode()


JSON_SEEDS = {
    "login": json_seed(TO_SERVER, '{"type":"login","name":"ann"}'),
    "hello": json_seed(TO_SERVER, '{"type":"hello","version":2}'),
    "join_since": json_seed(TO_SERVER, '{"type":"join","ref":1,"channel":"rust","replay":'
                            '{"mode":"since","epoch":"123","offset":40,"count":100}}'),
    "msg": json_seed(TO_SERVER, '{"type":"msg","ref":2,"channel":"rust","text":"h\u00e9 \n"}'),
    "dm": json_seed(TO_SERVER, '{"type":"dm","ref":3,"to":"bob","text":"psst"}'),
    "who": json_seed(TO_SERVER, '{"type":"who","ref":4,"channel":"rust","after":"","limit":0}'),
    "history": json_seed(TO_SERVER, '{"type":"history","ref":5,"channel":"rust",'
                         '"before":"18446744073709551615","limit":10}'),
    "ping_small_frame": json_seed(0x00, '{"type":"ping","data":"' + "x" * 300 + '"}'),
    "hello_reply": json_seed(TO_CLIENT, '{"type":"hello","version":2,"features":"channels",'
                             '"max_frame":65536,"max_channel_name":64,"max_channels_per_user":100,'
                             '"max_channel_members":0,"page_size":100,"max_message_rate_milli":0}'),
    "msg_delivery": json_seed(TO_CLIENT, '{"type":"msg","channel":"rust","sender":"ann",'
                              '"text":"hi","offset":"9007199254740993"}'),
    "reply_presence": json_seed(TO_CLIENT, '{"type":"presence","channel":"a","user":"b",'
                                '"event":"dropped"}'),
    "who_reply": json_seed(TO_CLIENT, '{"type":"who_reply","ref":1,"channel":"a","total":2,'
                           '"names":["ann","bob"],"next":""}'),
    "list_reply": json_seed(TO_CLIENT, '{"type":"list_reply","ref":1,"total":1,'
                            '"channels":[{"name":"a","members":3}],"next":"a"}'),
    "joined": json_seed(TO_CLIENT, '{"type":"joined","ref":1,"channel":"a","recovery":"too_old",'
                        '"epoch":"1","first":"2","last":"3","replayed":1}'),
    "history_reply": json_seed(TO_CLIENT, '{"type":"history_reply","ref":1,"channel":"a",'
                               '"epoch":"7","entries":[{"offset":"1","time_ms":"1700000000000",'
                               '"sender":"ann","text":"x"}],"next_before":"0"}'),
    "deep": json_seed(TO_SERVER, "[" * 20 + "]" * 20),
    "bad_utf8": bytes([TO_SERVER]) + b'{"type":"send","text":"\xc3\x28"}',
    "frame_join": bytes([TO_SERVER | FRAME_MODE, 8]) + u32(1) + str8("c") + u8(1) + u64(2) + u64(3)
    + u32(4),
    "frame_history_reply": bytes([TO_CLIENT | FRAME_MODE, 20]) + u32(1) + str8("c") + u64(2) + u16(1)
    + u64(3) + u64(4) + str8("s") + text("t") + u64(0),
    "frame_login": bytes([TO_SERVER | FRAME_MODE, 1]) + b"ann",
}

# -- token: [s][rest]; s bit 0 clear: rest is a LOGIN payload; set: "header\0claims", signed by
# the target with its own secret (tests/fuzz/token_fuzz.cpp); bit 1: 60 s of leeway ---------------

FUZZ_SECRET = b"fuzzing-secret-fuzzing-secret-fuzzing-secret"


def b64url(b):
    import base64
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def hs256_token(header, claims):
    import hashlib
    import hmac
    signed = b64url(header) + b"." + b64url(claims)
    return signed + b"." + b64url(hmac.new(FUZZ_SECRET, signed, hashlib.sha256).digest())


ANN = b'{"sub":"ann","exp":1767229200}'
TOKEN_SEEDS = {
    "signed_valid": b"\x01" + b'{"alg":"HS256","typ":"JWT"}\x00' + ANN,
    "signed_channels": b"\x01" + b'{"alg":"HS256"}\x00{"sub":"bob","exp":1767229200,'
    b'"nbf":1767225000,"channels":["rust","go"]}',
    "signed_expired": b"\x03" + b'{"alg":"HS256"}\x00{"sub":"ann","exp":1767225590.5}',
    "signed_alg_none": b"\x01" + b'{"alg":"none"}\x00' + ANN,
    "signed_crit": b"\x01" + b'{"alg":"HS256","crit":["x"]}\x00' + ANN,
    "payload_token": b"\x00" + hs256_token(b'{"alg":"HS256"}', ANN),
    "payload_name_token": b"\x00ann\n" + hs256_token(b'{"alg":"HS256"}', ANN),
    "payload_other_user": b"\x00bob\n" + hs256_token(b'{"alg":"HS256"}', ANN),
    "payload_name_only": b"\x00ann",
    "payload_bad_base64": b"\x00eyJ=.e+J.AAA",
}


# -- multipart: [c][records] (see multipart_fuzz.cpp); c = 0x76: 8 parts, 128 bytes, 2 messages --
PART_TYPE = 21
MP_CONFIG = bytes([0x76])


def mp_part(msg_id, index, count, piece):
    """A PART built from small fields (op 1); the id's high byte rides in the op."""
    return bytes([1 | (msg_id >> 8) << 2, msg_id & 0xFF, index, count, len(piece)]) + piece


def mp_raw(payload):
    """A raw PART payload (op 0)."""
    return bytes([0, len(payload)]) + payload


def mp_clock(steps):
    """The clock moves steps x 50 ms, then expire() (op 2)."""
    return bytes([2 | steps << 2])


def mp_replay(k):
    """The k-th earlier payload again (op 3)."""
    return bytes([3 | k << 2])


def mp_message(msg_id, body, piece=10, order=None):
    pieces = [body[i:i + piece] for i in range(0, len(body), piece)]
    order = order if order is not None else range(len(pieces))
    return b"".join(mp_part(msg_id, i, len(pieces), pieces[i]) for i in order)


MP_BODY = bytes([10]) + b"abcdefghijklmnopqrstuvwxyz0123456789"  # MSG type, 37 bytes: 4 parts
MULTIPART_SEEDS = {
    "in_order": MP_CONFIG + mp_message(1, MP_BODY),
    "reordered": MP_CONFIG + mp_message(2, MP_BODY, order=[3, 1, 0, 2]),
    "duplicates_and_late": MP_CONFIG + mp_message(3, MP_BODY, order=[0, 0, 2, 1, 2, 3])
    + mp_replay(0) + mp_replay(3),
    "interleaved": MP_CONFIG + mp_part(4, 0, 3, MP_BODY[:10])
    + mp_message(5, b"\x02small", piece=3) + mp_part(4, 1, 3, MP_BODY[10:20])
    + mp_message(6, b"\x02more", piece=2) + mp_part(4, 2, 3, MP_BODY[20:]),
    "timeout": MP_CONFIG + mp_part(7, 0, 3, b"\x02ab") + mp_clock(10) + mp_part(7, 2, 3, b"ef")
    + mp_clock(11) + mp_part(7, 1, 3, b"cd"),
    "violations": MP_CONFIG + mp_part(8, 0, 1, b"\x02x") + mp_part(9, 0, 99, b"\x02x")
    + mp_part(10, 3, 3, b"x") + mp_part(11, 0, 2, bytes([PART_TYPE]) + b"x")
    + mp_part(12, 1, 2, b"") + mp_part(13, 0, 2, b"\x02" + b"x" * 127) + mp_part(13, 1, 2, b"yy")
    + mp_part(14, 0, 3, b"\x02a") + mp_part(14, 1, 4, b"b"),
    "too_many_in_progress": MP_CONFIG + mp_part(15, 0, 2, b"\x02a") + mp_part(16, 0, 2, b"\x02b")
    + mp_part(17, 0, 2, b"\x02c") + mp_part(15, 1, 2, b"x") + mp_part(17, 1, 2, b"y"),
    "raw_payloads": MP_CONFIG + mp_raw(b"") + mp_raw(b"\x01\x00\x00")
    + mp_raw(struct.pack("<IHH", 0x01020304, 0, 2) + b"\x02hi")
    + mp_raw(struct.pack("<IHH", 0x01020304, 1, 2) + b"!")
    + mp_raw(struct.pack("<IHH", 0x01020305, 0, 2)),
    "far_ids": MP_CONFIG + mp_part(0x3F00, 0, 2, b"\x02a") + mp_raw(
        struct.pack("<IHH", 0xFFFFFFFF, 0, 2) + b"\x02z") + mp_part(1, 0, 2, b"\x02q"),
}

# -- udp_gate: [c][datagram] (see udp_gate_fuzz.cpp); c bit 0 another peer, bits 1..3 the clock
# (40 s steps), bit 7 the genuine cookie spliced into bytes 3..22 --------------------------------
UDP_MAGIC, UDP_VERSION = 0xCA, 1
UDP_HELLO, UDP_COOKIE, UDP_DATA, UDP_CLOSE = 1, 2, 3, 4
UDP_GENUINE, UDP_OTHER_PEER = 0x80, 0x01
UDP_COOKIE_PLACEHOLDER = bytes(20)  # overwritten by the genuine cookie when c has bit 7


def udp(kind, body=b""):
    return bytes([UDP_MAGIC, UDP_VERSION, kind]) + body


def udp_seed(c, datagram):
    return bytes([c]) + datagram


UDP_NONCE = bytes(range(1, 9))
UDP_FRAMES = frame(PING, b"t") + frame(SEND_MSG, b"hello") + frame(LOGIN, b"ann")
UDP_SEEDS = {
    "hello_min": udp_seed(0, udp(UDP_HELLO, UDP_NONCE).ljust(64, b"\0")),
    "hello_short": udp_seed(0, udp(UDP_HELLO, UDP_NONCE).ljust(63, b"\0")),
    "hello_padded": udp_seed(0, udp(UDP_HELLO, UDP_NONCE).ljust(1000, b"\0")),
    "data_genuine": udp_seed(UDP_GENUINE, udp(UDP_DATA, UDP_COOKIE_PLACEHOLDER + UDP_FRAMES)),
    "data_genuine_other_peer": udp_seed(UDP_GENUINE | UDP_OTHER_PEER,
                                        udp(UDP_DATA, UDP_COOKIE_PLACEHOLDER + UDP_FRAMES)),
    "data_stale": udp_seed(UDP_GENUINE | 0x0E, udp(UDP_DATA, UDP_COOKIE_PLACEHOLDER + UDP_FRAMES)),
    "data_stale_small": udp_seed(UDP_GENUINE | 0x0E, udp(UDP_DATA, UDP_COOKIE_PLACEHOLDER
                                                         + frame(PING))),
    "data_forged": udp_seed(0, udp(UDP_DATA, bytes(range(20)) + UDP_FRAMES)),
    "data_bad_frames": udp_seed(UDP_GENUINE, udp(UDP_DATA, UDP_COOKIE_PLACEHOLDER
                                                 + frame(SEND_MSG, b"x", body_len=0)
                                                 + frame(SEND_MSG, b"cut")[:6])),
    "data_no_frames": udp_seed(UDP_GENUINE, udp(UDP_DATA, UDP_COOKIE_PLACEHOLDER)),
    "close": udp_seed(UDP_GENUINE, udp(UDP_CLOSE, UDP_COOKIE_PLACEHOLDER)),
    "cookie_to_server": udp_seed(0, udp(UDP_COOKIE, UDP_NONCE + bytes(20))),
    "stray": udp_seed(0, b"GET / HTTP/1.1\r\n\r\n"),
    "wrong_version": udp_seed(0, bytes([UDP_MAGIC, 2, UDP_HELLO]) + bytes(61)),
}


if __name__ == "__main__":
    write("frame_decoder", DECODER_SEEDS)
    write("session", SESSION_SEEDS)
    write("v2_payload", V2_SEEDS)
    write("protocol_json", JSON_SEEDS)
    write("token", TOKEN_SEEDS)
    write("multipart", MULTIPART_SEEDS)
    write("udp_gate", UDP_SEEDS)
