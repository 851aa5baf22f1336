"""An independent RTP peer (FFmpeg, through PyAV) for the speaker tests.

send HOST PORT MS CODEC   : send MS milliseconds of a 440 Hz tone as G.711
                            RTP (CODEC pcm_mulaw or pcm_alaw), paced in
                            real time, as FFmpeg's RTP muxer does it.
receive PORT SECONDS      : receive PCMU RTP on 127.0.0.1:PORT (FFmpeg's RTP
                            demuxer, from an SDP) for up to SECONDS and decode
                            it; print what was heard.
Prints one JSON object.
"""
import json
import math
import os
import sys
import tempfile
import time

import av


def send(host, port, ms, codec):
    out = av.open(f"rtp://{host}:{port}", "w", format="rtp")
    stream = out.add_stream(codec, rate=8000, layout="mono")
    n = 160  # 20 ms
    total = ms * 8
    sent = 0
    start = time.monotonic()
    frames = 0
    while sent < total:
        k = min(n, total - sent)
        samples = bytearray()
        for i in range(k):
            v = int(12000 * math.sin(2 * math.pi * 440 * (sent + i) / 8000))
            samples += v.to_bytes(2, "little", signed=True)
        frame = av.AudioFrame(format="s16", layout="mono", samples=k)
        frame.planes[0].update(bytes(samples))
        frame.sample_rate = 8000
        frame.pts = sent
        for packet in stream.encode(frame):
            out.mux(packet)
        sent += k
        frames += 1
        # Real time, as a paging source sends.
        delay = start + sent / 8000 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    for packet in stream.encode(None):
        out.mux(packet)
    out.close()
    print(json.dumps({"sent_ms": ms, "frames": frames}))


def receive(port, seconds):
    sdp = (
        "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=twinwall\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        f"m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
    )
    fd, path = tempfile.mkstemp(suffix=".sdp")
    with os.fdopen(fd, "w") as f:
        f.write(sdp)
    heard = 0
    energy = 0.0
    codec = None
    try:
        c = av.open(
            path,
            format="sdp",
            options={"protocol_whitelist": "file,udp,rtp", "timeout": str(int(seconds * 1e6))},
            timeout=seconds,
        )
        codec = c.streams.audio[0].codec_context.name
        deadline = time.monotonic() + seconds
        for frame in c.decode(audio=0):
            arr = bytes(frame.planes[0])[: frame.samples * 2]
            for i in range(0, len(arr), 2):
                v = int.from_bytes(arr[i : i + 2], "little", signed=True)
                energy += v * v
            heard += frame.samples
            if time.monotonic() > deadline:
                break
        c.close()
    except av.error.ExitError:
        pass
    except av.error.OSError:
        pass
    finally:
        os.unlink(path)
    rms = math.sqrt(energy / heard) if heard else 0.0
    print(json.dumps({"codec": codec, "heard_ms": heard // 8, "rms": rms}))


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        receive(int(sys.argv[2]), float(sys.argv[3]))
