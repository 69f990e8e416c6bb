"""Load run against a running server: N uploads from C concurrent clients on loopback.

    python -m sohoa.serving.loadtest --url http://127.0.0.1:8000 --key KEY -n 200 -c 8 [PATH...]

Every upload is a distinct document (a real page with a few pixels changed). Reports p50/p95
latency, pages/s, errors and lost documents (accepted uploads that cannot be read back as
processed afterwards). Measured numbers, not a test: run it by hand or from CI's bench job.
"""
from __future__ import annotations

import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click
import httpx

from sohoa.serving.samples import source_pages, variant


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


@click.command()
@click.option("--url", default="http://127.0.0.1:8000", show_default=True)
@click.option("--key", required=True, envvar="SOHOA_KEY", help="a system key (or env SOHOA_KEY)")
@click.option("-n", "--uploads", default=200, show_default=True)
@click.option("-c", "--concurrency", default=8, show_default=True)
@click.option("--seed", default=int(time.time()) % 100000, help="distinguishes runs (new documents each run)")
@click.option("--json-out", type=click.Path(path_type=Path), default=None)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def main(url: str, key: str, uploads: int, concurrency: int, seed: int, json_out: Path | None,
         paths: tuple[Path, ...]) -> None:
    sources = source_pages(list(paths) or None)
    if not sources:
        raise click.ClickException("no input pages")
    click.echo(f"preparing {uploads} distinct uploads from {len(sources)} page(s)…", err=True)
    bodies = [variant(sources[i % len(sources)], seed * 100000 + i) for i in range(uploads)]
    headers = {"Authorization": f"Bearer {key}"}
    results: list[dict] = []

    def one(i: int) -> dict:
        name, data = bodies[i]
        start = time.perf_counter()
        try:
            with httpx.Client(base_url=url, timeout=900) as client:
                r = client.post("/v1/documents", headers=headers, files={"file": (name, data, "application/octet-stream")})
            body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
            return {"i": i, "status": r.status_code, "s": time.perf_counter() - start, "id": body.get("id"),
                    "pages": len(body.get("pages") or []) or (body.get("pages") if isinstance(body.get("pages"), int) else 0),
                    "error": (body.get("error") or {}).get("code")}
        except httpx.HTTPError as exc:
            return {"i": i, "status": 0, "s": time.perf_counter() - start, "id": None, "pages": 0,
                    "error": type(exc).__name__}

    # While the uploads run, probe /healthz and a small read once a second: the API must stay responsive.
    probes: list[float] = []
    probe_errors = [0]
    stop = threading.Event()

    def probe() -> None:
        with httpx.Client(base_url=url, timeout=30, headers=headers) as client:
            while not stop.wait(1.0):
                start = time.perf_counter()
                try:
                    ok_h = client.get("/healthz").status_code == 200
                    ok_l = client.get("/v1/documents", params={"limit": 5}).status_code == 200
                    if not (ok_h and ok_l):
                        probe_errors[0] += 1
                except httpx.HTTPError:
                    probe_errors[0] += 1
                probes.append(time.perf_counter() - start)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for res in pool.map(one, range(uploads)):
            results.append(res)
            if len(results) % max(1, uploads // 10) == 0:
                click.echo(f"  {len(results)}/{uploads} done", err=True)
    wall = time.perf_counter() - t0
    stop.set()
    prober.join(timeout=35)

    ok = [r for r in results if r["status"] in (200, 201)]
    errors = [r for r in results if r["status"] not in (200, 201, 202)]
    lost = 0
    with httpx.Client(base_url=url, timeout=60, headers=headers) as client:
        for r in ok:
            got = client.get(f"/v1/documents/{r['id']}")
            if got.status_code != 200 or got.json().get("status") != "processed":
                lost += 1
        metrics = client.get("/metrics").text
    latencies = [r["s"] for r in ok]
    pages = sum(r["pages"] for r in ok)
    report = {
        "url": url, "uploads": uploads, "concurrency": concurrency, "wall_s": round(wall, 2),
        "ok": len(ok), "created": sum(1 for r in ok if r["status"] == 201),
        "already_stored": sum(1 for r in ok if r["status"] == 200), "errors": len(errors), "error_codes": sorted({str(r["status"]) + ":" + str(r["error"]) for r in errors}),
        "lost_documents": lost, "pages": pages, "pages_per_s": round(pages / wall, 3),
        "latency_s": {"p50": round(percentile(latencies, 0.5), 2), "p95": round(percentile(latencies, 0.95), 2),
                      "max": round(max(latencies), 2) if latencies else None,
                      "mean": round(statistics.mean(latencies), 2) if latencies else None},
        "probe_healthz_plus_list_s": {"n": len(probes), "p50": round(percentile(probes, 0.5), 3),
                                      "p95": round(percentile(probes, 0.95), 3), "errors": probe_errors[0]},
        "server_pages_processed_total": next((l.split()[-1] for l in metrics.splitlines()
                                              if l.startswith("sohoa_pages_processed_total")), None),
    }
    text = json.dumps(report, indent=2)
    click.echo(text)
    if json_out:
        json_out.write_text(text + "\n")
    sys.exit(0 if not errors and not lost else 1)


if __name__ == "__main__":
    main()
