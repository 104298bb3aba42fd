"""XML parsed without entity expansion, external entities or external DTDs.

Exports and feeds come from users: a billion-laughs file or an entity pointing at a local file
must be refused, not expanded. defusedxml refuses both; a broken file is reported with the line
and column where it broke.
"""

from __future__ import annotations

import html.entities
import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.errors import MalformedInput, UnsafeInput

_AMPERSAND = re.compile(rb"&(?:(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{0,31}))?;?")
_XML_NAMES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})


def _ampersand(match: re.Match[bytes]) -> bytes:
    number, name = match.group(1), match.group(2)
    whole = match.group(0)
    if not whole.endswith(b";") or (number is None and name is None):
        return b"&amp;" + whole[1:]
    if number is not None or name in _XML_NAMES:
        return whole
    point = html.entities.name2codepoint.get(name.decode("ascii"))
    return b"&#%d;" % point if point is not None else b"&amp;" + whole[1:]


def repair_xml(data: bytes) -> bytes:
    """What feed readers forgive, made well-formed: a bare `&`, an
    HTML entity (`&nbsp;` becomes the character reference `&#160;`: a fixed table, never an
    entity the document declares)."""
    return _AMPERSAND.sub(_ampersand, data)


def parse_xml(data: bytes, what: str) -> Element:
    """The root element of `data`, a document of the kind `what` names ("WordPress export")."""
    return _parse(data, what)


def parse_forgiving(data: bytes, what: str) -> tuple[Element, bool]:
    """The root element, and whether the document had to be repaired first (`repair_xml`), as
    feed readers read feeds that are not well-formed; the repaired one is parsed just as safely.
    A document that stays broken is reported where the file itself broke."""
    data = data.lstrip(b" \t\r\n")  # WordPress plugins often print blank lines before <?xml
    try:
        return _parse(data, what), False
    except MalformedInput:
        repaired = repair_xml(data)
        if repaired == data:
            raise
        try:
            return _parse(repaired, what), True
        except MalformedInput:
            pass
        return _parse(data, what), False


def _parse(data: bytes, what: str) -> Element:
    try:
        root: Element = fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
        return root
    except LookupError as e:  # an encoding declaration Python does not know
        raise MalformedInput(
            f"This {what} declares an encoding that does not exist ({e}).",
            hint="Check the encoding in its first line, or export it again.",
        ) from None
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
