"""HTML mail bodies as plain text, with quoted history marked and hidden text dropped.

Only the standard library's ``html.parser`` is used: this runs on the CLI start-up path and
must not pull in a dependency. The output is shaped for :func:`drafter.mail.clean_body`:
quoted history (``<blockquote>``, Gmail's ``gmail_quote``, Outlook's reply header and what
follows it) comes out as ``> ``-prefixed lines, so the same plain-text logic that handles
``>`` quotes moves it to ``Email.quoted``.

Text a reader cannot see (``display:none``, zero font size, white-on-white…) is dropped,
because hidden text is the classic way to smuggle instructions past a human to a model.
What was dropped is reported through the optional ``hidden`` list so the caller can warn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

#: Elements whose content is never text for a reader.
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "math",
                   "object", "iframe", "select", "textarea", "xml"})

#: Elements that never have content or an end tag.
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr", "basefont", "frame", "keygen"})

#: Block elements: they start and end a line.
_BLOCK = frozenset({"address", "article", "aside", "blockquote", "caption", "center", "dd",
                    "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure",
                    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
                    "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
                    "tfoot", "thead", "tr", "ul", "body", "html"})

#: Blocks separated from their neighbours by a blank line (paragraph-like).
_PARAGRAPH = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table",
                        "ul", "ol", "dl"})

#: A start tag of the key closes an open element of the same name first (what browsers do
#: with the common ``<li>one<li>two`` and ``<p>a<p>b`` shorthand).
_SELF_CLOSING_SIBLINGS = frozenset({"li", "p", "dt", "dd", "tr", "td", "th", "option"})

#: Containers of a reply's quoted history, by class (Gmail, Yahoo, Thunderbird, Proton).
_QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote",
                  "zmail_extra")

#: Markers after which everything is quoted history (Outlook web / new Outlook).
_REST_QUOTED_IDS = frozenset({"appendonsend", "divrplyfwdmsg",
                              "mail-editor-reference-message-container"})

#: Attributes that can hide an element or change its colours; most tags have none of them.
_VISUAL_ATTRS = frozenset({"style", "hidden", "color", "bgcolor"})

#: Named colours a hidden-text trick uses (near-white ones, black), as RGB.
_NAMED = {"white": (255, 255, 255), "snow": (255, 250, 250), "ivory": (255, 255, 240),
          "ghostwhite": (248, 248, 255), "whitesmoke": (245, 245, 245),
          "floralwhite": (255, 250, 240), "azure": (240, 255, 255), "mintcream": (245, 255, 250),
          "seashell": (255, 245, 238), "honeydew": (240, 255, 240), "aliceblue": (240, 248, 255),
          "linen": (250, 240, 230), "black": (0, 0, 0)}
#: Text this close to its background (per channel) cannot be read.
_SAME_COLOUR = 24
#: With no background painted, the page is white: text this light is invisible on it.
_NEAR_WHITE = 240
#: A zero length (``0``, ``0px``, ``.0em``…); font sizes below 1.5px count as zero too.
_ZERO_RE = re.compile(r"^(?:0+(?:\.0*)?|\.0+)(?:px|pt|em|rem|%)?$")
#: Pushed far off screen (``text-indent:-9999px``, ``left:-10000px``).
_OFFSCREEN_RE = re.compile(r"^-\d{3,}")
_TINY_RE = re.compile(r"^(?:0*\.\d+|1(?:\.[0-4]\d*)?)(?:px|pt)$|^0*\.(?:0\d*|1\d*)(?:em|rem)$")
_SCALE_ZERO_RE = re.compile(r"scale[xy]?\((?:0+(?:\.0*)?|\.0+)(?:,|\))")
_CSS_RULE_RE = re.compile(r"\.(?P<cls>[\w-]+)\s*\{(?P<body>[^{}]*)\}")


@dataclass
class _Elem:
    """One open element and what it changed, so closing it can undo exactly that."""

    tag: str
    skip: bool = False
    hidden: bool = False
    quote: int = 0
    container: bool = False
    pre: bool = False
    listing: bool = False
    background: tuple[int, int, int] | None = None  # effective (own or inherited) RGB
    layout: bool = True  # False for content nobody sees: it breaks no lines
    paragraph: bool = False  # a blank line before and after
    block: bool = False  # a line break before and after


def _style(attrs: dict[str, str]) -> dict[str, str]:
    """CSS declarations of a style attribute, lower-cased and with spaces removed."""
    out: dict[str, str] = {}
    for decl in attrs.get("style", "").split(";"):
        name, sep, value = decl.partition(":")
        if sep:
            value = value.lower().replace("!important", "")
            out[name.strip().lower()] = "".join(value.split())
    return out


def rgb(value: str) -> tuple[int, int, int] | None:
    """An RGB triple for a CSS colour (#rgb, #rrggbb, rgb(), rgba(), hsl(), a named near-white
    or black); None for anything else, including a transparent one."""
    value = value.strip().lower()
    if value in _NAMED:
        return _NAMED[value]
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return tuple(int(c * 2, 16) for c in value[1:])  # type: ignore[return-value]
    if re.fullmatch(r"#[0-9a-f]{6}(?:[0-9a-f]{2})?", value):
        return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))
    m = re.fullmatch(r"rgba?\((\d+),(\d+),(\d+)(?:,([\d.]+))?\)", value)
    if m:
        if m.group(4) is not None and float(m.group(4)) == 0:
            return None
        return (min(255, int(m.group(1))), min(255, int(m.group(2))), min(255, int(m.group(3))))
    m = re.fullmatch(r"hsla?\(([\d.]+)(?:deg)?,([\d.]+)%,([\d.]+)%(?:,[\d.]+)?\)", value)
    if m:
        import colorsys

        r, g, b = colorsys.hls_to_rgb(float(m.group(1)) / 360, float(m.group(3)) / 100,
                                      float(m.group(2)) / 100)
        return (round(r * 255), round(g * 255), round(b * 255))
    return None


def _background(attrs: dict[str, str], css: dict[str, str]) -> tuple[int, int, int] | None:
    """The colour this element paints behind its text (None: it paints none)."""
    value = attrs.get("bgcolor", "").strip().lower() or css.get("background-color", "")
    if not value:
        value = css.get("background", "").split("url(")[0]
    return rgb(value) if value else None


def _unreadable(color: str, background: tuple[int, int, int] | None) -> bool:
    """Text of ``color`` on ``background`` (a white page when None) that no one can read."""
    if color == "transparent" or re.fullmatch(r"(?:rgb|hsl)a\(.*,\s*0*\.?0*\)", color):
        return True  # fully transparent ink
    ink = rgb(color)
    if ink is None:
        return False
    if background is None:
        return min(ink) >= _NEAR_WHITE
    return max(abs(a - b) for a, b in zip(ink, background, strict=True)) <= _SAME_COLOUR


def _invisible(attrs: dict[str, str], css: dict[str, str],
               background: tuple[int, int, int] | None) -> bool:
    """True for the usual ways of hiding text from a reader while keeping it in the markup."""
    if "hidden" in attrs or css.get("mso-hide") == "all":
        return True
    if css.get("display") == "none" or css.get("visibility") in {"hidden", "collapse"}:
        return True
    if _ZERO_RE.match(css.get("opacity", "1")):
        return True
    size = css.get("font-size", "x")
    if _ZERO_RE.match(size) or _TINY_RE.match(size) or css.get("font", "").startswith("0/"):
        return True
    clipped = css.get("overflow") == "hidden"
    if clipped and any(_ZERO_RE.match(css.get(k, "x")) for k in ("max-height", "height")):
        return True
    if _SCALE_ZERO_RE.search(css.get("transform", "")):
        return True
    if css.get("clip", "").startswith("rect(0") or any(
        _OFFSCREEN_RE.match(css.get(k, "")) for k in ("text-indent", "left", "top", "margin-left")
    ):
        return True
    color = attrs.get("color", "").strip().lower() or css.get("color", "")
    return bool(color) and _unreadable(color, background)


class _Converter(HTMLParser):
    """Streams HTML into lines of ``(quote depth, text)``; see :func:`html_to_text`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []
        self.hidden_texts: list[str] = []
        self._cur: list[str] = []
        self._cur_depth = 0
        self._space = False
        self._blank = False
        self._marker = ""
        self._stack: list[_Elem] = []
        self._open: dict[str, int] = {}
        self._skip = 0
        self._hidden = 0
        self._quote = 0
        self._containers = 0
        self._pre = 0
        self._lists = 0
        self._rest_quoted = False
        self._hidden_buf: list[str] = []
        #: Declarations of ``.class { … }`` rules in the message's <style> blocks.
        self._class_css: dict[str, dict[str, str]] = {}
        self._in_style = False

    # -- state ---------------------------------------------------------------------------

    def _depth(self) -> int:
        floor = 1 if (self._containers or self._rest_quoted) else 0
        return max(self._quote, floor)

    def _push(self, elem: _Elem) -> None:
        self._stack.append(elem)
        self._open[elem.tag] = self._open.get(elem.tag, 0) + 1
        self._skip += elem.skip
        self._hidden += elem.hidden
        self._quote += elem.quote
        self._containers += elem.container
        self._pre += elem.pre
        self._lists += elem.listing

    def _pop(self) -> _Elem:
        elem = self._stack.pop()
        if elem.tag == "style":
            self._in_style = False
        self._open[elem.tag] -= 1
        self._skip -= elem.skip
        self._hidden -= elem.hidden
        self._quote -= elem.quote
        self._containers -= elem.container
        self._pre -= elem.pre
        self._lists -= elem.listing
        if elem.hidden and not self._hidden:
            text = " ".join(" ".join(self._hidden_buf).split())
            self._hidden_buf = []
            if text:
                self.hidden_texts.append(text)
        if elem.layout:
            self._end_layout(elem)
        return elem

    # -- line building -------------------------------------------------------------------

    def _break(self) -> None:
        if self._cur:
            self.lines.append((self._cur_depth, "".join(self._cur).rstrip()))
            self._cur = []
        self._space = False

    def _paragraph(self) -> None:
        self._break()
        self._blank = True

    def _line_break(self) -> None:
        if self._cur:
            self._break()
        else:
            self.lines.append((self._depth(), ""))

    def _start_line(self) -> None:
        depth = self._depth()
        if self._blank and self.lines and self.lines[-1][1]:
            self.lines.append((min(depth, self.lines[-1][0]), ""))
        self._blank = False
        self._cur_depth = depth
        if self._marker:
            self._cur.append(self._marker)
            self._marker = ""

    def _write(self, text: str) -> None:
        if self._pre:
            self._write_pre(text)
            return
        if text[:1].isspace():
            self._space = True
        words = text.split()
        if not words:
            if "\xa0" in text and not self._cur:
                self._blank = True  # Outlook's blank line: a paragraph holding only &nbsp;
            return
        if not self._cur:
            self._start_line()
        elif self._space:
            self._cur.append(" ")
        self._cur.append(" ".join(words))
        self._space = text[-1:].isspace()

    def _write_pre(self, text: str) -> None:
        for i, piece in enumerate(text.split("\n")):
            if i:
                self._line_break()
            if piece.strip():
                if not self._cur:
                    self._start_line()
                self._cur.append(piece.rstrip())

    # -- parser callbacks ----------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        amap = {k.lower(): (v or "") for k, v in attrs}
        if tag == "body" and self._open.get("head"):
            self._close("head")
        if tag in _SELF_CLOSING_SIBLINGS and self._stack and self._stack[-1].tag == tag:
            self._pop()
        if tag in _VOID:
            self._void(tag, amap)
            return
        elem = self._element(tag, amap)
        if elem.layout:
            self._start_layout(elem, amap)
        self._push(elem)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.handle_starttag(tag, attrs)
        # ``<div/>`` and the like open nothing in HTML: ignoring them matches browsers.

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":
            self._void("br", {})
        elif tag in {"body", "html"}:
            return
        elif self._open.get(tag):
            self._close(tag)
        elif tag == "p" and not (self._skip or self._hidden):
            self._paragraph()

    def handle_data(self, data: str) -> None:
        if self._skip:
            if self._in_style:
                self._read_style(data)
            return
        if self._hidden:
            self._hidden_buf.append(data)
            return
        self._write(data)

    def _read_style(self, css: str) -> None:
        """Class rules from a <style> block: text hidden by ``.x{display:none}`` is hidden."""
        for m in _CSS_RULE_RE.finditer(css[:200_000]):
            decls = _style({"style": m.group("body")})
            self._class_css.setdefault(m.group("cls").lower(), {}).update(decls)

    # -- element semantics ---------------------------------------------------------------

    def _close(self, tag: str) -> None:
        while self._stack and self._pop().tag != tag:
            pass

    def _element(self, tag: str, amap: dict[str, str]) -> _Elem:
        elem = _Elem(tag=tag, layout=not (self._skip or self._hidden))
        if tag in _SKIP:
            elem.skip, elem.layout = True, False
            self._in_style = tag == "style"
            return elem
        if self._skip:
            return elem
        inherited = self._stack[-1].background if self._stack else None
        elem.background = inherited
        classed = self._class_css and amap.get("class")
        if amap.keys() & _VISUAL_ATTRS or classed:
            css = {}
            for cls in (amap.get("class", "").lower().split() if classed else ()):
                css.update(self._class_css.get(cls, {}))
            css.update(_style(amap))  # an inline style wins over a class rule
            elem.background = _background(amap, css) or inherited
            if _invisible(amap, css, elem.background):
                elem.hidden, elem.layout = True, False
                return elem
        if not elem.layout:
            return elem
        classes = amap.get("class", "").lower()
        elem.quote = 1 if tag == "blockquote" else 0
        elem.container = bool(classes) and any(c in classes for c in _QUOTE_CLASSES)
        elem.pre = tag in {"pre", "plaintext", "xmp", "listing"}
        elem.listing = tag in {"ul", "ol", "menu"}
        # Outlook writes one <p class=MsoNormal> per line, not per paragraph.
        elem.paragraph = tag in _PARAGRAPH and "msonormal" not in classes
        elem.block = tag in _BLOCK or tag == "p"
        return elem

    def _void(self, tag: str, amap: dict[str, str]) -> None:
        if self._skip or self._hidden:
            return
        if tag == "br":
            self._line_break()
        elif tag == "hr":
            self._break()
        if amap.get("id", "").lower() in _REST_QUOTED_IDS:
            self._break()
            self._rest_quoted = True

    def _start_layout(self, elem: _Elem, amap: dict[str, str]) -> None:
        if amap.get("id", "").lower() in _REST_QUOTED_IDS:
            self._break()
            self._rest_quoted = True
        if elem.tag == "li":
            self._break()
            self._marker = "  " * max(self._lists - 1, 0) + "- "
        elif elem.tag in {"td", "th"}:
            self._space = True
        elif elem.paragraph and not self._in_list_item():
            self._paragraph()
        elif elem.block:
            self._break()

    def _end_layout(self, elem: _Elem) -> None:
        if elem.tag == "li":
            self._break()
            self._marker = ""
        elif elem.paragraph and not self._in_list_item():
            self._paragraph()
        elif elem.block:
            self._break()

    def _in_list_item(self) -> bool:
        """Paragraphs and nested lists inside a list item don't get blank lines around them."""
        return bool(self._stack) and self._stack[-1].tag == "li"

    def finish(self) -> str:
        self.close()
        while self._stack:
            self._pop()
        self._break()
        return _render(self.lines)


