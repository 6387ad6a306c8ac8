//! Builders for the test containers: a small zip writer (stored, deflated, "encrypted",
//! data descriptors) and a PDF writer, so every fixture is made by the test that uses it.

use miniz_oxide::deflate::{compress_to_vec, compress_to_vec_zlib};

pub struct ZipEntry {
    pub name: String,
    pub data: Vec<u8>,
    pub method: u16,
    pub flags: u16,
    /// Sizes after the data (bit 3) instead of in the local header.
    pub descriptor: bool,
}

impl ZipEntry {
    pub fn stored(name: &str, text: &str) -> ZipEntry {
        ZipEntry::stored_bytes(name, text.as_bytes())
    }
    pub fn stored_owned(name: String, text: &str) -> ZipEntry {
        ZipEntry { name, data: text.as_bytes().to_vec(), method: 0, flags: 0, descriptor: false }
    }
    pub fn stored_bytes(name: &str, bytes: &[u8]) -> ZipEntry {
        ZipEntry { name: name.into(), data: bytes.to_vec(), method: 0, flags: 0, descriptor: false }
    }
    pub fn deflated(name: &str, text: &str) -> ZipEntry {
        ZipEntry::deflated_bytes(name, text.as_bytes())
    }
    pub fn deflated_bytes(name: &str, bytes: &[u8]) -> ZipEntry {
        ZipEntry { name: name.into(), data: compress_to_vec(bytes, 6), method: 8, flags: 0, descriptor: false }
    }
    /// What an entry encrypted with a password looks like to a reader without it.
    pub fn encrypted(name: &str, ciphertext: &[u8]) -> ZipEntry {
        ZipEntry { name: name.into(), data: ciphertext.to_vec(), method: 8, flags: 1, descriptor: false }
    }
    pub fn dir(name: &str) -> ZipEntry {
        ZipEntry::stored(name, "")
    }
}

/// A zip of `entries` (CRCs are left zero: no reader here checks them).
pub fn zip(entries: &[ZipEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let flags = e.flags | if e.descriptor { 8 } else { 0 };
        let (csize, usize_) = if e.descriptor { (0, 0) } else { (e.data.len() as u32, e.data.len() as u32) };
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&e.method.to_le_bytes());
        out.extend_from_slice(&[0; 4]); // time, date
        out.extend_from_slice(&[0; 4]); // crc
        out.extend_from_slice(&csize.to_le_bytes());
        out.extend_from_slice(&usize_.to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&e.data);
        if e.descriptor {
            out.extend_from_slice(b"PK\x07\x08");
            out.extend_from_slice(&[0; 4]);
            out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        }
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&flags.to_le_bytes());
        central.extend_from_slice(&e.method.to_le_bytes());
        central.extend_from_slice(&[0; 8]); // time, date, crc
        central.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
        central.extend_from_slice(&[0; 4]); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(e.name.as_bytes());
    }
    let dir_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&dir_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A `.docx` whose one paragraph holds `runs`, each in a run of its own with formatting
/// between them, as a word processor splits text it edited in pieces.
pub fn docx(runs: &[&str]) -> Vec<u8> {
    let body: String = runs.iter().map(|r| format!("<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{r}</w:t></w:r><w:proofErr w:type=\"spellStart\"/>")).collect();
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>Deployment notes</w:t></w:r></w:p><w:p>{body}</w:p></w:body></w:document>"
    );
    zip(&[
        ZipEntry::deflated("[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"),
        ZipEntry::deflated("word/document.xml", &document),
    ])
}

/// A one-page PDF whose content stream (zlib-deflated when `deflate`) is `content`, with an
/// optional extra trailer entry (`/Encrypt 9 0 R`).
pub fn pdf(content: &str, deflate: bool, trailer_extra: &str) -> Vec<u8> {
    let stream = if deflate { compress_to_vec_zlib(content.as_bytes(), 6) } else { content.as_bytes().to_vec() };
    let filter = if deflate { "/Filter /FlateDecode " } else { "" };
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    out.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    out.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
    out.extend_from_slice(b"3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n");
    out.extend_from_slice(format!("4 0 obj\n<< {filter}/Length {} >>\nstream\n", stream.len()).as_bytes());
    out.extend_from_slice(&stream);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    out.extend_from_slice(b"5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n");
    out.extend_from_slice(b"6 0 obj\n<< /Title (Quarterly plan) /Author <FEFF0041006C006900630065> >>\nendobj\n");
    out.extend_from_slice(format!("trailer\n<< /Root 1 0 R /Info 6 0 R {trailer_extra}>>\n%%EOF\n").as_bytes());
    out
}

