// Calls to the workbench's JSON API (same origin; the browser sends the
// Origin header the server requires for anything but GET).

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

async function parse(res) {
  const type = res.headers.get("content-type") || "";
  const body = type.includes("application/json") ? await res.json() : null;
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

export async function get(path) {
  return parse(await fetch(path, { headers: { Accept: "application/json" } }));
}

export async function send(method, path, data) {
  return parse(
    await fetch(path, {
      method,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(data),
    }),
  );
}

export const post = (path, data) => send("POST", path, data);

// Uploads a file's bytes as the body; the name goes in the query.
export async function upload(role, file) {
  const url = `/api/data/${role}?name=${encodeURIComponent(file.name)}`;
  return parse(await fetch(url, { method: "POST", body: file }));
}

// A download: the response's bytes saved under the server's file name.
export async function download(path, data) {
  const res = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(data),
  });
  if (!res.ok) return parse(res);
  const blob = await res.blob();
  const cd = res.headers.get("content-disposition") || "";
  const m = /filename\*=UTF-8''([^;]+)/.exec(cd) || /filename="([^"]+)"/.exec(cd);
  const name = m ? decodeURIComponent(m[1]) : "results";
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
  return name;
}
