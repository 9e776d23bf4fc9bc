#!/usr/bin/env python3
"""Output of every `crossdock x12` command over a set of inputs, to compare two builds.

Usage:
  x12_outputs.py inputs DIR [MUTATIONS [SEED]]   build DIR: the repository's test data and fuzz
                                                 seeds, /work/shared/corpus/edi when present, and
                                                 seeded mutations of their X12 files
  x12_outputs.py run CROSSDOCK DIR OUT [JOBS]    one line per input and command in OUT: name,
                                                 command, exit code, sha1 of stdout and stderr

Then `diff before.txt after.txt`. The commands: x12 validate (plain, --json, --strict),
x12 translate (and --strict), x12 ack, x12 ack --999 --ta1; acknowledgements carry the time
they were made, so ISA09/ISA10 and GS04/GS05 are masked. Mutations change, delete or duplicate
bytes, drop terminators, repeat, delete, swap or move segments, empty or replace elements,
insert delimiters and control characters, change line breaks and truncate.
"""
import concurrent.futures
import hashlib
import os
import random
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCES = [os.path.join(ROOT, 'tests'), os.path.join(ROOT, 'fuzz', 'x12', 'corpus'),
           '/work/shared/corpus/edi']
COMMANDS = [['validate'], ['validate', '--json'], ['validate', '--strict'], ['translate'],
            ['translate', '--strict'], ['ack'], ['ack', '--999', '--ta1']]


def delimiters(d):
    """Element separator, terminator and component separator of the first ISA."""
    i = d.find(b'ISA')
    if i < 0 or len(d) < i + 106:
        return b'*', b'~', b':'
    el, n, j = d[i + 3:i + 4], 0, i + 3
    while j < len(d) and n < 16:
        n += d[j:j + 1] == el
        j += 1
    return el, d[j + 1:j + 2] or b'~', d[j:j + 1] or b':'


def mutate(rnd, d):
    el, term, comp = delimiters(d)
    segs = d.split(term)
    kind = rnd.randrange(14)
    if kind == 0 and d:
        i = rnd.randrange(len(d))
        d = d[:i] + bytes([rnd.randrange(256)]) + d[i + 1:]
    elif kind == 1 and d:
        i = rnd.randrange(len(d))
        d = d[:i] + d[i + rnd.randrange(1, 6):]
    elif kind == 2 and d:
        i = rnd.randrange(len(d))
        d = d[:i] + d[i:i + rnd.randrange(1, 40)] + d[i:]
    elif kind == 3 and len(segs) > 2:
        i = rnd.randrange(len(segs) - 1)
        segs[i:i + 2] = [segs[i] + segs[i + 1]]
        d = term.join(segs)
    elif kind == 4 and len(segs) > 2:
        i = rnd.randrange(len(segs))
        segs.insert(i, segs[i])
        d = term.join(segs)
    elif kind == 5 and len(segs) > 2:
        del segs[rnd.randrange(len(segs))]
        d = term.join(segs)
    elif kind == 6 and len(segs) > 3:
        i = rnd.randrange(len(segs) - 1)
        segs[i], segs[i + 1] = segs[i + 1], segs[i]
        d = term.join(segs)
    elif kind in (7, 10) and len(segs) > 2:
        i = rnd.randrange(len(segs))
        e = segs[i].split(el)
        if len(e) > 1:
            k = rnd.randrange(1, len(e))
            e[k] = b'' if kind == 7 else rnd.choice(
                [b'', b'1', b'12345678901234567890', b'ZZ', b'20260229', b'20250229', b'2500',
                 b'-1.5', b'1.2.3', b'A' * 80, e[k] * 2, b'00', b'BY', b'01'])
            segs[i] = el.join(e)
            d = term.join(segs)
    elif kind == 8 and len(segs) > 2:
        i = rnd.randrange(len(segs))
        if segs[i]:
            j = rnd.randrange(len(segs[i]))
            c = rnd.choice([comp, b'^', b'\x01', b'\x7f', b'\x1d', el, b' ', b'\xc3\xa9', b'-',
                            b'.', b'0'])
            segs[i] = segs[i][:j] + c + segs[i][j:]
            d = term.join(segs)
    elif kind == 9 and len(segs) > 2:
        i = rnd.randrange(len(segs))
        if rnd.random() < .6:
            segs[i] += el * rnd.randrange(1, 4) + (b'X' if rnd.random() < .5 else b'')
        else:
            segs[i] = segs[i].rsplit(el, 1)[0]
        d = term.join(segs)
    elif kind == 11 and len(segs) > 4:
        s = segs.pop(rnd.randrange(len(segs)))
        segs.insert(rnd.randrange(len(segs)), s)
        d = term.join(segs)
    elif kind == 12:
        d = d.replace(term + b'\n', term) if rnd.random() < .5 else d.replace(term, term + b'\r\n')
    elif d:
        d = d[:rnd.randrange(len(d))]
    return d


