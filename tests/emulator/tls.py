"""A throw-away test CA and a server certificate for 127.0.0.1 / ::1 / localhost, made at
run time with the ``openssl`` command (nothing is committed)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TestCA:
    directory: Path
    ca_file: Path  # the CA certificate clients verify against
    cert_file: Path  # the server certificate (signed by the CA)
    key_file: Path  # the server key


def _openssl(*args: str, cwd: Path) -> None:
    exe = shutil.which("openssl")
    if exe is None:
        raise RuntimeError("the openssl command is needed for the emulator's TLS mode")
    result = subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {result.stderr.strip()}")


def make_test_ca(
    directory: str | Path, hosts: tuple[str, ...] = ("127.0.0.1", "::1", "localhost")
) -> TestCA:
    """Create ``ca.pem`` (the CA), ``server.pem`` and ``server.key`` in ``directory``."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    sans = ",".join(
        (f"IP:{h}" if h.replace(".", "").isdigit() or ":" in h else f"DNS:{h}") for h in hosts
    )
    (d / "ca.ext").write_text(
        "basicConstraints=critical,CA:TRUE\n"
        "keyUsage=critical,keyCertSign,cRLSign\n"
        "subjectKeyIdentifier=hash\n"
    )
    (d / "server.ext").write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        f"subjectAltName={sans}\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid,issuer\n"
    )
    _openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key", cwd=d)
    _openssl(
        "req",
        "-new",
        "-key",
        "ca.key",
        "-subj",
        "/CN=Spotify Emulator Test CA",
        "-out",
        "ca.csr",
        cwd=d,
    )
    _openssl(
        "x509",
        "-req",
        "-in",
        "ca.csr",
        "-signkey",
        "ca.key",
        "-days",
        "2",
        "-extfile",
        "ca.ext",
        "-out",
        "ca.pem",
        cwd=d,
    )
    _openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server.key", cwd=d)
    _openssl(
        "req", "-new", "-key", "server.key", "-subj", "/CN=127.0.0.1", "-out", "server.csr", cwd=d
    )
    _openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
        cwd=d,
    )
    (d / "ca.key").unlink()  # nobody needs to sign anything else
    (d / "server.key").chmod(0o600)
    return TestCA(d, d / "ca.pem", d / "server.pem", d / "server.key")
