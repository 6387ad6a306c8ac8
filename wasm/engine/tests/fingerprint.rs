//! Proprietary-code fingerprints, end to end: a database built from a small "company tree" of
//! realistic files in eight languages, then what a user does to code before pasting it (must
//! still match) and what must never match (other code, idioms, licence text, prose). Plus the
//! database file: golden bytes, and rejection of every kind of bad input without a panic.

use aiguard_engine::content::fingerprint::{
    fingerprints, token_count, vocabulary, BuildOptions, BuildStats, DbBuilder, DbError, FingerprintDb, FingerprintKey, FingerprintMatch,
    DEFAULT_MIN_MATCHES, FORMAT_VERSION, K, MIN_VOCABULARY, W,
};

// ---------------------------------------------------------------------------------------------
// The company tree.

struct Source {
    name: &'static str,
    /// The Markdown fence language a user would write.
    fence: &'static str,
    /// Which quotes delimit strings (the literal-changing transformation needs to know).
    quotes: &'static str,
    /// Names a user might rename consistently.
    renames: &'static [(&'static str, &'static str)],
    text: &'static str,
}

const C_SRC: &str = r#"/*
 * Copyright (c) Example Corp. All rights reserved.
 * SPDX-License-Identifier: LicenseRef-Proprietary
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ring.h"

#define RING_MIN_CAPACITY 16

/* A byte ring buffer whose capacity is always a power of two. */
struct ring {
    uint8_t *data;
    size_t head;
    size_t tail;
    size_t mask;
};

static size_t round_up_pow2(size_t n)
{
    size_t p = RING_MIN_CAPACITY;
    while (p < n)
        p <<= 1;
    return p;
}

struct ring *ring_new(size_t capacity)
{
    struct ring *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    capacity = round_up_pow2(capacity);
    r->data = malloc(capacity);
    if (!r->data) {
        free(r);
        return NULL;
    }
    r->mask = capacity - 1;
    return r;
}

size_t ring_used(const struct ring *r)
{
    return (r->tail - r->head) & r->mask;
}

/* Copies up to len bytes in; returns how many fitted. */
size_t ring_write(struct ring *r, const uint8_t *src, size_t len)
{
    size_t space = r->mask - ring_used(r);
    size_t n = len < space ? len : space;
    size_t first = r->mask + 1 - (r->tail & r->mask);
    if (first > n)
        first = n;
    memcpy(r->data + (r->tail & r->mask), src, first);
    memcpy(r->data, src + first, n - first);
    r->tail += n;
    return n;
}

size_t ring_read(struct ring *r, uint8_t *dst, size_t len)
{
    size_t used = ring_used(r);
    size_t n = len < used ? len : used;
    size_t first = r->mask + 1 - (r->head & r->mask);
    if (first > n)
        first = n;
    memcpy(dst, r->data + (r->head & r->mask), first);
    memcpy(dst + first, r->data, n - first);
    r->head += n;
    return n;
}
"#;

const GO_SRC: &str = r#"// Package quota enforces per-tenant request budgets.
package quota

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrExhausted is returned when a tenant has no budget left in the window.
var ErrExhausted = errors.New("quota: budget exhausted")

type bucket struct {
	tokens   float64
	updated  time.Time
	capacity float64
	rate     float64
}

// Limiter hands out tokens per tenant with a refill rate.
type Limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	now     func() time.Time
	plan    PlanStore
}

// Take spends cost tokens of the tenant's budget.
func (l *Limiter) Take(ctx context.Context, tenant string, cost float64) error {
	plan, err := l.plan.Lookup(ctx, tenant)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[tenant]
	if !ok {
		b = &bucket{tokens: plan.Burst, updated: l.now(), capacity: plan.Burst, rate: plan.PerSecond}
		l.buckets[tenant] = b
	}
	elapsed := l.now().Sub(b.updated).Seconds()
	b.tokens = min(b.capacity, b.tokens+elapsed*b.rate)
	b.updated = l.now()
	if b.tokens < cost {
		wait := time.Duration((cost - b.tokens) / b.rate * float64(time.Second))
		return &RetryError{After: wait, Err: ErrExhausted}
	}
	b.tokens -= cost
	return nil
}

// Sweep drops buckets idle for longer than ttl and reports how many it removed.
func (l *Limiter) Sweep(ttl time.Duration) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	removed := 0
	for tenant, b := range l.buckets {
		if l.now().Sub(b.updated) > ttl && b.tokens >= b.capacity {
			delete(l.buckets, tenant)
			removed++
		}
	}
	return removed
}
"#;

const JAVA_SRC: &str = r#"package com.example.billing.invoice;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds invoices from usage lines, applying tiered discounts and tax.
 */
public final class InvoiceCalculator {
    private static final BigDecimal HUNDRED = new BigDecimal("100");
    private final TaxTable taxTable;
    private final List<DiscountTier> tiers;

    public InvoiceCalculator(TaxTable taxTable, List<DiscountTier> tiers) {
        this.taxTable = Objects.requireNonNull(taxTable);
        this.tiers = new ArrayList<>(tiers);
        this.tiers.sort((a, b) -> a.threshold().compareTo(b.threshold()));
    }

    public Invoice calculate(Customer customer, List<UsageLine> lines, LocalDate issued) {
        BigDecimal subtotal = BigDecimal.ZERO;
        List<InvoiceLine> out = new ArrayList<>();
        for (UsageLine line : lines) {
            BigDecimal amount = line.unitPrice().multiply(BigDecimal.valueOf(line.quantity()));
            subtotal = subtotal.add(amount);
            out.add(new InvoiceLine(line.sku(), line.quantity(), amount));
        }
        BigDecimal discount = discountFor(subtotal);
        BigDecimal discounted = subtotal.subtract(subtotal.multiply(discount).divide(HUNDRED, 2, RoundingMode.HALF_EVEN));
        BigDecimal rate = taxTable.rateFor(customer.region(), issued);
        BigDecimal tax = discounted.multiply(rate).setScale(2, RoundingMode.HALF_EVEN);
        return new Invoice(customer.id(), issued, out, subtotal, discount, tax, discounted.add(tax));
    }

    private BigDecimal discountFor(BigDecimal subtotal) {
        BigDecimal percent = BigDecimal.ZERO;
        for (DiscountTier tier : tiers) {
            if (subtotal.compareTo(tier.threshold()) >= 0) {
                percent = tier.percent();
            } else {
                break;
            }
        }
        return percent;
    }
}
"#;

const TS_SRC: &str = r#"import { EventEmitter } from "events";
import type { Session, SyncOptions } from "./types";

const DEFAULT_BATCH = 50;

