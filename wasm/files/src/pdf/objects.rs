//! The document's objects by number, as much of them as finding fonts needs: each `N G obj`
//! parsed into its value (dictionaries, arrays, names, numbers, strings, `N G R` references),
//! whether it has a stream and where that stream's keyword is, and the objects packed in
//! object streams.
//!
//! The file is walked from the front, as the cross-reference table would be trusted by a
//! reader that had one: a later definition of a number wins (incremental updates append
//! theirs), and a header inside a stream's data is not one.


use super::{find, is_delimiter, stream_end, stream_keyword, Lexer, Token};

/// A PDF value.
pub(super) enum Obj {
    Dict(Vec<(Vec<u8>, Obj)>),
    Array(Vec<Obj>),
    Ref(u32),
    Name(Vec<u8>),
    Num(f32),
    /// Null, and what fonts never need (strings, booleans).
    Null,
}

static NULL: Obj = Obj::Null;

/// Nesting past this is read as flat (a hostile file's `[[[[…` must not exhaust the stack).
const MAX_DEPTH: usize = 32;

impl Obj {
    pub fn get(&self, key: &[u8]) -> Option<&Obj> {
        match self {
            Obj::Dict(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn name(&self) -> Option<&[u8]> {
        match self {
            Obj::Name(n) => Some(n),
            _ => None,
        }
    }
}

/// The first value in `bytes`.
pub(super) fn parse(bytes: &[u8]) -> Obj {
    let mut lexer = Lexer { bytes, at: 0 };
    match lexer.next() {
        Some(token) => value(token, &mut lexer, 0),
        None => Obj::Null,
    }
}

fn value(token: Token, lexer: &mut Lexer, depth: usize) -> Obj {
    match token {
        Token::Number(n) => Obj::Num(n),
        Token::Name(n) => Obj::Name(n),
        Token::ArrayStart => Obj::Array(items(lexer, depth + 1)),
        Token::DictStart => {
            let mut entries = Vec::new();
            let mut items = items(lexer, depth + 1).into_iter();
            while let Some(key) = items.next() {
                if let (Obj::Name(key), Some(v)) = (key, items.next()) {
                    entries.push((key, v));
                }
            }
            Obj::Dict(entries)
        }
        _ => Obj::Null,
    }
}

/// The values up to the closing `]` or `>>`, `N G R` made references.
fn items(lexer: &mut Lexer, depth: usize) -> Vec<Obj> {
    let mut out = Vec::new();
    while let Some(token) = lexer.next() {
        match token {
            Token::ArrayEnd | Token::DictEnd => break,
            Token::Operator(op) if op == b"R" => {
                if let [.., Obj::Num(n), Obj::Num(_)] = out.as_slice() {
                    let n = *n;
                    out.truncate(out.len() - 2);
                    out.push(if n >= 0.0 { Obj::Ref(n as u32) } else { Obj::Null });
                }
            }
            // A dictionary left open by a broken file ends where its object does.
            Token::Operator(op) if matches!(op.as_slice(), b"stream" | b"endobj" | b"obj") => break,
            Token::ArrayStart | Token::DictStart if depth >= MAX_DEPTH => out.push(Obj::Null),
            token => out.push(value(token, lexer, depth)),
        }
    }
    out
}

/// A map by number kept as a sorted vector. Hash maps, and a sort for each kind of value,
/// would cost the module tens of kilobytes; a document's objects and fonts are looked up far
/// less often than its bytes are read. Offsets in the file are numbers here too (a file the
/// decoders read is far below 4 GiB).
pub(super) struct Table<V>(pub Vec<(u32, V)>);

impl<V> Default for Table<V> {
    fn default() -> Self {
        Table(Vec::new())
    }
}

/// `(key, position)` pairs in order: one sort for every kind of table, a heapsort of a few
/// lines (the standard library's sorts cost the module several kilobytes each).
fn sorted(pairs: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    let mut v: Vec<u64> = pairs.into_iter().map(|(k, i)| u64::from(k) << 32 | u64::from(i)).collect();
    let sift = |v: &mut [u64], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && v[child] < v[child + 1] {
            child += 1;
        }
        if v[root] >= v[child] {
            break;
        }
        v.swap(root, child);
        root = child;
    };
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift(&mut v, root, n);
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift(&mut v, 0, end);
    }
    v.into_iter().map(|x| ((x >> 32) as u32, x as u32)).collect()
}

impl<V> Table<V> {
    fn at(&self, key: u32) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.cmp(&key))
    }
    pub fn get(&self, key: u32) -> Option<&V> {
        self.at(key).ok().map(|i| &self.0[i].1)
    }
    pub fn insert(&mut self, key: u32, value: V) {
        match self.at(key) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }
    pub fn remove(&mut self, key: u32) -> Option<V> {
        self.at(key).ok().map(|i| self.0.remove(i).1)
    }
    pub fn iter(&self) -> impl Iterator<Item = &(u32, V)> {
        self.0.iter()
    }
    /// The table of `pairs`, the last of a key's pairs winning (sorted once: inserting one by
    /// one would move the vector's tail for every object of a file written backwards).
    pub fn from_pairs(pairs: Vec<(u32, V)>) -> Self {
        let order = sorted(pairs.iter().enumerate().map(|(i, (k, _))| (*k, i as u32)).collect());
        let mut values: Vec<Option<V>> = pairs.into_iter().map(|(_, v)| Some(v)).collect();
        let mut out = Vec::with_capacity(order.len());
        for (j, &(key, i)) in order.iter().enumerate() {
            if order.get(j + 1).is_some_and(|&(next, _)| next == key) {
                continue; // a later pair has this key
            }
            if let Some(v) = values[i as usize].take() {
                out.push((key, v));
            }
        }
        Table(out)
    }
}

