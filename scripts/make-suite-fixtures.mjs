#!/usr/bin/env node
// Builds suite-v1's W5 agent trace (fixtures/w5-agent-trace.json) from the small Python project and
// the scripted conversation below. Run once when authoring a suite; the committed fixture files are
// the source of truth, and their digests are pinned in suite.json and in the suite tests. Re-running
// this script and committing different bytes means a new suite version (METHODOLOGY §10).
//
//   node scripts/make-suite-fixtures.mjs            writes the trace, prints its size
//
// The project (a tiny expense-splitting library with two bugs) and every message are written for
// llm-speed. Nothing here is copied from elsewhere.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'packages/framework/suites/suite-v1/fixtures/w5-agent-trace.json');

const MONEY_PY = String.raw`"""Money helpers for tally.

All amounts are kept as integer cents. Floats are only accepted at the edges (parsing user input)
and are converted immediately, so that sums of many small expenses never drift.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation, ROUND_HALF_UP
from typing import Iterable, Sequence

CURRENCY_SYMBOLS = {"EUR": "\u20ac", "USD": "$", "GBP": "\u00a3", "CHF": "CHF "}


class MoneyError(ValueError):
    """Raised when an amount cannot be parsed or allocated."""


def to_cents(value: str | int | float | Decimal) -> int:
    """Convert user input such as "12.5", "12,50" or 12.5 to integer cents.

    Commas are accepted as decimal separators because half of our users type them.
    Amounts are rounded half-up to the nearest cent.
    """
    if isinstance(value, int):
        return value * 100
    text = str(value).strip().replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    cents = (amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return int(cents)


def format_amount(cents: int, currency: str = "EUR") -> str:
    """Format integer cents for display, e.g. 1234 -> "\u20ac12.34"."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    whole = cents // 100
    frac = cents % 100
    return f"{symbol}{whole}.{frac:02d}"


def allocate(total: int, weights: Sequence[int | float]) -> list[int]:
    """Split total cents in proportion to weights.

    The shares must add up to total exactly: a ledger that loses or invents a cent on every
    split quickly stops balancing.
    """
    if not weights:
        raise MoneyError("cannot allocate to nobody")
    if any(w < 0 for w in weights):
        raise MoneyError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise MoneyError("at least one weight must be positive")
    return [round(total * w / weight_sum) for w in weights]


def split_evenly(total: int, people: int) -> list[int]:
    """Split total cents between people as evenly as possible."""
    if people <= 0:
        raise MoneyError("need at least one person")
    return allocate(total, [1] * people)


def total_of(amounts: Iterable[int]) -> int:
    """Sum integer cents, refusing floats that would hide rounding errors."""
    result = 0
    for amount in amounts:
        if not isinstance(amount, int):
            raise MoneyError(f"amounts must be integer cents, got {amount!r}")
        result += amount
    return result
`;

const MONEY_PY_FIXED_ALLOCATE = String.raw`def allocate(total: int, weights: Sequence[int | float]) -> list[int]:
    """Split total cents in proportion to weights.

    The shares must add up to total exactly: a ledger that loses or invents a cent on every
    split quickly stops balancing. We use the largest-remainder method: every share gets the
    floor of its exact value, and the cents left over go one by one to the shares with the
    largest fractional parts (ties go to the earlier share, so the result is deterministic).
    """
    if not weights:
        raise MoneyError("cannot allocate to nobody")
    if any(w < 0 for w in weights):
        raise MoneyError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise MoneyError("at least one weight must be positive")
    exact = [Decimal(total) * Decimal(str(w)) / Decimal(str(weight_sum)) for w in weights]
    shares = [int(x.to_integral_value(rounding="ROUND_FLOOR")) for x in exact]
    leftover = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:leftover]:
        shares[i] += 1
    return shares
`;

const MONEY_PY_FIXED_FORMAT = String.raw`def format_amount(cents: int, currency: str = "EUR") -> str:
    """Format integer cents for display, e.g. 1234 -> "\u20ac12.34" and -5 -> "-\u20ac0.05".

    Python's floor division rounds towards minus infinity (-5 // 100 == -1), so the sign is
    handled separately and the digits are computed from the absolute value.
    """
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{symbol}{whole}.{frac:02d}"
`;

