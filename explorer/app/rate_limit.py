"""Token buckets per key (a session, an address): how much one client may ask for in a while, with bounded memory."""
import threading
import time
from collections import OrderedDict


class Buckets:
    """Each key may spend up to `burst` at once, refilled at `rate` per second; at most `keys` keys are
    remembered (the least recently used are forgotten, which only ever gives a forgotten client a full bucket)."""

    def __init__(self, burst: float, rate: float, keys: int = 10_000, clock=time.monotonic):
        self.burst, self.rate, self.keys, self.clock = burst, rate, keys, clock
        self._tokens: OrderedDict[str, tuple[float, float]] = OrderedDict()   # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str, amount: float = 1.0) -> bool:
        """Spend `amount` from `key`'s bucket if it holds that much; False (and nothing spent) otherwise."""
        now = self.clock()
        with self._lock:
            tokens, at = self._tokens.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            ok = tokens >= amount
            self._tokens[key] = (tokens - amount if ok else tokens, now)
            while len(self._tokens) > self.keys:
                self._tokens.popitem(last=False)
            return ok


def address_of(request) -> str:
    """The address a request came from, as the server sees it (a proxy's, behind one)."""
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "?"
