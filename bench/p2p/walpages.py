#!/usr/bin/env python3
"""Pages written per commit, by b-tree, from a copy of a hub's database and its WAL.

Usage: walpages.py DB_COPY WAL_COPY

Copy crossdock.db and crossdock.db-wal while the hub is stopped (kill -STOP) so the two agree.
Every commit in the WAL (frames up to one whose header marks a commit) counts each distinct
page once; pages are named by `dbstat` (the sqlite3 shell) on DB_COPY with WAL_COPY beside it.
The WAL holds only the frames since the last checkpoint (a few dozen commits at the hub's
CHECKPOINT_FRAMES); for a larger sample build with that constant raised so it keeps them all.
"""
import collections
import shutil
import struct
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    db, wal = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(db, f"{tmp}/db")
        shutil.copy(wal, f"{tmp}/db-wal")
        out = subprocess.run(["sqlite3", f"{tmp}/db", "SELECT name, pageno FROM dbstat"],
                             check=True, capture_output=True, text=True).stdout
    owner = {}
    for line in out.splitlines():
        name, page = line.rsplit("|", 1)
        owner[int(page)] = name
    pages = collections.Counter()
    commits = total = 0
    with open(wal, "rb") as f:
        _, _, page_size, _, salt1, salt2, _, _ = struct.unpack(">8I", f.read(32))
        current = set()
        while True:
            header = f.read(24)
            if len(header) < 24:
                break
            page, commit, s1, s2, _, _ = struct.unpack(">6I", header)
            if (s1, s2) != (salt1, salt2):
                break  # frames of an earlier WAL generation
            f.seek(page_size, 1)
            current.add(page)
            if commit:
                commits += 1
                total += len(current)
                for p in current:
                    pages[owner.get(p, "?")] += 1
                current = set()
    if commits == 0:
        sys.exit("no committed frames in the WAL")
    print(f"{commits} commits, {total / commits:.2f} pages per commit")
    for name, n in pages.most_common(20):
        print(f"{n / commits:7.2f}  {name}")


if __name__ == "__main__":
    main()