const LEDGER_PY = String.raw`"""The ledger: who paid what, for whom, and what everyone owes."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from .money import MoneyError, allocate, format_amount, to_cents, total_of


@dataclass(frozen=True)
class Expense:
    """One payment. shares maps each participant to their weight (1 each for an even split)."""

    description: str
    paid_by: str
    amount: int
    shares: dict[str, float]
    on: date = field(default_factory=date.today)
    currency: str = "EUR"

    def portions(self) -> dict[str, int]:
        """How many cents of this expense each participant carries."""
        names = sorted(self.shares)
        cents = allocate(self.amount, [self.shares[n] for n in names])
        return dict(zip(names, cents))


class Ledger:
    """A group's shared expenses in one currency."""

    def __init__(self, members: Iterable[str], currency: str = "EUR") -> None:
        self.members = list(dict.fromkeys(members))
        if len(self.members) < 2:
            raise ValueError("a ledger needs at least two members")
        self.currency = currency
        self.expenses: list[Expense] = []

    def add(self, description: str, paid_by: str, amount: str | int | float,
            among: Iterable[str] | None = None, weights: dict[str, float] | None = None) -> Expense:
        """Record an expense. Without among/weights it is split evenly between all members."""
        if paid_by not in self.members:
            raise ValueError(f"{paid_by} is not a member of this ledger")
        cents = to_cents(amount)
        if cents <= 0:
            raise MoneyError("an expense must be positive")
        if weights is None:
            people = list(among) if among is not None else self.members
            weights = {p: 1 for p in people}
        unknown = sorted(set(weights) - set(self.members))
        if unknown:
            raise ValueError(f"not members of this ledger: {', '.join(unknown)}")
        expense = Expense(description, paid_by, cents, dict(weights), currency=self.currency)
        self.expenses.append(expense)
        return expense

    def balances(self) -> dict[str, int]:
        """Positive: the group owes this member. Negative: this member owes the group."""
        balance: dict[str, int] = defaultdict(int)
        for expense in self.expenses:
            balance[expense.paid_by] += expense.amount
            for name, portion in expense.portions().items():
                balance[name] -= portion
        result = {m: balance.get(m, 0) for m in self.members}
        if total_of(result.values()) != 0:
            raise AssertionError(f"ledger does not balance: {result}")
        return result

    def spent_by(self, member: str) -> int:
        """Total cents this member actually carries across all expenses."""
        return total_of(e.portions().get(member, 0) for e in self.expenses)

    def summary(self) -> list[str]:
        """One line per member, e.g. "Ana: +\u20ac12.00"."""
        lines = []
        for member, cents in self.balances().items():
            sign = "+" if cents > 0 else ""
            lines.append(f"{member}: {sign}{format_amount(cents, self.currency)}")
        return lines
`;

const SETTLE_PY = String.raw`"""Turn balances into a short list of transfers that settles the group."""
from __future__ import annotations

from dataclasses import dataclass

from .money import format_amount


@dataclass(frozen=True)
class Transfer:
    payer: str
    payee: str
    amount: int

    def describe(self, currency: str = "EUR") -> str:
        return f"{self.payer} pays {self.payee} {format_amount(self.amount, currency)}"


def settle(balances: dict[str, int]) -> list[Transfer]:
    """Greedy settlement: the largest debtor pays the largest creditor until everyone is even.

    This needs at most n - 1 transfers for n people. It is not always the minimum number of
    transfers (that problem is NP-hard in general), but it is simple, deterministic and what
    our users expect to see.
    """
    if sum(balances.values()) != 0:
        raise ValueError("balances must sum to zero")
    debtors = sorted(((-c, n) for n, c in balances.items() if c < 0), reverse=True)
    creditors = sorted(((c, n) for n, c in balances.items() if c > 0), reverse=True)
    debtors = [[c, n] for c, n in debtors]
    creditors = [[c, n] for c, n in creditors]
    transfers: list[Transfer] = []
    i = j = 0
    while i < len(debtors) and j < len(creditors):
        owed, debtor = debtors[i]
        due, creditor = creditors[j]
        amount = min(owed, due)
        transfers.append(Transfer(debtor, creditor, amount))
        debtors[i][0] -= amount
        creditors[j][0] -= amount
        if debtors[i][0] == 0:
            i += 1
        if creditors[j][0] == 0:
            j += 1
    return transfers


def settlement_report(balances: dict[str, int], currency: str = "EUR") -> str:
    """A plain-text report: balances first, then the transfers."""
    lines = ["Balances:"]
    for name in sorted(balances):
        lines.append(f"  {name:<10} {format_amount(balances[name], currency):>12}")
    lines.append("Transfers:")
    transfers = settle(balances)
    if not transfers:
        lines.append("  nobody owes anything")
    for t in transfers:
        lines.append("  " + t.describe(currency))
    return "\n".join(lines)
`;

const TEST_MONEY_PY = String.raw`import pytest

from tally.money import MoneyError, allocate, format_amount, split_evenly, to_cents, total_of


@pytest.mark.parametrize(
    "text, cents",
    [("12", 1200), ("12.5", 1250), ("12,50", 1250), (" 0.01 ", 1), ("0.005", 1), ("1 234.56", 123456)],
)
def test_to_cents_parses_user_input(text, cents):
    assert to_cents(text) == cents


def test_to_cents_rejects_garbage():
    with pytest.raises(MoneyError):
        to_cents("twelve")


def test_format_amount_positive():
    assert format_amount(1234) == "\u20ac12.34"
    assert format_amount(5, "USD") == "$0.05"
    assert format_amount(100, "SEK") == "SEK 1.00"


def test_format_amount_negative():
    assert format_amount(-5) == "-\u20ac0.05"
    assert format_amount(-1234) == "-\u20ac12.34"


@pytest.mark.parametrize("total, people", [(100, 3), (1000, 7), (1, 2), (99999, 13), (0, 4)])
def test_split_evenly_keeps_every_cent(total, people):
    shares = split_evenly(total, people)
    assert sum(shares) == total
    assert max(shares) - min(shares) <= 1


def test_split_evenly_is_deterministic():
    assert split_evenly(100, 3) == [34, 33, 33]


def test_allocate_by_weight():
    assert allocate(1000, [1, 1, 2]) == [250, 250, 500]
    assert sum(allocate(1001, [1, 1, 2])) == 1001


def test_allocate_rejects_bad_weights():
    with pytest.raises(MoneyError):
        allocate(100, [])
    with pytest.raises(MoneyError):
        allocate(100, [1, -1])
    with pytest.raises(MoneyError):
        allocate(100, [0, 0])


def test_total_of_refuses_floats():
    with pytest.raises(MoneyError):
        total_of([100, 0.5])
`;

