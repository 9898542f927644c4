import glob, json, os, struct, sys
def varint(b, i):
    r = s = 0
    while True:
        c = b[i]; i += 1; r |= (c & 0x7f) << s; s += 7
        if c < 0x80: return r, i
def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i); f, wt = key >> 3, key & 7
        if wt == 0: v, i = varint(b, i)
        elif wt == 1: v = b[i:i + 8]; i += 8
        elif wt == 5: v = b[i:i + 4]; i += 4
        else: n, i = varint(b, i); v = b[i:i + n]; i += n
        yield f, v
def records(data):
    i = 0
    while i + 16 <= len(data):
        n = struct.unpack_from('<Q', data, i)[0]; yield data[i + 12:i + 12 + n]; i += 16 + n
out = {}
for run in sorted(glob.glob(os.path.join(sys.argv[1], '*', ''))):
    counts, hparams, times = {}, set(), []
    for name in sorted(glob.glob(run + 'events.out.tfevents.*')):
        for rec in records(open(name, 'rb').read()):
            ev = dict(fields(rec)); times.append(struct.unpack('<d', ev[1])[0])
            for f, value in fields(ev.get(5, b'')):
                v = dict(fields(value))
                if 2 in v: counts[v[1].decode()] = counts.get(v[1].decode(), 0) + 1
                if 9 in v and dict(fields(dict(fields(v[9]))[1])).get(1) == b'hparams':
                    content = dict(fields(dict(fields(v[9]))[1])).get(2, b'')
                    for f2, start in fields(content):
                        if f2 == 3: hparams |= {dict(fields(e))[1].decode() for g, e in fields(start) if g == 1}
    out[os.path.basename(run.rstrip(os.sep))] = {'counts': counts, 'hparams': sorted(hparams), 'start_ms': round(min(times) * 1000), 'end_ms': round(max(times) * 1000)}
print(json.dumps(out, sort_keys=True))
