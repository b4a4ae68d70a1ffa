"""A partner's group: the partner and its branches, whose agreements and systems its page lists."""

from __future__ import annotations

import pyoxigraph as ox

ORG_SUB = ox.NamedNode("http://www.w3.org/ns/org#subOrganizationOf")


def group(store: ox.Store, partner: str) -> list[str]:
    """Return the partner and its branches (org:subOrganizationOf, transitively), the partner first."""
    found = [partner]
    seen = {partner}
    for parent in found:
        for quad in store.quads_for_pattern(None, ORG_SUB, ox.NamedNode(parent)):
            branch = quad.subject
            if isinstance(branch, ox.NamedNode) and branch.value not in seen:
                seen.add(branch.value)
                found.append(branch.value)
    return found
