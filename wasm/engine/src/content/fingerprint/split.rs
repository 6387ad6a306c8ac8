//! A long text's fingerprint pass in parts on several threads, with exactly the result of one
//! pass (natively; a page's engine has one thread).
//!
//! The text is cut into a grid of parts at line starts. A pass starts at part 0, and threads
//! that are idle start more passes at parts they claim while the scan runs ([`Claims`]); a pass
//! that reaches a part where no pass started reads on into it. A pass started at part `j` runs a
//! fresh lexer and winnower from its first byte. Where the pass from the start of the text is
//! inside a comment or a string at that byte, the part reads it differently at first; and its
//! first windows lack the k-grams before it. So such a pass records its first
//! [`PREFIX_TOKENS`] tokens, each with where its winnower's selection stands after it
//! ([`Winnower::position`]), and the pass that reaches part `j` does not stop at the boundary:
//! it goes on, comparing every token with that record, until the two passes *meet*:
//!
//! * the last [`MEET`] = `K + W - 1 + MAX_PERIOD + REPEAT_SUFFIX - 1` tokens are the same in
//!   both (id, name, byte range), so the last `W` k-grams, the window, are the same, and so are
//!   the runs a selection in it is compared with to tell whether it repeats (see `Repetition`;
//!   the value of a run's first token depends on the `K - 1` before it): two lexers that emit
//!   the same token go on alike (see `Lexer::new`), and a k-gram's hash depends on its tokens
//!   only;
//! * and the current window minimum and the last selected k-gram are the same tokens back in
//!   both (robust winnowing remembers its last choice, so equal windows are not enough).
//!
//! From there the two select the same k-grams. The earlier pass stops; the later part's
//! selections up to the one the earlier pass selected last are dropped, the rest keep their
//! place with the token and fingerprint counts shifted. If the passes don't meet within the
//! record (a boundary inside a long comment, say), the earlier pass goes on to the next
//! boundary and tries that part, and the pass it skipped counts for nothing. The result is the
//! one pass's, always; the speed-up is what depends on the text.
//!
//! The passes' hits are joined in order and go through the same span logic as [`scan`]: part
//! 0's as its pass finds them (they are in the one pass's counts already), the others' once the
//! passes have met, on part 0's thread.
//!
//! [`scan`]: FingerprintDb::scan

use std::cell::{Cell, RefCell};
use std::sync::{Arc, Condvar, Mutex};

use super::scan::{spans_of, Hit, Lookups, Spans};
use super::tokenize::Lexer;
use super::winnow::{Batch, Winnower};
use super::{Fingerprint, FingerprintDb, FingerprintMatch, K, MAX_PERIOD, REPEAT_SUFFIX, W};

/// Tokens a pass started at a part records from its start, for the pass before it to meet it
/// in. The pass before it waits for the record when it gets there first, as it can on a short
/// text, so the record is kept short: a long one would keep a short text waiting on it longer
/// than a split fixed in advance would.
const PREFIX_TOKENS: usize = 4_096;
/// Equal tokens in a row that, with equal selection positions, make two passes meet.
const MEET: usize = K + W - 1 + MAX_PERIOD as usize + REPEAT_SUFFIX - 1;

/// A token of a part's recorded start, and where its winnower's selection stood after it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Digest {
    id: u32,
    name: u32,
    start: usize,
    end: usize,
    position: (usize, usize),
}

/// A value per part, posted once by the thread that runs the part, for other threads to wait
/// for: each part's recorded start, and each later part's result. A part whose pass ends (or
/// panics) without its value has it posted as missing by a [`PostOnDrop`], so that no thread
/// waits for ever.
struct Posts<T> {
    /// None while the part runs; then its value, or None for missing.
    slots: Mutex<Vec<Option<Option<T>>>>,
    ready: Condvar,
}

impl<T> Posts<T> {
    fn new(parts: usize) -> Self {
        Posts { slots: Mutex::new((0..parts).map(|_| None).collect()), ready: Condvar::new() }
    }

    /// Part `part`'s value (None: missing); only the first post for a part counts.
    fn post(&self, part: usize, value: Option<T>) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots[part].is_none() {
            slots[part] = Some(value);
            self.ready.notify_all();
        }
    }

    /// Waits until part `part`'s value is posted, then gives `read` its slot.
    fn read<R>(&self, part: usize, read: impl FnOnce(&mut Option<T>) -> R) -> R {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(value) = &mut slots[part] {
                return read(value);
            }
            slots = self.ready.wait(slots).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Part `part`'s value, taken out (later reads find it missing).
    fn take(&self, part: usize) -> Option<T> {
        self.read(part, Option::take)
    }
}

