import assert from "node:assert/strict";
import { AuthsignalError } from "@authsignal/node";

/** The call failed the way @authsignal/node reports a contract error: AuthsignalError with status, code and description. */
export async function rejectsWith(promise, statusCode, errorCode) {
  const error = await promise.then(
    (value) => assert.fail(`expected ${statusCode} ${errorCode}, but the call succeeded with ${JSON.stringify(value)}`),
    (e) => e,
  );
  assert.ok(error instanceof AuthsignalError, `expected an AuthsignalError, got ${error}`);
  assert.equal(error.statusCode, statusCode, error.message);
  assert.equal(error.errorCode, errorCode, error.message);
  assert.ok(error.errorDescription, "the SDK found no errorDescription in the error body");
  return error;
}

/** An ISO-8601 UTC time as the SDK types declare createdAt / stateUpdatedAt / verifiedAt. */
export function assertIsoTime(value, name) {
  assert.equal(typeof value, "string", `${name} should be an ISO string, got ${JSON.stringify(value)}`);
  assert.match(value, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, `${name} = ${value}`);
  assert.ok(!Number.isNaN(Date.parse(value)), `${name} = ${value} does not parse`);
}
