#!/usr/bin/env python3
"""A Hugging Face Hub on loopback, for testing downloads without the network (standard library only).

Serves the routes a client of the Hub uses, answered the way huggingface.co answers them:
  GET  /api/models/ORG/NAME/revision/REV[?blobs=true]   repo info: commit "sha", "siblings" (with blobId, size
                                                         and lfs {sha256, size, pointerSize} when blobs=true)
  GET  /api/models/ORG/NAME/tree/REV[/PATH]?recursive=1 the file tree: oid, size, path, lfs {oid, size, pointerSize}
  HEAD/GET /ORG/NAME/resolve/REV/PATH                   a git file: 200, ETag "<git blob sha1>", X-Repo-Commit;
                                                         an LFS file: 302 to the CDN (another host name), with
                                                         X-Linked-Etag "<sha256>", X-Linked-Size, X-Repo-Commit
  HEAD/GET /lfs-cdn/SHA256                              the LFS bytes, Range requests answered with 206; a request
                                                         carrying Authorization is refused (400), as a signed CDN URL is
  GET  /_log                                            the requests so far (for tests), as JSON lines
Errors carry X-Error-Code / X-Error-Message as the Hub's do: 404 RepoNotFound, RevisionNotFound, EntryNotFound;
401 for a private repository without the right Bearer token.

The repositories are folders: --repos DIR serves DIR/ORG/NAME/** as repository ORG/NAME, branch "main" and tag "v1"
at one commit (a hash of the contents). Files named *.safetensors, or larger than --lfs-above bytes, are LFS files.

Faults, for tests: --cut-short PATH (the first GET of that file sends half its bytes, then closes the connection),
--corrupt PATH (the file is served with one byte changed; its listed sha256 is the true one), --private ORG/NAME
(needs --token), --slow SECONDS (pause between 64 KB chunks of LFS bodies), --listed-size PATH=BYTES (the listings
give that file's size as BYTES, whatever it holds).

Prints "port N" on its first line of stdout once listening on 127.0.0.1 (--port 0: any free port). Exits when the
process --parent-pid names (default: the one that started it) is gone: a test process that crashes must not leave it
holding the test runner's output open (swift test then waited for it forever). So start it from a process that lives
as long as it should, not from a wrapper that exits (a shell's `( ... & )`).
"""
import argparse
import hashlib
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def git_blob_id(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Repository:
    def __init__(self, name, folder, lfs_above, listed_sizes):
        self.name = name
        self.listed_sizes = listed_sizes
        self.files = {}
        for base, _, names in os.walk(folder):
            for file in names:
                full = os.path.join(base, file)
                path = os.path.relpath(full, folder).replace(os.sep, "/")
                with open(full, "rb") as handle:
                    self.files[path] = handle.read()
        self.lfs = {p for p, d in self.files.items() if p.endswith(".safetensors") or len(d) > lfs_above}
        digest = hashlib.sha1()
        for path in sorted(self.files):
            digest.update(path.encode() + b"\0" + git_blob_id(self.files[path]).encode())
        self.commit = digest.hexdigest()
        self.sha256 = {p: hashlib.sha256(self.files[p]).hexdigest() for p in self.lfs}

    def entry(self, path, tree):
        data = self.files[path]
        size = self.listed_sizes.get(path, len(data))
        item = {"type": "file", "oid": git_blob_id(data), "size": size, "path": path} if tree else {
            "rfilename": path, "blobId": git_blob_id(data), "size": size}
        if path in self.lfs:
            if tree:
                item["lfs"] = {"oid": self.sha256[path], "size": size, "pointerSize": 134}
            else:
                item["lfs"] = {"sha256": self.sha256[path], "size": size, "pointerSize": 134}
        return item


class Hub:
    def __init__(self, options):
        self.options = options
        self.repositories = {}
        listed_sizes = {path: int(size) for path, size in (item.rsplit("=", 1) for item in options.listed_size)}
        for org in sorted(os.listdir(options.repos)):
            for name in sorted(os.listdir(os.path.join(options.repos, org))):
                repo_id = f"{org}/{name}"
                self.repositories[repo_id] = Repository(
                    repo_id, os.path.join(options.repos, org, name), options.lfs_above, listed_sizes)
        self.by_sha256 = {}
        for repository in self.repositories.values():
            for path, sha in repository.sha256.items():
                self.by_sha256[sha] = (repository, path)
        self.log = []
        self.lock = threading.Lock()
        self.cut = set()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hub = None

    def log_message(self, *args):
        pass

    def record(self):
        with self.hub.lock:
            self.hub.log.append({
                "method": self.command, "path": self.path, "range": self.headers.get("Range"),
                "authorization": self.headers.get("Authorization"), "host": self.headers.get("Host")})

    def error(self, status, code, message):
        body = json.dumps({"error": message}).encode()
        self.send_response(status)
        if code:
            self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def json(self, value):
        body = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def repository(self, repo_id, revision):
        """The repository and commit, or None after answering with the Hub's error."""
        repository = self.hub.repositories.get(repo_id)
        if repository is None:
            self.error(404, "RepoNotFound", f"Repository {repo_id} not found")
            return None
        if repo_id in self.hub.options.private:
            expected = f"Bearer {self.hub.options.token}"
            if self.headers.get("Authorization") != expected:
                self.error(401, "RepoNotFound", "Invalid credentials in Authorization header")
                return None
        if revision not in ("main", "v1", repository.commit):
            self.error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
            return None
        return repository

    def do_HEAD(self):
        self.route()

    def do_GET(self):
        self.route()

    def route(self):
        self.record()
        url = urllib.parse.urlsplit(self.path)
        parts = [urllib.parse.unquote(p) for p in url.path.split("/")[1:]]
        query = urllib.parse.parse_qs(url.query)
        if parts == ["_log"]:
            with self.hub.lock:
                return self.json(self.hub.log)
        if len(parts) >= 6 and parts[:2] == ["api", "models"] and parts[4] in ("revision", "tree"):
            repo_id = f"{parts[2]}/{parts[3]}"
            repository = self.repository(repo_id, parts[5])
            if repository is None:
                return
            if parts[4] == "revision":
                blobs = query.get("blobs", ["false"])[0].lower() == "true"
                return self.json({
                    "_id": repository.commit[:24], "id": repo_id, "modelId": repo_id, "sha": repository.commit,
                    "private": repo_id in self.hub.options.private, "disabled": False, "gated": False,
                    "downloads": 0, "likes": 0, "tags": [], "lastModified": "2026-01-01T00:00:00.000Z",
                    "siblings": [repository.entry(p, tree=False) if blobs else {"rfilename": p}
                                 for p in sorted(repository.files)]})
            prefix = "/".join(parts[6:])
            recursive = query.get("recursive", ["false"])[0].lower() in ("true", "1")
            entries, folders = [], set()
            for path in sorted(repository.files):
                if prefix and not path.startswith(prefix + "/"):
                    continue
                rest = path[len(prefix) + 1:] if prefix else path
                if "/" in rest:
                    folder = (prefix + "/" if prefix else "") + rest.split("/")[0]
                    if folder not in folders:
                        folders.add(folder)
                        entries.append({"type": "directory", "oid": "0" * 40, "size": 0, "path": folder})
                    if not recursive:
                        continue
                entries.append(repository.entry(path, tree=True))
            return self.json(entries)
        if len(parts) >= 5 and parts[2] == "resolve":
            repo_id = f"{parts[0]}/{parts[1]}"
            repository = self.repository(repo_id, parts[3])
            if repository is None:
                return
            path = "/".join(parts[4:])
            if path not in repository.files:
                return self.error(404, "EntryNotFound", f"{path} does not exist on \"{parts[3]}\"")
            data = repository.files[path]
            if path in repository.lfs:
                port = self.server.server_address[1]
                self.send_response(302)
                self.send_header("Location", f"http://localhost:{port}/lfs-cdn/{repository.sha256[path]}?sig=x")
                self.send_header("X-Linked-Etag", f'"{repository.sha256[path]}"')
                self.send_header("X-Linked-Size", str(len(data)))
                self.send_header("ETag", f'"{git_blob_id(data)}"')
                self.send_header("X-Repo-Commit", repository.commit)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            return self.body(path, data, {"ETag": f'"{git_blob_id(data)}"', "X-Repo-Commit": repository.commit})
        if len(parts) == 2 and parts[0] == "lfs-cdn" and parts[1] in self.hub.by_sha256:
            if self.headers.get("Authorization"):
                return self.error(400, None, "Only one auth mechanism allowed")
            repository, path = self.hub.by_sha256[parts[1]]
            return self.body(path, repository.files[path], {"ETag": f'"{parts[1]}"'}, lfs=True)
        self.error(404, None, "Not Found")

    def body(self, path, data, headers, lfs=False):
        if path in self.hub.options.corrupt:
            data = bytes([data[0] ^ 1]) + data[1:]
        start = 0
        requested = self.headers.get("Range")
        if requested and requested.startswith("bytes=") and requested.endswith("-"):
            start = int(requested[6:-1])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        if self.command == "HEAD":
            return
        chunk = data[start:]
        if path in self.hub.options.cut_short and self.command == "GET":
            with self.hub.lock:
                first = path not in self.hub.cut
                self.hub.cut.add(path)
            if first:
                self.wfile.write(chunk[: len(chunk) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
        for offset in range(0, len(chunk), 65536):
            self.wfile.write(chunk[offset:offset + 65536])
            if lfs and self.hub.options.slow:
                self.wfile.flush()
                time.sleep(self.hub.options.slow)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repos", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="")
    parser.add_argument("--private", action="append", default=[])
    parser.add_argument("--cut-short", action="append", default=[])
    parser.add_argument("--corrupt", action="append", default=[])
    parser.add_argument("--slow", type=float, default=0)
    parser.add_argument("--listed-size", action="append", default=[], metavar="PATH=BYTES")
    parser.add_argument("--lfs-above", type=int, default=10_000)
    parser.add_argument("--parent-pid", type=int, default=os.getppid())
    options = parser.parse_args()

    def exit_with_parent():
        while True:
            try:
                os.kill(options.parent_pid, 0)  # signal 0: only whether the process exists
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass  # it exists (another user's)
            time.sleep(0.5)

    threading.Thread(target=exit_with_parent, daemon=True).start()
    Handler.hub = Hub(options)
    server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
    server.daemon_threads = True
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