const TEST_LEDGER_PY = String.raw`import pytest

from tally.ledger import Ledger
from tally.settle import settle, settlement_report


def make_trip():
    ledger = Ledger(["Ana", "Ben", "Chloe"])
    ledger.add("cabin", "Ana", "300")
    ledger.add("groceries", "Ben", "100")
    ledger.add("fuel", "Chloe", "45.50", among=["Ana", "Chloe"])
    return ledger


def test_balances_sum_to_zero():
    assert sum(make_trip().balances().values()) == 0


def test_balances_for_the_trip():
    assert make_trip().balances() == {"Ana": 14391, "Ben": -3333, "Chloe": -11058}


def test_uneven_three_way_split_balances():
    ledger = Ledger(["Ana", "Ben", "Chloe"])
    ledger.add("pizza", "Ana", "10")
    assert ledger.balances() == {"Ana": 666, "Ben": -333, "Chloe": -333}


def test_weighted_split():
    ledger = Ledger(["Ana", "Ben"])
    ledger.add("hotel", "Ben", "90", weights={"Ana": 2, "Ben": 1})
    assert ledger.balances() == {"Ana": -6000, "Ben": 6000}


def test_unknown_member_is_rejected():
    ledger = Ledger(["Ana", "Ben"])
    with pytest.raises(ValueError, match="not a member"):
        ledger.add("taxi", "Dan", "20")


def test_settle_pays_everyone_back():
    balances = make_trip().balances()
    transfers = settle(balances)
    received = {name: 0 for name in balances}
    for t in transfers:
        received[t.payer] += t.amount
        received[t.payee] -= t.amount
    assert all(balances[n] + received[n] == 0 for n in balances)
    assert len(transfers) <= len(balances) - 1


def test_settlement_report():
    report = settlement_report(make_trip().balances())
    assert report.splitlines() == [
        "Balances:",
        "  Ana             \u20ac143.91",
        "  Ben             -\u20ac33.33",
        "  Chloe          -\u20ac110.58",
        "Transfers:",
        "  Chloe pays Ana \u20ac110.58",
        "  Ben pays Ana \u20ac33.33",
    ]
`;

const README_MD = String.raw`# tally

Split shared expenses between friends, flatmates or travel groups, and work out who pays whom.

tally is a small pure-Python library (no dependencies) used by our group-expenses web app and by
a command-line tool that some of us run on trips. It keeps every amount as integer cents, so that
a ledger with hundreds of small expenses still balances to the cent.

## Concepts

- **Ledger**: a group of members and the expenses they share, in one currency.
- **Expense**: one payment. Whoever paid is credited with the full amount; the participants are
  charged their portions. By default an expense is split evenly between all members; you can pass
  among=[...] to split it between some of them, or weights={...} for uneven splits (for example
  a hotel room shared 2:1).
- **Balance**: positive when the group owes the member money, negative when the member owes the
  group. The balances of a ledger always sum to zero; the ledger checks this on every call.
- **Settlement**: a short list of transfers that brings every balance back to zero. We use a
  greedy algorithm (largest debtor pays largest creditor), which needs at most n - 1 transfers.

## Example

    from tally.ledger import Ledger
    from tally.settle import settlement_report

    trip = Ledger(["Ana", "Ben", "Chloe"])
    trip.add("cabin", "Ana", "300")
    trip.add("groceries", "Ben", "100")
    trip.add("fuel", "Chloe", "45.50", among=["Ana", "Chloe"])
    print(settlement_report(trip.balances()))

## Rounding rules

Amounts are parsed with Decimal and rounded half-up to the nearest cent. When an expense cannot be
split exactly, the leftover cents go to the participants that come first in alphabetical order,
one cent each. Nobody is ever charged more than one cent above their exact share, and the shares
of an expense always add up to the amount that was paid.

## Development

    python -m venv .venv && . .venv/bin/activate
    pip install -e ".[test]"
    pytest

Please keep the money helpers free of floats: convert user input with to_cents() at the edge and
work in integer cents everywhere else. Every bug fix needs a test that fails without it.
`;

const PYPROJECT_TOML = String.raw`[project]
name = "tally"
version = "0.4.2"
description = "Split shared expenses and settle up, to the cent."
requires-python = ">=3.10"
dependencies = []

[project.optional-dependencies]
test = ["pytest>=8"]

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "-ra"
`;

