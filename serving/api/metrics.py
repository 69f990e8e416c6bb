"""Prometheus metrics of one app (own registry, so that several apps can live in one process)."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("sohoa_http_requests_total", "HTTP requests",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("sohoa_http_request_seconds", "HTTP request latency",
                                 ["method", "route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.pages = Counter("sohoa_pages_processed_total", "Pages processed by the pipeline",
                             registry=self.registry)
        self.documents = Counter("sohoa_documents_processed_total", "Documents processed",
                                 ["outcome"], registry=self.registry)
        self.processing = Histogram("sohoa_document_processing_seconds", "Pipeline time per document",
                                    buckets=LATENCY_BUCKETS, registry=self.registry)
        self.queue_depth = Gauge("sohoa_queue_depth", "Job items waiting or running", ["state"],
                                 registry=self.registry)
        self.models = Info("sohoa_models", "Model versions loaded by the pipeline", registry=self.registry)
        self.ready = Gauge("sohoa_ready", "1 when the pipeline is loaded", registry=self.registry)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def set_models(self, models: dict[str, str]) -> None:
        self.models.info({k: str(v) for k, v in models.items()} or {"pipeline": "unknown"})

    def render(self) -> bytes:
        return generate_latest(self.registry)
