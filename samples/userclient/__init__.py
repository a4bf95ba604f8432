"""A small client of a (fictional) user service, built on requests: the consumer whose
contract the samples test."""
from .client import User, UserClient, UserNotFound

__all__ = ["User", "UserClient", "UserNotFound"]
