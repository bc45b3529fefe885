"""Reading settings from the environment (pledge_site/settings.py, tests/settings.py)."""

import os


def env_bool(name: str, default: bool) -> bool:
    """True for 1/true/yes/on (any case), False for anything else; `default` when the variable is not set."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}
