package io.stored.testing;

import static io.restassured.RestAssured.given;

import io.quarkus.test.common.http.TestHTTPResourceManager;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.specification.RequestSpecification;

/** RestAssured requests to the app under test, sent exactly as written. */
public final class Requests {
  private Requests() {}

  /** The data port. Paths are not re-encoded and Content-Type gets no charset added. */
  public static RequestSpecification http() {
    return given()
        .urlEncodingEnabled(false)
        .config(
            RestAssured.config()
                .encoderConfig(
                    EncoderConfig.encoderConfig()
                        .appendDefaultContentCharsetToContentTypeIfUndefined(false)));
  }

  /** The management port (health, metrics, ring). */
  public static RequestSpecification management() {
    // getManagementUri() ends with the management root path (/q); tests use absolute paths.
    java.net.URI uri = java.net.URI.create(TestHTTPResourceManager.getManagementUri());
    return given()
        .baseUri(uri.getScheme() + "://" + uri.getAuthority())
        .port(-1)
        .urlEncodingEnabled(false);
  }
}
