"""PIN105 (yum/dnf/microdnf/zypper install unpinned) and PIN106 (their update/upgrade)."""

from __future__ import annotations

import pytest

from tests.helpers import dockerfile

CATCHES = [
    ("FROM rockylinux:9\nRUN dnf install -y git\n", [("PIN105", 2, "git")]),
    ("FROM centos:7\nRUN yum -y install httpd && yum clean all\n", [("PIN105", 2, "httpd")]),
    ("FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4\nRUN microdnf install -y tar\n", [("PIN105", 2, "tar")]),
    ("FROM opensuse/leap:15.6\nRUN zypper --non-interactive install curl\n", [("PIN105", 2, "curl")]),
    ("FROM centos:7\nRUN yum -y update\n", [("PIN106", 2, None)]),
    ("FROM fedora:40\nRUN dnf upgrade -y\n", [("PIN106", 2, None)]),
    # a number after the last dash is part of the name, not a version (15 corpus sites)
    ("FROM centos:7\nRUN yum install -y devtoolset-9 gcc-toolset-12\n",
     [("PIN105", 2, "devtoolset-9"), ("PIN105", 2, "gcc-toolset-12")]),
]
CLEAN = [
    "FROM rockylinux:9\nRUN dnf install -y git-2.43.5-1.el9_4\n",
    "FROM rockylinux:9\nRUN dnf install -y devtoolset-9-gcc-9.3.1 java-11-openjdk-11.0.25.0.9-3.el9 curl-7.76.1\n",
    "FROM centos:7\nRUN yum install -y /tmp/local-1.0-1.x86_64.rpm\n",
    "FROM centos:7\nRUN yum clean all\n",
]


@pytest.mark.parametrize(("text", "expected"), CATCHES)
def test_catches(tmp_path, text, expected):
    assert [h for h in dockerfile(tmp_path, text) if h[0] in ("PIN105", "PIN106")] == expected


@pytest.mark.parametrize("text", CLEAN)
def test_catches_not(tmp_path, text):
    assert [h for h in dockerfile(tmp_path, text) if h[0] in ("PIN105", "PIN106")] == []
