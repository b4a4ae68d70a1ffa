"""dxkg: knowledge graph of Vietnam's provincial digital-government programmes."""

__version__ = "0.1.0"