impl<T: Clone> Posts<T> {
    fn get(&self, part: usize) -> Option<T> {
        self.read(part, |value| value.clone())
    }
}

/// Posts the part's value as missing when dropped, unless it was posted before.
struct PostOnDrop<'a, T>(&'a Posts<T>, usize);

impl<T> Drop for PostOnDrop<'_, T> {
    fn drop(&mut self) {
        self.0.post(self.1, None);
    }
}

/// Each part's recorded start; missing (read as empty) if its pass ended without one.
type Prefixes = Posts<Arc<Vec<Digest>>>;
/// The results of the parts after the first, for the first part's thread to join into its spans.
type Finished = Posts<PartResult>;

/// Who reads each part of the grid: a pass that starts at its first byte, or the pass before it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Claim {
    /// Nobody yet: an idle thread may start a pass here, or the pass before it reads on into it.
    Free,
    /// A pass starts here (its record is posted in [`Prefixes`]); the pass before it meets it.
    Started,
    /// The pass before it read on into it.
    ReadOn,
}

/// The parts' claims. The text is cut into a grid of parts ahead of time, but which of them a
/// pass starts at is decided while the scan runs: a thread that is idle (it finished the other
/// detectors, or its pass met the next) starts a pass in the middle of the longest run of
/// free parts, and a pass that reaches a free part reads on into it. So the threads end
/// within about a part of each other however the detectors' costs compare on the text at
/// hand, where a split fixed in advance has to guess them.
struct Claims {
    parts: Mutex<Vec<Claim>>,
}

impl Claims {
    /// Part 0 started, and the others free.
    fn new(parts: usize) -> Self {
        let mut claims = vec![Claim::Free; parts];
        claims[0] = Claim::Started;
        Claims { parts: Mutex::new(claims) }
    }

    /// Every part started: a pass on each part from the start, for tests of the meetings.
    #[cfg(test)]
    fn all_started(parts: usize) -> Self {
        Claims { parts: Mutex::new(vec![Claim::Started; parts]) }
    }

    /// A pass reaches the first byte of `part`: true when a pass starts there, for it to meet;
    /// otherwise it reads on into the part.
    fn arrive(&self, part: usize) -> bool {
        let mut parts = self.parts.lock().unwrap_or_else(|e| e.into_inner());
        if parts[part] == Claim::Free {
            parts[part] = Claim::ReadOn;
        }
        parts[part] == Claim::Started
    }

    /// A part for an idle thread to start a pass at: the middle of the longest run of free
    /// parts, when it has two or more. The part before the run is being read, by a pass that is
    /// on its way to the run's first part; the run's lower half is left to it.
    fn claim(&self) -> Option<usize> {
        let mut parts = self.parts.lock().unwrap_or_else(|e| e.into_inner());
        let (mut first, mut end, mut at) = (0, 0, 0);
        for run in parts.chunk_by(|a, b| a == b) {
            if run[0] == Claim::Free && run.len() > end - first {
                (first, end) = (at, at + run.len());
            }
            at += run.len();
        }
        (end - first >= 2).then(|| {
            let part = first + (end - first) / 2;
            parts[part] = Claim::Started;
            part
        })
    }
}

/// Where a part's pass met a later part's.
#[derive(Debug)]
struct Meeting {
    part: usize,
    /// This pass's token and fingerprint counts at the meeting, and the last k-gram it selected.
    tokens: usize,
    fingerprints: usize,
    last_selected: Option<usize>,
    /// The later part's token count at the same token.
    their_tokens: usize,
}

#[derive(Debug)]
struct PartResult {
    /// In this part's own counts (orders and k-gram indices from its start); empty when they
    /// went straight to the span logic (see [`run_part_kept`]).
    hits: Vec<Hit>,
    /// k-grams selected while the part's start was recorded.
    prefix_selected: Vec<usize>,
    met: Option<Meeting>,
    /// Selections this part's pass made in all (up to the meeting, or to the end).
    selections: usize,
}