def build_inputs(out, mutations, seed):
    os.makedirs(out, exist_ok=True)
    files = sorted(os.path.join(dp, f) for top in SOURCES if os.path.isdir(top)
                   for dp, _, fs in os.walk(top) for f in fs)
    x12 = []
    for i, path in enumerate(files):
        data = open(path, 'rb').read()
        name = '%04d-%s' % (i, os.path.basename(path))
        open(os.path.join(out, name), 'wb').write(data)
        if b'ISA' in data[:600] and len(data) < 200000:
            x12.append((name, data))
    rnd = random.Random(seed)
    for k in range(mutations):
        name, data = x12[rnd.randrange(len(x12))]
        for _ in range(rnd.randrange(1, 4)):
            data = mutate(rnd, data)
        open(os.path.join(out, 'mut%05d-%s' % (k, name)), 'wb').write(data)
    print('%d files, %d X12 sources, %d mutations in %s' % (len(files), len(x12), mutations, out))


def mask(out):
    """ISA09/ISA10 and GS04/GS05 blanked, reading each interchange with its own delimiters."""
    res, pos, el, term, n = [], 0, None, None, len(out)
    while pos < n:
        if out[pos:pos + 1] in (b'\n', b'\r', b' '):
            res.append(out[pos:pos + 1])
            pos += 1
            continue
        if out.startswith(b'ISA', pos) and pos + 4 <= n:
            el, k, j = out[pos + 3:pos + 4], 0, pos + 3
            while j < n and k < 16:
                k += out[j:j + 1] == el
                j += 1
            term = out[j + 1:j + 2]
        if not term:
            res.append(out[pos:])
            break
        e = out.find(term, pos)
        e = n if e < 0 else e
        parts = out[pos:e].split(el)
        if parts[0] == b'ISA' and len(parts) > 10:
            parts[9:11] = [b'D', b'T']
        if parts[0] == b'GS' and len(parts) > 5:
            parts[4:6] = [b'D', b'T']
        res += [el.join(parts), out[e:e + 1]]
        pos = e + 1
    return b''.join(res)


def run(binary, inputs, out, jobs):
    def one(job):
        path, cmd = job
        p = subprocess.run([binary, 'x12'] + cmd + [path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600, check=False)
        stdout = mask(p.stdout) if cmd[0] == 'ack' else p.stdout
        return '%s\t%s\t%d\t%s\t%s' % (os.path.basename(path), ' '.join(cmd), p.returncode,
                                       hashlib.sha1(stdout).hexdigest(),
                                       hashlib.sha1(p.stderr).hexdigest())
    work = [(os.path.join(inputs, f), c) for f in sorted(os.listdir(inputs)) for c in COMMANDS]
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        lines = list(ex.map(one, work, chunksize=16))
    with open(out, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('%d runs' % len(lines))


def main():
    a = sys.argv[1:]
    if len(a) >= 2 and a[0] == 'inputs':
        build_inputs(a[1], int(a[2]) if len(a) > 2 else 4000, int(a[3]) if len(a) > 3 else 12345)
    elif len(a) >= 4 and a[0] == 'run':
        run(a[1], a[2], a[3], int(a[4]) if len(a) > 4 else 2)
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