/** Pushes local edits to the sync service in ordered batches, retrying with backoff. */
export class SyncQueue extends EventEmitter {
  private pending: Session[] = [];
  private inFlight = false;
  private attempts = 0;

  constructor(private readonly endpoint: string, private readonly options: SyncOptions = {}) {
    super();
  }

  enqueue(session: Session): void {
    const existing = this.pending.findIndex((s) => s.id === session.id);
    if (existing >= 0) {
      this.pending[existing] = { ...this.pending[existing], ...session, revision: session.revision };
    } else {
      this.pending.push(session);
    }
    void this.flush();
  }

  async flush(): Promise<void> {
    if (this.inFlight || this.pending.length === 0) {
      return;
    }
    this.inFlight = true;
    const batch = this.pending.splice(0, this.options.batchSize ?? DEFAULT_BATCH);
    try {
      const response = await fetch(`${this.endpoint}/sessions/batch`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ sessions: batch, client: this.options.clientId }),
      });
      if (!response.ok) {
        throw new Error(`sync failed with ${response.status}`);
      }
      this.attempts = 0;
      this.emit("synced", batch.map((s) => s.id));
    } catch (error) {
      this.pending.unshift(...batch);
      this.attempts += 1;
      const delay = Math.min(30000, 250 * 2 ** this.attempts);
      setTimeout(() => void this.flush(), delay);
      this.emit("error", error);
    } finally {
      this.inFlight = false;
    }
  }
}
"#;

const PY_SRC: &str = r#"#!/usr/bin/env python3
# Copyright Example Corp. Internal use only.
"""Reconciles ledger exports against bank statements."""

import csv
import decimal
from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    account: str
    reference: str
    amount: decimal.Decimal


def load_entries(path, amount_column="amount"):
    """Reads a CSV export into entries keyed by reference."""
    entries = defaultdict(list)
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            amount = decimal.Decimal(row[amount_column].replace(",", ""))
            entry = Entry(row["account"], row["reference"].strip().upper(), amount)
            entries[entry.reference].append(entry)
    return entries


def reconcile(ledger, statement, tolerance=decimal.Decimal("0.01")):
    matched, missing, mismatched = [], [], []
    for reference, ledger_entries in ledger.items():
        bank_entries = statement.get(reference)
        if not bank_entries:
            missing.extend(ledger_entries)
            continue
        ledger_total = sum(e.amount for e in ledger_entries)
        bank_total = sum(e.amount for e in bank_entries)
        if abs(ledger_total - bank_total) <= tolerance:
            matched.append(reference)
        else:
            mismatched.append((reference, ledger_total, bank_total))
    unexpected = sorted(set(statement) - set(ledger))
    return matched, missing, mismatched, unexpected


def summarise(matched, missing, mismatched, unexpected):
    lines = [f"matched: {len(matched)}", f"missing in bank: {len(missing)}"]
    for reference, ours, theirs in mismatched:
        lines.append(f"  {reference}: ledger {ours} vs bank {theirs} (diff {ours - theirs})")
    if unexpected:
        lines.append("unexpected references: " + ", ".join(unexpected[:20]))
    return "\n".join(lines)
"#;

const RUST_SRC: &str = r#"//! Consistent-hash ring placing shards on storage nodes.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// Virtual points per node: more points, smoother balance.
const POINTS_PER_NODE: u32 = 160;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub weight: u32,
}

#[derive(Debug, Default)]
pub struct Ring {
    points: BTreeMap<u64, usize>,
    nodes: Vec<Node>,
}

fn point_hash(key: &[u8], seed: u64) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    seed.hash(&mut h);
    key.hash(&mut h);
    h.finish()
}

impl Ring {
    pub fn add(&mut self, node: Node) {
        let index = self.nodes.len();
        let points = POINTS_PER_NODE * node.weight.max(1);
        for replica in 0..points {
            let p = point_hash(node.id.as_bytes(), u64::from(replica));
            self.points.insert(p, index);
        }
        self.nodes.push(node);
    }

    pub fn remove(&mut self, id: &str) -> Option<Node> {
        let index = self.nodes.iter().position(|n| n.id == id)?;
        self.points.retain(|_, i| *i != index);
        for i in self.points.values_mut() {
            if *i > index {
                *i -= 1;
            }
        }
        Some(self.nodes.remove(index))
    }

    /// The `count` distinct nodes that own `key`, in preference order.
    pub fn owners(&self, key: &[u8], count: usize) -> Vec<&Node> {
        let mut out: Vec<&Node> = Vec::with_capacity(count);
        let start = point_hash(key, 0);
        let after = self.points.range(start..).chain(self.points.range(..start));
        for (_, &index) in after {
            let node = &self.nodes[index];
            if !out.iter().any(|n| n.id == node.id) {
                out.push(node);
            }
            if out.len() == count.min(self.nodes.len()) {
                break;
            }
        }
        out
    }
}
"#;

const SQL_SRC: &str = r#"-- Monthly revenue retention by signup cohort.
-- Owner: analytics platform team.
WITH first_orders AS (
    SELECT customer_id,
           date_trunc('month', MIN(ordered_at)) AS cohort_month
    FROM orders
    WHERE status IN ('paid', 'refunded_partial')
    GROUP BY customer_id
),
monthly AS (
    SELECT o.customer_id,
           date_trunc('month', o.ordered_at) AS order_month,
           SUM(o.total_cents - COALESCE(r.refund_cents, 0)) AS net_cents
    FROM orders o
    LEFT JOIN refunds r ON r.order_id = o.id AND r.status = 'settled'
    WHERE o.status IN ('paid', 'refunded_partial')
    GROUP BY o.customer_id, date_trunc('month', o.ordered_at)
),
cohort_revenue AS (
    SELECT f.cohort_month,
           m.order_month,
           EXTRACT(YEAR FROM age(m.order_month, f.cohort_month)) * 12
             + EXTRACT(MONTH FROM age(m.order_month, f.cohort_month)) AS month_index,
           SUM(m.net_cents) AS net_cents,
           COUNT(DISTINCT m.customer_id) AS active_customers
    FROM monthly m
    JOIN first_orders f ON f.customer_id = m.customer_id
    GROUP BY f.cohort_month, m.order_month
)
SELECT c.cohort_month,
       c.month_index,
       c.active_customers,
       c.net_cents,
       ROUND(100.0 * c.net_cents / NULLIF(base.net_cents, 0), 1) AS revenue_retention_pct
FROM cohort_revenue c
JOIN cohort_revenue base
  ON base.cohort_month = c.cohort_month AND base.month_index = 0
WHERE c.cohort_month >= date_trunc('month', now()) - INTERVAL '24 months'
ORDER BY c.cohort_month, c.month_index;
"#;

const SH_SRC: &str = r#"#!/usr/bin/env bash
# Rolls a service out to one region at a time, with a health gate between regions.
set -euo pipefail