/// An object of a PDF made by [`pdf_of`]: a dictionary (its text, `<< … >>` included), or a
/// stream (its dictionary's entries without `/Length`, its data, whether to deflate it).
pub enum PdfObject {
    Dict(String),
    Stream(String, Vec<u8>, bool),
}

/// A PDF of `objects`, numbered from 1 in order; object 1 is the trailer's `/Root`.
pub fn pdf_of(objects: &[PdfObject]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    for (i, object) in objects.iter().enumerate() {
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        match object {
            PdfObject::Dict(dict) => out.extend_from_slice(dict.as_bytes()),
            PdfObject::Stream(entries, data, deflate) => {
                let data = if *deflate { compress_to_vec_zlib(data, 6) } else { data.clone() };
                let filter = if *deflate { "/Filter /FlateDecode " } else { "" };
                out.extend_from_slice(format!("<< {entries} {filter}/Length {} >> stream\n", data.len()).as_bytes());
                out.extend_from_slice(&data);
                out.extend_from_slice(b"\nendstream");
            }
        }
        out.extend_from_slice(b"\nendobj\n");
    }
    out.extend_from_slice(b"trailer\n<< /Root 1 0 R >>\n%%EOF\n");
    out
}

/// The glyph number a font subset made from Arial gives `c`: what Chrome's "Save as PDF"
/// writes in place of a character (space is glyph 3, `A` glyph 36).
pub fn glyph(c: char) -> u16 {
    c as u16 - 29
}

/// `text` as the hex string of its glyph numbers, two bytes each.
pub fn glyphs(text: &str) -> String {
    let hex: String = text.chars().map(|c| format!("{:04X}", glyph(c))).collect();
    format!("<{hex}>")
}

/// A `ToUnicode` CMap with `body` (its `begincodespacerange`, `beginbfchar` and `beginbfrange`
/// sections) inside the frame every producer writes around them.
pub fn to_unicode(body: &str) -> String {
    format!(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n{body}\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
}

/// The ToUnicode map of [`glyphs`]: printable ASCII, glyphs 3 to 97, in one range.
pub const ASCII_GLYPHS: &str = "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n1 beginbfrange\n<0003> <0061> <0020>\nendbfrange";

/// A one-page PDF as Chrome's "Save as PDF" writes it: its content (deflated) draws with `/F4`,
/// a composite font (`Type0`, `Identity-H`: two-byte glyph numbers) whose `ToUnicode` stream,
/// when given, is the CMap with `cmap_body` ([`to_unicode`]). `font` replaces the font's
/// dictionary entries when the font is to be another kind.
pub fn cid_pdf(content: &str, cmap_body: Option<&str>, font: Option<&str>) -> Vec<u8> {
    let map_entry = if cmap_body.is_some() { "/ToUnicode 6 0 R" } else { "" };
    let font = font.unwrap_or("/Subtype /Type0 /BaseFont /AAAAAA+ArialMT /Encoding /Identity-H /DescendantFonts [7 0 R]");
    pdf_of(&[
        PdfObject::Dict("<< /Type /Catalog /Pages 2 0 R >>".into()),
        PdfObject::Dict("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into()),
        PdfObject::Dict("<</Type /Page /Resources <</ProcSet [/PDF /Text] /Font <</F4 5 0 R>>>> /MediaBox [0 0 612 792] /Contents 4 0 R /Parent 2 0 R>>".into()),
        PdfObject::Stream(String::new(), content.as_bytes().to_vec(), true),
        PdfObject::Dict(format!("<</Type /Font {font} {map_entry}>>")),
        PdfObject::Stream(String::new(), to_unicode(cmap_body.unwrap_or("")).into_bytes(), true),
        PdfObject::Dict("<</Type /Font /Subtype /CIDFontType2 /BaseFont /AAAAAA+ArialMT /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> /DW 0 /W [3 [277] 36 [666]]>>".into()),
    ])
}
