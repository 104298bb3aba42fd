"""What Discord refuses, and how it says so: 400 Invalid Form Body (50035) with the field path.

The limits are those of the API reference (docs/resources/message.md, channel.md,
interactions/message-components.md, receiving-and-responding.md, application-commands.md):
content 2,000 characters; 10 embeds and 6,000 embed characters per message; embed title 256,
description 4,096, 25 fields, field name 256 and value 1,024, footer 2,048, author 256; 5 action
rows of 5 buttons, custom_id 100, label 80, link buttons with a url and no custom_id;
`allowed_mentions` and `message_reference` of the documented shape; a nonce of 25 characters.
Errors nest as Discord nests them:
`{"embeds": {"0": {"title": {"_errors": [{"code", "message"}]}}}}`, which discord.py flattens
into "In embeds.0.title: Must be 256 or fewer in length."
"""

from __future__ import annotations

import re
from typing import Any

CONTENT_LIMIT = 2000
EMBEDS_LIMIT = 10
EMBED_TOTAL_LIMIT = 6000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
ROWS_LIMIT = 5
BUTTONS_PER_ROW = 5
CUSTOM_ID_LIMIT = 100
LABEL_LIMIT = 80
BUTTON_URL_LIMIT = 512
SELECT_OPTIONS_LIMIT = 25
CHOICES_LIMIT = 25
CHOICE_NAME_LIMIT = 100
THREAD_NAME_LIMIT = 100
NONCE_LIMIT = 25
COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")
COMMAND_DESCRIPTION_LIMIT = 100
COMMAND_OPTIONS_LIMIT = 25
MENTION_TYPES = ("roles", "users", "everyone")

Path = tuple[str | int, ...]


class FormErrors:
    """Errors collected over one payload, keyed by field path."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def __bool__(self) -> bool:
        return bool(self.tree)

    def add(self, path: Path, code: str, message: str) -> None:
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def paths(self) -> list[str]:
        found: list[str] = []

        def walk(node: dict[str, Any], prefix: list[str]) -> None:
            for key, value in node.items():
                if key == "_errors":
                    found.append(".".join(prefix))
                else:
                    walk(value, [*prefix, key])

        walk(self.tree, [])
        return found

    def max_length(self, path: Path, value: Any, limit: int) -> None:
        if not isinstance(value, str):
            self.add(path, "BASE_TYPE_STRING", "Must be a string.")
        elif len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def length_between(self, path: Path, value: Any, low: int, high: int) -> None:
        if not isinstance(value, str):
            self.add(path, "BASE_TYPE_STRING", "Must be a string.")
        elif not low <= len(value) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def url(self, path: Path, value: Any, limit: int = 2048) -> None:
        if not isinstance(value, str) or not re.match(r"^(https?|attachment)://\S+$", value):
            self.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")
        elif len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def invalid_form_body(errors: FormErrors) -> dict[str, Any]:
    return {"code": 50035, "message": "Invalid Form Body", "errors": errors.tree}


def embed_length(embed: dict[str, Any]) -> int:
    """The characters Discord counts against 6,000: title, description, fields, footer, author."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for field in embed.get("fields") or []:
        total += len(field.get("name") or "") + len(field.get("value") or "")
    return total


