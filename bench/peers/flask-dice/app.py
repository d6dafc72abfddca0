"""The seed's dice API (shared/seeds/README.md), as the seed ran it: Flask's own server
with prometheus-flask-exporter. Kept here only as a benchmark peer."""
import logging
import os
import random

from flask import Flask, jsonify
from prometheus_flask_exporter import PrometheusMetrics

app = Flask(__name__)
metrics = PrometheusMetrics(app)
logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))


@app.route("/")
def roll():
    return jsonify(dice_value=random.randint(1, 6))


@app.route("/health")
def health():
    return jsonify(app="dice-api", status="ok", version=os.environ.get("APP_VERSION", "dev"))


@app.route("/fail")
def fail():
    return jsonify(app="dice-api", error="internal_server_error", message="Intentional failure"), 500


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))