const PYTEST_RUN_1 = String.raw`======================================= test session starts ========================================
platform linux -- Python 3.11.7, pytest-9.0.3, pluggy-1.6.0 -- /home/dev/tally/.venv/bin/python3
rootdir: /home/dev/tally
configfile: pyproject.toml
testpaths: tests
collecting ... collected 25 items

tests/test_ledger.py::test_balances_sum_to_zero FAILED                                       [  4%]
tests/test_ledger.py::test_balances_for_the_trip FAILED                                      [  8%]
tests/test_ledger.py::test_uneven_three_way_split_balances FAILED                            [ 12%]
tests/test_ledger.py::test_weighted_split PASSED                                             [ 16%]
tests/test_ledger.py::test_unknown_member_is_rejected PASSED                                 [ 20%]
tests/test_ledger.py::test_settle_pays_everyone_back FAILED                                  [ 24%]
tests/test_ledger.py::test_settlement_report FAILED                                          [ 28%]
tests/test_money.py::test_to_cents_parses_user_input[12-1200] PASSED                         [ 32%]
tests/test_money.py::test_to_cents_parses_user_input[12.5-1250] PASSED                       [ 36%]
tests/test_money.py::test_to_cents_parses_user_input[12,50-1250] PASSED                      [ 40%]
tests/test_money.py::test_to_cents_parses_user_input[ 0.01 -1] PASSED                        [ 44%]
tests/test_money.py::test_to_cents_parses_user_input[0.005-1] PASSED                         [ 48%]
tests/test_money.py::test_to_cents_parses_user_input[1 234.56-123456] PASSED                 [ 52%]
tests/test_money.py::test_to_cents_rejects_garbage PASSED                                    [ 56%]
tests/test_money.py::test_format_amount_positive PASSED                                      [ 60%]
tests/test_money.py::test_format_amount_negative FAILED                                      [ 64%]
tests/test_money.py::test_split_evenly_keeps_every_cent[100-3] FAILED                        [ 68%]
tests/test_money.py::test_split_evenly_keeps_every_cent[1000-7] FAILED                       [ 72%]
tests/test_money.py::test_split_evenly_keeps_every_cent[1-2] FAILED                          [ 76%]
tests/test_money.py::test_split_evenly_keeps_every_cent[99999-13] FAILED                     [ 80%]
tests/test_money.py::test_split_evenly_keeps_every_cent[0-4] PASSED                          [ 84%]
tests/test_money.py::test_split_evenly_is_deterministic FAILED                               [ 88%]
tests/test_money.py::test_allocate_by_weight FAILED                                          [ 92%]
tests/test_money.py::test_allocate_rejects_bad_weights PASSED                                [ 96%]
tests/test_money.py::test_total_of_refuses_floats PASSED                                     [100%]

============================================= FAILURES =============================================
____________________________________ test_balances_sum_to_zero _____________________________________

    def test_balances_sum_to_zero():
>       assert sum(make_trip().balances().values()) == 0
                   ^^^^^^^^^^^^^^^^^^^^^^

tests/test_ledger.py:16: 
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ 

self = <tally.ledger.Ledger object at 0x7f8266357510>

    def balances(self) -> dict[str, int]:
        """Positive: the group owes this member. Negative: this member owes the group."""
        balance: dict[str, int] = defaultdict(int)
        for expense in self.expenses:
            balance[expense.paid_by] += expense.amount
            for name, portion in expense.portions().items():
                balance[name] -= portion
        result = {m: balance.get(m, 0) for m in self.members}
        if total_of(result.values()) != 0:
>           raise AssertionError(f"ledger does not balance: {result}")
E           AssertionError: ledger does not balance: {'Ana': 14392, 'Ben': -3333, 'Chloe': -11058}

tally/ledger.py:67: AssertionError
____________________________________ test_balances_for_the_trip ____________________________________

    def test_balances_for_the_trip():
>       assert make_trip().balances() == {"Ana": 14391, "Ben": -3333, "Chloe": -11058}
               ^^^^^^^^^^^^^^^^^^^^^^

tests/test_ledger.py:20: 
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ 

self = <tally.ledger.Ledger object at 0x7f826656b950>

    def balances(self) -> dict[str, int]:
        """Positive: the group owes this member. Negative: this member owes the group."""
        balance: dict[str, int] = defaultdict(int)
        for expense in self.expenses:
            balance[expense.paid_by] += expense.amount
            for name, portion in expense.portions().items():
                balance[name] -= portion
        result = {m: balance.get(m, 0) for m in self.members}
        if total_of(result.values()) != 0:
>           raise AssertionError(f"ledger does not balance: {result}")
E           AssertionError: ledger does not balance: {'Ana': 14392, 'Ben': -3333, 'Chloe': -11058}

tally/ledger.py:67: AssertionError
_______________________________ test_uneven_three_way_split_balances _______________________________

    def test_uneven_three_way_split_balances():
        ledger = Ledger(["Ana", "Ben", "Chloe"])
        ledger.add("pizza", "Ana", "10")
>       assert ledger.balances() == {"Ana": 666, "Ben": -333, "Chloe": -333}
               ^^^^^^^^^^^^^^^^^

tests/test_ledger.py:26: 
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ 

self = <tally.ledger.Ledger object at 0x7f8266b11810>

    def balances(self) -> dict[str, int]:
        """Positive: the group owes this member. Negative: this member owes the group."""
        balance: dict[str, int] = defaultdict(int)
        for expense in self.expenses:
            balance[expense.paid_by] += expense.amount
            for name, portion in expense.portions().items():
                balance[name] -= portion
        result = {m: balance.get(m, 0) for m in self.members}
        if total_of(result.values()) != 0:
>           raise AssertionError(f"ledger does not balance: {result}")
E           AssertionError: ledger does not balance: {'Ana': 667, 'Ben': -333, 'Chloe': -333}

tally/ledger.py:67: AssertionError
__________________________________ test_settle_pays_everyone_back __________________________________

    def test_settle_pays_everyone_back():
>       balances = make_trip().balances()
                   ^^^^^^^^^^^^^^^^^^^^^^

tests/test_ledger.py:42: 
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ 

self = <tally.ledger.Ledger object at 0x7f82664dfe50>

    def balances(self) -> dict[str, int]:
        """Positive: the group owes this member. Negative: this member owes the group."""
        balance: dict[str, int] = defaultdict(int)
        for expense in self.expenses:
            balance[expense.paid_by] += expense.amount
            for name, portion in expense.portions().items():
                balance[name] -= portion
        result = {m: balance.get(m, 0) for m in self.members}
        if total_of(result.values()) != 0:
>           raise AssertionError(f"ledger does not balance: {result}")
E           AssertionError: ledger does not balance: {'Ana': 14392, 'Ben': -3333, 'Chloe': -11058}

tally/ledger.py:67: AssertionError
______________________________________ test_settlement_report ______________________________________

    def test_settlement_report():
>       report = settlement_report(make_trip().balances())
                                   ^^^^^^^^^^^^^^^^^^^^^^

tests/test_ledger.py:53: 
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ 

self = <tally.ledger.Ledger object at 0x7f8266313710>

    def balances(self) -> dict[str, int]:
        """Positive: the group owes this member. Negative: this member owes the group."""
        balance: dict[str, int] = defaultdict(int)
        for expense in self.expenses:
            balance[expense.paid_by] += expense.amount
            for name, portion in expense.portions().items():
                balance[name] -= portion
        result = {m: balance.get(m, 0) for m in self.members}
        if total_of(result.values()) != 0:
>           raise AssertionError(f"ledger does not balance: {result}")
E           AssertionError: ledger does not balance: {'Ana': 14392, 'Ben': -3333, 'Chloe': -11058}

tally/ledger.py:67: AssertionError
___________________________________ test_format_amount_negative ____________________________________

    def test_format_amount_negative():
>       assert format_amount(-5) == "-\u20ac0.05"
E       AssertionError: assert '€-1.95' == '-€0.05'
E         
E         - -€0.05
E         + €-1.95

tests/test_money.py:26: AssertionError
____________________________ test_split_evenly_keeps_every_cent[100-3] _____________________________

total = 100, people = 3

    @pytest.mark.parametrize("total, people", [(100, 3), (1000, 7), (1, 2), (99999, 13), (0, 4)])
    def test_split_evenly_keeps_every_cent(total, people):
        shares = split_evenly(total, people)
>       assert sum(shares) == total
E       assert 99 == 100
E        +  where 99 = sum([33, 33, 33])

tests/test_money.py:33: AssertionError
____________________________ test_split_evenly_keeps_every_cent[1000-7] ____________________________

total = 1000, people = 7

    @pytest.mark.parametrize("total, people", [(100, 3), (1000, 7), (1, 2), (99999, 13), (0, 4)])
    def test_split_evenly_keeps_every_cent(total, people):
        shares = split_evenly(total, people)
>       assert sum(shares) == total
E       assert 1001 == 1000
E        +  where 1001 = sum([143, 143, 143, 143, 143, 143, ...])

tests/test_money.py:33: AssertionError
_____________________________ test_split_evenly_keeps_every_cent[1-2] ______________________________

total = 1, people = 2

    @pytest.mark.parametrize("total, people", [(100, 3), (1000, 7), (1, 2), (99999, 13), (0, 4)])
    def test_split_evenly_keeps_every_cent(total, people):
        shares = split_evenly(total, people)
>       assert sum(shares) == total
E       assert 0 == 1
E        +  where 0 = sum([0, 0])

tests/test_money.py:33: AssertionError
___________________________ test_split_evenly_keeps_every_cent[99999-13] ___________________________

total = 99999, people = 13

    @pytest.mark.parametrize("total, people", [(100, 3), (1000, 7), (1, 2), (99999, 13), (0, 4)])
    def test_split_evenly_keeps_every_cent(total, people):
        shares = split_evenly(total, people)
>       assert sum(shares) == total
E       assert 99996 == 99999
E        +  where 99996 = sum([7692, 7692, 7692, 7692, 7692, 7692, ...])

tests/test_money.py:33: AssertionError
________________________________ test_split_evenly_is_deterministic ________________________________

    def test_split_evenly_is_deterministic():
>       assert split_evenly(100, 3) == [34, 33, 33]
E       AssertionError: assert [33, 33, 33] == [34, 33, 33]
E         
E         At index 0 diff: 33 != 34
E         
E         Full diff:
E           [
E         -     34,
E         ?      ^...
E         
E         ...Full output truncated (5 lines hidden), use '-vv' to show

tests/test_money.py:38: AssertionError
_____________________________________ test_allocate_by_weight ______________________________________

    def test_allocate_by_weight():
        assert allocate(1000, [1, 1, 2]) == [250, 250, 500]
>       assert sum(allocate(1001, [1, 1, 2])) == 1001
E       assert 1000 == 1001
E        +  where 1000 = sum([250, 250, 500])
E        +    where [250, 250, 500] = allocate(1001, [1, 1, 2])

tests/test_money.py:43: AssertionError
===================================== short test summary info ======================================
FAILED tests/test_ledger.py::test_balances_sum_to_zero - AssertionError: ledger does not balance:...
FAILED tests/test_ledger.py::test_balances_for_the_trip - AssertionError: ledger does not balance...
FAILED tests/test_ledger.py::test_uneven_three_way_split_balances - AssertionError: ledger does n...
FAILED tests/test_ledger.py::test_settle_pays_everyone_back - AssertionError: ledger does not bal...
FAILED tests/test_ledger.py::test_settlement_report - AssertionError: ledger does not balance: {'...
FAILED tests/test_money.py::test_format_amount_negative - AssertionError: assert '€-1.95' == '-€0...
FAILED tests/test_money.py::test_split_evenly_keeps_every_cent[100-3] - assert 99 == 100
FAILED tests/test_money.py::test_split_evenly_keeps_every_cent[1000-7] - assert 1001 == 1000
FAILED tests/test_money.py::test_split_evenly_keeps_every_cent[1-2] - assert 0 == 1
FAILED tests/test_money.py::test_split_evenly_keeps_every_cent[99999-13] - assert 99996 == 99999
FAILED tests/test_money.py::test_split_evenly_is_deterministic - AssertionError: assert [33, 33, ...
FAILED tests/test_money.py::test_allocate_by_weight - assert 1000 == 1001
================================== 12 failed, 13 passed in 2.14s ===================================
`;

