//! Which fonts each content stream draws with, and how each font's codes become characters.
//!
//! Every page's `/Resources` (its own, or inherited from the page tree) names its fonts in a
//! `/Font` dictionary, directly or through references; a form XObject may have resources of
//! its own. Content selects a font by that name (`/F4 12 Tf`), so the same name can be another
//! font on another page: fonts are kept per content stream. A font whose codes are not
//! characters (a composite `Type0` font, whose codes are glyph numbers, or a simple font with
//! a subset's own codes) is read through its `ToUnicode` map ([`CMap`]).

use std::rc::Rc;

use super::cmap::CMap;
use super::objects::{Obj, Objects, Table};
use super::{decode_stream, raw_stream, string_text};
use crate::{Budget, Sink};

/// A font as text extraction needs it.
pub(super) struct Font {
    /// A composite (`Type0`) font: its codes are glyph numbers, two bytes each unless its map's
    /// codespace says otherwise.
    composite: bool,
    /// `Identity-H`/`-V`: codes of exactly two bytes, whatever the map declares.
    identity: bool,
    to_unicode: Option<Rc<CMap>>,
}

impl Font {
    /// Appends the text of string `bytes` drawn in this font; false when some of it could not
    /// be turned into characters (glyph numbers no map covers).
    pub fn show(&self, bytes: &[u8], out: &mut String) -> bool {
        let Some(map) = &self.to_unicode else {
            if self.composite {
                return false;
            }
            // A simple font with a standard encoding: its bytes are (near enough) Latin-1.
            return string_text(bytes).map(|text| out.push_str(&text)).is_some();
        };
        let mut all = true;
        let mut i = 0;
        while i < bytes.len() {
            let n = match (self.composite, self.identity) {
                (false, _) => 1,
                (true, true) => 2,
                (true, false) => map.code_length(&bytes[i..]).unwrap_or(2),
            };
            let n = n.clamp(1, bytes.len() - i);
            let code = bytes[i..i + n].iter().fold(0u32, |c, &b| c << 8 | u32::from(b));
            if !map.push(code, out) {
                if self.composite {
                    all = false;
                } else {
                    out.push(bytes[i] as char);
                }
            }
            i += n;
        }
        all
    }
}

/// Fonts by the names content selects them with (a page names a few: a list will do).
#[derive(Clone, Default)]
pub(super) struct FontMap(Vec<(Vec<u8>, Rc<Font>)>);

impl FontMap {
    pub fn get(&self, name: &[u8]) -> Option<&Rc<Font>> {
        self.0.iter().rev().find(|(n, _)| n == name).map(|(_, f)| f)
    }
    /// Adds `font` as `name`, unless a font already has that name.
    fn add(&mut self, name: &[u8], font: &Rc<Font>) {
        if self.get(name).is_none() {
            self.0.push((name.to_vec(), font.clone()));
        }
    }
}

/// What the document's objects say about its fonts, read before its streams are.
#[derive(Default)]
pub(super) struct Document {
    /// The fonts of the content stream at each `stream` keyword.
    pub fonts: Table<Rc<FontMap>>,
    /// Every page's and form's fonts by name (the first page naming one wins), for content no
    /// page names: an annotation's appearance, a page tree too broken to follow.
    pub any: Rc<FontMap>,
    /// Streams already read here, by `stream` keyword, so the walk over the streams does not
    /// inflate them again: an object stream's data (its strings are still to be read), or
    /// nothing for a font's map (no text of the document).
    pub read: Table<Option<Vec<u8>>>,
}

/// Nested form XObjects followed to this depth.
const MAX_FORM_DEPTH: u32 = 4;

impl Document {
    pub fn read(entry: Option<&str>, bytes: &[u8], budget: &mut Budget, out: &mut Sink) -> Document {
        let mut doc = Document::default();
        let mut objects = Objects::index(bytes);
        // Objects packed in object streams (PDF 1.5 and later, as most producers write them):
        // page and font dictionaries are often there.
        let packed: Vec<(usize, usize)> = objects
            .streams
            .iter()
            .filter(|(n, _)| objects.values.get(*n).and_then(|d| d.get(b"Type")).and_then(Obj::name) == Some(b"ObjStm"))
            .map(|&(_, at)| at)
            .collect();
        for (body, keyword) in packed {
            let data = decode_stream(entry, bytes, &raw_stream(bytes, body, keyword), budget, out).map(|d| d.into_owned());
            if let Some(data) = &data {
                objects.add_packed(&super::objects::parse(&bytes[body..]), data);
            }
            doc.read.insert(keyword as u32, data);
        }
        let mut builder = Builder { bytes, objects: &objects, entry, budget, out, fonts: Table::default(), maps: Table::default(), doc: &mut doc, any: FontMap::default() };
        builder.pages();
        doc.any = Rc::new(builder.any);
        doc
    }
}

