/**
 * A local stand-in for Azure Blob Storage that Terraform's real azurerm backend talks to, for
 * tests of state initialisation (issue 14).
 *
 * How the real backend reaches it: Terraform's HTTP client honours `HTTPS_PROXY`, so the backend's
 * requests to `https://<account>.blob.core.windows.net` arrive here as `CONNECT` requests; this
 * server answers them itself with TLS, under a certificate for `*.blob.core.windows.net` signed by
 * a test CA made with `openssl` for this run only, which Terraform trusts through `SSL_CERT_FILE`.
 *
 * Identities are SAS tokens (`ARM_SAS_TOKEN`, which the backend prefers to Entra ID even when the
 * backend block says `use_azuread_auth`): `sp=rl` is a reader, like Storage Blob Data Reader,
 * `sp=racwl` a writer. Like Azure, a request its token's permissions do not cover is refused with
 * 403 `AuthorizationPermissionMismatch`, and a write to a leased blob without its lease id with
 * 412 `LeaseIdMissing`. It implements what the backend calls (Get Blob, Get Blob Properties, Put
 * Blob, Lease Blob acquire/release, Set Blob Metadata, List Blobs), nothing else; it checks no
 * signature.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecureContext, TLSSocket } from "node:tls";

export const READER_SAS = "sv=2023-11-03&ss=b&srt=co&sp=rl&sig=reader";
export const WRITER_SAS = "sv=2023-11-03&ss=b&srt=co&sp=racwl&sig=writer";

interface Blob {
  body: Buffer;
  lease?: string;
  meta: Record<string, string>;
}

export interface FakeRequest {
  readonly method: string;
  /** `<account>/<container>/<blob>` or `<account>/<container>` for a list. */
  readonly path: string;
  readonly comp?: string;
  readonly identity: "reader" | "writer" | "unknown";
  readonly status: number;
}

export interface FakeBlobStorage {
  /** Environment for the terraform process: proxy, trusted CA. Add `ARM_SAS_TOKEN` per identity. */
  readonly env: Readonly<Record<string, string>>;
  readonly requests: FakeRequest[];
  /** Blob contents by `<account>/<container>/<blob>`. */
  blob(path: string): string | undefined;
  close(): Promise<void>;
}

/** Whether `openssl` can run here (the test CA is made with it). */
export function opensslAvailable(): boolean {
  return spawnSync("openssl", ["version"], { stdio: "ignore" }).status === 0;
}

function makeCertificates(dir: string): { caFile: string; key: Buffer; cert: Buffer } {
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  run(
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt"].concat([
      "-days",
      "1",
      "-subj",
      "/CN=fleet test CA",
    ]),
  );
  run(
    ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr"].concat([
      "-subj",
      "/CN=*.blob.core.windows.net",
    ]),
  );
  writeFileSync(
    join(dir, "server.ext"),
    "subjectAltName=DNS:*.blob.core.windows.net\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  run(
    ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial"].concat([
      "-out",
      "server.crt",
      "-days",
      "1",
      "-extfile",
      "server.ext",
    ]),
  );
  return {
    caFile: join(dir, "ca.crt"),
    key: readFileSync(join(dir, "server.key")),
    cert: readFileSync(join(dir, "server.crt")),
  };
}