const PYTEST_RUN_2 = String.raw`======================================= test session starts ========================================
platform linux -- Python 3.11.7, pytest-9.0.3, pluggy-1.6.0 -- /home/dev/tally/.venv/bin/python3
rootdir: /home/dev/tally
configfile: pyproject.toml
testpaths: tests
collecting ... collected 25 items

tests/test_ledger.py::test_balances_sum_to_zero PASSED                                       [  4%]
tests/test_ledger.py::test_balances_for_the_trip PASSED                                      [  8%]
tests/test_ledger.py::test_uneven_three_way_split_balances PASSED                            [ 12%]
tests/test_ledger.py::test_weighted_split PASSED                                             [ 16%]
tests/test_ledger.py::test_unknown_member_is_rejected PASSED                                 [ 20%]
tests/test_ledger.py::test_settle_pays_everyone_back PASSED                                  [ 24%]
tests/test_ledger.py::test_settlement_report FAILED                                          [ 28%]
tests/test_money.py::test_to_cents_parses_user_input[12-1200] PASSED                         [ 32%]
tests/test_money.py::test_to_cents_parses_user_input[12.5-1250] PASSED                       [ 36%]
tests/test_money.py::test_to_cents_parses_user_input[12,50-1250] PASSED                      [ 40%]
tests/test_money.py::test_to_cents_parses_user_input[ 0.01 -1] PASSED                        [ 44%]
tests/test_money.py::test_to_cents_parses_user_input[0.005-1] PASSED                         [ 48%]
tests/test_money.py::test_to_cents_parses_user_input[1 234.56-123456] PASSED                 [ 52%]
tests/test_money.py::test_to_cents_rejects_garbage PASSED                                    [ 56%]
tests/test_money.py::test_format_amount_positive PASSED                                      [ 60%]
tests/test_money.py::test_format_amount_negative FAILED                                      [ 64%]
tests/test_money.py::test_split_evenly_keeps_every_cent[100-3] PASSED                        [ 68%]
tests/test_money.py::test_split_evenly_keeps_every_cent[1000-7] PASSED                       [ 72%]
tests/test_money.py::test_split_evenly_keeps_every_cent[1-2] PASSED                          [ 76%]
tests/test_money.py::test_split_evenly_keeps_every_cent[99999-13] PASSED                     [ 80%]
tests/test_money.py::test_split_evenly_keeps_every_cent[0-4] PASSED                          [ 84%]
tests/test_money.py::test_split_evenly_is_deterministic PASSED                               [ 88%]
tests/test_money.py::test_allocate_by_weight PASSED                                          [ 92%]
tests/test_money.py::test_allocate_rejects_bad_weights PASSED                                [ 96%]
tests/test_money.py::test_total_of_refuses_floats PASSED                                     [100%]

============================================= FAILURES =============================================
______________________________________ test_settlement_report ______________________________________

    def test_settlement_report():
        report = settlement_report(make_trip().balances())
>       assert report.splitlines() == [
            "Balances:",
            "  Ana             \u20ac143.91",
            "  Ben             -\u20ac33.33",
            "  Chloe          -\u20ac110.58",
            "Transfers:",
            "  Chloe pays Ana \u20ac110.58",
            "  Ben pays Ana \u20ac33.33",
        ]
E       AssertionError: assert ['Balances:',...€110.58', ...] == ['Balances:',...€110.58', ...]
E         
E         At index 2 diff: '  Ben             €-34.67' != '  Ben             -€33.33'
E         
E         Full diff:
E           [
E               'Balances:',
E               '  Ana             €143.91',...
E         
E         ...Full output truncated (12 lines hidden), use '-vv' to show

tests/test_ledger.py:54: AssertionError
___________________________________ test_format_amount_negative ____________________________________

    def test_format_amount_negative():
>       assert format_amount(-5) == "-\u20ac0.05"
E       AssertionError: assert '€-1.95' == '-€0.05'
E         
E         - -€0.05
E         + €-1.95

tests/test_money.py:26: AssertionError
===================================== short test summary info ======================================
FAILED tests/test_ledger.py::test_settlement_report - AssertionError: assert ['Balances:',...€110...
FAILED tests/test_money.py::test_format_amount_negative - AssertionError: assert '€-1.95' == '-€0...
=================================== 2 failed, 23 passed in 1.91s ===================================
`;

