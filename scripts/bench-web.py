#!/usr/bin/env python3
"""Open-loop HTTP load for the web face (issue 22), Python's standard library only.

    scripts/bench-web.py HOST PORT RATE SECONDS PATH

PATH is `/v1/advise` (POST {"uscc": …, "top": 10}) or a GET path in which `{uscc}` is
replaced by a stored enterprise's USCC (e.g. `/enterprise?uscc={uscc}`). Requests are due at
start + i/RATE and each latency is measured from when it was due, as stdnav-load does for gRPC,
so a slow server cannot hide queueing. The enterprises are the first 1,000 the server lists
(the default tenant's; no key). 48 client threads, one keep-alive connection each.
"""
import http.client, json, sys, threading, time, queue
host, port = sys.argv[1], int(sys.argv[2])
rate, seconds, path = float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
c = http.client.HTTPConnection(host, port)
c.request("GET", "/v1/enterprises?page_size=1000")
usccs = [e["enterprise"]["uscc"] for e in json.loads(c.getresponse().read())["enterprises"]]
c.close()
n = int(rate * seconds)
jobs = queue.Queue()
lat, status = [], {}
lock = threading.Lock()
def worker():
    conn = http.client.HTTPConnection(host, port)
    while True:
        item = jobs.get()
        if item is None:
            return
        i, due = item
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        u = usccs[i % len(usccs)]
        if path == "/v1/advise":
            conn.request("POST", path, body=json.dumps({"uscc": u, "top": 10}), headers={"Content-Type": "application/json"})
        else:
            conn.request("GET", path.replace("{uscc}", u))
        r = conn.getresponse(); r.read()
        t = time.perf_counter() - due
        with lock:
            lat.append(t); status[r.status] = status.get(r.status, 0) + 1
threads = [threading.Thread(target=worker) for _ in range(48)]
for t in threads: t.start()
start = time.perf_counter() + 0.2
for i in range(n):
    jobs.put((i, start + i / rate))
for _ in threads: jobs.put(None)
for t in threads: t.join()
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
print(f"{path} rate={rate}/s n={len(lat)} status={status} p50={q(0.5):.2f}ms p90={q(0.9):.2f}ms p99={q(0.99):.2f}ms max={lat[-1]*1000:.2f}ms")
