"""User-provided strings (item ids, system names, run labels, metric labels, notes that quote them) as text
of the formats bench writes: Markdown (GitHub's: tables, code spans, fences), XML (JUnit) and the small
inline markup of report paragraphs (`code` and **bold**, rendered as HTML or Markdown).

Every writer of those formats passes each such string through one of these functions, so that a name
holding ``|``, a line break, a backtick, ``<``, ``&`` or ``]]>`` shows as itself: a table keeps its shape,
a code span its end, and no raw HTML reaches a page. HTML itself needs only ``html.escape``.
"""

from __future__ import annotations

import re

# Everything CommonMark or a GFM table would read as a line break ends the line of a cell or a heading
# (``str.splitlines``'s set); other C0 controls are invisible noise in a rendered page: each becomes a space.
_BREAKS = re.compile(r"\r\n|[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")
# The ASCII punctuation that starts Markdown inline syntax (emphasis, code, raw HTML, entities,
# strikethrough, tables, headings' closing #; not `>`, which only quotes at a line's start, where no
# user text is put): each is backslash-escaped (CommonMark: any ASCII
# punctuation may be), so it shows as itself. A `[` starts a link or an image only with a `](`, `][` or
# `]:` after it (no reference definitions are ever written): only then is it escaped too, so that an
# interval `[0.41, 0.52]` stays as it reads.
# `_` opens or closes emphasis only at a word's edge (CommonMark's flanking rules): one between two letters
# or digits (``summary_tokens``) stays as it is.
_MARKDOWN = re.compile(r"([\\`*<&|~#])|(?<![^\W_])_+|_+(?![^\W_])")
_LINK = re.compile(r"\][(\[:]")


def one_line(text: object) -> str:
    """``text`` on one line: each line break or control character a space."""
    return _BREAKS.sub(" ", str(text))


def md(text: object) -> str:
    """Plain text inside Markdown (a paragraph, a heading, a list item, a table cell): one line, and
    every character that would start Markdown syntax or raw HTML escaped."""
    text = _MARKDOWN.sub(lambda m: "".join("\\" + c for c in m.group()), one_line(text))
    return text.replace("[", "\\[") if _LINK.search(text) else text


def md_code(text: object, in_table: bool = False) -> str:
    """``text`` as a Markdown code span: delimited by more backticks than its longest run of them
    (CommonMark), on one line; ``in_table``: with ``|`` escaped, which GFM requires even inside a code
    span in a table cell (the backslash is not shown)."""
    body = one_line(text)
    runs = [len(r) for r in re.findall(r"`+", body)]
    fence = "`" * (max(runs, default=0) + 1)
    if body.startswith("`") or body.endswith("`") or (body.startswith(" ") and body.endswith(" ") and body.strip()):
        body = f" {body} "  # CommonMark strips one space from each side: a backtick at the edge stays content
    if in_table:
        body = body.replace("|", "\\|")
    return f"{fence}{body}{fence}"


