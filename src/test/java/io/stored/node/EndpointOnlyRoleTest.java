package io.stored.node;

import static io.stored.testing.Requests.http;
import static io.stored.testing.Requests.management;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code stored.roles=endpoint} with no store known: every data request is a 503 with Retry-After.
 */
@QuarkusTest
@TestProfile(EndpointOnlyRoleTest.EndpointOnly.class)
class EndpointOnlyRoleTest {
  public static class EndpointOnly implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("stored.roles", "endpoint");
    }
  }

  @Test
  void dataRequestsAre503_andTheNodeIsNotReady() {
    http()
        .get("/default/foo/0")
        .then()
        .statusCode(503)
        .header("Retry-After", "1")
        .contentType("application/problem+json")
        .body("status", equalTo(503));
    http().body("v").put("/default/foo/0").then().statusCode(503);
    http().get("/default").then().statusCode(503);
    http().get("/default/foo/0/x").then().statusCode(400);
    management()
        .get("/q/health/ready")
        .then()
        .statusCode(503)
        .body("checks[0].data.ringMembers", equalTo(0));
    management()
        .get("/stored/ring")
        .then()
        .body("epoch", equalTo(0))
        .body("members.size()", equalTo(0));
  }
}
