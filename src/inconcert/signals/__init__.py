"""Account signals: evidence that an account is not what it claims to be.

One module per signal; each subclasses `Signal` and registers with `@register`.
"""

from .base import Fired, Signal, SignalContext, register, run_signals, signals

__all__ = ["Fired", "Signal", "SignalContext", "register", "run_signals", "signals"]