SERVICE="${1:?usage: rollout.sh SERVICE VERSION}"
VERSION="${2:?usage: rollout.sh SERVICE VERSION}"
REGIONS=(eu-west us-east ap-south)
HEALTH_TIMEOUT=300

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

wait_healthy() {
  local region=$1 deadline=$(( $(date +%s) + HEALTH_TIMEOUT ))
  while (( $(date +%s) < deadline )); do
    local ready
    ready=$(kubectl --context "$region" -n "$SERVICE" get deploy "$SERVICE" \
      -o jsonpath='{.status.readyReplicas}/{.status.replicas}')
    if [[ "${ready%/*}" == "${ready#*/}" && "${ready%/*}" != "0" ]]; then
      log "$region: $ready ready"
      return 0
    fi
    sleep 10
  done
  return 1
}

for region in "${REGIONS[@]}"; do
  log "deploying $SERVICE $VERSION to $region"
  kubectl --context "$region" -n "$SERVICE" set image "deploy/$SERVICE" \
    "$SERVICE=registry.internal/$SERVICE:$VERSION"
  if ! wait_healthy "$region"; then
    log "$region unhealthy after ${HEALTH_TIMEOUT}s, rolling back"
    kubectl --context "$region" -n "$SERVICE" rollout undo "deploy/$SERVICE"
    exit 1
  fi
  if [[ -n "${SLACK_HOOK:-}" ]]; then
    curl -fsS -X POST -H 'content-type: application/json' \
      -d "{\"text\": \"$SERVICE $VERSION live in $region\"}" "$SLACK_HOOK" >/dev/null
  fi
done
log "done: $SERVICE $VERSION in ${#REGIONS[@]} regions"
"#;

const TREE: &[Source] = &[
    Source { name: "ring.c", fence: "c", quotes: "\"'", renames: &[("ring", "rb"), ("mask", "cap_mask"), ("first", "chunk"), ("round_up_pow2", "next_pow2")], text: C_SRC },
    Source { name: "quota.go", fence: "go", quotes: "\"", renames: &[("bucket", "tokenBucket"), ("tenant", "account"), ("Limiter", "Throttle"), ("cost", "weight")], text: GO_SRC },
    Source { name: "InvoiceCalculator.java", fence: "java", quotes: "\"", renames: &[("subtotal", "gross"), ("tiers", "discountTiers"), ("line", "usage"), ("discount", "reduction")], text: JAVA_SRC },
    Source { name: "syncQueue.ts", fence: "ts", quotes: "\"'`", renames: &[("pending", "queue"), ("batch", "chunk"), ("attempts", "retries"), ("flush", "drain")], text: TS_SRC },
    Source { name: "reconcile.py", fence: "python", quotes: "\"'", renames: &[("entries", "rows"), ("reference", "ref_id"), ("ledger", "books"), ("statement", "bank")], text: PY_SRC },
    Source { name: "ring.rs", fence: "rust", quotes: "\"", renames: &[("points", "vnodes"), ("index", "slot"), ("node", "member"), ("point_hash", "hash_point")], text: RUST_SRC },
    Source { name: "retention.sql", fence: "sql", quotes: "'", renames: &[("cohort_month", "cohort"), ("net_cents", "net"), ("monthly", "per_month"), ("first_orders", "firsts")], text: SQL_SRC },
    Source { name: "rollout.sh", fence: "bash", quotes: "\"'", renames: &[("region", "zone"), ("SERVICE", "APP"), ("wait_healthy", "await_ready"), ("ready", "status")], text: SH_SRC },
];

fn key() -> FingerprintKey {
    FingerprintKey::from_bytes(*b"test-fingerprint")
}

fn company_db() -> FingerprintDb {
    let mut b = DbBuilder::new(key(), BuildOptions::default());
    for s in TREE {
        assert!(b.add_file(s.text) > 0, "{} yields fingerprints", s.name);
    }
    let db = b.build().expect("build");
    // Through the file format, as the extension gets it.
    FingerprintDb::from_bytes(&db.to_bytes()).expect("round trip")
}

fn scan(db: &FingerprintDb, text: &str) -> Vec<FingerprintMatch> {
    db.scan(text, DEFAULT_MIN_MATCHES)
}

// ---------------------------------------------------------------------------------------------
// What users do to code before pasting it.

fn map_lines(text: &str, f: impl Fn(&str) -> String) -> String {
    text.lines().map(f).collect::<Vec<_>>().join("\n")
}

fn indent_of(line: &str) -> (&str, &str) {
    let body = line.trim_start();
    (&line[..line.len() - body.len()], body)
}

/// Indentation halved (4 → 2, a tab → 2 spaces): what a different formatter does.
fn reindent(_: &Source, text: &str) -> String {
    map_lines(text, |l| {
        let (ws, body) = indent_of(l);
        let width: usize = ws.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum();
        format!("{}{body}", " ".repeat(width / 2))
    })
}

/// Tabs become four spaces and runs of four spaces become tabs.
fn swap_tabs(_: &Source, text: &str) -> String {
    map_lines(text, |l| {
        let (ws, body) = indent_of(l);
        let new = if ws.contains('\t') { ws.replace('\t', "    ") } else { ws.replace("    ", "\t") };
        format!("{new}{body}")
    })
}

fn crlf(_: &Source, text: &str) -> String {
    text.replace('\n', "\r\n")
}

/// Whether a trimmed line is a whole-line comment in this fixture.
fn is_comment_line(s: &Source, body: &str) -> bool {
    match s.fence {
        "python" | "bash" => body.starts_with('#') && !body.starts_with("#!"),
        "sql" => body.starts_with("--"),
        _ => body.starts_with("//") || body.starts_with("/*") || body.starts_with("* ") || body == "*" || body.starts_with("*/"),
    }
}

/// The position of a trailing comment on a code line, if any (fixtures keep these simple).
fn trailing_comment(s: &Source, line: &str) -> Option<usize> {
    let marker = match s.fence {
        "python" | "bash" => " # ",
        "sql" => " -- ",
        _ => " // ",
    };
    line.find(marker)
}

fn strip_comments(s: &Source, text: &str) -> String {
    let mut out = Vec::new();
    let mut in_block = false;
    for l in text.lines() {
        let (_, body) = indent_of(l);
        if in_block {
            in_block = !body.contains("*/");
            continue;
        }
        if body.starts_with("/*") && !body.contains("*/") && s.fence != "python" {
            in_block = true;
            continue;
        }
        if is_comment_line(s, body) || (s.fence == "python" && body.starts_with("\"\"\"") && body.len() > 6 && body.ends_with("\"\"\"")) {
            continue;
        }
        out.push(match trailing_comment(s, l) {
            Some(i) => l[..i].to_string(),
            None => l.to_string(),
        });
    }
    out.join("\n")
}