/// The objects of a document.
#[derive(Default)]
pub(super) struct Objects {
    pub values: Table<Obj>,
    /// Objects with a stream: where the object's value starts and where its `stream` keyword is.
    pub streams: Table<(usize, usize)>,
}

impl Objects {
    /// The objects written directly in the file (not yet those of object streams).
    pub fn index(bytes: &[u8]) -> Objects {
        let (mut values, mut streams) = (Vec::new(), Vec::new());
        let mut header = next_header(bytes, 0);
        let mut keyword = stream_keyword(bytes, 0);
        // The object whose value is being passed over; it is parsed once where it ends is
        // known (the next header or its stream), so a string or array a hostile file leaves
        // open costs one object's length, not the rest of the file's, for every object.
        let mut last: Option<(u32, usize)> = None;
        let value_ends = |values: &mut Vec<(u32, Obj)>, last: Option<(u32, usize)>, at: usize| {
            if let Some((number, body)) = last {
                values.push((number, parse(&bytes[body..at.max(body)])));
            }
        };
        loop {
            match (header, keyword) {
                (Some((number, start, body)), k) if k.is_none_or(|k| start < k) => {
                    value_ends(&mut values, last, start);
                    last = Some((number, body));
                    header = next_header(bytes, body);
                }
                (_, Some(k)) => {
                    value_ends(&mut values, last, k);
                    if let Some((number, body)) = last.take() {
                        streams.push((number, (body, k)));
                    }
                    let after = find(bytes, b"endstream", stream_end(bytes, k + 6, "")).map_or(bytes.len(), |e| e + 9);
                    keyword = stream_keyword(bytes, after);
                    // A header found inside the stream's data was none.
                    if header.is_some_and(|(_, start, _)| start < after) {
                        header = next_header(bytes, after);
                    }
                }
                _ => {
                    value_ends(&mut values, last, bytes.len());
                    break;
                }
            }
        }
        Objects { values: Table::from_pairs(values), streams: Table::from_pairs(streams) }
    }

