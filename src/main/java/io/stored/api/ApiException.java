package io.stored.api;

import java.util.Map;

/**
 * A request that cannot be served as asked, with the HTTP status and the RFC 9457 problem it maps
 * to. Thrown by parsing and validation; no stack trace is captured (it is not a bug).
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String type;
  private final String title;
  private final Map<String, String> headers;

  ApiException(int status, String type, String title, String detail, Map<String, String> headers) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.title = title;
    this.headers = headers;
  }

  public static ApiException badRequest(String detail) {
    return new ApiException(400, "malformed-request", "Malformed request", detail, Map.of());
  }

  /** 401: no token or an unknown one; the client is told how to authenticate. */
  public static ApiException unauthorized(String detail) {
    return new ApiException(
        401,
        "unauthorized",
        "Unauthorized",
        detail,
        Map.of("WWW-Authenticate", "Bearer realm=\"stored\""));
  }

  /** 403: a known token without the role this request needs. */
  public static ApiException forbidden(String detail) {
    return new ApiException(403, "forbidden", "Forbidden", detail, Map.of());
  }

  public static ApiException notFound(String detail) {
    return new ApiException(404, "not-found", "Not found", detail, Map.of());
  }

  public static ApiException methodNotAllowed(String method, String allow) {
    return new ApiException(
        405,
        "method-not-allowed",
        "Method not allowed",
        method + " is not allowed here; allowed: " + allow,
        Map.of("Allow", allow));
  }

  /** 408: the body did not arrive within stored.api.body-timeout. */
  public static ApiException bodyTimeout(long millis) {
    return new ApiException(
        408,
        "request-timeout",
        "Request timeout",
        "the body did not arrive within stored.api.body-timeout (" + millis + " ms)",
        Map.of("Connection", "close"));
  }

  public static ApiException preconditionFailed(String detail) {
    return new ApiException(412, "precondition-failed", "Precondition failed", detail, Map.of());
  }

  public static ApiException valueTooLarge(long max) {
    return new ApiException(
        413,
        "value-too-large",
        "Value too large",
        "the value exceeds stored.api.max-value-size (" + max + " bytes)",
        Map.of());
  }

  public static ApiException unavailable(String detail) {
    return new ApiException(
        503, "unavailable", "Service unavailable", detail, Map.of("Retry-After", "1"));
  }

  public static ApiException insufficientStorage(long max) {
    return new ApiException(
        507,
        "insufficient-storage",
        "Insufficient storage",
        "the store's memory limit (" + max + " bytes) is reached and eviction is none",
        Map.of());
  }

  public static ApiException internal(String detail) {
    return new ApiException(500, "internal-error", "Internal server error", detail, Map.of());
  }

  public int status() {
    return status;
  }

  /** The problem type URI. */
  public String type() {
    return "urn:stored:problem:" + type;
  }

  public String title() {
    return title;
  }

  public String detail() {
    return getMessage();
  }

  /** Headers the status requires (Allow, Retry-After). */
  public Map<String, String> headers() {
    return headers;
  }
}
