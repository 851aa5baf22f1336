"""An independent reader of the campus streams (nats-py, not the hub's
async-nats): reads every message of each stream named, and tells, per site,
how many events it holds, which seqs are missing below a bound, which came
twice and which came out of order.

    python3 jetstream_peer.py --servers nats://a,nats://b --stream TWINWALL_S1 [--stream …] --upto S1=123

Prints one JSON object: {"<stream>": {"site", "messages", "distinct",
"first", "last", "duplicates", "out_of_order", "missing_below_upto",
"msg_ids_match"}}.
"""

import argparse
import asyncio
import json

import nats


async def read(js, stream):
    info = await js.stream_info(stream)
    last = info.state.last_seq
    out = []
    seq = info.state.first_seq
    # Message by message through the stream API: no consumer of ours, so
    # nothing this reader does changes what the centre reads.
    while last and seq <= last:
        try:
            m = await js.get_msg(stream, seq)
        except nats.js.errors.NotFoundError:
            seq += 1
            continue
        body = json.loads(m.data)
        out.append((body["site"], body["seq"], (m.headers or {}).get("Nats-Msg-Id")))
        seq += 1
    return out


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--servers", required=True)
    p.add_argument("--stream", action="append", required=True)
    p.add_argument("--upto", action="append", default=[])
    a = p.parse_args()
    upto = dict(u.split("=", 1) for u in a.upto)
    nc = await nats.connect(servers=a.servers.split(","))
    js = nc.jetstream()
    report = {}
    for stream in a.stream:
        rows = await read(js, stream)
        seqs = [s for _, s, _ in rows]
        sites = sorted({site for site, _, _ in rows})
        seen, dups, disorder = set(), 0, 0
        prev = -1
        for s in seqs:
            if s in seen:
                dups += 1
            seen.add(s)
            if s < prev:
                disorder += 1
            prev = max(prev, s)
        bound = int(upto.get(sites[0], -1)) if sites else -1
        missing = [s for s in range(0, bound) if s not in seen]
        report[stream] = {
            "site": sites[0] if len(sites) == 1 else sites,
            "messages": len(seqs),
            "distinct": len(seen),
            "first": min(seqs) if seqs else None,
            "last": max(seqs) if seqs else None,
            "duplicates": dups,
            "out_of_order": disorder,
            "missing_below_upto": missing[:50],
            "msg_ids_match": all(mid == f"{site}:{s}" for site, s, mid in rows),
        }
    await nc.close()
    print(json.dumps(report))


asyncio.run(main())
