#!/usr/bin/python3
"""hub.py: a WebSub hub (W3C Recommendation, 2018) on 127.0.0.1 for the
tests and the push benchmark, on Python's standard library alone.

usage: /usr/bin/python3 tests/hub.py [--lease SECS] [--deny]

Listens on a free port and prints it on stdout (one line).  As a hub:

  POST /   hub.mode=subscribe|unsubscribe, hub.topic, hub.callback,
           hub.secret, hub.lease_seconds (form-encoded): answered 202,
           then the intent is verified on the callback (GET with
           hub.mode, hub.topic, hub.challenge, hub.lease_seconds), and the
           subscription holds only if the callback answered 2xx with the
           challenge as its body.  The lease is what the subscriber asked
           for, at most --lease; a subscription whose lease ended gets no
           more pushes.  With --deny, every subscribe is denied instead
           (GET hub.mode=denied, hub.reason).
           hub.mode=publish, hub.url=TOPIC: fetches the topic and
           distributes it to its subscribers.

Content distribution POSTs the body with Link headers (rel=hub, rel=self)
and X-Hub-Signature: sha256=HMAC(secret, body) (the method chosen below).

For the tests (not WebSub):

  POST /push?topic=T[&sig=METHOD|none|bad][&callback=URL]
  GET /push?topic=T&file=PATH[&...]
           distributes the request's body (or the file's) to the live subscribers of T
           (or, with callback=, to that URL with T's secret if any),
           signed with METHOD (sha1, sha256 (default), sha384, sha512),
           unsigned (none) or with a wrong signature (bad); answers JSON:
           the status each subscriber answered.
  GET /subs
           JSON: per topic, its callback, "active" (verified, lease
           running), lease_end, and how many subscribe, unsubscribe and
           verification requests it saw.
  POST /bench?rate=R&secs=S&log=FILE
           the push benchmark's load: R pushes a second for S seconds,
           round robin over the live subscriptions, each a one-item RSS
           document whose title is "push SEQ"; FILE gets a line
           "SEQ TIME STATUS" per push, TIME (epoch seconds) taken just
           before the POST was sent.  Answers when done.

Runs until killed.
"""

import argparse
import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Server(ThreadingHTTPServer):
    # a thousand subscribers or polls at once: the default backlog is 5
    request_queue_size = 1024
    daemon_threads = True

LOCK = threading.Lock()
SUBS = {}       # topic -> dict
ARGS = None
PORT = 0


def sub_for(topic):
    s = SUBS.get(topic)
    if s is None:
        s = {"callback": None, "secret": None, "verified": False,
             "lease_end": 0, "subscribes": 0, "unsubscribes": 0,
             "verifications": 0, "denials": 0}
        SUBS[topic] = s
    return s


def with_query(url, params):
    sep = "&" if "?" in url else "?"
    return url + sep + urllib.parse.urlencode(params)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""
    except OSError:
        return 0, b""


def verify(mode, topic, callback, secret, lease):
    """Verification of intent, or a denial, on a thread of its own."""
    if mode == "subscribe" and ARGS.deny:
        get(with_query(callback, {"hub.mode": "denied", "hub.topic": topic,
                                  "hub.reason": "denied by the test hub"}))
        with LOCK:
            sub_for(topic)["denials"] += 1
        return
    challenge = secrets.token_urlsafe(24)
    params = {"hub.mode": mode, "hub.topic": topic,
              "hub.challenge": challenge}
    if mode == "subscribe":
        params["hub.lease_seconds"] = str(lease)
    status, body = get(with_query(callback, params))
    ok = 200 <= status < 300 and body == challenge.encode()
    with LOCK:
        s = sub_for(topic)
        s["verifications"] += 1
        if not ok:
            return
        if mode == "subscribe":
            s.update(callback=callback, secret=secret, verified=True,
                     lease_end=time.time() + lease)
        elif s["callback"] == callback:
            s.update(verified=False, lease_end=0)


def sign(secret, body, method):
    if method == "none" or secret is None:
        return None
    if method == "bad":
        return "sha256=" + "0" * 64
    return method + "=" + hmac.new(secret.encode(), body,
                                   getattr(hashlib, method)).hexdigest()