const PYTEST_RUN_3 = String.raw`======================================= test session starts ========================================
platform linux -- Python 3.11.7, pytest-9.0.3, pluggy-1.6.0 -- /home/dev/tally/.venv/bin/python3
rootdir: /home/dev/tally
configfile: pyproject.toml
testpaths: tests
collecting ... collected 25 items

tests/test_ledger.py::test_balances_sum_to_zero PASSED                                       [  4%]
tests/test_ledger.py::test_balances_for_the_trip PASSED                                      [  8%]
tests/test_ledger.py::test_uneven_three_way_split_balances PASSED                            [ 12%]
tests/test_ledger.py::test_weighted_split PASSED                                             [ 16%]
tests/test_ledger.py::test_unknown_member_is_rejected PASSED                                 [ 20%]
tests/test_ledger.py::test_settle_pays_everyone_back PASSED                                  [ 24%]
tests/test_ledger.py::test_settlement_report PASSED                                          [ 28%]
tests/test_money.py::test_to_cents_parses_user_input[12-1200] PASSED                         [ 32%]
tests/test_money.py::test_to_cents_parses_user_input[12.5-1250] PASSED                       [ 36%]
tests/test_money.py::test_to_cents_parses_user_input[12,50-1250] PASSED                      [ 40%]
tests/test_money.py::test_to_cents_parses_user_input[ 0.01 -1] PASSED                        [ 44%]
tests/test_money.py::test_to_cents_parses_user_input[0.005-1] PASSED                         [ 48%]
tests/test_money.py::test_to_cents_parses_user_input[1 234.56-123456] PASSED                 [ 52%]
tests/test_money.py::test_to_cents_rejects_garbage PASSED                                    [ 56%]
tests/test_money.py::test_format_amount_positive PASSED                                      [ 60%]
tests/test_money.py::test_format_amount_negative PASSED                                      [ 64%]
tests/test_money.py::test_split_evenly_keeps_every_cent[100-3] PASSED                        [ 68%]
tests/test_money.py::test_split_evenly_keeps_every_cent[1000-7] PASSED                       [ 72%]
tests/test_money.py::test_split_evenly_keeps_every_cent[1-2] PASSED                          [ 76%]
tests/test_money.py::test_split_evenly_keeps_every_cent[99999-13] PASSED                     [ 80%]
tests/test_money.py::test_split_evenly_keeps_every_cent[0-4] PASSED                          [ 84%]
tests/test_money.py::test_split_evenly_is_deterministic PASSED                               [ 88%]
tests/test_money.py::test_allocate_by_weight PASSED                                          [ 92%]
tests/test_money.py::test_allocate_rejects_bad_weights PASSED                                [ 96%]
tests/test_money.py::test_total_of_refuses_floats PASSED                                     [100%]

======================================== 25 passed in 1.50s ========================================
`;

