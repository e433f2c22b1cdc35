"""Post/Redirect/Get, said plainly: a redirect that answers a form's POST
(or any request that changes something) is a 303 See Other, so the browser
follows it with a GET and a refresh of the page it lands on never sends the
form again. Views keep calling `redirect(...)`; this turns its 302 into 303
for every such request, flask-login's "sign in first" included."""

from __future__ import annotations

from flask import Flask, Response, request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    @app.after_request
    def see_other_after_a_change(response: Response) -> Response:
        if response.status_code == 302 and request.method not in SAFE_METHODS:
            response.status_code = 303
        return response
