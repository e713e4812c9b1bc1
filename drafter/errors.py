"""Errors a user can act on. The CLI turns each into one line on stderr and exit code 2."""

from __future__ import annotations


class DrafterError(Exception):
    """Base class for problems caused by input, configuration or the environment, not by a bug."""

    exit_code = 2


class InputError(DrafterError):
    """The input is unreadable, not an email, or empty."""


class ConfigError(DrafterError):
    """A policy, config, rule pack or prompt file is missing or malformed."""


class StoreError(DrafterError):
    """The ledger or cache could not be written (a full disk, a read-only folder)."""


class EngineError(DrafterError):
    """The model server could not be used (wrong key, unknown model, unreachable, bad output)."""