/// One part's pass: from `bounds[part]` until it meets a later part's, or to the end. Its hits
/// go to `on_hit` as they are found.
///
/// In stages, with one lexer going on from each to the next: a later part records its first
/// [`PREFIX_TOKENS`] tokens one at a time; then tokens go to the winnower in batches up to the
/// next part's first byte. If a pass starts there, each token is compared with that part's
/// record until the two meet, or, past the record, the pass goes on in batches to the part
/// after it; if none does (see [`Claims`]), the pass reads on into the part.
fn run_part(db: &FingerprintDb, text: &str, bounds: &[usize], part: usize, prefixes: &Prefixes, claims: &Claims, mut on_hit: impl FnMut(Hit)) -> PartResult {
    let _post = PostOnDrop(prefixes, part);
    let prefix_selected = RefCell::new(Vec::new());
    let recording = Cell::new(part > 0);
    let selections = Cell::new(0usize);
    let mut met = None;
    {
        let mut lookups = Lookups::new(db, &mut on_hit);
        // Every selection takes its place in the order, a repeating one too (the product's
        // setting, which the join's orders rely on).
        const _: () = assert!(super::REPETITION.separates);
        let mut w = Winnower::new(|rolling, start, end, index, repeats| {
            if recording.get() {
                prefix_selected.borrow_mut().push(index);
            }
            selections.set(selections.get() + 1);
            let hash = if repeats { 0 } else { db.hasher.hash(rolling) };
            lookups.push(Fingerprint { hash, start, end }, index, repeats);
        }, super::REPETITION);
        let mut lexer = Lexer::new(text, bounds[part]);
        let mut batch = Batch::new();
        if part > 0 {
            let mut record = Vec::with_capacity(PREFIX_TOKENS);
            let recorded = Cell::new(0);
            lexer.run(
                text.len(),
                &mut |id, name, start, end| {
                    w.push(&mut batch, id, name, start, end);
                    record.push(Digest { id, name, start, end, position: w.position() });
                    recorded.set(record.len());
                },
                || recorded.get() == PREFIX_TOKENS,
            );
            prefixes.post(part, Some(Arc::new(record)));
            recording.set(false);
        }
        let mut next = part + 1;
        loop {
            let limit = bounds.get(next).copied().unwrap_or(text.len());
            lexer.run(
                limit,
                &mut |id, name, start, end| {
                    if batch.push(id, name, start, end) {
                        w.push_batch(&mut batch);
                    }
                },
                || false,
            );
            if next >= bounds.len() || lexer.at_end() {
                w.push_batch(&mut batch);
                break;
            }
            if !claims.arrive(next) {
                next += 1;
                continue; // no pass starts there: read on, in the same batches
            }
            w.push_batch(&mut batch);
            // Token by token against part `next`'s record: the next record entry to compare,
            // and how many tokens in a row matched up to the previous one.
            let record = prefixes.get(next).unwrap_or_default();
            let (mut at, mut run) = (0, 0);
            let stop = Cell::new(false);
            lexer.run(
                text.len(),
                &mut |id, name, start, end| {
                    w.push(&mut batch, id, name, start, end);
                    while at < record.len() && record[at].start < start {
                        at += 1;
                        run = 0;
                    }
                    if record.get(at).is_some_and(|d| (d.id, d.name, d.start, d.end) == (id, name, start, end)) {
                        run += 1;
                        if run >= MEET && record[at].position == w.position() {
                            met = Some(Meeting {
                                part: next,
                                tokens: w.tokens(),
                                fingerprints: selections.get(),
                                last_selected: w.last_selected(),
                                their_tokens: at + 1,
                            });
                            stop.set(true);
                            return;
                        }
                        at += 1;
                    } else {
                        run = 0;
                    }
                    // Past the record without meeting: on to the next boundary.
                    stop.set(at >= record.len());
                },
                || stop.get(),
            );
            if met.is_some() || !stop.get() {
                break; // met, or read to the end
            }
            next += 1;
        }
        if met.is_none() {
            w.finish();
        }
        lookups.flush();
    }
    PartResult { hits: Vec::new(), prefix_selected: prefix_selected.into_inner(), met, selections: selections.get() }
}

/// [`run_part`] keeping the hits, for a part after the first: where its hits go in the one
/// pass's counts is known only once the pass before it has met it. The first part's are in those
/// counts already, so they go straight into the span logic while the other parts run (on a text
/// that matches throughout, the span logic over its hits would otherwise be time that no other
/// thread shares).
fn run_part_kept(db: &FingerprintDb, text: &str, bounds: &[usize], part: usize, prefixes: &Prefixes, claims: &Claims) -> PartResult {
    let mut hits = Vec::new();
    let result = run_part(db, text, bounds, part, prefixes, claims, |hit| hits.push(hit));
    PartResult { hits, ..result }
}