    /// Adds the objects an object stream (`/Type /ObjStm`, its data decoded) holds, unless the
    /// file defines them directly as something other than null.
    pub fn add_packed(&mut self, dict: &Obj, data: &[u8]) {
        let (Some(Obj::Num(n)), Some(Obj::Num(first))) = (dict.get(b"N"), dict.get(b"First")) else { return };
        let first = *first as usize;
        let mut lexer = Lexer { bytes: &data[..first.min(data.len())], at: 0 };
        let mut members = Vec::new();
        for _ in 0..(*n as usize) {
            let (Some(Token::Number(number)), Some(Token::Number(offset))) = (lexer.next(), lexer.next()) else { break };
            members.push((first.saturating_add(offset as usize).min(data.len()) as u32, number as u32));
        }
        // Each value ends where the next begins (bounding its parse, as in `index`).
        let members = sorted(members);
        let mut added = Vec::new();
        for (i, &(start, number)) in members.iter().enumerate() {
            let start = start as usize;
            if !matches!(self.values.get(number), None | Some(Obj::Null)) {
                continue;
            }
            let end = members.get(i + 1).map_or(data.len(), |&(next, _)| next as usize);
            added.push((number, parse(&data[start..end.max(start)])));
        }
        let values = std::mem::take(&mut self.values);
        self.values = Table::from_pairs(values.0.into_iter().chain(added).collect());
    }

    /// `o`, its references followed.
    pub fn resolve<'o>(&'o self, mut o: &'o Obj) -> &'o Obj {
        for _ in 0..8 {
            match o {
                Obj::Ref(n) => o = self.values.get(*n).unwrap_or(&NULL),
                _ => return o,
            }
        }
        &NULL
    }

    /// The `stream` keyword of the stream a value refers to.
    pub fn stream_of(&self, o: &Obj) -> Option<usize> {
        match o {
            Obj::Ref(n) => self.streams.get(*n).map(|&(_, keyword)| keyword),
            _ => None,
        }
    }
}

/// The next `N G obj` at or after `from`: its number, where it starts, where its value starts.
fn next_header(bytes: &[u8], mut from: usize) -> Option<(u32, usize, usize)> {
    loop {
        let i = find(bytes, b"obj", from)?;
        from = i + 3;
        if bytes.get(i + 3).is_some_and(|&b| !is_delimiter(b)) {
            continue;
        }
        let Some((generation, _)) = number_before(bytes, i) else { continue };
        let Some((start, number)) = number_before(bytes, generation) else { continue };
        if start > 0 && !is_delimiter(bytes[start - 1]) {
            continue;
        }
        return Some((number, start, i + 3));
    }
}

/// The digits that end, after whitespace, before `end`: where they start and their value.
fn number_before(bytes: &[u8], end: usize) -> Option<(usize, u32)> {
    let digits_end = bytes[..end].iter().rposition(|b| !b.is_ascii_whitespace())? + 1;
    if digits_end == end {
        return None; // no whitespace between
    }
    let start = bytes[..digits_end].iter().rposition(|b| !b.is_ascii_digit()).map_or(0, |i| i + 1);
    if start == digits_end || digits_end - start > 10 {
        return None;
    }
    let value = std::str::from_utf8(&bytes[start..digits_end]).ok()?.parse().ok()?;
    Some((start, value))
}

#[cfg(test)]
mod tests {
    use super::Table;

    #[test]
    fn a_table_is_sorted_by_key_and_the_last_pair_of_a_key_wins() {
        let pairs: Vec<(u32, u32)> = (0..200u32).map(|i| ((i * 7919) % 50, i)).collect();
        let table = Table::from_pairs(pairs);
        let keys: Vec<u32> = table.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, (0..50).collect::<Vec<_>>());
        for (k, v) in table.iter() {
            assert_eq!(*v, (0..200u32).filter(|i| (i * 7919) % 50 == *k).max().unwrap(), "key {k}");
        }
        assert_eq!(Table::<u8>::from_pairs(Vec::new()).iter().count(), 0);
    }
}
