"""The HTTP surface: the only part of dxkg that imports FastAPI or Starlette."""
