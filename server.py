"""Entry point: `python server.py` serves dxkg on the embedded store (DXKG_HOST, DXKG_PORT)."""

from dxkg.config import Settings
from dxkg.web.server import serve

if __name__ == "__main__":
    serve(Settings())
