"""A throwaway IMAP server on loopback for the e-mail logging tests: Debian's
Dovecot (scripts/deps.sh installs dovecot-imapd) with a configuration of its
own in a temporary folder — one user, a password file, Maildir storage, no
TLS, 127.0.0.1 only — started in the foreground and stopped by the test."""
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

DOVECOT = "/usr/sbin/dovecot"


def available():
    return os.access(DOVECOT, os.X_OK)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class ImapServer:
    def __init__(self, user="crm-log", password="bcc-mailbox-pw"):
        self.user, self.password = user, password
        self.dir = tempfile.mkdtemp(prefix="funnel-imap-")
        # Dovecot's auth process runs as its own user: it must reach the
        # password file (a test password, in a folder of the test's own)
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        uid, gid = os.getuid(), os.getgid()
        home = os.path.join(self.dir, "home")
        os.makedirs(home)
        if uid == 0:
            # Dovecot keeps no mail as root: the mailbox belongs to its own user
            pw = pwd.getpwnam("dovecot")
            uid, gid = pw.pw_uid, pw.pw_gid
            os.chown(home, uid, gid)
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            f.write("%s:{PLAIN}%s:%d:%d::%s/home/%s\n" % (user, password, uid, gid,
                                                          self.dir, user))
        os.chmod(os.path.join(self.dir, "passwd"), 0o644)
        conf = os.path.join(self.dir, "dovecot.conf")
        with open(conf, "w") as f:
            f.write("""protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = {d}/passwd
}}
first_valid_uid = 0
service imap-login {{
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
service imap-login {{
  chroot =
}}
""".format(d=self.dir, port=self.port))
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5):
                    break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise AssertionError("dovecot did not start: %s" % self.log())
                time.sleep(0.1)

    @property
    def url(self):
        return "imap://%s:%s@127.0.0.1:%d/INBOX" % (self.user, self.password, self.port)

    def log(self):
        try:
            return open(os.path.join(self.dir, "dovecot.log")).read()[-2000:]
        except OSError:
            return ""

    def append(self, raw):
        """Put a message in INBOX, as a mail server delivering the BCC would."""
        m = imaplib.IMAP4("127.0.0.1", self.port)
        try:
            m.login(self.user, self.password)
            typ, _ = m.append("INBOX", None, None, raw if isinstance(raw, bytes) else raw.encode())
            assert typ == "OK", typ
        finally:
            m.logout()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
