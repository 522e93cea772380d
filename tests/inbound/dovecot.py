"""A real IMAP server for the tests: Debian's dovecot, started with a throw-away configuration."""

import imaplib
import os
import pwd
import shutil
import signal
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.inbound.servers import free_port, wait_for_port

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
{users}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    cafile: str = ""  # with TLS: the self-signed certificate a client must trust

    def connect(self) -> imaplib.IMAP4:
        if self.cafile:
            context = ssl.create_default_context(cafile=self.cafile)
            return imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context)
        return imaplib.IMAP4(self.host, self.port)


def _certificate(root: Path) -> str:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", root / "key.pem", "-out", root / "cert.pem"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    (root / "key.pem").chmod(0o644)  # read by dovecot's unprivileged login process
    return str(root / "cert.pem")


def _binary() -> str | None:
    # /usr/sbin is not on every user's PATH.
    if shutil.which("dovecot"):
        return shutil.which("dovecot")
    return "/usr/sbin/dovecot" if os.access("/usr/sbin/dovecot", os.X_OK) else None


def dovecot_running(*, tls: bool = False):
    """Yields an `ImapServer` with one empty mailbox; skips (or fails in CI) without dovecot.

    With `tls`, it speaks IMAP over TLS only (imaps) with a fresh self-signed certificate.
    """
    binary = _binary()
    if binary is None:
        if os.environ.get("REQUIRE_DOVECOT"):
            pytest.fail("dovecot is required here: apt-get install -y dovecot-imapd")
        pytest.skip("dovecot is not installed (apt-get install -y dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="recovery-imap-"))
    # Dovecot's own processes run as unprivileged users: they must be able to reach the files.
    root.chmod(0o755)
    (root / "mail").mkdir()
    if os.geteuid() == 0:
        # Dovecot refuses to deliver as root: the mailbox belongs to an unprivileged user.
        owner = pwd.getpwnam("nobody")
        os.chown(root / "mail", owner.pw_uid, owner.pw_gid)
        users = ""
    else:
        owner = pwd.getpwuid(os.getuid())
        users = f"default_login_user = {owner.pw_name}\ndefault_internal_user = {owner.pw_name}"
    cafile = _certificate(root) if tls else ""
    server = ImapServer(
        host="127.0.0.1", port=free_port(), user="intake", password="intake-secret", cafile=cafile
    )
    (root / "passwd").write_text(f"{server.user}:{{PLAIN}}{server.password}\n")
    ssl_settings = (
        f"ssl = required\nssl_cert = <{root}/cert.pem\nssl_key = <{root}/key.pem" if tls else "ssl = no"
    )
    (root / "dovecot.conf").write_text(
        CONFIG.format(
            root=root,
            ssl=ssl_settings,
            imap_port=0 if tls else server.port,
            imaps_port=server.port if tls else 0,
            uid=owner.pw_uid,
            gid=owner.pw_gid,
            users=users,
        )
    )
    process = subprocess.Popen(
        [binary, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(server.port)
    except TimeoutError:
        process.kill()
        log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
        output = process.communicate(timeout=10)[0].decode(errors="replace")
        shutil.rmtree(root, ignore_errors=True)
        message = f"dovecot did not start:\n{output}\n{log}"
        if os.environ.get("REQUIRE_DOVECOT"):
            pytest.fail(message)
        pytest.skip(message)
    yield server
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    shutil.rmtree(root, ignore_errors=True)
