"""Installer modules: shell text -> analyze() -> installers.sites() -> exact site tuples."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from pinaudit.installers import DownloadTracker, InstallContext, module_for, sites
from pinaudit.model import Action, InstallSite, Pin, Span
from pinaudit.parse.shell import analyze
from pinaudit.parse.text import MappedText

A, G, ND = Action.INSTALL, Action.UPGRADE, Action.DOWNLOAD_EXEC
EXACT, IMM, PART, UNP, LOC, UNK = Pin.EXACT, Pin.IMMUTABLE, Pin.PARTIAL, Pin.UNPINNED, Pin.LOCAL, Pin.UNKNOWN


def run(text: str, ctx: InstallContext | None = None, env: Mapping[str, str | None] | None = None) -> list[InstallSite]:
    ctx = ctx or InstallContext("Dockerfile")
    result = analyze(MappedText.whole(text), env)
    return [s for cmd in result.commands for s in sites(cmd, ctx)]


def tuples(text: str, **kw: object) -> list[tuple[str, Action, str | None, Pin]]:
    return [(s.ecosystem.value, s.action, s.package, s.pin) for s in run(text, **kw)]  # type: ignore[arg-type]


CATCHES: list[tuple[str, list[tuple[str, Action, str | None, Pin]]]] = [
    # --- apt
    ("apt-get install -y curl", [("apt", A, "curl", UNP)]),
    ("apt-get -yqq --no-install-recommends install nodejs=18.19.0-1nodesource1", [("apt", A, "nodejs", EXACT)]),
    (
        "apt-get install -y git=1:2.39.2-1.1 wget=1.21.3* 'jq=1.6*'",
        [("apt", A, "git", EXACT), ("apt", A, "wget", PART), ("apt", A, "jq", PART)],
    ),
    ("apt-get install -y -t bookworm-backports golang-go", [("apt", A, "golang-go", UNP)]),
    (
        "apt-get install -y -t bookworm-backports openjdk-17-jdk=17.0.9+9-1~bpo12+1",
        [("apt", A, "openjdk-17-jdk", EXACT)],
    ),
    ("apt-get install -y curl/bookworm-backports", [("apt", A, "curl", UNP)]),
    (
        "apt-get install -y ./x_1.0_amd64.deb /tmp/y.deb",
        [("apt", A, "./x_1.0_amd64.deb", LOC), ("apt", A, "/tmp/y.deb", LOC)],
    ),
    ("apt-get install -o Dpkg::Options::=--force-confold jq", [("apt", A, "jq", UNP)]),
    ("apt-get -o Acquire::Retries=3 install jq=1.6-2.1", [("apt", A, "jq", EXACT)]),
    ("apt install -y jq && aptitude install -y vim", [("apt", A, "jq", UNP), ("apt", A, "vim", UNP)]),
    ('apt-get install -y "$PKG"', [("apt", A, "$PKG", UNK)]),
    ("apt-get install -y --only-upgrade openssl=3.0.11-1~deb12u2", [("apt", A, "openssl", EXACT)]),
    ("apt-get -y upgrade", [("apt", G, None, UNP)]),
    ("apt-get dist-upgrade -y && apt full-upgrade && apt upgrade", [("apt", G, None, UNP)] * 3),
    # --- apk
    ("apk add --no-cache bison=3.8.2-r1 libffi", [("apk", A, "bison", EXACT), ("apk", A, "libffi", UNP)]),
    ("apk add git~2.43 git=~2.43", [("apk", A, "git", PART), ("apk", A, "git", PART)]),
    ('apk add "bison>=3.8" "libffi<3.5"', [("apk", A, "bison", UNP), ("apk", A, "libffi", UNP)]),
    ("apk add --virtual .build-deps gcc=13.2.1-r0", [("apk", A, "gcc", EXACT)]),
    ("apk add --no-cache -t .build-deps gcc", [("apk", A, "gcc", UNP)]),
    ("apk -X https://example.com/edge add tini=0.19.0-r2", [("apk", A, "tini", EXACT)]),
    ("apk add --repository https://example.com/edge tini", [("apk", A, "tini", UNP)]),
    ("apk add --allow-untrusted /tmp/glibc-2.35-r1.apk", [("apk", A, "/tmp/glibc-2.35-r1.apk", LOC)]),
    ("apk add --upgrade openssl", [("apk", A, "openssl", UNP)]),
    ("apk add tini@testing", [("apk", A, "tini", UNP)]),
    ("apk update && apk upgrade", [("apk", G, None, UNP)]),
    # --- yum family
    ("yum install -y httpd && yum clean all", [("yum", A, "httpd", UNP)]),
    (
        "yum install -y httpd-2.4.57 openssl-1:3.0.7 git-core-2.39.3-1.el9",
        [("yum", A, "httpd", EXACT), ("yum", A, "openssl", EXACT), ("yum", A, "git-core", EXACT)],
    ),
    (
        "yum install -y rpm-build-4.16.1.3 gcc-c++-11.4.1",
        [("yum", A, "rpm-build", EXACT), ("yum", A, "gcc-c++", EXACT)],
    ),
    (
        "yum install -y java-17-openjdk-headless python3-pip",
        [("yum", A, "java-17-openjdk-headless", UNP), ("yum", A, "python3-pip", UNP)],
    ),
    ("yum install -y --enablerepo crb httpd-2.4.57", [("yum", A, "httpd", EXACT)]),
    ("dnf --setopt=install_weak_deps=False install -y nginx", [("yum", A, "nginx", UNP)]),
    ("yum install -y /tmp/agent-1.4.2-1.x86_64.rpm", [("yum", A, "/tmp/agent-1.4.2-1.x86_64.rpm", LOC)]),
    (
        "dnf install -y https://example.com/x-1.0-1.noarch.rpm",
        [("yum", A, "https://example.com/x-1.0-1.noarch.rpm", LOC)],
    ),
    ("dnf module install -y nodejs:18", [("yum", A, "nodejs", PART)]),
    ("yum module install -y postgresql", [("yum", A, "postgresql", UNP)]),
    ("microdnf install -y nginx && dnf in -y vim", [("yum", A, "nginx", UNP), ("yum", A, "vim", UNP)]),
    ("yum groupinstall -y 'Development Tools' && dnf group install -y x", []),
    ("yum localinstall -y ./a-1.0-1.rpm", [("yum", A, "./a-1.0-1.rpm", LOC)]),
    ("zypper --non-interactive in nginx=1.21.5", [("yum", A, "nginx", EXACT)]),
    (r"zypper install -y nginx\>=1.21", [("yum", A, "nginx", UNP)]),
    ("zypper in -t pattern devel_basis", []),
    ("yum -y update && dnf -y upgrade-minimal && dnf distro-sync", [("yum", G, None, UNP)] * 3),
    ("zypper -n dup && zypper -n update && zypper up", [("yum", G, None, UNP)] * 3),
    ("yum update -y openssl", [("yum", A, "openssl", UNP)]),
    # --- pip
    ("pip install requests", [("pip", A, "requests", UNP)]),
    (
        "pip3 install requests==2.32.3 'urllib3>=2' sqlparse~=0.4.4 'flask==3.0.*' x===1.0",
        [
            ("pip", A, "requests", EXACT),
            ("pip", A, "urllib3", UNP),
            ("pip", A, "sqlparse", UNP),
            ("pip", A, "flask", UNP),
            ("pip", A, "x", EXACT),
        ],
    ),
    ("pip install docutils>=0.20", [("pip", A, "docutils", UNP)]),
    (
        'pip install "requests[socks]" "httpx[http2]==0.27.0" "attrs==23.2.0; python_version>\'3.8\'"',
        [("pip", A, "requests", UNP), ("pip", A, "httpx", EXACT), ("pip", A, "attrs", EXACT)],
    ),
    ("pip install --no-cache-dir --upgrade pip setuptools", [("pip", A, "pip", UNP), ("pip", A, "setuptools", UNP)]),
    ("pip install -U pip==24.1.2", [("pip", A, "pip", EXACT)]),
    (
        "pip3.12 install rich && python3.11 -m pip install typer && python -m pip install attrs==23.2.0",
        [("pip", A, "rich", UNP), ("pip", A, "typer", UNP), ("pip", A, "attrs", EXACT)],
    ),
    ("python3 -I -m pip install x && uv pip install --system rich", [("pip", A, "x", UNP), ("pip", A, "rich", UNP)]),
    (
        "pip install --prefix /opt/a --root /r --target /t -i https://example.com/simple "
        "--extra-index-url https://example.org/s --trusted-host example.com --timeout 120 "
        "--root-user-action ignore -f /wheels yamllint==1.35.1",
        [("pip", A, "yamllint", EXACT)],
    ),
    (
        "pip install git+https://example.com/acme/tool.git@0123456789abcdef0123456789abcdef01234567#egg=tool",
        [("pip", A, "tool", IMM)],
    ),
    ("pip install git+https://example.com/acme/tool.git@main#egg=tool", [("pip", A, "tool", UNP)]),
    ("pip install git+ssh://git@example.com/acme/tool.git#egg=tool", [("pip", A, "tool", UNP)]),
    ("pip install -e git+https://example.com/acme/tool.git#egg=tool", [("pip", A, "tool", UNP)]),
    ('pip install "acme @ https://example.com/acme-2.1.0.tar.gz#sha256=' + "a" * 64 + '"', [("pip", A, "acme", IMM)]),
    ("pip install https://example.com/download/latest", [("pip", A, "https://example.com/download/latest", UNP)]),
    (
        "pip install . && pip install -e . && pip install /src ./x.whl reportlib-1.0.tar.gz vendor/lib",
        [
            ("pip", A, None, LOC),
            ("pip", A, None, LOC),
            ("pip", A, "/src", LOC),
            ("pip", A, "./x.whl", LOC),
            ("pip", A, "reportlib-1.0.tar.gz", LOC),
            ("pip", A, "vendor/lib", LOC),
        ],
    ),
    (
        "pip install -r requirements.txt gunicorn",
        [("pip", Action.REQUIREMENTS, None, UNK), ("pip", A, "gunicorn", UNP)],
    ),
    ("pip install --requirement req/prod.txt", [("pip", Action.REQUIREMENTS, None, UNK)]),
    ('pip install "$PKG"', [("pip", A, "$PKG", UNK)]),
    ("pip install --no-index --find-links /wheels flask", [("pip", A, "flask", LOC)]),
    ("pipx install ruff && pipx install 'poetry==1.8.5'", [("pip", A, "ruff", UNP), ("pip", A, "poetry", EXACT)]),
    ("pipx inject poetry poetry-plugin-export", [("pip", A, "poetry-plugin-export", UNP)]),
    ("uv tool install ruff@0.4.0 && uvx black@latest .", [("pip", A, "ruff", EXACT), ("pip", A, "black", UNP)]),
    # --- npm family
    ("npm install fastify@4.26.2 pino", [("npm", A, "fastify", EXACT), ("npm", A, "pino", UNP)]),
    (
        "npm i -g typescript && npm add x@^1 y@latest @acme/w@1.2.3 @acme/v",
        [
            ("npm", A, "typescript", UNP),
            ("npm", A, "x", UNP),
            ("npm", A, "y", UNP),
            ("npm", A, "@acme/w", EXACT),
            ("npm", A, "@acme/v", UNP),
        ],
    ),
    ('npm install @acme/widgets@">=0.1.0 <0.2.0"', [("npm", A, "@acme/widgets", UNP)]),
    (
        "npm --prefix /app install fastify && npm install --prefix /app fastify@4.26.2 --registry https://example.com",
        [("npm", A, "fastify", UNP), ("npm", A, "fastify", EXACT)],
    ),
    ("npm install", [("npm", Action.LOCKLESS_INSTALL, None, UNP)]),
    ("npm install --omit=dev --progress=false", [("npm", Action.LOCKLESS_INSTALL, None, UNP)]),
    # npm ci: one site pinned by its lockfile (simulate shows it); `npm run ci` runs a script
    ("npm ci && npm run ci && npm run --silent install && npm test",
     [("npm", Action.LOCKFILE_INSTALL, None, Pin.IMMUTABLE)]),
    ("npm clean-install --omit=dev && npm ci -g", [("npm", Action.LOCKFILE_INSTALL, None, Pin.IMMUTABLE)]),
    ("npm update && npm up", [("npm", G, None, UNP)] * 2),
    (
        "npm install ./plugin /srv/p file:../x w-2.0.1.tgz",
        [
            ("npm", A, "./plugin", LOC),
            ("npm", A, "/srv/p", LOC),
            ("npm", A, "file:../x", LOC),
            ("npm", A, "w-2.0.1.tgz", LOC),
        ],
    ),
    (
        "npm install github:acme/widget acme/widget#0123456789abcdef0123456789abcdef01234567",
        [
            ("npm", A, "github:acme/widget", UNP),
            ("npm", A, "acme/widget#0123456789abcdef0123456789abcdef01234567", IMM),
        ],
    ),
    (
        "npm install git+https://example.com/a/b.git#semver:^5.0",
        [("npm", A, "git+https://example.com/a/b.git#semver:^5.0", UNP)],
    ),
    ("npm install --save-exact fastify", [("npm", A, "fastify", UNP)]),
    (
        "yarn && yarn install && yarn install --frozen-lockfile && yarn install --immutable",
        [("npm", Action.LOCKLESS_INSTALL, None, UNP)] * 2,
    ),
    (
        "yarn add left-pad@1.3.0 && yarn global add serve && yarn build",
        [("npm", A, "left-pad", EXACT), ("npm", A, "serve", UNP)],
    ),
    (
        "pnpm install && pnpm i --frozen-lockfile && pnpm add -g pnpm@8.6.0 && pnpm add zod",
        [("npm", Action.LOCKLESS_INSTALL, None, UNP), ("npm", A, "pnpm", EXACT), ("npm", A, "zod", UNP)],
    ),
    (
        "npx -y cowsay hello && npx create-react-app@5.0.1 app && npx -p yo@4.3.1 yo webapp",
        [("npm", A, "cowsay", UNP), ("npm", A, "create-react-app", EXACT), ("npm", A, "yo", EXACT)],
    ),
    (
        "npm exec -- tsc@5.4.5 --version && pnpm dlx create-vite app && yarn dlx degit x",
        [("npm", A, "tsc", EXACT), ("npm", A, "create-vite", UNP), ("npm", A, "degit", UNP)],
    ),
    (
        "corepack enable && corepack prepare pnpm@8.6.0 --activate && corepack prepare yarn@latest --activate",
        [("npm", A, "pnpm", EXACT), ("npm", A, "yarn", UNP)],
    ),
    ("corepack prepare pnpm@8.6.0+sha512." + "ab" * 64 + " --activate", [("npm", A, "pnpm", IMM)]),
    # --- gem, go, cargo
    (
        "gem install rake && gem i rake:13.1.0 && gem install bundler -v 2.5.6 && gem install bundler -v '~> 2.5'",
        [("gem", A, "rake", UNP), ("gem", A, "rake", EXACT), ("gem", A, "bundler", EXACT), ("gem", A, "bundler", UNP)],
    ),
    (
        "gem install nokogiri:1.16.2 --use-system-libraries true && gem install -N --no-document rails -- --with-x=y",
        [("gem", A, "nokogiri", EXACT), ("gem", A, "rails", UNP)],
    ),
    ("bundle install", []),
    (
        "go install golang.org/x/tools/gopls@v0.15.0 && go install x.example/y@latest && go install x.example/z",
        [("go", A, "golang.org/x/tools/gopls", EXACT), ("go", A, "x.example/y", UNP), ("go", A, "x.example/z", UNP)],
    ),
    (
        "go get x.example/q@master && go get x.example/r@v1.2 && go install -ldflags '-s -w' ./cmd/a",
        [("go", A, "x.example/q", UNP), ("go", A, "x.example/r", UNP), ("go", A, "./cmd/a", LOC)],
    ),
    ("go build ./... && go mod download", []),
    (
        "cargo install ripgrep && cargo install ripgrep@14.1.0 && cargo install --version =1.2.3 bat "
        "&& cargo install --vers 0.8.1 cargo-audit && cargo install --version '^1' x",
        [
            ("cargo", A, "ripgrep", UNP),
            ("cargo", A, "ripgrep", EXACT),
            ("cargo", A, "bat", EXACT),
            ("cargo", A, "cargo-audit", EXACT),
            ("cargo", A, "x", UNP),
        ],
    ),
    (
        "cargo install --git https://example.com/x --rev "
        + "a" * 40
        + " x && cargo install --git https://example.com/y",
        [("cargo", A, "x", IMM), ("cargo", A, "https://example.com/y", UNP)],
    ),
    ("cargo build --release", []),
    # --- conda, mamba, micromamba, conda-lock
    (
        "conda install -y -c conda-forge numpy python=3.11 'scipy==1.11.4' pandas=2.1.4=py311h1_0 "
        "'xarray>=2023' 'conda-forge::zarr' \"h5py 3.10.0 nompi_py311h1_101\" 'r-base=4.3.*' 'jq=1.7=h1*'",
        [("conda", A, "numpy", UNP), ("conda", A, "python", PART), ("conda", A, "scipy", EXACT),
         ("conda", A, "pandas", EXACT), ("conda", A, "xarray", UNP), ("conda", A, "zarr", UNP),
         ("conda", A, "h5py", EXACT), ("conda", A, "r-base", PART), ("conda", A, "jq", EXACT)],
    ),
    ("conda create -n env -p /opt/x --override-channels -c bioconda samtools",
     [("conda", A, "samtools", UNP)]),
    ("mamba install --yes --channel conda-forge --prefix /opt/conda 'numpy[version=\">=1.2,<2\"]'",
     [("conda", A, "numpy", UNP)]),
    ("micromamba -r /opt/mamba install -y -n base -f env.yml tini=0.19.0=h1_0",
     [("conda", Action.REQUIREMENTS, None, UNK), ("conda", A, "tini", EXACT)]),
    ("conda install --file a.txt --file=b.txt", [("conda", Action.REQUIREMENTS, None, UNK)] * 2),
    ("conda install 'x[md5=0123456789abcdef0123456789abcdef]' 'https://c.example/noarch/y-1.0-0.conda'",
     [("conda", A, "x", IMM), ("conda", A, "y", EXACT)]),
    ("conda update --all -y && conda upgrade -n base conda && micromamba update -y",
     [("conda", G, None, UNP), ("conda", G, "conda", UNP), ("conda", G, None, UNP)]),
    ("conda env create && mamba env update -n base --file environment.yml --prune",
     [("conda", Action.REQUIREMENTS, None, UNK)] * 2),
    ("conda-lock install -n env conda-lock.yml && conda-lock install", [("conda", Action.REQUIREMENTS, None, UNK)] * 2),
    ('conda install -y "$PKG" numpy=$NUMPY_VERSION', [("conda", A, "$PKG", UNK), ("conda", A, "numpy", UNK)]),
    ("conda create --clone base -n copy && conda remove numpy && conda env list && conda-lock lock -f e.yml", []),
    ("pixi install && pixi install --locked && pixi install --frozen -e prod && pixi run test && pixi shell",
     [("conda", Action.LOCKLESS_INSTALL, None, UNP)]),
    ("pixi add numpy 'python=3.11' 'scipy==1.11.4=py311_0' && pixi global install ruff",
     [("conda", A, "numpy", UNP), ("conda", A, "python", PART), ("conda", A, "scipy", EXACT),
      ("conda", A, "ruff", UNP)]),
    ("pixi add --pypi requests 'flask==3.0.0' --feature test",
     [("pip", A, "requests", UNP), ("pip", A, "flask", EXACT)]),
    # --- download-then-run
    ("curl -fsSL https://example.com/i.sh | sh", [("download", ND, "https://example.com/i.sh", UNP)]),
    ("curl -fsSL https://example.com/i.sh | sudo bash -s -- -y", [("download", ND, "https://example.com/i.sh", UNP)]),
    (
        "wget -qO- https://example.com/i.sh | bash && wget -O - https://example.com/j.py | python3 -",
        [("download", ND, "https://example.com/i.sh", UNP), ("download", ND, "https://example.com/j.py", UNP)],
    ),
    ("bash <(curl -s https://example.com/a.sh)", [("download", ND, "https://example.com/a.sh", UNP)]),
    ('sh -c "$(curl -fsSL https://example.com/b.sh)"', [("download", ND, "https://example.com/b.sh", UNP)]),
    ('eval "$(curl -s https://example.com/c)"', [("download", ND, "https://example.com/c", UNP)]),
    (
        "curl -fsSL -o /tmp/x.sh https://example.com/x.sh && sh /tmp/x.sh",
        [("download", ND, "https://example.com/x.sh", UNP)],
    ),
    ("wget https://example.com/y.sh && chmod +x y.sh && ./y.sh", [("download", ND, "https://example.com/y.sh", UNP)]),
    ("curl -LO https://example.com/z.sh && bash z.sh", [("download", ND, "https://example.com/z.sh", UNP)]),
    (
        "curl -o /tmp/v.sh https://example.com/v.sh && echo 'abc  /tmp/v.sh' | sha256sum -c - && bash /tmp/v.sh",
        [("download", ND, "https://example.com/v.sh", IMM)],
    ),
    (
        "curl -o /tmp/v.sh https://example.com/v.sh && shasum -a 256 -c v.sh.sha256 && sh /tmp/v.sh",
        [("download", ND, "https://example.com/v.sh", IMM)],
    ),
    (
        "curl -o t.sh https://example.com/t.sh && gpg --verify t.sh.asc t.sh && sh t.sh",
        [("download", ND, "https://example.com/t.sh", IMM)],
    ),
    (
        "curl https://example.com/raw/" + "c" * 40 + "/i.sh | sh",
        [("download", ND, "https://example.com/raw/" + "c" * 40 + "/i.sh", IMM)],
    ),
    (
        "curl -Lo /usr/local/bin/tool https://example.com/tool && chmod +x /usr/local/bin/tool && tool --version",
        [("download", ND, "https://example.com/tool", UNP)],
    ),
    ("curl -s https://example.com/k.tgz | tar xz && curl -o /tmp/a https://example.com/a && cat /tmp/a", []),
    ('VERSION="$(curl -s https://example.com/v)" && echo "$(curl -s https://example.com/w)"', []),
    ("curl -s https://example.com/k | sh -c 'cat > /tmp/k'", []),
]

CATCHES_NOT = [
    "apt-get update && apt-get remove -y --purge jq && apt-get autoremove -y && apt-get clean",
    "apt-get install -y jq-",
    "apk del .build-deps && apk update && apk info",
    "yum clean all && dnf remove -y x && dnf module enable -y nodejs:18",
    "mydnf install nginx && apt-getx install x",
    "pip download --no-deps -d /wheels flask && pip wheel -w /wheels rich && pip uninstall -y x && pip freeze",
    "pip list && pip show x && pipenv install --deploy --system && python script.py install x",
    "npm run build && npm test && npm cit",
    "yarn build && yarn run install && pnpm run x && pnpm fetch",
    "corepack enable && corepack prepare --activate",
    "gem list && gem build x.gemspec",
    "go test ./... && go vet ./...",
    "echo 'apt-get install jq' > /tmp/x",
    "pnpm install -g",
]


@pytest.mark.parametrize(("text", "expected"), CATCHES, ids=[t[:60] for t, _ in CATCHES])
def test_catches(text: str, expected: list[tuple[str, Action, str | None, Pin]]) -> None:
    assert tuples(text) == expected


@pytest.mark.parametrize("text", CATCHES_NOT)
def test_catches_not(text: str) -> None:
    assert tuples(text) == []


def test_location_is_the_package_token_on_its_physical_line() -> None:
    got = run("apt-get install -y \\\n    curl \\\n    wget=1.21.3-1+b2")
    assert [(s.package, s.location.span) for s in got] == [
        ("curl", Span(2, 5, 2, 9, 25, 29)), ("wget", Span(3, 5, 3, 21, 36, 52))]
    assert all(s.location.path == "Dockerfile" and s.installer == "apt-get" for s in got)


def test_location_of_packageless_sites_is_the_verb() -> None:
    (up,) = run("apt-get update && apt-get upgrade -y")
    assert up.location.span == Span(1, 27, 1, 34, 26, 33)
    (lockless,) = run("npm install")
    assert lockless.location.span == Span(1, 5, 1, 12, 4, 11)
    (bare,) = run("yarn")
    assert bare.location.span == Span(1, 1, 1, 5, 0, 4)


def test_versions_and_specs() -> None:
    got = run("apt-get install git=1:2.39.2-1.1 && pip install 'httpx[http2]==0.27.0' && npm i @a/b@v1.2.3")
    assert [(s.spec, s.version) for s in got] == [
        ("git=1:2.39.2-1.1", "1:2.39.2-1.1"),
        ("httpx[http2]==0.27.0", "0.27.0"),
        ("@a/b@v1.2.3", "1.2.3"),
    ]
    (unp,) = run("pip install 'requests>=2'")
    assert unp.version is None and "range" in unp.detail


def test_installer_names() -> None:
    got = run("pip3 install a && python3.11 -m pip install b && uv pip install c && pipx install d && yarn add e")
    assert [s.installer for s in got] == ["pip3", "python3.11 -m pip", "uv pip", "pipx", "yarn"]


def test_global_installs() -> None:
    got = run(
        "npm i -g a && npm install --global b && npm i c && yarn global add d && pipx install e "
        "&& pnpm add -g f && npm install --location=global g"
    )
    assert [(s.package, s.global_install) for s in got] == [
        ("a", True),
        ("b", True),
        ("c", False),
        ("d", True),
        ("e", True),
        ("f", True),
        ("g", True),
    ]


def test_require_hashes_marks_sites_hashed() -> None:
    got = run("pip install --require-hashes x==1.0 -r req.txt && pip install y==1.0")
    assert [(s.package, s.hashed) for s in got] == [("x", True), (None, True), ("y", False)]


def test_requirements_site_points_at_the_file_word() -> None:
    (site,) = run("pip install --no-cache-dir -r requirements/prod.txt")
    assert site.action is Action.REQUIREMENTS and site.spec == "requirements/prod.txt"
    assert site.location.span == Span(1, 31, 1, 52, 30, 51)


def test_constraints_file_pins_what_it_pins() -> None:
    read = {"constraints.txt": {"kafka-python": "2.0.2"}}
    ctx = InstallContext("Dockerfile", read_constraints=lambda p: read.get(p))
    got = run("pip install -c constraints.txt kafka_python 'six>=1' && pip install -c missing.txt x", ctx=ctx)
    assert [(s.package, s.pin, s.version) for s in got] == [
        ("kafka_python", EXACT, "2.0.2"),
        ("six", UNP, None),
        ("x", UNK, None),
    ]
    assert "constraints.txt" in got[0].detail and "missing.txt" in got[2].detail


def test_unknown_variables_are_unknown_with_a_detail() -> None:
    got = run('apt-get install -y "$EXTRA" jq=${JQ_VER} && pip install "ruff==$V"')
    assert [(s.package, s.pin) for s in got] == [("$EXTRA", UNK), ("jq", UNK), ("ruff", UNK)]
    assert got[0].detail == "from $EXTRA, which is not known at build time"


def test_known_variables_are_expanded_by_the_shell_layer() -> None:
    got = run('deps="gcc=4:12.2.0-3 make=4.3-4.1" && apt-get install -y $deps')
    assert [(s.package, s.pin) for s in got] == [("gcc", EXACT), ("make", EXACT)]


def test_suite_detail() -> None:
    a, b = run("apt-get install -t bookworm-backports x && apt-get install y/bookworm")
    assert "-t bookworm-backports selects a suite" in a.detail
    assert "selects a suite" in b.detail


def test_download_tracker_lives_across_runs() -> None:
    ctx = InstallContext("Dockerfile")
    assert run("curl -fsSLo /tmp/get.sh https://example.com/get.sh", ctx=ctx) == []
    assert ctx.downloads.fetched == {"/tmp/get.sh": "https://example.com/get.sh"}
    (site,) = run("sh /tmp/get.sh --yes", ctx=ctx)
    assert (site.package, site.pin, site.location.span) == ("https://example.com/get.sh", UNP, Span(1, 4, 1, 15, 3, 14))


def test_download_relative_to_workdir() -> None:
    ctx = InstallContext("Dockerfile", workdir="/opt", downloads=DownloadTracker())
    run("wget -P /opt/dl https://example.com/i.sh", ctx=ctx)
    (site,) = run("bash dl/i.sh", ctx=ctx)
    assert site.package == "https://example.com/i.sh"


def test_verified_download_is_immutable_and_redownload_unverifies() -> None:
    ctx = InstallContext("Dockerfile")
    run("curl -o x.sh https://example.com/x.sh && sha256sum --check x.sh.sha256", ctx=ctx)
    (ok,) = run("./x.sh", ctx=ctx)
    assert ok.pin is IMM
    run("curl -o x.sh https://example.com/x2.sh", ctx=ctx)
    (bad,) = run("./x.sh", ctx=ctx)
    assert (bad.package, bad.pin) == ("https://example.com/x2.sh", UNP)


def test_pipe_site_is_at_the_url() -> None:
    # SPEC §6: a finding sits on the package token's line, and a download-then-run's package is
    # its URL, not the `| sh` two lines further down
    (site,) = run("curl -fsSL \\\n  https://example.com/i.sh \\\n  | sh")
    assert site.location.span == Span(2, 3, 2, 27, 15, 39)
    assert site.spec == "https://example.com/i.sh"


def test_dispatcher_matches_versioned_names_only() -> None:
    for name in ("pip", "pip3", "pip3.12", "python", "python3", "python3.11", "uv", "pipx", "pipenv", "poetry", "pdm"):
        assert module_for(name) is not None, name
    for name in ("mydnf", "pipenv2", "pip-compile", "pythonx", "node"):
        assert module_for(name) is None, name
