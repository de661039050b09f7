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

  /**
   * The sum of the Prometheus samples in {@code /q/metrics} whose line starts with {@code prefix}
   * (a name, or a name and the start of its labels); 0 when there is none.
   */
  public static double metric(String prefix) {
    String body = management().get("/q/metrics").then().statusCode(200).extract().asString();
    return body.lines()
        .filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
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
