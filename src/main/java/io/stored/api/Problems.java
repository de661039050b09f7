package io.stored.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;

/** Writes {@link ApiException}s as RFC 9457 {@code application/problem+json} responses. */
public final class Problems {
  /** The one ObjectMapper of the HTTP layer (problem bodies, listings, the ring). */
  public static final ObjectMapper JSON = new ObjectMapper();

  public static final String PROBLEM_JSON = "application/problem+json";

  private Problems() {}

  /** Sends the problem; returns the future of the response's end. */
  public static io.vertx.core.Future<Void> send(HttpServerResponse response, ApiException e) {
    response.setStatusCode(e.status());
    for (Map.Entry<String, String> h : e.headers().entrySet()) {
      response.putHeader(h.getKey(), h.getValue());
    }
    response.putHeader("Content-Type", PROBLEM_JSON);
    return response.end(Buffer.buffer(body(e)));
  }

  /** The problem document of {@code e}, as UTF-8 JSON. */
  static byte[] body(ApiException e) {
    ObjectNode body =
        JSON.createObjectNode()
            .put("type", e.type())
            .put("title", e.title())
            .put("status", e.status())
            .put("detail", e.detail());
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot serialise a problem", ex);
    }
  }
}
