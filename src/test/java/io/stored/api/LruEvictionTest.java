package io.stored.api;

import static io.stored.testing.Requests.http;
import static io.stored.testing.Requests.metric;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With eviction lru, writes past the limit succeed by evicting the least recently used items. */
@QuarkusTest
@TestProfile(LruEvictionTest.LruStore.class)
class LruEvictionTest {
  public static class LruStore implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("stored.store.max-memory", "64K", "stored.store.eviction", "lru");
    }
  }

  @Test
  void writesPastTheLimit_evictOldItems_andTheNewestStay() {
    for (int i = 0; i < 300; i++) {
      http().body(new byte[1000]).put("/lru/k" + i + "/0").then().statusCode(201);
    }
    http().get("/lru/k299/0").then().statusCode(200);
    int oldSurvivors = 0;
    int newSurvivors = 0;
    for (int i = 0; i < 100; i++) {
      oldSurvivors += http().get("/lru/k" + i + "/0").statusCode() == 200 ? 1 : 0;
      newSurvivors += http().get("/lru/k" + (200 + i) + "/0").statusCode() == 200 ? 1 : 0;
    }
    // about 55 items fit; with least-recently-used eviction they are the newest ones
    assertThat(oldSurvivors).isLessThanOrEqualTo(2);
    assertThat(newSurvivors).isGreaterThanOrEqualTo(40);
    assertThat(metric("stored_evictions_total")).isGreaterThanOrEqualTo(200);
    assertThat(metric("stored_memory_used_bytes")).isLessThanOrEqualTo(64 * 1024);
  }
}