struct Builder<'a, 'o> {
    bytes: &'a [u8],
    objects: &'o Objects,
    entry: Option<&'a str>,
    budget: &'a mut Budget,
    out: &'a mut Sink,
    /// Fonts read so far, by object number (pages share them).
    fonts: Table<Rc<Font>>,
    /// `ToUnicode` maps read so far, by object number.
    maps: Table<Option<Rc<CMap>>>,
    doc: &'a mut Document,
    any: FontMap,
}

impl<'o> Builder<'_, 'o> {
    fn pages(&mut self) {
        let objects = self.objects;
        let mut forms_seen = Table::default();
        for (_, page) in objects.values.iter().filter(|(_, o)| o.get(b"Type").and_then(Obj::name) == Some(b"Page")) {
            let resources = self.inherited_resources(page);
            let fonts = Rc::new(resources.map(|r| self.font_map(r)).unwrap_or_default());
            let contents = page.get(b"Contents");
            let streams: Vec<usize> = match contents.map(|c| objects.resolve(c)) {
                Some(Obj::Array(items)) => items.iter().filter_map(|i| objects.stream_of(i)).collect(),
                _ => contents.and_then(|c| objects.stream_of(c)).into_iter().collect(),
            };
            for keyword in streams {
                self.doc.fonts.insert(keyword as u32, fonts.clone());
            }
            if let Some(resources) = resources {
                self.forms(resources, &fonts, 0, &mut forms_seen);
            }
        }
    }

    /// A page's resources, or its nearest ancestor's in the page tree.
    fn inherited_resources(&self, page: &'o Obj) -> Option<&'o Obj> {
        let mut node = page;
        for _ in 0..16 {
            if let Some(resources) = node.get(b"Resources") {
                return Some(self.objects.resolve(resources));
            }
            node = self.objects.resolve(node.get(b"Parent")?);
        }
        None
    }

    fn font_map(&mut self, resources: &'o Obj) -> FontMap {
        let mut map = FontMap::default();
        if let Some(Obj::Dict(entries)) = resources.get(b"Font").map(|f| self.objects.resolve(f)) {
            for (name, font) in entries {
                let font = self.font(font);
                self.any.add(name, &font);
                map.add(name, &font);
            }
        }
        map
    }

    /// Form XObjects drawn from `resources`: their content uses their own fonts, else those
    /// of what draws them.
    fn forms(&mut self, resources: &'o Obj, fonts: &Rc<FontMap>, depth: u32, seen: &mut Table<()>) {
        let objects = self.objects;
        let Some(Obj::Dict(xobjects)) = resources.get(b"XObject").map(|x| objects.resolve(x)) else { return };
        for (_, xobject) in xobjects {
            let (Obj::Ref(n), Some(keyword)) = (xobject, objects.stream_of(xobject)) else { continue };
            let form = objects.resolve(xobject);
            if form.get(b"Subtype").and_then(Obj::name) != Some(b"Form") || seen.get(*n).is_some() {
                continue;
            }
            seen.insert(*n, ());
            let Some(own) = form.get(b"Resources").map(|r| objects.resolve(r)) else {
                self.doc.fonts.insert(keyword as u32, fonts.clone());
                continue;
            };
            // The form's own fonts first: they hide the page's of the same name.
            let mut map = self.font_map(own);
            for (name, font) in &fonts.0 {
                map.add(name, font);
            }
            let map = Rc::new(map);
            self.doc.fonts.insert(keyword as u32, map.clone());
            if depth < MAX_FORM_DEPTH {
                self.forms(own, &map, depth + 1, seen);
            }
        }
    }

    fn font(&mut self, reference: &'o Obj) -> Rc<Font> {
        let number = match reference {
            Obj::Ref(n) => Some(*n),
            _ => None,
        };
        if let Some(font) = number.and_then(|n| self.fonts.get(n)) {
            return font.clone();
        }
        let dict = self.objects.resolve(reference);
        let composite = dict.get(b"Subtype").and_then(Obj::name) == Some(b"Type0");
        let identity = composite && dict.get(b"Encoding").map(|e| self.objects.resolve(e)).and_then(Obj::name).is_some_and(|e| e.starts_with(b"Identity"));
        let to_unicode = match dict.get(b"ToUnicode") {
            Some(Obj::Ref(n)) => self.unicode_map(*n),
            _ => None,
        };
        let font = Rc::new(Font { composite, identity, to_unicode });
        if let Some(n) = number {
            self.fonts.insert(n, font.clone());
        }
        font
    }

    fn unicode_map(&mut self, number: u32) -> Option<Rc<CMap>> {
        if let Some(map) = self.maps.get(number) {
            return map.clone();
        }
        let map = self.objects.streams.get(number).and_then(|&(body, keyword)| {
            let data = decode_stream(self.entry, self.bytes, &raw_stream(self.bytes, body, keyword), self.budget, self.out);
            self.doc.read.insert(keyword as u32, None);
            data.map(|d| Rc::new(CMap::parse(&d)))
        });
        self.maps.insert(number, map.clone());
        map
    }
}
