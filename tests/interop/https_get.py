"""GET a URL over HTTPS with CPython's ssl module (OpenSSL), trusting only
the given CA: an independent TLS client for the hub's API.

Usage: https_get.py URL CA.pem TOKEN
Prints {"status": int, "body": str, "version": "TLSv1.3"}.
"""
import http.client
import json
import ssl
import sys
import urllib.parse


def main() -> None:
    url, ca, token = sys.argv[1], sys.argv[2], sys.argv[3]
    u = urllib.parse.urlsplit(url)
    ctx = ssl.create_default_context(cafile=ca)
    conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=10)
    conn.request("GET", u.path, headers={"Authorization": f"Bearer {token}"})
    r = conn.getresponse()
    body = r.read().decode()
    print(json.dumps({"status": r.status, "body": body, "version": conn.sock.version()}))


if __name__ == "__main__":
    main()
