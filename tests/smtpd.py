#!/usr/bin/python3
"""smtpd.py: the tests' SMTP server, Debian's aiosmtpd on 127.0.0.1.

usage: /usr/bin/python3 tests/smtpd.py DIR [USER:PASSWORD]
           [--starttls CERT KEY [--require-starttls]] [--tls CERT KEY]

Listens on a free port, prints it on stdout (one line; without aiosmtpd, a
line naming the missing package instead), and saves every message it
accepts as DIR/N.eml (the bytes as received) and DIR/N.json: the
envelope and the message as Python's email package parses it (decoded
subject, the parts' types, text and HTML parts, defects, raw line checks)
and whether the session was encrypted ("tls"), for the C tests to read with
jansson.

With USER:PASSWORD, AUTH is required and other credentials fail with 535.
AUTH is accepted over plain TCP too (auth_require_tls is off), so that a
client that would send its password in clear is seen doing it: every AUTH
attempt appends a line "LOGIN TLS" (TLS 0 or 1) to DIR/auth.log.

--starttls offers STARTTLS with that certificate and key (PEM); with
--require-starttls, MAIL before STARTTLS is refused (530).  --tls is
implicit TLS (smtps): TLS from the first byte.  Runs until killed.
"""

import argparse
import asyncio
import email
import email.policy
import email.utils
import json
import logging
import os
import ssl

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    # In place of the port: the C test fails with this line.
    print("python3-aiosmtpd is not installed: it comes with Debian's "
          "package 'python3-aiosmtpd' (scripts/install-deps.sh installs it)",
          flush=True)
    sys.exit(1)


def is_tls(server):
    return server.transport.get_extra_info("ssl_object") is not None


class Saver:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.login = None

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        lines = raw.split(b"\r\n")
        out = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": self.login,
            "tls": is_tls(server),
            "headers": [k for k in msg.keys()],
            "subject": str(msg.get("subject", "")),
            "from": str(msg.get("from", "")),
            "to": str(msg.get("to", "")),
            "date": str(msg.get("date", "")),
            "date_ok": email.utils.parsedate_to_datetime(
                str(msg.get("date"))) is not None if msg.get("date") else False,
            "message_id": str(msg.get("message-id", "")),
            "mime_version": str(msg.get("mime-version", "")),
            "content_type": msg.get_content_type(),
            "parts": [p.get_content_type() for p in msg.walk()],
            "defects": [str(d) for p in msg.walk() for d in p.defects],
            "bare_lf": raw.replace(b"\r\n", b"").count(b"\n"),
            "max_line": max(len(x) for x in lines),
            "text": None,
            "html": None,
        }
        for part in msg.walk():
            if part.get_content_type() == "text/plain" and out["text"] is None:
                out["text"] = part.get_content()
            elif part.get_content_type() == "text/html" and out["html"] is None:
                out["html"] = part.get_content()
        with open(base + ".tmp", "w") as f:
            json.dump(out, f)
        os.rename(base + ".tmp", base + ".json")
        return "250 OK saved"


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("directory")
    ap.add_argument("creds", nargs="?")
    ap.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--require-starttls", action="store_true")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = ap.parse_args()
    # Its warnings (AUTH without TLS, deprecations) are the test's intent.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    creds = args.creds.split(":", 1) if args.creds else None
    saver = Saver(args.directory)
    starttls = tls_context(*args.starttls) if args.starttls else None
    implicit = tls_context(*args.tls) if args.tls else None

    def authenticator(server, session, envelope, mechanism, data):
        login = data.login.decode() if isinstance(data, LoginPassword) else ""
        with open(os.path.join(args.directory, "auth.log"), "a") as f:
            f.write("%s %d\n" % (login, is_tls(server)))
        ok = (isinstance(data, LoginPassword) and creds is not None and
              login == creds[0] and data.password.decode() == creds[1])
        if ok:
            saver.login = creds[0]
        return AuthResult(success=ok, handled=False)

    def factory():
        kw = {"hostname": "smtpd.test", "tls_context": starttls,
              "require_starttls": args.require_starttls}
        if creds is not None:
            kw.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=False)
        return SMTP(saver, **kw)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, "127.0.0.1", 0, ssl=implicit)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