def md_fence(text: str, info: str = "") -> str:
    """``text`` as a fenced code block whose fence is longer than any backtick run inside it."""
    runs = [len(r) for r in re.findall(r"`{3,}", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def md_row(cells) -> str:
    """One row of a GitHub table of plain-text cells."""
    return "| " + " | ".join(md(c) for c in cells) + " |"


# XML 1.0 allows tab, LF, CR and everything from U+0020 except the surrogates and U+FFFE/U+FFFF; any other
# character cannot appear in a document even as a reference, so it is replaced.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: object) -> str:
    """Character data of an XML element (``<``, ``&``, ``>`` and so ``]]>`` escaped; no character XML forbids)."""
    from xml.sax.saxutils import escape

    return escape(_NOT_XML.sub("\ufffd", str(text)))


def xml_attr(text: object) -> str:
    """An XML attribute value with its quotes (line breaks kept as references, so they read back)."""
    from xml.sax.saxutils import quoteattr

    return quoteattr(_NOT_XML.sub("\ufffd", str(text)), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


# The inline markup of report paragraphs and captions (bench.report.sections builds it, bench.report.html
# and bench.report.markdown render it): `code` and **bold**, with ``\`` and ``\*`` and ``\\`` for a
# literal backtick, star and backslash. A value from the user goes in through ``lit`` (plain text) or
# ``code`` (a code span), so its own backticks and stars are never read as markup.
_TOKENS = re.compile(r"`((?:\\.|[^`\\])*)`|\*\*((?:\\.|[^*\\])+)\*\*|\\(.)|([^`*\\]+|[`*\\])", re.S)


def lit(value: object) -> str:
    """``value`` as literal text inside report markup."""
    return re.sub(r"([\\`*])", r"\\\1", str(value))


def code(value: object) -> str:
    """``value`` as a code span of report markup."""
    return f"`{lit(value)}`"


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


def inline(markup: str) -> list[tuple[str, str]]:
    """Report markup as (kind, literal text) pieces, kind ``text``, ``code`` or ``bold``."""
    out: list[tuple[str, str]] = []
    for m in _TOKENS.finditer(markup):
        c, b, escaped, plain = m.groups()
        if c is not None:
            out.append(("code", _unescape(c)))
        elif b is not None:
            out.append(("bold", _unescape(b)))
        else:
            piece = escaped if escaped is not None else plain
            if out and out[-1][0] == "text":
                out[-1] = ("text", out[-1][1] + piece)
            else:
                out.append(("text", piece))
    return out


def inline_md(markup: str, in_table: bool = False) -> str:
    """Report markup as Markdown: plain text escaped, code as code spans, bold as ``**...**``."""
    parts = []
    for kind, text in inline(markup):
        if kind == "code":
            parts.append(md_code(text, in_table))
        elif kind == "bold":
            parts.append(f"**{md(text)}**")
        else:
            parts.append(md(text))
    return "".join(parts)


def inline_html(markup: str) -> str:
    """Report markup as HTML: every piece escaped, code as ``<code>``, bold as ``<strong>``."""
    import html

    tags = {"code": ("<code>", "</code>"), "bold": ("<strong>", "</strong>"), "text": ("", "")}
    return "".join(f"{tags[k][0]}{html.escape(t)}{tags[k][1]}" for k, t in inline(markup))


def inline_plain(markup: str) -> str:
    """Report markup as plain text (its marks dropped)."""
    return "".join(t for _, t in inline(markup))


# LaTeX (``bench systems|meta|compare|show --format latex``). Every character that is markup in LaTeX's text
# mode gets a command that prints it in the default OT1 encoding *without* falling back to the TS1 companion
# fonts: under OT1, ``\$``, ``\textasciitilde`` and ``\textasciicircum`` are TS1 glyphs, which a TeX Live
# without the EC fonts has to build with METAFONT (mktexpk) at compile time or cannot print at all; ``\~{}``,
# ``\^{}`` (accents on nothing) and ``\ensuremath{\$}`` use only the CM fonts every LaTeX has. ``<``, ``>``
# and ``|`` would print as ``¡``, ``¿`` and an em dash in OT1: ``\textless`` and friends print them.
# Non-ASCII text is passed through unchanged: pdflatex (UTF-8 input is the default since 2018) sets Latin
# letters (é, ü, ß, ł, Œ); a character its font encoding lacks stops the compile with "Unicode character ...
# not set up for use with LaTeX", fixed in the paper's preamble (``\usepackage[T1]{fontenc}``,
# ``\DeclareUnicodeCharacter``) or by LuaLaTeX/XeLaTeX: bench cannot know the paper's fonts, and a name
# transliterated by bench would no longer be the name in the data.
_TEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#",
        "$": r"\ensuremath{\$}", "~": r"\~{}", "^": r"\^{}", "<": r"\textless{}", ">": r"\textgreater{}",
        "|": r"\textbar{}", "[": "{[}", "]": "{]}", '"': r"{\ttfamily\char34}"}
# ``[`` and ``]`` in braces: a cell starting with ``[`` after ``\\`` or a rule would be read as its optional
# argument, and a ``]`` would end a short caption; ``"`` is a closing quote in OT1's roman fonts, the typewriter
# font's character 34 is the straight quote itself.
_TEX_SPECIAL = re.compile(r'[\\{}_%&#$~^<>|\[\]"]')
# Ligatures TeX forms from plain characters (``--`` an en dash, ``?``` an inverted question mark, ``''`` a
# closing quote): an empty group between the two keeps each character as itself.
_TEX_LIGATURE = re.compile(r"(?<=[-`'!?])(?=[-`'])")


def tex(text: object) -> str:
    """Plain text inside LaTeX (a table cell, a caption): one line, every special character printed as itself."""
    text = _TEX_SPECIAL.sub(lambda m: _TEX[m.group()], one_line(text))
    return _TEX_LIGATURE.sub("{}", text)


def tex_code(text: object) -> str:
    """``text`` in ``\\texttt``, each character as itself and a line break allowed after each ``|``, ``,`` and
    ``;`` (a signature is one long word otherwise, and runs out of the column). The typewriter font has every
    ASCII character at its code in OT1 and T1, so specials are ``\\char`` codes, safe in any argument."""
    def char(c: str) -> str:
        if c in "\\{}_%&#$~^<>|\"`":
            c = f"\\char{ord(c)}{{}}"
        return c + ("\\allowbreak{}" if c.startswith("\\char124") or c in ",;" else "")

    return "\\texttt{" + "".join(char(c) for c in one_line(text)) + "}"
