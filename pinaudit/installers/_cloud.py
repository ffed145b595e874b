"""Cloud storage command lines that fetch a file: where the bytes come from and where they land.

``gsutil cp``, ``gcloud storage cp``, ``aws s3 cp``, ``aws s3api get-object``, ``az storage blob
download`` and ``azcopy copy`` are downloads like curl's: the file they write is data until a later
command executes it (``bash /tmp/x.sh``, ``chmod +x x && ./x``, ``. x``), and then what runs is
whatever the bucket held that day, unchecked (PIN502, tracked by :mod:`pinaudit.installers.download`).
``gsutil cat``, ``gcloud storage cat`` and ``aws s3 cp SRC -`` write to stdout, so ``| sh`` runs them.

Quirks that decide a destination:

* Only a copy *from* the bucket (``gs://``, ``s3://``, an ``https://...blob...`` URL for azcopy) *to*
  a local path is a download; an upload or a bucket-to-bucket copy is not.
* A destination that ends in ``/`` or is ``.`` is a folder: the file keeps the source's name. One
  that could be either (``gsutil cp gs://b/x.sh /tmp``) is recorded both ways, since the command
  line cannot say which exists; executing either is caught, and guessing wrong costs nothing.
* Recursive copies (``-r``, ``--recursive``) fetch files we cannot name: not recorded.
"""

from __future__ import annotations

import posixpath

from pinaudit.installers._common import Args, Flags, flags, parse, split_fields, subcommand

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pinaudit.parse.shell import Command, Word

COMMANDS = frozenset({"gsutil", "gcloud", "aws", "az", "azcopy"})

GSUTIL_FLAGS = flags("-o", "-h", "-u", "-i", "-a", "-j", "-L", "-s", "-z")
GCLOUD_FLAGS = flags(
    "--project", "--billing-project", "--account", "--impersonate-service-account", "--configuration",
    "--verbosity", "--encryption-key", "--decryption-keys", "--content-type", "--cache-control",
    "--content-disposition", "--content-encoding", "--content-language", "--custom-time", "--storage-class",
    "--predefined-acl", "--additional-headers", "--trace-token", "--flags-file", "--format", "--if-generation-match",
    "--if-metageneration-match", "--read-paths-from-stdin", "--manifest-path", "--custom-metadata",
)
AWS_FLAGS = flags(
    "--profile", "--region", "--endpoint-url", "--output", "--query", "--cli-read-timeout",
    "--cli-connect-timeout", "--ca-bundle", "--color", "--cli-binary-format", "--acl", "--sse", "--sse-c",
    "--sse-c-key", "--sse-kms-key-id", "--storage-class", "--grants", "--website-redirect", "--content-type",
    "--cache-control", "--content-disposition", "--content-encoding", "--content-language", "--expires",
    "--metadata", "--metadata-directive", "--exclude", "--include", "--expected-size", "--source-region",
    "--request-payer", "--checksum-mode", "--checksum-algorithm", "--copy-props", "--sse-c-copy-source",
    "--sse-c-copy-source-key", "--bucket", "--key", "--version-id", "--range", "--part-number",
    "--if-match", "--if-none-match", "--if-modified-since", "--if-unmodified-since", "--expected-bucket-owner",
    "--response-content-type", "--response-cache-control", "--sse-customer-algorithm", "--sse-customer-key",
    "--sse-customer-key-md5",
)
AZ_FLAGS = flags(
    "--container-name", "-c", "--name", "-n", "--file", "-f", "--account-name", "--account-key",
    "--connection-string", "--sas-token", "--auth-mode", "--blob-url", "--subscription", "--output", "-o",
    "--query", "--max-connections", "--start-range", "--end-range", "--snapshot", "--version-id",
    "--if-match", "--if-none-match", "--if-modified-since", "--if-unmodified-since", "--lease-id",
    "--timeout", "--tags-condition", "--blob-endpoint", "--encryption-scope",
)
AZCOPY_FLAGS = flags(
    "--log-level", "--cap-mbps", "--block-size-mb", "--include-pattern", "--exclude-pattern", "--from-to",
    "--overwrite", "--output-type", "--trusted-microsoft-suffixes", "--include-path", "--exclude-path",
    "--list-of-files", "--check-md5", "--blob-type", "--block-blob-tier", "--metadata", "--content-type",
)
_BUCKET_SCHEMES = ("gs://", "s3://")


class Fetch:
    """One download a command line makes (curl and wget too): the word to point at, the address
    (None when a variable hides it), and every path the file may have landed at ("-": stdout)."""

    __slots__ = ("dests", "url", "word")

    def __init__(self, word: Word, url: str | None, dests: tuple[str, ...]) -> None:
        self.word = word
        self.url = url
        self.dests = dests


