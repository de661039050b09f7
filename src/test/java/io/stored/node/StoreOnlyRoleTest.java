package io.stored.node;

import static io.stored.testing.Requests.http;
import static io.stored.testing.Requests.management;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code stored.roles=store}: holds partitions, serves no data API. */
@QuarkusTest
@TestProfile(StoreOnlyRoleTest.StoreOnly.class)
class StoreOnlyRoleTest {
  public static class StoreOnly implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("stored.roles", "store", "stored.node-name", "store-0");
    }
  }

  @Test
  void dataPathsAre404_butTheStoreIsReadyAndInTheRing() {
    http().get("/default/foo/0").then().statusCode(404).contentType("application/problem+json");
    http().body("v").put("/default/foo/0").then().statusCode(404);
    management()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks[0].data.store", equalTo("in sync"));
    management().get("/stored/ring").then().body("members[0].name", equalTo("store-0"));
  }
}
