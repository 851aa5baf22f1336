"""Talk to a simulated camera with independent clients: onvif-zeep (ONVIF
SOAP with WS-Security, built from the official WSDLs) and PyAV (FFmpeg's RTSP
client and H.264 decoder).

Usage: camera_clients.py HOST PORT USER PASSWORD
Prints one JSON document for the Rust test to check.
"""
import datetime
import json
import sys

import av
from onvif import ONVIFCamera


def main() -> None:
    host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    out = {}
    cam = ONVIFCamera(host, port, user, password)  # reads capabilities, subscribes to events
    info = cam.devicemgmt.GetDeviceInformation()
    out["model"] = info.Model
    out["manufacturer"] = info.Manufacturer
    media = cam.create_media_service()
    profiles = media.GetProfiles()
    out["profiles"] = [
        {"token": p.token, "width": p.VideoEncoderConfiguration.Resolution.Width, "height": p.VideoEncoderConfiguration.Resolution.Height}
        for p in profiles
    ]
    uri = media.GetStreamUri({"StreamSetup": {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}, "ProfileToken": profiles[0].token}).Uri
    out["stream_uri"] = uri
    pullpoint = cam.create_pullpoint_service()
    msgs = pullpoint.PullMessages({"Timeout": datetime.timedelta(seconds=2), "MessageLimit": 10})
    out["messages"] = []
    tt = "{http://www.onvif.org/ver10/schema}"
    for m in msgs.NotificationMessage:
        topic = m.Topic._value_1
        msg = m.Message._value_1  # an lxml element: the message schema is open
        for item in msg.findall(f"{tt}Data/{tt}SimpleItem"):
            out["messages"].append({"topic": topic, "name": item.get("Name"), "value": item.get("Value"), "op": msg.get("PropertyOperation")})
    # RTSP with credentials, over TCP (interleaved) and over UDP, decoded by FFmpeg.
    authed = uri.replace("rtsp://", f"rtsp://{user}:{password}@", 1)
    for transport in ("tcp", "udp"):
        frames = []
        with av.open(authed, options={"rtsp_transport": transport, "stimeout": "5000000"}, timeout=10) as container:
            for frame in container.decode(video=0):
                frames.append((frame.width, frame.height))
                if len(frames) >= 5:
                    break
        suffix = "" if transport == "tcp" else "_udp"
        out["decoded_frames" + suffix] = len(frames)
        out["frame_size" + suffix] = list(frames[0]) if frames else None
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
