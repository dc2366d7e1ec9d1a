"""Create a data file with N realistic users, fast (one transaction, bulk insert).

    python bench/make_users.py 200000 users-200k.db

Names, departments, phone numbers (mostly +1, some European), methods, modes, enabled flags,
sources and change times are drawn from a fixed seed, so every run makes the same file. Users get
no PIN (hashing one per user would dominate the time and is not what the benches measure).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul "
    "Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy "
    "Stephanie Ronald Rebecca Jason Laura Edward Helen Jeffrey Sharon Ryan Cynthia Jacob Kathleen "
    "Gary Amy Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda Larry Pamela Justin Emma "
    "Scott Nicole Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra Alexander "
    "Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia Dennis Heather Jerry Diane "
    "Tyler Julie Aaron Joyce Jose Victoria Adam Ruth Nathan Virginia Henry Lauren Zachary Kelly "
    "Douglas Christina Peter Joan Kyle Evelyn Noah Judith Ethan Andrea Jeremy Hannah Walter "
    "Cheryl Christian Megan Keith Jacqueline Roger Martha Terry Madison Austin Teresa Sean Gloria "
    "Gerald Sara Carl Janice Harold Ann Dylan Kathryn Arthur Abigail Lawrence Sophia Jordan "
    "Frances Jesse Jean Bryan Alice Billy Judy Bruce Isabella Gabriel Julia Joe Grace Logan Amber "
    "Albert Denise Willie Danielle Alan Marilyn Eugene Beverly Russell Charlotte Vincent Natalie "
    "Wayne Theresa Roy Diana Ralph Brittany Bobby Doris Johnny Kayla Philip Alexis Louis Lori "
    "Søren Zoë José Renée Björn Ömer"
)
LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
    "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson "
    "Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell "
    "Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson "
    "Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera "
    "Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez "
    "McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns "
    "Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt "
    "Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer "
    "Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant "
    "Dunn Kelley Spencer Hawkins Arnold Pierce Hansen Peters Santos Hart Bradley Knight Elliott "
    "Müller Schäfer O'Brien Østergaard Nakamura Kowalski Dubois Rossi"
)
DOMAINS = ("contoso.com", "fabrikam.com", "northwind.example", "adatum.net")
GROUPS = [
    *_words(
        "Sales Marketing Engineering Finance Support Operations Legal HR IT Research Facilities "
        "Executive Procurement Logistics Security"
    ),
    "",
]
METHOD_MODES = (
    ("phone-call", "standard", 40),
    ("phone-call", "pin", 8),
    ("text-message", "otp", 20),
    ("text-message", "otp-pin", 4),
    ("text-message", "two-way-otp", 3),
    ("mobile-app", "standard", 18),
    ("mobile-app", "pin", 3),
    ("oath-token", "standard", 4),
)
AREA_CODES = (201, 206, 212, 213, 303, 312, 404, 415, 425, 469, 503, 512, 617, 702, 713, 917)
COLUMNS = _words(
    "username username_key first_name last_name email user_group phone extension backup_phone "
    "backup_extension method mode pin_hash pin_change_required pin_changed_at pin_history "
    "language_phone_call language_text_message language_mobile_app language_oath_token enabled "
    "source directory_id dn created_at updated_at updated_by version"
)


def _phone(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.85:
        return f"+1{rng.choice(AREA_CODES)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
    if roll < 0.92:
        return f"+4420{rng.randint(7000, 8999)}{rng.randint(0, 9999):04d}"
    return f"+4930{rng.randint(1000000, 9999999)}"


def user_rows(count: int, seed: int = 7) -> list[tuple[object, ...]]:
    rng = random.Random(seed)
    weights = [w for _m, _mode, w in METHOD_MODES]
    start = datetime(2023, 1, 1)
    rows = []
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        domain = DOMAINS[n % len(DOMAINS)]
        local = f"{first}.{last}".lower().replace("'", "")
        username = f"{local}{n}@{domain}" if n >= 50 else f"{local}@{domain}"
        method, mode, _w = rng.choices(METHOD_MODES, weights)[0]
        has_phone = method in ("phone-call", "text-message") or rng.random() < 0.6
        phone = _phone(rng) if has_phone else None
        extension = str(rng.randint(100, 9999)) if phone and rng.random() < 0.1 else ""
        backup = _phone(rng) if phone and rng.random() < 0.2 else None
        directory = rng.random() < 0.7
        created = start + timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
        updated = created + timedelta(minutes=rng.randint(0, 90 * 24 * 60))
        language = "en" if rng.random() < 0.9 else rng.choice(("fr", "de", "es", "ja"))
        rows.append(
            (
                username,
                username.lower(),
                first,
                last,
                username if rng.random() < 0.9 else "",
                rng.choice(GROUPS),
                phone,
                extension,
                backup,
                "",
                method,
                mode,
                None,
                False,
                None,
                "[]",
                language,
                language,
                language,
                language,
                rng.random() < 0.9,
                "directory" if directory else "manual",
                f"{n:08x}-0000-4000-8000-{rng.getrandbits(48):012x}" if directory else None,
                f"CN={first} {last},OU={rng.choice(GROUPS) or 'Staff'},DC=contoso,DC=com"
                if directory
                else None,
                f"{created:%Y-%m-%d %H:%M:%S.%f}",  # as SQLAlchemy stores datetimes
                f"{updated:%Y-%m-%d %H:%M:%S.%f}",
                "bench",
                1,
            )
        )
    return rows


def make_users(count: int, path: Path) -> float:
    """Create ``path`` (which must not exist) with ``count`` users; returns the seconds taken."""
    from mfa_console.core.db import open_database

    began = time.perf_counter()
    db = open_database(path)
    placeholders = ", ".join("?" for _ in COLUMNS)
    sql = f"INSERT INTO users ({', '.join(COLUMNS)}) VALUES ({placeholders})"
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA cache_size=-400000")
        cursor.execute("BEGIN IMMEDIATE")
        # Indexes and triggers are dropped during the insert and made again afterwards (the same
        # SQL the migrations wrote): building an index from sorted data is much faster.
        deferred = cursor.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'users' "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        ).fetchall()
        for kind, name, _sql in deferred:
            cursor.execute(f"DROP {kind.upper()} {name}")
        for offset in range(0, count, 20_000):
            rows = user_rows(min(20_000, count - offset), seed=7 + offset)
            cursor.executemany(sql, _renumber(rows, offset))
        for _kind, _name, ddl in deferred:
            cursor.execute(ddl)
        if any(kind == "trigger" for kind, _n, _s in deferred):
            cursor.execute("INSERT INTO users_fts(users_fts) VALUES ('rebuild')")
        cursor.execute("COMMIT")
        cursor.close()
    finally:
        raw.close()
        db.dispose()
    return time.perf_counter() - began


def _renumber(rows: list[tuple[object, ...]], offset: int) -> list[tuple[object, ...]]:
    """Usernames stay unique across batches: the batch offset joins the running number."""
    if offset == 0:
        return rows
    out = []
    for row in rows:
        name = str(row[0])
        local, _, domain = name.partition("@")
        unique = f"{local}.{offset}@{domain}"
        out.append((unique, unique.lower(), *row[2:]))
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: make_users.py N FILE", file=sys.stderr)
        return 2
    count, path = int(argv[0]), Path(argv[1])
    if path.exists():
        print(f"make_users.py: {path} exists already; remove it first", file=sys.stderr)
        return 1
    seconds = make_users(count, path)
    print(f"{count} users written to {path} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main(sys.argv[1:]))
