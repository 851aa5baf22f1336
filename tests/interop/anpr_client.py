"""Talk to a simulated plate-reading barrier gate with an independent ISAPI
client: hikvisionapi (requests' HTTP Digest, xmltodict, its own reader of
the alert stream).

Usage: anpr_client.py HOST PORT USER PASSWORD
Prints one JSON document for the Rust test to check.
"""
import json
import sys

from hikvisionapi import Client


def main() -> None:
    host, port, user, password = sys.argv[1:5]
    cam = Client(f"http://{host}:{port}", user, password, timeout=10)
    out = {"model": cam.System.deviceInfo(method="get")["DeviceInfo"]["model"]}
    r = cam.Parking.channels[1].barrierGate(method="put", data="<BarrierGate><ctrlMode>lock</ctrlMode></BarrierGate>")
    out["barrier_command"] = r["ResponseStatus"]["statusString"]
    status = cam.Parking.channels[1].barrierGate.barrierGateStatus(method="get")
    out["barrier"] = status["BarrierGateStatus"]["barrierGateStatus"]
    cam.count_events = 1
    events = cam.Event.notification.alertStream(method="get", type="stream")
    alert = events[0]["EventNotificationAlert"]
    out["event_type"] = alert["eventType"]
    out["plate"] = alert["ANPR"]["licensePlate"]
    out["lane"] = alert["ANPR"]["line"]
    out["pictures"] = [p["type"] for p in alert["ANPR"]["pictureInfoList"]["pictureInfo"]]
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