fn change_comments(s: &Source, text: &str) -> String {
    map_lines(text, |l| {
        let (ws, body) = indent_of(l);
        if is_comment_line(s, body) && !body.starts_with("*/") {
            let marker: String = body.chars().take_while(|c| matches!(c, '/' | '*' | '#' | '-' | '!')).collect();
            let close = if body.starts_with("/*") && body.ends_with("*/") { " */" } else { "" };
            format!("{ws}{marker} Reviewed; see the design notes for details.{close}")
        } else {
            l.to_string()
        }
    })
}

/// Whole-word replacement (ASCII word characters), outside nothing in particular: the fixtures'
/// rename lists avoid words that also occur inside strings in a way that matters.
fn rename(text: &str, from: &str, to: &str) -> String {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + from.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(is_word) || after.is_some_and(is_word) {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}

fn rename_identifiers(s: &Source, text: &str) -> String {
    s.renames.iter().fold(text.to_string(), |t, (from, to)| rename(&t, from, to))
}

/// Every number becomes 42 and every letter or digit inside a quoted string becomes `x`.
fn change_literals(s: &Source, text: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q && prev != '\\' => {
                quote = None;
                out.push(c);
            }
            Some(_) if c == '\n' => {
                quote = None;
                out.push(c);
            }
            Some(_) => out.push(if c.is_ascii_alphanumeric() { 'x' } else { c }),
            None if s.quotes.contains(c) => {
                quote = Some(c);
                out.push(c);
            }
            None if c.is_ascii_digit() && !(prev.is_ascii_alphanumeric() || prev == '_' || prev == '.') => {
                while chars.peek().is_some_and(|d| d.is_ascii_alphanumeric() || *d == '.' || *d == '_') {
                    chars.next();
                }
                out.push_str("42");
            }
            None => out.push(c),
        }
        prev = c;
    }
    out
}

fn in_prose(s: &Source, text: &str) -> String {
    format!(
        "Hi! Our build started failing after yesterday's merge and I can't see why. Here is the \
         code from {}:\n\n{}\n\nCan you explain what this does step by step, and suggest a fix? \
         Please keep the public interface the same.",
        s.name, text
    )
}

fn in_fence(s: &Source, text: &str) -> String {
    format!("Review this please:\n\n```{}\n{}```\n", s.fence, text)
}

/// Twelve lines from the middle of the file.
fn fragment(_: &Source, text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len() / 2 - 6;
    lines[start..start + 12].join("\n")
}

/// Everything together: renamed, literals changed, comments stripped, re-indented, CRLF, in a
/// fence inside a prompt.
fn everything(s: &Source, text: &str) -> String {
    let steps: [Transform; 6] = [rename_identifiers, change_literals, strip_comments, reindent, in_fence, in_prose];
    steps.iter().fold(text.to_string(), |t, step| step(s, &t)).replace('\n', "\r\n")
}

/// A transformation of one fixture's text (the fixture says which language it is).
type Transform = fn(&Source, &str) -> String;

const MUST_MATCH: &[(&str, Transform)] = &[
    ("verbatim", |_, text| text.to_string()),
    ("re-indented", reindent),
    ("tabs and spaces swapped", swap_tabs),
    ("CRLF line endings", crlf),
    ("comments stripped", strip_comments),
    ("comments changed", change_comments),
    ("identifiers renamed", rename_identifiers),
    ("literals changed", change_literals),
    ("embedded in a prose prompt", in_prose),
    ("inside a Markdown fence", in_fence),
    ("12-line fragment", fragment),
    ("all of the above at once", everything),
];