const SYSTEM = String.raw`You are a coding agent working in a checked-out Python repository. You can call tools by writing a single JSON object inside <tool_call></tool_call> tags, and you will receive each tool's result in a tool message. Available tools:

- list_files {"path": string}: list the files under a directory, one per line.
- read_file {"path": string}: return the full contents of a text file.
- write_file {"path": string, "content": string}: replace a file with new contents. Always send the complete file.
- run_tests {"args": string}: run pytest with the given arguments from the repository root and return its output.

Rules: read code before changing it; keep changes minimal and explain the cause of each bug before fixing it; never weaken or delete a test to make it pass; run the tests after every change; when everything passes, summarise what you changed and why.`;

const TASK =
  String.raw`Our expense-splitting library "tally" has started failing its test suite after someone refactored the money helpers. Users also report that a three-way split of a 10 euro pizza loses a cent, and that negative balances are displayed with strange amounts such as "\u20ac-1.95" for someone who owes five cents. Please find the causes, fix them in the library code (not in the tests), and make sure the whole suite passes. The repository root is the current directory; the package is in tally/ and the tests are in tests/.`.replaceAll(
    '\\u20ac',
    '\u20ac',
  );

const LIST = String.raw`pyproject.toml
README.md
tally/__init__.py
tally/ledger.py
tally/money.py
tally/settle.py
tests/test_ledger.py
tests/test_money.py`;

const call = (name, args) => `<tool_call>\n${JSON.stringify({ name, arguments: args })}\n</tool_call>`;
const tool = (name, content) => ({ role: 'tool', name, content });
const user = (content) => ({ role: 'user', content });

function replaceFunction(source, replacement) {
  const name = /^def (\w+)/.exec(replacement)[1];
  const start = source.indexOf(`def ${name}(`);
  const end = source.indexOf('\n\n\ndef ', start);
  if (start < 0 || end < 0) throw new Error(`no function ${name}`);
  return source.slice(0, start) + replacement.trimEnd() + source.slice(end);
}
const MONEY_PY_STEP1 = replaceFunction(MONEY_PY, MONEY_PY_FIXED_ALLOCATE);
const MONEY_PY_STEP2 = replaceFunction(MONEY_PY_STEP1, MONEY_PY_FIXED_FORMAT);

