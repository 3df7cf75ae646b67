#!/usr/bin/python3
"""smtpd.py: the tests' SMTP server, Debian's aiosmtpd on 127.0.0.1.

usage: /usr/bin/python3 tests/smtpd.py DIR [USER:PASSWORD]

Listens on a free port, prints it on stdout (one line; without aiosmtpd, a
line naming the missing package instead), and saves every message it
accepts as DIR/N.eml (the bytes as received) and DIR/N.json: the
envelope and the message as Python's email package parses it (decoded
subject, text and HTML parts, defects, raw line checks), for the C tests to
read with jansson.  With USER:PASSWORD, AUTH is required (over plain TCP:
auth_require_tls is off for the loopback test) and other credentials fail
with 535.  Runs until killed.
"""

import asyncio
import email
import email.policy
import email.utils
import json
import os
import sys

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    # In place of the port: the C test fails with this line.
    print("python3-aiosmtpd is not installed: it comes with Debian's "
          "package 'python3-aiosmtpd' (scripts/install-deps.sh installs it)",
          flush=True)
    sys.exit(1)


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


async def main():
    directory = sys.argv[1]
    creds = sys.argv[2].split(":", 1) if len(sys.argv) > 2 else None
    saver = Saver(directory)

    def authenticator(server, session, envelope, mechanism, data):
        ok = (isinstance(data, LoginPassword) and creds is not None and
              data.login.decode() == creds[0] and
              data.password.decode() == creds[1])
        if ok:
            saver.login = creds[0]
        return AuthResult(success=ok, handled=False)

    def factory():
        if creds is None:
            return SMTP(saver, hostname="smtpd.test")
        return SMTP(saver, hostname="smtpd.test", authenticator=authenticator,
                    auth_required=True, auth_require_tls=False)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
