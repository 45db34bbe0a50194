"""User API keys, stored hashed in tastypie's ``ApiKey`` table.

A key is 40 lowercase hex characters (the shape SDK clients expect). Only
``sha256$<hex digest>`` of it is stored, so a database dump does not leak usable
keys; the plain key is shown exactly once, when it is issued (``apikey`` command,
admin "regenerate" action, ``make run`` bootstrap). A key has 160 random bits, so a
fast unsalted hash is enough: there is nothing to brute-force.
"""
import hashlib
import hmac
import secrets

from django.db import transaction
from tastypie.models import ApiKey

HASH_PREFIX = "sha256$"


def hash_key(key: str) -> str:
    return HASH_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_plain_key() -> str:
    return secrets.token_hex(20)


@transaction.atomic
def issue_key(user) -> str:
    """Give `user` a fresh key, replacing any previous one, and return it in plain text."""
    key = new_plain_key()
    ApiKey.objects.update_or_create(user=user, defaults={"key": hash_key(key)})
    return key


def verify_key(user, key: str) -> bool:
    """True when `key` is `user`'s current key. Constant-time on the digest."""
    if user is None or not key or not isinstance(key, str):
        return False
    stored = ApiKey.objects.filter(user=user).values_list("key", flat=True).first()
    return check_hash(stored, key)


def check_hash(stored, key: str) -> bool:
    if not stored or not stored.startswith(HASH_PREFIX):
        # Unhashed rows (e.g. created by tastypie's own signal) are never accepted:
        # comparing plaintext would reintroduce the leak this module exists to avoid.
        return False
    return hmac.compare_digest(stored.encode("ascii"), hash_key(key).encode("ascii"))


def ensure_key(user):
    """Create a (never shown) key for a user that has none; returns the plain key or None."""
    if ApiKey.objects.filter(user=user).exists():
        return None
    return issue_key(user)
