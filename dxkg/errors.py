"""DxkgError and its kinds, each with the HTTP status it maps to."""

from __future__ import annotations


class DxkgError(Exception):
    """A failure with a message meant for the person or client who caused it."""

    status = 500

    @property
    def headers(self) -> dict[str, str]:
        """Extra response headers (Retry-After, ...)."""
        return {}


class LoadError(DxkgError):
    """A source file could not be read or parsed; names the file and line."""

    status = 500

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class StoreUnavailable(DxkgError):
    """No usable store: never loaded, or its snapshot is missing."""

    status = 503


class BadQuery(DxkgError):
    """A malformed query or parameter (SPARQL Protocol: 400)."""

    status = 400


class NotFound(DxkgError):
    status = 404


class NotAcceptable(DxkgError):
    status = 406


class QueryRefused(DxkgError):
    """A request the public endpoint will not run: an update or a federated query."""

    status = 403


class UnsupportedMediaType(DxkgError):
    """A POST body that is neither a form nor a SPARQL query (SPARQL 1.1 Protocol §2.1)."""

    status = 415


class ResultTooLarge(DxkgError):
    """A result with more rows or triples than the configured limit."""

    status = 400


class QueryFailed(DxkgError):
    """The store failed while evaluating a query."""

    status = 500


class QueryTimeout(DxkgError):
    """A query stopped at the time limit (its worker process was killed)."""

    status = 504


class TryLater(DxkgError):
    """503 with `Retry-After`: the request is fine, the server cannot answer it for `retry_after` s."""

    status = 503

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ServerBusy(TryLater):
    """Too many queries in flight: refused at once rather than queued; try again after `retry_after` s."""


class NotReady(TryLater):
    """A file derived from the data version (its dumps, its search index) is still being written."""