#[test]
fn transformed_copies_still_match() {
    let db = company_db();
    let mut failures = Vec::new();
    let mut report = Vec::new();
    for (what, transform) in MUST_MATCH {
        for s in TREE {
            let text = transform(s, s.text);
            assert_ne!(text.trim(), "", "{what} of {} is empty", s.name);
            let m = scan(&db, &text);
            let best = m.iter().map(|m| m.matched).max().unwrap_or(0);
            report.push(format!("{what:28} {:24} spans {} best matched {best}", s.name, m.len()));
            if m.is_empty() {
                failures.push(format!("{what}: {} did not match ({} tokens)\n{text}", s.name, token_count(&text)));
            }
            for span in &m {
                assert!(span.start < span.end && span.end <= text.len(), "{what}/{}: bad range", s.name);
                assert!(span.matched >= DEFAULT_MIN_MATCHES && span.matched <= span.total, "{what}/{}: {span:?}", s.name);
                assert!((0.0..=1.0).contains(&span.score), "{what}/{}: {span:?}", s.name);
            }
        }
    }
    println!("{}", report.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_verbatim_copy_is_covered_end_to_end_and_scores_high() {
    let db = company_db();
    for s in TREE {
        let m = scan(&db, s.text);
        let covered: usize = m.iter().map(|m| m.end - m.start).sum();
        assert!(covered * 10 >= s.text.len() * 7, "{}: {covered} of {} bytes covered: {m:?}", s.name, s.text.len());
        assert!(m.iter().all(|m| m.score >= 0.9), "{}: {m:?}", s.name);
    }
}

#[test]
fn matches_in_a_prompt_point_at_the_code_not_the_prose() {
    let db = company_db();
    for s in TREE {
        let text = in_prose(s, s.text);
        let code_start = text.find(s.text).unwrap();
        let code_end = code_start + s.text.len();
        for m in scan(&db, &text) {
            assert!(m.start >= code_start && m.end <= code_end, "{}: {m:?} outside the code {code_start}..{code_end}", s.name);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What must not match.

const UNRELATED: &[(&str, &str)] = &[
    ("C", r#"#include <stdio.h>
#include <stdlib.h>

struct node { int key; struct node *left, *right; };

static struct node *insert(struct node *root, int key)
{
    if (root == NULL) {
        struct node *n = malloc(sizeof *n);
        n->key = key;
        n->left = n->right = NULL;
        return n;
    }
    if (key < root->key)
        root->left = insert(root->left, key);
    else if (key > root->key)
        root->right = insert(root->right, key);
    return root;
}

static void print_in_order(const struct node *root)
{
    if (!root)
        return;
    print_in_order(root->left);
    printf("%d\n", root->key);
    print_in_order(root->right);
}

int main(int argc, char **argv)
{
    struct node *root = NULL;
    for (int i = 1; i < argc; i++)
        root = insert(root, atoi(argv[i]));
    print_in_order(root);
    return 0;
}
"#),
    ("Go", r#"package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
)

func main() {
	counts := make(map[string]int)
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		for _, word := range strings.Fields(strings.ToLower(scanner.Text())) {
			counts[strings.Trim(word, ".,;:!?")]++
		}
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool { return counts[words[i]] > counts[words[j]] })
	for i, w := range words {
		if i == 10 {
			break
		}
		fmt.Printf("%-20s %d\n", w, counts[w])
	}
}
"#),
    ("Java", r#"package org.sample.library;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

public class Catalog {
    private final Map<String, Book> byIsbn = new HashMap<>();

    public void add(Book book) {
        if (byIsbn.containsKey(book.isbn())) {
            throw new IllegalArgumentException("duplicate isbn " + book.isbn());
        }
        byIsbn.put(book.isbn(), book);
    }

    public Optional<Book> find(String isbn) {
        return Optional.ofNullable(byIsbn.get(isbn));
    }

    public int countByAuthor(String author) {
        int n = 0;
        for (Book b : byIsbn.values()) {
            if (b.author().equalsIgnoreCase(author)) {
                n++;
            }
        }
        return n;
    }

    public boolean lend(String isbn, Member member) {
        Book book = byIsbn.get(isbn);
        if (book == null || book.isOnLoan() || member.loans() >= member.limit()) {
            return false;
        }
        book.setBorrower(member);
        member.addLoan(book);
        return true;
    }
}
"#),
    ("TypeScript", r##"type Todo = { id: number; title: string; done: boolean };

const list = document.querySelector<HTMLUListElement>("#todos")!;
const input = document.querySelector<HTMLInputElement>("#new-todo")!;
let todos: Todo[] = JSON.parse(localStorage.getItem("todos") ?? "[]");

function render(): void {
  list.innerHTML = "";
  for (const todo of todos) {
    const item = document.createElement("li");
    item.textContent = todo.title;
    item.classList.toggle("done", todo.done);
    item.addEventListener("click", () => {
      todo.done = !todo.done;
      save();
    });
    list.appendChild(item);
  }
}

function save(): void {
  localStorage.setItem("todos", JSON.stringify(todos));
  render();
}

input.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || input.value.trim() === "") {
    return;
  }
  todos = [...todos, { id: Date.now(), title: input.value.trim(), done: false }];
  input.value = "";
  save();
});

render();
"##),
    ("Python", r#"import argparse
import json
import urllib.request


def fetch_weather(city, api_key):
    url = f"https://weather.example/v1/current?q={city}&key={api_key}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def format_report(data):
    current = data["current"]
    parts = [
        data["location"]["name"],
        f"{current['temp_c']:.1f} C",
        current["condition"]["text"].lower(),
    ]
    if current.get("wind_kph", 0) > 30:
        parts.append("windy")
    return ", ".join(parts)


def main():
    parser = argparse.ArgumentParser(description="Print the weather.")
    parser.add_argument("cities", nargs="+")
    parser.add_argument("--key", required=True)
    args = parser.parse_args()
    for city in args.cities:
        try:
            print(format_report(fetch_weather(city, args.key)))
        except OSError as error:
            print(f"{city}: {error}")


if __name__ == "__main__":
    main()
"#),
    ("Rust", r#"use std::collections::HashMap;
use std::io::{self, BufRead};

#[derive(Debug)]
enum Command {
    Set(String, i64),
    Get(String),
    Sum,
}

fn parse(line: &str) -> Option<Command> {
    let mut parts = line.split_whitespace();
    match parts.next()? {
        "set" => Some(Command::Set(parts.next()?.to_string(), parts.next()?.parse().ok()?)),
        "get" => Some(Command::Get(parts.next()?.to_string())),
        "sum" => Some(Command::Sum),
        _ => None,
    }
}

fn main() {
    let mut vars: HashMap<String, i64> = HashMap::new();
    for line in io::stdin().lock().lines() {
        let line = line.expect("read stdin");
        match parse(&line) {
            Some(Command::Set(name, value)) => {
                vars.insert(name, value);
            }
            Some(Command::Get(name)) => match vars.get(&name) {
                Some(v) => println!("{v}"),
                None => println!("unset"),
            },
            Some(Command::Sum) => println!("{}", vars.values().sum::<i64>()),
            None => eprintln!("cannot parse: {line}"),
        }
    }
}
"#),
    ("SQL", r#"CREATE TABLE authors (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    born DATE
);

CREATE TABLE books (
    id SERIAL PRIMARY KEY,
    author_id INTEGER NOT NULL REFERENCES authors(id),
    title TEXT NOT NULL,
    published DATE,
    pages INTEGER CHECK (pages > 0)
);

CREATE INDEX books_author_idx ON books (author_id);

INSERT INTO authors (name, born) VALUES ('A. Writer', '1950-01-01');

SELECT a.name,
       COUNT(b.id) AS books,
       AVG(b.pages) AS average_pages
FROM authors a
LEFT JOIN books b ON b.author_id = a.id
GROUP BY a.name
HAVING COUNT(b.id) > 2
ORDER BY books DESC
LIMIT 10;
"#),
    ("shell", r#"#!/bin/sh
# Back up home directories to the NAS, keeping seven daily archives.
set -e

DEST=/mnt/nas/backups
STAMP=$(date +%Y-%m-%d)

mkdir -p "$DEST"
for dir in /home/*; do
    user=$(basename "$dir")
    tar -czf "$DEST/$user-$STAMP.tar.gz" -C /home "$user"
done

ls -1t "$DEST"/*.tar.gz | tail -n +8 | while read -r old; do
    rm -f "$old"
done

echo "backup finished: $(du -sh "$DEST" | cut -f1) used"
"#),
];

const IDIOMS: &[(&str, &str)] = &[
    ("C for loop", "for (int i = 0; i < n; i++) {\n    sum += values[i];\n}\n"),
    ("Java getter and setter", "public String getName() {\n    return name;\n}\n\npublic void setName(String name) {\n    this.name = name;\n}\n"),
    (
        "Go error checks",
        "f, err := os.Open(path)\nif err != nil {\n\treturn err\n}\ndefer f.Close()\ndata, err := io.ReadAll(f)\nif err != nil {\n\treturn err\n}\nif err := json.Unmarshal(data, &cfg); err != nil {\n\treturn err\n}\n",
    ),
    ("Go import block", "import (\n\t\"context\"\n\t\"errors\"\n\t\"fmt\"\n\t\"sync\"\n\t\"time\"\n)\n"),
    ("Java import block", "import java.math.BigDecimal;\nimport java.util.ArrayList;\nimport java.util.List;\nimport java.util.Map;\nimport java.util.Objects;\n"),
    ("Python imports and main guard", "import csv\nimport decimal\nimport os\nimport sys\n\n\nif __name__ == \"__main__\":\n    main()\n"),
    ("Rust derive and struct", "#[derive(Debug, Clone, PartialEq, Eq)]\npub struct Point {\n    pub x: i64,\n    pub y: i64,\n}\n"),
    (
        "licence header",
        "/*\n * Licensed under the Apache License, Version 2.0 (the \"License\");\n * you may not use this file except in compliance with the License.\n * You may obtain a copy of the License at\n *\n *     http://www.apache.org/licenses/LICENSE-2.0\n *\n * Unless required by applicable law or agreed to in writing, software\n * distributed under the License is distributed on an \"AS IS\" BASIS.\n */\n// SPDX-License-Identifier: Apache-2.0\n# Copyright (c) Example Corp. All rights reserved.\n",
    ),
    ("shell strict mode", "#!/usr/bin/env bash\nset -euo pipefail\nIFS=$'\\n\\t'\n"),
    ("SQL select", "SELECT id, name, email FROM users WHERE id = $1;\n"),
];

const PROSE: &str = "Can you help me write a cover letter for a job as a data analyst? I have three \
years of experience with dashboards, some SQL, and I led a project where we cut the monthly \
reporting time from four days to one. The company is in logistics, they care about reliability \
and clear communication. Please keep it under three hundred words, friendly but not too casual, \
and mention that I am available to start in the spring. If possible, end with a short sentence \
about why I want to work in logistics in particular, for example that I like seeing how small \
improvements to a route or a schedule add up over a whole year of deliveries.";

#[test]
fn unrelated_code_idioms_and_prose_do_not_match() {
    let db = company_db();
    let mut failures = Vec::new();
    let negatives = UNRELATED.iter().chain(IDIOMS).map(|(n, t)| (*n, t.to_string())).chain([
        ("English prose", PROSE.to_string()),
        ("English prose, ten times", PROSE.repeat(10)),
        ("every idiom together", IDIOMS.iter().map(|(_, t)| *t).collect::<Vec<_>>().join("\n")),
        ("each idiom twenty times", IDIOMS.iter().map(|(_, t)| t.repeat(20)).collect::<Vec<_>>().join("\n")),
    ]);
    for (name, text) in negatives {
        let m = scan(&db, &text);
        if !m.is_empty() {
            let spans: Vec<String> = m.iter().map(|m| format!("{m:?}: {:?}", &text[m.start..m.end])).collect();
            failures.push(format!("{name} matched:\n{}", spans.join("\n")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Lists that two codebases easily share: long, regular, a handful of token kinds.
const JAVA_IMPORTS: &str = "import java.io.BufferedInputStream;\nimport java.io.IOException;\nimport java.io.InputStream;\nimport java.net.CookieStore;\nimport java.net.Proxy;\nimport java.net.URL;\nimport java.util.Collection;\nimport java.util.List;\nimport java.util.Map;\nimport org.jsoup.helper.DataUtil;\nimport org.jsoup.helper.HttpConnection;\nimport org.jsoup.nodes.Document;\nimport org.jsoup.parser.Parser;\nimport org.jsoup.safety.Cleaner;\nimport org.jsoup.safety.Safelist;\n";
const PYTHON_ALL: &str = "__all__ = [\n    \"Attribute\",\n    \"AttrsInstance\",\n    \"Converter\",\n    \"Factory\",\n    \"NOTHING\",\n    \"asdict\",\n    \"assoc\",\n    \"astuple\",\n    \"attr\",\n    \"attrib\",\n    \"attributes\",\n    \"attrs\",\n    \"cmp_using\",\n    \"converters\",\n    \"define\",\n    \"evolve\",\n    \"exceptions\",\n    \"field\",\n    \"fields\",\n    \"fields_dict\",\n]\n";

#[test]
fn shared_lists_are_not_code() {
    // The company tree has these lists too: each is in the database, verbatim.
    let mut b = DbBuilder::new(key(), BuildOptions::default());
    for s in TREE {
        b.add_file(s.text);
    }
    for list in [JAVA_IMPORTS, PYTHON_ALL] {
        b.add_file(list);
    }
    let db = b.build().unwrap();
    for list in [JAVA_IMPORTS, PYTHON_ALL] {
        let hits = fingerprints(list, db.key()).iter().filter(|f| db.contains(f.hash)).count();
        assert!(hits >= DEFAULT_MIN_MATCHES, "the list is in the database ({hits} fingerprints)");
        assert!(vocabulary(list) < MIN_VOCABULARY, "{list}");
        assert!(scan(&db, list).is_empty(), "a list is not evidence of a leak:\n{list}");
    }
    // The same database still finds the code of the tree, lists around it or not.
    for s in TREE.iter().filter(|s| s.text.len() > 400) {
        assert!(!scan(&db, s.text).is_empty(), "{}", s.name);
        let wrapped = format!("{JAVA_IMPORTS}\n{}\n{PYTHON_ALL}", s.text);
        assert!(!scan(&db, &wrapped).is_empty(), "{} between lists", s.name);
    }
}

#[test]
fn generic_code_passed_as_common_is_removed_from_the_database() {
    // The same tree, but the admin also passed the SQL file as "generic" code.
    let mut b = DbBuilder::new(key(), BuildOptions::default());
    for s in TREE {
        b.add_file(s.text);
    }
    b.add_common(SQL_SRC);
    let db = b.build().unwrap();
    assert!(db.stats().removed_common > 0);
    assert!(scan(&db, SQL_SRC).is_empty());
    assert!(!scan(&db, GO_SRC).is_empty());
}

#[test]
fn fingerprints_in_too_many_files_are_boilerplate() {
    // Five copies of one file among six files: in more than 10% (and more than 2) of the files.
    let mut b = DbBuilder::new(key(), BuildOptions::default());
    for _ in 0..5 {
        b.add_file(GO_SRC);
    }
    b.add_file(RUST_SRC);
    let db = b.build().unwrap();
    assert!(db.stats().removed_boilerplate > 0);
    assert!(scan(&db, GO_SRC).is_empty());
    assert!(!scan(&db, RUST_SRC).is_empty());
    assert_eq!(db.stats().files, 6);
}

// ---------------------------------------------------------------------------------------------
// The winnowing guarantee, through the public API.

#[test]
fn a_shared_run_of_w_plus_k_minus_1_tokens_shares_a_fingerprint() {
    // Statements of exactly four tokens each (`name = literal ;`, with names varying), so runs
    // of any length can be cut on token boundaries.
    let statement = |i: usize| format!("v{} = {};\n", i % 7, i * 3);
    assert_eq!(token_count(&statement(1)), 4);
    let words = |from: usize, tokens: usize| -> String {
        let mut s: String = (from..from + tokens / 4).map(statement).collect();
        s += ["", "x\n", "x =\n", "x = 1\n"][tokens % 4];
        s
    };
    let needed = W + K - 1;
    let shared = words(100, needed);
    assert_eq!(token_count(&shared), needed);
    // Different, unrelated surroundings (their own statements can't line up with the run).
    let a = format!("fn setup() {{ return; }}\n{shared}while (true) {{ break; }}\n");
    let b = format!("SELECT * FROM t WHERE 1 = 2;\n{shared}{{ [ ( ) ] }}\n");
    let fa: Vec<u64> = fingerprints(&a, &key()).iter().map(|f| f.hash).collect();
    let common: Vec<_> = fingerprints(&b, &key()).into_iter().filter(|f| fa.contains(&f.hash)).collect();
    assert!(!common.is_empty(), "a run of W + K - 1 = {needed} tokens shares no fingerprint");
    let shared_at = b.find(&shared).unwrap();
    assert!(common.iter().all(|f| f.start >= shared_at && f.end <= shared_at + shared.len()));
}

#[test]
fn fingerprint_ranges_are_original_byte_ranges() {
    let text = "  x\u{a0}=\u{a0}'ü'  ;\r\n".repeat(40);
    for f in fingerprints(&text, &key()) {
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end) && f.start < f.end);
    }
    assert!(!fingerprints(&text, &key()).is_empty());
    let a = fingerprints(GO_SRC, &key());
    let b = fingerprints(GO_SRC, &FingerprintKey::from_bytes([9; 16]));
    assert_eq!(a.len(), b.len(), "the key changes the hashes, not the selection");
    assert!(a.iter().zip(&b).all(|(x, y)| x.hash != y.hash && x.start == y.start));
}

// ---------------------------------------------------------------------------------------------
// The database file.

/// 64-bit FNV-1a, for the golden test (independent of the format's own checksum).
fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

fn fixed_db() -> FingerprintDb {
    let key = FingerprintKey::from_bytes(*b"0123456789abcdef");
    let hashes = (0u64..1000).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5555);
    let stats = BuildStats { files: 12, bytes: 34_567, skipped: 3, removed_common: 4, removed_boilerplate: 5 };
    FingerprintDb::build(key, hashes, stats).unwrap()
}

#[test]
fn golden_format() {
    let bytes = fixed_db().to_bytes();
    assert_eq!(&bytes[..8], b"\x89AIGFP\r\n");
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), FORMAT_VERSION);
    assert_eq!(
        (bytes.len(), fnv64(&bytes)),
        (2932, 0x87C9_36D7_21DA_5223),
        "the database bytes for a fixed key and fixed hashes changed. If the layout changed on \
         purpose, bump FORMAT_VERSION in db.rs (and NORMALISATION in mod.rs if fingerprints of the \
         same text changed) and update this constant; if the filter library was upgraded, check \
         that it still reads files written by the previous version before updating it"
    );
}

#[test]
fn round_trip_keeps_everything() {
    let db = fixed_db();
    let back = FingerprintDb::from_bytes(&db.to_bytes()).unwrap();
    assert_eq!(back.len(), 1000);
    assert_eq!(back.key(), db.key());
    assert_eq!(back.stats(), db.stats());
    assert_eq!(back.to_bytes(), db.to_bytes());
    for i in 0u64..1000 {
        assert!(back.contains(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5555));
    }
    assert_eq!(db.byte_len(), db.to_bytes().len());
}

#[test]
fn bytes_per_fingerprint() {
    let key = FingerprintKey::from_bytes([1; 16]);
    let n = 1_000_000u64;
    let db = FingerprintDb::build(key, (0..n).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)), BuildStats::default()).unwrap();
    let per = db.byte_len() as f64 / n as f64;
    println!("{per:.3} bytes per fingerprint at {n} fingerprints");
    assert!(per <= 2.5, "{per}");
    let started = std::time::Instant::now();
    let bytes = db.to_bytes();
    let _ = FingerprintDb::from_bytes(&bytes).unwrap();
    println!("to_bytes + from_bytes: {:?} (debug build)", started.elapsed());
}

#[test]
fn empty_and_tiny_databases_work() {
    for n in [0u64, 1, 2, 3] {
        let db = FingerprintDb::build(key(), 0..n, BuildStats::default()).unwrap();
        let back = FingerprintDb::from_bytes(&db.to_bytes()).unwrap();
        assert_eq!(back.len(), n as usize);
        assert!(back.scan(GO_SRC, 1).is_empty() || n > 0);
    }
    let db = DbBuilder::new(key(), BuildOptions::default()).build().unwrap();
    assert!(db.is_empty());
    assert!(db.scan(GO_SRC, DEFAULT_MIN_MATCHES).is_empty());
}

fn with_crc(mut bytes: Vec<u8>) -> Vec<u8> {
    let body = bytes.len() - 4;
    let crc = crc32(&bytes[..body]);
    bytes[body..].copy_from_slice(&crc.to_le_bytes());
    bytes
}

/// CRC-32 (IEEE), bit by bit: the test's own, to forge files whose checksum is right.
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |mut c, &b| {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
        }
        c
    })
}

#[test]
fn bad_files_are_rejected_with_a_specific_error() {
    let good = fixed_db().to_bytes();
    let set = |at: usize, v: &[u8]| {
        let mut b = good.clone();
        b[at..at + v.len()].copy_from_slice(v);
        b
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "truncated at byte 0"),
        ("text", b"hello, this is not a database at all".to_vec(), "not an AIGuard fingerprint database"),
        ("JSON", br#"{"version": 1}"#.to_vec(), "not an AIGuard fingerprint database"),
        ("magic only", good[..8].to_vec(), "truncated at byte 8"),
        ("half a header", good[..60].to_vec(), "truncated at byte 60"),
        ("header only", good[..112].to_vec(), "truncated at byte 112"),
        ("last byte missing", good[..good.len() - 1].to_vec(), "truncated at byte"),
        ("a byte too many", [good.clone(), vec![0]].concat(), "1 unexpected bytes after its checksum"),
        ("text-mode copy", [b"\x89AIGFP\n".as_slice(), &good[8..]].concat(), "line endings were converted"),
        ("future version", set(8, &2u16.to_le_bytes()), "unsupported fingerprint database format version 2"),
        ("flipped filter bit", set(200, &[good[200] ^ 1]), "checksum mismatch"),
        ("huge entry count", set(108, &u32::MAX.to_le_bytes()), "truncated at byte"),
        ("other normalisation", with_crc(set(12, &99u16.to_le_bytes())), "token normalisation 99"),
        ("other K", with_crc(set(14, &3u16.to_le_bytes())), "K=3"),
        ("unknown flags", with_crc(set(10, &1u16.to_le_bytes())), "unsupported fingerprint database flags"),
        ("reserved bytes", with_crc(set(20, &[1])), "reserved"),
        ("segment length not a power of two", with_crc(set(96, &3u32.to_le_bytes())), "power of two"),
        ("mask mismatch", with_crc(set(100, &0u32.to_le_bytes())), "mask"),
        ("segments past the entries", with_crc(set(104, &(1u32 << 30).to_le_bytes())), "fewer entries"),
        ("count above capacity", with_crc(set(24, &u64::MAX.to_le_bytes())), "claims"),
    ];
    for (name, bytes, want) in cases {
        match FingerprintDb::from_bytes(&bytes) {
            Ok(_) => panic!("{name}: accepted"),
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains(want), "{name}: {msg:?} should say {want:?}");
                let _: &dyn std::error::Error = &e;
            }
        }
    }
    assert_eq!(FingerprintDb::from_bytes(&[]).unwrap_err(), DbError::Truncated { at: 0, needed: 116 });
}

