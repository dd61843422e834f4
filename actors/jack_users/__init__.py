"""Supertonic processes sharing one JACK server: the last to leave stops the jackd
that one of them started (see :class:`JackUsers`)."""

from ._users import JackUsers, users_folder

__all__ = ["JackUsers", "users_folder"]
