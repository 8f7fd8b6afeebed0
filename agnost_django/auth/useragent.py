"""The client's ``userAgent`` shape, parsed from the User-Agent header by ua-parser."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import ua_parser


def _part(family: str | None, major=None, minor=None, patch=None) -> dict[str, str]:
    return {
        "family": family or "Other",
        "major": major or "0",
        "minor": minor or "0",
        "patch": patch or "0",
    }


@lru_cache(maxsize=1024)
def parse_user_agent(header: str) -> dict[str, Any]:
    """``{family, major, minor, patch, device: {...}, os: {...}}``, all strings; unknown
    parts are ``"Other"`` / ``"0"`` (the Dart client requires every key)."""
    result = ua_parser.parse(header or "")
    agent, os_, device = result.user_agent, result.os, result.device
    return {
        **(_part(agent.family, agent.major, agent.minor, agent.patch) if agent else _part(None)),
        "device": _part(device.family if device else None),
        "os": _part(os_.family, os_.major, os_.minor, os_.patch) if os_ else _part(None),
    }
