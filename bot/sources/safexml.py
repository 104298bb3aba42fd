"""XML parsed without entity expansion, external entities or external DTDs.

Exports and feeds come from users: a billion-laughs file or an entity pointing at a local file
must be refused, not expanded. defusedxml refuses both; a broken file is reported with the line
and column where it broke.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.errors import MalformedInput, UnsafeInput


def parse_xml(data: bytes, what: str) -> Element:
    """The root element of `data`, a document of the kind `what` names ("WordPress export")."""
    try:
        root: Element = fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
        return root
    except DefusedXmlException:
        raise UnsafeInput(
            f"This {what} declares XML entities or external references, which ThreadBrief does "
            "not expand, for safety.",
            hint="Export it again from the original site; genuine exports have none.",
        ) from None
    except ParseError as e:
        line, column = e.position
        raise MalformedInput(
            f"This {what} is malformed XML at line {line}, column {column}.",
            hint="Check that the file was saved completely.",
        ) from None