/// The results of the parts the one pass reads, in order: part 0's, then the part each one's
/// pass met, taken with `take`. None if one of them is not there (`take` gives None).
fn chain(first: PartResult, mut take: impl FnMut(usize) -> Option<PartResult>) -> Option<Vec<PartResult>> {
    let mut chain = vec![first];
    while let Some(m) = &chain[chain.len() - 1].met {
        // A part met has run: meeting needs a record, and a part left out posted none.
        let next = take(m.part)?;
        chain.push(next);
    }
    Some(chain)
}

/// The hits of the parts of a [`chain`] joined into the one pass's, in its counts, in order.
/// Lazily: on a text that matches throughout there are hundreds of thousands of hits, and
/// copying them into one more vector would fill fresh memory (page faults and all) only for the
/// span logic to read it once.
fn join(chain: &[PartResult]) -> impl Iterator<Item = Hit> + '_ {
    place(chain).0.into_iter().flat_map(|p| {
        p.hits.iter().filter_map(move |&(fp, order, index)| {
            let index = index as i64 + p.index_base;
            (!p.cut.is_some_and(|c| index <= c)).then(|| (fp, p.order_base + order - p.dropped, index as usize))
        })
    })
}

/// Where each part of a [`chain`] goes in the one pass's counts, and how many selections the one
/// pass makes in all.
fn place(chain: &[PartResult]) -> (Vec<Placed<'_>>, usize) {
    let mut placed: Vec<Placed> = Vec::new();
    // This part's first token in the whole text's count (negative when the part read tokens
    // that the one pass never had), and the first fingerprint's order.
    let (mut index_base, mut order_base, mut cut) = (0i64, 0usize, None::<i64>);
    for r in chain {
        let dropped = cut.map_or(0, |c| r.prefix_selected.iter().filter(|&&i| i as i64 + index_base <= c).count());
        placed.push(Placed { hits: &r.hits, index_base, order_base, dropped, cut });
        let Some(m) = &r.met else {
            return (placed, order_base + r.selections - dropped);
        };
        cut = m.last_selected.map(|l| l as i64 + index_base);
        order_base += m.fingerprints - dropped;
        index_base += m.tokens as i64 - m.their_tokens as i64;
    }
    (placed, order_base)
}

/// A part read by the one pass, and where its hits go in that pass's counts.
struct Placed<'a> {
    hits: &'a [Hit],
    /// Added to its k-gram indices, and to its orders (less the `dropped` selections before
    /// the cut).
    index_base: i64,
    order_base: usize,
    dropped: usize,
    /// The last k-gram the pass before it selected: its selections up to there are that pass's.
    cut: Option<i64>,
}

/// The matches of [`FingerprintDb::scan`], with the pass split over up to `threads` threads on
/// a grid of parts starting at `bounds` (increasing byte positions after a `\n`, the first 0),
/// and `side` run on the calling thread. Part 0's pass starts at once on a thread of its own;
/// the calling thread runs `side` first, other threads start at once, and each then starts
/// passes at parts it claims while any are left (see [`Claims`]).
pub(crate) fn scan_in_parts<R>(db: &FingerprintDb, text: &str, min_matches: usize, bounds: &[usize], threads: usize, side: impl FnOnce() -> R) -> (Vec<FingerprintMatch>, R) {
    scan_in_parts_spawning(db, text, min_matches, bounds, threads, side, |spawn| spawn())
}

