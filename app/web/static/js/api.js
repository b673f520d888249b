// Requests to the service's JSON API. Every call takes an AbortSignal so that a newer question
// cancels an older one; errors carry the problem+json body (detail, field, choices).

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || "the service answered " + status);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem || {};
  }
}

export async function getJSON(url, signal) {
  const response = await fetch(url, { headers: { accept: "application/json" }, signal });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export const q = encodeURIComponent;

export function isAbort(error) {
  return error && error.name === "AbortError";
}