#[test]
fn no_input_makes_from_bytes_panic() {
    let good = fixed_db().to_bytes();
    let mut state = 0x1234_5678_9abc_def0u64;
    let mut rand = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // Every truncation.
    for n in 0..good.len() {
        assert!(FingerprintDb::from_bytes(&good[..n]).is_err(), "prefix of {n} bytes accepted");
    }
    // Garbage of every small size, and random header fields with a valid checksum (the CRC is
    // no defence against a crafted file: the field checks must hold on their own).
    for n in 0..300 {
        let garbage: Vec<u8> = (0..n).map(|_| rand() as u8).collect();
        let _ = FingerprintDb::from_bytes(&garbage);
    }
    for _ in 0..3000 {
        let mut b = good.clone();
        for _ in 0..1 + rand() % 4 {
            let at = (rand() % 112) as usize;
            b[at] = rand() as u8;
        }
        let b = with_crc(b);
        if let Ok(db) = FingerprintDb::from_bytes(&b) {
            // Whatever was accepted must be safe to use.
            let _ = db.scan(RUST_SRC, 1);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile and odd input: bounded time, no panic.

#[test]
fn odd_input_is_handled() {
    let db = company_db();
    let mut state = 99u64;
    let mut rand = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) as u8
    };
    let binary: Vec<u8> = (0..200_000).map(|_| rand()).collect();
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("binary decoded lossily", String::from_utf8_lossy(&binary).into_owned()),
        ("NUL bytes", "\0".repeat(10_000)),
        // (A file with `//` comments would be one comment once flattened: TS_SRC has none.)
        ("one long line of code", TS_SRC.replace('\n', " ").repeat(200)),
        ("unclosed comment", format!("/* {}", GO_SRC.repeat(50))),
        ("unclosed string", format!("\"{}", RUST_SRC.repeat(50))),
        ("unclosed docstring", format!("\"\"\"{}", PY_SRC.repeat(50))),
        ("many openers", "/* \"\"\" ''' ` r#\" ' \" ".repeat(20_000)),
        ("deep punctuation", "({[".repeat(100_000)),
        ("one huge literal", format!("\"{}\"", "a".repeat(1 << 20))),
        ("a table of zeros", "0, ".repeat(300_000)),
        ("non-ASCII", "变量 = 函数(参数); ".repeat(20_000)),
    ];
    for (name, text) in cases {
        let started = std::time::Instant::now();
        let m = db.scan(&text, DEFAULT_MIN_MATCHES);
        let n = fingerprints(&text, &key()).len();
        assert!(started.elapsed().as_secs() < 20, "{name}: {:?}", started.elapsed());
        assert!(n <= text.len(), "{name}");
        if name == "one long line of code" {
            assert!(!m.is_empty(), "a file flattened to one line still matches");
        }
    }
}

