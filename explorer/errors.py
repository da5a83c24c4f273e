"""Errors a user can cause: each message is one sentence for the page that says what to do.

The core raises them; the app shows their text as it is (explorer/app/display.py `friendly`), and any other
exception as a short note, with the details only in the server's log.
"""


class UserError(ValueError):
    """Input a user gave (an image, a point, a model name, a number) that cannot be used."""
