"""One client cannot block the rest: a cap on the events each session (and each address) has in gradio's queue.

Gradio's queue is first come, first served per event: a client that keeps 200 /sample calls in flight puts every
other user's /sample behind all of them (67 s measured). Here each new event is admitted only while its sender has
fewer than PER_SESSION events in the queue (waiting or running); a sender without a session of its own (a bare
HTTP call to /gradio_api/call/...) counts by its address, and every address is capped too, so new session names do
not buy more room. A refused event gets gradio's "queue full" answer (HTTP 503) with BUSY as its text, at once.
And the waiting line is served round-robin by sender: a new event goes ahead of every waiting event that is its
sender's second (third, ...) one, so one user's request waits for at most one of each other sender's.

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


def round_robin_place(waiting: list, session: str) -> int:
    """Where a new event of `session` goes in the waiting line: before the first event that is a later one of its
    own sender than the new event would be of `session` (its round)."""
    rounds: dict[str, int] = {}
    mine = sum(1 for e in waiting if sender(e)[0] == session)
    for i, e in enumerate(waiting):
        key = sender(e)[0]
        rounds[key] = rounds.get(key, -1) + 1
        if rounds[key] > mine:
            return i
    return len(waiting)


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
        event = queue.event_ids_to_events.get(event_id) if ok else None
        if event is not None:
            event.lx_session = session
            waiting = queue.event_queue_per_concurrency_id.get(event.concurrency_id)
            if waiting is not None and event in waiting.queue:
                waiting.queue.remove(event)
                waiting.queue.insert(round_robin_place(waiting.queue, session), event)
        return ok, event_id, state

    queue.push = fair_push
