"""PIN502 for files fetched and then installed (.deb, .rpm, wheels, sdists), and for files fetched
from cloud storage and then executed: the download tracker's two newer roads."""

from __future__ import annotations

import pytest

from tests.helpers import dockerfile, hits, scan_files

SHA = "24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d"
U = "https://example.com"


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        (f"RUN curl -fsSLO {U}/t.deb && dpkg -i ./t.deb\n", [("PIN502", 2, f"{U}/t.deb")]),
        (f"RUN wget {U}/a.deb && apt-get install -y ./a.deb\n", [("PIN502", 2, f"{U}/a.deb")]),
        (f"RUN curl -o /tmp/x.rpm {U}/x.rpm\nRUN rpm -Uvh /tmp/x.rpm\n", [("PIN502", 3, f"{U}/x.rpm")]),
        (f"RUN curl -o /tmp/y.rpm {U}/y.rpm && dnf install -y /tmp/y.rpm\n", [("PIN502", 2, f"{U}/y.rpm")]),
        (f"RUN curl -o /tmp/z.rpm {U}/z.rpm && yum localinstall -y /tmp/z.rpm\n", [("PIN502", 2, f"{U}/z.rpm")]),
        (f"RUN curl -LO {U}/p-1.0-py3-none-any.whl\nRUN pip install p-1.0-py3-none-any.whl\n",
         [("PIN502", 3, f"{U}/p-1.0-py3-none-any.whl")]),
        (f"RUN curl -LO {U}/p-2.0.tar.gz && python3 -m pip install ./p-2.0.tar.gz\n",
         [("PIN502", 2, f"{U}/p-2.0.tar.gz")]),
        # wget fetches the word that is a URL, not the path before it
        (f"RUN wget -nv /usr/src/l.deb {U}/l.deb && dpkg -i /usr/src/l.deb\n", [("PIN502", 2, f"{U}/l.deb")]),
        # an option's value attached to it: -o- is stdout (piped on), -o/tmp/x its file
        (f"RUN curl -o- {U}/install.sh | bash\n", [("PIN502", 2, f"{U}/install.sh")]),
        (f"RUN curl -fsSL -o/tmp/k.deb {U}/k.deb && dpkg -i /tmp/k.deb\n", [("PIN502", 2, f"{U}/k.deb")]),
        (f"ARG F\nRUN curl -fsSL --output=/tmp/$F {U}/$F && dpkg -i /tmp/$F\n", [("PIN502", 3, f"{U}/$F")]),
        # a variable we cannot know names the file: the same text at the fetch and the install
        (f"ARG TARGETARCH\nRUN curl -LO {U}/j_${{TARGETARCH}}.deb \\\n && dpkg --install ./j_${{TARGETARCH}}.deb\n",
         [("PIN502", 4, f"{U}/j_${{TARGETARCH}}.deb")]),
        (f"RUN if [ -n \"$A\" ]; then export ARCH=$A; fi && f=t_${{ARCH}}.deb \\\n"
         f" && wget -q {U}/$f && dpkg -i $f\n", [("PIN502", 3, f"{U}/$f")]),
        (f"RUN if [ -n \"$A\" ]; then export ARCH=$A; fi && f=t_${{ARCH}}.deb \\\n"
         f" && curl -sLO {U}/$f && apt-get install -y ./$f\n", [("PIN502", 3, f"{U}/$f")]),
    ],
)
def test_a_downloaded_package_installed_unchecked(tmp_path, run, expected):
    assert dockerfile(tmp_path, "FROM debian:12\n" + run, "PIN502") == expected


