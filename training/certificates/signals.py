"""What certificates announce to the areas above them (blinker). Receivers
are connected by create_app and write in the caller's transaction."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sender: the Certificate, just issued (or reissued as a correction, when
# its `replaces` is set), with its verification code.
certificate_issued = _signals.signal("certificate-issued")
