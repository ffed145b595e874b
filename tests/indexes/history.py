"""One small, known release history for the loopback indexes: what a cached build on
2023-01-01 and a fresh one on 2024-06-01 get differs in known ways (used by the resolver and
simulate tests and by benchmarks/bench_simulate.py).

pip (``fill_pypi``): ``requests`` 2.28.1 -> 2.32.3 with urllib3 1.26.13 -> 2.2.1 (a major),
certifi, idna, charset-normalizer; ``flask==2.2.2`` whose Werkzeug moves 2.2.2 -> 3.0.3 while the
pin stays; ``gunicorn`` 20.1.0 -> 22.0.0 which adds ``packaging``.
npm (``fill_npm``): ``left`` ^1 moving 1.0.0 -> 1.1.0 and its ``util`` nested in two versions.
Debian (``fill_debian``): bookworm's curl 7.86.0-2 -> 7.88.1-10+deb12u5, ca-certificates unchanged.
"""

from __future__ import annotations

from datetime import datetime, timezone

from tests.indexes.servers import DebianServer, NpmServer, PypiServer

CACHED = datetime(2023, 1, 1, tzinfo=timezone.utc)
FRESH = datetime(2024, 6, 1, tzinfo=timezone.utc)

PYPI: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("requests", "2.28.1", "2022-06-29T15:14:24Z", ("urllib3<1.27,>=1.21.1", "certifi>=2017.4.17",
                                                    "idna<4,>=2.5", "charset-normalizer<3,>=2")),
    ("requests", "2.31.0", "2023-05-22T15:12:44Z", ("urllib3<3,>=1.21.1", "certifi>=2017.4.17", "idna<4,>=2.5",
                                                    "charset-normalizer<4,>=2")),
    ("requests", "2.32.3", "2024-05-29T15:37:47Z", ("urllib3<3,>=1.21.1", "certifi>=2017.4.17", "idna<4,>=2.5",
                                                    "charset-normalizer<4,>=2")),
    ("urllib3", "1.26.13", "2022-11-23T22:27:29Z", ()),
    ("urllib3", "2.0.7", "2023-10-17T17:46:04Z", ()),
    ("urllib3", "2.2.1", "2024-02-18T18:58:47Z", ()),
    ("certifi", "2022.12.7", "2022-12-07T20:13:22Z", ()),
    ("certifi", "2024.2.2", "2024-02-02T01:22:14Z", ()),
    ("idna", "3.4", "2022-09-14T01:52:33Z", ()),
    ("idna", "3.7", "2024-04-11T03:34:28Z", ()),
    ("charset-normalizer", "2.1.1", "2022-08-19T22:22:31Z", ()),
    ("charset-normalizer", "3.3.2", "2023-10-31T14:36:39Z", ()),
    ("flask", "2.2.2", "2022-08-08T23:32:28Z", ("Werkzeug>=2.2.2", "Jinja2>=3.0", "itsdangerous>=2.0", "click>=8.0")),
    ("flask", "3.0.3", "2024-04-07T19:26:08Z", ("Werkzeug>=3.0.0", "Jinja2>=3.1.2", "itsdangerous>=2.1.2",
                                                "click>=8.1.3", "blinker>=1.6.2")),
    ("werkzeug", "2.2.2", "2022-08-08T21:44:56Z", ("MarkupSafe>=2.1.1",)),
    ("werkzeug", "3.0.3", "2024-05-05T19:13:14Z", ("MarkupSafe>=2.1.1",)),
    ("jinja2", "3.1.2", "2022-04-28T17:21:25Z", ("MarkupSafe>=2.0",)),
    ("jinja2", "3.1.4", "2024-05-05T23:41:59Z", ("MarkupSafe>=2.0",)),
    ("markupsafe", "2.1.1", "2022-03-15T13:22:09Z", ()),
    ("markupsafe", "2.1.5", "2024-02-02T16:30:33Z", ()),
    ("itsdangerous", "2.1.2", "2022-03-24T15:12:13Z", ()),
    ("itsdangerous", "2.2.0", "2024-04-16T21:28:14Z", ()),
    ("click", "8.1.3", "2022-04-28T17:36:09Z", ()),
    ("click", "8.1.7", "2023-08-17T17:29:10Z", ()),
    ("blinker", "1.8.2", "2024-05-06T17:04:08Z", ()),
    ("gunicorn", "20.1.0", "2021-03-27T01:54:37Z", ()),
    ("gunicorn", "22.0.0", "2024-04-16T22:58:18Z", ("packaging",)),
    ("packaging", "24.0", "2024-03-10T09:39:25Z", ()),
]


def fill_pypi(pypi: PypiServer, extra: list[tuple[str, str, str, tuple[str, ...]]] | None = None) -> PypiServer:
    for name, version, uploaded, requires in (*PYPI, *(extra or ())):
        pypi.add(name, version, uploaded=uploaded, requires=requires)
    return pypi


