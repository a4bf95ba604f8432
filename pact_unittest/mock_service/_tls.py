"""HTTPS for the mock: the given certificate and key, or a self-signed one made on the fly.

The certificate is made with ``cryptography`` (the ``ssl`` extra), imported only when
needed so plain-HTTP users never pay for it. An EC P-256 key makes it in about a
millisecond; it is cached per host for the life of the process.
"""
from __future__ import annotations

import atexit
import datetime
import ipaddress
import os
import shutil
import ssl
import tempfile
import threading
from typing import Dict, List, Optional, Tuple

_cache: Dict[str, Tuple[str, str]] = {}
_cache_lock = threading.Lock()


def _self_signed(host: str) -> Tuple[str, str]:
    """PEM files (cert, key) of a self-signed certificate for ``host`` (and localhost)."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        raise RuntimeError(
            "ssl=True without sslcert/sslkey needs the 'cryptography' package to make a "
            "self-signed certificate: pip install pact_unittest[ssl]"
        ) from None
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    alt_names: List[x509.GeneralName] = [x509.DNSName("localhost")]
    for item in {host, "127.0.0.1", "::1"}:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(item)))
        except ValueError:
            if item != "localhost":
                alt_names.append(x509.DNSName(item))
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory = tempfile.mkdtemp(prefix="pact-unittest-tls-")
    atexit.register(_remove_at_exit, directory, os.getpid())
    cert_path = os.path.join(directory, "cert.pem")
    key_path = os.path.join(directory, "key.pem")
    with open(cert_path, "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return cert_path, key_path


def _remove_at_exit(directory: str, owner_pid: int) -> None:
    """Delete a self-signed key pair's directory when the process that made it exits.

    Clients may be handed the certificate file (``verify=``) at any time while the process
    runs, so it lives until then; without this every run left a private key in the temp
    dir. A forked child (Django ``--parallel``) inherits the hook but not the ownership:
    the parent may still be using the files.
    """
    if os.getpid() == owner_pid:
        shutil.rmtree(directory, ignore_errors=True)


def self_signed_files(host: str) -> Tuple[str, str]:
    """The (cert, key) PEM paths for ``host``, made once per process."""
    with _cache_lock:
        if host not in _cache:
            _cache[host] = _self_signed(host)
        return _cache[host]


def certificate_file(host: str, certfile: Optional[str] = None) -> str:
    """The PEM certificate a client should trust for a service on ``host``.

    ``certfile`` (the ``sslcert`` given) when there is one, else the self-signed
    certificate made for ``host`` (the same file :func:`server_context` serves). A client
    passes it as ``verify=`` (requests) or ``cafile=`` (``ssl.create_default_context``).
    """
    return os.fspath(certfile) if certfile else self_signed_files(host)[0]


def server_context(host: str, certfile: Optional[str] = None, keyfile: Optional[str] = None) -> ssl.SSLContext:
    """A server SSL context with the given cert/key, else a self-signed one for ``host``."""
    if bool(certfile) != bool(keyfile):
        raise ValueError("give both sslcert and sslkey, or neither (for a self-signed certificate)")
    if not certfile:
        certfile, keyfile = self_signed_files(host)
    else:
        _check_readable("sslcert", certfile)
        _check_readable("sslkey", keyfile)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(certfile, keyfile)
    except ssl.SSLError as exc:  # ssl names neither file: say which pair failed
        raise ValueError(f"cannot use sslcert {certfile!r} with sslkey {keyfile!r}: not a "
                         f"PEM certificate and its private key ({exc})") from None
    return context


def _check_readable(option: str, path: Optional[str]) -> None:
    """Raise naming the option and the file: ``load_cert_chain`` says only "[Errno 2] ..."."""
    try:
        with open(str(path), "rb"):
            pass
    except OSError as exc:
        raise type(exc)(exc.errno, f"cannot read the {option} file: {exc.strerror}",
                        str(path)) from None
