"""The queue's round-robin order, on plain event objects without a server (the admission caps: test_sessions.py)."""
from types import SimpleNamespace

from explorer.app.fairness import round_robin_place, sender


def arrive(line: list, session: str) -> None:
    e = SimpleNamespace(lx_session=session, request=SimpleNamespace(client=SimpleNamespace(host="1.2.3.4")))
    line.insert(round_robin_place(line, session), e)


def test_a_newcomer_waits_for_at_most_one_event_of_each_other_sender():
    line = []
    for session in ["flood"] * 4 + ["a", "b", "a", "flood", "c"]:
        arrive(line, session)
    assert [sender(e)[0] for e in line] == ["flood", "a", "b", "c", "flood", "a", "flood", "flood", "flood"]


def test_a_lone_sender_keeps_arrival_order():
    line = []
    for _ in range(3):
        arrive(line, "x")
    assert len(line) == 3 and round_robin_place([], "x") == 0
