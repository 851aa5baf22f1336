"""Read a simulated fire panel with pymodbus, an independent Modbus stack.

Usage: read_fire_panel.py HOST PORT POINTS
Prints one JSON document with what the panel answered, so the Rust test can
compare it with the register map (simulator/docs/fire-panel-map.md).
"""
import json
import sys

from pymodbus.client import ModbusTcpClient


def main() -> None:
    host, port, points = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    client = ModbusTcpClient(host, port=port, timeout=3)
    if not client.connect():
        sys.exit(f"cannot connect to {host}:{port}")
    out = {}
    ident = client.read_input_registers(0, count=5, slave=1)
    out["identity"] = ident.registers
    out["points"] = client.read_holding_registers(0, count=points, slave=1).registers
    out["types"] = client.read_input_registers(100, count=points, slave=1).registers
    out["leds"] = [int(b) for b in client.read_discrete_inputs(0, count=8, slave=1).bits[:8]]
    beyond = client.read_holding_registers(points, count=1, slave=1)
    out["beyond_exception"] = beyond.exception_code if beyond.isError() else None
    write_hr = client.write_register(0, 1, slave=1)
    out["write_register_exception"] = write_hr.exception_code if write_hr.isError() else None
    ack = client.write_coil(2, True, slave=1)
    out["acknowledge_ok"] = not ack.isError()
    out["after_ack_points"] = client.read_holding_registers(0, count=points, slave=1).registers
    reset = client.write_coil(0, True, slave=1)
    out["reset_ok"] = not reset.isError()
    out["after_reset_points"] = client.read_holding_registers(0, count=points, slave=1).registers
    out["after_reset_counters"] = client.read_input_registers(2, count=3, slave=1).registers
    client.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
