"""libyaml's own words (a syntax error's problem and context) as message ids, and
the hint that says what to do about them.

The parser reports in English; each phrase it can say, as it says it, maps
to a message whose English text is that phrase (tests/test_messages.py holds
them equal), so the English output is the parser's and other languages get a
translation. A phrase not listed is shown as the parser said it.
"""

from __future__ import annotations

from .messages import Msg

__all__ = ["phrase", "hint_for", "PHRASES"]

_PHRASES = {
    "could not find expected ':'": "no_colon",
    "mapping values are not allowed in this context": "mapping_here",
    "block sequence entries are not allowed in this context": "dash_here",
    "found character that cannot start any token": "bad_character",
    "found unexpected end of stream": "end_of_stream",
    "found unexpected document indicator": "document_indicator",
    "found unknown escape character": "unknown_escape",
    "found unexpected ':'": "unexpected_colon",
    "found a tab character that violates indentation": "tab_indent",
    "found a tab character where an indentation space is expected": "tab_space",
    "did not find expected key": "no_key",
    "did not find expected node content": "no_content",
    "did not find expected '-' indicator": "no_dash",
    "did not find expected ',' or ']'": "no_bracket",
    "did not find expected ',' or '}'": "no_brace",
    "did not find expected <document start>": "no_document_start",
    "found undefined alias": "undefined_alias",
    "found undefined tag handle": "undefined_tag",
    "did not find expected alphabetic or numeric character": "no_alphanumeric",
    "did not find expected comment or line break": "no_line_break",
    "did not find expected whitespace or line break": "no_whitespace",
    "found an indentation indicator equal to 0": "indent_zero",
    "found invalid Unicode character escape code": "bad_unicode_escape",
    "did not find expected hexdecimal number": "no_hex",
    "control characters are not allowed": "control_character",
    "second occurrence": "second_occurrence",
    "found duplicate anchor; first occurrence": "duplicate_anchor",
    "while scanning a simple key": "in_key",
    "while scanning a quoted scalar": "in_quoted",
    "while parsing a quoted scalar": "in_quoted_parse",
    "while scanning a plain scalar": "in_plain",
    "while scanning a block scalar": "in_block_scalar",
    "while parsing a block mapping": "in_mapping",
    "while parsing a block collection": "in_list",
    "while parsing a flow mapping": "in_flow_mapping",
    "while parsing a flow sequence": "in_flow_list",
    "while parsing a block node": "in_block_node",
    "while parsing a flow node": "in_flow_node",
    "while parsing a node": "in_node",
    "while scanning for the next token": "in_token",
    "while scanning an alias": "in_alias",
    "while scanning an anchor": "in_anchor",
    "while scanning a tag": "in_tag",
    "while parsing a tag": "in_tag_parse",
    "while scanning a directive": "in_directive",
}

#: message id -> the phrase it says in English (for tests/test_messages.py).
PHRASES = {f"yamlp.{v}": k for k, v in _PHRASES.items()}


def phrase(text: str) -> str:
    """The parser's phrase as a message, or as it is when it is not listed."""
    key = _PHRASES.get(text)
    return Msg(f"yamlp.{key}") if key else text


def hint_for(said: str) -> str:
    """The id of the message that says what to do about the parser's words, or ""."""
    if "expected a single document" in said:
        return "yaml.hint.second_document"
    if "could not find expected ':'" in said:
        return "yaml.hint.colon"
    if "mapping values are not allowed" in said:
        return "yaml.hint.quote_value"
    if "found undefined alias" in said:
        return "yaml.hint.alias"
    return ""
