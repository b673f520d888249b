"""Write a large synthetic legs file (CSV or NDJSON) for the batch command and bench/batch.py.

    python examples/generate.py 1000000 -o /tmp/legs.csv [--format ndjson] [--seed 7]

The rows mix what real travel lists hold: wanted people under several spellings and scripts,
people with no warrant, countries as names, codes and aliases, stays of a day to a few weeks
between 2015 and 2027, all three modes, and a small share of bad rows (unknown countries, bad
dates) that the batch must answer with error records. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

PEOPLE = [
    "Vladimir Putin",
    "Путин",
    "V. Putin",
    "Benjamin Netanyahu",
    "Netanyahu",
    "נתניהו",
    "Yoav Gallant",
    "Omar al-Bashir",
    "عمر البشير",
    "Joseph Kony",
    "Sergei Shoigu",
    "Valery Gerasimov",
    "Maria Lvova-Belova",
    "Ahmad Harun",
    "Saif al-Islam Gaddafi",
    "Rodrigo Duterte",
    "Haibatullah Akhundzada",
    "Iyad Ag Ghaly",
    "Emmanuel Macron",
    "Jane Doe",
    "Olaf Scholz",
    "Xi Jinping",
    "Narendra Modi",
    "Luiz Inacio Lula da Silva",
]
COUNTRIES = [
    "Japan",
    "JP",
    "Mongolia",
    "MNG",
    "Hungary",
    "Germany",
    "France",
    "United States",
    "USA",
    "UK",
    "Ukraine",
    "South Africa",
    "Tajikistan",
    "China",
    "India",
    "Brazil",
    "Argentina",
    "Sudan",
    "Libya",
    "Philippines",
    "Netherlands",
    "Greenland",
    "Hong Kong",
    "Ivory Coast",
    "DRC",
    "Türkiye",
    "Burundi",
    "Kenya",
    "Chad",
    "Jordan",
    "Israel",
    "Palestine",
    "Italy",
]
BAD_COUNTRIES = ["Atlantis", "Congo", "Narnia"]
MODES = ["visit"] * 6 + ["transit"] * 2 + ["overflight"] * 2
START = dt.date(2015, 1, 1).toordinal()
END = dt.date(2027, 12, 31).toordinal()


def rows(n: int, seed: int, bad_share: float) -> Iterator[list[str]]:
    rng = random.Random(seed)
    for i in range(n):
        person = rng.choice(PEOPLE)
        country = rng.choice(COUNTRIES)
        arrive = dt.date.fromordinal(rng.randint(START, END))
        depart = arrive + dt.timedelta(days=rng.choice([0, 0, 1, 2, 3, 7, 14, 30]))
        arrive_text, depart_text = arrive.isoformat(), depart.isoformat()
        if rng.random() < bad_share:
            if rng.random() < 0.5:
                country = rng.choice(BAD_COUNTRIES)
            else:
                arrive_text = rng.choice(["2024-13-01", "0", "yesterday"])
        yield [f"leg-{i + 1}", person, country, arrive_text, depart_text, rng.choice(MODES)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--format", choices=["csv", "ndjson"], default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad-share", type=float, default=0.01)
    args = parser.parse_args()
    fmt = args.format or ("ndjson" if args.output.suffix in (".ndjson", ".jsonl") else "csv")
    header = ["id", "person", "country", "arrive", "depart", "mode"]
    with args.output.open("w", encoding="utf-8", newline="") as out:
        if fmt == "csv":
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows(args.rows, args.seed, args.bad_share))
        else:
            for row in rows(args.rows, args.seed, args.bad_share):
                out.write(
                    json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False) + "\n"
                )
    sys.stderr.write(f"wrote {args.rows:,} legs to {args.output} ({fmt})\n")


if __name__ == "__main__":
    main()