const turns = [
  {
    append: [user(TASK)],
    assistant: `I'll start with the repository layout and the README, to learn the intended rounding rules before touching anything.\n${call('list_files', { path: '.' })}\n${call('read_file', { path: 'README.md' })}`,
  },
  {
    append: [tool('list_files', LIST), tool('read_file', README_MD)],
    assistant: `The README states the rules clearly: amounts are integer cents, the shares of an expense must add up to the amount paid, and leftover cents go to the first participants alphabetically, one cent each. Let me run the suite to see exactly what fails before reading any code.\n${call('run_tests', { args: '-v' })}`,
  },
  {
    append: [tool('run_tests', PYTEST_RUN_1)],
    assistant: `Twelve failures, and they fall into two groups:\n\n1. Splits that do not add up: split_evenly(100, 3) returns [33, 33, 33] (99 cents), split_evenly(1000, 7) returns 1001 cents, and every ledger test that builds the trip fails the ledger's balance check for the same reason.\n2. format_amount(-5) returns "\u20ac-1.95" instead of "-\u20ac0.05".\n\nBoth point at tally/money.py, so I'll read it first.\n${call('read_file', { path: 'tally/money.py' })}`,
  },
  {
    append: [tool('read_file', MONEY_PY)],
    assistant: `Found the first cause. allocate() rounds every share independently with round(total * w / weight_sum). Independent rounding cannot guarantee that the shares add up to the total: 100/3 rounds down three times and loses a cent, 1000/7 = 142.857 rounds up seven times and invents one. The fix is the largest-remainder method: floor every share, then hand out the leftover cents one at a time to the shares with the largest fractional parts, breaking ties by position so that split_evenly(100, 3) == [34, 33, 33] as the tests expect.\n\nThe second cause is in format_amount(): cents // 100 floors towards minus infinity, so -5 // 100 is -1 and -5 % 100 is 95, giving "\u20ac-1.95". I'll read the tests and the callers before changing anything.\n${call('read_file', { path: 'tests/test_money.py' })}`,
  },
  {
    append: [tool('read_file', TEST_MONEY_PY)],
    assistant: `The tests confirm the intended behaviour: shares must sum to the total, differ by at most one cent, and be deterministic with the extra cents going to the earliest shares. Let me check how the ledger and the settlement code use these helpers, so the fix doesn't break them.\n${call('read_file', { path: 'tally/ledger.py' })}\n${call('read_file', { path: 'tally/settle.py' })}`,
  },
  {
    append: [tool('read_file', LEDGER_PY), tool('read_file', SETTLE_PY)],
    assistant: `Expense.portions() calls allocate() with the participants sorted by name, and balances() asserts that the totals cancel out, which is why the ledger tests fail with "ledger does not balance". settle() only relies on balances summing to zero. Nothing depends on the old rounding, so I'll fix allocate() first, on its own, and run the tests.\n${call('write_file', { path: 'tally/money.py', content: MONEY_PY_STEP1 })}`,
  },
  {
    append: [tool('write_file', `wrote ${Buffer.byteLength(MONEY_PY_STEP1)} bytes to tally/money.py`)],
    assistant: `${call('run_tests', { args: '-v' })}`,
  },
  {
    append: [tool('run_tests', PYTEST_RUN_2)],
    assistant: `The allocation fix resolved ten of the twelve failures. The two that remain look like the negative formatting bug: test_format_amount_negative directly, and test_settlement_report, which prints Ben's balance of -3333 cents as "\u20ac-34.67". Before changing format_amount() I'll read the ledger tests, to be sure the expected report really wants the sign before the currency symbol.\n${call('read_file', { path: 'tests/test_ledger.py' })}`,
  },
  {
    append: [tool('read_file', TEST_LEDGER_PY)],
    assistant: `Yes: the report expects "-\u20ac33.33" and "-\u20ac110.58", the same convention as test_format_amount_negative, so one change fixes both. I'll make format_amount() handle the sign separately and compute the digits with divmod on the absolute value.\n${call('write_file', { path: 'tally/money.py', content: MONEY_PY_STEP2 })}`,
  },
  {
    append: [tool('write_file', `wrote ${Buffer.byteLength(MONEY_PY_STEP2)} bytes to tally/money.py`)],
    assistant: `${call('run_tests', { args: '-v' })}`,
  },
  {
    append: [tool('run_tests', PYTEST_RUN_3)],
    assistant: `All 25 tests pass. Summary of the changes, both in tally/money.py:\n\n1. allocate() now uses the largest-remainder method. Rounding every share on its own could lose or invent a cent (100 cents between 3 people came out as 99), which also made Ledger.balances() fail its balance check. Shares now always add up to the total, differ by at most one cent for an even split, and the extra cents go to the earliest shares so results are deterministic, as the README promises.\n2. format_amount() now formats the sign separately. Floor division on negative numbers turned -5 cents into "\u20ac-1.95"; it now prints "-\u20ac0.05".\n\nNo tests were changed.`,
  },
];

// --pin SUITE_DIR rewrites the "fixtures" digests of SUITE_DIR/suite.json from the fixture bytes
// (text substitution, so the file's layout stays as written). Pinning is deliberate: run it only
// when a new suite version is authored.
const pinAt = process.argv.indexOf('--pin');
if (pinAt > 0) {
  const dir = process.argv[pinAt + 1];
  const file = join(dir, 'suite.json');
  let text = readFileSync(file, 'utf8');
  for (const name of Object.keys(JSON.parse(text).fixtures)) {
    const digest = createHash('sha256')
      .update(readFileSync(join(dir, 'fixtures', name)))
      .digest('hex');
    const pattern = new RegExp(`("${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}": ")[0-9a-f]{64}(")`);
    if (!pattern.test(text)) throw new Error(`no digest entry for ${name} in ${file}`);
    text = text.replace(pattern, `$1${digest}$2`);
    console.log(`${name} ${digest}`);
  }
  writeFileSync(file, text);
  process.exit(0);
}

// --project DIR STEP writes the project as it stands before the first fix (0), after the allocate
// fix (1) or after both fixes (2), so the pytest outputs above can be checked against a real run.
const projectAt = process.argv.indexOf('--project');
if (projectAt > 0) {
  const dir = process.argv[projectAt + 1];
  const step = Number(process.argv[projectAt + 2] ?? 0);
  const files = {
    'README.md': README_MD,
    'pyproject.toml': PYPROJECT_TOML,
    'tally/__init__.py': '',
    'tally/money.py': [MONEY_PY, MONEY_PY_STEP1, MONEY_PY_STEP2][step],
    'tally/ledger.py': LEDGER_PY,
    'tally/settle.py': SETTLE_PY,
    'tests/test_money.py': TEST_MONEY_PY,
    'tests/test_ledger.py': TEST_LEDGER_PY,
  };
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  console.log(`wrote the project at step ${step} to ${dir}`);
  process.exit(0);
}

const trace = {
  description:
    "W5 agent-trace: a coding agent fixing two bugs in a small Python library. Each turn appends its messages, the model generates, then the fixed assistant message is appended so the next turn's prefix is the same bytes on every machine.",
  system: SYSTEM,
  turns,
};
// ASCII-only file bytes (non-ASCII characters as JSON \u escapes): no editor or checkout can re-encode it.
const text = JSON.stringify(trace, null, 2).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
writeFileSync(out, text);
console.log(`wrote ${out}: ${turns.length} turns, ${Buffer.byteLength(text)} bytes`);
