"""Talk to a simulated face gate with an independent ISAPI client:
hikvisionapi (requests with HTTP Digest, xmltodict, its own multipart
stream reader).

Usage: face_gate_client.py HOST PORT USER PASSWORD
Prints one JSON document for the Rust test to check.
"""
import json
import sys

from hikvisionapi import Client


def main() -> None:
    host, port, user, password = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    gate = Client(f"http://{host}:{port}", user, password, timeout=10)  # Basic refused, then Digest
    out = {}
    info = gate.System.deviceInfo(method="get")
    out["model"] = info["DeviceInfo"]["model"]
    out["device_id"] = info["DeviceInfo"]["deviceID"]
    resp = gate.AccessControl.RemoteControl.door[1](
        method="put", data="<RemoteControlDoor><cmd>alwaysOpen</cmd></RemoteControlDoor>"
    )
    out["door"] = resp["ResponseStatus"]["statusString"]
    gate.count_events = 4
    # The client returns the bodies of the first parts, joined.
    text = gate.Event.notification.alertStream(method="get", type="stream", present="text")
    decoder, at, out["stream"] = json.JSONDecoder(), 0, []
    while at < len(text):
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            break
        doc, at = decoder.raw_decode(text, at)
        out["stream"].append(doc)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
