"""Google's side of Pub/Sub push authentication, on loopback: signing keys, a certificate endpoint, tokens.

``GoogleCertsServer`` serves ``{key id: PEM certificate}`` like
https://www.googleapis.com/oauth2/v1/certs (with ``Cache-Control: max-age``);
``mint`` signs RS256 JWTs with google-auth's own signer, so the tokens are
real OIDC tokens in every byte but the key.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt

ISSUER = "https://accounts.google.com"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: bytes
    certificate_pem: bytes

    def signer(self) -> crypt.RSASigner:
        return crypt.RSASigner.from_string(self.private_pem, key_id=self.kid)


def new_signing_key(kid: str | None = None) -> SigningKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test.googleapis.invalid")])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=2)).sign(key, hashes.SHA256()))
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    return SigningKey(kid or uuid.uuid4().hex, private_pem, certificate.public_bytes(serialization.Encoding.PEM))


def push_claims(audience: str, email: str, *, lifetime_s: int = 3600, issued_at: float | None = None,
                issuer: str = ISSUER) -> dict[str, object]:
    """The claims Pub/Sub puts in a push request's OIDC token."""
    iat = int(time.time() if issued_at is None else issued_at)
    return {"aud": audience, "azp": "113774264463038321964", "email": email, "email_verified": True,
            "exp": iat + lifetime_s, "iat": iat, "iss": issuer, "sub": "113774264463038321964"}


def mint(key: SigningKey, claims: dict[str, object]) -> str:
    return jwt.encode(key.signer(), claims).decode()


@dataclass
class GoogleCertsServer:
    keys: list[SigningKey] = field(default_factory=lambda: [new_signing_key()])
    fetches: int = 0

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.fetches += 1
                body = json.dumps({k.kid: k.certificate_pem.decode() for k in server.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Cache-Control", "public, max-age=22150, must-revalidate, no-transform")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_port}/oauth2/v1/certs"

    @property
    def key(self) -> SigningKey:
        return self.keys[0]

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()
