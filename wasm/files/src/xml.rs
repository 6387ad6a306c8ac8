//! XML reduced to its text: tags removed, entities decoded, paragraphs one a line.
//!
//! A word processor splits a paragraph into runs wherever formatting, spelling marks or edit
//! history change (`<w:r><w:t>AKIA</w:t></w:r><w:proofErr/><w:r><w:t>FLHB…</w:t></w:r>`), so
//! text inside a paragraph is joined with nothing between the runs, and only the ends of
//! paragraphs, table rows and cells, line breaks and tabs separate text. Attribute values are
//! left out: in Office documents they are formatting, and between two runs they would split a
//! word.

/// Whether an entry is XML: by its name (`.xml`, `.rels`, Office's other XML parts) or by its
/// declaration.
pub fn is_xml(name: &str, bytes: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    [".xml", ".rels", ".vml", ".xhtml", ".svg", ".opf", ".ncx"].iter().any(|ext| lower.ends_with(ext))
        || bytes.starts_with(b"<?xml")
        || bytes.starts_with(b"\xEF\xBB\xBF<?xml")
}

/// What separates text around an element of this local name (namespace prefix removed).
fn separator(local: &str) -> Option<char> {
    match local {
        // Paragraphs and headings (Word, PowerPoint, OpenDocument, XHTML), shared strings and
        // rows (Excel), table rows, line breaks.
        "p" | "h" | "si" | "row" | "tr" | "br" | "cr" | "line-break" | "div" | "li" | "title" | "h1" | "h2" | "h3" => Some('\n'),
        "tab" | "c" | "tc" | "td" | "th" | "table-cell" => Some('\t'),
        // OpenDocument's run of spaces.
        "s" => Some(' '),
        _ => None,
    }
}

/// The text of an XML document.
pub fn text_of(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() / 2);
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        decode_entities(&rest[..lt], &mut out);
        rest = &rest[lt..];
        if let Some(body) = rest.strip_prefix("<![CDATA[") {
            let end = body.find("]]>").unwrap_or(body.len());
            out.push_str(&body[..end]);
            rest = body.get(end + 3..).unwrap_or("");
        } else if let Some(body) = rest.strip_prefix("<!--") {
            rest = body.find("-->").map_or("", |e| &body[e + 3..]);
        } else if let Some(body) = rest.strip_prefix("<?") {
            rest = body.find("?>").map_or("", |e| &body[e + 2..]);
        } else {
            let end = tag_end(rest);
            // Without its `>` (markup cut short) the tag runs to the end.
            let tag = if rest.as_bytes()[end - 1] == b'>' && end > 1 { &rest[1..end - 1] } else { &rest[1..] };
            let name = tag.trim_start_matches('/').split(|c: char| c.is_whitespace() || c == '/' || c == '>').next().unwrap_or("");
            let local = name.rsplit(':').next().unwrap_or(name);
            // `s` is a space only as OpenDocument's empty `<text:s/>`; Excel's `<c>`/`<si>` etc.
            // separate at their end; an empty element (`<w:br/>`, `<w:tab/>`) where it stands.
            let closing = tag.starts_with('/');
            let empty = tag.ends_with('/');
            if let Some(sep) = separator(local) {
                if (closing && local != "s" && local != "br" && local != "tab") || empty {
                    out.push(sep);
                }
            }
            rest = &rest[end..];
        }
    }
    decode_entities(rest, &mut out);
    out
}

/// Where the tag at the start of `s` ends (after its `>`), minding quoted attribute values.
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, b) in s.bytes().enumerate().skip(1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// Appends `text` with its character and entity references decoded.
fn decode_entities(mut text: &str, out: &mut String) {
    while let Some(amp) = text.find('&') {
        out.push_str(&text[..amp]);
        let after = &text[amp + 1..];
        let semi = after.find(';').filter(|&s| s <= 10);
        let decoded = semi.and_then(|s| {
            let name = &after[..s];
            match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok()
                    } else {
                        name.strip_prefix('#').and_then(|d| d.parse().ok())
                    };
                    code.and_then(char::from_u32)
                }
            }
        });
        match (decoded, semi) {
            (Some(c), Some(s)) => {
                out.push(c);
                text = &after[s + 1..];
            }
            _ => {
                out.push('&');
                text = after;
            }
        }
    }
    out.push_str(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_and_opendocument_markup_reduce_to_their_text() {
        let cases = [
            (
                "runs of one Word paragraph join",
                r#"<w:p><w:r><w:t>aws_access_key_id = AKIA</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:rPr><w:b/></w:rPr><w:t>FLHBMUAPTT2ZN5X2</w:t></w:r></w:p><w:p><w:r><w:t>next</w:t></w:r></w:p>"#,
                "aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2\nnext\n",
            ),
            ("breaks and tabs", "<w:p><w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t></w:r></w:p>", "a\tb\nc\n"),
            ("entities", "<a:p><a:r><a:t>x &lt;y&gt; &amp; &quot;z&quot; &apos;w&apos; &#65;&#x42; &bogus; &</a:t></a:r></a:p>", "x <y> & \"z\" 'w' AB &bogus; &\n"),
            ("excel shared strings", "<sst><si><t>password</t></si><si><r><t>hunter</t></r><r><t>22</t></r></si></sst>", "password\nhunter22\n"),
            ("opendocument spaces and headings", "<text:h>Title</text:h><text:p>one<text:s/>two</text:p>", "Title\none two\n"),
            ("comments, declarations and CDATA", "<?xml version=\"1.0\"?><!-- <p>not text</p> --><x><![CDATA[a <raw> value]]></x>", "a <raw> value"),
            ("a '>' inside an attribute value", "<w:t a=\"1>2\">text</w:t>", "text"),
        ];
        for (name, xml, expected) in cases {
            assert_eq!(text_of(xml), expected, "{name}");
        }
    }

    #[test]
    fn xml_is_known_by_name_or_declaration() {
        assert!(is_xml("word/document.xml", b""));
        assert!(is_xml("_rels/.rels", b""));
        assert!(is_xml("content", b"<?xml version=\"1.0\"?><a/>"));
        assert!(!is_xml(".env", b"KEY=value"));
    }

    #[test]
    fn cut_markup_never_panics() {
        for xml in ["<", "<w:t", "<![CDATA[abc", "<!-- x", "<?pi", "a &amp", "&#xZZ;", "<a b=\"unterminated>"] {
            let _ = text_of(xml);
        }
    }
}