def fill_npm(npm: NpmServer) -> NpmServer:
    npm.add("util", "1.0.0", published="2021-01-01T10:00:00Z")
    npm.add("util", "1.1.0", published="2023-02-01T10:00:00Z")
    npm.add("util", "2.0.0", published="2024-02-01T10:00:00Z")
    npm.add("left", "1.0.0", published="2022-01-01T10:00:00Z", dependencies={"util": "^1.0.0"})
    npm.add("left", "1.1.0", published="2024-03-01T10:00:00Z", dependencies={"util": "^2.0.0"})
    npm.add("left", "2.0.0", published="2024-05-01T10:00:00Z", dependencies={"util": "^2.0.0"}, tag="next")
    npm.add("right", "3.0.0", published="2022-05-01T10:00:00Z", dependencies={"util": "~1.0.0"})
    return npm


def fill_debian(debian: DebianServer) -> DebianServer:
    debian.publish("2022-12-01T00:00:00Z", "bookworm", {"curl": "7.86.0-2", "ca-certificates": "20230311"})
    debian.publish("2024-05-01T00:00:00Z", "bookworm", {"curl": "7.88.1-10+deb12u5", "ca-certificates": "20230311"})
    debian.publish("2024-05-01T00:00:00Z", "bookworm-security", {})
    debian.publish("2024-05-01T00:00:00Z", "bookworm-updates", {})
    return debian


# ---- fixtures/demo: what its Dockerfile installs, on 2024-09-15 and on 2026-01-01 -------------

DEMO_CACHED = datetime(2024, 9, 15, tzinfo=timezone.utc)
DEMO_FRESH = datetime(2026, 1, 1, tzinfo=timezone.utc)

DEMO_PYPI: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("pip", "24.2", "2024-07-28T22:52:12Z", ()),
    ("pip", "25.3", "2025-10-25T00:55:41Z", ()),
    ("amqp", "5.2.0", "2023-11-06T04:41:22Z", ("vine<6.0.0,>=5.0.0",)),
    ("asgiref", "3.8.1", "2024-03-22T14:39:36Z", ()),
    ("billiard", "4.2.0", "2023-11-06T04:43:50Z", ()),
    ("celery", "5.3.6", "2023-11-22T10:19:19Z", ("billiard<5.0,>=4.2.0", "kombu<6.0,>=5.3.4", "vine<6.0,>=5.1.0",
                                                 "click<9.0,>=8.1.2", "tzdata>=2022.7")),
    ("click", "8.1.7", "2023-08-17T17:29:10Z", ()),
    ("django", "4.2.16", "2024-09-03T12:04:25Z", ("asgiref<4,>=3.6.0", "sqlparse>=0.3.1")),
    ("kombu", "5.3.7", "2024-04-12T14:27:42Z", ("amqp<6.0.0,>=5.1.1", "vine")),
    ("psycopg", "3.2.1", "2024-06-30T19:05:46Z", ("typing-extensions>=4.4",)),
    ("typing-extensions", "4.12.2", "2024-06-07T18:52:13Z", ()),
    ("typing-extensions", "4.15.0", "2025-08-25T13:49:24Z", ()),
    ("redis", "5.0.8", "2024-07-30T09:12:21Z", ()),
    ("redis", "7.1.0", "2025-11-19T15:41:23Z", ()),
    ("sqlparse", "0.5.1", "2024-07-15T19:30:25Z", ()),
    ("tzdata", "2024.1", "2024-02-11T23:22:38Z", ()),
    ("vine", "5.1.0", "2023-11-05T10:39:31Z", ()),
    ("whitenoise", "6.7.0", "2024-06-19T14:01:33Z", ()),
    ("gunicorn", "22.0.0", "2024-04-16T22:58:18Z", ("packaging",)),
    ("packaging", "24.1", "2024-06-09T23:19:22Z", ()),
    ("packaging", "25.0", "2025-04-19T11:48:57Z", ()),
]


def fill_demo(pypi: PypiServer, npm: NpmServer, debian: DebianServer) -> None:
    for name, version, uploaded, requires in DEMO_PYPI:
        pypi.add(name, version, uploaded=uploaded, requires=requires)
    for name, versions in {
        "alpinejs": [("3.14.1", "2024-06-26"), ("3.15.3", "2025-12-05")],
        "htmx.org": [("1.9.12", "2024-04-17"), ("2.0.8", "2025-10-24")],
        "webpack": [("5.94.0", "2024-08-22"), ("5.103.0", "2025-11-18")],
        "webpack-cli": [("5.1.4", "2023-06-07"), ("6.0.1", "2024-12-20")],
        "sass": [("1.77.8", "2024-07-11"), ("1.94.2", "2025-11-20")],
    }.items():
        for version, day in versions:
            npm.add(name, version, published=f"{day}T12:00:00Z")
    debian.publish("2024-09-01T00:00:00Z", "bookworm", {"gettext": "0.21-12", "libpq-dev": "15.8-0+deb12u1",
                                                        "nodejs": "18.19.0+dfsg-6~deb12u2"})
    debian.publish("2025-08-10T00:00:00Z", "trixie", {"gettext": "0.23.1-2", "libpq-dev": "17.6-0+deb13u1",
                                                      "nodejs": "20.19.2+dfsg-1"})
    debian.publish("2025-11-15T00:00:00Z", "bookworm", {"gettext": "0.21-12", "libpq-dev": "15.14-0+deb12u1",
                                                        "nodejs": "18.20.4+dfsg-1~deb12u1"})