def cloud_fetch(cmd: Command) -> Fetch | None:
    """The object ``cmd`` downloads from cloud storage, if it downloads one."""
    name = cmd.name
    words = split_fields(cmd.argv[1:])
    if name == "gsutil":
        _pre, verb, rest = subcommand(words, GSUTIL_FLAGS)
        return _copy(verb, rest, GSUTIL_FLAGS, ("cp",), ("cat",))
    if name == "gcloud":
        _pre, group, rest = subcommand(words, GCLOUD_FLAGS)
        if group is not None and group.value in ("alpha", "beta"):
            _pre, group, rest = subcommand(rest, GCLOUD_FLAGS)
        if group is None or group.value != "storage":
            return None
        _pre, verb, rest = subcommand(rest, GCLOUD_FLAGS)
        return _copy(verb, rest, GCLOUD_FLAGS, ("cp",), ("cat",))
    if name == "aws":
        _pre, service, rest = subcommand(words, AWS_FLAGS)
        _pre2, verb, rest = subcommand(rest, AWS_FLAGS)
        if service is None or verb is None:
            return None
        if service.value == "s3":
            return _copy(verb, rest, AWS_FLAGS, ("cp",), ())
        if service.value == "s3api" and verb.value == "get-object":
            return _s3api(parse(rest, AWS_FLAGS))
        return None
    if name == "az":
        return _az(words)
    if name == "azcopy":
        _pre, verb, rest = subcommand(words, AZCOPY_FLAGS)
        return _copy(verb, rest, AZCOPY_FLAGS, ("copy", "cp"), (), remote=("https://", "http://"))
    return None


def _copy(verb: Word | None, rest: list[Word], table: Flags, copies: tuple[str, ...], cats: tuple[str, ...],
          remote: tuple[str, ...] = _BUCKET_SCHEMES) -> Fetch | None:
    """``cp SRC... DEST`` (a download when a source is remote and DEST is local), ``cat SRC``."""
    if verb is None or verb.value not in (*copies, *cats):
        return None
    args = parse(rest, table)
    paths = [*args.positionals, *args.rest]
    if verb.value in cats:
        src = next((w for w in paths if w.value and w.value.startswith(remote)), None)
        return Fetch(src, src.value, ("-",)) if src is not None and src.value else None
    if len(paths) < 2 or _recursive(args):
        return None
    *sources, dest_word = paths
    dest = dest_word.value
    src = next((w for w in sources if w.value and w.value.startswith(remote)), None)
    if src is None or src.value is None or dest is None or dest.startswith(remote) or "://" in dest:
        return None
    return Fetch(src, src.value, _destinations(src.value, dest))


def _recursive(args: Args) -> bool:
    return args.has("-r", "-R", "--recursive")


def _destinations(src: str, dest: str) -> tuple[str, ...]:
    if dest == "-":
        return ("-",)
    name = posixpath.basename(src.split("?", 1)[0].rstrip("/"))
    if dest.endswith("/") or dest in (".", ".."):
        return (posixpath.join(dest, name),) if name else ()
    return (dest, posixpath.join(dest, name)) if name and posixpath.basename(dest) != name else (dest,)


def _s3api(args: Args) -> Fetch | None:
    bucket, key = args.last("--bucket"), args.last("--key")
    if not args.positionals or bucket is None or key is None:
        return None
    out = args.positionals[-1]
    if out.value is None:
        return None
    url = f"s3://{bucket.value}/{key.value}" if bucket.value and key.value else None
    return Fetch(key.value_word or out, url, (out.value,))


def _az(words: list[Word]) -> Fetch | None:
    """``az storage blob download --container-name C --name N --file F`` (or ``--blob-url``)."""
    values = [w.value for w in words[:3]]
    if values != ["storage", "blob", "download"]:
        return None
    args = parse(words[3:], AZ_FLAGS)
    out = args.last("--file", "-f")
    if out is None or out.value is None:
        return None
    blob_url = args.last("--blob-url")
    container, blob = args.last("--container-name", "-c"), args.last("--name", "-n")
    if blob_url is not None and blob_url.value_word is not None:
        return Fetch(blob_url.value_word, blob_url.value, (out.value,))
    if container is None or blob is None or blob.value_word is None:
        return None
    account = args.last("--account-name")
    where = f"{account.value}/" if account is not None and account.value else ""
    url = f"az://{where}{container.value}/{blob.value}" if container.value and blob.value else None
    return Fetch(blob.value_word, url, (out.value,))
