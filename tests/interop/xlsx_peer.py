"""An independent spreadsheet peer (openpyxl) for the program's lists.

`read FILE`: print the first sheet of an XLSX workbook as JSON
({"sheet", "header", "rows"}), every cell as text, so a test can check what
the hub exported as another program reads it. `write FILE JSON`: write a
workbook whose first sheet holds the header and rows of JSON
({"header": [...], "rows": [[...]]}; numbers stay numbers), for the hub to
import. Driven by tests/tests/program.rs.
"""

import json
import sys

import openpyxl


def text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read(path: str) -> None:
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb.worksheets[0]
    rows = [[text(c) for c in r] for r in ws.iter_rows(values_only=True)]
    print(json.dumps({"sheet": ws.title, "header": rows[0] if rows else [], "rows": rows[1:]}, ensure_ascii=False))


def write(path: str, spec: str) -> None:
    data = json.loads(spec)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = data.get("sheet", "Sheet1")
    ws.append(data["header"])
    for r in data["rows"]:
        ws.append(r)
    wb.save(path)
    print(json.dumps({"written": path, "rows": len(data["rows"])}))


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "read":
        read(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: xlsx_peer.py read FILE | write FILE JSON")


if __name__ == "__main__":
    main()
