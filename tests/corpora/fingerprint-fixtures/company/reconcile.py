#!/usr/bin/env python3
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
