"""An independent SIA DC-09 receiver (pysiaalarm, the library Home
Assistant's SIA integration uses) for the simulated alarm hosts.

Usage: sia_receiver.py COUNT KEY
Listens on a free TCP port and a free UDP port for account 1234 (clear)
and 5678 (AES, key = KEY as pysiaalarm takes it), prints
`PORTS <tcp> <udp>`, then one JSON document once COUNT events arrived (or
after 20 s): every event pysiaalarm accepted, with its code, zone and the
response it sent.
"""
import dataclasses
import json
import sys
import threading
import time

from pysiaalarm import CommunicationsProtocol, SIAAccount, SIAClient


def main() -> None:
    count, key = int(sys.argv[1]), sys.argv[2]
    accounts = [SIAAccount("1234"), SIAAccount("5678", key)]
    got, lock, done = [], threading.Lock(), threading.Event()

    def on_event(event):
        with lock:
            got.append({
                "account": event.account,
                "code": event.code,
                "ri": event.ri,
                "sequence": event.sequence,
                "encrypted": event.encrypted,
                "message_type": str(event.message_type.value),
                "valid_timestamp": event.valid_timestamp,
                "response": event.response.value if event.response else None,
            })
            if len([g for g in got if g["message_type"] != "NULL"]) >= count:
                done.set()

    tcp = SIAClient("127.0.0.1", 0, accounts, on_event, CommunicationsProtocol.TCP)
    udp = SIAClient("127.0.0.1", 0, accounts, on_event, CommunicationsProtocol.UDP)
    tcp.start()
    udp.start()
    print(f"PORTS {tcp.sia_server.server_address[1]} {udp.sia_server.server_address[1]}", flush=True)
    done.wait(20)
    time.sleep(0.3)
    tcp.stop()
    udp.stop()
    with lock:
        print(json.dumps({"events": got, "counts": {"tcp": dataclasses.asdict(tcp._counts), "udp": dataclasses.asdict(udp._counts)}}, default=str))


if __name__ == "__main__":
    main()
