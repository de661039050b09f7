package io.stored.api;

import static io.stored.testing.Requests.http;
import static io.stored.testing.Requests.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With eviction none, a full store answers 507 and keeps everything it acknowledged. */
@QuarkusTest
@TestProfile(MemoryLimitTest.SmallStore.class)
class MemoryLimitTest {
  public static class SmallStore implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("stored.store.max-memory", "64K", "stored.store.eviction", "none");
    }
  }

  @Test
  void writesPastTheLimit_are507_andEverythingAcknowledgedStaysReadable() {
    int stored = 0;
    int status;
    while ((status = http().body(new byte[1000]).put("/mem/k" + stored + "/0").statusCode())
        == 201) {
      stored++;
      assertThat(stored).as("the limit must stop writes").isLessThan(1000);
    }
    assertThat(status).isEqualTo(507);
    assertThat(stored).isGreaterThan(30);
    http()
        .body(new byte[1000])
        .put("/mem/k" + stored + "/0")
        .then()
        .statusCode(507)
        .contentType("application/problem+json")
        .body("status", equalTo(507));
    for (int i = 0; i < stored; i++) {
      http().get("/mem/k" + i + "/0").then().statusCode(200);
    }
    management().get("/q/health/ready").then().statusCode(200);

    http().delete("/mem/k0/0").then().statusCode(200);
    http().body(new byte[1000]).put("/mem/again/0").then().statusCode(201);
  }
}
