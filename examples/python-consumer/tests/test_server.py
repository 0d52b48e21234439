from app.server import answer, metrics


def test_health_reports_the_version():
    code, doc = answer("/healthz")
    assert code == 200
    assert doc["ok"] is True


def test_metrics_export_counters_at_zero():
    text = metrics()
    assert 'code="200"' in text
    assert 'code="500"' in text