def distribute(topic, callback, secret, body, method):
    """POSTs one body to one callback: the status it answered, 0 if none."""
    headers = {"Content-Type": "application/rss+xml",
               "Link": '<http://127.0.0.1:%d/>; rel="hub", <%s>; rel="self"'
               % (PORT, topic)}
    sig = sign(secret, body, method)
    if sig is not None:
        headers["X-Hub-Signature"] = sig
    req = urllib.request.Request(callback, data=body, headers=headers,
                                 method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def live():
    now = time.time()
    return [(t, dict(s)) for t, s in SUBS.items()
            if s["verified"] and s["lease_end"] > now]


def bench(rate, secs, log):
    subs = live()
    if not subs:
        return 0
    pool = ThreadPoolExecutor(max_workers=32)
    out = open(log, "w")
    out_lock = threading.Lock()

    def one(seq, topic, s):
        body = ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
                "<title>bench</title><link>http://127.0.0.1/</link>"
                "<item><guid>push-%d</guid><title>push %d</title>"
                "<link>http://127.0.0.1/push/%d</link></item>"
                "</channel></rss>" % (seq, seq, seq)).encode()
        t0 = time.time()
        status = distribute(topic, s["callback"], s["secret"], body,
                            "sha256")
        with out_lock:
            out.write("%d %.6f %d\n" % (seq, t0, status))

    start = time.monotonic()
    n = int(rate * secs)
    for seq in range(n):
        due = start + seq / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        topic, s = subs[seq % len(subs)]
        pool.submit(one, seq, topic, s)
    pool.shutdown(wait=True)
    out.close()
    return n


class Hub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body=b"", ctype="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/push":
            q = dict(urllib.parse.parse_qsl(url.query))
            with open(q["file"], "rb") as f:
                self.test_push(q, f.read())
            return
        if self.path != "/subs":
            self.reply(404)
            return
        with LOCK:
            now = time.time()
            out = {t: {"callback": s["callback"],
                       "active": s["verified"] and s["lease_end"] > now,
                       "lease_end": s["lease_end"],
                       "subscribes": s["subscribes"],
                       "unsubscribes": s["unsubscribes"],
                       "verifications": s["verifications"],
                       "denials": s["denials"],
                       "secret_bytes": len(s["secret"] or "")}
                   for t, s in SUBS.items()}
        self.reply(200, json.dumps(out).encode(), "application/json")

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        body = self.body()
        if url.path == "/push":
            self.test_push(q, body)
        elif url.path == "/bench":
            n = bench(float(q["rate"]), float(q["secs"]), q["log"])
            self.reply(200, json.dumps({"pushes": n}).encode(),
                       "application/json")
        elif url.path == "/":
            self.hub(dict(urllib.parse.parse_qsl(body.decode())))
        else:
            self.reply(404)

    def hub(self, f):
        mode, topic = f.get("hub.mode"), f.get("hub.topic")
        if mode == "publish":
            topic = f.get("hub.url") or topic
            status, content = get(topic)
            with LOCK:
                subs = [(t, s) for t, s in live() if t == topic]
            for t, s in subs:
                distribute(t, s["callback"], s["secret"], content, "sha256")
            self.reply(204 if status == 200 else 400)
            return
        callback = f.get("hub.callback")
        if mode not in ("subscribe", "unsubscribe") or not topic or \
                not callback:
            self.reply(400, b"hub.mode, hub.topic and hub.callback needed")
            return
        secret = f.get("hub.secret")
        try:
            lease = int(f.get("hub.lease_seconds") or ARGS.lease)
        except ValueError:
            lease = ARGS.lease
        lease = max(1, min(lease, ARGS.lease))
        with LOCK:
            sub_for(topic)["subscribes" if mode == "subscribe"
                           else "unsubscribes"] += 1
        self.reply(202)
        threading.Thread(target=verify, daemon=True,
                         args=(mode, topic, callback, secret, lease)).start()

    def test_push(self, q, body):
        topic = q.get("topic", "")
        method = q.get("sig", "sha256")
        with LOCK:
            s = dict(SUBS.get(topic) or {})
        if "callback" in q:
            targets = [(q["callback"], s.get("secret"))]
        elif s.get("verified") and s.get("lease_end", 0) > time.time():
            targets = [(s["callback"], s["secret"])]
        else:
            targets = []
        codes = [distribute(topic, cb, sec, body, method)
                 for cb, sec in targets]
        self.reply(200, json.dumps(codes).encode(), "application/json")


def main():
    global ARGS, PORT
    p = argparse.ArgumentParser()
    p.add_argument("--lease", type=int, default=864000)
    p.add_argument("--deny", action="store_true")
    ARGS = p.parse_args()
    srv = Server(("127.0.0.1", 0), Hub)
    PORT = srv.server_address[1]
    print(PORT, flush=True)
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    srv.serve_forever()


if __name__ == "__main__":
    main()
