"""One client cannot block the rest: a cap on the events each session (and each address) has in gradio's queue.

Gradio's queue is first come, first served per event: a client that keeps 200 /sample calls in flight puts every
other user's /sample behind all of them (67 s measured). Here each new event is admitted only while its sender has
fewer than PER_SESSION events in the queue (waiting or running); a sender without a session of its own (a bare
HTTP call to /gradio_api/call/...) counts by its address, and every address is capped too, so new session names do
not buy more room. A refused event gets gradio's "queue full" answer (HTTP 503) with BUSY as its text, at once.

This wraps one method of gradio's Queue (gradio is pinned: requirements.txt); tests/test_sessions.py fails if a
gradio upgrade changes what it relies on.
"""
import functools

PER_SESSION = 4      # a page needs one or two at a time; a script may pipeline a few
PER_ADDRESS = 48     # one machine (or a classroom behind one NAT address) with many sessions
BUSY = "The server is busy with your earlier requests; wait for them to finish, then try again."


def sender(event) -> tuple[str, str]:
    """(session key, address key) of a queued event."""
    request = getattr(event, "request", None)
    client = getattr(request, "client", None)
    address = "address:" + (client.host if client else "?")
    given = getattr(event, "lx_session", None)
    return (given or address), address


def in_flight(queue, key: str, address: bool) -> int:
    """Events of `key` (a session, or an address) that are waiting or running."""
    index = 1 if address else 0
    return sum(1 for e in list(queue.event_ids_to_events.values()) if sender(e)[index] == key)


def install(queue, per_session: int = PER_SESSION, per_address: int = PER_ADDRESS) -> None:
    """Admit a new event to gradio's `queue` (demo._queue, after demo.queue(...)) only within the caps."""
    push = queue.push

    @functools.wraps(push)
    async def fair_push(body, request, username):
        client = getattr(request, "client", None)
        address = "address:" + (client.host if client else "?")
        session = f"session:{body.session_hash}" if body.session_hash else address
        if in_flight(queue, session, False) >= per_session or in_flight(queue, address, True) >= per_address:
            return False, BUSY, "queue_full"
        ok, event_id, state = await push(body, request, username)
        if ok and event_id in queue.event_ids_to_events:
            queue.event_ids_to_events[event_id].lx_session = session
        return ok, event_id, state

    queue.push = fair_push