@pytest.mark.parametrize(
    "run",
    [
        # checked in between: as for a script
        f'RUN curl -fsSLO {U}/t.deb && echo "{SHA}  t.deb" | sha256sum -c - && dpkg -i t.deb\n',
        f"RUN curl -o /tmp/x.rpm {U}/x.rpm && sha256sum -c x.rpm.sha256 && rpm -i /tmp/x.rpm\n",
        # listed, not installed; and a package file nobody downloaded
        f"RUN curl -fsSLO {U}/l.deb && dpkg -c l.deb\n",
        "COPY t.deb /tmp/\nRUN dpkg -i /tmp/t.deb\n",
        # a forge's archive of a full commit id: the bytes are fixed
        f"RUN curl -Lo /tmp/a.zip {U}/o/r/archive/52020f577f587595fea55f5d05520f1473deaad1.zip\n"
        "RUN pip install /tmp/a.zip\n",
        # ADD reports the download itself (once) at the ADD
        f"ADD --checksum=sha256:{SHA} {U}/t.deb /tmp/t.deb\nRUN dpkg -i /tmp/t.deb\n",
    ],
)
def test_a_downloaded_package_checked_or_not_installed(tmp_path, run):
    assert dockerfile(tmp_path, "FROM debian:12\n" + run, "PIN502") == []


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("RUN gsutil cp gs://b/install.sh /tmp/install.sh && bash /tmp/install.sh\n",
         [("PIN502", 2, "gs://b/install.sh")]),
        ("RUN gsutil -m cp gs://b/i.sh /tmp\nRUN sh /tmp/i.sh\n", [("PIN502", 3, "gs://b/i.sh")]),
        ("RUN gcloud storage cp gs://b/i.sh ./ && . ./i.sh\n", [("PIN502", 2, "gs://b/i.sh")]),
        ("RUN aws s3 cp s3://b/tool /usr/local/bin/tool && chmod +x /usr/local/bin/tool && tool --version\n",
         [("PIN502", 2, "s3://b/tool")]),
        ("RUN aws --region eu-west-1 s3api get-object --bucket b --key k/setup.sh /tmp/setup.sh\n"
         "RUN . /tmp/setup.sh\n", [("PIN502", 3, "s3://b/k/setup.sh")]),
        ("RUN az storage blob download -c c -n run.sh -f /tmp/run.sh && bash /tmp/run.sh\n",
         [("PIN502", 2, "az://c/run.sh")]),
        ('RUN azcopy copy "https://acct.example.net/c/x.sh" ./x.sh && chmod +x x.sh && ./x.sh\n',
         [("PIN502", 2, "https://acct.example.net/c/x.sh")]),
        ("RUN aws s3 cp s3://b/y.sh - | bash\n", [("PIN502", 2, "s3://b/y.sh")]),
        ("RUN gsutil cat gs://b/z.sh | sh\n", [("PIN502", 2, "gs://b/z.sh")]),
    ],
)
def test_cloud_storage_downloads_executed(tmp_path, run, expected):
    assert dockerfile(tmp_path, "FROM debian:12\n" + run, "PIN502") == expected


@pytest.mark.parametrize(
    "run",
    [
        "RUN gsutil cp gs://b/data.csv /tmp/data.csv && cat /tmp/data.csv\n",  # data, never executed
        "RUN aws s3 cp ./local.sh s3://b/local.sh && bash ./local.sh\n",  # an upload
        "RUN aws s3 cp --recursive s3://b/scripts /opt/scripts\n",
        f'RUN gsutil cp gs://b/i.sh /tmp/i.sh && echo "{SHA}  /tmp/i.sh" | sha256sum -c - && sh /tmp/i.sh\n',
    ],
)
def test_cloud_storage_downloads_not_executed_or_checked(tmp_path, run):
    assert dockerfile(tmp_path, "FROM debian:12\n" + run, "PIN502") == []


def test_cloud_download_executed_in_a_workflow(tmp_path):
    wf = ("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - run: gsutil cp gs://b/deploy.sh deploy.sh\n      - run: bash deploy.sh\n")
    found = hits(scan_files(tmp_path, {".github/workflows/ci.yml": wf}), "PIN502")
    assert found == [("PIN502", 7, "gs://b/deploy.sh")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a later RUN checks the ADDed file by name before using it: its bytes are fixed
        (f"ADD {U}/p.tar.xz /src/p.tar.xz\nADD {U}/p.tar.xz.sigstore /src/p.tar.xz.sigstore\n"
         "RUN cd /src && cosign verify-blob --bundle p.tar.xz.sigstore p.tar.xz && tar -xJf p.tar.xz\n", []),
        (f'ADD {U}/t.tgz /tmp/t.tgz\nRUN echo "{SHA}  /tmp/t.tgz" | sha256sum -c - && tar -xzf /tmp/t.tgz\n', []),
        # a check of another file, or none: the ADD is still unchecked
        (f"ADD {U}/t.tgz /tmp/t.tgz\nRUN sha256sum -c /tmp/other.sha256 && tar -xzf /tmp/t.tgz\n",
         [("PIN502", 2, f"{U}/t.tgz")]),
        (f"ADD {U}/t.tgz /tmp/t.tgz\nRUN tar -xzf /tmp/t.tgz\n", [("PIN502", 2, f"{U}/t.tgz")]),
    ],
)
def test_an_add_checked_by_name_before_use(tmp_path, text, expected):
    assert dockerfile(tmp_path, "FROM debian:12\n" + text, "PIN502") == expected