function azureError(res: ServerResponse, status: number, code: string, message: string): void {
  res.statusCode = status;
  res.setHeader("x-ms-error-code", code);
  res.setHeader("content-type", "application/xml");
  res.end(
    `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  );
}

function metadataHeaders(req: IncomingMessage): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.startsWith("x-ms-meta-") && typeof v === "string") meta[k.slice("x-ms-meta-".length)] = v;
  }
  return meta;
}

/** Starts the fake; `close()` stops it and removes its certificates. */
export async function startFakeBlobStorage(): Promise<FakeBlobStorage> {
  const dir = mkdtempSync(join(tmpdir(), "fleet-fake-blob-"));
  const { caFile, key, cert } = makeCertificates(dir);
  const secureContext = createSecureContext({ key, cert });
  const blobs = new Map<string, Blob>();
  const requests: FakeRequest[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const url = new URL(req.url ?? "/", `https://${req.headers.host ?? "unknown"}`);
    const account = url.hostname.split(".")[0]!;
    const path = `${account}${decodeURIComponent(url.pathname)}`;
    const comp = url.searchParams.get("comp") ?? undefined;
    const sp = url.searchParams.get("sp") ?? "";
    const identity = sp === "rl" ? "reader" : sp === "racwl" ? "writer" : "unknown";
    res.setHeader("x-ms-request-id", randomUUID());
    res.setHeader("x-ms-version", "2023-11-03");
    res.on("finish", () =>
      requests.push({
        method: req.method ?? "",
        path,
        ...(comp ? { comp } : {}),
        identity,
        status: res.statusCode,
      }),
    );
    const write = req.method === "PUT" || req.method === "DELETE";
    if (!sp.includes(write ? "w" : "r")) {
      azureError(
        res,
        403,
        "AuthorizationPermissionMismatch",
        "This request is not authorized to perform this operation using this permission.",
      );
      return;
    }
    if (req.method === "GET" && comp === "list") {
      const prefix = `${path}/${url.searchParams.get("prefix") ?? ""}`;
      const names = [...blobs.keys()]
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(path.length + 1));
      res.setHeader("content-type", "application/xml");
      res.end(
        `<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs>${names
          .map((n) => `<Blob><Name>${n}</Name><Properties><BlobType>BlockBlob</BlobType></Properties></Blob>`)
          .join("")}</Blobs><NextMarker /></EnumerationResults>`,
      );
      return;
    }
    const blob = blobs.get(path);
    if ((req.method === "GET" || req.method === "HEAD") && comp === undefined) {
      if (blob === undefined) {
        azureError(res, 404, "BlobNotFound", "The specified blob does not exist.");
        return;
      }
      res.setHeader("x-ms-blob-type", "BlockBlob");
      res.setHeader("x-ms-lease-status", blob.lease ? "locked" : "unlocked");
      res.setHeader("x-ms-lease-state", blob.lease ? "leased" : "available");
      res.setHeader("content-type", "application/json");
      res.setHeader("content-length", String(blob.body.length));
      for (const [k, v] of Object.entries(blob.meta)) res.setHeader(`x-ms-meta-${k}`, v);
      res.end(req.method === "HEAD" ? undefined : blob.body);
      return;
    }
    if (req.method === "PUT" && (comp === undefined || comp === "metadata")) {
      if (blob?.lease !== undefined && req.headers["x-ms-lease-id"] !== blob.lease) {
        azureError(
          res,
          412,
          "LeaseIdMissing",
          "There is currently a lease on the blob and no lease ID was specified.",
        );
        return;
      }
      if (comp === "metadata") {
        if (blob === undefined)
          return azureError(res, 404, "BlobNotFound", "The specified blob does not exist.");
        blob.meta = metadataHeaders(req);
        res.end();
        return;
      }
      blobs.set(path, { body, meta: metadataHeaders(req), ...(blob?.lease ? { lease: blob.lease } : {}) });
      res.statusCode = 201;
      res.end();
      return;
    }
    if (req.method === "PUT" && comp === "lease" && blob !== undefined) {
      const action = req.headers["x-ms-lease-action"];
      if (action === "acquire") {
        if (blob.lease !== undefined) {
          return azureError(res, 409, "LeaseAlreadyPresent", "There is already a lease present.");
        }
        const proposed = req.headers["x-ms-proposed-lease-id"];
        blob.lease = typeof proposed === "string" ? proposed : randomUUID();
        res.setHeader("x-ms-lease-id", blob.lease);
        res.statusCode = 201;
        res.end();
        return;
      }
      if (action === "release" && req.headers["x-ms-lease-id"] === blob.lease) {
        delete blob.lease;
        res.end();
        return;
      }
    }
    azureError(res, 400, "UnsupportedOperation", `the fake does not implement ${req.method} ${url.search}`);
  };

  const blobServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, res, Buffer.concat(chunks)));
  });
  const proxy = createServer((_req, res) => {
    res.statusCode = 400;
    res.end();
  });
  const sockets = new Set<Socket>();
  proxy.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  proxy.on("connect", (req: IncomingMessage, socket: Socket) => {
    if (!/^[a-z0-9]+\.blob\.core\.windows\.net:443$/.test(req.url ?? "")) {
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    blobServer.emit("connection", new TLSSocket(socket, { isServer: true, secureContext }));
  });
  await new Promise<void>((done) => proxy.listen(0, "127.0.0.1", done));
  const port = (proxy.address() as AddressInfo).port;
  return {
    env: {
      HTTPS_PROXY: `http://127.0.0.1:${port}`,
      https_proxy: `http://127.0.0.1:${port}`,
      NO_PROXY: "",
      no_proxy: "",
      SSL_CERT_FILE: caFile,
      SSL_CERT_DIR: dir,
    },
    requests,
    blob: (path) => blobs.get(path)?.body.toString("utf8"),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((done) => proxy.close(() => done()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