#[test]
fn a_50_mb_single_line_is_linear() {
    // Time per byte of 5 MB and of 50 MB must be about the same (generous bound: debug build,
    // shared machine).
    let db = company_db();
    let unit = TS_SRC.replace('\n', " ");
    let time = |bytes: usize| {
        let text = unit.repeat(bytes / unit.len() + 1);
        let started = std::time::Instant::now();
        let _ = db.scan(&text, DEFAULT_MIN_MATCHES);
        started.elapsed().as_secs_f64() / text.len() as f64
    };
    let small = time(5 << 20);
    let large = time(50 << 20);
    assert!(large < small * 3.0, "per byte: {small:e} s at 5 MB, {large:e} s at 50 MB");
}

// ---------------------------------------------------------------------------------------------
// The whole scan, with every detector.

#[test]
fn a_large_text_scanned_on_several_threads_reports_what_one_thread_does() {
    use aiguard_engine::content::scanner::PARALLEL_MIN_BYTES;
    let mut engine = aiguard_engine::Engine::from_policy_json(
        r#"{"version": 1, "rules": [], "content": {"markers": [{"id": "c", "action": "warn", "terms": ["ACME CONFIDENTIAL"]}]}}"#,
    )
    .unwrap();
    engine.set_fingerprints(Some(company_db()));
    // Company files, unrelated code and prose, with a credential and a marker in every round.
    let mut text = String::new();
    let mut round = 0;
    while text.len() < 2 * PARALLEL_MIN_BYTES {
        let s = &TREE[round % TREE.len()];
        text.push_str(&format!("Round {round}: ACME CONFIDENTIAL\nGITHUB_TOKEN={}{round:06}\n", concat!("ghp_", "R8xq2LmV7tNcP4wZ0kYb9HsD3fJ6gA")));
        text.push_str(s.text);
        text.push_str(UNRELATED[round % UNRELATED.len()].1);
        text.push_str(PROSE);
        round += 1;
    }
    let one = engine.content().scan_on_one_thread(&text);
    let two = engine.scan(&text);
    for detector in ["fingerprint", "secret", "keyword"] {
        let n = one.findings.iter().filter(|f| serde_json::to_value(f.detector).unwrap() == detector).count();
        assert!(n >= round / 2, "{detector}: {n} findings in {round} rounds");
    }
    assert_eq!(two, one);
}

#[test]
fn a_large_text_without_a_line_start_to_split_at_is_scanned_whole() {
    // The parts of a split scan start at line starts: a long one-line paste (minified code, a
    // log line) has none, and is one part.
    use aiguard_engine::content::scanner::PARALLEL_MIN_BYTES;
    let mut engine = aiguard_engine::Engine::from_policy_json(r#"{"version": 1, "rules": []}"#).unwrap();
    engine.set_fingerprints(Some(company_db()));
    let mut text = String::new();
    let mut round = 0;
    while text.len() < 2 * PARALLEL_MIN_BYTES {
        text.push_str(&TREE[round % TREE.len()].text.replace('\n', " "));
        round += 1;
    }
    assert_eq!(engine.scan(&text), engine.content().scan_on_one_thread(&text));
}