def _embed(errors: FormErrors, path: Path, embed: Any) -> None:
    if not isinstance(embed, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    if "title" in embed:
        errors.max_length((*path, "title"), embed["title"], TITLE_LIMIT)
    if "description" in embed:
        errors.max_length((*path, "description"), embed["description"], DESCRIPTION_LIMIT)
    if embed.get("url") is not None:
        errors.url((*path, "url"), embed["url"])
    fields = embed.get("fields") or []
    if len(fields) > FIELDS_LIMIT:
        errors.add(
            (*path, "fields"), "BASE_TYPE_MAX_LENGTH", f"Must be {FIELDS_LIMIT} or fewer in length."
        )
    for i, field in enumerate(fields):
        errors.length_between((*path, "fields", i, "name"), field.get("name"), 1, FIELD_NAME_LIMIT)
        errors.length_between(
            (*path, "fields", i, "value"), field.get("value"), 1, FIELD_VALUE_LIMIT
        )
    if "footer" in embed:
        errors.max_length((*path, "footer", "text"), embed["footer"].get("text"), FOOTER_LIMIT)
    if "author" in embed:
        errors.max_length((*path, "author", "name"), embed["author"].get("name"), AUTHOR_LIMIT)
        if embed["author"].get("url") is not None:
            errors.url((*path, "author", "url"), embed["author"]["url"])


def _button(errors: FormErrors, path: Path, button: dict[str, Any]) -> None:
    style = button.get("style")
    if style not in (1, 2, 3, 4, 5, 6):
        errors.add(
            (*path, "style"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}."
        )
    if "label" in button and button["label"] is not None:
        errors.max_length((*path, "label"), button["label"], LABEL_LIMIT)
    if style == 5:
        if "custom_id" in button:
            errors.add(
                (*path, "custom_id"),
                "COMPONENT_LINK_BUTTON_CUSTOM_ID",
                "A link button cannot have a custom_id.",
            )
        if "url" not in button:
            errors.add((*path, "url"), "BASE_TYPE_REQUIRED", "This field is required")
        else:
            errors.url((*path, "url"), button["url"], BUTTON_URL_LIMIT)
    elif style != 6:
        if "url" in button:
            errors.add((*path, "url"), "COMPONENT_BUTTON_URL", "Only link buttons have a url.")
        if "custom_id" not in button:
            errors.add((*path, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
        else:
            errors.length_between((*path, "custom_id"), button["custom_id"], 1, CUSTOM_ID_LIMIT)


def _components(errors: FormErrors, path: Path, rows: Any) -> None:
    if not isinstance(rows, list):
        errors.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return
    if len(rows) > ROWS_LIMIT:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {ROWS_LIMIT} or fewer in length.")
    for r, row in enumerate(rows):
        here = (*path, r)
        if row.get("type") != 1:
            errors.add((*here, "type"), "UNION_TYPE_CHOICES", "Top-level components are rows.")
            continue
        children = row.get("components") or []
        if not 1 <= len(children) <= BUTTONS_PER_ROW:
            errors.add(
                (*here, "components"),
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {BUTTONS_PER_ROW} in length.",
            )
        for c, child in enumerate(children):
            if child.get("type") == 2:
                _button(errors, (*here, "components", c), child)
            elif child.get("type") in (3, 5, 6, 7, 8):
                if len(children) > 1:
                    errors.add(
                        (*here, "components"),
                        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                        "A select menu takes a whole row.",
                    )
                errors.length_between(
                    (*here, "components", c, "custom_id"), child.get("custom_id"), 1, 100
                )
                options = child.get("options") or []
                if len(options) > SELECT_OPTIONS_LIMIT:
                    errors.add(
                        (*here, "components", c, "options"),
                        "BASE_TYPE_MAX_LENGTH",
                        f"Must be {SELECT_OPTIONS_LIMIT} or fewer in length.",
                    )
            else:
                errors.add(
                    (*here, "components", c, "type"),
                    "UNION_TYPE_CHOICES",
                    'Value of field "type" must be one of (2, 3, 5, 6, 7, 8).',
                )


def _allowed_mentions(errors: FormErrors, path: Path, value: Any) -> None:
    if not isinstance(value, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    parse = value.get("parse", [])
    if not isinstance(parse, list) or any(p not in MENTION_TYPES for p in parse):
        errors.add(
            (*path, "parse"),
            "BASE_TYPE_CHOICES",
            "Value must be one of ('roles', 'users', 'everyone').",
        )
        parse = []
    for kind in ("roles", "users"):
        ids = value.get(kind)
        if ids is None:
            continue
        if not isinstance(ids, list) or len(ids) > 100:
            errors.add((*path, kind), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
        elif kind in parse and ids:
            errors.add(
                (*path, "parse"),
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.',
            )
    if "replied_user" in value and not isinstance(value["replied_user"], bool):
        errors.add((*path, "replied_user"), "BASE_TYPE_BOOLEAN", "Must be either true or false.")


def message_errors(body: Any, *, files: int = 0, editing: bool = False) -> FormErrors:
    """Problems of a message body (create, edit, webhook, or an interaction callback's data)."""
    errors = FormErrors()
    if not isinstance(body, dict):
        errors.add((), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return errors
    content = body.get("content")
    if content is not None:
        errors.max_length(("content",), content, CONTENT_LIMIT)
    embeds = body.get("embeds")
    if embeds is not None:
        if not isinstance(embeds, list):
            errors.add(("embeds",), "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
            embeds = []
        if len(embeds) > EMBEDS_LIMIT:
            errors.add(
                ("embeds",), "BASE_TYPE_MAX_LENGTH", f"Must be {EMBEDS_LIMIT} or fewer in length."
            )
        for i, embed in enumerate(embeds):
            _embed(errors, ("embeds", i), embed)
        total = sum(embed_length(e) for e in embeds if isinstance(e, dict))
        if total > EMBED_TOTAL_LIMIT:
            errors.add(
                ("embeds",),
                "MAX_EMBED_SIZE_EXCEEDED",
                f"Embed size exceeds maximum size of {EMBED_TOTAL_LIMIT}",
            )
    if body.get("components") is not None:
        _components(errors, ("components",), body["components"])
    if body.get("allowed_mentions") is not None:
        _allowed_mentions(errors, ("allowed_mentions",), body["allowed_mentions"])
    nonce = body.get("nonce")
    if isinstance(nonce, str):
        errors.max_length(("nonce",), nonce, NONCE_LIMIT)
    elif nonce is not None and (type(nonce) is not int):
        errors.add(("nonce",), "BASE_TYPE_STRING", "Must be a string or an integer.")
    if "enforce_nonce" in body and not isinstance(body["enforce_nonce"], bool):
        errors.add(("enforce_nonce",), "BASE_TYPE_BOOLEAN", "Must be either true or false.")
    reference = body.get("message_reference")
    if reference is not None:
        _message_reference(errors, ("message_reference",), reference)
    return errors


def _message_reference(errors: FormErrors, path: Path, reference: Any) -> None:
    if not isinstance(reference, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    if reference.get("type", 0) == 0 and not str(reference.get("message_id", "")).isdigit():
        errors.add((*path, "message_id"), "BASE_TYPE_REQUIRED", "This field is required")
    flag = reference.get("fail_if_not_exists")
    if flag is not None and not isinstance(flag, bool):
        errors.add(
            (*path, "fail_if_not_exists"), "BASE_TYPE_BOOLEAN", "Must be either true or false."
        )


def is_empty(body: dict[str, Any], files: int = 0) -> bool:
    """A new message with nothing in it: Discord answers 50006 Cannot send an empty message."""
    return not (
        body.get("content")
        or body.get("embeds")
        or body.get("sticker_ids")
        or body.get("components")
        or body.get("poll")
        or files
        or body.get("attachments")
    )


def command_errors(commands: Any) -> FormErrors:
    """Problems of a bulk overwrite of application commands."""
    errors = FormErrors()
    if not isinstance(commands, list):
        errors.add((), "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return errors
    for i, command in enumerate(commands):
        kind = command.get("type", 1)
        name = command.get("name")
        if not isinstance(name, str) or not (
            COMMAND_NAME.match(name) if kind == 1 else 1 <= len(name) <= 32
        ):
            errors.add((i, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        if kind == 1:
            errors.length_between(
                (i, "description"), command.get("description"), 1, COMMAND_DESCRIPTION_LIMIT
            )
            _options(errors, (i, "options"), command.get("options") or [])
        permissions = command.get("default_member_permissions")
        if permissions is not None and not str(permissions).isdigit():
            errors.add(
                (i, "default_member_permissions"),
                "BASE_TYPE_STRING",
                "Must be a permission string.",
            )
    return errors


def _options(errors: FormErrors, path: Path, options: list[dict[str, Any]]) -> None:
    if len(options) > COMMAND_OPTIONS_LIMIT:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {COMMAND_OPTIONS_LIMIT} or fewer.")
    required_done = False
    for j, option in enumerate(options):
        here = (*path, j)
        if not COMMAND_NAME.match(str(option.get("name", ""))):
            errors.add(
                (*here, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Option name is invalid"
            )
        errors.length_between(
            (*here, "description"), option.get("description"), 1, COMMAND_DESCRIPTION_LIMIT
        )
        if len(option.get("choices") or []) > CHOICES_LIMIT:
            errors.add(
                (*here, "choices"), "BASE_TYPE_MAX_LENGTH", f"Must be {CHOICES_LIMIT} or fewer."
            )
        if option.get("type") in (1, 2):
            _options(errors, (*here, "options"), option.get("options") or [])
            continue
        if option.get("required"):
            if required_done:
                errors.add(
                    (*here, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            required_done = True


def autocomplete_errors(data: Any) -> FormErrors:
    errors = FormErrors()
    choices = (data or {}).get("choices") or []
    if len(choices) > CHOICES_LIMIT:
        errors.add(
            ("data", "choices"), "BASE_TYPE_MAX_LENGTH", f"Must be {CHOICES_LIMIT} or fewer."
        )
    for i, choice in enumerate(choices):
        errors.length_between(
            ("data", "choices", i, "name"), choice.get("name"), 1, CHOICE_NAME_LIMIT
        )
    return errors


def thread_errors(body: Any) -> FormErrors:
    """Start Thread in Forum or Media Channel: a name, a first message, at most 5 tags."""
    errors = FormErrors()
    if not isinstance(body, dict):
        errors.add((), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return errors
    errors.length_between(("name",), body.get("name"), 1, THREAD_NAME_LIMIT)
    tags = body.get("applied_tags") or []
    if len(tags) > 5:
        errors.add(("applied_tags",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    message = body.get("message")
    if not isinstance(message, dict):
        errors.add(("message",), "BASE_TYPE_REQUIRED", "This field is required")
    else:
        inner = message_errors(message)
        for key, value in inner.tree.items():
            errors.tree.setdefault("message", {})[key] = value
    return errors