/// [`scan_in_parts`], starting each thread with `spawn` (tests make it fail). A thread that
/// cannot be started leaves its work to the others: part 0's pass, which everything starts
/// from, then runs on the calling thread before `side`.
///
/// Part 0's thread joins the other passes' hits into the spans once its own claims are done.
fn scan_in_parts_spawning<R>(
    db: &FingerprintDb,
    text: &str,
    min_matches: usize,
    bounds: &[usize],
    threads: usize,
    side: impl FnOnce() -> R,
    spawn: impl Fn(&dyn Fn() -> std::io::Result<()>) -> std::io::Result<()>,
) -> (Vec<FingerprintMatch>, R) {
    let prefixes = Prefixes::new(bounds.len());
    let finished = Finished::new(bounds.len());
    let claims = Claims::new(bounds.len());
    let spans = Mutex::new(Spans::new(min_matches));
    let selections = Mutex::new(None);
    // Passes at claimed parts, their hits kept for the join, until no part is left to claim.
    let claim_parts = || {
        while let Some(part) = claims.claim() {
            let _post = PostOnDrop(&finished, part);
            finished.post(part, Some(run_part_kept(db, text, bounds, part, &prefixes, &claims)));
        }
    };
    let first = || {
        let mut spans = spans.lock().unwrap_or_else(|e| e.into_inner());
        let first = run_part(db, text, bounds, 0, &prefixes, &claims, |(fp, order, index)| spans.matched(fp, order, index));
        claim_parts();
        // Without the whole chain a thread has panicked; the scope raises its panic.
        if let Some(chain) = chain(first, |part| finished.take(part)) {
            for (fp, order, index) in join(&chain) {
                spans.matched(fp, order, index);
            }
            *selections.lock().unwrap_or_else(|e| e.into_inner()) = Some(place(&chain).1);
        }
    };
    let side = std::thread::scope(|scope| {
        let (first, claim_parts) = (&first, &claim_parts);
        let mut handles = Vec::new();
        if threads > 1 {
            handles.extend(spawn_job(scope, &spawn, first));
        }
        let first_here = handles.is_empty();
        handles.extend((2..threads).filter_map(|_| spawn_job(scope, &spawn, claim_parts)));
        if first_here {
            first();
        }
        let side = side();
        claim_parts();
        for t in handles {
            t.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        }
        side
    });
    let selections = selections.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut matches = spans_of(text, spans.into_inner().unwrap_or_else(|e| e.into_inner()), selections);
    db.add_fenced_block_matches(text, min_matches, super::REPETITION, &mut matches);
    (matches, side)
}

/// `job` on a thread of `scope`, started through `spawn`; None when it could not be.
fn spawn_job<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    spawn: &impl Fn(&dyn Fn() -> std::io::Result<()>) -> std::io::Result<()>,
    job: &'scope (dyn Fn() + Sync),
) -> Option<std::thread::ScopedJoinHandle<'scope, ()>> {
    let handle = std::cell::Cell::new(None);
    let started = spawn(&|| {
        handle.set(Some(std::thread::Builder::new().spawn_scoped(scope, job)?));
        Ok(())
    });
    started.ok().and_then(|()| handle.into_inner())
}

/// Bytes of a part of the grid: the threads end within about a part's pass of each other, and
/// each part a pass starts at costs its record and a meeting.
const PART_BYTES: usize = 128 << 10;
/// Fewest parts of the grid: a thread claims a part only in a run of two or more free ones, and
/// a text of a few hundred kilobytes needs some left when the other detectors are done.
const MIN_PARTS: usize = 16;

impl FingerprintDb {
    /// [`scan`](Self::scan) on up to `threads` threads, with `side` (the other detectors) run on
    /// the calling thread; the same matches as `scan`.
    pub(crate) fn scan_on_threads<R>(&self, text: &str, min_matches: usize, threads: usize, side: impl FnOnce() -> R) -> (Vec<FingerprintMatch>, R) {
        let parts = (text.len() / PART_BYTES).max(MIN_PARTS);
        scan_in_parts(self, text, min_matches, &bounds(text, &vec![1.0 / parts as f64; parts]), threads, side)
    }
}

impl FingerprintDb {
    /// [`scan`](Self::scan) on three threads over a grid of parts starting at `bounds` (0, then
    /// increasing line starts), for tests and fuzzing that pick their own grid. None when
    /// `bounds` are not such.
    #[doc(hidden)]
    pub fn scan_in_parts_at(&self, text: &str, min_matches: usize, bounds: &[usize]) -> Option<Vec<FingerprintMatch>> {
        let valid = bounds.first() == Some(&0)
            && bounds.windows(2).all(|b| b[0] < b[1])
            && bounds[1..].iter().all(|&b| b < text.len() && text.as_bytes()[b - 1] == b'\n');
        valid.then(|| scan_in_parts(self, text, min_matches, bounds, 3, || ()).0)
    }
}

