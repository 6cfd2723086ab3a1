"""Cluster certificate authorities: real, parseable X.509 certificates without a crypto library.

``cluster_ca_pem(created_at)`` returns a self-signed CA certificate (subject
and issuer ``CN=kubernetes`` as on EKS, a random serial, valid for ten years
from the cluster's creation) in PEM form; ``certificateAuthority.data`` is its
base64.  The DER is written here by hand and signed (sha256WithRSAEncryption,
PKCS#1 v1.5) with a fixed RSA key kept in ``catalogue/ca_key.json``: the
certificate is only there so that kubeconfig files and TLS libraries can parse
it; nothing secret depends on it.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import textwrap
import time
from functools import lru_cache
from pathlib import Path

CA_VALIDITY_SECONDS = 10 * 365 * 24 * 3600
SUBJECT_COMMON_NAME = "kubernetes"

_SHA256_WITH_RSA = "1.2.840.113549.1.1.11"
_RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
_COMMON_NAME = "2.5.4.3"
_KEY_USAGE = "2.5.29.15"
_BASIC_CONSTRAINTS = "2.5.29.19"
_SUBJECT_KEY_IDENTIFIER = "2.5.29.14"
# DigestInfo header of a SHA-256 digest (RFC 8017, section 9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


# -- DER -----------------------------------------------------------------------
def _tlv(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        encoded = bytes([length])
    else:
        raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
        encoded = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + encoded + content


def _sequence(*items: bytes) -> bytes:
    return _tlv(0x30, b"".join(items))


def _integer(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _oid(dotted: str) -> bytes:
    first, second, *rest = (int(p) for p in dotted.split("."))
    out = bytearray([40 * first + second])
    for arc in rest:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out.extend(reversed(chunk))
    return _tlv(0x06, bytes(out))


def _bit_string(data: bytes, unused_bits: int = 0) -> bytes:
    return _tlv(0x03, bytes([unused_bits]) + data)


def _time(epoch: float) -> bytes:
    t = time.gmtime(int(epoch))
    if t.tm_year < 2050:  # RFC 5280: UTCTime through 2049, GeneralizedTime after
        return _tlv(0x17, time.strftime("%y%m%d%H%M%SZ", t).encode())
    return _tlv(0x18, time.strftime("%Y%m%d%H%M%SZ", t).encode())


def _name(common_name: str) -> bytes:
    return _sequence(_tlv(0x31, _sequence(_oid(_COMMON_NAME), _tlv(0x0C, common_name.encode()))))


def _algorithm(oid: str) -> bytes:
    return _sequence(_oid(oid), b"\x05\x00")


def _extension(oid: str, critical: bool, value: bytes) -> bytes:
    return _sequence(_oid(oid), *([b"\x01\x01\xff"] if critical else []), _tlv(0x04, value))


# -- RSA -----------------------------------------------------------------------
@lru_cache(maxsize=1)
def _key() -> dict:
    """The CA key: a four-prime RSA key (RFC 8017 multi-prime), so signing costs four small exponentiations."""
    raw = json.loads((Path(__file__).parent / "catalogue" / "ca_key.json").read_text())
    d = int(raw["d"], 16)
    primes = [int(p, 16) for p in raw["primes"]]
    # Garner's recombination: coefficients[i] = (p_1 * ... * p_{i-1})^-1 mod p_i
    coefficients, product = [1], primes[0]
    for p in primes[1:]:
        coefficients.append(pow(product, -1, p))
        product *= p
    return {"n": int(raw["n"], 16), "e": int(raw["e"]), "primes": primes,
            "exponents": [d % (p - 1) for p in primes], "coefficients": coefficients}


def _sign(message: bytes) -> bytes:
    key = _key()
    size = (key["n"].bit_length() + 7) // 8
    digest_info = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    encoded = b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info
    m = int.from_bytes(encoded, "big")
    primes, exponents, coefficients = key["primes"], key["exponents"], key["coefficients"]
    # m^d mod n from m^d mod each prime, recombined one prime at a time.
    signature, product = pow(m, exponents[0], primes[0]), primes[0]
    for p, exponent, coefficient in zip(primes[1:], exponents[1:], coefficients[1:]):
        residue = pow(m, exponent, p)
        signature += product * ((residue - signature) * coefficient % p)
        product *= p
    return signature.to_bytes(size, "big")


# -- certificate ---------------------------------------------------------------
def cluster_ca_der(created_at: float, serial: int | None = None) -> bytes:
    key = _key()
    public_key = _sequence(_integer(key["n"]), _integer(key["e"]))
    name = _name(SUBJECT_COMMON_NAME)
    extensions = _sequence(
        # digitalSignature, keyEncipherment, keyCertSign
        _extension(_KEY_USAGE, True, _bit_string(b"\xa4", unused_bits=2)),
        _extension(_BASIC_CONSTRAINTS, True, _sequence(b"\x01\x01\xff")),
        _extension(_SUBJECT_KEY_IDENTIFIER, False, _tlv(0x04, hashlib.sha1(public_key).digest())),
    )
    tbs = _sequence(
        _tlv(0xA0, _integer(2)),                     # version v3
        _integer(serial if serial is not None else secrets.randbits(127) | 1 << 126),
        _algorithm(_SHA256_WITH_RSA),
        name,
        _sequence(_time(created_at), _time(created_at + CA_VALIDITY_SECONDS)),
        name,
        _sequence(_algorithm(_RSA_ENCRYPTION), _bit_string(public_key)),
        _tlv(0xA3, extensions),
    )
    return _sequence(tbs, _algorithm(_SHA256_WITH_RSA), _bit_string(_sign(tbs)))


def cluster_ca_pem(created_at: float) -> str:
    body = "\n".join(textwrap.wrap(base64.b64encode(cluster_ca_der(created_at)).decode(), 64))
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"


def certificate_authority_data(created_at: float) -> str:
    """What DescribeCluster reports as ``certificateAuthority.data``: base64 of the PEM."""
    return base64.b64encode(cluster_ca_pem(created_at).encode()).decode()
