#!/usr/bin/python3
"""bench_push.py: WebSub push latency (bench_push.sh runs it).

The local hub (tests/hub.py), N feeds served on 127.0.0.1 that name it,
`feedwatch run` subscribed to every one, then RATE publishes a second for
SECS seconds, round robin over the feeds.  For each push: the time from
the hub's POST (taken just before it is sent) to the alert line in the
file sink's file (seen by a thread that reads the file every millisecond),
p50 and p99; and the daemon's CPU time per push (/proc/PID/stat, the
load's span only).  Prints the figures and their ratios to the targets
(p50 < 50 ms, p99 < 250 ms).
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Server(ThreadingHTTPServer):
    # a thousand subscribers or polls at once: the default backlog is 5
    request_queue_size = 1024
    daemon_threads = True

FEEDS = {}


class Feeds(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        body = FEEDS.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get_json(url):
    with urllib.request.urlopen(url, timeout=600) as r:
        return json.loads(r.read())


def cpu_secs(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def watch_alerts(path, seen, stop):
    """Times each alert line as it appears: seen[seq] = epoch seconds."""
    while not os.path.exists(path) and not stop.is_set():
        time.sleep(0.001)
    with open(path) as f:
        buf = ""
        while not stop.is_set():
            chunk = f.read()
            if not chunk:
                time.sleep(0.001)
                continue
            now = time.time()
            buf += chunk
            *lines, buf = buf.split("\n")
            for line in lines:
                title = json.loads(line).get("title") or ""
                if title.startswith("push "):
                    seen.setdefault(int(title[5:]), now)


def pct(v, p):
    return v[min(len(v) - 1, int(len(v) * p / 100))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--feedwatch", required=True)
    ap.add_argument("--hub", required=True)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=100)
    ap.add_argument("--secs", type=float, default=20)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="bench-push-")
    procs = []
    try:
        hub = subprocess.Popen([sys.executable, a.hub],
                               stdout=subprocess.PIPE)
        procs.append(hub)
        hub_port = int(hub.stdout.readline())
        hub_url = "http://127.0.0.1:%d/" % hub_port
        srv = Server(("127.0.0.1", 0), Feeds)
        feed_port = srv.server_address[1]
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        for i in range(a.feeds):
            self_url = "http://127.0.0.1:%d/f%04d.xml" % (feed_port, i)
            FEEDS["/f%04d.xml" % i] = (
                '<?xml version="1.0"?><rss version="2.0" '
                'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
                '<title>Feed %d</title><link>http://127.0.0.1/</link>'
                '<atom:link rel="hub" href="%s"/>'
                '<atom:link rel="self" href="%s"/>'
                '<item><guid>old-%d</guid><title>old %d</title></item>'
                '</channel></rss>' % (i, hub_url, self_url, i, i)).encode()
        listen = free_port()
        alerts = os.path.join(work, "alerts.jsonl")
        with open(os.path.join(work, "feedwatch.conf"), "w") as c:
            c.write("[daemon]\nstate = %s/state.db\ninterval = 1h\n"
                    "per-host = 64\nbackfill = 0\nlisten = 127.0.0.1:%d\n"
                    "push-url = http://127.0.0.1:%d/push/\n\n"
                    % (work, listen, listen))
            for i in range(a.feeds):
                c.write("[feed f%04d]\nurl = http://127.0.0.1:%d/f%04d.xml"
                        "\n\n" % (i, feed_port, i))
            c.write("[topic t]\nquery = push\n\n[sink out]\ntype = file\n"
                    "path = %s\n" % alerts)
        log = open(os.path.join(work, "daemon.log"), "w")
        fw = subprocess.Popen([a.feedwatch, "run", "-c",
                               os.path.join(work, "feedwatch.conf")],
                              stdout=log, stderr=log)
        procs.append(fw)
        deadline = time.monotonic() + 120
        active = 0
        while time.monotonic() < deadline:
            subs = get_json(hub_url + "subs")
            active = sum(1 for s in subs.values() if s["active"])
            if active == a.feeds:
                break
            time.sleep(0.5)
        print("subscribed: %d of %d feeds" % (active, a.feeds))
        if active == 0:
            return 1
        seen, stop = {}, threading.Event()
        watcher = threading.Thread(target=watch_alerts,
                                   args=(alerts, seen, stop), daemon=True)
        watcher.start()
        sent_log = os.path.join(work, "sent.txt")
        cpu0 = cpu_secs(fw.pid)
        req = urllib.request.Request("%sbench?rate=%g&secs=%g&log=%s" % (
            hub_url, a.rate, a.secs, sent_log), data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=600) as r:
            pushes = json.loads(r.read())["pushes"]
        time.sleep(1)
        cpu1 = cpu_secs(fw.pid)
        stop.set()
        watcher.join()
        sent = {}
        acked = 0
        with open(sent_log) as f:
            for line in f:
                seq, t0, status = line.split()
                sent[int(seq)] = float(t0)
                acked += status == "200"
        lat = sorted((seen[s] - t0) * 1000 for s, t0 in sent.items()
                     if s in seen)
        print("pushes: %d sent at %g/s for %gs, %d acknowledged 200, "
              "%d alerted" % (pushes, a.rate, a.secs, acked, len(lat)))
        if not lat:
            return 1
        p50, p99 = pct(lat, 50), pct(lat, 99)
        cpu_ms = (cpu1 - cpu0) * 1000 / max(pushes, 1)
        print("latency POST -> alert line: p50 %.1f ms, p99 %.1f ms, "
              "max %.1f ms" % (p50, p99, lat[-1]))
        print("daemon CPU per push: %.2f ms" % cpu_ms)
        print("ratios to target: p50 %.2f (of 50 ms), p99 %.2f (of 250 ms)"
              % (p50 / 50, p99 / 250))
        return 0 if len(lat) == pushes else 1
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
