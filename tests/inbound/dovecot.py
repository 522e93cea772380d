"""A real IMAP server for the tests: Debian's dovecot, started with a throw-away configuration."""

import os
import pwd
import shutil
import signal
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
ssl = no
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
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
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


def _binary() -> str | None:
    # /usr/sbin is not on every user's PATH.
    if shutil.which("dovecot"):
        return shutil.which("dovecot")
    return "/usr/sbin/dovecot" if os.access("/usr/sbin/dovecot", os.X_OK) else None


def dovecot_running():
    """Yields an `ImapServer` with one empty mailbox; skips (or fails in CI) without dovecot."""
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
    server = ImapServer(host="127.0.0.1", port=free_port(), user="intake", password="intake-secret")
    (root / "passwd").write_text(f"{server.user}:{{PLAIN}}{server.password}\n")
    (root / "dovecot.conf").write_text(
        CONFIG.format(root=root, port=server.port, uid=owner.pw_uid, gid=owner.pw_gid, users=users)
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