def _render(lines: list[tuple[int, str]]) -> str:
    """Lines with their quote prefixes, without runs of blank lines or blank ends."""
    out: list[str] = []
    for depth, text in lines:
        line = ("> " * depth + text.replace("\xa0", " ")).rstrip()
        blank = not line.strip("> ")
        if blank and (not out or not out[-1].strip("> ")):
            continue
        out.append(line)
    while out and not out[-1].strip("> "):
        out.pop()
    return "\n".join(out)


#: A "<" that does not start a tag (not followed by a name, or with no ">" before the next
#: "<"). Browsers show it as text; html.parser (before CPython 3.13.4) rescans the rest of the
#: document for every such unclosed tag, which is quadratic, so these become "&lt;" first.
_STRAY_LT_RE = re.compile(r"<(?![A-Za-z/!?])|<(?=[^<>]*(?:<|\Z))")


def _without_comments(html: str) -> str:
    """HTML with ``<!-- … -->`` removed (an unclosed comment runs to the end, as in browsers).

    Done with ``str.find`` rather than a regex so that many unclosed ``<!--`` stay linear.
    """
    if "<!--" not in html:
        return html
    out: list[str] = []
    pos = 0
    while True:
        start = html.find("<!--", pos)
        if start < 0:
            out.append(html[pos:])
            break
        out.append(html[pos:start])
        end = html.find("-->", start + 4)
        if end < 0:
            break
        pos = end + 3
    return "".join(out)



def html_to_text(html: str, hidden: list[str] | None = None) -> str:
    """Readable text of an HTML mail body; blockquoted history comes out ``> ``-prefixed.

    Text inside visually hidden elements is left out; pass a list as ``hidden`` to receive it
    (one entry per hidden element), so the caller can tell the agent something was dropped.
    Never raises on malformed markup: unclosed and stray tags are tolerated like a browser.
    """
    converter = _Converter()
    converter.feed(_STRAY_LT_RE.sub("&lt;", _without_comments(html)))
    text = converter.finish()
    if hidden is not None:
        hidden.extend(converter.hidden_texts)
    return text
