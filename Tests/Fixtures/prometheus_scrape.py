#!/usr/bin/env python3
"""Scrapes a node's /metrics like Prometheus and parses it with the official parser.

    prometheus_scrape.py METRICS_URL [BEARER_TOKEN]

Fetches the exposition (with `Authorization: Bearer TOKEN` when given), checks its content
type, parses it with `prometheus_client.parser.text_string_to_metric_families` (which raises
on anything malformed) and prints every family as JSON on stdout:
{"families": [{"name", "type", "samples": [{"name", "labels", "value"}]}]}.
Exits 1 with the reason on stderr when the scrape or the parse fails.
Used by Tests/OrganicFrameworkTests/PrometheusMetricsTests.swift.
"""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main():
    url = sys.argv[1]
    request = urllib.request.Request(url)
    if len(sys.argv) > 2:
        request.add_header("Authorization", "Bearer " + sys.argv[2])
    with urllib.request.urlopen(request, timeout=10) as response:
        content_type = response.headers.get("Content-Type", "")
        text = response.read().decode("utf-8")
    if not content_type.startswith("text/plain") or "version=0.0.4" not in content_type:
        print(f"unexpected content type {content_type!r}", file=sys.stderr)
        return 1
    families = []
    for family in text_string_to_metric_families(text):
        families.append({
            "name": family.name,
            "type": family.type,
            "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples],
        })
    json.dump({"families": families}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
