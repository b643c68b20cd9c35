"""Issue 20.6: importing the credentials hashes nothing (every CLI command and test process paid one
argon2 hash, ~0.1 s, for the dummy hash); a login for an unknown account still costs one real
argon2 verification, against a dummy hash made once, even when several threads ask at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

# a fresh process counts argon2's own hash and verify calls around the import and four threads'
# checks of an account that does not exist
PROBE = """
import threading
import argon2

calls = {"hash": [], "verify": []}
real_hash, real_verify = argon2.PasswordHasher.hash, argon2.PasswordHasher.verify

def counting_hash(self, password, *a, **k):
    calls["hash"].append(password)
    return real_hash(self, password, *a, **k)

def counting_verify(self, stored, password):
    calls["verify"].append(stored)
    return real_verify(self, stored, password)

argon2.PasswordHasher.hash = counting_hash
argon2.PasswordHasher.verify = counting_verify
from fcatlas.accounts import credentials
print("import", len(calls["hash"]))
answers = []
threads = [threading.Thread(target=lambda: answers.append(credentials.verify_password(None, "ett långt lösenord")))
           for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("answers", sorted(set(answers)))
print("hashes", len(calls["hash"]))
print("verifications", len(calls["verify"]), len(set(calls["verify"])), calls["verify"][0][:10])
print("checks", credentials.password_checks())
"""


def test_issue20_import_hashes_nothing_and_unknown_account_costs_one_verification():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    r = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "import 0",  # nothing hashed at import
        "answers [False]",  # an unknown account never logs in
        "hashes 1",  # the dummy hash is made once, on first use, for all four threads
        "verifications 4 1 $argon2id$",  # each check is one argon2 verification, all against that hash
        "checks 4",
    ]