/// Part boundaries for `text`: `shares` (fractions of the text, summing to about 1) turned into
/// line starts. Parts that would be empty, or hold no line start, are merged into the one
/// before.
pub(crate) fn bounds(text: &str, shares: &[f64]) -> Vec<usize> {
    let mut out = vec![0];
    let mut at = 0.0;
    for share in &shares[..shares.len().saturating_sub(1)] {
        at += share;
        let target = ((text.len() as f64 * at) as usize).min(text.len());
        let Some(newline) = text.as_bytes()[target..].iter().position(|&b| b == b'\n') else { break };
        let start = target + newline + 1;
        if start < text.len() && start > *out.last().unwrap_or(&0) {
            out.push(start);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{fingerprints, BuildStats, FingerprintKey};
    use super::*;

    fn key() -> FingerprintKey {
        FingerprintKey::from_bytes(*b"split-test-key!!")
    }

    /// A database of every fingerprint of `text`: every selection is a hit, so comparing hits
    /// compares the whole selection.
    fn db_of(text: &str) -> FingerprintDb {
        let hashes: Vec<u64> = fingerprints(text, &key()).into_iter().map(|f| f.hash).collect();
        FingerprintDb::build(key(), hashes, BuildStats::default()).expect("builds")
    }

    fn one_pass(db: &FingerprintDb, text: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut lookups = Lookups::new(db, |h| hits.push(h));
        super::super::for_each_fingerprint(text, &db.hasher, super::super::REPETITION, |fp, index, repeats| lookups.push(fp, index, repeats));
        lookups.flush();
        hits
    }

    /// The joined hits, and which part each part's pass met.
    fn in_parts(db: &FingerprintDb, text: &str, bounds: &[usize]) -> (Vec<Hit>, Vec<Option<usize>>) {
        let prefixes = Prefixes::new(bounds.len());
        let claims = Claims::all_started(bounds.len());
        let mut results: Vec<Option<PartResult>> = std::thread::scope(|scope| {
            let (prefixes, claims) = (&prefixes, &claims);
            let threads: Vec<_> = (0..bounds.len()).map(|part| scope.spawn(move || run_part_kept(db, text, bounds, part, prefixes, claims))).collect();
            threads.into_iter().map(|t| Some(t.join().unwrap())).collect()
        });
        let met = results.iter().map(|r| r.as_ref().and_then(|r| r.met.as_ref().map(|m| m.part))).collect();
        let first = results[0].take().expect("part 0 ran");
        let chain = chain(first, |part| results[part].take()).expect("every part ran");
        (join(&chain).collect(), met)
    }

    /// Code of several languages, with constructs that read differently from the middle: block
    /// comments, docstrings, template and raw strings, fences, and runs of identical k-grams
    /// (where robust winnowing's memory matters).
    fn sample(seed: u64, lines: usize) -> String {
        const PIECES: &[&str] = &[
            "fn total(items: &[Item]) -> u64 { items.iter().map(|i| i.price * i.qty).sum() }\n",
            "/* a block comment\n   that runs over lines: if (x) { return y; }\n   and ends here */\n",
            "def load(path):\n    \"\"\"Docstring with code-like text: for x in y: pass\n    over lines.\"\"\"\n    return open(path).read()\n",
            "const t = `template ${a + b} literal\nover lines`;\n",
            "let raw = r#\"raw \" string\"#;\n",
            "```python\nprint('fenced')\n```\n",
            "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,\n",
            "SELECT id, name FROM users WHERE id = 'it''s' -- trailing comment\n",
            "# a shell comment with 'quotes\nfor f in *.c; do gcc -c \"$f\"; done\n",
            "if err != nil {\n\treturn fmt.Errorf(\"read %s: %w\", name, err)\n}\n",
            "Plain prose between the code, as a prompt would have it, isn't code.\n",
        ];
        let mut rng = seed | 1;
        let mut out = String::new();
        for _ in 0..lines {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            out.push_str(PIECES[(rng % PIECES.len() as u64) as usize]);
            if rng % 7 == 0 {
                out.push_str(&format!("let v{} = compute({}, {});\n", rng % 97, rng % 13, rng % 5));
            }
        }
        out
    }

    /// Equal hit lists, or a panic showing where they part.
    fn assert_same(got: &[Hit], want: &[Hit], context: &str) {
        if got == want {
            return;
        }
        let at = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
        let show = |v: &[Hit]| v[at.saturating_sub(2)..(at + 3).min(v.len())].to_vec();
        panic!("{context}: {} hits against {}, first difference at {at}:\n got {:?}\nwant {:?}", got.len(), want.len(), show(got), show(want));
    }

    /// Every line start in `text`.
    fn line_starts(text: &str) -> Vec<usize> {
        text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1).filter(|&i| i < text.len()).collect()
    }

    #[test]
    fn parts_join_into_the_one_pass_at_every_kind_of_boundary() {
        for seed in 0..12u64 {
            let text = sample(seed, 600);
            let db = db_of(&text);
            let want = one_pass(&db, &text);
            assert!(want.len() > 100, "seed {seed}: {} fingerprints", want.len());
            let starts = line_starts(&text);
            // Boundaries at many line starts, inside comments, strings and fences included.
            for step in [1usize, 3, 17, 61] {
                for offset in 0..3usize {
                    let mut b = vec![0];
                    b.extend(starts.iter().skip(offset * 5 + step).step_by(starts.len() / (2 + offset)).copied().take(2 + offset));
                    b.dedup();
                    let (got, _) = in_parts(&db, &text, &b);
                    assert_same(&got, &want, &format!("seed {seed}, bounds {b:?}"));
                }
            }
        }
    }

    #[test]
    fn a_boundary_inside_a_long_comment_is_passed_over() {
        // The middle part starts inside a comment longer than the record: the first pass does
        // not meet it and reads on to meet the third.
        let code = sample(5, 200);
        let comment: String = (0..PREFIX_TOKENS / 2).map(|i| format!("call(x{i}, y);\n")).collect();
        let text = format!("{code}/*\n{comment}*/\n{code}{code}");
        let db = db_of(&text);
        let mid = code.len() + 3 + comment.len() / 2;
        let mid = mid + text[mid..].find('\n').unwrap() + 1;
        let third = text.len() - code.len();
        let third = third + text[third..].find('\n').unwrap() + 1;
        let (got, met) = in_parts(&db, &text, &[0, mid, third]);
        assert_same(&got, &one_pass(&db, &text), "three parts");
        assert_eq!(met[0], Some(2), "part 0 meets part 2, not part 1");
    }

    #[test]
    fn a_boundary_inside_a_run_of_identical_kgrams_waits_for_the_same_choice() {
        // In `0, 0, 0, …` two k-grams alternate, and which of the equal minima is selected depends
        // on where the pass began: equal tokens alone would meet too early.
        let code = sample(3, 150);
        // 42 tokens a line: passes starting at different lines start at different phases.
        let table: String = (0..200).map(|_| "0, ".repeat(21) + "\n").collect();
        let text = format!("{code}{table}{code}");
        let db = db_of(&text);
        let want = one_pass(&db, &text);
        for line in [3usize, 50, 101, 150, 197] {
            let start = code.len() + line * table.lines().next().unwrap().len() + line;
            let (got, _) = in_parts(&db, &text, &[0, start]);
            assert_same(&got, &want, &format!("boundary at table line {line}"));
        }
    }

    /// The short-text rule needs the whole text's count of selections, which the parts add up to.
    #[test]
    fn a_short_text_that_matches_whole_matches_in_parts_too() {
        let text = "fn take(q: &mut Quota, n: u32) -> bool {\n    if q.left < n { return false; }\n    q.left -= n;\n    true\n}\n";
        let db = db_of(text);
        let n = fingerprints(text, &key()).len();
        assert!((super::super::MIN_WHOLE..super::super::DEFAULT_MIN_MATCHES).contains(&n), "{n} fingerprints");
        let want = db.scan(text, 4);
        assert_eq!(want.len(), 1);
        let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len())).collect();
        for cut in 1..starts.len() {
            assert_eq!(db.scan_in_parts_at(text, 4, &[0, starts[cut]]), Some(want.clone()), "parts at {}", starts[cut]);
        }
    }

    /// A short fenced block of a prompt is judged alone (`add_fenced_block_matches`) in parts
    /// as in one pass (found by the `fingerprint_split` fuzz target).
    #[test]
    fn a_short_fenced_block_matches_in_parts_too() {
        let code = "fn take(q: &mut Quota, n: u32) -> bool {\n    if q.left < n { return false; }\n    q.left -= n;\n    true\n}\n";
        let db = db_of(code);
        let text = format!("Why does this fail on large inputs? It worked yesterday, I think.\n\n```rust\n{code}```\nThanks!\n");
        let want = db.scan(&text, 4);
        assert_eq!(want.len(), 1, "{want:?}");
        let starts: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len()).collect();
        for &cut in &starts {
            assert_eq!(db.scan_in_parts_at(&text, 4, &[0, cut]), Some(want.clone()), "parts at {cut}");
        }
        let (got, ()) = db.scan_on_threads(&text, 4, 2, || ());
        assert_eq!(got, want);
    }

    #[test]
    fn scan_in_parts_matches_scan() {
        let text = sample(9, 3000);
        let company = sample(10, 400);
        let hashes: Vec<u64> = fingerprints(&company, &key()).into_iter().map(|f| f.hash).collect();
        let db = FingerprintDb::build(key(), hashes, BuildStats::default()).expect("builds");
        let text = format!("{text}{company}{text}");
        let want = db.scan(&text, 4);
        assert!(!want.is_empty());
        for shares in [&[1.0][..], &[0.5, 0.5], &[0.7, 0.3], &[0.3, 0.3, 0.4], &[0.25; 4], &[1.0 / 16.0; 16]] {
            let b = bounds(&text, shares);
            assert_eq!(b.len(), shares.len(), "{shares:?}");
            for threads in 1..=4 {
                let (got, side) = scan_in_parts(&db, &text, 4, &b, threads, || 7);
                assert_eq!((got, side), (want.clone(), 7), "{shares:?} on {threads} threads");
            }
        }
    }

    #[test]
    fn threads_that_cannot_start_leave_their_work_to_the_others() {
        let text = sample(4, 4000);
        let db = db_of(&text);
        let want = db.scan(&text, 1);
        let b = bounds(&text, &[0.125; 8]);
        assert_eq!(b.len(), 8);
        let refuse = |which: &'static [usize]| {
            let asked = std::cell::Cell::new(0usize);
            move |spawn: &dyn Fn() -> std::io::Result<()>| {
                let thread = asked.replace(asked.get() + 1);
                if which.contains(&thread) { Err(std::io::Error::other("no thread")) } else { spawn() }
            }
        };
        // Thread 0 is part 0's; 1 and 2 claim parts from the start.
        for which in [&[0usize][..], &[1], &[2], &[0, 1, 2], &[1, 2]] {
            let (got, side) = scan_in_parts_spawning(&db, &text, 1, &b, 4, || 3, refuse(which));
            assert_eq!((got, side), (want.clone(), 3), "threads {which:?} not started");
        }
    }

    /// An idle thread starts at the middle of the longest run of free parts, leaving the run's
    /// lower half to the pass on its way there; a pass reads on into a free part and meets a
    /// started one; a run of one part is left to the pass before it.
    #[test]
    fn claims_split_the_longest_free_run() {
        let claims = Claims::new(10);
        assert_eq!(claims.claim(), Some(5), "free 1..10");
        assert_eq!(claims.claim(), Some(3), "free 1..5 and 6..10: the first of the longest");
        assert!(!claims.arrive(1), "a free part is read on into");
        assert!(!claims.arrive(1), "and stays the reading pass's");
        assert_eq!(claims.claim(), Some(8), "free 2..3, 4..5, 6..10");
        assert!(claims.arrive(3), "a started part is met");
        assert_eq!(claims.claim(), Some(7), "free 2, 4, 6..8, 9");
        assert_eq!(claims.claim(), None, "free 2, 4, 6, 9: no run of two left");
        assert!(!claims.arrive(2) && !claims.arrive(6));
        let started = Claims::all_started(4);
        assert!((1..4).all(|p| started.arrive(p)));
        assert_eq!(started.claim(), None);
    }

    /// A part whose pass panics leaves its result missing, so the thread that joins it gives up
    /// instead of waiting for ever (the panic is raised when the threads are joined).
    #[test]
    fn a_part_that_panics_is_not_waited_for() {
        let finished = Finished::new(2);
        std::thread::scope(|scope| {
            let part = scope.spawn(|| {
                let _post = PostOnDrop(&finished, 1);
                panic!("part 1's pass fails");
            });
            assert!(finished.take(1).is_none());
            assert!(part.join().is_err());
        });
    }

    #[test]
    fn bounds_are_line_starts_and_increase() {
        let text = "a\nbb\nccc\ndddd\n";
        assert_eq!(bounds(text, &[0.5, 0.5]), vec![0, 9]);
        assert_eq!(bounds(text, &[1.0]), vec![0]);
        assert_eq!(bounds("no newline at all", &[0.5, 0.5]), vec![0]);
        assert_eq!(bounds(text, &[0.0, 0.0, 1.0]), vec![0, 2]);
    }
}
